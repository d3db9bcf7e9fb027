"""What central statistical monitoring returns: one row per test of a site, one score per site, the whole run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

TESTS = ("digits", "variance", "mean", "multivariate", "weekday", "duplicates")


@dataclass(frozen=True)
class SiteTest:
    """One test of one site against the rest of the sites.

    `test` is one of `TESTS`; `variable` the variable or date column it looked at (None for the tests of whole
    records: multivariate, duplicates). `estimate` and `reference` are the site's and the rest's value of what was
    compared (terminal-digit share of the `direction` digit, variance, mean, mean log squared Mahalanobis distance,
    weekday share, duplicate share). `log10_pvalue` stays finite where `pvalue` underflows to 0; `qvalue` is the
    Benjamini-Hochberg adjusted p-value over all tests of all sites.
    """

    site: str
    test: str
    variable: str | None
    statistic: float
    df: tuple[float, ...]
    pvalue: float
    log10_pvalue: float
    qvalue: float
    direction: str
    estimate: float
    reference: float
    n_site: int
    n_rest: int
    method: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SiteScore:
    """A site's place in the ranking: its score, counts, site-level p and q, and the tests that drove its score
    (smallest p-values first).

    `n_significant` counts the site's tests whose q-value (BH over all tests of all sites) is at most the FDR;
    `site_pvalue` is the Simes combination of the site's p-values and `site_qvalue` its BH adjustment over the
    sites; `flagged` is `site_qvalue` at most the FDR (see `combine`).
    """

    site: str
    rank: int
    score: float
    n_records: int
    n_subjects: int
    n_tests: int
    n_significant: int
    site_pvalue: float
    site_qvalue: float
    flagged: bool
    top: tuple[SiteTest, ...]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MultivariateSummary:
    """The Mahalanobis step: records with every variable present, the rank of their covariance (the degrees of
    freedom of the distances) and the variables left out for having no variance."""

    n_complete: int
    rank: int
    excluded: tuple[str, ...] = ()


@dataclass(frozen=True)
class CsmResult:
    """A run of central statistical monitoring: sites ranked by score, and every test of every site.

    `reference_excluded` names the sites taken out of every site's reference (the rest it is compared with)
    because they were flagged (`reference.clean_reference_sites`); `as_dict` leaves out `tests` (all of them
    can be many thousands; each site carries its top ones).
    """

    sites: tuple[SiteScore, ...]
    tests: tuple[SiteTest, ...]
    variables: tuple[str, ...]
    date_columns: tuple[str, ...]
    fdr: float
    n_records: int
    n_chunks: int
    multivariate: MultivariateSummary | None
    reference_excluded: tuple[str, ...] = ()
    method: str = field(
        default="site vs rest (flagged sites taken out of the rest); Benjamini-Hochberg over all tests and over "
        "sites (Simes); score = -log10 geometric mean p"
    )

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "fdr": self.fdr,
            "variables": list(self.variables),
            "date_columns": list(self.date_columns),
            "n_records": self.n_records,
            "n_sites": len(self.sites),
            "n_tests": len(self.tests),
            "multivariate": None if self.multivariate is None else asdict(self.multivariate),
            "reference_excluded": list(self.reference_excluded),
            "sites": [site.as_dict() for site in self.sites],
        }
