"""Partial dates as safety data carries them: "2026", "2026-03" or "2026-03-04" (ISO 8601, reduced precision).

A reporter often knows only the month of onset; the case keeps what was reported and never invents a day.
Pure: no Django.
"""

import datetime as dt
import re

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def partial_date_check(text: str) -> str | None:
    """Return why `text` is not a partial ISO 8601 date (None when it is, or when it is blank)."""
    if not text:
        return None
    match = _PARTIAL.match(text)
    if match is None:
        return "use YYYY, YYYY-MM or YYYY-MM-DD"
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        return "month must be 01 to 12"
    if day is not None:
        try:
            dt.date(year, month, day)  # type: ignore[arg-type]
        except ValueError:
            return "no such day"
    return None


def partial_date_earliest(text: str) -> dt.date | None:
    """The first day the partial date can mean ("2026-03" -> 2026-03-01); None when blank or invalid."""
    if not text or partial_date_check(text):
        return None
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def partial_date_latest(text: str) -> dt.date | None:
    """The last day the partial date can mean ("2026-02" -> 2026-02-28)."""
    earliest = partial_date_earliest(text)
    if earliest is None:
        return None
    precision = text.count("-")
    if precision == 2:
        return earliest
    if precision == 1:
        following = dt.date(earliest.year + (earliest.month == 12), earliest.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return dt.date(earliest.year, 12, 31)


def partial_dates_may_match(a: str, b: str) -> bool:
    """True when two partial dates can name the same day (used for duplicates and reconciliation)."""
    a_first, b_first = partial_date_earliest(a), partial_date_earliest(b)
    if a_first is None or b_first is None:
        return False
    return a_first <= partial_date_latest(b) and b_first <= partial_date_latest(a)  # type: ignore[operator]
