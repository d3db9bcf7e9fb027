# Reference values for tests/stats/design/test_survival.py and test_counts.py.
#
#   Rscript tests/reference/design/samplesize_survival_counts.R > tests/reference/design/samplesize_survival_counts.json
#
# Conventions. OpenCRO numbers the arms 1 = control (reference), 2 = experimental; `hr` = lambda2 / lambda1 and
# `ratio` = n2 / n1 (experimental:control). rpact numbers them the other way round: its group 1 is the treatment
# (hazardRatio = lambda1 / lambda2, allocationRatioPlanned = n1 / n2), so each rpact call below passes
# lambda1 = OpenCRO's lambda2, lambda2 = OpenCRO's lambda1, hazardRatio = hr, allocationRatioPlanned = ratio, and
# reads nFixed2 as OpenCRO's n1 and nFixed1 as its n2. OpenCRO's dropout is an exponential hazard eta per time unit
# in both arms; rpact takes a probability by dropoutTime, so dropoutRate = 1 - exp(-eta) with dropoutTime = 1.
#
# Oracles.
#   * rpact (Debian r-cran-rpact 3.3.4): getSampleSizeSurvival / getPowerSurvival for the Schoenfeld and Freedman
#     events and the subjects under uniform accrual, exponential survival and dropout (Lachin-Foulkes event
#     probabilities, integrated numerically by rpact). rpact 3.3.4 has no getSampleSizeCounts.
#   * gsDesign::nSurvival (Lachin and Foulkes 1986) and MKpower::power.nb.test (Zhu and Lakkis 2014). Neither package
#     is in Debian bookworm and CRAN is out of reach, but both functions are plain base R in one file each, so this
#     script sources those files from a git checkout at a pinned commit:
#       GSDESIGN_GIT (default /work/.mirror/keaven+gsDesign/repo), commit 2a5688846651a56f469cdb0997c2adf325c1b7d6,
#         file R/gsSurvival.R (nSurvival, pe);
#       MKPOWER_GIT (default /work/.mirror/stamats+MKpower/repo), commit 078cc7887b0c4b66c3a269814131dd0520c597ef,
#         file R/powerNbinomTest.R (power.nb.test).
#     gsDesign's lambda1 is the control hazard and its ratio is experimental:control, as OpenCRO's. MKpower's n is
#     the control group, mu0 the control rate, RR = mu1 / mu0, ssize.ratio = n_treatment / n_control, theta = 1 / k.
#
# getPowerSurvival: for sided = 1 the direction is that of the effect (directionUpper = hr > 1); for sided = 2 its
# overallReject adds the far-tail rejection probability Phi(-z - drift) (about 1e-6 here), which OpenCRO's power
# leaves out, as do the sample-size formulas; test_survival.py adds it back before comparing.
# Rounding rule shared with OpenCRO (opencro.stats.design.rounding.round_arms): each arm's raw size is rounded up on
# its own, ceiling(n_raw - 1e-9), as rpact reports nFixed1 and nFixed2; events likewise, ceiling(events_raw - 1e-9).
suppressPackageStartupMessages({
  library(rpact)
  library(jsonlite)
})

source_from_git <- function(env, default_dir, commit, path) {
  git_dir <- Sys.getenv(env, default_dir)
  if (!dir.exists(git_dir)) stop(env, ": no git directory at ", git_dir)
  text <- system2("git", c(paste0("--git-dir=", git_dir), "show", paste0(commit, ":", path)), stdout = TRUE)
  if (!is.null(attr(text, "status"))) stop("git show failed for ", path, " in ", git_dir)
  env_out <- new.env()
  eval(parse(text = text), envir = env_out)
  env_out
}

gsdesign <- source_from_git(
  "GSDESIGN_GIT", "/work/.mirror/keaven+gsDesign/repo", "2a5688846651a56f469cdb0997c2adf325c1b7d6", "R/gsSurvival.R"
)
mkpower <- source_from_git(
  "MKPOWER_GIT", "/work/.mirror/stamats+MKpower/repo", "078cc7887b0c4b66c3a269814131dd0520c597ef", "R/powerNbinomTest.R"
)

round_arms <- function(n_raw) ceiling(n_raw - 1e-9)

# ---------------------------------------------------------------- survival: rpact Schoenfeld / Freedman
# id, hr, lambda1 (control hazard), alpha, power, sides, ratio, method, accrual A, follow-up F, dropout hazard eta
survival_cases <- read.table(header = TRUE, stringsAsFactors = FALSE, text = "
id  hr    lambda1            alpha  power  sides ratio method     accrual followup eta
s01 0.70  0.10               0.05   0.80   2     1.0   Schoenfeld 12      12       0
s02 0.70  0.10               0.05   0.80   2     1.0   Freedman   12      12       0
s03 0.70  0.10               0.05   0.80   2     2.0   Schoenfeld 12      12       0
s04 0.70  0.10               0.05   0.80   2     2.0   Freedman   12      12       0
s05 0.70  0.10               0.05   0.80   2     0.5   Schoenfeld 12      12       0
s06 0.70  0.10               0.05   0.80   2     0.5   Freedman   12      12       0
s07 0.60  0.05               0.025  0.90   1     1.0   Schoenfeld 24      12       0.01
s08 0.60  0.05               0.025  0.90   1     1.0   Freedman   24      12       0.01
s09 1.50  0.08               0.05   0.80   2     1.0   Schoenfeld 18      6        0
s10 1.50  0.08               0.05   0.80   2     2.0   Freedman   18      6        0
s11 0.50  0.0577622650466621 0.05   0.80   2     1.0   Schoenfeld 24      12       0.00427444983368761
s12 0.50  0.0577622650466621 0.05   0.80   2     1.5   Freedman   24      12       0.00427444983368761
s13 0.80  0.30               0.05   0.90   2     1.0   Schoenfeld 6       24       0.02
s14 0.80  0.30               0.05   0.90   2     3.0   Freedman   6       24       0.02
s15 0.75  0.20               0.05   0.80   1     0.5   Schoenfeld 3       2        0.05
s16 0.75  0.20               0.05   0.80   1     0.5   Freedman   3       2        0.05
s17 0.90  0.15               0.05   0.80   2     1.0   Schoenfeld 12      24       0
s18 0.65  0.12               0.01   0.95   2     1.0   Freedman   12      12       0.03
s19 0.70  1.00               0.05   0.80   2     1.0   Schoenfeld 1       0        0
s20 2.00  0.02               0.025  0.80   1     2.0   Schoenfeld 36      12       0.05
")

survival <- lapply(seq_len(nrow(survival_cases)), function(i) {
  k <- survival_cases[i, ]
  lambda2 <- k$hr * k$lambda1
  plan <- getSampleSizeSurvival(
    alpha = k$alpha, beta = 1 - k$power, sided = k$sides, typeOfComputation = k$method,
    lambda1 = lambda2, lambda2 = k$lambda1, allocationRatioPlanned = k$ratio,
    accrualTime = c(0, k$accrual), followUpTime = k$followup,
    dropoutRate1 = 1 - exp(-k$eta), dropoutRate2 = 1 - exp(-k$eta), dropoutTime = 1
  )
  events <- ceiling(plan$eventsFixed - 1e-9)
  power_events <- getPowerSurvival(
    alpha = k$alpha, sided = k$sides, typeOfComputation = k$method, lambda1 = lambda2, lambda2 = k$lambda1,
    directionUpper = if (k$sides == 1) k$hr > 1 else NA,
    allocationRatioPlanned = k$ratio, accrualTime = c(0, k$accrual),
    maxNumberOfEvents = events, maxNumberOfSubjects = 10 * ceiling(plan$nFixed)
  )$overallReject
  n_raw <- c(plan$nFixed2, plan$nFixed1)
  n_int <- round_arms(n_raw)
  probs <- getEventProbabilities(
    time = k$accrual + k$followup, lambda1 = lambda2, lambda2 = k$lambda1, allocationRatioPlanned = k$ratio,
    accrualTime = c(0, k$accrual), accrualIntensity = 1,
    dropoutRate1 = 1 - exp(-k$eta), dropoutRate2 = 1 - exp(-k$eta), dropoutTime = 1
  )
  p_event <- c(probs$eventProbabilities2, probs$eventProbabilities1)
  events_at_n <- sum(n_int * p_event)
  power_n <- getPowerSurvival(
    alpha = k$alpha, sided = k$sides, typeOfComputation = k$method, lambda1 = lambda2, lambda2 = k$lambda1,
    directionUpper = if (k$sides == 1) k$hr > 1 else NA,
    allocationRatioPlanned = n_int[2] / n_int[1], accrualTime = c(0, k$accrual),
    maxNumberOfEvents = events_at_n, maxNumberOfSubjects = sum(n_int)
  )$overallReject
  list(
    id = k$id,
    input = list(
      hr = k$hr, lambda1 = k$lambda1, lambda2 = lambda2, alpha = k$alpha, power = k$power, sides = k$sides,
      ratio = k$ratio, method = tolower(k$method), accrual_time = k$accrual, followup_time = k$followup,
      dropout_rate = k$eta
    ),
    call = sprintf(
      paste0(
        "getSampleSizeSurvival(alpha = %s, beta = %s, sided = %d, typeOfComputation = \"%s\", lambda1 = %s, ",
        "lambda2 = %s, allocationRatioPlanned = %s, accrualTime = c(0, %s), followUpTime = %s, ",
        "dropoutRate1 = %s, dropoutRate2 = %s, dropoutTime = 1)"
      ),
      k$alpha, 1 - k$power, k$sides, k$method, format(lambda2, digits = 15), format(k$lambda1, digits = 15),
      k$ratio, k$accrual, k$followup, format(1 - exp(-k$eta), digits = 15), format(1 - exp(-k$eta), digits = 15)
    ),
    events_raw = plan$eventsFixed,
    events = events,
    power_at_events = power_events,
    n_per_arm_raw = n_raw,
    n_total_raw = plan$nFixed,
    max_number_of_subjects = plan$maxNumberOfSubjects,
    n_per_arm = n_int,
    p_event = p_event,
    overall_event_probability = plan$eventsFixed / plan$nFixed,
    expected_events_at_n = events_at_n,
    power_at_n = power_n,
    study_duration = k$accrual + k$followup
  )
})

# ---------------------------------------------------------------- survival: Lachin-Foulkes via gsDesign::nSurvival
# type "rd" with approx = FALSE is Lachin and Foulkes' own equation (hazard difference, variance under H0 at the
# pooled hazard and under H1) -> OpenCRO method "lachin-foulkes"; type "rr" is the same construction on the log
# hazard ratio (Lachin 2000, Biostatistical Methods, section 9.5) -> OpenCRO method "lachin-foulkes-loghr".
# lf01 and lf02 are the calls of gsDesign's tests/testthat/test-independent-test-print.nSurvival.R.
lf_cases <- read.table(header = TRUE, stringsAsFactors = FALSE, text = "
id   type lambda1 lambda2 eta  Ts Tr  alpha  beta sided ratio
lf01 rd   0.20    0.10    0    2  0.5 0.025  0.10 1     1.0
lf02 rr   0.20    0.10    0.10 2  0.5 0.025  0.10 1     1.0
lf03 rr   0.30    0.20    0.05 5  2   0.05   0.20 2     2.0
lf04 rd   0.30    0.20    0.05 5  2   0.05   0.20 2     2.0
lf05 rd   0.10    0.15    0.02 4  3   0.05   0.20 1     0.5
lf06 rr   0.10    0.15    0.02 4  3   0.05   0.20 1     0.5
")

lachin_foulkes <- lapply(seq_len(nrow(lf_cases)), function(i) {
  k <- lf_cases[i, ]
  ss <- gsdesign$nSurvival(
    lambda1 = k$lambda1, lambda2 = k$lambda2, eta = k$eta, Ts = k$Ts, Tr = k$Tr, alpha = k$alpha, beta = k$beta,
    sided = k$sided, ratio = k$ratio, type = k$type, approx = FALSE, entry = "unif"
  )
  n1_raw <- ss$n / (1 + k$ratio)
  list(
    id = k$id,
    input = list(
      method = if (k$type == "rd") "lachin-foulkes" else "lachin-foulkes-loghr",
      lambda1 = k$lambda1, lambda2 = k$lambda2, hr = k$lambda2 / k$lambda1, dropout_rate = k$eta,
      accrual_time = k$Tr, followup_time = k$Ts - k$Tr, alpha = k$alpha, power = 1 - k$beta, sides = k$sided,
      ratio = k$ratio
    ),
    call = sprintf(
      paste0(
        "nSurvival(lambda1 = %s, lambda2 = %s, eta = %s, Ts = %s, Tr = %s, alpha = %s, beta = %s, sided = %d, ",
        "ratio = %s, type = \"%s\", approx = FALSE, entry = \"unif\")"
      ),
      k$lambda1, k$lambda2, k$eta, k$Ts, k$Tr, k$alpha, k$beta, k$sided, k$ratio, k$type
    ),
    n_total_raw = ss$n,
    n_per_arm_raw = c(n1_raw, k$ratio * n1_raw),
    events_raw = ss$nEvents,
    printed_n = 2 * ceiling(ss$n / 2),
    printed_events = ceiling(ss$nEvents)
  )
})

# ---------------------------------------------------------------- counts: Zhu-Lakkis via MKpower::power.nb.test
# approach 1: variance under H0 from the control rate; 2: variance under H1 throughout (rpact getSampleSizeCounts,
# Keene et al. 2007); 3: variance under H0 from the pooled rate (r0 + ratio r1) / (1 + ratio). theta = 1 / k, so
# theta = Inf is the Poisson case. c01-c03, c04 and c05/c06 are the inputs of the Table I and Table II examples in
# MKpower's ?power.nb.test; c10 and c11 are the inputs of result1 and result3 of rpact's
# tests/testthat/test-f_design_plan_count_data.R (getSampleSizeCounts, rpact >= 3.5).
count_cases <- read.table(header = TRUE, stringsAsFactors = FALSE, text = "
id  rate1               rr    k     exposure ratio alpha power sides approach
c01 0.8                 0.85  0.4   0.75     1.0   0.05  0.80  2     1
c02 0.8                 0.85  0.4   0.75     1.0   0.05  0.80  2     2
c03 0.8                 0.85  0.4   0.75     1.0   0.05  0.80  2     3
c04 1.4                 1.15  1.5   0.75     1.0   0.05  0.80  2     3
c05 2.0                 0.5   1.0   1.0      1.0   0.05  0.80  2     2
c06 10.0                1.5   5.0   1.0      1.5   0.05  0.80  2     3
c07 3.0                 0.7   0     1.0      1.0   0.05  0.80  2     2
c08 0.5                 0.6   0     2.0      0.5   0.025 0.90  1     3
c09 1.5                 0.67  0.5   1.0      2.0   0.025 0.90  1     1
c10 0.275294117647059   0.7   0.71  1.0      1.0   0.01  0.95  1     2
c11 0.02                0.7   13.1  2.0      1.0   0.01  0.95  1     2
")
count_cases$rate1[count_cases$id == "c10"] <- 2 * 0.234 / 1.7 # rpact's lambda = 0.234 is the pooled rate

counts <- lapply(seq_len(nrow(count_cases)), function(i) {
  k <- count_cases[i, ]
  theta <- if (k$k == 0) Inf else 1 / k$k
  alternative <- if (k$sides == 1) "one.sided" else "two.sided"
  fit <- mkpower$power.nb.test(
    mu0 = k$rate1, RR = k$rr, theta = theta, duration = k$exposure, ssize.ratio = k$ratio,
    sig.level = k$alpha, power = k$power, alternative = alternative, approach = k$approach
  )
  n_int <- round_arms(c(fit$n, fit$n1))
  at_n <- mkpower$power.nb.test(
    n = n_int[1], mu0 = k$rate1, RR = k$rr, theta = theta, duration = k$exposure,
    ssize.ratio = n_int[2] / n_int[1], sig.level = k$alpha, alternative = alternative, approach = k$approach
  )
  list(
    id = k$id,
    input = list(
      rate1 = k$rate1, rate2 = k$rate1 * k$rr, dispersion = k$k, exposure = k$exposure, ratio = k$ratio,
      alpha = k$alpha, power = k$power, sides = k$sides, approach = k$approach
    ),
    call = sprintf(
      paste0(
        "power.nb.test(mu0 = %s, RR = %s, theta = %s, duration = %s, ssize.ratio = %s, sig.level = %s, ",
        "power = %s, alternative = \"%s\", approach = %d)"
      ),
      format(k$rate1, digits = 15), k$rr, format(theta, digits = 15), k$exposure, k$ratio, k$alpha, k$power,
      alternative, k$approach
    ),
    n_per_arm_raw = c(fit$n, fit$n1),
    n_per_arm = n_int,
    power_at_n = at_n$power
  )
})

out <- list(
  generated_by = "tests/reference/design/samplesize_survival_counts.R",
  r_version = R.version.string,
  rpact_version = as.character(packageVersion("rpact")),
  gsdesign = "keaven/gsDesign@2a5688846651a56f469cdb0997c2adf325c1b7d6 R/gsSurvival.R",
  mkpower = "stamats/MKpower@078cc7887b0c4b66c3a269814131dd0520c597ef R/powerNbinomTest.R",
  survival = survival,
  lachin_foulkes = lachin_foulkes,
  counts = counts
)
cat(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "\n")
