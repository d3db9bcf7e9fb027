"""The supply pages' form text turned into service arguments; every refusal is collected under its field name.

Each helper takes the posted text and an `errors` dict it fills; `raise_errors` turns a non-empty dict into one
ValidationError, so a form shows every problem at once. Dates are ISO (YYYY-MM-DD, what a date input sends);
moments are a datetime-local value (YYYY-MM-DDTHH:MM) read in the reader's time zone, or ISO 8601 with an offset.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

REASON_MAX = 500
NOTE_MAX = 2000
TEXT_MAX = 200
KIT_NUMBER_MAX = 20
MAX_KITS_NAMED = 5000
_SEPARATORS = re.compile(r"[\s,;]+")


def posted(request, names) -> dict[str, str]:
    """The named fields of the POST as text (missing ones empty)."""
    return {name: request.POST.get(name, "") for name in names}


def error_dict(exc: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as {field: [messages]} (messages without a field under NON_FIELD_ERRORS)."""
    return exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}


def raise_errors(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def whole(text: str, field: str, errors: dict, *, low: int = 0, high: int = 100_000) -> int | None:
    """A whole number from `low` to `high`; None (and an error under `field`) otherwise."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 9 and low <= int(text) <= high:
        return int(text)
    errors[field] = _("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
    return None


def optional_whole(text: str, field: str, errors: dict, *, high: int = 100_000) -> int:
    """A whole number, 0 when left empty."""
    if not text.strip():
        return 0
    return whole(text, field, errors, high=high) or 0


def day(text: str, field: str, errors: dict, *, required: bool = True) -> dt.date | None:
    """A date written YYYY-MM-DD."""
    text = text.strip()
    if not text:
        if required:
            errors[field] = _("Give the date.")
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[field] = _("Give the date as YYYY-MM-DD.")
        return None


def moment(text: str, field: str, errors: dict, *, required: bool = True) -> dt.datetime | None:
    """A date and time; without an offset it is read in the current (the reader's) time zone."""
    text = text.strip()
    if not text:
        if required:
            errors[field] = _("Give the date and time.")
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        errors[field] = _("Give the date and time as YYYY-MM-DD HH:MM.")
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def temperature(text: str, field: str, errors: dict) -> Decimal | None:
    """A temperature in °C with at most one decimal, from -999.9 to 999.9; None when left empty."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) > Decimal("999.9") or value != round(value, 1):
        errors[field] = _("Give a temperature in °C from -999.9 to 999.9, with at most one decimal.")
        return None
    return value.quantize(Decimal("0.1"))


def kit_numbers(text: str, field: str, errors: dict) -> list[str] | None:
    """Kit numbers separated by spaces, commas or new lines; None when none is written."""
    numbers = [n for n in _SEPARATORS.split(text.strip()) if n]
    if not numbers:
        return None
    if len(numbers) > MAX_KITS_NAMED or any(len(n) > KIT_NUMBER_MAX for n in numbers):
        errors[field] = _("Name at most %(n)d kits, by their numbers.") % {"n": MAX_KITS_NAMED}
        return None
    return numbers


def pairs(request, key: str, value: str) -> list[tuple[str, str]]:
    """Repeated (key, value) fields of a table form, in order (a hidden id beside each input)."""
    return list(zip(request.POST.getlist(key), request.POST.getlist(value), strict=False))


def identifier(text: str) -> int | None:
    """A database id from a select or hidden field; None when it is not one."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 15 else None
