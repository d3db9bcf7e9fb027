# Reference values for tests/stats/test_monitoring_csm_oracle.py (base R + jsonlite only; R 4.2).
#   Rscript tests/reference/csm/csm_oracle.R   (writes csm_oracle.json beside this script)
# Every site is tested against all the other sites pooled ("the rest"), as opencro.stats.csm does:
#   digits       chisq.test(rbind(site, rest), correct = FALSE) on terminal-digit counts (empty digits dropped)
#   variance     var.test(x[site], x[rest])                     (two-sided F test)
#   mean         t.test(x[site], x[rest])                       (Welch)
#   weekday      chisq.test(rbind(site, rest), correct = FALSE) on weekday counts (empty weekdays dropped)
#   duplicates   fisher.test(2 x 2 (site, rest) x (duplicate, not), alternative = "greater")
#   multivariate mahalanobis(X, colMeans(X), cov(X)) on complete records; t.test(log(d2[site]), log(d2[rest]))
# then p.adjust(all p-values, "BH"); per site Simes' p = min(p.adjust(site's p-values, "BH")), BH-adjusted over
# the sites.  A test runs when the site and the rest have at least 5 values.  Second set ("reference_without_C"):
# the same tests when site C is left out of every reference (the rest of A is B and D; the rest of C is A, B, D),
# as opencro does for sites flagged in a first round.
suppressPackageStartupMessages(library(jsonlite))

site <- c("A", "A", "A", "A", "A", "A", "A", "A", "A", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B",
          "C", "C", "C", "C", "C", "C", "C", "C", "D", "D", "D", "D", "D", "D", "D", "D", "D")
sbp <- c(108.0, 123.6, 95.2, 129.8, 137.2, 113.2, 126.5, 123.8, 114.1, 107.1, 89.5, 141.2, 119.3, 157.8, 132.4,
         124.2, 110.1, 140.9, 112.4, 143.5, 143.5, 122.8, 143.5, 155.1, 118.6, 114.2, 132.2, 106.6, 131.5, 102.4,
         128.2, 104.3, 92.4, 111.1, 98.0, 128.3)
dbp <- c(80.2, 85.1, 80.9, 76.5, 80.3, 90.5, 78.2, 72.4, 70.3, 77.8, 72.5, 98.8, NA, 69.2, 76.9, 86.5, 77.3, 70.4,
         71.9, 76.5, 76.5, 70.2, 76.5, 73.9, 83.2, 84.0, 65.3, 103.9, 81.9, 74.9, 71.1, 77.4, 80.3, 86.0, 80.1, 84.8)
hb <- c(3.6, 4.6, 4.3, 5.75, 6.0, 4.0, 5.3, 6.4, 6.6, 4.2, 6.2, 5.9, 5.0, 7.9, 4.2, 5.2, 6.0, 5.8, 5.3, 7.2, 7.2,
        6.6, 7.2, 5.4, 4.1, 8.1, 4.4, 8.2, 5.3, 5.8, 5.3, 6.6, 4.9, 7.7, 6.1, 5.7)
visit <- as.Date(c("2025-03-03", "2025-04-12", "2025-05-19", "2025-04-19", "2025-03-15", "2025-05-02",
                   "2025-03-13", NA, "2025-05-09", "2025-05-09", "2025-06-02", "2025-05-27", "2025-05-10",
                   "2025-06-30", "2025-06-02", "2025-05-31", "2025-05-05", "2025-04-30", "2025-05-27",
                   "2025-06-28", "2025-05-23", "2025-03-18", "2025-06-06", "2025-06-25", "2025-04-08",
                   "2025-05-02", "2025-06-15", "2025-04-30", "2025-03-29", "2025-06-12", "2025-03-06",
                   "2025-05-15", "2025-04-27", "2025-06-09", "2025-03-21", "2025-04-16"))
X <- cbind(sbp = sbp, dbp = dbp, hb = hb)
sites <- unique(site)
min_records <- 5
decimals <- function(x) {  # smallest k with x * 10^k whole
  k <- 0
  while (any(abs(x * 10^k - round(x * 10^k)) > 1e-9)) k <- k + 1
  k
}
key <- apply(X, 1, function(r) paste(ifelse(is.na(r), "NA", format(r, digits = 17)), collapse = "|"))
dup <- sapply(seq_along(key), function(i) any(key[seq_len(i - 1)] == key[i] & site[seq_len(i - 1)] == site[i]))
cc <- complete.cases(X)
centre <- colMeans(X[cc, ])
S <- cov(X[cc, ])
d2 <- mahalanobis(X[cc, ], centre, S)
wday <- (as.POSIXlt(visit)$wday + 6) %% 7  # Monday 0 .. Sunday 6

run_tests <- function(reference) {
  rows <- list()
  add <- function(s, test, variable, statistic, df, p) {
    rows[[length(rows) + 1]] <<- list(site = s, test = test, variable = variable, statistic = unname(statistic),
                                      df = unname(as.numeric(df)), pvalue = p)
  }
  others <- function(s) site != s & site %in% reference  # the records of the rest of site s
  chisq_site_rest <- function(s, counts) {  # counts: one row per record, one column per category
    tab <- rbind(colSums(counts[site == s, , drop = FALSE]), colSums(counts[others(s), , drop = FALSE]))
    tab <- tab[, colSums(tab) > 0, drop = FALSE]
    if (sum(tab[1, ]) < min_records || sum(tab[2, ]) < min_records) return(NULL)
    suppressWarnings(chisq.test(tab, correct = FALSE))
  }
  for (v in colnames(X)) {
    x <- X[, v]
    d <- decimals(x[!is.na(x)])
    counts <- outer(round(abs(x) * 10^d) %% 10, 0:9, "==") * 1
    counts[is.na(counts)] <- 0
    for (s in sites) {
      r <- chisq_site_rest(s, counts)
      if (!is.null(r)) add(s, "digits", v, r$statistic, r$parameter, r$p.value)
    }
  }
  for (v in colnames(X)) {
    for (s in sites) {
      a <- na.omit(X[site == s, v]); b <- na.omit(X[others(s), v])
      r <- var.test(a, b)
      add(s, "variance", v, r$statistic, r$parameter, r$p.value)
      r <- t.test(a, b)
      add(s, "mean", v, r$statistic, r$parameter, r$p.value)
    }
  }
  counts <- outer(wday, 0:6, "==") * 1
  counts[is.na(counts)] <- 0
  for (s in sites) {
    r <- chisq_site_rest(s, counts)
    if (!is.null(r)) add(s, "weekday", "visit", r$statistic, r$parameter, r$p.value)
  }
  for (s in sites) {
    ds <- sum(dup[site == s]); ns <- sum(site == s); dr <- sum(dup[others(s)]); nr <- sum(others(s))
    r <- fisher.test(matrix(c(ds, ns - ds, dr, nr - dr), 2, byrow = TRUE), alternative = "greater")
    add(s, "duplicates", NULL, ds, numeric(0), r$p.value)
  }
  for (s in sites) {
    r <- t.test(log(d2[site[cc] == s]), log(d2[others(s)[cc]]))
    add(s, "multivariate", NULL, r$statistic, r$parameter, r$p.value)
  }
  p <- sapply(rows, function(r) r$pvalue)
  q <- p.adjust(p, method = "BH")
  for (i in seq_along(rows)) rows[[i]]$qvalue <- q[i]
  of <- sapply(rows, function(r) r$site)
  simes <- sapply(sites, function(s) min(p.adjust(p[of == s], method = "BH")))
  list(tests = rows, site_pvalue = as.list(simes), site_qvalue = as.list(setNames(p.adjust(simes, "BH"), sites)))
}

all_sites <- run_tests(sites)
without_c <- run_tests(setdiff(sites, "C"))
out <- list(
  r_version = R.version.string,
  data = list(site = site, sbp = sbp, dbp = dbp, hb = hb, visit = format(visit)),
  complete_mean = unname(centre), complete_cov = unname(S), mahalanobis_d2 = unname(d2),
  tests = all_sites$tests, site_pvalue = all_sites$site_pvalue, site_qvalue = all_sites$site_qvalue,
  reference_without_C = without_c
)
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", null = "null", pretty = TRUE),
           file.path(here, "csm_oracle.json"))
