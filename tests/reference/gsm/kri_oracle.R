# Oracle for opencro.stats.monitoring: gsm's own Transform_Rate / Analyze_* / Flag / Summarize / *_PredictBounds.
#
# gsm 2.2.3, commit a9691d96b2c6a5d0777ac14312c6257ad7de4e23 (github.com/Gilead-BioStats/gsm, Apache-2.0), installed
# from source with `R CMD INSTALL --no-test-load`. Two of its Imports are not packaged by Debian 12 and CRAN was not
# reachable: log4r was installed from its GitHub source (johnmyleswhite/log4r, commit ab0b7e97, 0.4.4.9000; gsm's
# LogMessage needs it), and gt (used only by gsm's report tables) was deleted from DESCRIPTION and NAMESPACE.
# Everything else came from Debian 12: r-base-core 4.2.2, r-cran-{dplyr,tidyr,broom,purrr,...}, r-cran-lamw.
#
#   Rscript tests/reference/gsm/kri_oracle.R [DIR] > tests/reference/gsm/kri_oracle.json
#
# DIR holds analyticsInput.csv, analyticsInput_country.csv and reportingMetrics.csv (gsm's example data, default
# ../shared/reference/monitoring/gsm); without it only the synthetic input below is computed.
#
# Not from gsm itself (gsm 2.2.3 has no such function), computed here in base R:
# * the Fisher flags: gsm 1.9.2's Flag_Fisher rule (p < t1 -> +-2, p < t2 -> +-1, sign from the group's proportion
#   against the rest's), since gsm 2.x only has the cut-based Flag();
# * the Poisson model with a true offset. gsm writes `Numerator ~ stats::offset(LogDenominator)`; R's formula
#   machinery only recognises a bare `offset()`, so gsm actually fits log(mu) = b0 + b1 log(D) (a slope, not an
#   offset). Both are stored: "poisson_gsm" is gsm's own fit, "poisson" is glm(Numerator ~ offset(log(D))) with the
#   same deviance residuals and the same Lambert-W funnel bounds (slope 1).

suppressPackageStartupMessages({
  library(gsm)
  library(dplyr)
  library(jsonlite)
  library(lamW)
})
options(cli.default_handler = function(...) invisible(NULL))  # gsm's progress messages

args <- commandArgs(trailingOnly = TRUE)
ref_dir <- if (length(args) >= 1) args[[1]] else "../shared/reference/monitoring/gsm"

# Synthetic per-subject input (group, numerator, denominator): group E has denominator 0 (gsm drops it), F has
# denominator 18 (below a minimum of 30: score and flag NA), C has a high proportion.
synthetic <- data.frame(
  SubjectID = sprintf("S%02d", 1:18),
  GroupID = c("A", "A", "A", "B", "B", "B", "B", "C", "C", "D", "D", "D", "E", "F", "F", "G", "G", "G"),
  GroupLevel = "Site",
  Numerator = c(2, 3, 1, 0, 1, 5, 2, 9, 7, 1, 0, 0, 0, 2, 1, 4, 3, 3),
  Denominator = c(40, 35, 50, 30, 45, 60, 20, 40, 30, 55, 60, 48, 0, 10, 8, 38, 41, 65)
)

flag_fisher <- function(dfAnalyzed, vThreshold) {
  dfAnalyzed %>% mutate(Flag = case_when(
    Score < vThreshold[1] & Prop < Prop_Other ~ -2,
    Score < vThreshold[1] ~ 2,
    Score < vThreshold[2] & Prop < Prop_Other ~ -1,
    Score < vThreshold[2] ~ 1,
    !is.na(Score) ~ 0
  ))
}

poisson_offset <- function(dfTransformed) {
  d <- dfTransformed %>% mutate(LogDenominator = log(Denominator))
  model <- glm(Numerator ~ offset(LogDenominator), family = poisson(link = "log"), data = d,
               control = glm.control(epsilon = 1e-13, maxit = 100))
  list(analyzed = d %>% mutate(Score = residuals(model, type = "deviance")), intercept = unname(coef(model)[1]))
}

poisson_offset_bounds <- function(dfTransformed, vThreshold, intercept) {
  vThreshold <- unique(c(vThreshold, 0))
  logd <- log(dfTransformed$Denominator)
  nStep <- (max(logd) - min(logd)) / 250
  if (nStep == 0) nStep <- 0.05
  vRange <- seq(min(logd) - nStep, max(logd) + nStep, by = nStep)
  tidyr::expand_grid(Threshold = vThreshold, LogDenominator = vRange) %>%
    mutate(
      vMu = exp(intercept + LogDenominator),
      vEst = Threshold^2 - 2 * vMu,
      vWEst = vEst / (2 * exp(1) * vMu),
      Numerator = case_when(
        Threshold < 0 ~ vEst / (2 * lambertWm1(vWEst)),
        Threshold > 0 ~ vEst / (2 * lambertW0(vWEst)),
        TRUE ~ vMu
      ),
      Denominator = exp(LogDenominator)
    ) %>%
    filter(!is.nan(Numerator))
}

run_metric <- function(dfInput, cfg) {
  dfTransformed <- Transform_Rate(dfInput)
  thresholds <- cfg$thresholds
  overall <- NA
  factor <- NA
  intercept <- NA
  slope <- NA
  bounds <- NULL
  if (cfg$method == "normal") {
    dfAnalyzed <- Analyze_NormalApprox(dfTransformed, strType = cfg$type)
    dfFlagged <- Flag_NormalApprox(dfAnalyzed, vThreshold = thresholds)
    overall <- dfAnalyzed$OverallMetric[1]
    factor <- dfAnalyzed$Factor[1]
    bounds <- Analyze_NormalApprox_PredictBounds(dfTransformed, vThreshold = thresholds, strType = cfg$type)
  } else if (cfg$method == "poisson_gsm") {
    dfAnalyzed <- Analyze_Poisson(dfTransformed)
    dfFlagged <- Flag_Poisson(dfAnalyzed, vThreshold = thresholds)
    d <- dfTransformed %>% mutate(LogDenominator = log(Denominator))
    model <- glm(Numerator ~ stats::offset(LogDenominator), family = poisson(link = "log"), data = d)
    intercept <- unname(coef(model)[1])
    slope <- unname(coef(model)[2])
    bounds <- Analyze_Poisson_PredictBounds(dfTransformed, vThreshold = thresholds)
  } else if (cfg$method == "poisson") {
    fit <- poisson_offset(dfTransformed)
    dfAnalyzed <- fit$analyzed
    dfFlagged <- Flag(dfAnalyzed, vThreshold = thresholds)
    intercept <- fit$intercept
    bounds <- poisson_offset_bounds(dfTransformed, thresholds, intercept)
  } else if (cfg$method == "fisher") {
    dfAnalyzed <- Analyze_Fisher(dfTransformed) %>% mutate(GroupLevel = dfTransformed$GroupLevel[1])
    dfFlagged <- flag_fisher(dfAnalyzed, thresholds)
  } else if (cfg$method == "identity") {
    dfAnalyzed <- Analyze_Identity(dfTransformed)
    dfFlagged <- Flag(dfAnalyzed, vThreshold = thresholds)
  }
  dfSummary <- Summarize(dfFlagged, nMinDenominator = cfg$min_denominator)
  dfSummary <- dfSummary[order(dfSummary$GroupID, method = "radix"), ]
  out <- list(
    id = cfg$id, method = cfg$method, type = cfg$type, thresholds = thresholds,
    min_denominator = cfg$min_denominator, overall_metric = overall, factor = factor,
    intercept = intercept, slope = slope,
    groups = list(
      group = dfSummary$GroupID, numerator = dfSummary$Numerator, denominator = dfSummary$Denominator,
      metric = dfSummary$Metric, score = dfSummary$Score, flag = dfSummary$Flag
    )
  )
  if (!is.null(bounds)) {
    out$bounds_key <- paste(cfg$method, cfg$type, paste(thresholds, collapse = ","), sep = "|")
    out$bounds <- list(
      threshold = bounds$Threshold, denominator = bounds$Denominator, numerator = bounds$Numerator
    )
  }
  out
}

# Funnel bounds depend only on the method, type and thresholds: keep one copy per combination.
split_bounds <- function(metrics) {
  bounds <- list()
  for (i in seq_along(metrics)) {
    key <- metrics[[i]]$bounds_key
    if (!is.null(key) && is.null(bounds[[key]])) bounds[[key]] <- metrics[[i]]$bounds
    metrics[[i]]$bounds <- NULL
  }
  list(metrics = metrics, bounds = bounds)
}

extra_configs <- function(min_denominator) {
  list(
    list(id = "poisson_gsm", method = "poisson_gsm", type = "rate", thresholds = c(-7, -5, 5, 7),
         min_denominator = min_denominator),
    list(id = "poisson", method = "poisson", type = "rate", thresholds = c(-7, -5, 5, 7),
         min_denominator = min_denominator),
    list(id = "fisher", method = "fisher", type = "binary", thresholds = c(0.01, 0.05),
         min_denominator = min_denominator),
    list(id = "identity", method = "identity", type = "rate", thresholds = c(0.03, 0.045, 0.065, 0.08),
         min_denominator = min_denominator)
  )
}

synthetic_configs <- list(
  list(id = "normal_rate", method = "normal", type = "rate", thresholds = c(-2, -1, 1, 2), min_denominator = 30),
  list(id = "normal_binary", method = "normal", type = "binary", thresholds = c(-2, -1, 1, 2),
       min_denominator = 30),
  list(id = "normal_rate_nomin", method = "normal", type = "rate", thresholds = c(-3, -2, 2, 3),
       min_denominator = NULL),
  list(id = "poisson_gsm", method = "poisson_gsm", type = "rate", thresholds = c(-2, -1, 1, 2),
       min_denominator = 30),
  list(id = "poisson", method = "poisson", type = "rate", thresholds = c(-2, -1, 1, 2), min_denominator = 30),
  list(id = "fisher", method = "fisher", type = "binary", thresholds = c(0.01, 0.05), min_denominator = 30),
  list(id = "identity", method = "identity", type = "rate", thresholds = c(0.02, 0.04, 0.08, 0.15),
       min_denominator = 30)
)

datasets <- list(synthetic = c(
  list(input = list(group = synthetic$GroupID, numerator = synthetic$Numerator, denominator = synthetic$Denominator)),
  split_bounds(lapply(synthetic_configs, function(cfg) run_metric(synthetic, cfg)))
))

metrics_file <- file.path(ref_dir, "reportingMetrics.csv")
if (file.exists(metrics_file)) {
  reporting <- read.csv(metrics_file, stringsAsFactors = FALSE)
  configs <- lapply(seq_len(nrow(reporting)), function(i) {
    list(
      id = reporting$ID[i], method = "normal", type = reporting$AnalysisType[i],
      thresholds = ParseThreshold(reporting$Threshold[i]), min_denominator = reporting$nMinDenominator[i]
    )
  })
  configs <- c(configs, extra_configs(30))
  for (name in c("analyticsInput", "analyticsInput_country")) {
    dfInput <- read.csv(file.path(ref_dir, paste0(name, ".csv")), stringsAsFactors = FALSE)
    datasets[[name]] <- split_bounds(lapply(configs, function(cfg) run_metric(dfInput, cfg)))
  }
}

result <- list(
  gsm_version = as.character(packageVersion("gsm")),
  gsm_commit = "a9691d96b2c6a5d0777ac14312c6257ad7de4e23",
  r_version = R.version.string,
  datasets = datasets
)
cat(toJSON(result, auto_unbox = TRUE, digits = NA, na = "null", null = "null"))
cat("\n")
