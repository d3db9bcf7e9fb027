# Reference values for opencro.stats.survival (Kaplan-Meier, log-rank, Cox), computed with R's survival.
# Run from the repository root:  Rscript tests/reference/survival/survival.R
# Writes tests/reference/survival/survival.json (synthetic data, survival_data.csv beside this script) and,
# when ../shared/reference/cdiscpilot01/adam/adtte.xpt exists, tests/reference/survival/pilot_adtte.json.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

here <- "tests/reference/survival"
d <- read.csv(file.path(here, "survival_data.csv"), stringsAsFactors = FALSE)
at_times <- c(0, 5, 10, 15, 20, 30, 40, 60)

km_one <- function(time, event, conf_type) {
  fit <- survfit(Surv(time, event) ~ 1, conf.type = conf_type)
  tab <- summary(fit)$table
  list(
    call = sprintf("survfit(Surv(time, event) ~ 1, conf.type = '%s')", conf_type),
    time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event, n_censor = fit$n.censor,
    surv = fit$surv,
    std_err_surv = fit$std.err * fit$surv,  # = summary(fit)$std.err: Greenwood SE of S
    lower = fit$lower, upper = fit$upper,
    median = unname(tab["median"]), median_lcl = unname(tab["0.95LCL"]), median_ucl = unname(tab["0.95UCL"]),
    at = at_times,
    n_risk_at = summary(fit, times = at_times, extend = TRUE)$n.risk,
    surv_at = summary(fit, times = at_times, extend = TRUE)$surv
  )
}

km <- list()
for (arm in c("A", "B", "C", "all")) {
  rows <- if (arm == "all") rep(TRUE, nrow(d)) else d$arm == arm
  for (ct in c("log", "log-log", "plain")) {
    km[[paste(arm, ct, sep = "|")]] <- km_one(d$time[rows], d$event[rows], ct)
  }
}

sd_out <- function(fit, call) {
  list(call = call, chisq = fit$chisq, df = length(fit$n) - 1, pvalue = pchisq(fit$chisq, length(fit$n) - 1,
    lower.tail = FALSE), observed = as.numeric(fit$obs), expected = as.numeric(fit$exp))
}
d2 <- d[d$arm %in% c("A", "B"), ]
logrank <- list(
  two_groups = sd_out(survdiff(Surv(time, event) ~ arm, data = d2), "survdiff(Surv(time, event) ~ arm, data = arm A and B)"),
  three_groups = sd_out(survdiff(Surv(time, event) ~ arm, data = d), "survdiff(Surv(time, event) ~ arm, data = d)"),
  three_groups_strata = sd_out(survdiff(Surv(time, event) ~ arm + strata(stratum), data = d),
    "survdiff(Surv(time, event) ~ arm + strata(stratum), data = d)")
)
# survdiff with strata returns obs/exp as matrices (group x stratum); the test uses their row sums
logrank$three_groups_strata$observed <- NULL
logrank$three_groups_strata$expected <- NULL

cox_out <- function(fit, call) {
  s <- summary(fit)
  list(
    call = call, terms = names(coef(fit)), coef = unname(coef(fit)), se = unname(sqrt(diag(vcov(fit)))),
    hr = unname(exp(coef(fit))), lower = unname(s$conf.int[, "lower .95"]), upper = unname(s$conf.int[, "upper .95"]),
    z = unname(s$coefficients[, "z"]), p = unname(s$coefficients[, "Pr(>|z|)"]),
    loglik = fit$loglik, n = fit$n, nevent = fit$nevent,
    # summary() rounds the test statistics to 2 decimals; the unrounded ones are in the fit
    wald = c(unname(fit$wald.test), length(coef(fit)), pchisq(fit$wald.test, length(coef(fit)), lower.tail = FALSE)),
    lr = c(2 * diff(fit$loglik), length(coef(fit)), pchisq(2 * diff(fit$loglik), length(coef(fit)), lower.tail = FALSE)),
    score = c(unname(fit$score), length(coef(fit)), pchisq(fit$score, length(coef(fit)), lower.tail = FALSE))
  )
}
cox <- list()
for (ties in c("efron", "breslow")) {
  cox[[paste0("arm_age_", ties)]] <- cox_out(coxph(Surv(time, event) ~ arm + age, data = d, ties = ties),
    sprintf("coxph(Surv(time, event) ~ arm + age, data = d, ties = '%s')", ties))
  cox[[paste0("arm_strata_", ties)]] <- cox_out(
    coxph(Surv(time, event) ~ arm + strata(stratum), data = d, ties = ties),
    sprintf("coxph(Surv(time, event) ~ arm + strata(stratum), data = d, ties = '%s')", ties))
}
dB <- d
dB$arm <- relevel(factor(dB$arm), ref = "B")
cox[["arm_refB_efron"]] <- cox_out(coxph(Surv(time, event) ~ arm, data = dB),
  "coxph(Surv(time, event) ~ relevel(factor(arm), ref = 'B'), data = d)")

write_json(list(generated_by = "tests/reference/survival/survival.R", r_version = R.version.string,
  survival_version = as.character(packageVersion("survival")), km = km, logrank = logrank, cox = cox),
  file.path(here, "survival.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")

# CDISC Pilot 01 ADTTE: time to first dermatologic event (PARAMCD TTDE), AVAL days, CNSR 1 = censored.
xpt <- "../shared/reference/cdiscpilot01/adam/adtte.xpt"
if (file.exists(xpt)) {
  a <- as.data.frame(haven::read_xpt(xpt))
  a <- a[a$PARAMCD == "TTDE", ]
  a$event <- 1 - a$CNSR
  pilot_at <- c(0, 25, 50, 75, 100, 125, 150, 175, 200)
  arms <- list()
  for (trt in sort(unique(a$TRTA))) {
    r <- a[a$TRTA == trt, ]
    fit <- survfit(Surv(AVAL, event) ~ 1, data = r)
    fit_ll <- survfit(Surv(AVAL, event) ~ 1, data = r, conf.type = "log-log")
    tab <- summary(fit)$table
    tab_ll <- summary(fit_ll)$table
    arms[[trt]] <- list(
      n = nrow(r), events = sum(r$event),
      median = unname(tab["median"]), median_lcl = unname(tab["0.95LCL"]), median_ucl = unname(tab["0.95UCL"]),
      median_lcl_loglog = unname(tab_ll["0.95LCL"]), median_ucl_loglog = unname(tab_ll["0.95UCL"]),
      at = pilot_at, n_risk_at = summary(fit, times = pilot_at, extend = TRUE)$n.risk,
      surv_at = summary(fit, times = pilot_at, extend = TRUE)$surv
    )
  }
  lr <- survdiff(Surv(AVAL, event) ~ TRTA, data = a)
  pl <- survdiff(Surv(AVAL, event) ~ TRTA, data = a[a$TRTA %in% c("Placebo", "Xanomeline High Dose"), ])
  cx <- coxph(Surv(AVAL, event) ~ TRTA, data = a)
  write_json(list(
    generated_by = "tests/reference/survival/survival.R",
    source = "../shared/reference/cdiscpilot01/adam/adtte.xpt, PARAMCD == 'TTDE', event = 1 - CNSR",
    km = arms,
    logrank_three = list(call = "survdiff(Surv(AVAL, 1 - CNSR) ~ TRTA)", chisq = lr$chisq,
      pvalue = pchisq(lr$chisq, 2, lower.tail = FALSE)),
    logrank_placebo_high = list(call = "survdiff(Surv(AVAL, 1 - CNSR) ~ TRTA), Placebo vs Xanomeline High Dose",
      chisq = pl$chisq, pvalue = pchisq(pl$chisq, 1, lower.tail = FALSE)),
    cox = cox_out(cx, "coxph(Surv(AVAL, 1 - CNSR) ~ TRTA) (efron)")
  ), file.path(here, "pilot_adtte.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")
}
