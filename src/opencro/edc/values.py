"""Turn what a user typed into the canonical text an item stores, and canonical text into a value.

Canonical forms: integers and decimals as plain digits ("72", "1.50"), dates as ISO 8601
("2026-03-14"; a partial date keeps only what is known: "2026-03", "2026"), times "HH:MM[:SS]",
datetimes "YYYY-MM-DDTHH:MM[:SS]", codes as their coded value, several codes (checkbox) joined
by "," in code-list order, booleans "1"/"0".
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from opencro.edc.spec import FieldSpec

PARTIAL_TYPES = frozenset({"partialDate", "incompleteDate", "partialDatetime", "incompleteDatetime"})
INTEGER_TYPES = frozenset({"integer"})
DECIMAL_TYPES = frozenset({"float", "double"})
DATE_TYPES = frozenset({"date", "partialDate", "incompleteDate"})
DATETIME_TYPES = frozenset({"datetime", "partialDatetime", "incompleteDatetime"})
MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
MONTHS = {m: n for n, m in enumerate(MONTH_NAMES, start=1)}
UNKNOWN = {"UN", "UNK", "UK", "XX", "NK"}
_INT = re.compile(r"^[+-]?\d+$")
_DEC = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(:([0-5]\d))?$")


class InvalidValue(ValueError):
    """A value that does not fit its item; the message is shown next to the field."""


def canonical(spec: FieldSpec, raw: str | None) -> str | None:
    """Return the canonical text for `raw`, or None for blank; raise InvalidValue with a message."""
    if raw is None:
        return None
    text = raw.strip() if isinstance(raw, str) else str(raw)
    if text == "":
        return None
    if spec.control_type == "checkbox":
        return _codes(spec, text)
    if spec.choices:
        if text not in spec.codes:
            raise InvalidValue(_("'%(value)s' is not one of the allowed codes.") % {"value": text[:40]})
        return text
    dtype = spec.data_type
    if dtype in INTEGER_TYPES:
        return _integer(spec, text)
    if dtype in DECIMAL_TYPES:
        return _decimal(spec, text)
    if dtype == "boolean":
        return _boolean(text)
    if dtype in DATE_TYPES:
        return _date(text, partial=dtype in PARTIAL_TYPES)
    if dtype in DATETIME_TYPES:
        return _datetime(text, partial=dtype in PARTIAL_TYPES)
    if dtype in ("time", "partialTime"):
        if not _TIME.match(text):
            raise InvalidValue(_("Enter a time as HH:MM."))
        return text
    if spec.length and len(text) > spec.length:
        raise InvalidValue(_("At most %(n)d characters.") % {"n": spec.length})
    if len(text) > 4000:
        raise InvalidValue(_("At most %(n)d characters.") % {"n": 4000})
    return text


def _codes(spec: FieldSpec, text: str) -> str:
    chosen = {c.strip() for c in text.split(",") if c.strip()}
    unknown = sorted(chosen - spec.codes)
    if unknown:
        raise InvalidValue(_("'%(value)s' is not one of the allowed codes.") % {"value": ", ".join(unknown)[:40]})
    return ",".join(code for code, _ in spec.choices if code in chosen) or None


def _integer(spec: FieldSpec, text: str) -> str:
    if not _INT.match(text):
        raise InvalidValue(_("Enter a whole number."))
    value = int(text)
    if spec.length and len(str(abs(value))) > spec.length:
        raise InvalidValue(_("At most %(n)d digits.") % {"n": spec.length})
    return str(value)


def _decimal(spec: FieldSpec, text: str) -> str:
    text = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    if not _DEC.match(text):
        raise InvalidValue(_("Enter a number."))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidValue(_("Enter a number.")) from None
    decimals = max(0, -value.as_tuple().exponent)  # type: ignore[operator]
    if spec.significant_digits is not None and decimals > spec.significant_digits:
        raise InvalidValue(_("At most %(n)d decimal places.") % {"n": spec.significant_digits})
    digits = len(value.as_tuple().digits)
    if spec.length and digits > spec.length:
        raise InvalidValue(_("At most %(n)d digits.") % {"n": spec.length})
    return format(value, "f")


def _boolean(text: str) -> str:
    lowered = text.lower()
    if lowered in ("1", "true", "yes", "y"):
        return "1"
    if lowered in ("0", "false", "no", "n"):
        return "0"
    raise InvalidValue(_("Enter yes or no."))


def _date(text: str, *, partial: bool) -> str:
    """Accept ISO (2026-03-14, 2026-03, 2026, 2026-03-UN, 2026-UN-UN) or DD-MON-YYYY (UN-MAR-2026)."""
    parts = re.split(r"[-/ ]", text.upper())
    if len(parts) == 3 and parts[2].isdigit() and len(parts[2]) == 4:  # DD-MON-YYYY
        day, month, year = parts
        month = str(MONTHS[month]) if month in MONTHS else month
        parts = [year, month, day]
    while len(parts) < 3:
        parts.append("UN")
    year, month, day = parts
    if not (year.isdigit() and len(year) == 4):
        raise InvalidValue(_("Enter a date as YYYY-MM-DD."))
    known_month, known_day = month not in UNKNOWN, day not in UNKNOWN
    if not known_month and known_day:
        raise InvalidValue(_("A day without a month is not a date."))
    if not (known_month and known_day) and not partial:
        raise InvalidValue(_("This date must be complete."))
    try:
        if known_month and known_day:
            return dt.date(int(year), int(month), int(day)).isoformat()
        if known_month:
            dt.date(int(year), int(month), 1)
            return f"{year}-{int(month):02d}"
        return year
    except ValueError:
        raise InvalidValue(_("Enter a real date as YYYY-MM-DD.")) from None


def _datetime(text: str, *, partial: bool) -> str:
    date_part, _sep, time_part = text.replace(" ", "T").partition("T")
    date = _date(date_part, partial=partial)
    if not time_part:
        if len(date) == 10 and not partial:
            raise InvalidValue(_("Enter a date and time as YYYY-MM-DDTHH:MM."))
        return date
    if len(date) < 10:
        raise InvalidValue(_("A time needs a complete date."))
    if not _TIME.match(time_part):
        raise InvalidValue(_("Enter a time as HH:MM."))
    return f"{date}T{time_part}"


def typed(spec_or_type: FieldSpec | str, text: str | None) -> Any:
    """Convert canonical text to the Python value expressions compute with."""
    if text is None:
        return None
    dtype = spec_or_type if isinstance(spec_or_type, str) else spec_or_type.data_type
    control = "" if isinstance(spec_or_type, str) else spec_or_type.control_type
    if control == "checkbox":
        return text.split(",")
    try:
        if dtype in INTEGER_TYPES:
            return int(text)
        if dtype in DECIMAL_TYPES:
            return float(text)
        if dtype in DATE_TYPES and len(text) == 10:
            return dt.date.fromisoformat(text)
        if dtype in DATETIME_TYPES and len(text) >= 16:
            return dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return text


_COMPARATORS = {
    "LT": lambda a, b: a < b[0],
    "LE": lambda a, b: a <= b[0],
    "GT": lambda a, b: a > b[0],
    "GE": lambda a, b: a >= b[0],
    "EQ": lambda a, b: a == b[0],
    "NE": lambda a, b: a != b[0],
    "IN": lambda a, b: a in b,
    "NOTIN": lambda a, b: a not in b,
}


def range_failures(spec: FieldSpec, text: str | None, *, today: dt.date | None = None) -> list[tuple[int, dict]]:
    """Return (index, range check) for every ODM RangeCheck the canonical value breaks."""
    if text is None or not spec.range_checks:
        return []
    value = typed(spec, text)
    failures = []
    for index, check in enumerate(spec.range_checks):
        limits = [_limit(spec, v, today) for v in check.get("values", [])]
        if not limits or any(limit is None for limit in limits):
            continue
        test = _COMPARATORS.get(str(check.get("comparator", "")).upper())
        try:
            if test is not None and not test(value, limits):
                failures.append((index, check))
        except TypeError:
            continue  # a limit of another type (e.g. a partial date): not checkable, never a crash
    return failures


def _limit(spec: FieldSpec, raw: str, today: dt.date | None) -> Any:
    if str(raw).lower() in ("today", "now") and spec.data_type in DATE_TYPES | DATETIME_TYPES:
        return today or dt.date.today()
    try:
        return typed(spec, canonical(spec, str(raw)))
    except InvalidValue:
        return None


def range_message(spec: FieldSpec, check: dict, lang: str = "en") -> str:
    from opencro.formats.build import text_of

    message = text_of(check.get("message") or {}, lang)
    if message:
        return message
    values = ", ".join(str(v) for v in check.get("values", []))
    return _("Value outside the expected range (%(comparator)s %(values)s).") % {
        "comparator": check.get("comparator", ""),
        "values": values,
    }
