"""Review clocks of a submission: when each runs out, given the submission's dates and the questions it drew.

Pure (no database): the caller passes the clock rules of the application type and the submission's dates.

Rules (each clock rule names its legal basis in the library, e.g. Regulation (EU) No 536/2014 art. 5-8):

- a clock starts at its event (submission, acknowledgement, validation, the end of the previous clock, each
  question, or each anniversary of the decision for a recurring report) and runs `days` calendar or working days
  (Monday to Friday; public holidays are not known here, so a working-day clock may end a holiday early);
- day 1 is the day after the start (the "day 0" convention of the EU CTR and of 21 CFR 312.40: a 30-day clock
  started on 1 March ends on 31 March);
- a clock that stops for questions is extended by the days on which a question was open (received, not yet
  answered: from the day after receipt to the answer day), overlapping questions counted once;
- a clock is *met* when the event that ends it happened on or before its end (the decision for the last clock,
  validation for a validation clock, the answer for a question), *overdue* when its end has passed without it,
  *running* otherwise; an implied-approval clock (`may_proceed`) that runs out without a decision means the trial
  may proceed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    """A clock rule: `starts` one of submitted, acknowledged, validated, previous, question, decision."""

    name: str
    starts: str
    days: int
    basis: str = "calendar"  # or "working"
    stops_for_questions: bool = False
    recurs_months: int | None = None
    effect: str = "due"  # due, may_proceed, lapses
    reference: str = ""


@dataclass(frozen=True)
class Dates:
    """What the clocks read of a submission."""

    submitted: dt.date | None = None
    acknowledged: dt.date | None = None
    validated: dt.date | None = None
    decided: dt.date | None = None
    questions: tuple[tuple[dt.date, dt.date | None], ...] = ()  # (received, answered)
    reports: tuple[dt.date, ...] = ()  # submission dates of the periodic reports filed under this application


@dataclass(frozen=True)
class ClockState:
    """One clock of a submission: when it started and ends, and where it stands on the day asked."""

    name: str
    started: dt.date
    ends: dt.date
    stopped_days: int
    state: str  # running, met, overdue, elapsed (may proceed), lapsed
    effect: str
    reference: str
    met_on: dt.date | None = None

    @property
    def late(self) -> bool:
        """Met, but after the clock had run out."""
        return self.met_on is not None and self.met_on > self.ends


def add_days(start: dt.date, days: int, basis: str) -> dt.date:
    """The day `days` calendar or working days after `start` (day 0)."""
    if basis != "working":
        return start + dt.timedelta(days=days)
    day, left = start, days
    while left:
        day += ONE_DAY
        if day.weekday() < 5:
            left -= 1
    return day


def stopped_days(start: dt.date, questions: Sequence[tuple[dt.date, dt.date | None]], on: dt.date) -> int:
    """Days after `start` on which some question was open (answered questions end on the answer day; open ones run
    to `on`, so the clock's end moves on while it stays stopped), counted once however many were open."""
    open_days: set[dt.date] = set()
    for received, answered in questions:
        last = answered or on
        day = max(received, start) + ONE_DAY
        while day <= last:
            open_days.add(day)
            day += ONE_DAY
    return sum(1 for day in open_days if day > start)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"no day in {year}-{month}")


def clock_states(rules: Sequence[Rule], dates: Dates, on: dt.date, *, horizon_days: int = 400) -> list[ClockState]:
    """Every clock of the submission as it stands on `on` (recurring ones up to `horizon_days` ahead)."""
    states: list[ClockState] = []
    previous_end: dt.date | None = None
    for rule in rules:
        if rule.starts == "question":
            for received, answered in dates.questions:
                ends = add_days(received, rule.days, rule.basis)
                states.append(_state(rule, received, ends, 0, answered, on))
            continue
        if rule.starts == "decision" and rule.recurs_months:
            states.extend(_recurring(rule, dates, on, horizon_days))
            continue
        start = {
            "submitted": dates.submitted,
            "acknowledged": dates.acknowledged,
            "validated": dates.validated,
            "previous": previous_end,
            "decision": dates.decided,
        }.get(rule.starts)
        if start is None:
            previous_end = None
            continue
        ends = add_days(start, rule.days, rule.basis)
        stopped = 0
        if rule.stops_for_questions and dates.questions:
            stopped = stopped_days(start, dates.questions, on)
            ends = add_days(ends, stopped, rule.basis)
        event = _ending_event(rule, rules, dates)
        states.append(_state(rule, start, ends, stopped, event, on))
        previous_end = min(ends, event) if event else ends
    return states


def _ending_event(rule: Rule, rules: Sequence[Rule], dates: Dates) -> dt.date | None:
    """The event that stops this clock: validation ends the validation clock, else the decision."""
    timed = [r for r in rules if r.starts not in ("question", "decision")]
    if rule.starts == "submitted" and any(r.starts == "validated" for r in timed) and rule is not timed[-1]:
        return dates.validated
    return dates.decided


def _state(rule: Rule, start: dt.date, ends: dt.date, stopped: int, event: dt.date | None, on: dt.date) -> ClockState:
    if event is not None and event <= on:
        state = "met"
    elif on <= ends:
        state = "running"
    elif rule.effect == "may_proceed":
        state = "elapsed"
    elif rule.effect == "lapses":
        state = "lapsed"
    else:
        state = "overdue"
    met_on = event if state == "met" else None
    return ClockState(rule.name, start, ends, stopped, state, rule.effect, rule.reference, met_on)


def _recurring(rule: Rule, dates: Dates, on: dt.date, horizon_days: int) -> list[ClockState]:
    """Each anniversary of the decision up to the horizon: a report due `days` after it, met by the first report
    submitted after the previous anniversary (late when after the due day)."""
    if dates.decided is None or not rule.recurs_months:
        return []
    states: list[ClockState] = []
    reports = sorted(dates.reports)
    limit = on + dt.timedelta(days=horizon_days)
    previous, k = dates.decided, 1
    while (anniversary := add_months(dates.decided, rule.recurs_months * k)) <= limit:
        ends = add_days(anniversary, rule.days, rule.basis)
        report = next((r for r in reports if r > previous), None)
        if report is not None:
            reports.remove(report)
        states.append(_state(rule, anniversary, ends, 0, report, on))
        previous, k = anniversary, k + 1
    return states
