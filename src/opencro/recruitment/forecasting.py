"""A study's enrolment forecast from its sites' facts, in calendar dates (pure: no Django, no I/O).

Each site that is open recruits with its own rate posterior (the plan's gamma prior updated with what it enrolled
in the months since its green light); each site still in start-up recruits with the prior from its planned green
light (now, when that date has passed); sites on hold or closed add nothing more. `opencro.stats.recruitment`
does the statistics (Anisimov & Fedorov 2007); this module turns dates into months and back and lays out the
actual, planned and forecast curves on one time axis: months since the first green light (planned or actual).
"""

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from opencro.stats.recruitment import Forecast, RatePrior, SitePlan, add_sites, forecast, rate_posterior

MONTH_DAYS = 365.25 / 12
LEVELS = (0.05, 0.95)  # the 90 % intervals shown for rates
SEED = 2007  # one fixed seed: the same inputs give the same forecast on every page load


class SiteState(StrEnum):
    OPEN = "open"  # green-lit and active: recruits with its posterior
    PENDING = "pending"  # in start-up: recruits with the prior from its planned green light
    STOPPED = "stopped"  # on hold or closed: recruits no more


@dataclass(frozen=True)
class SiteFacts:
    """What the forecast needs of one site: its state, green light (actual, planned) and enrolment dates."""

    site_id: int
    number: str
    name: str
    country: str
    state: SiteState
    activated_on: dt.date | None
    planned_on: dt.date | None
    enrolled: tuple[dt.date, ...]


@dataclass(frozen=True)
class Plan:
    """The study's recruitment plan: subjects to enrol, the prior site rate and the planned last subject in."""

    target: int
    prior: RatePrior
    last_in: dt.date | None = None


@dataclass(frozen=True)
class WhatIf:
    """Add `sites` sites (prior rate) in `country`, green-lit on `on`."""

    sites: int
    on: dt.date
    country: str = ""


@dataclass(frozen=True)
class SiteRow:
    facts: SiteFacts
    enrolled: int
    months_active: float
    observed_rate: float | None  # enrolled per month active; None before the green light
    rate: RatePrior  # the posterior for a site that had a green light, the prior otherwise
    low: float
    high: float
    start: float | None  # months from the as-of date until it recruits; None: not in the forecast
    late: bool  # past its planned green light without one


@dataclass(frozen=True)
class CountryRow:
    country: str
    sites: int
    open: int
    enrolled: int
    site_months: float
    observed_rate: float | None  # per site per month
    expected_by_last_in: float | None  # enrolled now plus the posterior-mean expectation until the planned last in


@dataclass(frozen=True)
class EnrolmentForecast:
    as_of: dt.date
    origin: dt.date  # month 0 of the curves
    plan: Plan
    enrolled: int
    sites: tuple[SiteRow, ...]
    countries: tuple[CountryRow, ...]
    forecast: Forecast | None  # None when the target is reached or no site can recruit
    what_if: Forecast | None
    actual: tuple[tuple[float, float], ...]  # (month, cumulative enrolled)
    planned: tuple[tuple[float, float], ...]

    @property
    def now(self) -> float:
        """The as-of date in months since the origin."""
        return months_between(self.origin, self.as_of)

    def date_at(self, months_from_now: float) -> dt.date | None:
        """The calendar date `months_from_now` after the as-of date (None when infinite: never reached)."""
        if not math.isfinite(months_from_now):
            return None
        return self.as_of + dt.timedelta(days=round(months_from_now * MONTH_DAYS))


def months_between(start: dt.date, end: dt.date) -> float:
    return (end - start).days / MONTH_DAYS


def site_row(facts: SiteFacts, prior: RatePrior, as_of: dt.date) -> SiteRow:
    """The site's rate (posterior when open: conjugate update, Anisimov & Fedorov 2007) and its place in the plan."""
    enrolled = sum(1 for day in facts.enrolled if day <= as_of)
    months = months_between(facts.activated_on, as_of) if facts.activated_on and facts.activated_on <= as_of else 0.0
    rate = prior
    if months > 0.0:  # open, or stopped after recruiting: its own record speaks
        rate = rate_posterior(prior, enrolled, months)
    start: float | None = None
    late = False
    if facts.state is SiteState.OPEN:
        start = max(0.0, months_between(as_of, facts.activated_on)) if facts.activated_on else 0.0
    elif facts.state is SiteState.PENDING and facts.planned_on is not None:
        late = facts.planned_on < as_of
        start = max(0.0, months_between(as_of, facts.planned_on))
    return SiteRow(
        facts=facts,
        enrolled=enrolled,
        months_active=months,
        observed_rate=enrolled / months if months > 0.0 else None,
        rate=rate,
        low=rate.quantile(LEVELS[0]),
        high=rate.quantile(LEVELS[1]),
        start=start,
        late=late,
    )


def enrolment_forecast(
    sites: Sequence[SiteFacts],
    plan: Plan,
    as_of: dt.date,
    *,
    what_if: WhatIf | None = None,
    n_sims: int = 10_000,
    study_wide: bool = True,
) -> EnrolmentForecast:
    """Actual, planned and forecast enrolment of the study on one axis, with every site's rate.

    `study_wide` False (the sites are only some of the study's): no forecast against the study's target.
    """
    rows = tuple(site_row(facts, plan.prior, as_of) for facts in sites)
    enrolled = sum(row.enrolled for row in rows)
    dates = [d for f in sites for d in (f.activated_on, f.planned_on) if d is not None]
    origin = min(dates) if dates else as_of
    origin = min(origin, min((d for f in sites for d in f.enrolled), default=origin))
    plans = [SitePlan(row.rate, row.start, row.facts.country) for row in rows if row.start is not None]
    remaining = max(0, plan.target - enrolled)
    horizon = months_between(as_of, plan.last_in) if plan.last_in and plan.last_in > as_of else None
    result = extra = None
    if remaining and plans and study_wide:
        result = forecast(plans, remaining, horizon=horizon, n_sims=n_sims, seed=SEED)
    if remaining and study_wide and what_if is not None and what_if.sites > 0:
        start = max(0.0, months_between(as_of, what_if.on))
        extended = add_sites(plans, what_if.sites, plan.prior, start, what_if.country)
        extra = forecast(extended, remaining, horizon=horizon, n_sims=n_sims, seed=SEED)
    return EnrolmentForecast(
        as_of=as_of,
        origin=origin,
        plan=plan,
        enrolled=enrolled,
        sites=rows,
        countries=_countries(rows, plan, as_of),
        forecast=result,
        what_if=extra,
        actual=_actual(sites, origin, as_of),
        planned=_planned(sites, plan, origin, as_of, result),
    )


def _actual(sites: Sequence[SiteFacts], origin: dt.date, as_of: dt.date) -> tuple[tuple[float, float], ...]:
    """The cumulative count as a step line: a point just before and at each enrolment day, and at the as-of date."""
    days = sorted(d for f in sites for d in f.enrolled if d <= as_of)
    points = [(0.0, 0.0)]
    for count, day in enumerate(days, start=1):
        x = months_between(origin, day)
        if points[-1][0] != x:
            points.append((x, float(count - 1)))
        points.append((x, float(count)))
    points.append((months_between(origin, as_of), float(len(days))))
    return tuple(points)


def _planned(
    sites: Sequence[SiteFacts], plan: Plan, origin: dt.date, as_of: dt.date, result: Forecast | None
) -> tuple[tuple[float, float], ...]:
    """The plan's expected cumulative enrolment: the prior mean rate from each site's planned green light (its actual
    one when none was planned), capped at the target; drawn until the planned last subject in or past the forecast."""
    starts = sorted(months_between(origin, day) for f in sites if (day := plan_start(f)) is not None)
    if not starts:
        return ()
    end = months_between(origin, plan.last_in) if plan.last_in else months_between(origin, as_of)
    if result is not None and result.months:
        end = max(end, months_between(origin, as_of) + result.months[-1])
    knots = sorted({*starts, end, 0.0})
    rate = plan.prior.mean
    points = []
    for x in knots:
        expected = _expected_at(rate, starts, x)
        if expected >= plan.target:
            # where the line meets the target: solve the linear piece through the previous knot
            x_prev, y_prev = points[-1]
            slope = rate * sum(1 for s in starts if s < x)
            points.append((x_prev + (plan.target - y_prev) / slope, float(plan.target)))
            break
        points.append((x, expected))
    return tuple(points)


def _expected_at(rate: float, starts: Sequence[float], x: float) -> float:
    """The plan's expected count at `x` months: every site recruits at the prior mean `rate` from its start."""
    return rate * sum(max(0.0, x - s) for s in starts)


def plan_start(facts: SiteFacts) -> dt.date | None:
    """The day a site starts recruiting in the plan: its planned green light, its actual one when none was planned."""
    return facts.planned_on or facts.activated_on


def planned_by(sites: Sequence[SiteFacts], plan: Plan, day: dt.date) -> float:
    """The plan's expected cumulative enrolment on `day` (the planned curve's value there): the prior mean rate
    from each site's planned green light, capped at the target."""
    starts = [months_between(day, start) for f in sites if (start := plan_start(f)) is not None]
    return min(float(plan.target), _expected_at(plan.prior.mean, starts, 0.0))


def _countries(rows: Sequence[SiteRow], plan: Plan, as_of: dt.date) -> tuple[CountryRow, ...]:
    out = []
    for country in sorted({row.facts.country for row in rows}):
        mine = [row for row in rows if row.facts.country == country]
        site_months = sum(row.months_active for row in mine)
        enrolled = sum(row.enrolled for row in mine)
        expected = None
        if plan.last_in is not None:
            horizon = months_between(as_of, plan.last_in)
            expected = enrolled + sum(
                row.rate.mean * max(0.0, horizon - row.start) for row in mine if row.start is not None
            )
        out.append(
            CountryRow(
                country=country,
                sites=len(mine),
                open=sum(1 for row in mine if row.facts.state is SiteState.OPEN),
                enrolled=enrolled,
                site_months=site_months,
                observed_rate=enrolled / site_months if site_months > 0 else None,
                expected_by_last_in=expected,
            )
        )
    return tuple(out)
