# Reference values for tests/stats/design/test_gs_simulation.py (OpenCRO group-sequential simulation, normal endpoint).
#
#   Rscript tests/reference/design/gs_simulation.R > tests/reference/design/gs_simulation.json
#
# For three K = 3 one-sided designs (alpha = 0.025, beta = 0.2) this records rpact's boundaries, the exact
# (numerical-integration) rejection, futility and expected-sample-size figures from getPowerMeans, and rpact's own
# Monte Carlo figures from getSimulationMeans, under H0 (alternative = 0) and H1. All calls use
# normalApproximation = TRUE: a z test with the standard deviation known, which is what OpenCRO simulates.
# rpact's allocationRatioPlanned is the treatment:control allocation (n1 / n2 with group 1 = treatment); OpenCRO's
# `ratio` is the same experimental:control allocation.
suppressPackageStartupMessages({
  library(rpact)
  library(jsonlite)
})

designs <- list(
  list(
    name = "OF",
    call = 'getDesignGroupSequential(kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "OF")',
    alternative = 5, stDev = 12, allocationRatioPlanned = 1, seed = 20260101
  ),
  list(
    name = "Pocock",
    call = 'getDesignGroupSequential(kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "P")',
    alternative = 0.4, stDev = 1, allocationRatioPlanned = 2, seed = 20260102
  ),
  list(
    name = "asOF_bsOF_binding",
    call = paste0(
      'getDesignGroupSequential(kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asOF", ',
      'typeBetaSpending = "bsOF", bindingFutility = TRUE)'
    ),
    alternative = 5, stDev = 12, allocationRatioPlanned = 1, seed = 20260103
  )
)

iterations <- 10000L

figures <- function(x, column) {
  reject <- as.matrix(x$rejectPerStage)
  futility <- as.matrix(x$futilityPerStage)
  list(
    overallReject = unname(x$overallReject[column]),
    rejectPerStage = unname(reject[, column]),
    futilityPerStage = unname(futility[, column]),
    expectedNumberOfSubjects = unname(x$expectedNumberOfSubjects[column])
  )
}

out <- lapply(designs, function(spec) {
  design <- eval(parse(text = spec$call))
  sampleSize <- getSampleSizeMeans(
    design,
    groups = 2, normalApproximation = TRUE, alternative = spec$alternative, stDev = spec$stDev,
    allocationRatioPlanned = spec$allocationRatioPlanned
  )
  # rpact's simulation needs whole cumulative stage sizes: round the maximum up to a multiple of
  # kMax * (1 + allocationRatioPlanned) so that every stage (and, here, every arm within it) is whole.
  multiple <- design$kMax * (1 + spec$allocationRatioPlanned)
  nMax <- as.integer(multiple * ceiling(sampleSize$maxNumberOfSubjects / multiple))
  plannedSubjects <- as.integer(round(nMax * design$informationRates))
  alternatives <- c(0, spec$alternative)
  exact <- getPowerMeans(
    design,
    groups = 2, normalApproximation = TRUE, alternative = alternatives, stDev = spec$stDev,
    maxNumberOfSubjects = nMax, allocationRatioPlanned = spec$allocationRatioPlanned
  )
  simulation <- getSimulationMeans(
    design,
    groups = 2, normalApproximation = TRUE, alternative = alternatives, stDev = spec$stDev,
    plannedSubjects = plannedSubjects, allocationRatioPlanned = spec$allocationRatioPlanned,
    maxNumberOfIterations = iterations, seed = spec$seed
  )
  list(
    name = spec$name,
    design_call = spec$call,
    kMax = design$kMax,
    alpha = design$alpha,
    beta = design$beta,
    bindingFutility = design$bindingFutility,
    informationRates = design$informationRates,
    criticalValues = design$criticalValues,
    futilityBounds = design$futilityBounds,
    alternative = spec$alternative,
    stDev = spec$stDev,
    allocationRatioPlanned = spec$allocationRatioPlanned,
    sample_size_call = sprintf(
      paste0(
        "getSampleSizeMeans(design, groups = 2, normalApproximation = TRUE, alternative = %g, stDev = %g, ",
        "allocationRatioPlanned = %g)"
      ),
      spec$alternative, spec$stDev, spec$allocationRatioPlanned
    ),
    maxNumberOfSubjectsRaw = sampleSize$maxNumberOfSubjects,
    nMax = nMax,
    plannedSubjects = plannedSubjects,
    exact_call = sprintf(
      paste0(
        "getPowerMeans(design, groups = 2, normalApproximation = TRUE, alternative = c(0, %g), stDev = %g, ",
        "maxNumberOfSubjects = %d, allocationRatioPlanned = %g)"
      ),
      spec$alternative, spec$stDev, nMax, spec$allocationRatioPlanned
    ),
    exact = list(H0 = figures(exact, 1), H1 = figures(exact, 2)),
    simulation_call = sprintf(
      paste0(
        "getSimulationMeans(design, groups = 2, normalApproximation = TRUE, alternative = c(0, %g), stDev = %g, ",
        "plannedSubjects = c(%s), allocationRatioPlanned = %g, ",
        "maxNumberOfIterations = %d, seed = %d)"
      ),
      spec$alternative, spec$stDev, paste(plannedSubjects, collapse = ", "), spec$allocationRatioPlanned,
      iterations, spec$seed
    ),
    simulation_iterations = iterations,
    simulation = list(H0 = figures(simulation, 1), H1 = figures(simulation, 2))
  )
})

cat(toJSON(
  list(
    generated_by = "tests/reference/design/gs_simulation.R",
    rpact_version = as.character(packageVersion("rpact")),
    r_version = R.version.string,
    designs = out
  ),
  auto_unbox = TRUE, digits = NA, pretty = TRUE
))
cat("\n")
