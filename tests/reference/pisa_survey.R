# Golden numbers for zaragoza's PISA estimates, from R survey + mitools.
#
# Rscript tests/reference/pisa_survey.R IN.csv OUT.csv
#
# IN: PISA-shaped student records (tests/reference/make_pisa_golden_data.py).
# Design: Fay's BRR with the 80 replicate weights W_FSTURWT1-80, rho = 0.5, variance
# around the full-sample estimate (mse = TRUE), as the OECD computes PISA's sampling
# variance; each plausible value is one imputation of an imputationList, and
# mitools::MIcombine pools them with Rubin's rules (the average sampling variance plus
# (1 + 1/M) times the variance between the plausible values).
# OUT: one row per indicator, country, migrant background, sex and comparison, with the
# pooled estimate and standard error (percent for shares, score points for means).
suppressMessages({library(survey); library(mitools)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
pv <- grep("^PV[0-9]+READ$", names(d), value = TRUE)
M <- length(pv)
cut <- list(READ = c(407.47, 625.61), MATH = c(420.07, 606.99), SCIE = c(409.54, 633.33))
mig_fine <- c("NATIVE", "SECOND_GEN", "FIRST_GEN")
d$mig <- ifelse(is.na(d$IMMIG), "UNK", mig_fine[pmax(1, d$IMMIG)])
d$mig_mid <- ifelse(d$mig %in% c("SECOND_GEN", "FIRST_GEN"), "IMMIGRANT", d$mig)
d$sex <- ifelse(d$ST004D01T == 1, "F", "M")
d$all_mig <- "TOTAL"
d$all_sex <- "T"
stats <- c()
imps <- lapply(seq_len(M), function(m) {
  x <- d
  for (dom in names(cut)) {
    s <- x[[paste0("PV", m, dom)]]
    x[[paste0("mean_score_", dom)]] <- s
    x[[paste0("low_achievers_", dom)]] <- 100 * (s < cut[[dom]][1])
    x[[paste0("top_performers_", dom)]] <- 100 * (s >= cut[[dom]][2])
  }
  x
})
vars <- unlist(lapply(names(cut), function(dom)
  paste0(c("mean_score_", "low_achievers_", "top_performers_"), dom)))
des <- svrepdesign(data = imputationList(imps), weights = ~W_FSTUWT,
                   repweights = "W_FSTURWT[0-9]+", type = "Fay", rho = 0.5, mse = TRUE)
fml <- as.formula(paste("~", paste(vars, collapse = " + ")))

# every cell and gap of one imputation: named estimates and their sampling variances
one <- function(design) {
  est <- c(); var <- c()
  for (mcol in c("mig", "mig_mid", "all_mig")) for (scol in c("sex", "all_sex")) {
    by <- as.formula(paste("~CNT +", mcol, "+", scol))
    b <- svyby(fml, by, design, svymean, covmat = TRUE)
    cf <- coef(b); v <- vcov(b)
    keep <- !grepl("\\.UNK[.:]", names(cf)) & !(mcol == "mig_mid" & grepl("\\.NATIVE[.:]", names(cf)))
    est <- c(est, cf[keep]); var <- c(var, diag(v)[keep])
    if (mcol != "all_mig") {
      for (g in unique(b[[mcol]])) {
        if (g %in% c("NATIVE", "UNK")) next
        for (cn in unique(b$CNT)) for (sx in unique(b[[scol]])) for (vv in vars) {
          a <- paste0(cn, ".", g, ".", sx, ":", vv)
          r <- paste0(cn, ".NATIVE.", sx, ":", vv)
          if (!(a %in% names(cf)) || !(r %in% names(cf))) next
          w <- setNames(rep(0, length(cf)), names(cf)); w[a] <- 1; w[r] <- -1
          ct <- svycontrast(b, w)
          nm <- paste0(cn, ".", g, ".", sx, ":", vv, ":NATIVE")
          est[nm] <- coef(ct); var[nm] <- as.numeric(vcov(ct))
        }
      }
    }
  }
  list(est = est, var = var)
}
res <- with(des, one())
ests <- lapply(res, `[[`, "est"); vars_ <- lapply(res, function(r) diag(r$var, length(r$var)))
pooled <- MIcombine(ests, vars_)
parts <- strsplit(names(coef(pooled)), "[.:]")
part <- function(i) vapply(parts, function(p) if (length(p) >= i) p[i] else "", "")
domain <- c(READ = "reading", MATH = "maths", SCIE = "science")
geo <- c(AUT = "AT", DEU = "DE", SWE = "SE", GRC = "EL")
stat <- part(4)
out <- data.frame(
  indicator = paste0(sub("_(READ|MATH|SCIE)$", "", stat), "_", domain[sub(".*_", "", stat)]),
  geo = unname(geo[part(1)]), mig_bg = part(2), sex = part(3), compare_to = part(5),
  value = unname(coef(pooled)), se = unname(sqrt(diag(vcov(pooled)))))
out <- out[order(out$indicator, out$geo, out$compare_to, out$mig_bg, out$sex), ]
write.csv(out, args[2], row.names = FALSE)
