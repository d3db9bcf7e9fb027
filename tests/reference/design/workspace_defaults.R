# Reference values for tests/design/test_services.py: the design workspace's default inputs of each kind.
#
#   Rscript tests/reference/design/workspace_defaults.R > tests/reference/design/workspace_defaults.json
#
# The workspace passes its inputs to opencro.stats.design unchanged; these values check that the defaults it
# shows reach the library as meant (delta / sd, arm order, median -> hazard, one-sided alpha of a GSD).
# Conventions mapped to R as in samplesize_means_props.R and samplesize_survival_counts.R: rpact's group 1 is the
# experimental arm, so for survival lambda1 = the experimental hazard and nFixed2 is OpenCRO's control arm.
suppressPackageStartupMessages({
  library(pwr)
  library(rpact)
  library(jsonlite)
})

out <- list()

# means: delta = 5, sd = 10, alpha = 0.05 two-sided, power 0.8, t-test, equal arms
call <- quote(pwr.t.test(d = 5 / 10, sig.level = 0.05, power = 0.8, type = "two.sample"))
out$means <- list(r_call = deparse(call), n_per_arm_raw = eval(call)$n)

# proportions: p1 = 0.4 (experimental), p2 = 0.25, alpha = 0.05 two-sided, power 0.8, pooled-variance z test
call <- quote(power.prop.test(p1 = 0.4, p2 = 0.25, sig.level = 0.05, power = 0.8))
out$proportions <- list(r_call = deparse(call), n_per_arm_raw = eval(call)$n)

# survival: hr = 0.7, control median 12, accrual 24, follow-up 12, no dropout, two-sided 0.05, power 0.8, Schoenfeld
call <- quote(getSampleSizeSurvival(
  lambda1 = 0.7 * log(2) / 12, lambda2 = log(2) / 12, accrualTime = c(0, 24), followUpTime = 12,
  alpha = 0.05, sided = 2, beta = 0.2, allocationRatioPlanned = 1
))
s <- eval(call)
out$survival <- list(
  r_call = paste(deparse(call, width.cutoff = 500L), collapse = " "),
  events_raw = s$eventsFixed, n_total_raw = s$maxNumberOfSubjects
)

# group-sequential: 3 equally spaced looks, one-sided alpha 0.025, beta 0.2, Lan-DeMets O'Brien-Fleming spending
call <- quote(getDesignGroupSequential(kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asOF"))
d <- eval(call)
out$gsd <- list(
  r_call = paste(deparse(call, width.cutoff = 500L), collapse = " "),
  upper = d$criticalValues,
  inflation_factor = getDesignCharacteristics(d)$inflationFactor,
  expected_n_h1 = getDesignCharacteristics(d)$averageSampleNumber1
)

# BOIN boundaries for target 0.3, phi1 = 0.6 target, phi2 = 1.4 target: Liu and Yuan (2015), section 2.2
phi <- 0.3; phi1 <- 0.6 * phi; phi2 <- 1.4 * phi
out$boin <- list(
  r_call = "log((1 - phi1) / (1 - phi)) / log(phi * (1 - phi1) / (phi1 * (1 - phi))), likewise lambda_d with phi2",
  lambda_e = log((1 - phi1) / (1 - phi)) / log(phi * (1 - phi1) / (phi1 * (1 - phi))),
  lambda_d = log((1 - phi) / (1 - phi2)) / log(phi2 * (1 - phi) / (phi * (1 - phi2)))
)

cat(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "\n")
