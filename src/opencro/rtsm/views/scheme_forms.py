"""The scheme page's form text turned into service arguments; a ValidationError names each field it refuses.

Levels are written one per line or separated by commas; bands one per line as ``level, lower, upper`` (a bound
left empty is open; the level may itself hold commas, the last two fields are the bounds).
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opencro.rtsm.services.scheme import SCHEME_FIELDS

BOOLEAN_SETTINGS = ("blinded", "require_eligibility", "require_consent")
MAX_N_PER_STRATUM = 10_000  # slots per stratum one request may generate
MAX_SEED = 2**128  # the model keeps the seed in 40 decimal digits
MAX_LEVELS = 500


def _whole(text: str, digits: int = 6) -> int | None:
    """A whole number of at most `digits` ASCII digits, else None."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= digits else None


def _number(text: str, field: str, errors: dict) -> int | float | None:
    """A decimal number as int when whole, else float; None (and an error under `field`) when it is not one."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        errors[field] = _("%(value)s is not a number.") % {"value": text.strip()[:40]}
        return None
    if not value.is_finite():
        errors[field] = _("Give a finite number.")
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def scheme_values(posted: dict[str, str]) -> dict:
    """Keywords for `scheme_save` from the settings form (every setting is on the form)."""
    errors: dict[str, str] = {}
    values: dict = {name: posted.get(name, "").strip() for name in SCHEME_FIELDS}
    for name in BOOLEAN_SETTINGS:
        values[name] = values[name] in ("1", "on", "true")
    sizes = []
    for part in values["block_sizes"].replace(";", ",").split(","):
        if part.strip():
            size = _whole(part)
            if size is None:
                errors["block_sizes"] = _("Write whole numbers separated by commas, such as 2, 4.")
                break
            sizes.append(size)
    values["block_sizes"] = sizes
    p_best = _number(values["p_best"] or "0.8", "p_best", errors)
    values["p_best"] = float(p_best) if p_best is not None else None
    if errors:
        raise ValidationError(errors)
    return values


def levels_of(text: str) -> list[str]:
    """Levels written one per line or separated by commas, stripped; empty entries dropped."""
    return [part.strip() for line in text.splitlines() for part in line.split(",") if part.strip()]


def bands_of(text: str, errors: dict) -> list[list]:
    """Bands written one per line as ``level, lower, upper``."""
    bands = []
    for number, line in enumerate((line for line in text.splitlines() if line.strip()), start=1):
        parts = [part.strip() for part in line.rsplit(",", 2)]
        if len(parts) != 3 or not parts[0]:
            errors["bands"] = _("Line %(n)d: write level, lower, upper (leave a bound empty when open).") % {
                "n": number
            }
            return []
        bounds = [None if not part else _number(part, "bands", errors) for part in parts[1:]]
        if "bands" in errors:
            errors["bands"] = _("Line %(n)d: %(problem)s") % {"n": number, "problem": errors["bands"]}
            return []
        bands.append([parts[0], *bounds])
    return bands


def factor_values(posted: dict[str, str]) -> dict:
    """Keywords for `factor_save` from a factor form (not the reason)."""
    errors: dict[str, str] = {}
    levels = levels_of(posted.get("levels", ""))
    if len(levels) > MAX_LEVELS:
        errors["levels"] = _("At most %(n)d levels.") % {"n": MAX_LEVELS}
    weight = _number(posted.get("weight", "").strip() or "1", "weight", errors)
    order = _whole(posted.get("order", "").strip() or "0")
    if order is None:
        errors["order"] = _("Give a whole number of at least 0.")
    values = {
        "name": posted.get("name", "").strip(),
        "label": posted.get("label", "").strip(),
        "source": posted.get("source", "").strip(),
        "levels": levels,
        "item_oid": posted.get("item_oid", "").strip(),
        "bands": bands_of(posted.get("bands", ""), errors),
        "weight": float(weight) if weight is not None else None,
        "order": order or 0,
    }
    if errors:
        raise ValidationError(errors)
    return values


def generate_values(posted: dict[str, str]) -> tuple[int, int | None]:
    """(slots per stratum, seed or None for a fresh one) from the generate form."""
    errors: dict[str, str] = {}
    n_text, seed_text = posted.get("n_per_stratum", "").strip(), posted.get("seed", "").strip()
    n = _whole(n_text) or 0
    if not 1 <= n <= MAX_N_PER_STRATUM:
        errors["n_per_stratum"] = _("Give a whole number from 1 to %(max)d.") % {"max": MAX_N_PER_STRATUM}
    seed = None
    if seed_text:
        seed = _whole(seed_text, digits=39)
        if seed is None or seed >= MAX_SEED:
            seed = None
            errors["seed"] = _("Give a whole number from 0 to 2^128 - 1, or leave it empty for a fresh seed.")
    if errors:
        raise ValidationError(errors)
    return n, seed
