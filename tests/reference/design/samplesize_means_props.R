# Reference values for opencro.stats.design.means / proportions (tests/stats/design/test_*.py read the JSON).
#
# Run from the repository root:  Rscript tests/reference/design/samplesize_means_props.R
# Writes tests/reference/design/samplesize_means_props.json next to this file.
#
# Each case records the Python call it checks (function + keyword arguments), the R call that produced the
# expected value, and that value. Sample sizes are raw (real-valued) per-arm sizes; powers are probabilities.
# Sources: pwr (pwr.t.test, pwr.t2n.test, pwr.2p.test, pwr.2p2n.test), stats (power.t.test, power.prop.test,
# fisher.test), rpact (getSampleSizeMeans, getPowerMeans, getSampleSizeRates, getPowerRates).
# R has no TOST or continuity-corrected routine among the installed packages, so those cases evaluate the
# published formulas here in R (marked "formula"): exact TOST power integrated with stats::integrate (Phillips
# 1990), and the Fleiss, Tytun & Ury (1980) corrected sample size.
# Conventions mapped to R: arm 1 = experimental; Python ratio = n2/n1, rpact allocationRatioPlanned = n1/n2;
# rpact thetaH0 = -margin; rpact alternative = delta (means) and pi1/pi2 = p1/p2 (rates).

suppressPackageStartupMessages({
  library(pwr)
  library(rpact)
  library(jsonlite)
})

cases <- list()
# Tolerances: sample sizes are compared relatively (1e-4 where R's own root search stops at about 1e-4
# subjects: pwr's uniroot default tolerance, rpact's 1e-4; 1e-7 for closed forms and roots found to 1e-12);
# powers absolutely (1e-6; 1e-9 for the exact enumerations, which are the same sums).
add <- function(id, python, kwargs, call, value, kind, tol, tol_kind, note) {
  call <- do.call(substitute, list(call, list(TOL = TOL)))
  cases[[length(cases) + 1]] <<- list(
    id = id, python = python, kwargs = kwargs, r_call = paste(deparse(call, width.cutoff = 500L), collapse = " "),
    kind = kind, expected = I(value), tol = tol, tol_kind = tol_kind, note = note
  )
}
size_case <- function(id, python, kwargs, call, extract, tol = 1e-7, note = NULL) {
  add(id, python, kwargs, call, as.numeric(extract(eval(call))), "n_per_arm_raw", tol, "relative", note)
}
power_case <- function(id, python, kwargs, call, extract, tol = 1e-6, note = NULL) {
  add(id, python, kwargs, call, as.numeric(extract(eval(call))), "power", tol, "absolute", note)
}
both <- function(x) c(x$n, x$n)
one <- function(x) x$n
rp_means <- function(x) c(x$nFixed1, x$nFixed2)
rp_rates <- function(x) c(x$nFixed1, x$nFixed2)
TOL <- 1e-12

# ---- means: pwr / stats::power.t.test (exact non-central t, both rejection regions when two-sided) ----
size_case("t_two_sided_d05", "means_two_sample", list(delta = 0.5, sd = 1),
  quote(pwr.t.test(d = 0.5, sig.level = 0.05, power = 0.8)), both, tol = 1e-4)
size_case("t_one_sided_d03", "means_two_sample", list(delta = 0.3, sd = 1, power = 0.9, sides = 1),
  quote(pwr.t.test(d = 0.3, sig.level = 0.05, power = 0.9, alternative = "greater")), both, tol = 1e-4)
size_case("t_alpha001", "means_two_sample", list(delta = 5, sd = 10, alpha = 0.01),
  quote(power.t.test(delta = 5, sd = 10, sig.level = 0.01, power = 0.8, strict = TRUE, tol = TOL)), both)
size_case("t_negative_delta", "means_two_sample", list(delta = -4, sd = 10, power = 0.9),
  quote(power.t.test(delta = 4, sd = 10, power = 0.9, strict = TRUE, tol = TOL)), both,
  note = "two-sided power is symmetric in delta")
size_case("t_paired", "means_paired", list(delta = 2, sd_diff = 4, power = 0.85),
  quote(power.t.test(type = "paired", delta = 2, sd = 4, power = 0.85, strict = TRUE, tol = TOL)), one)
size_case("t_paired_one_sided", "means_paired", list(delta = 0.25, sd_diff = 1, alpha = 0.025, sides = 1),
  quote(pwr.t.test(type = "paired", d = 0.25, sig.level = 0.025, power = 0.8, alternative = "greater")), one, tol = 1e-4)
size_case("t_one_sample_one_sided", "means_one_sample", list(delta = 0.4, sd = 1, sides = 1),
  quote(pwr.t.test(type = "one.sample", d = 0.4, power = 0.8, alternative = "greater")), one, tol = 1e-4)
size_case("t_one_sample", "means_one_sample", list(delta = 1.5, sd = 3, power = 0.9),
  quote(power.t.test(type = "one.sample", delta = 1.5, sd = 3, power = 0.9, strict = TRUE, tol = TOL)), one)
size_case("t_ancova_rho06", "means_two_sample", list(delta = 0.5, sd = 1, baseline_correlation = 0.6),
  quote(power.t.test(delta = 0.5, sd = sqrt(1 - 0.6^2), power = 0.8, strict = TRUE, tol = TOL)), both,
  note = "Borm et al. 2007: ANCOVA = t-test with variance sd^2 (1 - rho^2)")
size_case("t_dropout15", "means_two_sample", list(delta = 0.6, sd = 1, dropout = 0.15),
  quote(pwr.t.test(d = 0.6, power = 0.8)$n / (1 - 0.15)), function(n) c(n, n), tol = 1e-4)

# ---- means: rpact (allocation ratio, non-inferiority via thetaH0, normal approximation) ----
size_case("t_ratio2_rpact", "means_two_sample", list(delta = 0.5, sd = 1, ratio = 2),
  quote(getSampleSizeMeans(getDesignGroupSequential(kMax = 1, alpha = 0.05, beta = 0.2, sided = 2,
    twoSidedPower = TRUE), alternative = 0.5, stDev = 1, allocationRatioPlanned = 0.5,
    normalApproximation = FALSE)), rp_means, tol = 1e-4, note = "rpact root tolerance 1e-4 subjects")
size_case("t_ratio05_one_sided_rpact", "means_two_sample",
  list(delta = 0.8, sd = 2, ratio = 0.5, sides = 1, alpha = 0.025, power = 0.9),
  quote(getSampleSizeMeans(alpha = 0.025, beta = 0.1, sided = 1, alternative = 0.8, stDev = 2,
    allocationRatioPlanned = 2, normalApproximation = FALSE)), rp_means, tol = 1e-4)
size_case("t_noninferiority_rpact", "means_two_sample",
  list(delta = 0, sd = 2, margin = 0.5, hypothesis = "noninferiority", sides = 1, alpha = 0.025, power = 0.9),
  quote(getSampleSizeMeans(alpha = 0.025, beta = 0.1, sided = 1, thetaH0 = -0.5, alternative = 0, stDev = 2,
    normalApproximation = FALSE)), rp_means, tol = 1e-4)
size_case("t_noninferiority_ratio2_rpact", "means_two_sample",
  list(delta = 1, sd = 8, margin = 3, hypothesis = "noninferiority", sides = 1, alpha = 0.025, ratio = 2),
  quote(getSampleSizeMeans(alpha = 0.025, beta = 0.2, sided = 1, thetaH0 = -3, alternative = 1, stDev = 8,
    allocationRatioPlanned = 0.5, normalApproximation = FALSE)), rp_means, tol = 1e-4)
size_case("z_noninferiority_ratio05_rpact", "means_two_sample",
  list(delta = 0.1, sd = 1.5, margin = 0.4, hypothesis = "noninferiority", sides = 1, alpha = 0.025,
    ratio = 0.5, test = "z"),
  quote(getSampleSizeMeans(alpha = 0.025, beta = 0.2, sided = 1, thetaH0 = -0.4, alternative = 0.1, stDev = 1.5,
    allocationRatioPlanned = 2, normalApproximation = TRUE)), rp_means)
size_case("z_two_sided_rpact", "means_two_sample", list(delta = 0.5, sd = 1, test = "z"),
  quote(getSampleSizeMeans(alpha = 0.05, beta = 0.2, sided = 2, alternative = 0.5, stDev = 1,
    normalApproximation = TRUE)), rp_means)
size_case("z_one_sided_ratio2_rpact", "means_two_sample",
  list(delta = -0.3, sd = 1, sides = 1, alpha = 0.025, ratio = 2, test = "z"),
  quote(getSampleSizeMeans(alpha = 0.025, beta = 0.2, sided = 1, alternative = 0.3, stDev = 1,
    allocationRatioPlanned = 0.5, normalApproximation = TRUE)), rp_means,
  note = "Python tests in the direction of delta = -0.3; rpact needs alternative > thetaH0, so +0.3")
size_case("z_one_sample_rpact", "means_one_sample", list(delta = 0.3, sd = 1, sides = 1, alpha = 0.025, test = "z"),
  quote(getSampleSizeMeans(groups = 1, alpha = 0.025, beta = 0.2, sided = 1, alternative = 0.3, stDev = 1,
    normalApproximation = TRUE)), function(x) x$nFixed)
size_case("t_one_sample_noninferiority_rpact", "means_one_sample",
  list(delta = 0.1, sd = 1, margin = 0.2, hypothesis = "noninferiority", sides = 1, alpha = 0.025),
  quote(getSampleSizeMeans(groups = 1, alpha = 0.025, beta = 0.2, sided = 1, thetaH0 = -0.2, alternative = 0.1,
    stDev = 1, normalApproximation = FALSE)), function(x) x$nFixed, tol = 1e-4)

# ---- means: power at given sizes ----
power_case("power_t2n", "means_two_sample_power", list(n1 = 30, n2 = 60, delta = 0.6, sd = 1),
  quote(pwr.t2n.test(n1 = 30, n2 = 60, d = 0.6)), function(x) x$power)
power_case("power_t_one_sample", "means_one_sample_power", list(n = 20, delta = 1, sd = 2),
  quote(power.t.test(n = 20, delta = 1, sd = 2, type = "one.sample", strict = TRUE)), function(x) x$power)
power_case("power_t_paired_one_sided", "means_paired_power", list(n = 25, delta = 0.5, sd_diff = 1, sides = 1),
  quote(pwr.t.test(n = 25, d = 0.5, type = "paired", alternative = "greater")), function(x) x$power)
power_case("power_t_noninferiority_rpact", "means_two_sample_power",
  list(n1 = 150, n2 = 150, delta = 0, sd = 2, margin = 0.5, hypothesis = "noninferiority", sides = 1, alpha = 0.025),
  quote(getPowerMeans(alpha = 0.025, sided = 1, thetaH0 = -0.5, alternative = 0, stDev = 2,
    maxNumberOfSubjects = 300, normalApproximation = FALSE)), function(x) x$overallReject)
power_case("power_z_ratio2_rpact", "means_two_sample_power",
  list(n1 = 50, n2 = 100, delta = 0.4, sd = 1, sides = 1, alpha = 0.025, test = "z"),
  quote(getPowerMeans(alpha = 0.025, sided = 1, alternative = 0.4, stDev = 1, maxNumberOfSubjects = 150,
    allocationRatioPlanned = 0.5, normalApproximation = TRUE)), function(x) x$overallReject)

# ---- means: equivalence (TOST), formula evaluated in R ----
# Exact TOST power (Phillips 1990): with V ~ chi^2_df and c = qt(1 - alpha, df), both one-sided t-tests reject
# iff -lower + c sqrt(V/df) < Z < upper - c sqrt(V/df); integrate over V here (Python integrates over sqrt(V/df)).
tost_power <- function(delta, margin, se, df, alpha) {
  lower <- (margin + delta) / se
  upper <- (margin - delta) / se
  crit <- qt(1 - alpha, df)
  v_max <- df * ((lower + upper) / (2 * crit))^2
  f <- function(v) pmax(pnorm(upper - crit * sqrt(v / df)) - pnorm(-lower + crit * sqrt(v / df)), 0) * dchisq(v, df)
  # The chi-square mass sits within df +/- 60 sd (sd = sqrt(2 df)); integrate there, split at df.
  lo <- max(0, df - 60 * sqrt(2 * df))
  hi <- min(v_max, df + 60 * sqrt(2 * df) + 100)
  if (hi <= lo) return(0)
  part <- function(a, b) integrate(f, a, b, rel.tol = 1e-12, abs.tol = 1e-14, subdivisions = 1000L)$value
  if (df > lo && df < hi) part(lo, df) + part(df, hi) else part(lo, hi)
}
tost_two <- function(n1, ratio, delta, margin, sd, alpha) {
  tost_power(delta, margin, sd * sqrt(1 / n1 + 1 / (ratio * n1)), n1 * (1 + ratio) - 2, alpha)
}
tost_one <- function(n, delta, margin, sd, alpha) tost_power(delta, margin, sd / sqrt(n), n - 1, alpha)
tost_n_two <- function(ratio, delta, margin, sd, alpha, power) {
  uniroot(function(n1) tost_two(n1, ratio, delta, margin, sd, alpha) - power, c(3, 1e4), tol = TOL)$root
}
tost_n_one <- function(delta, margin, sd, alpha, power) {
  uniroot(function(n) tost_one(n, delta, margin, sd, alpha) - power, c(3, 1e4), tol = TOL)$root
}
size_case("t_equivalence", "means_two_sample",
  list(delta = 0, sd = 1, margin = 0.5, hypothesis = "equivalence", sides = 1, alpha = 0.05),
  quote(tost_n_two(ratio = 1, delta = 0, margin = 0.5, sd = 1, alpha = 0.05, power = 0.8)), function(n) c(n, n),
  note = "formula: exact TOST power integrated in R")
size_case("t_equivalence_ratio2", "means_two_sample",
  list(delta = 0.1, sd = 1, margin = 0.4, hypothesis = "equivalence", sides = 1, alpha = 0.025, power = 0.9,
    ratio = 2),
  quote(tost_n_two(ratio = 2, delta = 0.1, margin = 0.4, sd = 1, alpha = 0.025, power = 0.9)),
  function(n) c(n, 2 * n), note = "formula: exact TOST power integrated in R")
size_case("t_equivalence_paired", "means_paired",
  list(delta = 0.05, sd_diff = 0.5, margin = 0.3, hypothesis = "equivalence", sides = 1, alpha = 0.05),
  quote(tost_n_one(delta = 0.05, margin = 0.3, sd = 0.5, alpha = 0.05, power = 0.8)), identity,
  note = "formula: exact TOST power integrated in R")
power_case("power_t_equivalence_small", "means_two_sample_power",
  list(n1 = 12, n2 = 12, delta = 0.2, sd = 1, margin = 1, hypothesis = "equivalence", sides = 1, alpha = 0.05),
  quote(tost_two(n1 = 12, ratio = 1, delta = 0.2, margin = 1, sd = 1, alpha = 0.05)), identity,
  note = "formula: exact TOST power integrated in R; small n where the nct approximation is poor")

# ---- proportions: stats::power.prop.test and rpact (Fleiss pooled/unpooled; FM restricted MLE) ----
size_case("prop_normal", "proportions_two_sample", list(p1 = 0.5, p2 = 0.75, power = 0.9),
  quote(power.prop.test(p1 = 0.5, p2 = 0.75, power = 0.9, tol = TOL)), both)
size_case("prop_normal_one_sided", "proportions_two_sample", list(p1 = 0.1, p2 = 0.2, sides = 1, alpha = 0.025),
  quote(power.prop.test(p1 = 0.1, p2 = 0.2, power = 0.8, sig.level = 0.025, alternative = "one.sided", tol = TOL)),
  both)
size_case("prop_normal_ratio2_rpact", "proportions_two_sample", list(p1 = 0.6, p2 = 0.4, ratio = 2),
  quote(getSampleSizeRates(pi1 = 0.6, pi2 = 0.4, sided = 2, alpha = 0.05, beta = 0.2,
    allocationRatioPlanned = 0.5)), rp_rates)
size_case("prop_normal_ratio05_rpact", "proportions_two_sample",
  list(p1 = 0.3, p2 = 0.15, ratio = 0.5, sides = 1, alpha = 0.025, power = 0.9),
  quote(getSampleSizeRates(pi1 = 0.3, pi2 = 0.15, sided = 1, alpha = 0.025, beta = 0.1,
    allocationRatioPlanned = 2)), rp_rates)
size_case("prop_fm_noninferiority_rpact", "proportions_two_sample",
  list(p1 = 0.8, p2 = 0.8, margin = 0.1, method = "fm", sides = 1, alpha = 0.025),
  quote(getSampleSizeRates(pi1 = 0.8, pi2 = 0.8, thetaH0 = -0.1, sided = 1, alpha = 0.025, beta = 0.2)), rp_rates)
size_case("prop_fm_noninferiority_ratio2_rpact", "proportions_two_sample",
  list(p1 = 0.75, p2 = 0.8, margin = 0.12, method = "fm", sides = 1, alpha = 0.025, ratio = 2),
  quote(getSampleSizeRates(pi1 = 0.75, pi2 = 0.8, thetaH0 = -0.12, sided = 1, alpha = 0.025, beta = 0.2,
    allocationRatioPlanned = 0.5)), rp_rates)
size_case("prop_fm_noninferiority_ratio05_rpact", "proportions_two_sample",
  list(p1 = 0.85, p2 = 0.8, margin = 0.1, method = "fm", sides = 1, alpha = 0.025, ratio = 0.5, power = 0.9),
  quote(getSampleSizeRates(pi1 = 0.85, pi2 = 0.8, thetaH0 = -0.1, sided = 1, alpha = 0.025, beta = 0.1,
    allocationRatioPlanned = 2)), rp_rates)
size_case("prop_fm_superiority_rpact", "proportions_two_sample", list(p1 = 0.45, p2 = 0.3, method = "fm"),
  quote(getSampleSizeRates(pi1 = 0.45, pi2 = 0.3, sided = 2, alpha = 0.05, beta = 0.2)), rp_rates)
size_case("prop_normal_dropout10", "proportions_two_sample", list(p1 = 0.3, p2 = 0.5, dropout = 0.1),
  quote(power.prop.test(p1 = 0.3, p2 = 0.5, power = 0.8, tol = TOL)$n / (1 - 0.1)), function(n) c(n, n))

# ---- proportions: arcsine (pwr) ----
size_case("prop_arcsine", "proportions_two_sample", list(p1 = 0.65, p2 = 0.45, method = "arcsine"),
  quote(pwr.2p.test(h = ES.h(0.65, 0.45), power = 0.8)), both, tol = 1e-4)
size_case("prop_arcsine_one_sided", "proportions_two_sample",
  list(p1 = 0.3, p2 = 0.2, method = "arcsine", sides = 1, alpha = 0.025, power = 0.9),
  quote(pwr.2p.test(h = ES.h(0.3, 0.2), sig.level = 0.025, power = 0.9, alternative = "greater")), both, tol = 1e-4)
size_case("prop_arcsine_ratio2", "proportions_two_sample", list(p1 = 0.5, p2 = 0.35, method = "arcsine", ratio = 2),
  quote(uniroot(function(n1) pwr.2p2n.test(h = ES.h(0.5, 0.35), n1 = n1, n2 = 2 * n1)$power - 0.8,
    c(2.5, 1e5), tol = TOL)$root), function(n) c(n, 2 * n), note = "pwr.2p2n.test power, solved with uniroot")
size_case("prop_arcsine_ratio05", "proportions_two_sample",
  list(p1 = 0.2, p2 = 0.35, method = "arcsine", ratio = 0.5),
  quote(uniroot(function(n1) pwr.2p2n.test(h = ES.h(0.2, 0.35), n1 = n1, n2 = 0.5 * n1)$power - 0.8,
    c(4.5, 1e5), tol = TOL)$root), function(n) c(n, 0.5 * n), note = "pwr.2p2n.test power, solved with uniroot")

# ---- proportions: Fleiss, Tytun & Ury (1980) continuity correction, formula evaluated in R ----
ftu <- function(p1, p2, ratio, alpha, power, sides = 2) {
  pbar <- (p1 + ratio * p2) / (1 + ratio)
  d <- abs(p1 - p2)
  n <- (qnorm(1 - alpha / sides) * sqrt(pbar * (1 - pbar) * (1 + 1 / ratio)) +
    qnorm(power) * sqrt(p1 * (1 - p1) + p2 * (1 - p2) / ratio))^2 / d^2
  n / 4 * (1 + sqrt(1 + 2 * (ratio + 1) / (ratio * n * d)))^2
}
size_case("prop_cc", "proportions_two_sample", list(p1 = 0.05, p2 = 0.1, method = "normal-cc"),
  quote(ftu(p1 = 0.05, p2 = 0.1, ratio = 1, alpha = 0.05, power = 0.8)), function(n) c(n, n),
  note = "formula: Fleiss, Tytun & Ury (1980) m' = m/4 (1 + sqrt(1 + 2(r+1)/(r m |d|)))^2")
size_case("prop_cc_ratio2", "proportions_two_sample",
  list(p1 = 0.2, p2 = 0.35, method = "normal-cc", ratio = 2, power = 0.9),
  quote(ftu(p1 = 0.2, p2 = 0.35, ratio = 2, alpha = 0.05, power = 0.9)), function(n) c(n, 2 * n),
  note = "formula: Fleiss, Tytun & Ury (1980)")

# ---- proportions: power at given sizes ----
power_case("power_prop_normal", "proportions_two_sample_power", list(n1 = 100, p1 = 0.3, p2 = 0.5),
  quote(power.prop.test(n = 100, p1 = 0.3, p2 = 0.5)), function(x) x$power)
power_case("power_prop_arcsine_2n", "proportions_two_sample_power",
  list(n1 = 80, n2 = 120, p1 = 0.6, p2 = 0.4, method = "arcsine"),
  quote(pwr.2p2n.test(h = ES.h(0.6, 0.4), n1 = 80, n2 = 120)), function(x) x$power)
power_case("power_prop_arcsine_one_sided", "proportions_two_sample_power",
  list(n1 = 150, p1 = 0.3, p2 = 0.2, method = "arcsine", sides = 1),
  quote(pwr.2p.test(h = ES.h(0.3, 0.2), n = 150, alternative = "greater")), function(x) x$power)
power_case("power_prop_fm_rpact", "proportions_two_sample_power",
  list(n1 = 250, n2 = 250, p1 = 0.8, p2 = 0.8, margin = 0.1, method = "fm", sides = 1, alpha = 0.025),
  quote(getPowerRates(alpha = 0.025, sided = 1, thetaH0 = -0.1, pi1 = 0.8, pi2 = 0.8, maxNumberOfSubjects = 500)),
  function(x) x$overallReject)
power_case("power_prop_fm_ratio2_rpact", "proportions_two_sample_power",
  list(n1 = 200, n2 = 400, p1 = 0.75, p2 = 0.8, margin = 0.12, method = "fm", sides = 1, alpha = 0.025),
  quote(getPowerRates(alpha = 0.025, sided = 1, thetaH0 = -0.12, pi1 = 0.75, pi2 = 0.8, maxNumberOfSubjects = 600,
    allocationRatioPlanned = 0.5)), function(x) x$overallReject)

# ---- Fisher's exact test: power by enumerating every table through stats::fisher.test ----
fisher_power <- function(n1, n2, p1, p2, alpha = 0.05, alternative = "two.sided") {
  total <- 0
  for (a in 0:n1) for (b in 0:n2) {
    p <- fisher.test(matrix(c(a, b, n1 - a, n2 - b), 2), alternative = alternative)$p.value
    if (p <= alpha) total <- total + dbinom(a, n1, p1) * dbinom(b, n2, p2)
  }
  total
}
power_case("exact_20_20", "proportions_exact_power", list(p1 = 0.2, p2 = 0.6, n1 = 20, n2 = 20),
  quote(fisher_power(20, 20, 0.2, 0.6)), identity, tol = 1e-9)
power_case("exact_15_30", "proportions_exact_power", list(p1 = 0.7, p2 = 0.3, n1 = 15, n2 = 30),
  quote(fisher_power(15, 30, 0.7, 0.3)), identity, tol = 1e-9)
power_case("exact_12_18", "proportions_exact_power", list(p1 = 0.1, p2 = 0.6, n1 = 12, n2 = 18, alpha = 0.01),
  quote(fisher_power(12, 18, 0.1, 0.6, alpha = 0.01)), identity, tol = 1e-9)
power_case("exact_greater", "proportions_exact_power", list(p1 = 0.5, p2 = 0.15, n1 = 25, n2 = 25, sides = 1),
  quote(fisher_power(25, 25, 0.5, 0.15, alternative = "greater")), identity, tol = 1e-9)
power_case("exact_less", "proportions_exact_power",
  list(p1 = 0.2, p2 = 0.45, n1 = 30, n2 = 30, sides = 1, alpha = 0.025),
  quote(fisher_power(30, 30, 0.2, 0.45, alpha = 0.025, alternative = "less")), identity, tol = 1e-9)

# Power curve for equal arms n = 1..30 (p1 = 0.2, p2 = 0.7): it is not monotone in n.
curve <- sapply(1:30, function(n) fisher_power(n, n, 0.2, 0.7))
exact_scan <- function(p1, p2, power, ratio = 1, alpha = 0.05, alternative = "two.sided") {
  for (n1 in 1:200) {
    n2 <- max(1, ceiling(ratio * n1 - 1e-9))  # OpenCRO's rounding rule, rounding.round_up
    if (fisher_power(n1, n2, p1, p2, alpha, alternative) >= power) return(c(n1, n2))
  }
  c(NA, NA)
}
size_case("exact_scan", "proportions_exact", list(p1 = 0.2, p2 = 0.7),
  quote(exact_scan(0.2, 0.7, power = 0.8)), identity, tol = 0, note = "smallest n1 = 1, 2, ... reaching power")
size_case("exact_scan_nonmonotone", "proportions_exact", list(p1 = 0.2, p2 = 0.7, power = 0.65),
  quote(exact_scan(0.2, 0.7, power = 0.65)), identity, tol = 0,
  note = "n + 1 has lower power than n here; see power_curve")
size_case("exact_scan_ratio2_one_sided", "proportions_exact",
  list(p1 = 0.7, p2 = 0.3, ratio = 2, sides = 1, alpha = 0.025),
  quote(exact_scan(0.7, 0.3, power = 0.8, ratio = 2, alpha = 0.025, alternative = "greater")), identity, tol = 0)

out <- list(
  generated_by = sprintf("%s; pwr %s; rpact %s; jsonlite %s", R.version.string, packageVersion("pwr"),
    packageVersion("rpact"), packageVersion("jsonlite")),
  script = "tests/reference/design/samplesize_means_props.R",
  cases = cases,
  exact_power_curve = list(
    r_call = "sapply(1:30, function(n) fisher_power(n, n, 0.2, 0.7))", p1 = 0.2, p2 = 0.7, alpha = 0.05,
    n = 1:30, power = curve
  )
)
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
  file.path(here, "samplesize_means_props.json"))
cat(sprintf("wrote %d cases\n", length(cases)))
