"""Frequentist disproportionality measures of a 2x2 table: PRR, ROR (log-normal CIs), Yates' chi-square, Evans' rule.

The table of a product-event pair, in distinct reports (see `counts`)::

                    event j     other events
    product i         a=n          b=n_i.-n
    other products    c=n_.j-n     d=n..-n_i.-n_.j+n

No continuity correction is applied: a zero in b, c or d gives an infinite or undefined ratio (inf or nan), never a
made-up value; the CLI shows these as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri


@dataclass(frozen=True)
class RatioEstimate:
    """A ratio measure per pair with its two-sided confidence limits (arrays of one shape)."""

    estimate: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    level: float
    method: str


def _cells(n, n_product, n_event, n_reports) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    a = np.asarray(n, dtype=np.float64)
    b = np.asarray(n_product, dtype=np.float64) - a
    c = np.asarray(n_event, dtype=np.float64) - a
    d = np.asarray(n_reports, dtype=np.float64) - a - b - c
    return a, b, c, d


def _lognormal(estimate: np.ndarray, variance: np.ndarray, level: float, method: str) -> RatioEstimate:
    z = float(ndtri(0.5 + level / 2.0))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        half = z * np.sqrt(variance)
        return RatioEstimate(estimate, estimate * np.exp(-half), estimate * np.exp(half), level, method)


def proportional_reporting_ratio(n, n_product, n_event, n_reports, level: float = 0.95) -> RatioEstimate:
    """PRR = [a/(a+b)] / [c/(c+d)] with the log-normal interval exp(+-z se), se^2 = 1/a - 1/(a+b) + 1/c - 1/(c+d).

    References
    ----------
    Evans SJW, Waller PC, Davis S (2001). Use of proportional reporting ratios (PRRs) for signal generation from
    spontaneous adverse drug reaction reports. Pharmacoepidemiology and Drug Safety 10(6):483-486.
    doi:10.1002/pds.677
    """
    a, b, c, d = _cells(n, n_product, n_event, n_reports)
    with np.errstate(divide="ignore", invalid="ignore"):
        prr = (a / (a + b)) / (c / (c + d))
        variance = 1.0 / a - 1.0 / (a + b) + 1.0 / c - 1.0 / (c + d)
    return _lognormal(prr, variance, level, "PRR, log-normal CI (Evans et al. 2001)")


def reporting_odds_ratio(n, n_product, n_event, n_reports, level: float = 0.95) -> RatioEstimate:
    """ROR = ad / (bc) with Woolf's log-normal interval exp(+-z se), se^2 = 1/a + 1/b + 1/c + 1/d.

    References
    ----------
    van Puijenbroek EP, Bate A, Leufkens HGM, Lindquist M, Orre R, Egberts ACG (2002). A comparison of measures of
    disproportionality for signal detection in spontaneous reporting systems for adverse drug reactions.
    Pharmacoepidemiology and Drug Safety 11(1):3-10. doi:10.1002/pds.668

    Rothman KJ, Lanes S, Sacks ST (2004). The reporting odds ratio and its advantages over the proportional
    reporting ratio. Pharmacoepidemiology and Drug Safety 13(8):519-523. doi:10.1002/pds.1001
    """
    a, b, c, d = _cells(n, n_product, n_event, n_reports)
    with np.errstate(divide="ignore", invalid="ignore"):
        ror = (a * d) / (b * c)
        variance = 1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d
    return _lognormal(ror, variance, level, "ROR, Woolf log-normal CI (van Puijenbroek et al. 2002)")


def chi_square_yates(n, n_product, n_event, n_reports) -> np.ndarray:
    """Pearson's chi-square of the 2x2 table with Yates' continuity correction (1 df), as in Evans et al. (2001).

    chi2 = n.. (max(|ad - bc| - n../2, 0))^2 / [(a+b)(c+d)(a+c)(b+d)]; nan when a margin is empty.

    References
    ----------
    Evans SJW, Waller PC, Davis S (2001). Pharmacoepidemiology and Drug Safety 10(6):483-486. doi:10.1002/pds.677

    Yates F (1934). Contingency tables involving small numbers and the chi-square test. Supplement to the Journal of
    the Royal Statistical Society 1(2):217-235. doi:10.2307/2983604
    """
    a, b, c, d = _cells(n, n_product, n_event, n_reports)
    total = np.asarray(n_reports, dtype=np.float64)
    excess = np.maximum(np.abs(a * d - b * c) - total / 2.0, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return total * excess * excess / ((a + b) * (c + d) * (a + c) * (b + d))


def evans_signal(prr, chi2, n) -> np.ndarray:
    """Evans' screening rule: PRR >= 2, chi-square (Yates) >= 4 and at least 3 reports.

    References
    ----------
    Evans SJW, Waller PC, Davis S (2001). Pharmacoepidemiology and Drug Safety 10(6):483-486. doi:10.1002/pds.677
    """
    with np.errstate(invalid="ignore"):
        return (np.asarray(prr) >= 2.0) & (np.asarray(chi2) >= 4.0) & (np.asarray(n) >= 3)
