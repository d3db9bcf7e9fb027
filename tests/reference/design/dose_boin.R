# Reference values for src/opencro/stats/design/boin.py and the BOIN part of dose_simulation.py.
#
# Oracle: the R package BOIN 2.7.2 (Liu & Yuan; CRAN). It cannot be installed here (no CRAN), so this
# script sources the package's own R files get.boundary.R, select.mtd.R and get.oc.R, taken unchanged from
# the public CRAN source mirror (github.com/cran/BOIN, tag 2.7.2). Point BOIN_R_DIR at a folder holding them:
#
#   BOIN_R_DIR=/path/to/BOIN/R Rscript tests/reference/design/dose_boin.R > tests/reference/design/dose_boin.json
#
# The JSON keeps NA as null. Nothing in the test suite runs R; the tests read the JSON.

suppressMessages(library(jsonlite))
src <- Sys.getenv("BOIN_R_DIR")
for (f in c("get.boundary.R", "select.mtd.R", "get.oc.R")) source(file.path(src, f))

out <- list(boin_version = "2.7.2")

# get.boundary(): full decision tables (n = 1..36) for the published targets and a few non-default settings.
settings <- list(
  list(target = 0.10), list(target = 0.15), list(target = 0.20), list(target = 0.25),
  list(target = 0.30), list(target = 0.35), list(target = 0.40),
  list(target = 0.30, p.saf = 0.2, p.tox = 0.4),
  list(target = 0.25, cutoff.eli = 0.90),
  list(target = 0.30, extrasafe = TRUE),
  list(target = 0.20, extrasafe = TRUE, offset = 0.1),
  list(target = 0.50)
)
out$boundaries <- lapply(settings, function(s) {
  target <- s$target
  p.saf <- if (is.null(s$p.saf)) 0.6 * target else s$p.saf
  p.tox <- if (is.null(s$p.tox)) 1.4 * target else s$p.tox
  cutoff.eli <- if (is.null(s$cutoff.eli)) 0.95 else s$cutoff.eli
  extrasafe <- if (is.null(s$extrasafe)) FALSE else s$extrasafe
  offset <- if (is.null(s$offset)) 0.05 else s$offset
  b <- get.boundary(target = target, ncohort = 12, cohortsize = 3, p.saf = p.saf, p.tox = p.tox,
                    cutoff.eli = cutoff.eli, extrasafe = extrasafe, offset = offset)
  tab <- b$full_boundary_tab
  res <- list(target = target, phi1 = p.saf, phi2 = p.tox, cutoff_eli = cutoff.eli, extrasafe = extrasafe,
              offset = offset, lambda_e = b$lambda_e, lambda_d = b$lambda_d,
              n = unname(tab[1, ]), escalate = unname(tab[2, ]), deescalate = unname(tab[3, ]),
              eliminate = unname(tab[4, ]))
  if (extrasafe) res$stop <- unname(b$stop_boundary[2, ])
  res
})

# select.mtd(): the package example plus random data sets (n a multiple of 3, y <= n, untreated doses at the top).
set.seed(20240601)
cases <- list(list(target = 0.3, n = c(3, 3, 15, 9, 0), y = c(0, 0, 4, 4, 0)))
for (k in 1:300) {
  ndose <- sample(3:6, 1)
  ntreated <- sample(1:ndose, 1)
  n <- c(3 * sample(1:6, ntreated, replace = TRUE), rep(0, ndose - ntreated))
  y <- sapply(n, function(m) if (m == 0) 0 else sample(0:m, 1, prob = dbinom(0:m, m, runif(1, 0, 0.7))))
  cases[[length(cases) + 1]] <- list(target = sample(c(0.2, 0.25, 0.3, 0.33), 1), n = n, y = y)
}
extras <- list(list(cutoff.eli = 0.95, extrasafe = FALSE), list(cutoff.eli = 0.9, extrasafe = TRUE))
out$select_mtd <- list()
for (case in cases) {
  for (e in extras) {
    s <- select.mtd(target = case$target, npts = case$n, ntox = case$y, cutoff.eli = e$cutoff.eli,
                    extrasafe = e$extrasafe)
    out$select_mtd[[length(out$select_mtd) + 1]] <- list(
      target = case$target, n = case$n, y = case$y, cutoff_eli = e$cutoff.eli, extrasafe = e$extrasafe,
      mtd = if (s$MTD == 99) NA else s$MTD)
  }
}

# get.oc(): operating characteristics by simulation (R's own RNG; compared within Monte Carlo error).
scenarios <- list(
  list(target = 0.3, p.true = c(0.05, 0.15, 0.3, 0.45, 0.6), ncohort = 12, startdose = 1),
  list(target = 0.3, p.true = c(0.05, 0.15, 0.3, 0.45, 0.6), ncohort = 20, startdose = 1),
  list(target = 0.25, p.true = c(0.02, 0.05, 0.1, 0.25, 0.4, 0.55), ncohort = 10, startdose = 2),
  list(target = 0.3, p.true = c(0.45, 0.55, 0.65, 0.75), ncohort = 10, startdose = 1),
  list(target = 0.2, p.true = c(0.05, 0.1, 0.2, 0.3, 0.5), ncohort = 12, startdose = 1, n.earlystop = 12),
  list(target = 0.3, p.true = c(0.3, 0.45, 0.55, 0.65), ncohort = 10, startdose = 1, extrasafe = TRUE)
)
ntrial <- 10000
out$oc <- lapply(scenarios, function(s) {
  nes <- if (is.null(s$n.earlystop)) 100 else s$n.earlystop
  xs <- if (is.null(s$extrasafe)) FALSE else s$extrasafe
  oc <- get.oc(target = s$target, p.true = s$p.true, ncohort = s$ncohort, cohortsize = 3, n.earlystop = nes,
               startdose = s$startdose, extrasafe = xs, ntrial = ntrial, seed = 6)
  list(target = s$target, p_true = s$p.true, ncohort = s$ncohort, cohortsize = 3, startdose = s$startdose,
       n_earlystop = nes, extrasafe = xs, ntrial = ntrial, selpercent = oc$selpercent, npatients = oc$npatients,
       ntox = oc$ntox, totaln = oc$totaln, totaltox = oc$totaltox, percentstop = oc$percentstop)
})

cat(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), "\n")
