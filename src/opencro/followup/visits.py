"""A scheduled visit's state on a given day: the calendar's one rule. Pure: no Django, no I/O.

- done: the visit took place (a visit date or any form data, as in the EDC's casebook grid) within or before
  its window, or on an unknown date;
- late: done after its window closed (a visit date past the window's end);
- missed: recorded in the EDC as not done;
- overdue: its window has closed and it is neither done nor recorded as not done (the site must act);
- due: its window is open today and it is not done yet;
- upcoming: its window opens after today;
- ended: not done and not expected any more (the participant's part ended before the window closed).
"""

import datetime as dt
from enum import StrEnum


class VisitState(StrEnum):
    DONE = "done"
    LATE = "late"
    MISSED = "missed"
    OVERDUE = "overdue"
    DUE = "due"
    UPCOMING = "upcoming"
    ENDED = "ended"


OPEN_STATES = frozenset({VisitState.DUE, VisitState.UPCOMING})  # visits a reminder may still announce
MISSED_STATES = frozenset({VisitState.MISSED, VisitState.OVERDUE})  # what the risk indicators count as missed


def visit_state(
    *,
    window: tuple[dt.date, dt.date],
    today: dt.date,
    done: bool,
    visit_date: dt.date | None = None,
    not_done: bool = False,
    ended_on: dt.date | None = None,
) -> VisitState:
    """The state of one visit on `today`; `ended_on`: the day the participant's part ended, if it has."""
    start, end = window
    if done:
        return VisitState.LATE if visit_date is not None and visit_date > end else VisitState.DONE
    if not_done:
        return VisitState.MISSED
    if ended_on is not None and ended_on <= end:
        return VisitState.ENDED
    if today > end:
        return VisitState.OVERDUE
    if today >= start:
        return VisitState.DUE
    return VisitState.UPCOMING
