"""A scheduled visit's target date and window from its anchor (Day 1): the one rule, shared by the casebook
grid and the follow-up calendar. Pure: no Django."""

import datetime as dt


def visit_target(
    anchor: dt.date, day_offset: int, before: int | None, after: int | None
) -> tuple[dt.date, tuple[dt.date, dt.date]]:
    """Return (target, (window start, window end)) of a visit `day_offset` days from Day 1 = `anchor`.

    There is no day 0: day 1 is the anchor, day -1 the day before it. The window is `before` days before
    and `after` days after the target (None counts as 0).
    """
    target = anchor + dt.timedelta(days=day_offset - 1 if day_offset > 0 else day_offset)
    return target, (target - dt.timedelta(days=before or 0), target + dt.timedelta(days=after or 0))
