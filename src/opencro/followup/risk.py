"""Retention risk indicators per participant and per site. Pure: no Django, no I/O.

A participant's level, from their visits so far and their last contact (thresholds below, also in
docs/followup.md):

- high: `HIGH_CONSECUTIVE_MISSED` or more missed visits in a row (the most recent ones), or
  `HIGH_MISSED` or more missed visits in all, or `HIGH_DAYS_SILENT` days or more since the last visit or contact;
- medium: any missed visit, `MEDIUM_LATE` or more late visits, or `MEDIUM_DAYS_SILENT` days or more since
  the last visit or contact;
- low: otherwise.

A missed visit is one recorded as not done or overdue (its window closed, nothing recorded). "Contact" is a
documented contact attempt that reached the participant; the day count starts at enrolment when there is
neither a visit nor a contact.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from opencro.followup.visits import MISSED_STATES, VisitState

HIGH_CONSECUTIVE_MISSED = 2
HIGH_MISSED = 3
HIGH_DAYS_SILENT = 90
MEDIUM_LATE = 2
MEDIUM_DAYS_SILENT = 45


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class VisitFact:
    """What the indicators need of one visit: its target date, state and the date it took place."""

    target: dt.date
    state: VisitState
    visit_date: dt.date | None = None


@dataclass(frozen=True)
class ParticipantRisk:
    missed: int
    late: int
    consecutive_missed: int
    days_silent: int
    level: RiskLevel


def participant_risk(
    visits: Sequence[VisitFact], *, enrolled_on: dt.date, last_contact: dt.date | None, today: dt.date
) -> ParticipantRisk:
    """The indicators of one active participant on `today`."""
    ordered = sorted(visits, key=lambda v: v.target)
    settled = [v for v in ordered if v.state not in (VisitState.DUE, VisitState.UPCOMING, VisitState.ENDED)]
    missed = sum(v.state in MISSED_STATES for v in settled)
    late = sum(v.state == VisitState.LATE for v in settled)
    consecutive = 0
    for visit in reversed(settled):
        if visit.state not in MISSED_STATES:
            break
        consecutive += 1
    seen = [d for d in (v.visit_date for v in ordered) if d is not None and d <= today]
    last = max([enrolled_on, *seen, *([last_contact] if last_contact else [])])
    days_silent = max(0, (today - last).days)
    return ParticipantRisk(missed, late, consecutive, days_silent, risk_level(missed, late, consecutive, days_silent))


def risk_level(missed: int, late: int, consecutive_missed: int, days_silent: int) -> RiskLevel:
    """The level from the indicators, by the thresholds of this module."""
    if consecutive_missed >= HIGH_CONSECUTIVE_MISSED or missed >= HIGH_MISSED or days_silent >= HIGH_DAYS_SILENT:
        return RiskLevel.HIGH
    if missed >= 1 or late >= MEDIUM_LATE or days_silent >= MEDIUM_DAYS_SILENT:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


@dataclass(frozen=True)
class SiteRetention:
    """A site's retention: participants ever enrolled, active ones at risk, and two rates (None: no basis)."""

    enrolled: int
    active: int
    at_risk: int  # active participants at medium or high risk
    high_risk: int
    visits_expected: int  # visits whose window has closed (or that took place)
    visits_missed: int
    early_terminations: int

    @property
    def missed_visit_rate(self) -> float | None:
        return self.visits_missed / self.visits_expected if self.visits_expected else None

    @property
    def early_termination_rate(self) -> float | None:
        return self.early_terminations / self.enrolled if self.enrolled else None


def site_retention(
    *, enrolled: int, early_terminations: int, risks: Iterable[ParticipantRisk], visits: Iterable[VisitState]
) -> SiteRetention:
    """Sum a site's participants: `risks` of its active participants, `visits` the states of all its visits.

    Missed-visit rate = missed / expected, where expected counts visits done, late, missed or overdue (those
    still due, upcoming or no longer expected are left out). Early-termination rate = early terminations /
    participants ever enrolled.
    """
    risks = list(risks)
    states = list(visits)
    expected = sum(s in (VisitState.DONE, VisitState.LATE) or s in MISSED_STATES for s in states)
    return SiteRetention(
        enrolled=enrolled,
        active=len(risks),
        at_risk=sum(r.level != RiskLevel.LOW for r in risks),
        high_risk=sum(r.level == RiskLevel.HIGH for r in risks),
        visits_expected=expected,
        visits_missed=sum(s in MISSED_STATES for s in states),
        early_terminations=early_terminations,
    )
