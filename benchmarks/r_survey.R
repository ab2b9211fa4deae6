# Reference estimates with R `survey` for benchmarks/run_engine.py.
#
# Usage: Rscript r_survey.R INPUT(.csv|.parquet) ESTIMATES.csv TIMINGS.csv EU_CODES INDICATORS
#   EU_CODES    comma-separated codes meaning "another EU27_2020 country" (from zaragoza)
#   INDICATORS  comma-separated ids among those defined below
#
# For each indicator: per COUNTRY x citizenship group (NAT / EU27_2020_FOR /
# NEU27_2020_FOR) x SEX, the weighted ratio and its linearised standard error from
#   svydesign(ids = ~1, strata = ~COUNTRY, weights = ~COEFF)
# (every record its own PSU, each country-year its own stratum: the zaragoza engine's
# design when no strata/PSU are given) with svyby(~y, ~COUNTRY + grp + SEX,
# subset(design, population), svymean). subset() keeps the full design, so these are
# domain estimates with the full strata, as in the engine.
#
# Conditions follow SQL's three-valued logic exactly like the engine (R's `&` is also
# Kleene): a record is in the denominator when it is in the population and its numerator
# condition is known (not NA).
#
# Timed (system.time, printed and written to TIMINGS.csv): deriving the columns, building
# the design, and each indicator's subset + svyby. Reading the file is timed separately
# and is not part of the estimation time.

suppressPackageStartupMessages({
  library(survey)
  library(data.table)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 5) {
  stop("usage: r_survey.R INPUT ESTIMATES.csv TIMINGS.csv EU_CODES INDICATORS")
}
input <- args[1]
out_est <- args[2]
out_time <- args[3]
eu_codes <- strsplit(args[4], ",", fixed = TRUE)[[1]]
wanted <- strsplit(args[5], ",", fixed = TRUE)[[1]]

cols <- c("COUNTRY", "YEAR", "COEFF", "SEX", "AGE", "NATIONAL", "ILOSTAT", "STAPRO",
          "TEMP", "ISCO1D", "HATLEVEL", "EDUC4WN")

t_read <- system.time({
  if (grepl("\\.parquet$", input)) {
    d <- as.data.table(arrow::read_parquet(input, col_select = cols))
  } else {
    d <- fread(input, select = cols, na.strings = c("NA", ""), showProgress = FALSE)
  }
})
cat(sprintf("read %d rows in %.2f s (not timed as estimation)\n", nrow(d), t_read[["elapsed"]]))

iso_to_eurostat <- c(GR = "EL", GB = "UK")
geo_code <- function(x) {
  x <- toupper(trimws(as.character(x)))
  x[!is.na(x) & x == ""] <- NA
  hit <- !is.na(x) & x %in% names(iso_to_eurostat)
  x[hit] <- iso_to_eurostat[x[hit]]
  x
}

# Each definition returns list(pop = logical without NA, y = 0/1 numeric).
# `num` may be NA (Kleene logic); the denominator needs it known.
band <- function(d, lo, hi) d$AGE >= lo & d$AGE <= hi
isced <- function(d) floor(d$HATLEVEL / 100)
ratio_of <- function(pop, num) {
  inpop <- !is.na(pop) & pop
  known <- inpop & !is.na(num)
  list(pop = known, y = as.numeric(known & num))
}
defs <- list(
  employment_rate = function(d) {
    ratio_of(band(d, 20, 64), d$ILOSTAT == 1)
  },
  unemployment_rate = function(d) {
    ratio_of(band(d, 20, 64) & (d$ILOSTAT == 1 | d$ILOSTAT == 2), d$ILOSTAT == 2)
  },
  overqualification_rate = function(d) {
    ratio_of(band(d, 20, 64) & d$ILOSTAT == 1 & isced(d) >= 5 & isced(d) <= 8,
             d$ISCO1D >= 4 & d$ISCO1D <= 9)
  },
  early_leavers = function(d) {
    ratio_of(band(d, 18, 24), isced(d) >= 0 & isced(d) <= 2 & d$EDUC4WN == 2)
  },
  temporary_employment_share = function(d) {
    ratio_of(band(d, 20, 64) & d$ILOSTAT == 1 & d$STAPRO == 3, d$TEMP == 2)
  }
)
unknown <- setdiff(wanted, names(defs))
if (length(unknown)) stop("no R definition for: ", paste(unknown, collapse = ", "))

timings <- list()
t_prep <- system.time({
  geo <- geo_code(d$COUNTRY)
  nat <- geo_code(d$NATIONAL)
  d[, COUNTRY := geo]
  d[, grp := fifelse(is.na(nat) | nat == "NRP", "UNK",
                fifelse(nat == geo, "NAT",
                  fifelse(nat %in% eu_codes, "EU27_2020_FOR", "NEU27_2020_FOR")))]
  for (k in wanted) {
    r <- defs[[k]](d)
    set(d, j = paste0("pop_", k), value = r$pop & d$grp != "UNK")
    set(d, j = paste0("y_", k), value = r$y)
  }
})
timings[["prep"]] <- t_prep[["elapsed"]]

t_design <- system.time({
  des <- svydesign(ids = ~1, strata = ~COUNTRY, weights = ~COEFF, data = d)
})
timings[["design"]] <- t_design[["elapsed"]]

results <- list()
for (k in wanted) {
  yf <- as.formula(paste0("~y_", k))
  pop <- d[[paste0("pop_", k)]]
  t_k <- system.time({
    est <- svyby(yf, ~COUNTRY + grp + SEX, subset(des, pop), svymean, na.rm = TRUE)
  })
  timings[[k]] <- t_k[["elapsed"]]
  cat(sprintf("%-28s %7.2f s\n", k, t_k[["elapsed"]]))
  counts <- d[pop == TRUE, .N, by = .(COUNTRY, grp, SEX)]
  est <- data.table(indicator = k, COUNTRY = as.character(est$COUNTRY),
                    grp = as.character(est$grp), SEX = as.integer(est$SEX),
                    value = as.numeric(coef(est)), se = as.numeric(SE(est)))
  results[[k]] <- merge(est, counts, by = c("COUNTRY", "grp", "SEX"), all.x = TRUE)
}
total <- sum(unlist(timings))
cat(sprintf("prep %.2f s, design %.2f s, estimation total %.2f s\n",
            timings[["prep"]], timings[["design"]], total))

fwrite(rbindlist(results), out_est)
fwrite(data.table(step = c("read", names(timings)),
                  seconds = c(t_read[["elapsed"]], unlist(timings))), out_time)
