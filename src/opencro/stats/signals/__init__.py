"""Disproportionality and empirical-Bayes signal detection on report databases (pure).

- `detect_signals`: every measure of every product-event pair of report-product-event rows, as a `SignalTable`
  (`table`); counts of distinct reports as openEBGM's ``processRaw`` (`counts`).
- PRR and ROR with log-normal intervals, Yates' chi-square and Evans' rule (`disproportionality`).
- The shrunk information component IC with its gamma credibility limits (`bcpnn`).
- `screen_signals`: which pairs of such a table are candidates under `Thresholds` (Evans, EB05, IC025).
- DuMouchel's gamma-Poisson shrinker: `GammaMixturePrior` fitted by zero-truncated maximum likelihood, EBGM, EB05,
  EB95 (`gps`).

Bad input raises `SignalInputError` (a ValueError) naming the argument or column.
"""

from opencro.stats.signals.bcpnn import InformationComponent, information_component
from opencro.stats.signals.counts import PairCounts, count_pairs
from opencro.stats.signals.disproportionality import (
    RatioEstimate,
    chi_square_yates,
    evans_signal,
    proportional_reporting_ratio,
    reporting_odds_ratio,
)
from opencro.stats.signals.errors import SignalInputError
from opencro.stats.signals.gps import (
    EmpiricalBayesScores,
    GammaMixturePrior,
    eb_scores,
    ebgm,
    fit_gamma_mixture,
    negative_log_likelihood,
    posterior_quantile,
    posterior_weight,
)
from opencro.stats.signals.screening import CRITERIA, Screening, Thresholds, screen_signals
from opencro.stats.signals.table import COLUMNS, SignalTable, detect_signals

__all__ = [
    "COLUMNS",
    "CRITERIA",
    "EmpiricalBayesScores",
    "GammaMixturePrior",
    "InformationComponent",
    "PairCounts",
    "RatioEstimate",
    "Screening",
    "SignalInputError",
    "SignalTable",
    "Thresholds",
    "chi_square_yates",
    "count_pairs",
    "detect_signals",
    "eb_scores",
    "ebgm",
    "evans_signal",
    "fit_gamma_mixture",
    "information_component",
    "negative_log_likelihood",
    "posterior_quantile",
    "posterior_weight",
    "proportional_reporting_ratio",
    "reporting_odds_ratio",
    "screen_signals",
]
