# Oracle for opencro.stats.qtl: exact 95% intervals from base R.
# binom.test (Clopper-Pearson) and poisson.test (Garwood) confidence intervals.
# Run: Rscript qtl_oracle.R > qtl_oracle.json
library(jsonlite)
binomial <- list(c(0, 20), c(1, 20), c(7, 40), c(20, 20), c(3, 250), c(45, 300), c(1, 1))
poisson <- list(c(0, 10), c(1, 2.5), c(12, 30.5), c(100, 812.25), c(3, 0.75))
out <- list(
  binomial = lapply(binomial, function(x) {
    ci <- binom.test(x[1], x[2], conf.level = 0.95)$conf.int
    list(x = x[1], n = x[2], lower = ci[1], upper = ci[2])
  }),
  poisson = lapply(poisson, function(x) {
    ci <- poisson.test(x[1], x[2], conf.level = 0.95)$conf.int
    list(x = x[1], t = x[2], lower = ci[1], upper = ci[2])
  })
)
cat(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE))
