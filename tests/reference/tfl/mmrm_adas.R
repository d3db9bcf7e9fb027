# Reference numbers of Table 14-3.11 (CDISC Pilot 01 ADQSADAS): MMRM of the ADAS-Cog(11) change from baseline on
# the observed post-baseline visits (weeks 8, 16, 24; PARAMCD ACTOT, ANL01FL Y, DTYPE not LOCF, efficacy population)
# with treatment, visit, treatment-by-visit, baseline, baseline-by-visit and site group; unstructured covariance,
# REML. LS means at each visit (equal weights over SITEGR1, BASE at its mean) and the differences
# Low - Placebo, High - Placebo, High - Low.
#  * estimates and model-based standard errors: nlme::gls with corSymm + varIdent (REML), emmeans mode "asymptotic"
#    (as tests/reference/mmrm/mmrm.R);
#  * Kenward-Roger: lme4::lmer with (0 + visit | subject) (its marginal covariance is the unstructured REML
#    estimate, checked against gls below) and emmeans(lmer.df = "kenward-roger"), i.e. pbkrtest, as
#    tests/reference/mmrm/mmrm.R explains.
# Run from the repository root: Rscript tests/reference/tfl/mmrm_adas.R  (writes mmrm_adas.json beside it)
suppressPackageStartupMessages({
  library(haven)
  library(nlme)
  library(emmeans)
  library(lme4)
  library(pbkrtest)
  library(jsonlite)
})
here <- "tests/reference/tfl"
adsl <- as.data.frame(read_xpt("../shared/reference/cdiscpilot01/adam/adsl.xpt"))
adas <- as.data.frame(read_xpt("../shared/reference/cdiscpilot01/adam/adqsadas.xpt"))
pop <- adsl[adsl$EFFFL == "Y" & adsl$ITTFL == "Y", c("USUBJID", "TRT01P")]
adas <- adas[adas$PARAMCD == "ACTOT" & adas$ANL01FL == "Y" & adas$DTYPE != "LOCF" & adas$AVISITN > 0, ]
d <- merge(adas[, c("USUBJID", "AVISIT", "AVISITN", "CHG", "BASE", "SITEGR1")], pop, by = "USUBJID")
d$trt <- factor(d$TRT01P, levels = c("Placebo", "Xanomeline Low Dose", "Xanomeline High Dose"))
d$visit <- factor(d$AVISIT, levels = c("Week 8", "Week 16", "Week 24"))
d$SITEGR1 <- factor(d$SITEGR1)
d$subject <- factor(d$USUBJID)
d <- d[order(d$subject, d$visit), ]
contrasts_list <- list("Xanomeline Low Dose - Placebo" = c(-1, 1, 0), "Xanomeline High Dose - Placebo" = c(-1, 0, 1),
  "Xanomeline High Dose - Xanomeline Low Dose" = c(0, -1, 1))

gfit <- gls(CHG ~ trt * visit + BASE * visit + SITEGR1, data = d,
  correlation = corSymm(form = ~ as.integer(visit) | subject), weights = varIdent(form = ~ 1 | visit),
  method = "REML", control = glsControl(tolerance = 1e-10, msTol = 1e-10, returnObject = FALSE))
gemm <- emmeans(gfit, ~ trt | visit, mode = "asymptotic", data = d)
gs <- as.data.frame(summary(gemm))
gc <- as.data.frame(summary(contrast(gemm, contrasts_list)))

lfit <- lmer(CHG ~ trt * visit + BASE * visit + SITEGR1 + (0 + visit | subject), data = d, REML = TRUE,
  control = lmerControl(check.nobs.vs.nRE = "ignore", check.nobs.vs.nlev = "ignore", optimizer = "bobyqa",
    optCtrl = list(maxfun = 1e5)))
marginal <- as.matrix(VarCorr(lfit)$subject) + sigma(lfit)^2 * diag(3)
first_full <- names(which(table(d$subject) == 3))[1]
stopifnot(max(abs(marginal - unclass(getVarCov(gfit, individual = first_full))[1:3, 1:3])) < 1e-2)
kemm <- emmeans(lfit, ~ trt | visit, lmer.df = "kenward-roger")
ks <- as.data.frame(summary(kemm))
kc <- as.data.frame(summary(contrast(kemm, contrasts_list), infer = c(TRUE, TRUE)))

write_json(list(
  generated_by = "tests/reference/tfl/mmrm_adas.R",
  r_version = R.version.string,
  source = paste("../shared/reference/cdiscpilot01/adam/adqsadas.xpt, PARAMCD ACTOT, ANL01FL Y, DTYPE != LOCF,",
    "AVISITN > 0, ADSL EFFFL = ITTFL = Y"),
  n_subjects = nlevels(droplevels(d$subject)), n_observations = nrow(d),
  gls = list(
    call = paste("gls(CHG ~ trt * visit + BASE * visit + SITEGR1, correlation = corSymm(form = ~ as.integer(visit) |",
      "subject), weights = varIdent(form = ~ 1 | visit), method = 'REML'); emmeans(fit, ~ trt | visit,",
      "mode = 'asymptotic')"),
    reml_loglik = as.numeric(logLik(gfit)),
    lsmeans = list(visit = as.character(gs$visit), trt = as.character(gs$trt), emmean = gs$emmean, se = gs$SE),
    contrasts = list(visit = as.character(gc$visit), label = as.character(gc$contrast), estimate = gc$estimate,
      se = gc$SE)
  ),
  kenward_roger = list(
    call = paste("lmer(CHG ~ trt * visit + BASE * visit + SITEGR1 + (0 + visit | subject), REML = TRUE);",
      "emmeans(fit, ~ trt | visit, lmer.df = 'kenward-roger'); contrast(..., infer = c(TRUE, TRUE))"),
    pbkrtest_version = as.character(packageVersion("pbkrtest")),
    lsmeans = list(visit = as.character(ks$visit), trt = as.character(ks$trt), emmean = ks$emmean, se = ks$SE,
      df = ks$df, lower = ks$lower.CL, upper = ks$upper.CL),
    contrasts = list(visit = as.character(kc$visit), label = as.character(kc$contrast), estimate = kc$estimate,
      se = kc$SE, df = kc$df, t = kc$t.ratio, p = kc$p.value, lower = kc$lower.CL, upper = kc$upper.CL)
  )
), file.path(here, "mmrm_adas.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
