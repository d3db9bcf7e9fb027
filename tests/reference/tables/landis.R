# landis(): Cochran-Mantel-Haenszel statistics written directly from Landis, Heyman & Koch (1978), section 2,
# as an oracle independent of the Python code (full cell-vector covariance, Kronecker products, no shortcuts).
# Sourced by tables.R and pilot.R.
#   row, col, strata: vectors, one element per subject; statistic: "correlation", "row_means" or "general";
#   scores: "table" (numeric values), "rank" (mid-ranks), "ridit", "modridit", within each stratum.
landis <- function(row, col, strata, statistic, scores = "table") {
  rl <- sort(unique(row)); cl <- sort(unique(col))
  r <- length(rl); cc <- length(cl)
  G <- 0; V <- 0
  for (h in unique(strata)) {
    sel <- strata == h
    tab <- table(factor(row[sel], levels = rl), factor(col[sel], levels = cl))
    n <- sum(tab)
    if (n < 2) next
    ni <- rowSums(tab); nj <- colSums(tab)
    vecn <- as.vector(tab)                      # column-major: row index fastest
    m <- as.vector(outer(ni, nj) / n)
    pr <- ni / n; pc <- nj / n
    Vh <- n^2 / (n - 1) * kronecker(diag(pc, cc) - pc %o% pc, diag(pr, r) - pr %o% pr)
    midrank <- function(t) cumsum(t) - t + (t + 1) / 2
    sc <- function(levels, totals) switch(scores,
      table = as.numeric(levels), rank = midrank(totals), ridit = midrank(totals) / n,
      modridit = midrank(totals) / (n + 1))
    rowC <- cbind(diag(r - 1), -1); colC <- cbind(diag(cc - 1), -1)
    B <- switch(statistic,
      correlation = kronecker(t(sc(cl, nj)), t(sc(rl, ni))),
      row_means   = kronecker(t(sc(cl, nj)), rowC),
      general     = kronecker(colC, rowC))
    G <- G + B %*% (vecn - m)
    V <- V + B %*% Vh %*% t(B)
  }
  Q <- as.numeric(t(G) %*% solve(V, G))
  list(statistic = Q, df = nrow(G), pvalue = pchisq(Q, nrow(G), lower.tail = FALSE))
}
