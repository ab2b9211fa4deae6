# Golden numbers for the indicator engine, from R survey (Lumley), independently of
# Zaragoza's code. Run from the repository root:
#   Rscript tests/reference/lfs_survey.R
# It reads tests/reference/lfs_golden.csv and writes tests/reference/lfs_survey_golden.csv
# (design, indicator, geo, citizen, sex, compare_to, value, se; proportions, not percent).
# Made with R 4.x and survey 4.1.1.
suppressMessages(library(survey))

d <- read.csv("tests/reference/lfs_golden.csv", na.strings = c("", "NA"),
              colClasses = c(NATIONAL = "character", COUNTRYB = "character",
                             STRATUM = "character", PSU = "character"))
EU27 <- c("AT","BE","BG","CY","CZ","DE","DK","EE","EL","ES","FI","FR","HR","HU","IE",
          "IT","LT","LU","LV","MT","NL","PL","PT","RO","SE","SI","SK")
grp <- function(code, country) {
  ifelse(is.na(code), "UNK", ifelse(code == country, "NAT",
         ifelse(code %in% EU27, "EU27_2020_FOR", "NEU27_2020_FOR")))
}
d$cit_fine <- grp(d$NATIONAL, d$COUNTRY)
d$cit_mid <- ifelse(d$cit_fine %in% c("EU27_2020_FOR", "NEU27_2020_FOR"), "FOR", d$cit_fine)
d$cob_fine <- grp(d$COUNTRYB, d$COUNTRY)
d$cob_mid <- ifelse(d$cob_fine %in% c("EU27_2020_FOR", "NEU27_2020_FOR"), "FOR", d$cob_fine)
d$sexc <- ifelse(d$SEX == 1, "M", "F")
d$ISCED <- floor(d$HATLEVEL / 100)

# Indicator definitions, written from the issue's table (not from Zaragoza's catalogue).
# R's &, | and ! are Kleene logic, like SQL: NA means "cannot be determined".
age_in <- function(lo, hi) d$AGE >= lo & d$AGE <= hi
defs <- list(
  employment_rate = list(pop = age_in(20, 64), num = d$ILOSTAT == 1),
  unemployment_rate = list(pop = age_in(20, 64) & (d$ILOSTAT == 1 | d$ILOSTAT == 2),
                           num = d$ILOSTAT == 2),
  overqualification_rate = list(pop = age_in(20, 64) & d$ILOSTAT == 1 & d$ISCED >= 5,
                                num = d$ISCO1D >= 4 & d$ISCO1D <= 9),
  temporary_employment_share = list(pop = age_in(20, 64) & d$ILOSTAT == 1 & d$STAPRO == 3,
                                    num = d$TEMP == 2),
  early_leavers = list(pop = age_in(18, 24), num = d$ISCED <= 2 & d$EDUC4WN == 2),
  neet_rate = list(pop = age_in(15, 29), num = !(d$ILOSTAT == 1) & d$EDUC4WN == 2)
)
for (id in names(defs)) {
  p <- defs[[id]]$pop
  inpop <- !is.na(p) & p
  known <- inpop & !is.na(defs[[id]]$num)
  d[[paste0("k_", id)]] <- known
  d[[paste0("y_", id)]] <- as.numeric(known & defs[[id]]$num %in% TRUE)
}

# Domains: group fine / FOR / TOTAL crossed with sex M, F / T, within country; the group
# is citizenship ("cit") or country of birth ("cob").
make_bys <- function(g) {
  fine <- paste0(g, "_fine"); mid <- paste0(g, "_mid")
  list(
    list(f = as.formula(paste("~COUNTRY +", fine, "+ sexc")), cit = fine, sex = "sexc"),
    list(f = as.formula(paste("~COUNTRY +", mid, "+ sexc")), cit = mid, sex = "sexc"),
    list(f = ~COUNTRY + sexc, cit = NA, sex = "sexc"),
    list(f = as.formula(paste("~COUNTRY +", fine)), cit = fine, sex = NA),
    list(f = as.formula(paste("~COUNTRY +", mid)), cit = mid, sex = NA),
    list(f = ~COUNTRY, cit = NA, sex = NA)
  )
}

domain_rows <- function(des, id, label, g = "cit") {
  bys <- make_bys(g)
  fine_col <- paste0(g, "_fine")
  out <- list()
  sub <- subset(des, get(paste0("k_", id)))
  yf <- as.formula(paste0("~y_", id))
  for (b in bys) {
    # Unknown citizenship is in no group but TOTAL; leaving it out of the group
    # breakdowns changes no group's estimate, and keeps svyby's joint replicate matrix
    # free of the NA replicates of that tiny domain (svrVar would drop those replicates
    # for every cell of the call, contrasts included).
    s <- if (is.na(b$cit)) sub else subset(sub, get(fine_col) != "UNK")
    r <- svyby(yf, b$f, s, svymean, keep.var = TRUE, covmat = TRUE)
    df <- data.frame(
      design = label, indicator = id, geo = r$COUNTRY,
      citizen = if (is.na(b$cit)) "TOTAL" else r[[b$cit]],
      sex = if (is.na(b$sex)) "T" else r[[b$sex]],
      compare_to = "", value = coef(r), se = SE(r), stringsAsFactors = FALSE)
    df <- df[!(df$citizen %in% c("UNK")) & !(b$cit %in% paste0(g, "_mid") & df$citizen == "NAT"), ]
    out[[length(out) + 1]] <- df
    # gaps: each group minus nationals, same country and sex, with svycontrast
    if (!is.na(b$cit)) {
      nm <- names(coef(r))
      key <- paste(r$COUNTRY, if (is.na(b$sex)) "T" else r[[b$sex]])
      grp_of <- r[[b$cit]]
      for (i in seq_along(nm)) {
        if (grp_of[i] %in% c("NAT", "UNK", "TOTAL")) next
        j <- which(key == key[i] & grp_of == "NAT")
        if (length(j) != 1) next
        cvec <- setNames(rep(0, length(nm)), nm); cvec[i] <- 1; cvec[j] <- -1
        ctr <- svycontrast(r, cvec)
        out[[length(out) + 1]] <- data.frame(
          design = label, indicator = id, geo = r$COUNTRY[i], citizen = grp_of[i],
          sex = if (is.na(b$sex)) "T" else r[[b$sex]][i], compare_to = "NAT",
          value = as.numeric(coef(ctr)), se = as.numeric(SE(ctr)), stringsAsFactors = FALSE)
      }
    }
  }
  do.call(rbind, out)
}

designs <- list()
for (lonely in c("adjust", "remove", "certainty")) {
  designs[[paste0("strata_psu_", lonely)]] <- list(
    des = svydesign(ids = ~PSU, strata = ~STRATUM, weights = ~COEFF, nest = TRUE, data = d),
    lonely = lonely)
}
# Weights only: each record its own PSU, each country its own stratum (as the engine).
designs[["weights_only"]] <- list(
  des = svydesign(ids = ~1, strata = ~COUNTRY, weights = ~COEFF, data = d), lonely = "fail")
# Strata without PSUs: each record its own PSU within its stratum (as the engine).
designs[["strata_only"]] <- list(
  des = svydesign(ids = ~1, strata = ~STRATUM, weights = ~COEFF, data = d), lonely = "fail")
# PSUs without strata: each country one stratum holding its PSUs (as the engine).
designs[["psu_only"]] <- list(
  des = svydesign(ids = ~PSU, strata = ~COUNTRY, weights = ~COEFF, nest = TRUE, data = d),
  lonely = "fail")
designs[["bootstrap"]] <- list(
  des = svrepdesign(weights = ~COEFF, repweights = "RW[0-9]+", type = "bootstrap",
                    mse = TRUE, data = d), lonely = "fail")
designs[["fay"]] <- list(
  des = svrepdesign(weights = ~COEFF, repweights = "FAY[0-9]+", type = "Fay", rho = 0.5,
                    mse = TRUE, data = d), lonely = "fail")
# The same 16 replicate columns read with the other methods' scales (checks the scale
# and rscales handling; the columns are not a real JK or BRR design).
designs[["brr"]] <- list(
  des = svrepdesign(weights = ~COEFF, repweights = "FAY[0-9]+", type = "BRR",
                    mse = TRUE, data = d), lonely = "fail")
designs[["jk1"]] <- list(
  des = svrepdesign(weights = ~COEFF, repweights = "FAY[0-9]+", type = "JK1",
                    scale = 15 / 16, mse = TRUE, data = d), lonely = "fail")
designs[["jkn"]] <- list(
  des = svrepdesign(weights = ~COEFF, repweights = "FAY[0-9]+", type = "JKn",
                    rscales = rep(c(0.5, 0.75), 8), mse = TRUE, data = d), lonely = "fail")

res <- list()
for (label in names(designs)) {
  options(survey.lonely.psu = designs[[label]]$lonely)
  for (id in names(defs)) res[[length(res) + 1]] <- domain_rows(designs[[label]]$des, id, label)
}
# Country of birth instead of citizenship, on the clustered design; the group code
# goes in the same "citizen" column of the golden file, under its own design label.
options(survey.lonely.psu = "adjust")
for (id in names(defs)) {
  res[[length(res) + 1]] <- domain_rows(designs[["strata_psu_adjust"]]$des, id,
                                        "strata_psu_adjust_c_birth", g = "cob")
}
res <- do.call(rbind, res)
write.csv(res, "tests/reference/lfs_survey_golden.csv", row.names = FALSE)
cat("wrote", nrow(res), "rows\n")
