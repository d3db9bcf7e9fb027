# Reference values for tests/stats/signals/test_disproportionality.py and test_bcpnn.py (base R only).
#   Rscript tests/reference/signals/two_by_two.R
# 2x2 tables (a, b, c, d): a = reports with product and event, b = product without event, c = event without product.
tables <- list(c(20, 80, 100, 9800), c(3, 47, 12, 9938), c(5, 0, 7, 988))
for (t in tables) {
  m <- matrix(t, nrow = 2, byrow = TRUE)
  cat(sprintf("a=%g b=%g c=%g d=%g  chisq.test(correct=TRUE) X-squared = %.12g\n", t[1], t[2], t[3], t[4],
              suppressWarnings(chisq.test(m, correct = TRUE)$statistic)))
}
# Shrunk IC limits: log2(qgamma(p, n + 0.5, 1) / (E + 0.5))
for (ne in list(c(0, 0.2), c(1, 0.05), c(3, 0.4), c(20, 5), c(150, 60))) {
  n <- ne[1]; e <- ne[2]
  cat(sprintf("n=%g E=%g  IC=%.15g  IC025=%.15g  IC975=%.15g\n", n, e, log2((n + 0.5) / (e + 0.5)),
              log2(qgamma(0.025, n + 0.5, 1) / (e + 0.5)), log2(qgamma(0.975, n + 0.5, 1) / (e + 0.5))))
}
