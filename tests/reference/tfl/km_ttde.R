# Reference numbers of Figure 14-1 (time to first dermatologic event, CDISC Pilot 01 ADTTE, safety population):
# numbers at risk at 0, 25, ..., 200 days, median times and the log-rank p-value across the three arms.
# Run from the repository root: Rscript tests/reference/tfl/km_ttde.R > tests/reference/tfl/km_ttde.json
library(haven)
library(survival)
adsl <- read_xpt("../shared/reference/cdiscpilot01/adam/adsl.xpt")
adtte <- read_xpt("../shared/reference/cdiscpilot01/adam/adtte.xpt")
adtte <- adtte[adtte$PARAMCD == "TTDE", ]
pop <- adsl[adsl$SAFFL == "Y", c("USUBJID", "TRT01A")]
d <- merge(adtte[, c("USUBJID", "AVAL", "CNSR")], pop, by = "USUBJID")
d$event <- 1 - d$CNSR
arms <- c("Placebo", "Xanomeline Low Dose", "Xanomeline High Dose")
times <- seq(0, 200, by = 25)
at_risk <- list()
medians <- list()
for (arm in arms) {
  fit <- survfit(Surv(AVAL, event) ~ 1, data = d[d$TRT01A == arm, ])
  s <- summary(fit, times = times, extend = TRUE)
  at_risk[[arm]] <- s$n.risk
  m <- unname(summary(fit)$table["median"])
  medians[arm] <- list(if (is.na(m)) NULL else m)
}
test <- survdiff(Surv(AVAL, event) ~ TRT01A, data = d)
out <- list(
  calls = c("summary(survfit(Surv(AVAL, 1 - CNSR) ~ 1, data = arm), times = seq(0, 200, 25), extend = TRUE)$n.risk",
            "summary(fit)$table['median']", "survdiff(Surv(AVAL, 1 - CNSR) ~ TRT01A)"),
  at_risk = at_risk,
  median = medians,
  logrank_p = pchisq(test$chisq, df = length(test$n) - 1, lower.tail = FALSE)
)
cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = 15, null = "null", pretty = TRUE), "\n")
