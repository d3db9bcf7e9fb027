"""How values behave: blanks, numbers in text, dates in text, checkbox choices, comparisons.

REDCap stores every datum as text and its logic engine coerces as it goes (REDCap Help & FAQ,
"Branching Logic": blank fields are tested with `[x] = ""`; "Calculated Fields": a calculation
with a blank operand gives a blank result). These helpers implement that one way, so edit checks,
branching and calculations agree:

- blank is None, text that is empty after stripping, NaN, or an empty collection;
- `=` is true for two blanks and false for one blank; `<>` is exactly `not =` (so a blank field
  `<>` any non-blank value is true, as in REDCap); ordering comparisons with a blank are false;
- numbers and numeric text compare as numbers ("5" = 5); dates, datetimes and ISO date text
  compare as dates; two other texts compare as text; anything else is unequal and unordered;
- a checkbox value is a list/tuple/set of choice codes, a dict code -> checked, or "1,3" text.
"""

import math
import operator
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from opencro.core.logic.errors import ExpressionError
from opencro.core.logic.lexer import MAX_INT_BITS

MAX_EXPONENT = 100
MAX_TEXT_LENGTH = 10000

_NUMERIC_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_COLLECTIONS = (list, tuple, set, frozenset)
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def is_blank(value: Any) -> bool:
    """True for a missing value: None, blank text, NaN or an empty collection."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (*_COLLECTIONS, dict)):
        return len(value) == 0
    return False


def to_number(value: Any) -> int | float | None:
    """The numeric value of a number or numeric text; None for anything else (blank, words, dates).

    Infinities and integers beyond 1024 bits are not numbers here, so no later step can blow up.
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value if value.bit_length() <= MAX_INT_BITS else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return to_number(float(value)) if value.is_finite() else None
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 400 or not _NUMERIC_TEXT.fullmatch(text):
            return None
        if _INTEGER_TEXT.fullmatch(text):
            return to_number(int(text))
        number = float(text)
        return number if math.isfinite(number) else None
    return None


def to_datetime(value: Any) -> date | datetime | None:
    """A date or datetime from a date object or ISO 8601 text ('2024-05-01', '2024-05-01 13:45')."""
    if isinstance(value, date):  # datetime is a date too
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
        if _ISO_DATETIME.fullmatch(text):
            return datetime.fromisoformat(text)
    except ValueError:  # 2024-02-30 and friends: not a date
        return None
    return None


def align_dates(a: date, b: date) -> tuple[date, date] | None:
    """Make two dates comparable: a plain date becomes midnight when the other has a time.

    Returns None when one datetime knows its time zone and the other does not.
    """
    if isinstance(a, datetime) and not isinstance(b, datetime):
        b = datetime(b.year, b.month, b.day, tzinfo=a.tzinfo)
    elif isinstance(b, datetime) and not isinstance(a, datetime):
        a = datetime(a.year, a.month, a.day, tzinfo=b.tzinfo)
    if isinstance(a, datetime) and isinstance(b, datetime) and (a.tzinfo is None) != (b.tzinfo is None):
        return None
    return a, b


def _pair(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Coerce two non-blank operands to a comparable pair, or None if they cannot be compared."""
    na, nb = to_number(a), to_number(b)
    if na is not None and nb is not None:
        return na, nb
    da, db = to_datetime(a), to_datetime(b)
    if da is not None and db is not None:
        return align_dates(da, db)
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    return None


def _bool_text(value: Any) -> bool | None:
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    return None


def equal(a: Any, b: Any) -> bool:
    """REDCap `=`: two blanks are equal, one blank is not; numbers and dates by value."""
    if is_blank(a) or is_blank(b):
        return is_blank(a) and is_blank(b)
    if isinstance(a, (*_COLLECTIONS, dict)) or isinstance(b, (*_COLLECTIONS, dict)):
        if isinstance(a, (*_COLLECTIONS, dict)) and isinstance(b, (*_COLLECTIONS, dict)):
            return checked_codes(a) == checked_codes(b)
        return False
    if isinstance(a, bool) and _bool_text(b) is not None:
        return a == _bool_text(b)
    if isinstance(b, bool) and _bool_text(a) is not None:
        return b == _bool_text(a)
    pair = _pair(a, b)
    return pair is not None and pair[0] == pair[1]


def member(item: Any, container: Any) -> bool:
    """`item in container`: a list/set, a checkbox value, or comma-separated text of choices."""
    if is_blank(container):
        return False
    if isinstance(container, dict):
        return code_text(item) in checked_codes(container)
    if isinstance(container, _COLLECTIONS):
        return any(equal(item, element) for element in container)
    if isinstance(container, str):
        return any(equal(item, part.strip()) for part in container.split(","))
    return False


def compare(op: str, a: Any, b: Any) -> bool:
    """Apply one comparison operator; never raises for odd operands, answers False instead."""
    if op == "=":
        return equal(a, b)
    if op == "<>":
        return not equal(a, b)
    if op == "in":
        return member(a, b)
    if op == "not in":
        return not member(a, b)
    if op not in _ORDER:
        raise ExpressionError(f"unknown comparison {op!r}")
    if is_blank(a) or is_blank(b):
        return False
    pair = _pair(a, b)
    if pair is None:
        return False
    try:
        return bool(_ORDER[op](pair[0], pair[1]))
    except TypeError:
        return False


def truthy(value: Any) -> bool:
    """Truth as if()/and/or/not see it: blank is false, "0" is false, "false" is false."""
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    number = to_number(value)
    if number is not None:
        return number != 0
    as_bool = _bool_text(value)
    if as_bool is not None:
        return as_bool
    return True


def code_text(value: Any) -> str:
    """A choice code as text: 2, 2.0 and ' 2 ' are all '2'."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def checked_codes(value: Any) -> set[str]:
    """The codes ticked in a checkbox value (list/tuple/set, dict code -> checked, or '1,3')."""
    if is_blank(value):
        return set()
    if isinstance(value, dict):
        return {code_text(code) for code, checked in value.items() if truthy(checked)}
    if isinstance(value, _COLLECTIONS):
        return {code_text(code) for code in value if not is_blank(code)}
    if isinstance(value, str):
        return {part.strip() for part in value.split(",") if part.strip()}
    return {code_text(value)}


def to_text(value: Any) -> str:
    """Text for concat() and the text functions; blanks become ''."""
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (*_COLLECTIONS,)):
        return ",".join(sorted(checked_codes(value)))
    if isinstance(value, dict):
        return ",".join(sorted(checked_codes(value)))
    return str(value)


def check_number(value: int | float) -> int | float:
    """Refuse results too large to handle (ints over 1024 bits, infinite floats)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise ExpressionError("number out of range")
        return value
    if not math.isfinite(value):
        raise ExpressionError("number out of range")
    return value


def check_text(value: str) -> str:
    """Refuse text results longer than MAX_TEXT_LENGTH characters."""
    if len(value) > MAX_TEXT_LENGTH:
        raise ExpressionError(f"text result longer than {MAX_TEXT_LENGTH} characters")
    return value


def arithmetic(op: str, a: Any, b: Any) -> int | float | None:
    """+ - * / % ^ with REDCap blank semantics: a blank or non-numeric operand gives blank (None).

    Division or modulo by zero is blank too. `%` truncates toward zero like REDCap's JavaScript.
    """
    x, y = to_number(a), to_number(b)
    if x is None or y is None:
        return None
    try:
        if op == "+":
            result = x + y
        elif op == "-":
            result = x - y
        elif op == "*":
            result = x * y
        elif op == "/":
            if y == 0:
                return None
            result = x / y
        elif op == "%":
            if y == 0:
                return None
            if isinstance(x, int) and isinstance(y, int):
                remainder = abs(x) % abs(y)
                result = -remainder if x < 0 else remainder
            else:
                result = math.fmod(x, y)
        elif op == "^":
            return _power(x, y)
        else:
            raise ExpressionError(f"unknown operator {op!r}")
    except OverflowError:
        raise ExpressionError("number out of range") from None
    return check_number(result)


def _power(x: int | float, y: int | float) -> int | float | None:
    if abs(y) > MAX_EXPONENT:
        raise ExpressionError(f"exponent too large (the limit is {MAX_EXPONENT})")
    if x == 0 and y < 0:
        return None
    if isinstance(x, int) and isinstance(y, int) and y >= 0:
        if (x.bit_length() - 1) * y > MAX_INT_BITS:
            raise ExpressionError("number out of range")
        return check_number(x**y)
    if x < 0 and not float(y).is_integer():
        return None  # a complex root: no real answer, so blank
    try:
        result = float(x) ** float(y)
    except OverflowError:
        raise ExpressionError("number out of range") from None
    except ZeroDivisionError:
        return None
    return check_number(result)


def negate(value: Any) -> int | float | None:
    """Unary minus; blank or non-numeric gives blank."""
    number = to_number(value)
    return None if number is None else check_number(-number)
