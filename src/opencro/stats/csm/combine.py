"""From the matrix of p-values (sites x tests) to one score per site and a ranking.

Venet et al. (2012) run many tests per centre and analyse the resulting matrix of p-values to find the centres that
differ from the others. Here:

- False discovery rate of tests: the Benjamini-Hochberg adjustment over all the tests of all the sites together (R
  ``p.adjust(p, "BH")``), computed on log p so that p-values below the smallest double keep their order; a test is
  significant when its q-value is at most the chosen rate (`SiteScore.n_significant` counts them).
- False discovery rate of sites: a site is flagged by the two-level procedure of Benjamini and Bogomolov (2014)
  with sites as the families: the site's p-values are combined by Simes' test, p_site = min_i m p_(i) / i (R
  ``min(p.adjust(p, "BH"))``), and the sites' p_site are BH-adjusted across the sites; flagged when that q-value is
  at most the rate. The test-level BH alone controls the share of false tests among the significant ones, which
  lets clean sites through in proportion to the true discoveries (a fabricated site significant on 50 variables
  buys about 2.5 false tests, scattered over clean sites); the site-level step controls the expected share of clean
  sites among the flagged sites, the decision a monitor acts on.
- Score: -log10 of the geometric mean of the site's p-values, i.e. the mean of -log10 p over its tests, the
  combination behind the data inconsistency score of Trotta et al. (2019) (without their weights). Under the null
  each -log10 p averages 1/ln 10 = 0.434, so a clean site scores about 0.43 whatever its number of tests, while a
  site with one extreme test, or many moderately small p-values, scores higher. Unlike the count of significant
  tests it ranks every site (not only the flagged ones) and does not depend on the FDR level; the count is reported
  beside it.
- Ranking: score descending, then number of significant tests, then site label. Each site names its `top` tests
  (smallest p first) with variable and direction: the tests that drove its score.

References
----------
Venet D, Doffagne E, Burzykowski T, et al. (2012). A statistical approach to central monitoring of data quality
in clinical trials. Clinical Trials 9(6):705-713. doi:10.1177/1740774512447898
Trotta L, Kabeya Y, Buyse M, et al. (2019). Detection of atypical data in multicenter clinical trials using
unsupervised statistical monitoring. Clinical Trials 16(5):512-522. doi:10.1177/1740774519862564
Benjamini Y, Bogomolov M (2014). Selective inference on multiple families of hypotheses. Journal of the Royal
Statistical Society B 76(1):297-318. doi:10.1111/rssb.12028
Simes RJ (1986). An improved Bonferroni procedure for multiple tests of significance. Biometrika 73(3):751-754.
doi:10.1093/biomet/73.3.751
Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate: a practical and powerful approach to
multiple testing. Journal of the Royal Statistical Society B 57(1):289-300. doi:10.1111/j.2517-6161.1995.tb02031.x
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from opencro.stats.csm.pvalues import LN10, TestBlock
from opencro.stats.csm.results import SiteScore, SiteTest


def benjamini_hochberg_log(log_p: np.ndarray) -> np.ndarray:
    """Log of the BH-adjusted p-values: q_(i) = min over j >= i of m p_(j) / j, capped at 1."""
    log_p = np.asarray(log_p, dtype=np.float64)
    m = len(log_p)
    if not m:
        return log_p.copy()
    order = np.argsort(log_p, kind="stable")
    scaled = log_p[order] + np.log(m) - np.log(np.arange(1, m + 1))
    adjusted = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 0.0)
    out = np.empty(m)
    out[order] = adjusted
    return out


def _float(value: object) -> float:
    return float(value)  # type: ignore[arg-type]


def site_tests(blocks: Sequence[TestBlock], labels: Sequence[str]) -> list[SiteTest]:
    """Every valid (site, test) of the blocks as `SiteTest` rows, BH q-values over all of them."""
    picked = [(block, np.flatnonzero(block.valid)) for block in blocks]
    log_p = np.concatenate([block.log_p[sites] for block, sites in picked]) if picked else np.zeros(0)
    log_q = benjamini_hochberg_log(log_p)
    rows: list[SiteTest] = []
    at = 0
    for block, sites in picked:
        for s in sites:
            rows.append(
                SiteTest(
                    site=labels[int(s)],
                    test=block.test,
                    variable=block.variable,
                    statistic=_float(block.statistic[s]),
                    df=tuple(float(v) for v in block.df[s]),
                    pvalue=float(np.exp(log_p[at])),
                    log10_pvalue=float(log_p[at] / LN10),
                    qvalue=float(np.exp(log_q[at])),
                    direction=str(block.direction[s]),
                    estimate=_float(block.estimate[s]),
                    reference=_float(block.reference[s]),
                    n_site=int(block.n_site[s]),
                    n_rest=int(block.n_rest[s]),
                    method=block.method,
                )
            )
            at += 1
    return rows


def simes_by_site(sites: np.ndarray, log_p: np.ndarray, n_sites: int) -> np.ndarray:
    """Log of Simes' combined p-value min_i m p_(i) / i per site, from the (site code, log p) of every test
    (0 for a site without tests)."""
    sites = np.asarray(sites, dtype=np.int64)
    log_p = np.asarray(log_p, dtype=np.float64)
    out = np.zeros(n_sites)
    if not len(sites):
        return out
    order = np.lexsort((log_p, sites))
    s, lp = sites[order], log_p[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    counts = np.diff(np.r_[starts, len(s)])
    rank = np.arange(len(s)) - np.repeat(starts, counts) + 1
    adjusted = lp + np.log(np.repeat(counts, counts)) - np.log(rank)
    out[s[starts]] = np.minimum(np.minimum.reduceat(adjusted, starts), 0.0)
    return out


def block_site_log_p(blocks: Sequence[TestBlock], n_sites: int) -> np.ndarray:
    """Simes log p per site straight from the test blocks (no `SiteTest` rows built)."""
    sites = [np.flatnonzero(block.valid) for block in blocks]
    codes = np.concatenate(sites) if sites else np.zeros(0, dtype=np.int64)
    log_p = np.concatenate([block.log_p[s] for block, s in zip(blocks, sites, strict=True)]) if sites else codes
    return simes_by_site(codes, log_p, n_sites)


def rank_sites(
    tests: Sequence[SiteTest],
    labels: Sequence[str],
    records: np.ndarray,
    subjects: np.ndarray,
    fdr: float,
    top: int,
) -> tuple[SiteScore, ...]:
    """Scores, counts, site-level p and q, and top tests per site, ranked (sites without a test score 0, last)."""
    by_site: dict[str, list[SiteTest]] = {label: [] for label in labels}
    for row in tests:
        by_site[row.site].append(row)
    code = {label: s for s, label in enumerate(labels)}
    site_log_p = simes_by_site(
        np.array([code[row.site] for row in tests], dtype=np.int64),
        np.array([row.log10_pvalue * LN10 for row in tests]),
        len(labels),
    )
    site_log_q = benjamini_hochberg_log(site_log_p)
    unranked = []
    for s, label in enumerate(labels):
        own = sorted(by_site[label], key=lambda row: (row.log10_pvalue, row.test, row.variable or ""))
        score = float(-np.mean([row.log10_pvalue for row in own])) if own else 0.0
        significant = sum(row.qvalue <= fdr for row in own)
        unranked.append((score, significant, label, s, tuple(own[:top]), len(own)))
    unranked.sort(key=lambda item: (-item[0], -item[1], item[2]))
    return tuple(
        SiteScore(
            site=label,
            rank=rank,
            score=score,
            n_records=int(records[s]),
            n_subjects=int(subjects[s]),
            n_tests=n_tests,
            n_significant=int(significant),
            site_pvalue=float(np.exp(site_log_p[s])),
            site_qvalue=float(np.exp(site_log_q[s])),
            flagged=bool(site_log_q[s] <= np.log(fdr)),
            top=shown,
        )
        for rank, (score, significant, label, s, shown, n_tests) in enumerate(unranked, start=1)
    )
