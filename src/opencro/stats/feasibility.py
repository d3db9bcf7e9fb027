"""Site feasibility scoring: historical enrolment rates aggregated while rows stream, shrunk toward the country.

Pure (numpy, no Django, no I/O). Three parts:

- `HistoryAggregator` takes historical site rows (one per trial x facility, e.g. from ClinicalTrials.gov) in
  chunks and keeps only per-facility and per-country sums, so memory grows with the number of facilities, never
  with the number of rows. `finish()` gives a `History`: each facility's raw and shrunk enrolment rate, each
  country's median, and the count of competing recruiting trials per country and per city.
- `shrink_rates`: empirical-Bayes shrinkage of Poisson rates toward their group's mean (Marshall 1991), the
  posterior mean of the Poisson-gamma model of site recruitment (Anisimov & Fedorov 2007).
- `question_points`, `Component` and `weighted_score`: a feasibility score as a weighted sum of components, each
  a fraction in [0, 1] with the reason it got that fraction.

References
----------
Anisimov VV, Fedorov VV (2007). Modelling, prediction and adaptive adjustment of recruitment in multicentre
trials. Statistics in Medicine 26(27):4958-4975. doi:10.1002/sim.2956
Marshall RJ (1991). Mapping disease and mortality rates using empirical Bayes estimators. Journal of the Royal
Statistical Society, Series C (Applied Statistics) 40(2):283-294. doi:10.2307/2347593
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

REFERENCES = (
    "Anisimov VV, Fedorov VV (2007). Statistics in Medicine 26(27):4958-4975. doi:10.1002/sim.2956",
    "Marshall RJ (1991). Applied Statistics 40(2):283-294. doi:10.2307/2347593",
)
NEUTRAL = 0.5  # the fraction of a component without data: neither rewarded nor penalised


# -- shrinkage -------------------------------------------------------------------------------------------------


def shrink_rates(
    recruited: np.ndarray, months: np.ndarray, groups: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Empirical-Bayes rates: each unit's rate pulled toward its group's mean by its exposure.

    Parameters
    ----------
    recruited, months : per unit (facility), the participants recruited and the site-months of exposure.
    groups : per unit, its group (country) index in ``range(n_groups)``.

    Returns
    -------
    shrunk : per unit, ``m + C (r - m)`` with ``r = K / T``, ``C = v / (v + m / T)``.
    mean, variance : per group, the pooled rate ``m = sum K / sum T`` and the between-unit variance of the true
        rates ``v = s2 - m / (sum T / n)``, ``s2 = sum T (r - m)^2 / sum T`` (0 when negative: every unit at m).

    Notes
    -----
    Marshall's (1991) global moment estimator for Poisson counts with exposure. With a Gamma(a, b) law of the true
    rates matching m and v (a = m^2 / v, b = m / v), the shrunk rate is the posterior mean (a + K) / (b + T) of
    the Poisson-gamma recruitment model (Anisimov & Fedorov 2007). Units with no exposure get the group mean.

    References
    ----------
    Marshall RJ (1991). Mapping disease and mortality rates using empirical Bayes estimators. Applied Statistics
    40(2):283-294. doi:10.2307/2347593
    Anisimov VV, Fedorov VV (2007). Statistics in Medicine 26(27):4958-4975. doi:10.1002/sim.2956
    """
    k = np.asarray(recruited, dtype=float)
    t = np.asarray(months, dtype=float)
    g = np.asarray(groups, dtype=np.int64)
    exposed = t > 0
    n = np.bincount(g[exposed], minlength=n_groups).astype(float)
    sum_k = np.bincount(g, weights=np.where(exposed, k, 0.0), minlength=n_groups)
    sum_t = np.bincount(g, weights=np.where(exposed, t, 0.0), minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(sum_t > 0, sum_k / sum_t, np.nan)
        # sum T (r - m)^2 = sum K^2 / T - 2 m sum K + m^2 sum T, from the units' sums alone
        k2_t = np.bincount(g, weights=np.where(exposed, k * k / np.where(exposed, t, 1.0), 0.0), minlength=n_groups)
        s2 = np.where(sum_t > 0, (k2_t - 2 * mean * sum_k + mean * mean * sum_t) / sum_t, np.nan)
        variance = np.where(sum_t > 0, np.maximum(s2 - mean / (sum_t / np.maximum(n, 1.0)), 0.0), np.nan)
        m_unit, v_unit = mean[g], variance[g]
        weight = np.where(v_unit > 0, v_unit / (v_unit + m_unit / np.where(exposed, t, 1.0)), 0.0)
        raw = np.where(exposed, k / np.where(exposed, t, 1.0), m_unit)
    shrunk = np.where(exposed, m_unit + weight * (raw - m_unit), m_unit)
    return shrunk, mean, variance


# -- streaming aggregation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacilityHistory:
    """What the history says of one facility."""

    key: str
    country: str
    city: str
    trials: int  # rows of this facility (trials it took part in)
    rate_trials: int  # of which with an actual enrolment and a recruitment period
    recruited: float  # participants attributed to it: each trial's enrolment / its number of sites
    months: float  # site-months of exposure
    rate: float | None  # recruited / months
    shrunk_rate: float | None  # toward the country (see shrink_rates)


@dataclass(frozen=True)
class CountryHistory:
    country: str
    facilities: int  # with a rate
    mean_rate: float | None
    between_variance: float | None
    median_rate: float | None  # median of the facilities' shrunk rates
    competing_trials: int  # recruiting trials for the condition with a site in the country


@dataclass
class History:
    """The finished aggregation (see `HistoryAggregator.finish`)."""

    keys: list[str]
    countries: list[str]
    facility_country: np.ndarray
    facility_city: list[str]
    trials: np.ndarray
    rate_trials: np.ndarray
    recruited: np.ndarray
    months: np.ndarray
    shrunk: np.ndarray
    country_mean: np.ndarray
    country_variance: np.ndarray
    country_median: np.ndarray
    country_facilities: np.ndarray
    competing_country: dict[str, int]
    competing_city: dict[tuple[str, str], int]
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def facility(self, key: str) -> FacilityHistory | None:
        i = self._index.get(key)
        if i is None:
            return None
        months = float(self.months[i])
        return FacilityHistory(
            key=key,
            country=self.countries[self.facility_country[i]],
            city=self.facility_city[i],
            trials=int(self.trials[i]),
            rate_trials=int(self.rate_trials[i]),
            recruited=float(self.recruited[i]),
            months=months,
            rate=float(self.recruited[i] / months) if months > 0 else None,
            shrunk_rate=_number(self.shrunk[i]) if months > 0 else None,
        )

    def country(self, name: str) -> CountryHistory:
        competing = self.competing_country.get(name, 0)
        try:
            c = self.countries.index(name)
        except ValueError:
            return CountryHistory(name, 0, None, None, None, competing)
        return CountryHistory(
            country=name,
            facilities=int(self.country_facilities[c]),
            mean_rate=_number(self.country_mean[c]),
            between_variance=_number(self.country_variance[c]),
            median_rate=_number(self.country_median[c]),
            competing_trials=competing,
        )

    def competing(self, country: str, city: str) -> int:
        """Recruiting trials for the condition with a site in this city (case-insensitive) of this country."""
        return self.competing_city.get((country, city.casefold()), 0)

    def top_facilities(self, country: str | None = None, limit: int = 50) -> list[FacilityHistory]:
        """Facilities with a rate, best shrunk rate first (of one country when given)."""
        exposed = self.months > 0
        if country is not None:
            if country not in self.countries:
                return []
            exposed &= self.facility_country == self.countries.index(country)
        order = np.flatnonzero(exposed)
        order = order[np.argsort(-self.shrunk[order], kind="stable")][:limit]
        return [found for i in order if (found := self.facility(self.keys[i])) is not None]


def _number(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


class HistoryAggregator:
    """Per-facility and per-country sums of historical site rows, fed in chunks (constant memory in rows).

    Each row is one facility in one trial: its key (the same facility across trials), country, city, the
    participants attributed to it (the trial's actual enrolment / its number of sites, NaN when unknown), the
    trial's recruitment months (NaN when unknown), whether it is a competing trial (recruiting now for the
    condition of interest) and the trial's id (competing trials are counted once per country and city).
    """

    def __init__(self) -> None:
        self._keys: dict[str, int] = {}
        self._countries: dict[str, int] = {}
        self._key_list: list[str] = []
        self._city: list[str] = []
        self._size = 0
        self._country = np.zeros(1024, dtype=np.int64)
        self._trials = np.zeros(1024, dtype=np.int64)
        self._rate_trials = np.zeros(1024, dtype=np.int64)
        self._recruited = np.zeros(1024)
        self._months = np.zeros(1024)
        self._competing_country: set[tuple[str, object]] = set()
        self._competing_city: set[tuple[str, str, object]] = set()
        self.rows = 0

    def _grow(self, needed: int) -> None:
        capacity = len(self._trials)
        if needed <= capacity:
            return
        while capacity < needed:
            capacity *= 2
        for name in ("_country", "_trials", "_rate_trials", "_recruited", "_months"):
            old = getattr(self, name)
            new = np.zeros(capacity, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def add(
        self,
        keys: Sequence[str],
        countries: Sequence[str],
        cities: Sequence[str],
        recruited: Sequence[float] | np.ndarray,
        months: Sequence[float] | np.ndarray,
        competing: Sequence[bool] | np.ndarray | None = None,
        trial_ids: Sequence[object] | None = None,
    ) -> None:
        """Add one chunk of rows (equal-length columns)."""
        n = len(keys)
        if not (len(countries) == len(cities) == len(recruited) == len(months) == n):
            raise ValueError("every column of a chunk must have the same length")
        index = self._keys
        ids = np.empty(n, dtype=np.int64)
        new_countries: list[str] = []
        for j, key in enumerate(keys):
            i = index.get(key)
            if i is None:
                i = index[key] = len(self._key_list)
                self._key_list.append(key)
                self._city.append(cities[j])
                new_countries.append(countries[j])
            ids[j] = i
        total = len(self._key_list)
        if new_countries:
            self._grow(total)
            country_index = self._countries
            for offset, country in enumerate(new_countries, start=total - len(new_countries)):
                c = country_index.get(country)
                if c is None:
                    c = country_index[country] = len(country_index)
                self._country[offset] = c
        k = np.asarray(recruited, dtype=float)
        t = np.asarray(months, dtype=float)
        usable = ~(np.isnan(k) | np.isnan(t)) & (t > 0)
        self._trials[:total] += np.bincount(ids, minlength=total)
        self._rate_trials[:total] += np.bincount(ids[usable], minlength=total)
        self._recruited[:total] += np.bincount(ids[usable], weights=k[usable], minlength=total)
        self._months[:total] += np.bincount(ids[usable], weights=t[usable], minlength=total)
        if competing is not None:
            flags = np.asarray(competing, dtype=bool)
            if trial_ids is None:
                raise ValueError("competing rows need their trial ids (a trial counts once per place)")
            for j in np.flatnonzero(flags).tolist():
                country, trial = countries[j], trial_ids[j]
                self._competing_country.add((country, trial))
                self._competing_city.add((country, cities[j].casefold(), trial))
        self.rows += n

    def finish(self) -> History:
        """Rates per facility, shrunk toward the country, with each country's mean, variance and median."""
        total = len(self._key_list)
        countries = list(self._countries)
        n_countries = len(countries)
        group = self._country[:total]
        recruited, months = self._recruited[:total].copy(), self._months[:total].copy()
        shrunk, mean, variance = shrink_rates(recruited, months, group, n_countries)
        median = np.full(n_countries, np.nan)
        exposed = months > 0
        counts = np.bincount(group[exposed], minlength=n_countries)
        if exposed.any():
            order = np.lexsort((shrunk[exposed], group[exposed]))
            sorted_rates = shrunk[exposed][order]
            starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
            for c in np.flatnonzero(counts):
                median[c] = float(np.median(sorted_rates[starts[c] : starts[c] + counts[c]]))
        competing_country: dict[str, int] = {}
        for country, _trial in self._competing_country:
            competing_country[country] = competing_country.get(country, 0) + 1
        competing_city: dict[tuple[str, str], int] = {}
        for country, city, _trial in self._competing_city:
            competing_city[(country, city)] = competing_city.get((country, city), 0) + 1
        return History(
            keys=list(self._key_list),
            countries=countries,
            facility_country=group.copy(),
            facility_city=list(self._city),
            trials=self._trials[:total].copy(),
            rate_trials=self._rate_trials[:total].copy(),
            recruited=recruited,
            months=months,
            shrunk=shrunk,
            country_mean=mean,
            country_variance=variance,
            country_median=median,
            country_facilities=counts,
            competing_country=competing_country,
            competing_city=competing_city,
            _index=dict(self._keys),
        )


# -- scoring ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Component:
    """One part of a score: its weight, the fraction of that weight earned (None: no data) and why."""

    name: str
    weight: float
    fraction: float | None
    reason: str

    @property
    def earned(self) -> float:
        return self.weight * (NEUTRAL if self.fraction is None else self.fraction)


@dataclass(frozen=True)
class Score:
    total: float  # 0..100
    components: tuple[Component, ...]


def weighted_score(components: Sequence[Component]) -> Score:
    """100 x sum(weight x fraction) / sum(weight); a component without data counts as `NEUTRAL` (half)."""
    weights = sum(c.weight for c in components if c.weight > 0)
    for c in components:
        if c.weight < 0:
            raise ValueError(f"{c.name}: a weight cannot be negative")
        if c.fraction is not None and not 0.0 <= c.fraction <= 1.0:
            raise ValueError(f"{c.name}: a fraction lies in [0, 1], not {c.fraction}")
    total = 100.0 * sum(c.earned for c in components) / weights if weights else 0.0
    return Score(total=total, components=tuple(components))


def ratio_fraction(value: float | None, reference: float | None, *, higher_is_better: bool) -> float | None:
    """A value against a reference (a median): equal gives 0.5; twice as good or better gives 1; None without data.

    Higher is better (enrolment rate): min(value / reference / 2, 1). Lower is better (query rate, start-up
    time): max(1 - value / reference / 2, 0).
    """
    if value is None or reference is None or reference <= 0 or math.isnan(value) or math.isnan(reference):
        return None
    ratio = value / reference
    return min(ratio / 2.0, 1.0) if higher_is_better else max(1.0 - ratio / 2.0, 0.0)


def competition_fraction(in_city: int) -> float:
    """1 / (1 + competing recruiting trials in the same city): no competitor earns everything, one earns half."""
    if in_city < 0:
        raise ValueError("a count cannot be negative")
    return 1.0 / (1.0 + in_city)


@dataclass(frozen=True)
class QuestionRule:
    """How a question's answer earns points: yes/no (`yes_is_good`), number (`threshold`), or choice (`choices`)."""

    answer_type: str  # "yes_no", "number" or "choice"
    yes_is_good: bool = True
    threshold: float | None = None
    choices: tuple[tuple[str, float], ...] = ()  # (label, fraction of the points)


def question_points(rule: QuestionRule, value: str | None) -> float:
    """The fraction of a question's points an answer earns, in [0, 1]; no answer earns 0.

    yes/no: 1 for the good answer, else 0. number: 1 at or above the threshold, value / threshold below it (0 when
    negative; 1 for any value when there is no threshold > 0). choice: the chosen label's fraction (0 if unknown).
    """
    if value is None or value == "":
        return 0.0
    if rule.answer_type == "yes_no":
        yes = value.strip().lower() in {"yes", "y", "true", "1"}
        return 1.0 if yes == rule.yes_is_good else 0.0
    if rule.answer_type == "number":
        try:
            number = float(value)
        except ValueError:
            return 0.0
        if math.isnan(number) or number < 0:
            return 0.0
        if rule.threshold is None or rule.threshold <= 0:
            return 1.0
        return min(number / rule.threshold, 1.0)
    if rule.answer_type == "choice":
        for label, fraction in rule.choices:
            if label == value:
                return min(max(fraction, 0.0), 1.0)
        return 0.0
    raise ValueError(f"unknown answer type {rule.answer_type!r}")
