"""Enrolment forecasting with the Poisson-gamma recruitment model (pure, no I/O).

Each site recruits as a Poisson process whose rate (subjects per site per month) is gamma distributed across sites
(Anisimov & Fedorov 2007, Statistics in Medicine 26:4958-4975, doi:10.1002/sim.2956; Anisimov 2011,
Communications in Statistics - Theory and Methods 40:3684-3699). Time unit: months.

- `RatePrior`: a site's Gamma(shape, rate) rate distribution, from a mean rate and coefficient of variation;
  `rate_posterior`: its conjugate update from a site's observed recruitment (`poisson_gamma`).
- `count_by_time` / `time_to_target`: closed forms for sites all active now, negative binomial counts
  (`CountDistribution`) and scaled beta-prime times (`TimeDistribution`) (`poisson_gamma`).
- `fit_rate_prior`: the Gamma prior estimated by maximum likelihood from past trials' totals (`PastTrial`:
  recruited, sites, months, e.g. from ClinicalTrials.gov records), giving a `PriorFit` (`fitting`).
- `forecast`: Monte Carlo forecast for sites opening at different months (`SitePlan`), giving a `Forecast` of
  the time to target and the recruits by a horizon (`Summary`); `add_sites` for what-if plans (`simulation`).

Bad arguments raise `DesignInputError(parameter, message)`.
"""

from opencro.stats.design.errors import DesignInputError
from opencro.stats.recruitment.fitting import PastTrial, PriorFit, fit_rate_prior
from opencro.stats.recruitment.poisson_gamma import (
    CountDistribution,
    RatePrior,
    TimeDistribution,
    count_by_time,
    rate_posterior,
    time_to_target,
)
from opencro.stats.recruitment.simulation import Forecast, SitePlan, Summary, add_sites, forecast

__all__ = [
    "CountDistribution",
    "DesignInputError",
    "Forecast",
    "PastTrial",
    "PriorFit",
    "RatePrior",
    "SitePlan",
    "Summary",
    "TimeDistribution",
    "add_sites",
    "count_by_time",
    "fit_rate_prior",
    "forecast",
    "rate_posterior",
    "time_to_target",
]
