# Reference values for opencro.stats.mmrm: MMRM with unstructured covariance fitted by REML with nlme::gls,
# LS means and differences by emmeans, Satterthwaite df from nlme's apVar (see satterthwaite_df below);
# Kenward-Roger by pbkrtest on the equivalent lme4 fit (see kr_out below).
# Run from the repository root:  Rscript tests/reference/mmrm/mmrm.R
# Reads mmrm_data.csv beside this script (synthetic: 150 subjects, 3 arms, 4 visits, dropout and one
# intermittent missing visit), writes mmrm.json beside it.
suppressPackageStartupMessages({
  library(nlme)
  library(emmeans)
  library(jsonlite)
  library(lme4)
  library(pbkrtest)
})

here <- "tests/reference/mmrm"
d <- read.csv(file.path(here, "mmrm_data.csv"), stringsAsFactors = FALSE)
d$visit <- factor(d$visit, levels = c("Week 2", "Week 4", "Week 8", "Week 12"))
d$trt <- factor(d$trt, levels = c("Placebo", "Low", "High"))
d$sex <- factor(d$sex)
d$subject <- factor(d$subject)
d <- d[order(d$subject, d$visit), ]

# emmeans' mode = "satterthwaite" for gls checks that coef(fit$modelStruct) equals attr(fit$apVar, "Pars"); with
# corSymm the first is on the unconstrained and the second on the natural scale, so emmeans always falls back
# to "appx-satterthwaite", which refits the model on randomly perturbed responses (random, not reproducible).
# So emmeans is used here only for the estimates, standard errors and the linear functions (mode = "asymptotic":
# estimates and SEs do not depend on the df), and the Satterthwaite df are computed below from nlme's own
# approximate covariance of the variance parameters (fit$apVar, the inverse of the numerically differentiated
# REML information, on nlme's natural scale: log((1 + rho) / (1 - rho)) for corSymm, log SD ratios for
# varIdent, log sigma) and the numerical gradient (numDeriv::jacobian) of Var(L beta-hat) in those parameters:
# df = 2 Var(L b)^2 / (g' apVar g)   (Satterthwaite 1946; as SAS PROC MIXED DDFM=SATTERTHWAITE).
satterthwaite_df <- function(fit, data, L, hessian = c("apVar", "numDeriv")) {
  hessian <- match.arg(hessian)
  X <- model.matrix(formula(fit)[-2], data)
  stopifnot(identical(colnames(X), names(coef(fit))))
  y <- data$chg
  v <- as.integer(data$visit)
  rows <- split(seq_len(nrow(data)), data$subject)
  theta <- attr(fit$apVar, "Pars")
  sigma_of <- function(th) {
    R <- diag(4)
    R[lower.tri(R)] <- tanh(th[1:6] / 2)
    R[upper.tri(R)] <- t(R)[upper.tri(R)]
    sds <- exp(th[10]) * c(1, exp(th[7:9]))
    diag(sds) %*% R %*% diag(sds)
  }
  pieces <- function(th) {
    S <- sigma_of(th)
    info <- 0
    xy <- 0
    yy <- 0
    logdet <- 0
    for (i in rows) {
      Si <- S[v[i], v[i], drop = FALSE]
      Xi <- X[i, , drop = FALSE]
      info <- info + crossprod(Xi, solve(Si, Xi))
      xy <- xy + crossprod(Xi, solve(Si, y[i]))
      yy <- yy + sum(y[i] * solve(Si, y[i]))
      logdet <- logdet + as.numeric(determinant(Si)$modulus)
    }
    list(info = info, xy = xy, yy = yy, logdet = logdet)
  }
  vbeta <- function(th) solve(pieces(th)$info)
  # REML log-likelihood, checked against logLik(fit) at the estimate before its Hessian is used
  reml <- function(th) {
    p <- pieces(th)
    b <- solve(p$info, p$xy)
    -0.5 * ((nrow(X) - ncol(X)) * log(2 * pi) + p$logdet + as.numeric(determinant(p$info)$modulus) +
      p$yy - sum(b * p$xy))
  }
  stopifnot(max(abs(vbeta(theta) - vcov(fit))) < 1e-8 * max(abs(vcov(fit))))
  stopifnot(abs(reml(theta) - as.numeric(logLik(fit))) < 1e-6)
  A <- if (hessian == "apVar") fit$apVar else solve(-numDeriv::hessian(reml, theta))
  variance <- function(th) rowSums((L %*% vbeta(th)) * L)
  G <- numDeriv::jacobian(variance, theta)
  2 * variance(theta)^2 / rowSums((G %*% A) * G)
}

emm_out <- function(fit, data, level = 0.95) {
  emm <- emmeans(fit, ~ trt | visit, mode = "asymptotic", data = data)
  s <- as.data.frame(summary(emm))
  con <- contrast(emm, list("Low - Placebo" = c(-1, 1, 0), "High - Placebo" = c(-1, 0, 1),
    "High - Low" = c(0, -1, 1)))
  cs <- as.data.frame(summary(con))
  df_m <- satterthwaite_df(fit, data, emm@linfct)
  df_c <- satterthwaite_df(fit, data, con@linfct)
  df_m_nd <- satterthwaite_df(fit, data, emm@linfct, "numDeriv")
  df_c_nd <- satterthwaite_df(fit, data, con@linfct, "numDeriv")
  q_m <- qt(1 - (1 - level) / 2, df_m)
  q_c <- qt(1 - (1 - level) / 2, df_c)
  t_c <- cs$estimate / cs$SE
  V <- getVarCov(fit, individual = levels(data$subject)[1])  # the first subject has all four visits
  list(
    lsmeans = list(visit = as.character(s$visit), trt = as.character(s$trt), emmean = s$emmean, se = s$SE,
      df = df_m, df_numderiv_hessian = df_m_nd, lower = s$emmean - q_m * s$SE, upper = s$emmean + q_m * s$SE),
    contrasts = list(visit = as.character(cs$visit), label = as.character(cs$contrast), estimate = cs$estimate,
      se = cs$SE, df = df_c, df_numderiv_hessian = df_c_nd, t = t_c, p = 2 * pt(abs(t_c), df_c, lower.tail = FALSE),
      lower = cs$estimate - q_c * cs$SE, upper = cs$estimate + q_c * cs$SE),
    reml_loglik = as.numeric(logLik(fit)),
    covariance = unname(unclass(as.matrix(V))[1:4, 1:4]),
    coef = as.list(coef(fit))
  )
}

# Kenward-Roger: pbkrtest (through emmeans, lmer.df = "kenward-roger") works on lme4 fits only. lmer cannot fix
# the residual variance, so the unstructured covariance is written as an unstructured random visit effect plus
# the residual, (0 + visit | subject): over-parameterised by one (sigma^2 trades against the diagonal of G),
# but the marginal covariance G + sigma^2 I is the unstructured REML estimate (checked against gls below), and
# pbkrtest falls back to a generalised inverse of the singular information (attr(vcovAdj(fit), "condi") ~ 1e-16),
# which leaves the Kenward-Roger quantities unchanged because they depend on the covariance parameters only
# through derivatives of V. The covariance is linear in these parameters, so KR's R_ij term is zero.
kr_out <- function(formula, data, gls_fit) {
  fit <- lmer(formula, data = data, REML = TRUE, control = lmerControl(check.nobs.vs.nRE = "ignore",
    check.nobs.vs.nlev = "ignore", optimizer = "bobyqa", optCtrl = list(maxfun = 1e5)))
  marginal <- as.matrix(VarCorr(fit)$subject) + sigma(fit)^2 * diag(4)
  stopifnot(max(abs(marginal - unclass(getVarCov(gls_fit))[1:4, 1:4])) < 1e-2)
  emm <- emmeans(fit, ~ trt | visit, lmer.df = "kenward-roger")
  s <- as.data.frame(summary(emm))
  con <- contrast(emm, list("Low - Placebo" = c(-1, 1, 0), "High - Placebo" = c(-1, 0, 1),
    "High - Low" = c(0, -1, 1)))
  cs <- as.data.frame(summary(con, infer = c(TRUE, TRUE)))
  list(
    call = paste(deparse(formula), collapse = " "),
    reml_loglik = as.numeric(logLik(fit)),
    condi = attr(vcovAdj(fit), "condi"),
    covariance = unname(marginal),
    lsmeans = list(visit = as.character(s$visit), trt = as.character(s$trt), emmean = s$emmean, se = s$SE,
      df = s$df, lower = s$lower.CL, upper = s$upper.CL),
    contrasts = list(visit = as.character(cs$visit), label = as.character(cs$contrast), estimate = cs$estimate,
      se = cs$SE, df = cs$df, t = cs$t.ratio, p = cs$p.value, lower = cs$lower.CL, upper = cs$upper.CL)
  )
}

fit1 <- gls(chg ~ trt * visit + base, data = d,
  correlation = corSymm(form = ~ as.integer(visit) | subject), weights = varIdent(form = ~ 1 | visit),
  method = "REML", control = glsControl(tolerance = 1e-10, msTol = 1e-10, returnObject = FALSE))
fit2 <- gls(chg ~ trt * visit + base + sex, data = d,
  correlation = corSymm(form = ~ as.integer(visit) | subject), weights = varIdent(form = ~ 1 | visit),
  method = "REML", control = glsControl(tolerance = 1e-10, msTol = 1e-10, returnObject = FALSE))
stopifnot(length(levels(d$subject)) == 150, all(table(d$subject)[levels(d$subject)[1]] == 4))

write_json(list(
  generated_by = "tests/reference/mmrm/mmrm.R",
  r_version = R.version.string,
  nlme_version = as.character(packageVersion("nlme")),
  emmeans_version = as.character(packageVersion("emmeans")),
  base = c(list(call = paste("gls(chg ~ trt * visit + base, correlation = corSymm(form = ~ as.integer(visit) | subject),",
    "weights = varIdent(form = ~ 1 | visit), method = 'REML'); emmeans(fit, ~ trt | visit) estimates and SEs;",
    "contrast(..., list('Low - Placebo', 'High - Placebo', 'High - Low')); Satterthwaite df from fit$apVar",
    "and numDeriv::jacobian of Var(L b) (see satterthwaite_df in the script)")), emm_out(fit1, d)),
  with_sex = c(list(call = "as base with + sex (emmeans averages over sex with equal weights)"), emm_out(fit2, d)),
  kenward_roger = list(
    note = paste("lmer(..., REML = TRUE) with (0 + visit | subject); emmeans(fit, ~ trt | visit,",
      "lmer.df = 'kenward-roger') (pbkrtest::vcovAdj and Lb_ddf); contrasts as above with infer = TRUE"),
    pbkrtest_version = as.character(packageVersion("pbkrtest")),
    lme4_version = as.character(packageVersion("lme4")),
    base = kr_out(chg ~ trt * visit + base + (0 + visit | subject), d, fit1),
    with_sex = kr_out(chg ~ trt * visit + base + sex + (0 + visit | subject), d, fit2)
  )
), file.path(here, "mmrm.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
