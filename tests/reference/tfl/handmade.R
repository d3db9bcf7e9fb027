# Reference p-values for the hand-made data of tests/analysis/tfl (test_ard.py, test_tests.py).
# Run: Rscript tests/reference/tfl/handmade.R > tests/reference/tfl/handmade.json
# The data are the few subjects written out in tests/analysis/tfl/conftest.py (population SAFFL = "Y").
age <- c(60, 65, 70, 72, 55, 62, 68, 75)
trt <- factor(c("A", "A", "A", "A", "B", "B", "B", "B"))
sex <- matrix(c(2, 2, 3, 2), nrow = 2, dimnames = list(c("M", "F"), c("A", "B")))  # M/F by A/B
any_ae <- matrix(c(2, 2, 3, 2), nrow = 2)  # with / without any TEAE by A (N=4) / B (N=5)
gi <- matrix(c(2, 2, 1, 4), nrow = 2)      # with / without a GI disorder by A / B
fit <- lm(age ~ trt)
# time to event of test_renderers.py / test_tests.py: A = 2, 4+, 6, 9+; B = 1, 3, 5+, 7, 8+ (+ censored)
tte <- data.frame(time = c(2, 4, 6, 9, 1, 3, 5, 7, 8), event = c(1, 0, 1, 0, 1, 1, 0, 1, 0),
                  arm = c(rep("A", 4), rep("B", 5)))
lr <- survival::survdiff(survival::Surv(time, event) ~ arm, data = tte)
out <- list(
  sex_chisq = list(call = "chisq.test(sex, correct = FALSE)$p.value",
                   p = chisq.test(sex, correct = FALSE)$p.value),
  age_anova = list(call = "anova(lm(age ~ trt))[1, 'Pr(>F)']", p = anova(fit)[1, "Pr(>F)"]),
  any_ae_fisher = list(call = "fisher.test(any_ae)$p.value", p = fisher.test(any_ae)$p.value),
  gi_fisher = list(call = "fisher.test(gi)$p.value", p = fisher.test(gi)$p.value),
  logrank = list(call = "survdiff(Surv(time, event) ~ arm) chi-square p", chisq = lr$chisq,
                 p = pchisq(lr$chisq, df = 1, lower.tail = FALSE)),
  age_diff = list(call = "coef(lm(age ~ relevel(trt, 'A')))[2] and its SE",
                  estimate = unname(coef(fit)[2]), se = unname(sqrt(diag(vcov(fit)))[2]))
)
cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = 15, pretty = TRUE), "\n")
