"""Reading the pages' form fields: typed values or a ValidationError naming the field."""

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

TEXT_MAX = 500


def text(post, name: str, limit: int = TEXT_MAX) -> str:
    return (post.get(name) or "")[:limit].strip()


def date_or_none(post, name: str) -> dt.date | None:
    value = text(post, name, 20)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: _("Give a date as YYYY-MM-DD.")}) from None


def whole(post, name: str, default: int | None = None, *, low: int = 0, high: int = 10**6) -> int | None:
    value = text(post, name, 20)
    if not value:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValidationError({name: _("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}})
    return int(value)


def number_or_none(post, name: str) -> float | None:
    value = text(post, name, 30).replace(",", ".")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValidationError({name: _("Give a number.")}) from None
    if number != number or abs(number) > 1e12:
        raise ValidationError({name: _("Give a number.")})
    return number


def object_id(post, name: str) -> int | None:
    value = text(post, name, 16)
    return int(value) if value.isdigit() else None


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}


def choices_from_text(value: str) -> list[list]:
    """Choices typed one per line as "label = points" (points 0..100)."""
    rows = []
    for line in value.splitlines():
        if not line.strip():
            continue
        label, sep, points = line.rpartition("=")
        try:
            number = float(points.strip()) if sep else None
        except ValueError:
            number = None
        if not sep or number is None or not label.strip():
            raise ValidationError({"choices": _("Write one choice per line as “label = points”.")})
        rows.append([label.strip(), int(number) if number.is_integer() else number])
    return rows
