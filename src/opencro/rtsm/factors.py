"""Stratification factors resolved: each factor's levels, and a subject's level of each (no writes)."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opencro.rtsm.models import FactorSource, RandomisationScheme, StratificationFactor
from opencro.studies.models import Country, Site
from opencro.subjects.models import Subject


@dataclass(frozen=True)
class ResolvedFactor:
    name: str
    label: str
    source: str
    levels: tuple[str, ...]
    weight: float
    factor: StratificationFactor


def factor_levels(factor: StratificationFactor, study_id: int) -> tuple[str, ...]:
    """The factor's levels: as configured, else the study's site numbers or country codes, else the bands'."""
    if factor.levels:
        return tuple(str(level) for level in factor.levels)
    if factor.source == FactorSource.SITE:
        return tuple(Site.objects.filter(study_id=study_id).order_by("number").values_list("number", flat=True))
    if factor.source == FactorSource.COUNTRY:
        return tuple(Country.objects.filter(study_id=study_id).order_by("code").values_list("code", flat=True))
    if factor.source == FactorSource.SEX:
        return ("F", "M")
    return tuple(str(band[0]) for band in factor.bands)


def scheme_factors(scheme: RandomisationScheme) -> list[ResolvedFactor]:
    """The scheme's factors in order, with their levels resolved."""
    return [
        ResolvedFactor(f.name, f.label or f.name, f.source, factor_levels(f, scheme.study_id), f.weight, f)
        for f in scheme.factors.all()
    ]


def band_of(value: str, bands: list, field: str) -> str:
    """The level of the band holding `value`: bands are [level, lower or None, upper or None], [lower, upper)."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError):
        raise ValidationError({field: _("The value %(value)s is not a number.") % {"value": value}}) from None
    for level, lower, upper in bands:
        if (lower is None or number >= Decimal(str(lower))) and (upper is None or number < Decimal(str(upper))):
            return str(level)
    raise ValidationError({field: _("The value %(value)s falls in no band.") % {"value": value}})


def subject_levels(
    subject: Subject, factors: list[ResolvedFactor], entered: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The subject's level of every factor; a located ValidationError (keyed by factor name) when one is missing."""
    entered = entered or {}
    levels: dict[str, str] = {}
    errors: dict[str, str] = {}
    stored = None
    for f in factors:
        value: str | None
        if f.source == FactorSource.SITE:
            value = subject.site.number
        elif f.source == FactorSource.COUNTRY:
            value = subject.site.country.code
        elif f.source == FactorSource.SEX:
            value = subject.sex
        elif f.source == FactorSource.ENTERED:
            value = (entered.get(f.name) or "").strip() or None
        else:
            if stored is None:
                from opencro.edc.environment import subject_stored_values

                stored = subject_stored_values(subject.pk)
            found = [v for (_event, oid), v in stored.items() if oid == f.factor.item_oid and v not in (None, "")]
            value = found[0] if found else None
            if value is not None and f.factor.bands:
                try:
                    value = band_of(value, f.factor.bands, f.name)
                except ValidationError as exc:
                    errors[f.name] = exc.message_dict[f.name][0]
                    continue
        if value is None:
            errors[f.name] = _("No value for %(factor)s.") % {"factor": f.label}
        elif value not in f.levels:
            errors[f.name] = _("%(value)s is not a level of %(factor)s (levels: %(levels)s).") % {
                "value": value,
                "factor": f.label,
                "levels": ", ".join(f.levels),
            }
        else:
            levels[f.name] = value
    if errors:
        raise ValidationError(errors)
    return levels
