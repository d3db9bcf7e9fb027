# Reference values for src/opencro/stats/design/crm.py and the CRM part of dose_simulation.py.
#
# Oracle: the R package dfcrm 0.2-2.1 (Cheung; CRAN). It cannot be installed here (no CRAN), so this script
# sources the package's single R file dfcrm.R, taken unchanged from the public CRAN source mirror
# (github.com/cran/dfcrm, version 0.2-2.1). Point DFCRM_R at that file:
#
#   DFCRM_R=/path/to/dfcrm.R Rscript tests/reference/design/dose_crm.R > tests/reference/design/dose_crm.json
#
# dfcrm's crm(method = "bayes", model = "empiric") returns the posterior mean of a under the power model
# p_i(a) = skeleton_i ^ exp(a), a ~ N(0, 1.34), and the plug-in estimate skeleton ^ exp(E[a | data]); its
# recommended dose is the one whose plug-in estimate is closest to the target. The posterior mean of p_i itself
# (what OpenCRO recommends on by default) is not in dfcrm: it is integrated here with integrate() directly.

suppressMessages(library(jsonlite))
source(Sys.getenv("DFCRM_R"))

post_mean_p <- function(skeleton, level, tox, s2 = 1.34) {
  lik <- function(a) {
    v <- dnorm(a, 0, sqrt(s2))
    for (i in seq_along(level)) {
      p <- skeleton[level[i]]^exp(a)
      v <- v * p^tox[i] * (1 - p)^(1 - tox[i])
    }
    v
  }
  den <- integrate(lik, -Inf, Inf, rel.tol = 1e-12, abs.tol = 0)$value
  sapply(skeleton, function(s) {
    integrate(function(a) lik(a) * s^exp(a), -Inf, Inf, rel.tol = 1e-12, abs.tol = 0)$value / den
  })
}

datasets <- list(
  # the example of dfcrm's crm() help page
  list(skeleton = c(0.05, 0.10, 0.20, 0.35, 0.50, 0.70), target = 0.2,
       level = c(3, 4, 4, 3, 3, 4, 3, 2, 2, 2), tox = c(0, 0, 1, 0, 0, 1, 1, 0, 0, 0)),
  list(skeleton = c(0.05, 0.12, 0.25, 0.40, 0.55), target = 0.25,
       level = c(1, 1, 1, 2, 2, 2, 3, 3, 3), tox = c(0, 0, 0, 0, 0, 0, 1, 0, 1)),
  list(skeleton = c(0.05, 0.12, 0.25, 0.40, 0.55), target = 0.25,
       level = c(1, 1, 1), tox = c(0, 0, 0)),
  list(skeleton = c(0.05, 0.12, 0.25, 0.40, 0.55), target = 0.25,
       level = c(1, 1, 1), tox = c(1, 1, 1)),
  list(skeleton = c(0.10, 0.20, 0.30, 0.40), target = 0.3,
       level = c(rep(1, 3), rep(2, 6), rep(3, 9), rep(4, 3)),
       tox = c(0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1, 1, 0)),
  list(skeleton = c(0.02, 0.06, 0.12, 0.20, 0.30, 0.40), target = 0.2,
       level = c(rep(1, 3), rep(2, 3), rep(3, 3), rep(4, 12), rep(5, 6)),
       tox = c(0, 0, 0, 0, 0, 0, 0, 0, 0, rep(0, 9), 1, 1, 1, 1, 1, 0, 0, 1, 0))
)
out <- list(dfcrm_version = "0.2-2.1")
out$posterior <- lapply(datasets, function(d) {
  fit <- crm(d$skeleton, d$target, d$tox, d$level)
  list(skeleton = d$skeleton, target = d$target, level = d$level, tox = d$tox,
       a_mean = fit$estimate, a_var = fit$post.var, p_plugin = fit$ptox, mtd_plugin = fit$mtd,
       p_mean = post_mean_p(d$skeleton, d$level, d$tox))
})

# crmsim(): group CRM, cohorts of 3, coherent and no-skipping restrictions (restrict = TRUE), plug-in estimate.
scenarios <- list(
  list(PI = c(0.05, 0.12, 0.25, 0.40, 0.55), skeleton = c(0.06, 0.14, 0.25, 0.38, 0.50), target = 0.25,
       n = 30, x0 = 1),
  list(PI = c(0.02, 0.05, 0.10, 0.20, 0.35), skeleton = c(0.05, 0.10, 0.20, 0.30, 0.45), target = 0.2,
       n = 24, x0 = 2)
)
nsim <- 5000
out$oc <- lapply(scenarios, function(s) {
  sim <- crmsim(s$PI, s$skeleton, s$target, s$n, s$x0, nsim = nsim, mcohort = 3, restrict = TRUE,
                count = FALSE, seed = 1009)
  list(p_true = s$PI, skeleton = s$skeleton, target = s$target, n = s$n, x0 = s$x0, cohort_size = 3,
       nsim = nsim, selection = sim$MTD, npatients = sim$level, ntox = sim$tox)
})

cat(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), "\n")
