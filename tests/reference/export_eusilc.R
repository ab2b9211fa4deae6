# Export laeken's synthetic `eusilc` data (laeken 0.5.2, GPL >= 2) with EU-SILC UDB names
# for the Python tests, which run it at test time (the data set is not copied into this
# repository: only the golden numbers and the R code are kept here).
#
#   Rscript tests/reference/export_eusilc.R OUT.csv.gz
#
# Renames: db030 -> DB030, db040 -> DB040 (region names), rb030 -> RB030, age -> AGE,
# rb090 -> RB090 (1 male, 2 female), pl030 -> PL030, pb220a -> PB220A (AT, EU, Other;
# blank for persons under 16), eqIncome -> HX090, eqSS -> HX050, hsize -> HSIZE,
# db090 -> DB090, rb050 -> RB050; country DB020 = AT and year DB010 = 2006 added; the
# income components left out; missing values written blank.
suppressMessages(library(laeken))
stopifnot(packageVersion("laeken") == "0.5.2")
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 1)
data(eusilc)
d <- eusilc
out <- data.frame(
  DB020 = "AT", DB010 = 2006L, DB030 = d$db030, DB040 = as.character(d$db040),
  RB030 = d$rb030, AGE = d$age, RB090 = as.integer(d$rb090), PL030 = d$pl030,
  PB220A = as.character(d$pb220a), HX090 = d$eqIncome, HX050 = d$eqSS,
  HSIZE = d$hsize, DB090 = d$db090, RB050 = d$rb050
)
con <- gzfile(args[[1]], "w")
write.csv(out, con, row.names = FALSE, na = "")
close(con)
