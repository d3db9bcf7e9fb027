# R reference values on the CDISC Pilot 01 ADaM data for tests/stats/tables/test_pilot.py.
#
# Reads ../shared/reference/cdiscpilot01/adam/{adsl,adqsadas,adqscibc,adae}.xpt (not part of the project; see
# ../shared/reference/README.md) with haven::read_xpt and fits the models of the pilot's tables 14-2.01,
# 14-3.01, 14-3.02, 14-3.13 and 14-5.01 as the public replication (atorus-research/CDISC_pilot_replication)
# describes them. Run from the repository root:
#
#   Rscript tests/reference/tables/pilot.R > tests/reference/tables/pilot.json
#
# The published (rounded) values are quoted in the Python test; this JSON holds R's full-precision values.

suppressMessages({
  library(jsonlite)
  library(haven)
  library(car)
  library(emmeans)
})
source("tests/reference/tables/landis.R")
adam <- file.path("..", "shared", "reference", "cdiscpilot01", "adam")
rx <- function(name) as.data.frame(read_xpt(file.path(adam, paste0(name, ".xpt"))))
out <- list(R_version = R.version.string)
options(contrasts = c("contr.sum", "contr.poly"))

# ---- 14-3.01 / 14-3.02: ANCOVA at week 24 (LOCF rows, ANL01FL = Y, efficacy population) ------------------
efficacy <- function(d, response, use_base) {
  d <- d[d$AVISITN == 24, ]
  d$TRT <- factor(c("0" = "Pbo", "54" = "Xan_Lo", "81" = "Xan_Hi")[as.character(d$TRTPN)],
                  levels = c("Xan_Hi", "Xan_Lo", "Pbo"))
  rhs_dose <- if (use_base) "TRTPN + SITEGR1 + BASE" else "TRTPN + SITEGR1"
  rhs_trt <- if (use_base) "TRT + SITEGR1 + BASE" else "TRT + SITEGR1"
  m1 <- lm(as.formula(paste(response, "~", rhs_dose)), data = d)
  m2 <- lm(as.formula(paste(response, "~", rhs_trt)), data = d)
  a1 <- car::Anova(m1, type = 3)
  a2 <- car::Anova(m2, type = 3)
  res <- list(n = nobs(m2), residual_df = df.residual(m2), sigma = sigma(m2),
              dose_F = a1["TRTPN", "F value"], dose_pvalue = a1["TRTPN", "Pr(>F)"],
              treatment_F = a2["TRT", "F value"], treatment_pvalue = a2["TRT", "Pr(>F)"])
  for (w in c("equal", "proportional")) {
    em <- emmeans(m2, ~TRT, weights = w)
    ems <- as.data.frame(summary(em))
    cs <- as.data.frame(summary(contrast(em, method = "pairwise", adjust = "none"), infer = c(TRUE, TRUE)))
    res[[w]] <- list(
      lsmeans = setNames(lapply(seq_len(nrow(ems)), function(i) list(estimate = ems$emmean[i], se = ems$SE[i])),
                         as.character(ems$TRT)),
      comparisons = setNames(lapply(seq_len(nrow(cs)), function(i) list(estimate = cs$estimate[i], se = cs$SE[i],
                             pvalue = cs$p.value[i], ci_low = cs$lower.CL[i], ci_high = cs$upper.CL[i])),
                             as.character(cs$contrast)))
  }
  res
}
adas <- rx("adqsadas")
adas <- adas[adas$EFFFL == "Y" & adas$ITTFL == "Y" & adas$PARAMCD == "ACTOT" & adas$ANL01FL == "Y", ]
out$t14_3_01 <- efficacy(adas, "CHG", TRUE)
cibc <- rx("adqscibc")
cibc <- cibc[cibc$EFFFL == "Y" & cibc$ITTFL == "Y" & cibc$PARAMCD == "CIBICVAL" & cibc$ANL01FL == "Y", ]
out$t14_3_02 <- efficacy(cibc, "AVAL", FALSE)

# ---- 14-3.13: CMH row mean scores (table scores) of CIBIC+ by treatment, stratified by site group ----------
out$t14_3_13 <- lapply(c(week8 = 8, week16 = 16, week24 = 24), function(wk) {
  d <- cibc[cibc$AVISITN == wk, ]
  mh <- mantelhaen.test(table(d$TRTP, d$AVAL, d$SITEGR1), correct = FALSE)
  list(row_means = landis(d$TRTP, d$AVAL, d$SITEGR1, "row_means", "table"),
       general = list(statistic = unname(mh$statistic), df = unname(mh$parameter), pvalue = mh$p.value))
})

# ---- 14-5.01: Fisher exact p-values, subjects with >= 1 treatment-emergent AE, safety population -----------
adsl <- rx("adsl")
arms <- c("Placebo", "Xanomeline Low Dose", "Xanomeline High Dose")
N <- sapply(arms, function(a) sum(adsl$TRT01A == a))
adae <- rx("adae")
adae <- adae[adae$SAFFL == "Y" & adae$TRTEMFL == "Y", ]
subjects <- function(rows) sapply(arms, function(a) length(unique(rows$USUBJID[rows$TRTA == a])))
ae_row <- function(rows) {
  n <- subjects(rows)
  p <- function(i) if (n[1] + n[i] == 0) NA else fisher.test(matrix(c(n[1], n[i], N[1] - n[1], N[i] - n[i]), 2))$p.value
  list(n = unname(n), N = unname(N), p_low = p(2), p_high = p(3))
}
out$t14_5_01 <- list(
  any = ae_row(adae),
  soc_cardiac = ae_row(adae[adae$AEBODSYS == "CARDIAC DISORDERS", ]),
  pt_sinus_bradycardia = ae_row(adae[adae$AEDECOD == "SINUS BRADYCARDIA", ]),
  pt_myocardial_infarction = ae_row(adae[adae$AEDECOD == "MYOCARDIAL INFARCTION", ]),
  pt_atrial_fibrillation = ae_row(adae[adae$AEDECOD == "ATRIAL FIBRILLATION", ]),
  pt_application_site_pruritus = ae_row(adae[adae$AEDECOD == "APPLICATION SITE PRURITUS", ]),
  soc_skin = ae_row(adae[adae$AEBODSYS == "SKIN AND SUBCUTANEOUS TISSUE DISORDERS", ])
)

# ---- 14-2.01: one-way ANOVA (continuous) and Pearson chi-square (categorical), ITT population ------------
itt <- adsl[adsl$ITTFL == "Y", ]
itt$TRT01P <- factor(itt$TRT01P, levels = arms)
itt$RACE_DISPLAY <- ifelse(itt$ETHNIC == "HISPANIC OR LATINO", "Hispanic",
                    ifelse(itt$RACE == "WHITE", "Caucasian",
                    ifelse(itt$RACE == "BLACK OR AFRICAN AMERICAN", "African Descent", "Other")))
aov_p <- function(v) summary(aov(as.formula(paste(v, "~ TRT01P")), itt))[[1]][["Pr(>F)"]][1]
chi_p <- function(v) suppressWarnings(chisq.test(factor(itt[[v]]), itt$TRT01P)$p.value)
out$t14_2_01 <- list(
  anova = sapply(c("AGE", "MMSETOT", "DURDIS", "EDUCLVL", "WEIGHTBL", "HEIGHTBL", "BMIBL"), aov_p, simplify = FALSE),
  chisq = sapply(c("AGEGR1", "SEX", "RACE_DISPLAY", "DURDSGR1", "BMIBLGR1"), chi_p, simplify = FALSE),
  age = lapply(split(itt$AGE, itt$TRT01P), function(v) list(n = length(v), mean = mean(v), sd = sd(v),
               median = median(v), q1 = unname(quantile(v, 0.25, type = 2)), q3 = unname(quantile(v, 0.75, type = 2))))
)

cat(toJSON(out, auto_unbox = TRUE, digits = I(15), na = "null", pretty = TRUE), "\n")
