"""Parsing posted fields into service arguments; a malformed value is a ValidationError on its field."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def date_field(data, name: str, *, required: bool = True) -> dt.date | None:
    text = (data.get(name) or "").strip()
    if not text:
        if required:
            raise ValidationError({name: _("Give a date.")})
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({name: _("Give the date as YYYY-MM-DD.")}) from None


def int_field(data, name: str, *, required: bool = True) -> int | None:
    text = (data.get(name) or "").strip()
    if not text:
        if required:
            raise ValidationError({name: _("This field is required.")})
        return None
    try:
        return int(text)
    except ValueError:
        raise ValidationError({name: _("Give a whole number.")}) from None


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def posted_site(access, data):
    """The posted `site` if it is one of the user's sites (404 for another's), None when missing or malformed."""
    from opencro.subjects.participants import site_get

    text = (data.get("site") or "").strip()
    return site_get(access, int(text)) if text.isdigit() and len(text) < 12 else None
