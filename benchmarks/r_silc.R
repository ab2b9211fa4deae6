# R reference for benchmarks/run_silc.py: the same EU-SILC cells with laeken and survey.
#
#   Rscript benchmarks/r_silc.R IN.csv OUT.csv
#
# For every country x citizenship group (TOTAL, NAT, FOR, EU27_2020_FOR, NEU27_2020_FOR)
# x sex (T, M, F): laeken 0.5.2 for the values (weightedMedian, arpr with the national
# threshold of all persons, gini, qsr) and the shares of owners (HH021 1-2, 18+) and of
# good health (PH010 1-2, 16+, weight PB040); standard errors by linearisation: the
# influence functions of tests/reference/silc_laeken.R (convey / vardpoor style), their
# design variance from survey's svyrecvar (strata DB040, PSUs DB030), one country at a
# time (strata are nested in countries), all cells of a country in one call.
suppressMessages({library(laeken); library(survey); library(data.table)})
args <- commandArgs(TRUE)
d <- fread(args[1], na.strings = c("", "NA"))
d[, grp := fifelse(is.na(PB220A), NA_character_,
  fifelse(PB220A == DB020, "NAT", fifelse(PB220A == "EU", "EU27_2020_FOR", "NEU27_2020_FOR")))]
d[, PB040z := fifelse(is.na(PB040), 0, PB040)]

dens <- function(t, x, w) {
  N <- sum(w); h <- sqrt((sum(w * x * x) - sum(w * x)^2 / N) / N) / N^0.2
  sum(w * dnorm((t - x) / h)) / (N * h)
}
med_u <- function(x, w, dom) {
  xs <- x[dom]; ws <- w[dom]; m <- weightedMedian(xs, ws); N <- sum(ws)
  u <- numeric(length(x)); u[dom] <- -ws * ((xs <= m) - 0.5) / (N * dens(m, xs, ws))
  list(value = m, u = u)
}
gini_u <- function(x, w, dom) {
  idx <- which(dom); xs <- x[idx]; ws <- w[idx]; o <- order(xs); xs <- xs[o]; ws <- ws[o]
  W <- sum(ws); X <- sum(ws * xs); C <- cumsum(ws); Q <- (2 * sum(ws * xs * C) - sum(ws^2 * xs)) / (W * X)
  below <- cumsum(ws * xs) - ws * xs
  z <- (2 * (xs * C + X - below) - 2 * ws * xs) / (W * X) - Q * (1 / W + xs / X)
  u <- numeric(length(x)); u[idx[o]] <- 100 * ws * z
  list(value = gini(x[idx], w[idx])$value, u = u)
}
qsr_u <- function(x, w, dom) {
  xs <- x[dom]; ws <- w[dom]; q <- incQuintile(xs, ws)
  S20 <- sum((ws * xs)[xs <= q[1]]); R <- sum((ws * xs)[xs > q[2]]) / S20
  d20 <- xs * (xs <= q[1]) - q[1] * ((xs <= q[1]) - 0.2)
  d80 <- xs * (xs <= q[2]) - q[2] * ((xs <= q[2]) - 0.8)
  u <- numeric(length(x)); u[dom] <- ws * ((xs - d80) - R * d20) / S20
  list(value = qsr(xs, ws)$value, u = u)
}
ratio_u <- function(y, w, dom) {
  W <- sum(w[dom]); R <- sum((w * y)[dom]) / W
  u <- numeric(length(y)); u[dom] <- w[dom] * (y[dom] - R) / W
  list(value = 100 * R, u = 100 * u)
}

started <- Sys.time()
out <- list()
for (cc in sort(unique(d$DB020))) {
  dc <- d[DB020 == cc]
  x <- dc$HX090; w <- dc$RB050
  des <- svydesign(ids = ~DB030, strata = ~DB040, weights = ~RB050, data = dc)
  thr <- 0.6 * weightedMedian(x, w)
  all <- rep(TRUE, nrow(dc))
  tm <- med_u(x, w, all); t_u <- 0.6 * tm$u
  rows <- list(); U <- list()
  for (g in c("TOTAL", "NAT", "FOR", "EU27_2020_FOR", "NEU27_2020_FOR")) {
    ing <- if (g == "TOTAL") all else if (g == "FOR") dc$grp %in% c("EU27_2020_FOR", "NEU27_2020_FOR") else dc$grp %in% g
    for (s in c("T", "M", "F")) {
      ins <- if (s == "T") all else dc$RB090 == ifelse(s == "M", 1, 2)
      cell <- ing & ins
      a18 <- cell & dc$AGE >= 18
      add <- function(ind, r) {
        rows[[length(rows) + 1]] <<- data.frame(indicator = ind, geo = cc, citizen = g, sex = s, value = r$value)
        U[[length(U) + 1]] <<- r$u
      }
      add("median_equivalised_income", med_u(x, w, a18))
      xs <- x[a18]; ws <- w[a18]; N <- sum(ws)
      rate <- arpr(xs, ws, threshold = thr)$value / 100
      u <- numeric(nrow(dc)); u[a18] <- ws * ((xs < thr) - rate) / N
      add("at_risk_of_poverty_rate", list(value = 100 * rate, u = 100 * (u + dens(thr, xs, ws) * t_u)))
      add("gini", gini_u(x, w, cell))
      add("s80_s20", qsr_u(x, w, cell))
      add("owner_share", ratio_u(as.numeric(dc$HH021 %in% 1:2), w, a18))
      h16 <- cell & dc$AGE >= 16 & !is.na(dc$PH010)
      add("good_health_share", ratio_u(as.numeric(dc$PH010 %in% 1:2), dc$PB040z, h16))
    }
  }
  V <- survey:::svyrecvar(do.call(cbind, U), des$cluster, des$strata, des$fpc, postStrata = NULL)
  res <- do.call(rbind, rows)
  res$se <- sqrt(diag(as.matrix(V)))
  out[[cc]] <- res
}
res <- do.call(rbind, out)
fwrite(res, args[2])
cat(sprintf("R: %d cells in %.1f s\n", nrow(res), as.numeric(difftime(Sys.time(), started, units = "secs"))))
