"""The whitelisted functions, with REDCap semantics.

Source: REDCap Help & FAQ, "Special Functions" (datediff, round/roundup/rounddown, sum, mean,
median, stdev, min, max, abs, sqrt, exp, log, isblank, isnumber, isinteger, contains,
not_contain, starts_with, ends_with, length, left, right, mid, find, concat, upper, lower, trim,
year, month, day, if). Aggregates ignore blanks; most functions give blank (None) for a blank
or non-numeric argument instead of failing. Text functions are case-insensitive where REDCap's are
(contains, not_contain, starts_with, ends_with, find).

datediff: units y (days / 365.2425), M (days / 30.44), d, h, m, s; the value is unrounded and
unsigned unless returnSigned is true, in which case it is d2 - d1. An optional date format
(ymd, mdy, dmy) reads non-ISO text; ISO text is always read as ISO.
"""

import math
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from opencro.core.logic.errors import ExpressionError
from opencro.core.logic.values import (
    align_dates,
    check_number,
    check_text,
    is_blank,
    to_datetime,
    to_number,
    to_text,
    truthy,
)

MAX_DECIMAL_PLACES = 15
DATEDIFF_UNITS: dict[str, float] = {
    "y": 86400 * 365.2425,
    "M": 86400 * 30.44,
    "d": 86400.0,
    "h": 3600.0,
    "m": 60.0,
    "s": 1.0,
}
DATE_FORMATS = ("ymd", "mdy", "dmy")
_FORMATTED_DATE = re.compile(
    r"([0-9]{1,4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,4})(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?"
)


@dataclass(frozen=True, slots=True)
class Clock:
    """What today() and now() return, injected so results are reproducible."""

    today: date
    now: datetime


Impl = Callable[[Sequence[Any], Clock], Any]


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """A function's arity (max_args None = any number) and implementation (None: evaluated lazily)."""

    name: str
    min_args: int
    max_args: int | None
    impl: Impl | None

    def arity_error(self, count: int) -> str | None:
        """The message for a wrong number of arguments, or None if `count` is accepted."""
        if count >= self.min_args and (self.max_args is None or count <= self.max_args):
            return None
        if self.max_args is None:
            wanted = f"at least {self.min_args}"
        elif self.min_args == self.max_args:
            wanted = str(self.min_args)
        else:
            wanted = f"{self.min_args} to {self.max_args}"
        plural = "" if wanted.endswith(" 1") or wanted == "1" else "s"
        return f"{self.name}() takes {wanted} argument{plural}, got {count}"


def _numbers(args: Sequence[Any]) -> list[int | float]:
    """The numeric arguments, lists flattened one level, blanks and text skipped."""
    values: list[int | float] = []
    for arg in args:
        items = arg if isinstance(arg, list | tuple | set | frozenset) else (arg,)
        for item in items:
            number = to_number(item)
            if number is not None:
                values.append(number)
    return values


def _sum(args: Sequence[Any], clock: Clock) -> int | float | None:
    values = _numbers(args)
    if not values:
        return None
    if all(isinstance(v, int) for v in values):
        return check_number(sum(values))
    return check_number(math.fsum(values))


def _mean(args: Sequence[Any], clock: Clock) -> float | None:
    values = _numbers(args)
    return check_number(math.fsum(values) / len(values)) if values else None


def _median(args: Sequence[Any], clock: Clock) -> int | float | None:
    values = _numbers(args)
    return check_number(statistics.median(values)) if values else None


def _stdev(args: Sequence[Any], clock: Clock) -> float | None:
    """Sample standard deviation (n - 1), as REDCap and Excel's STDEV."""
    values = [float(v) for v in _numbers(args)]
    return check_number(statistics.stdev(values)) if len(values) >= 2 else None


def _min(args: Sequence[Any], clock: Clock) -> int | float | None:
    values = _numbers(args)
    return min(values) if values else None


def _max(args: Sequence[Any], clock: Clock) -> int | float | None:
    values = _numbers(args)
    return max(values) if values else None


def _decimal_places(args: Sequence[Any]) -> int | None:
    if len(args) < 2:
        return 0
    places = to_number(args[1])
    if places is None:
        return None
    if abs(places) > MAX_DECIMAL_PLACES:
        raise ExpressionError(f"decimal places must be between -{MAX_DECIMAL_PLACES} and {MAX_DECIMAL_PLACES}")
    return int(places)


def _rounder(mode: str) -> Impl:
    def rounding(args: Sequence[Any], clock: Clock) -> int | float | None:
        number, places = to_number(args[0]), _decimal_places(args)
        if number is None or places is None:
            return None
        exact = Decimal(repr(number)) if isinstance(number, float) else Decimal(number)
        with localcontext() as context:
            context.prec = 400  # enough for any finite float or 1024-bit int
            rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=mode)
        return int(rounded) if places <= 0 else check_number(float(rounded))

    return rounding


def _unary_math(func: Callable[[float], float], valid: Callable[[float], bool]) -> Impl:
    def apply(args: Sequence[Any], clock: Clock) -> float | None:
        number = to_number(args[0])
        if number is None or not valid(number):
            return None
        return check_number(func(number))

    return apply


def _abs(args: Sequence[Any], clock: Clock) -> int | float | None:
    number = to_number(args[0])
    return None if number is None else abs(number)


def _log(args: Sequence[Any], clock: Clock) -> float | None:
    number = to_number(args[0])
    base = to_number(args[1]) if len(args) > 1 else math.e
    if number is None or base is None or number <= 0 or base <= 0 or base == 1:
        return None
    return check_number(math.log(number) / math.log(base))


def _isblank(args: Sequence[Any], clock: Clock) -> bool:
    return is_blank(args[0])


def _isnumber(args: Sequence[Any], clock: Clock) -> bool:
    return not isinstance(args[0], bool) and to_number(args[0]) is not None


def _isinteger(args: Sequence[Any], clock: Clock) -> bool:
    value = args[0]
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value) and value.is_integer()
    return isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]+\s*", value) is not None


def _contains(args: Sequence[Any], clock: Clock) -> bool:
    return to_text(args[1]).casefold() in to_text(args[0]).casefold()


def _not_contain(args: Sequence[Any], clock: Clock) -> bool:
    return not _contains(args, clock)


def _starts_with(args: Sequence[Any], clock: Clock) -> bool:
    return to_text(args[0]).casefold().startswith(to_text(args[1]).casefold())


def _ends_with(args: Sequence[Any], clock: Clock) -> bool:
    return to_text(args[0]).casefold().endswith(to_text(args[1]).casefold())


def _length(args: Sequence[Any], clock: Clock) -> int:
    value = args[0]
    if isinstance(value, list | tuple | set | frozenset | dict):
        return len(value)
    return len(to_text(value))


def _count(value: Any) -> int | None:
    """A character count argument: truncated to an integer, negatives as 0, capped at the text limit."""
    number = to_number(value)
    if number is None:
        return None
    return max(0, min(int(number), 10**6))


def _left(args: Sequence[Any], clock: Clock) -> str | None:
    count = _count(args[1])
    return None if count is None else to_text(args[0])[:count]


def _right(args: Sequence[Any], clock: Clock) -> str | None:
    count = _count(args[1])
    if count is None:
        return None
    text = to_text(args[0])
    return text[len(text) - count :] if count else ""


def _mid(args: Sequence[Any], clock: Clock) -> str | None:
    """mid(text, start, count) with a 1-based start, as REDCap and Excel."""
    start, count = _count(args[1]), _count(args[2])
    if start is None or count is None:
        return None
    begin = max(start, 1) - 1
    return to_text(args[0])[begin : begin + count]


def _find(args: Sequence[Any], clock: Clock) -> int:
    """find(needle, haystack): 1-based position, case-insensitive, 0 when absent."""
    return to_text(args[1]).casefold().find(to_text(args[0]).casefold()) + 1


def _concat(args: Sequence[Any], clock: Clock) -> str:
    return "".join(to_text(arg) for arg in args)


def _upper(args: Sequence[Any], clock: Clock) -> str:
    return to_text(args[0]).upper()


def _lower(args: Sequence[Any], clock: Clock) -> str:
    return to_text(args[0]).lower()


def _trim(args: Sequence[Any], clock: Clock) -> str:
    return to_text(args[0]).strip()


def _date_part(part: str) -> Impl:
    def extract(args: Sequence[Any], clock: Clock) -> int | None:
        value = to_datetime(args[0])
        return None if value is None else int(getattr(value, part))

    return extract


def _today(args: Sequence[Any], clock: Clock) -> date:
    return clock.today


def _now(args: Sequence[Any], clock: Clock) -> datetime:
    return clock.now


def _parse_formatted(text: str, fmt: str) -> date | None:
    """Read 'MM-DD-YYYY' (mdy), 'DD-MM-YYYY' (dmy) or 'YYYY-MM-DD' (ymd), '/' or '-' separated, time optional."""
    match = _FORMATTED_DATE.fullmatch(text.strip())
    if not match:
        return None
    first, second, third, hour, minute, sec = match.groups()
    if fmt == "ymd":
        year, month, day = first, second, third
    elif fmt == "mdy":
        month, day, year = first, second, third
    else:
        day, month, year = first, second, third
    if len(year) != 4:
        return None
    try:
        if hour is None:
            return date(int(year), int(month), int(day))
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(sec or 0))
    except ValueError:
        return None


def _date_argument(value: Any, fmt: str, clock: Clock) -> date | None:
    if isinstance(value, str):
        word = value.strip().lower()
        if word == "today":
            return clock.today
        if word == "now":
            return clock.now
    parsed = to_datetime(value)
    if parsed is None and isinstance(value, str):
        parsed = _parse_formatted(value, fmt)
    return parsed


def _naive(value: date) -> date:
    """Drop a time zone by converting to local time, so aware and naive values can be subtracted."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone().replace(tzinfo=None)
    return value


def _datediff(args: Sequence[Any], clock: Clock) -> float | None:
    """datediff(d1, d2, units[, format][, returnSigned])."""
    units = to_text(args[2]).strip()
    if units not in DATEDIFF_UNITS:
        raise ExpressionError(f"datediff() units must be one of y, M, d, h, m, s, not {units!r}")
    fmt, signed = "ymd", False
    extra = list(args[3:])
    if len(extra) == 2:
        fmt, signed = to_text(extra[0]).strip().lower(), truthy(extra[1])
    elif len(extra) == 1:
        text = to_text(extra[0]).strip().lower() if isinstance(extra[0], str) else ""
        if text in DATE_FORMATS:
            fmt = text
        else:
            signed = truthy(extra[0])
    if fmt not in DATE_FORMATS:
        raise ExpressionError(f"datediff() date format must be ymd, mdy or dmy, not {fmt!r}")
    first, second = _date_argument(args[0], fmt, clock), _date_argument(args[1], fmt, clock)
    if first is None or second is None:
        return None
    aligned = align_dates(first, second) or align_dates(_naive(first), _naive(second))
    if aligned is None:
        return None
    start, end = aligned
    seconds = (end - start).total_seconds()
    value = seconds / DATEDIFF_UNITS[units]
    return value if signed else abs(value)


def _spec(name: str, min_args: int, max_args: int | None, impl: Impl | None) -> FunctionSpec:
    return FunctionSpec(name, min_args, max_args, impl)


FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        _spec("if", 3, 3, None),  # lazy: only the chosen branch is evaluated
        _spec("datediff", 3, 5, _datediff),
        _spec("sum", 1, None, _sum),
        _spec("mean", 1, None, _mean),
        _spec("median", 1, None, _median),
        _spec("stdev", 1, None, _stdev),
        _spec("min", 1, None, _min),
        _spec("max", 1, None, _max),
        _spec("round", 1, 2, _rounder(ROUND_HALF_UP)),
        _spec("roundup", 1, 2, _rounder(ROUND_CEILING)),
        _spec("rounddown", 1, 2, _rounder(ROUND_FLOOR)),
        _spec("abs", 1, 1, _abs),
        _spec("sqrt", 1, 1, _unary_math(math.sqrt, lambda x: x >= 0)),
        _spec("exp", 1, 1, _unary_math(math.exp, lambda x: True)),
        _spec("log", 1, 2, _log),
        _spec("isblank", 1, 1, _isblank),
        _spec("isnumber", 1, 1, _isnumber),
        _spec("isinteger", 1, 1, _isinteger),
        _spec("contains", 2, 2, _contains),
        _spec("not_contain", 2, 2, _not_contain),
        _spec("starts_with", 2, 2, _starts_with),
        _spec("ends_with", 2, 2, _ends_with),
        _spec("length", 1, 1, _length),
        _spec("len", 1, 1, _length),
        _spec("left", 2, 2, _left),
        _spec("right", 2, 2, _right),
        _spec("mid", 3, 3, _mid),
        _spec("find", 2, 2, _find),
        _spec("concat", 1, None, _concat),
        _spec("upper", 1, 1, _upper),
        _spec("lower", 1, 1, _lower),
        _spec("trim", 1, 1, _trim),
        _spec("year", 1, 1, _date_part("year")),
        _spec("month", 1, 1, _date_part("month")),
        _spec("day", 1, 1, _date_part("day")),
        _spec("today", 0, 0, _today),
        _spec("now", 0, 0, _now),
    )
}


def call(spec: FunctionSpec, args: Sequence[Any], clock: Clock) -> Any:
    """Run a (non-lazy) function, turning numeric overflow into ExpressionError and bounding text."""
    if spec.impl is None:
        raise ExpressionError(f"{spec.name}() cannot be called eagerly")
    try:
        result = spec.impl(args, clock)
    except OverflowError:
        raise ExpressionError("number out of range") from None
    if isinstance(result, str):
        check_text(result)
    return result
