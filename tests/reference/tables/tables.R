# Reference values for src/opencro/stats/tables (descriptive, categorical, cmh, linear_models).
#
# Inputs (synthetic, fixed, committed beside this script):
#   describe.csv     GROUP, VALUE (NA = missing)                      -> quantile(type = 2), mean, sd
#   contingency.csv  TABLE, ROW, COL, COUNT (long form of 2-way tables) -> chisq.test, fisher.test
#   cmh.csv          USUBJID, TRT, DOSE, STRATUM, RESP (1-5), EVENT (Y/N) -> mantelhaen.test + Landis et al.
#   ancova.csv       USUBJID, TRT, DOSE, SITE, BASE, CHG (NA = missing) -> lm, car::Anova(type = 3), emmeans
#
# Run from the repository root:
#   Rscript tests/reference/tables/tables.R > tests/reference/tables/tables.json
#
# R is a test oracle only; the tests read the JSON. Values are written with 15 significant digits.

suppressMessages({
  library(jsonlite)
  library(car)
  library(emmeans)
})
here <- "tests/reference/tables"
rd <- function(f) read.csv(file.path(here, f), stringsAsFactors = FALSE, na.strings = "NA")
out <- list(R_version = R.version.string, car = as.character(packageVersion("car")),
            emmeans = as.character(packageVersion("emmeans")))

# ---- describe: SAS QNTLDEF=5 is quantile(type = 2) --------------------------------------------------
dsc <- rd("describe.csv")
out$describe <- lapply(split(dsc$VALUE, dsc$GROUP), function(v) {
  v <- v[!is.na(v)]
  n <- length(v)
  list(n = n, mean = mean(v), sd = if (n > 1) sd(v) else NA, se = if (n > 1) sd(v) / sqrt(n) else NA,
       median = unname(quantile(v, 0.5, type = 2)), q1 = unname(quantile(v, 0.25, type = 2)),
       q3 = unname(quantile(v, 0.75, type = 2)), min = min(v), max = max(v))
})

# ---- chisq.test / fisher.test -----------------------------------------------------------------------
ct <- rd("contingency.csv")
out$contingency <- lapply(split(ct, ct$TABLE), function(d) {
  m <- matrix(0, max(d$ROW), max(d$COL))
  m[cbind(d$ROW, d$COL)] <- d$COUNT
  chi <- suppressWarnings(chisq.test(m, correct = FALSE))
  res <- list(table = m, chisq_statistic = unname(chi$statistic), chisq_df = unname(chi$parameter),
              chisq_pvalue = chi$p.value,
              fisher_pvalue = fisher.test(m, workspace = 2e8)$p.value)
  if (all(dim(m) == 2)) {
    yates <- suppressWarnings(chisq.test(m, correct = TRUE))
    res$yates_statistic <- unname(yates$statistic)
    res$yates_pvalue <- yates$p.value
  }
  res
})

# ---- CMH ----------------------------------------------------------------------------------------------
# General association: base R mantelhaen.test (correct = FALSE: no continuity correction for 2 x 2 x K).
# Correlation and row mean scores: R has no built-in. They are computed by landis() (landis.R), a direct,
# deliberately literal transcription of Landis, Heyman & Koch (1978), section 2: for each stratum h the full
# vector of cell counts n_h (r*c, row index fastest), its null mean m_h (outer product of the margins / n),
# the covariance V_h = n^2/(n-1) (D_pc - pc pc') kron (D_pr - pr pr') of the whole cell vector,
# and B_h = A (scores or contrasts) applied to the cell vector: Q = G' (sum B V B')^-1 G. The same function
# is checked against mantelhaen.test for the general statistic, and against two one-stratum identities
# that do not use it: Q_CS = (n - 1) r^2 (Pearson correlation of the scores; Mantel 1963) and
# Q_SMH(rank scores) = Kruskal-Wallis H with tie correction (kruskal.test), Q_GMH = (n - 1) / n Pearson X^2.
source(file.path(here, "landis.R"))
cm <- rd("cmh.csv")
trt_num <- match(cm$TRT, c("Placebo", "Low", "High"))   # treatment as ordered 1, 2, 3 for correlation
mh <- mantelhaen.test(table(cm$TRT, cm$RESP, cm$STRATUM), correct = FALSE)
# one stratum: mantelhaen.test needs two strata; the general statistic is then (n - 1) / n times Pearson's X^2
x2 <- suppressWarnings(chisq.test(table(cm$TRT, cm$RESP), correct = FALSE))
two <- cm[cm$TRT %in% c("Placebo", "High"), ]
mh22 <- mantelhaen.test(table(two$TRT, two$EVENT, two$STRATUM), correct = FALSE)
one <- rep("all", nrow(cm))
out$cmh <- list(
  general_mantelhaen = list(statistic = unname(mh$statistic), df = unname(mh$parameter), pvalue = mh$p.value),
  general_unstratified_pearson = list(statistic = (nrow(cm) - 1) / nrow(cm) * unname(x2$statistic),
                                      df = unname(x2$parameter)),
  general_2x2xK_mantelhaen = list(statistic = unname(mh22$statistic), df = unname(mh22$parameter), pvalue = mh22$p.value),
  general_landis = landis(cm$TRT, cm$RESP, cm$STRATUM, "general"),
  row_means_table = landis(cm$TRT, cm$RESP, cm$STRATUM, "row_means", "table"),
  row_means_rank = landis(cm$TRT, cm$RESP, cm$STRATUM, "row_means", "rank"),
  row_means_ridit = landis(cm$TRT, cm$RESP, cm$STRATUM, "row_means", "ridit"),
  row_means_modridit = landis(cm$TRT, cm$RESP, cm$STRATUM, "row_means", "modridit"),
  correlation_table = landis(cm$DOSE, cm$RESP, cm$STRATUM, "correlation", "table"),
  correlation_rank = landis(cm$DOSE, cm$RESP, cm$STRATUM, "correlation", "rank"),
  correlation_unstratified = landis(cm$DOSE, cm$RESP, one, "correlation", "table"),
  correlation_unstratified_identity = (nrow(cm) - 1) * cor(cm$DOSE, cm$RESP)^2,
  row_means_rank_unstratified = landis(cm$TRT, cm$RESP, one, "row_means", "rank"),
  row_means_rank_unstratified_kruskal = unname(kruskal.test(RESP ~ factor(TRT), data = cm)$statistic)
)

# ---- ANCOVA / ANOVA: lm with contr.sum, car::Anova(type = 3), emmeans ------------------------------
options(contrasts = c("contr.sum", "contr.poly"))
an <- rd("ancova.csv")
an$TRT <- factor(an$TRT, levels = c("Placebo", "Low", "High"))
an$SITE <- factor(an$SITE)
fit_summary <- function(fit, weights) {
  a3 <- car::Anova(fit, type = 3)
  a3 <- a3[!(rownames(a3) %in% c("(Intercept)", "Residuals")), ]
  em <- emmeans(fit, ~TRT, weights = weights)
  ems <- as.data.frame(summary(em, infer = c(TRUE, FALSE)))
  cn <- list("Low - Placebo" = c(-1, 1, 0), "High - Placebo" = c(-1, 0, 1), "High - Low" = c(0, -1, 1),
             "Placebo - Low" = c(1, -1, 0), "Placebo - High" = c(1, 0, -1), "Low - High" = c(0, 1, -1))
  cs <- as.data.frame(summary(contrast(em, method = cn, adjust = "none"), infer = c(TRUE, TRUE)))
  list(
    n = nobs(fit), residual_df = df.residual(fit), sigma = sigma(fit),
    effects = lapply(seq_len(nrow(a3)), function(i) list(term = rownames(a3)[i], sum_sq = a3[i, "Sum Sq"],
                     df = a3[i, "Df"], statistic = a3[i, "F value"], pvalue = a3[i, "Pr(>F)"])),
    lsmeans = lapply(seq_len(nrow(ems)), function(i) list(level = as.character(ems$TRT[i]),
                     estimate = ems$emmean[i], se = ems$SE[i], df = ems$df[i], ci_low = ems$lower.CL[i],
                     ci_high = ems$upper.CL[i])),
    comparisons = lapply(seq_len(nrow(cs)), function(i) list(label = as.character(cs$contrast[i]),
                         estimate = cs$estimate[i], se = cs$SE[i], df = cs$df[i], statistic = cs$t.ratio[i],
                         pvalue = cs$p.value[i], ci_low = cs$lower.CL[i], ci_high = cs$upper.CL[i]))
  )
}
m_ancova <- lm(CHG ~ TRT + SITE + BASE, data = an)
m_anova <- lm(CHG ~ TRT, data = an)
m_anova2 <- lm(CHG ~ TRT + SITE, data = an)
m_dose <- lm(CHG ~ DOSE + SITE + BASE, data = an)
a_dose <- car::Anova(m_dose, type = 3)
out$ancova <- list(
  equal = fit_summary(m_ancova, "equal"),
  proportional = fit_summary(m_ancova, "proportional"),
  anova_one_way = fit_summary(m_anova, "equal"),
  anova_two_way_equal = fit_summary(m_anova2, "equal"),
  dose_response = list(statistic = a_dose["DOSE", "F value"], df = a_dose["DOSE", "Df"],
                       df_denominator = df.residual(m_dose), pvalue = a_dose["DOSE", "Pr(>F)"],
                       t = summary(m_dose)$coefficients["DOSE", "t value"])
)

cat(toJSON(out, auto_unbox = TRUE, digits = I(15), na = "null", pretty = TRUE), "\n")
