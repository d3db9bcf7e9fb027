"""Registry writes: institutions, their investigators and capabilities, and links from study sites to them.

Every write needs `site.edit` on the study the manager works in (`study`), without a site restriction; the
registry itself belongs to no study, so its audit records carry no study.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.audit.services import audited_delete, audited_save
from opencro.formats.ctgov import country_code, country_name
from opencro.sites.models import Capability, HistoricalSite, Institution, Investigator, SiteLink
from opencro.sites.services._access import registry_require
from opencro.studies.models import Site, Study

INSTITUTION_EDITABLE = ("name", "country_code", "country", "city", "ctgov_key", "notes")
INVESTIGATOR_EDITABLE = ("name", "email", "cv_date", "gcp_training_date", "licence_number", "licence_expires_on")


def _apply(instance, changes: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    for name, value in changes.items():
        setattr(instance, name, value.strip() if isinstance(value, str) else value)


def _country_filled(institution: Institution) -> None:
    institution.country_code = (institution.country_code or "").strip().upper()
    institution.clean()  # the code first: the country's name is looked up from it
    if not institution.country:
        institution.country = country_name(institution.country_code)
    if not institution.country:
        raise ValidationError({"country": _("Name the country as ClinicalTrials.gov does (e.g. United States).")})


def institution_create(
    *,
    actor: User | None,
    study: Study,
    name: str,
    country_code: str,
    country: str = "",
    city: str = "",
    ctgov_key: str = "",
    notes: str = "",
) -> Institution:
    """Register an institution; the country name defaults to the ClinicalTrials.gov name of the code."""
    registry_require(actor, study)
    institution = Institution(
        name=name.strip(),
        country_code=country_code,
        country=country.strip(),
        city=city.strip(),
        ctgov_key=ctgov_key.strip(),
        notes=notes.strip(),
    )
    _country_filled(institution)
    with transaction.atomic():
        return audited_save(institution, actor=actor)


def institution_update(
    *, actor: User, study: Study, institution: Institution, changes: dict[str, Any], reason: str
) -> Institution:
    registry_require(actor, study)
    _apply(institution, changes, INSTITUTION_EDITABLE)
    _country_filled(institution)
    with transaction.atomic():
        return audited_save(institution, actor=actor, reason=reason)


def institution_from_facility(*, actor: User | None, study: Study, facility_key: str) -> Institution:
    """Register the facility of past trials named by `facility_key` (name, city, country from its latest row)."""
    registry_require(actor, study)
    row = HistoricalSite.objects.filter(facility_key=facility_key).order_by("-trial__start_date", "-id").first()
    if row is None:
        raise ValidationError({"facility_key": _("No past trial has a site with this key.")})
    if Institution.objects.filter(ctgov_key=facility_key).exists():
        raise ValidationError({"facility_key": _("An institution with this facility key is registered already.")})
    code = country_code(row.country)
    if not code:
        raise ValidationError(
            {
                "facility_key": _("The country %(country)s has no known code: register it by hand.")
                % {"country": row.country}
            }
        )
    return institution_create(
        actor=actor,
        study=study,
        name=row.name or row.city,
        country_code=code,
        country=row.country,
        city=row.city,
        ctgov_key=facility_key,
    )


def investigator_create(
    *, actor: User | None, study: Study, institution: Institution, name: str, **fields: Any
) -> Investigator:
    """Add an investigator (CV and GCP training dates, licence) to an institution."""
    registry_require(actor, study)
    investigator = Investigator(institution=institution, name=name.strip())
    _apply(investigator, fields, INVESTIGATOR_EDITABLE)
    with transaction.atomic():
        return audited_save(investigator, actor=actor)


def investigator_update(
    *, actor: User, study: Study, investigator: Investigator, changes: dict[str, Any], reason: str
) -> Investigator:
    registry_require(actor, study)
    _apply(investigator, changes, INVESTIGATOR_EDITABLE)
    with transaction.atomic():
        return audited_save(investigator, actor=actor, reason=reason)


def capability_add(
    *, actor: User | None, study: Study, institution: Institution, kind: str, value: str, detail: str = ""
) -> Capability:
    """Record what an institution has: equipment, a patient population, therapeutic experience."""
    registry_require(actor, study)
    capability = Capability(institution=institution, kind=kind, value=value.strip(), detail=detail.strip())
    with transaction.atomic():
        return audited_save(capability, actor=actor)


def capability_delete(*, actor: User, study: Study, capability: Capability, reason: str) -> None:
    registry_require(actor, study)
    with transaction.atomic():
        audited_delete(capability, actor=actor, reason=reason)


def site_link(
    *,
    actor: User | None,
    site: Site,
    institution: Institution,
    investigator: Investigator | None = None,
    reason: str = "",
) -> SiteLink:
    """Say which registry institution (and investigator) a study site is; changing a link needs a reason."""
    registry_require(actor, site.study_id)
    link = SiteLink.objects.filter(site=site).first() or SiteLink(site=site)
    link.institution = institution
    link.investigator = investigator
    with transaction.atomic():
        return audited_save(link, actor=actor, reason=reason)
