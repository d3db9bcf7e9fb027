"""Parse the plan form and the what-if query (page and API share them): values, or errors per field."""

import datetime as dt

from django.utils.translation import gettext as _

from opencro.recruitment.forecasting import WhatIf

MAX_TARGET = 1_000_000
MAX_ADDED_SITES = 500


def _number(raw: str, errors: dict, field: str, *, whole: bool = False, low: float = 0.0, high: float = 1e6):
    text = (raw or "").strip().replace(",", ".")
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        errors[field] = _("Enter a whole number.") if whole else _("Enter a number.")
        return None
    inside = low <= value <= high if whole else low < value <= high
    if not inside:
        errors[field] = (
            _("Must be from %(low)s to %(high)s.") if whole else _("Must be greater than %(low)s and at most %(high)s.")
        ) % {"low": f"{low:g}", "high": f"{high:g}"}
        return None
    return value


def _date(raw: str, errors: dict, field: str) -> dt.date | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[field] = _("Enter a date as YYYY-MM-DD.")
        return None


def parse_plan(data) -> tuple[dict, dict[str, str]]:
    """{target, rate_mean, rate_cv, last_in, reason} from form text; a rate and CV must be greater than 0."""
    errors: dict[str, str] = {}
    values = {
        "target": _number(data.get("target", ""), errors, "target", whole=True, low=1, high=MAX_TARGET),
        "rate_mean": _number(data.get("rate_mean", ""), errors, "rate_mean", high=1000.0),
        "rate_cv": _number(data.get("rate_cv", ""), errors, "rate_cv", high=10.0),
        "last_in": _date(data.get("last_in", ""), errors, "last_in"),
        "reason": (data.get("reason") or "").strip(),
    }
    return values, errors


def parse_what_if(query) -> tuple[WhatIf | None, dict[str, str]]:
    """The what-if of the query (add_sites, add_on, add_country); None when add_sites is empty or 0."""
    errors: dict[str, str] = {}
    if not (query.get("add_sites") or "").strip():
        return None, errors
    sites = _number(query.get("add_sites", ""), errors, "add_sites", whole=True, low=0, high=MAX_ADDED_SITES)
    on = _date(query.get("add_on", ""), errors, "add_on")
    if on is None and "add_on" not in errors:
        errors["add_on"] = _("Give the date the added sites get their green light.")
    country = (query.get("add_country") or "").strip().upper()[:2]
    if errors or not sites:
        return None, errors
    return WhatIf(sites=sites, on=on, country=country), errors


def parse_as_of(query, today: dt.date) -> tuple[dt.date, dict[str, str]]:
    errors: dict[str, str] = {}
    day = _date(query.get("as_of", ""), errors, "as_of")
    return day or today, errors
