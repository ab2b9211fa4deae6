# The same EU-SILC cells as benchmarks/r_silc.R, the way laeken and survey are usually
# called: values from laeken's functions with `breakdown`, standard errors from survey's
# svyby (svyquantile for the median: Woodruff interval; svymean for the poverty rate
# with the threshold fixed and for the two shares) and from laeken's bootstrap for Gini
# and S80/S20 (`var = "bootstrap"`, R = 100 replicates, households as clusters, regions
# as strata). Timing only: these SEs are not the linearised ones.
#
#   Rscript benchmarks/r_silc_idiomatic.R IN.csv OUT.csv [COUNTRIES]
suppressMessages({library(laeken); library(survey); library(data.table)})
args <- commandArgs(TRUE)
d <- fread(args[1], na.strings = c("", "NA"))
keep <- if (length(args) >= 3) strsplit(args[3], ",")[[1]] else sort(unique(d$DB020))
d[, grp := fifelse(is.na(PB220A), NA_character_,
  fifelse(PB220A == DB020, "NAT", fifelse(PB220A == "EU", "EU27_2020_FOR", "NEU27_2020_FOR")))]
set.seed(1)
started <- Sys.time()
out <- list()
for (cc in keep) {
  dc <- as.data.frame(d[DB020 == cc])
  thr <- arpt("HX090", weights = "RB050", data = dc)
  dc$poor <- as.numeric(dc$HX090 < thr)
  dc$owner <- as.numeric(dc$HH021 %in% 1:2)
  dc$good <- as.numeric(dc$PH010 %in% 1:2)
  dc$sexc <- ifelse(dc$RB090 == 1, "M", "F")
  dc$region <- factor(dc$DB040)
  des <- svydesign(ids = ~DB030, strata = ~DB040, weights = ~RB050, data = dc)
  levels_cit <- list(fine = dc$grp, mid = ifelse(dc$grp %in% c("EU27_2020_FOR", "NEU27_2020_FOR"), "FOR", NA), total = rep("TOTAL", nrow(dc)))
  levels_sex <- list(fine = dc$sexc, total = rep("T", nrow(dc)))
  for (lc in names(levels_cit)) for (ls in names(levels_sex)) {
    dc$cell <- paste(levels_cit[[lc]], levels_sex[[ls]])
    dc$cell[is.na(levels_cit[[lc]])] <- NA
    des <- update(des, cell = dc$cell)
    a18 <- subset(des, AGE >= 18 & !is.na(cell))
    m <- svyby(~HX090, ~cell, a18, svyquantile, quantiles = 0.5, ci = TRUE, keep.var = TRUE)
    r <- svyby(~poor, ~cell, a18, svymean)
    o <- svyby(~owner, ~cell, a18, svymean)
    g <- svyby(~good, ~cell, subset(des, AGE >= 16 & !is.na(PH010) & !is.na(cell)), svymean)
    sub <- dc[!is.na(dc$cell), ]
    gi <- gini("HX090", weights = "RB050", breakdown = "cell", design = "region",
               cluster = "DB030", data = sub, var = "bootstrap", bootType = "naive", R = 100)
    qs <- qsr("HX090", weights = "RB050", breakdown = "cell", design = "region",
              cluster = "DB030", data = sub, var = "bootstrap", bootType = "naive", R = 100)
    out[[length(out) + 1]] <- data.frame(geo = cc, cells = nrow(r))
  }
}
res <- do.call(rbind, out)
fwrite(res, args[2])
cat(sprintf("R idiomatic: %d countries in %.1f s\n", length(keep), as.numeric(difftime(Sys.time(), started, units = "secs"))))
