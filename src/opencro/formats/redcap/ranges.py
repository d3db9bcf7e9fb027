"""Minimum and maximum values of REDCap text validations, as ODM RangeCheck values.

REDCap writes date limits as YYYY-MM-DD whatever the field's display order (older files may use
the field's own order, also accepted), datetimes with a space, and lets "today" and "now" stand
for the moment of entry. ODM wants ISO 8601 (``2020-01-31T08:30``) and dot decimals, so values
are normalised; "today"/"now" are kept as they are for the checker to resolve.

References: REDCap data dictionary columns I-J ("Text Validation Min/Max"); CDISC ODM 1.3.2
section 3.1.3.5.3 (RangeCheck, CheckValue); ISO 8601.
"""

import datetime as dt
import math
import re

_DATE_ORDERS = {"ymd": "%Y-%m-%d", "mdy": "%m-%d-%Y", "dmy": "%d-%m-%Y"}


def range_value(validation: str, raw: str) -> str:
    """Normalise a min/max to ODM's form for the item's type (ISO dates, dot decimals); raise ValueError."""
    value = raw.strip()
    if validation.startswith("date"):
        if value.lower() in {"today", "now"}:
            return value.lower()
        order = validation.rsplit("_", 1)[-1]
        if validation.startswith("datetime"):
            for date_format in (_DATE_ORDERS["ymd"], _DATE_ORDERS[order]):
                for time_format in ("%H:%M:%S", "%H:%M"):
                    try:
                        moment = dt.datetime.strptime(value, f"{date_format} {time_format}")
                    except ValueError:
                        continue
                    return moment.isoformat(timespec="seconds" if time_format.endswith("S") else "minutes")
            raise ValueError(f"'{value}' is not a date and time (YYYY-MM-DD HH:MM), 'today' or 'now'")
        for date_format in (_DATE_ORDERS["ymd"], _DATE_ORDERS[order]):
            try:
                return dt.datetime.strptime(value, date_format).date().isoformat()
            except ValueError:
                continue
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD), 'today' or 'now'")
    if validation.startswith("time"):
        pattern = {"time": r"([01]\d|2[0-3]):[0-5]\d", "time_hh_mm_ss": r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d"}.get(
            validation, r"[0-5]\d:[0-5]\d"
        )
        if not re.fullmatch(pattern, value):
            raise ValueError(f"'{value}' is not a time in the field's format ({validation})")
        return value
    if validation == "integer":
        if not re.fullmatch(r"[-+]?\d+", value):
            raise ValueError(f"'{value}' is not a whole number")
        return str(int(value))
    number = value.replace(",", ".") if validation.endswith("comma_decimal") else value
    try:
        finite = math.isfinite(float(number))
    except ValueError:
        finite = False
    if not finite:
        raise ValueError(f"'{value}' is not a number")
    return number


def range_after(validation: str, low: str, high: str) -> bool:
    """Tell whether `low` lies above `high` (relative values such as 'today' are never compared)."""
    if {low, high} & {"today", "now"}:
        return False
    if validation.startswith(("date", "time")):
        return low > high
    return float(low) > float(high)
