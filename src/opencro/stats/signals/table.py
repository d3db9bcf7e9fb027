"""All signal measures of every product-event pair of a report database, in one table (`detect_signals`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from opencro.stats.signals.bcpnn import information_component
from opencro.stats.signals.counts import count_pairs
from opencro.stats.signals.disproportionality import (
    chi_square_yates,
    proportional_reporting_ratio,
    reporting_odds_ratio,
)
from opencro.stats.signals.errors import SignalInputError
from opencro.stats.signals.gps import GammaMixturePrior, compress, eb_scores, fit_gamma_mixture

COLUMNS = (
    "product",
    "event",
    "n",
    "expected",
    "prr",
    "prr_lower",
    "prr_upper",
    "chi2",
    "ror",
    "ror_lower",
    "ror_upper",
    "ic",
    "ic025",
    "ebgm",
    "eb05",
    "eb95",
)


@dataclass(frozen=True)
class SignalTable:
    """One row per product-event pair with n >= min_count (columns `COLUMNS`, sorted by product then event).

    ``n_reports`` counts distinct reports; ``n_pairs`` the distinct pairs before the ``min_count`` filter; ``prior``
    is the gamma-mixture prior fitted on all pairs (N >= 1).
    """

    table: pd.DataFrame
    prior: GammaMixturePrior
    n_reports: int
    n_pairs: int


def _check(reports: pd.DataFrame, columns: dict[str, str | None], min_count: int) -> None:
    if not isinstance(reports, pd.DataFrame):
        raise SignalInputError("reports", "must be a pandas DataFrame")
    if isinstance(min_count, bool) or not isinstance(min_count, int | np.integer) or min_count < 1:
        raise SignalInputError("min_count", f"must be a positive integer, not {min_count!r}")
    for argument, column in columns.items():
        if column is not None and column not in reports.columns:
            raise SignalInputError(argument, f"column {column!r} is not in the data")
    if len(reports) == 0:
        raise SignalInputError("reports", "the data has no rows")


def detect_signals(
    reports: pd.DataFrame,
    *,
    report_col: str = "report",
    product_col: str = "product",
    event_col: str = "event",
    strata_col: str | None = None,
    min_count: int = 1,
    progress: Callable[[str, float], None] | None = None,
) -> SignalTable:
    """PRR, chi-square, ROR, IC and the GPS scores of every product-event pair of report-product-event rows.

    Parameters
    ----------
    reports : pandas.DataFrame
        One row per report, product and event (repeats allowed: every count is of distinct reports).
    report_col, product_col, event_col : str
        Column names of the report identifier, the product and the event.
    strata_col : str, optional
        A column of strata (e.g. sex, age band): then ``expected`` is the sum over strata of n_i.s n_.js / n_..s
        (the GPS and IC use it). PRR, chi-square and ROR stay the crude (unstratified) 2x2 statistics.
    min_count : int
        Rows are reported for pairs with at least this many reports; the prior is still fitted on all pairs.
    progress : callable, optional
        Called as ``progress(stage, fraction_done)`` with the stages, in order, "counts", "prior fit",
        "disproportionality" and "posterior".

    Returns
    -------
    SignalTable

    Notes
    -----
    Counts follow openEBGM's ``processRaw`` (see `opencro.stats.signals.counts`). The prior is fitted on every pair
    with N >= 1 by the zero-truncated likelihood (openEBGM ``autoHyper(..., squashed = FALSE)``), exactly (no data
    squashing). IC uses the same ``expected`` as the GPS. ``prr``/``ror`` and their limits are inf or nan where a
    2x2 cell is empty (no continuity correction); ``chi2`` is Yates-corrected as in Evans et al. (2001).

    References
    ----------
    DuMouchel W (1999). The American Statistician 53(3):177-190. doi:10.1080/00031305.1999.10474456

    Evans SJW, Waller PC, Davis S (2001). Pharmacoepidemiology and Drug Safety 10(6):483-486. doi:10.1002/pds.677

    Noren GN, Bate A, Orre R, Edwards IR (2006). Statistics in Medicine 25(21):3740-3757. doi:10.1002/sim.2473

    van Puijenbroek EP et al. (2002). Pharmacoepidemiology and Drug Safety 11(1):3-10. doi:10.1002/pds.668

    Canida T, Ihrie J (2017). The R Journal 9(2):499-519. doi:10.32614/RJ-2017-063
    """
    _check(
        reports,
        {"report_col": report_col, "product_col": product_col, "event_col": event_col, "strata_col": strata_col},
        min_count,
    )
    step = progress or (lambda stage, fraction: None)
    counts = count_pairs(
        reports,
        report_col=report_col,
        product_col=product_col,
        event_col=event_col,
        strata_col=strata_col,
        progress=step,
    )
    points = compress(counts.n, counts.expected)
    prior = fit_gamma_mixture(points.n, points.expected, points.weight, progress=step)

    keep = np.flatnonzero(counts.n >= min_count) if min_count > 1 else slice(None)
    n = counts.n[keep]
    margins = (n, counts.n_product[keep], counts.n_event[keep], counts.n_reports)
    step("disproportionality", 0.0)
    prr = proportional_reporting_ratio(*margins)
    chi2 = chi_square_yates(*margins)
    step("disproportionality", 0.5)
    ror = reporting_odds_ratio(*margins)
    expected = counts.expected[keep]
    ic = information_component(n, expected)
    step("disproportionality", 1.0)

    # posterior scores depend on (N, E) only: compute them once per distinct point of the kept pairs
    used = np.zeros(len(points.n), dtype=bool)
    used[points.index[keep]] = True
    wanted = np.flatnonzero(used)
    where = np.full(len(points.n), -1, dtype=np.int64)
    where[wanted] = np.arange(len(wanted))
    step("posterior", 0.0)
    scores = eb_scores(prior.theta(), points.n[wanted], points.expected[wanted])
    lookup = where[points.index[keep]]
    step("posterior", 1.0)

    table = pd.DataFrame(
        {
            "product": counts.product_labels[counts.product[keep]],
            "event": counts.event_labels[counts.event[keep]],
            "n": n,
            "expected": expected,
            "prr": prr.estimate,
            "prr_lower": prr.lower,
            "prr_upper": prr.upper,
            "chi2": chi2,
            "ror": ror.estimate,
            "ror_lower": ror.lower,
            "ror_upper": ror.upper,
            "ic": ic.ic,
            "ic025": ic.lower,
            "ebgm": scores.ebgm[lookup],
            "eb05": scores.eb05[lookup],
            "eb95": scores.eb95[lookup],
        },
        columns=list(COLUMNS),
    )
    return SignalTable(table=table, prior=prior, n_reports=counts.n_reports, n_pairs=len(counts.n))
