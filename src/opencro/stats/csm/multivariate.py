"""Multivariate outliers and inliers: each record's Mahalanobis distance from the study's mean, compared by site.

A site's records may each look plausible variable by variable yet sit too far from the centre of the study's
multivariate cloud (errors, another population) or too close to it: invented data built from "typical" values are
too perfect, the inliers of Kirkwood et al. (2013) (their figure of fabricated patients close to the multivariate
mean). Two passes over the data:

1. the mean vector and covariance matrix (divisor n - 1, as R's ``cov``) of the complete records (every monitored
   variable present), merged chunk by chunk (`moments`);
2. each complete record's squared distance D^2 = (x - m)' S^+ (x - m) (R ``mahalanobis``; S^+ the pseudo-inverse
   over the eigenvalues above 1e-10 of the largest, so constant or collinear variables lose nothing but a degree of
   freedom), then per site n, mean and M2 of log D^2.

The site test is Welch's t test of the site's mean log D^2 against the rest's (`location.welch_t`), two-sided:
"outliers" when the site's records are farther from the centre than the others', "inliers" when closer. The log
makes D^2 (chi-square-like, right-skewed) nearly symmetric, the scale Zink et al. (2018) use to look at small
distances, and the comparison with the rest rather than with chi-square quantiles keeps it valid when the variables
are not multivariate normal. Memory: p means and a p x p matrix; no distance is kept.

Complete cases, not pairwise-complete covariance: a pairwise-complete matrix need not be positive semi-definite,
and a record's distance over only its present variables has other degrees of freedom than its neighbours'; records
with a missing variable are left out of this one test (they still count in every univariate test).

References
----------
Kirkwood AA, Cox T, Hackshaw A (2013). Application of methods for central statistical monitoring in clinical
trials. Clinical Trials 10(5):783-806. doi:10.1177/1740774513494504
Venet D, Doffagne E, Burzykowski T, et al. (2012). A statistical approach to central monitoring of data quality
in clinical trials. Clinical Trials 9(6):705-713. doi:10.1177/1740774512447898
Zink RC, Castro-Schilo L, Ding J (2018). Understanding the influence of individual variables contributing to
multivariate outliers in assessments of data quality. Pharmaceutical Statistics 17(6):846-853. doi:10.1002/pst.1903
Mahalanobis PC (1936). On the generalised distance in statistics. Proceedings of the National Institute of
Sciences of India 2(1):49-55.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from opencro.stats.csm.location import welch_t
from opencro.stats.csm.moments import Moments
from opencro.stats.csm.pvalues import TestBlock

EIGEN_TOLERANCE = 1e-10
METHOD = "Welch t test of log squared Mahalanobis distance (complete records), site vs rest"


class CovarianceAccumulator:
    """Mean and sum of cross-products of deviations of complete records, merged block by block (Chan et al. 1983)."""

    def __init__(self, n_variables: int) -> None:
        self.n = 0
        self.mean = np.zeros(n_variables)
        self.m2 = np.zeros((n_variables, n_variables))

    def add(self, values: np.ndarray) -> None:
        complete = values[~np.isnan(values).any(axis=1)]
        n_b = len(complete)
        if not n_b:
            return
        mean_b = complete.mean(axis=0)
        centred = complete - mean_b
        m2_b = centred.T @ centred
        n = self.n + n_b
        delta = mean_b - self.mean
        self.mean = self.mean + delta * (n_b / n)
        self.m2 = self.m2 + m2_b + np.outer(delta, delta) * (self.n * n_b / n)
        self.n = n

    @property
    def covariance(self) -> np.ndarray:
        return self.m2 / (self.n - 1)


@dataclass(frozen=True)
class Whitening:
    """x -> (x - mean) @ matrix gives coordinates whose squared length is the Mahalanobis D^2 (of rank `rank`)."""

    mean: np.ndarray
    matrix: np.ndarray

    @property
    def rank(self) -> int:
        return int(self.matrix.shape[1])

    def squared_distances(self, values: np.ndarray) -> np.ndarray:
        """D^2 of each row; NaN for a row with a missing value."""
        y = (values - self.mean) @ self.matrix
        return np.einsum("ij,ij->i", y, y)


def whitening(mean: np.ndarray, covariance: np.ndarray) -> Whitening:
    """The pseudo-inverse square root of the covariance over its eigenvalues above 1e-10 of the largest."""
    eigenvalues, vectors = np.linalg.eigh(covariance)
    largest = eigenvalues.max() if len(eigenvalues) else 0.0
    keep = eigenvalues > EIGEN_TOLERANCE * largest if largest > 0 else np.zeros(len(eigenvalues), dtype=bool)
    return Whitening(mean, vectors[:, keep] / np.sqrt(eigenvalues[keep]))


def log_distance_moments(codes: np.ndarray, values: np.ndarray, whiten: Whitening, n_sites: int) -> Moments:
    """Per site n, mean and M2 of log D^2 over the block's complete records (a D^2 of 0 counts as the smallest
    positive double, so an exact copy of the mean is an extreme inlier rather than undefined)."""
    d2 = whiten.squared_distances(values)
    present = ~np.isnan(d2)
    log_d2 = np.log(np.maximum(d2[present], np.finfo(np.float64).tiny))
    site = codes[present]
    n = np.bincount(site, minlength=n_sites).astype(np.float64)
    total = np.bincount(site, weights=log_d2, minlength=n_sites)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, total / n, 0.0)
    deviation = log_d2 - mean[site]
    m2 = np.bincount(site, weights=deviation * deviation, minlength=n_sites)
    return Moments(n[:, None], mean[:, None], m2[:, None])


def distance_test(site: Moments, min_records: int, reference: np.ndarray | None = None) -> TestBlock:
    """The multivariate `TestBlock` from per-site moments of log D^2 (sites x 1), each site against the other sites
    of `reference` (all by default)."""
    rest = site.rest(reference)
    t, df, log_p, valid = welch_t(site, rest, min_records)
    return TestBlock(
        test="multivariate",
        variable=None,
        statistic=t[:, 0],
        df=df,
        log_p=log_p[:, 0],
        direction=np.where(t[:, 0] > 0, "outliers", "inliers"),
        estimate=site.mean[:, 0],
        reference=rest.mean[:, 0],
        n_site=site.n[:, 0],
        n_rest=rest.n[:, 0],
        valid=valid[:, 0],
        method=METHOD,
    )
