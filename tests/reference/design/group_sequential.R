# Reference values for tests/stats/design/test_group_sequential.py (OpenCRO group-sequential boundaries).
#
#   Rscript tests/reference/design/group_sequential.R > tests/reference/design/group_sequential.json
#
# For each design below this records, from rpact (version written into the JSON, 3.3.4 when generated):
#   getDesignGroupSequential(...)      criticalValues, alphaSpent, stageLevels, betaSpent, futilityBounds, power
#   getDesignCharacteristics(design)   shift, inflationFactor, nFixed, power, rejectionProbabilities and
#                                      futilityProbabilities (under H1, per stage), averageSampleNumber0/1/01
#                                      (expected information relative to the fixed design)
#   getPowerAndAverageSampleNumber(design, theta = c(0, 1), nMax = shift)
#                                      averageSampleNumber / nFixed (the same expected sizes by another route),
#                                      and overallReject
# `call` is the exact R call; `py` the keyword arguments of opencro.stats.design.group_sequential.group_sequential
# describing the same design (the test passes them as they are).
suppressPackageStartupMessages({
  library(rpact)
  library(jsonlite)
})

d <- function(name, call, py) list(name = name, call = call, py = py)
gs <- function(args) paste0("getDesignGroupSequential(", args, ")")

designs <- list(
  d("OF_K3_1s", gs('kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "OF"'),
    list(k = 3, alpha = 0.025, beta = 0.2, sides = 1, spending = "of")),
  d("OF_K5_1s", gs('kMax = 5, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "OF"'),
    list(k = 5, alpha = 0.025, beta = 0.2, sides = 1, spending = "of")),
  d("OF_K3_2s", gs('kMax = 3, alpha = 0.05, beta = 0.2, sided = 2, typeOfDesign = "OF"'),
    list(k = 3, alpha = 0.05, beta = 0.2, sides = 2, spending = "of")),
  d("OF_K5_2s", gs('kMax = 5, alpha = 0.05, beta = 0.1, sided = 2, typeOfDesign = "OF"'),
    list(k = 5, alpha = 0.05, beta = 0.1, sides = 2, spending = "of")),
  d("P_K3_1s", gs('kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "P"'),
    list(k = 3, alpha = 0.025, beta = 0.2, sides = 1, spending = "pocock")),
  d("P_K5_1s", gs('kMax = 5, alpha = 0.025, beta = 0.1, sided = 1, typeOfDesign = "P"'),
    list(k = 5, alpha = 0.025, beta = 0.1, sides = 1, spending = "pocock")),
  d("P_K3_2s", gs('kMax = 3, alpha = 0.05, beta = 0.2, sided = 2, typeOfDesign = "P"'),
    list(k = 3, alpha = 0.05, beta = 0.2, sides = 2, spending = "pocock")),
  d("P_K5_2s", gs('kMax = 5, alpha = 0.05, beta = 0.2, sided = 2, typeOfDesign = "P"'),
    list(k = 5, alpha = 0.05, beta = 0.2, sides = 2, spending = "pocock")),
  d("OF_unequal_1s", gs('kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "OF", informationRates = c(0.3, 0.6, 1)'),
    list(k = 3, alpha = 0.025, beta = 0.2, sides = 1, spending = "of", info_rates = c(0.3, 0.6, 1))),
  d("P_unequal_2s", gs('kMax = 4, alpha = 0.05, beta = 0.2, sided = 2, typeOfDesign = "P", informationRates = c(0.2, 0.45, 0.7, 1)'),
    list(k = 4, alpha = 0.05, beta = 0.2, sides = 2, spending = "pocock", info_rates = c(0.2, 0.45, 0.7, 1))),
  d("HP_K3_1s", gs('kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "HP"'),
    list(k = 3, alpha = 0.025, beta = 0.2, sides = 1, spending = "hp")),
  d("HP_K4_2s", gs('kMax = 4, alpha = 0.05, beta = 0.2, sided = 2, typeOfDesign = "HP"'),
    list(k = 4, alpha = 0.05, beta = 0.2, sides = 2, spending = "hp")),
  d("asOF_K3_1s", gs('kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asOF"'),
    list(k = 3, alpha = 0.025, beta = 0.2, sides = 1, spending = "asof")),
  d("asOF_K5_2s", gs('kMax = 5, alpha = 0.05, beta = 0.2, sided = 2, typeOfDesign = "asOF"'),
    list(k = 5, alpha = 0.05, beta = 0.2, sides = 2, spending = "asof")),
  d("asOF_K10_1s", gs('kMax = 10, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asOF"'),
    list(k = 10, alpha = 0.025, beta = 0.2, sides = 1, spending = "asof")),
  d("asOF_K4_1s_a05_b10", gs('kMax = 4, alpha = 0.05, beta = 0.1, sided = 1, typeOfDesign = "asOF"'),
    list(k = 4, alpha = 0.05, beta = 0.1, sides = 1, spending = "asof")),
  d("asP_K3_1s", gs('kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asP"'),
    list(k = 3, alpha = 0.025, beta = 0.2, sides = 1, spending = "asp")),
  d("asP_K4_2s", gs('kMax = 4, alpha = 0.05, beta = 0.2, sided = 2, typeOfDesign = "asP"'),
    list(k = 4, alpha = 0.05, beta = 0.2, sides = 2, spending = "asp")),
  d("asKD1_K3_1s", gs('kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asKD", gammaA = 1'),
    list(k = 3, alpha = 0.025, beta = 0.2, sides = 1, spending = "kd", rho = 1)),
  d("asKD2_K4_1s", gs('kMax = 4, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asKD", gammaA = 2'),
    list(k = 4, alpha = 0.025, beta = 0.2, sides = 1, spending = "kd", rho = 2)),
  d("asKD3_K5_2s", gs('kMax = 5, alpha = 0.05, beta = 0.2, sided = 2, typeOfDesign = "asKD", gammaA = 3'),
    list(k = 5, alpha = 0.05, beta = 0.2, sides = 2, spending = "kd", rho = 3)),
  d("asHSDm4_K3_1s", gs('kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asHSD", gammaA = -4'),
    list(k = 3, alpha = 0.025, beta = 0.2, sides = 1, spending = "hsd", gamma = -4)),
  d("asHSDm2_K4_2s", gs('kMax = 4, alpha = 0.05, beta = 0.2, sided = 2, typeOfDesign = "asHSD", gammaA = -2'),
    list(k = 4, alpha = 0.05, beta = 0.2, sides = 2, spending = "hsd", gamma = -2)),
  d("asHSD1_K5_1s", gs('kMax = 5, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asHSD", gammaA = 1'),
    list(k = 5, alpha = 0.025, beta = 0.2, sides = 1, spending = "hsd", gamma = 1)),
  d("asOF_unequal_1s", gs('kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asOF", informationRates = c(0.3, 0.6, 1)'),
    list(k = 3, alpha = 0.025, beta = 0.2, sides = 1, spending = "asof", info_rates = c(0.3, 0.6, 1))),
  d("asP_unequal_2s", gs('kMax = 3, alpha = 0.05, beta = 0.2, sided = 2, typeOfDesign = "asP", informationRates = c(0.3, 0.6, 1)'),
    list(k = 3, alpha = 0.05, beta = 0.2, sides = 2, spending = "asp", info_rates = c(0.3, 0.6, 1))),
  d("asOF_bsOF_binding_K3", gs('kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asOF", typeBetaSpending = "bsOF", bindingFutility = TRUE'),
    list(k = 3, alpha = 0.025, beta = 0.2, sides = 1, spending = "asof", futility = "binding", beta_spending = "asof")),
  d("asOF_bsOF_nonbinding_K3", gs('kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asOF", typeBetaSpending = "bsOF", bindingFutility = FALSE'),
    list(k = 3, alpha = 0.025, beta = 0.2, sides = 1, spending = "asof", futility = "nonbinding", beta_spending = "asof")),
  d("asP_bsP_binding_K4", gs('kMax = 4, alpha = 0.025, beta = 0.1, sided = 1, typeOfDesign = "asP", typeBetaSpending = "bsP", bindingFutility = TRUE'),
    list(k = 4, alpha = 0.025, beta = 0.1, sides = 1, spending = "asp", futility = "binding", beta_spending = "asp")),
  d("asP_bsP_nonbinding_K4", gs('kMax = 4, alpha = 0.025, beta = 0.1, sided = 1, typeOfDesign = "asP", typeBetaSpending = "bsP", bindingFutility = FALSE'),
    list(k = 4, alpha = 0.025, beta = 0.1, sides = 1, spending = "asp", futility = "nonbinding", beta_spending = "asp")),
  d("asHSD_bsHSD_binding_K3", gs('kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asHSD", gammaA = -4, typeBetaSpending = "bsHSD", gammaB = -2, bindingFutility = TRUE'),
    list(k = 3, alpha = 0.025, beta = 0.2, sides = 1, spending = "hsd", gamma = -4, futility = "binding", beta_spending = "hsd", beta_gamma = -2)),
  d("asHSD_bsHSD_nonbinding_K5", gs('kMax = 5, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asHSD", gammaA = -2, typeBetaSpending = "bsHSD", gammaB = 1, bindingFutility = FALSE'),
    list(k = 5, alpha = 0.025, beta = 0.2, sides = 1, spending = "hsd", gamma = -2, futility = "nonbinding", beta_spending = "hsd", beta_gamma = 1)),
  d("asOF_bsOF_nonbinding_unequal", gs('kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asOF", typeBetaSpending = "bsOF", bindingFutility = FALSE, informationRates = c(0.3, 0.6, 1)'),
    list(k = 3, alpha = 0.025, beta = 0.2, sides = 1, spending = "asof", futility = "nonbinding", beta_spending = "asof", info_rates = c(0.3, 0.6, 1))),
  d("asKD3_bsKD2_binding_K3", gs('kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "asKD", gammaA = 3, typeBetaSpending = "bsKD", gammaB = 2, bindingFutility = TRUE'),
    list(k = 3, alpha = 0.025, beta = 0.2, sides = 1, spending = "kd", rho = 3, futility = "binding", beta_spending = "kd", beta_rho = 2))
)

num <- function(x) if (is.null(x) || length(x) == 0 || all(is.na(x))) NULL else as.numeric(x)

out <- lapply(designs, function(x) {
  design <- eval(parse(text = x$call))
  ch <- getDesignCharacteristics(design)
  pa <- getPowerAndAverageSampleNumber(design, theta = c(0, 1), nMax = ch$shift)
  list(
    name = x$name,
    call = x$call,
    py = x$py,
    criticalValues = num(design$criticalValues),
    alphaSpent = num(design$alphaSpent),
    stageLevels = num(design$stageLevels),
    betaSpent = num(design$betaSpent),
    futilityBounds = if (isTRUE(x$py$futility %in% c("binding", "nonbinding"))) num(design$futilityBounds) else NULL,
    designPower = num(design$power),
    shift = ch$shift,
    inflationFactor = ch$inflationFactor,
    nFixed = ch$nFixed,
    power = num(ch$power),
    rejectionProbabilities = num(ch$rejectionProbabilities),
    futilityProbabilities = num(ch$futilityProbabilities),
    averageSampleNumber0 = ch$averageSampleNumber0,
    averageSampleNumber01 = ch$averageSampleNumber01,
    averageSampleNumber1 = ch$averageSampleNumber1,
    asnRelative = num(pa$averageSampleNumber / ch$nFixed),
    overallReject = num(pa$overallReject)
  )
})

cat(toJSON(
  list(
    generator = "tests/reference/design/group_sequential.R",
    rpact = as.character(packageVersion("rpact")),
    r = R.version.string,
    designs = out
  ),
  auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"
))
cat("\n")
