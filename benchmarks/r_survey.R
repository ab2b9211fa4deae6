# Reference estimates with R `survey` for benchmarks/run_engine.py.
#
# Usage: Rscript r_survey.R INPUT(.csv|.parquet) ESTIMATES.csv TIMINGS.csv EU_CODES INDICATORS DESIGN [CELLS]
#   EU_CODES    comma-separated codes meaning "another EU27_2020 country" (from zaragoza)
#   INDICATORS  comma-separated ids among those defined below
#   DESIGN      none or clustered
#   CELLS       all (default) or fine
#
# Design:
#   none:      svydesign(ids = ~1, strata = ~COUNTRY, weights = ~COEFF)
#              (every record its own PSU, each country-year its own stratum: the zaragoza
#              engine's design when no strata/PSU are given);
#   clustered: svydesign(ids = ~PSU, strata = ~STRATUM, weights = ~COEFF, nest = TRUE)
#              (the engine with strata = "STRATUM", psu = "PSU"; both read as character).
#
# Cells, for each indicator (weighted ratio and linearised standard error):
#   fine: COUNTRY x citizenship group (NAT / EU27_2020_FOR / NEU27_2020_FOR) x SEX, with
#         svyby(~y, ~COUNTRY + grp + SEX, subset(design, population & known group),
#         svymean);
#   all:  every cell zaragoza outputs for by = citizen, sex with gap citizen = NAT, as
#         tests/reference/lfs_survey.R computes them (its domain_rows): on
#         subset(design, population), one svyby(..., svymean, covmat = TRUE) for each of
#           ~COUNTRY + grp + SEX, ~COUNTRY + grp_mid + SEX, ~COUNTRY + SEX,
#           ~COUNTRY + grp,       ~COUNTRY + grp_mid,       ~COUNTRY
#         (grp_mid: EU27_2020_FOR and NEU27_2020_FOR are FOR). Unknown citizenship
#         (blank or NRP NATIONAL) is left out of the group breakdowns by a further
#         subset; it is only in TOTAL. Kept: the fine groups, FOR (from the grp_mid
#         breakdowns), TOTAL, and the gaps: each of EU27_2020_FOR, NEU27_2020_FOR and FOR
#         minus NAT within the same country and sex (M, F, T), by svycontrast on that
#         breakdown's svyby (so the covariance of the two cells is accounted for).
# subset() keeps the full design, so these are domain estimates with the full strata and
# PSUs, as in the engine. Strata with a single PSU stop the run
# (options(survey.lonely.psu = "fail"), the engine's default lonely_psu = "fail").
#
# Conditions follow SQL's three-valued logic exactly like the engine (R's `&` is also
# Kleene): a record is in the denominator when it is in the population and its numerator
# condition is known (not NA).
#
# ESTIMATES.csv: indicator, geo, citizen, sex (M/F/T), compare_to ("" or NAT), value,
# se (proportions), n (unweighted records in the cell; empty for gaps).
#
# Timed (system.time, printed and written to TIMINGS.csv): deriving the columns, building
# the design, and each indicator's subsets + svyby calls (+ svycontrast for the gaps).
# Reading the file and counting the records per cell are not part of the estimation time.

suppressPackageStartupMessages({
  library(survey)
  library(data.table)
})

args <- commandArgs(trailingOnly = TRUE)
if (!length(args) %in% c(6, 7)) {
  stop("usage: r_survey.R INPUT ESTIMATES.csv TIMINGS.csv EU_CODES INDICATORS DESIGN [CELLS]")
}
input <- args[1]
out_est <- args[2]
out_time <- args[3]
eu_codes <- strsplit(args[4], ",", fixed = TRUE)[[1]]
wanted <- strsplit(args[5], ",", fixed = TRUE)[[1]]
design <- args[6]
if (!design %in% c("none", "clustered")) stop("DESIGN must be none or clustered")
cells <- if (length(args) == 7) args[7] else "all"
if (!cells %in% c("fine", "all")) stop("CELLS must be fine or all")
options(survey.lonely.psu = "fail")

cols <- c("COUNTRY", "YEAR", "COEFF", "SEX", "AGE", "NATIONAL", "ILOSTAT", "STAPRO",
          "TEMP", "ISCO1D", "HATLEVEL", "EDUC4WN")
if (design == "clustered") cols <- c(cols, "STRATUM", "PSU")

t_read <- system.time({
  if (grepl("\\.parquet$", input)) {
    d <- as.data.table(arrow::read_parquet(input, col_select = cols))
  } else {
    d <- fread(input, select = cols, na.strings = c("NA", ""), showProgress = FALSE,
               colClasses = list(character = intersect(c("STRATUM", "PSU"), cols)))
  }
  if (design == "clustered") {
    d[, STRATUM := as.character(STRATUM)]
    d[, PSU := as.character(PSU)]
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
  if (cells == "all") {
    d[, grp_mid := fifelse(grp %in% c("EU27_2020_FOR", "NEU27_2020_FOR"), "FOR", grp)]
    d[, sexc := fifelse(SEX == 1L, "M", "F")]
  }
  for (k in wanted) {
    r <- defs[[k]](d)
    # fine cells: unknown citizenship is in none of them
    set(d, j = paste0("pop_", k), value = if (cells == "fine") r$pop & d$grp != "UNK" else r$pop)
    set(d, j = paste0("y_", k), value = r$y)
  }
})
timings[["prep"]] <- t_prep[["elapsed"]]

t_design <- system.time({
  des <- if (design == "clustered") {
    svydesign(ids = ~PSU, strata = ~STRATUM, weights = ~COEFF, nest = TRUE, data = d)
  } else {
    svydesign(ids = ~1, strata = ~COUNTRY, weights = ~COEFF, data = d)
  }
})
timings[["design"]] <- t_design[["elapsed"]]

# The six breakdowns of cells = "all": citizenship column (NA: TOTAL) and sex column
# (NA: T).
breakdowns <- list(
  list(f = ~COUNTRY + grp + sexc, cit = "grp", sex = "sexc"),
  list(f = ~COUNTRY + grp_mid + sexc, cit = "grp_mid", sex = "sexc"),
  list(f = ~COUNTRY + sexc, cit = NA, sex = "sexc"),
  list(f = ~COUNTRY + grp, cit = "grp", sex = NA),
  list(f = ~COUNTRY + grp_mid, cit = "grp_mid", sex = NA),
  list(f = ~COUNTRY, cit = NA, sex = NA)
)

# All cells of one indicator: svyby per breakdown, gaps by svycontrast (timed).
all_cells <- function(yf, pop) {
  sub <- subset(des, pop)
  known <- subset(sub, grp != "UNK")
  out <- list()
  for (b in breakdowns) {
    s <- if (is.na(b$cit)) sub else known
    r <- svyby(yf, b$f, s, svymean, keep.var = TRUE, covmat = TRUE)
    cit <- if (is.na(b$cit)) rep("TOTAL", nrow(r)) else as.character(r[[b$cit]])
    sex <- if (is.na(b$sex)) rep("T", nrow(r)) else as.character(r[[b$sex]])
    geo <- as.character(r$COUNTRY)
    keep <- if (identical(b$cit, "grp_mid")) cit == "FOR" else rep(TRUE, nrow(r))
    out[[length(out) + 1]] <- data.table(
      geo = geo[keep], citizen = cit[keep], sex = sex[keep], compare_to = "",
      value = as.numeric(coef(r))[keep], se = as.numeric(SE(r))[keep])
    if (is.na(b$cit)) next
    # gaps: each group minus nationals, same country and sex
    nm <- names(coef(r))
    key <- paste(geo, sex)
    contrasts <- list()
    rows <- integer(0)
    for (i in which(cit != "NAT")) {
      j <- which(key == key[i] & cit == "NAT")
      if (length(j) != 1) next
      cvec <- setNames(rep(0, length(nm)), nm)
      cvec[i] <- 1
      cvec[j] <- -1
      contrasts[[nm[i]]] <- cvec
      rows <- c(rows, i)
    }
    if (!length(rows)) next
    ctr <- svycontrast(r, contrasts)
    out[[length(out) + 1]] <- data.table(
      geo = geo[rows], citizen = cit[rows], sex = sex[rows], compare_to = "NAT",
      value = as.numeric(coef(ctr)), se = as.numeric(SE(ctr)))
  }
  rbindlist(out)
}

# Unweighted records per kept cell (not timed): the group breakdowns without unknown
# citizenship, TOTAL with it.
cell_counts <- function(pop) {
  fine <- d[pop == TRUE, .N, by = .(geo = COUNTRY, grp, sexc = fifelse(SEX == 1L, "M", "F"))]
  if (cells == "fine") return(fine[grp != "UNK", .(geo, citizen = grp, sex = sexc, n = N)])
  fine[, mid := fifelse(grp %in% c("EU27_2020_FOR", "NEU27_2020_FOR"), "FOR", grp)]
  both_sexes <- function(x) rbind(x, x[, .(n = sum(n), sex = "T"), by = .(geo, citizen)],
                                  use.names = TRUE)
  known <- fine[grp != "UNK"]
  rbind(both_sexes(known[, .(n = N), by = .(geo, citizen = grp, sex = sexc)]),
        both_sexes(known[mid == "FOR", .(n = sum(N)), by = .(geo, citizen = mid, sex = sexc)]),
        both_sexes(fine[, .(n = sum(N), citizen = "TOTAL"), by = .(geo, sex = sexc)]),
        use.names = TRUE)
}

results <- list()
for (k in wanted) {
  yf <- as.formula(paste0("~y_", k))
  pop <- d[[paste0("pop_", k)]]
  t_k <- system.time({
    if (cells == "all") {
      est <- all_cells(yf, pop)
    } else {
      est <- svyby(yf, ~COUNTRY + grp + SEX, subset(des, pop), svymean, na.rm = TRUE)
    }
  })
  timings[[k]] <- t_k[["elapsed"]]
  cat(sprintf("%-28s %7.2f s\n", k, t_k[["elapsed"]]))
  if (cells == "fine") {
    est <- data.table(geo = as.character(est$COUNTRY), citizen = as.character(est$grp),
                      sex = fifelse(est$SEX == 1L, "M", "F"), compare_to = "",
                      value = as.numeric(coef(est)), se = as.numeric(SE(est)))
  }
  est <- merge(est, cell_counts(pop)[, compare_to := ""],
               by = c("geo", "citizen", "sex", "compare_to"), all.x = TRUE)
  est[, indicator := k]
  results[[k]] <- setcolorder(est, "indicator")
}
total <- sum(unlist(timings))
cat(sprintf("design %s, %s cells: prep %.2f s, svydesign %.2f s, estimation total %.2f s\n",
            design, cells, timings[["prep"]], timings[["design"]], total))

fwrite(rbindlist(results), out_est)
fwrite(data.table(step = c("read", names(timings)),
                  seconds = c(t_read[["elapsed"]], unlist(timings))), out_time)
