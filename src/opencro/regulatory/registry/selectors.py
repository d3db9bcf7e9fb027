"""Reads of registry disclosure: the study as it would be registered now, the records kept as registered, and
what changed since the latest one.

Every read takes `site_ids`: None for a reader of every site; a site-restricted reader's sites otherwise, whose view
holds only those sites' locations (ClinicalTrials.gov) or member states (EU CTR), in the current export and in the
records compared with it. What the mapping reads is taken in one pass (`study_snapshot`), the registration
details entered for the study included (`details_row`); see `mapping` for how each field is filled.
"""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Min, QuerySet
from django.utils import timezone

from opencro.formats.ctgov.registration import Registration
from opencro.formats.ctgov.registration_diff import Change
from opencro.formats.errors import FormatError, Problem
from opencro.regulatory.models import RegistrationDetails, Registry, RegistryRecord
from opencro.regulatory.registry import mapping
from opencro.regulatory.registry.changes import document_changes
from opencro.rtsm.models import RandomisationScheme
from opencro.safety.models import SafetyProduct
from opencro.studies.models import (
    Arm,
    EligibilityCriterion,
    Endpoint,
    Objective,
    ProtocolVersion,
    ProtocolVersionStatus,
    Site,
    Study,
)
from opencro.subjects.models import Subject

REGISTRIES = tuple(Registry.values)


@dataclass(frozen=True)
class RegistryExport:
    """The current export for one registry: the document to load (None when it cannot be prepared), what the
    registry would refuse or what is left to complete, and the protocol version it was made from."""

    registry: str
    document: dict[str, Any] | None
    problems: tuple[Problem, ...]
    protocol_version: ProtocolVersion | None
    as_of: dt.date


@dataclass(frozen=True)
class RegistryChanges:
    """The changes from the latest record (None: nothing recorded yet) to the current export."""

    registry: str
    record: RegistryRecord | None
    current_version: ProtocolVersion | None
    changes: tuple[Change, ...] = field(default=())

    @property
    def registered_version(self) -> ProtocolVersion | None:
        return self.record.protocol_version if self.record else None


def protocol_version_current(study: Study) -> ProtocolVersion | None:
    """The approved protocol version in force: the latest effective date (then the latest created)."""
    return (
        ProtocolVersion.objects.filter(study=study, status=ProtocolVersionStatus.APPROVED)
        .order_by(F("effective_date").desc(nulls_last=True), "-id")
        .first()
    )


def study_snapshot(study: Study, *, as_of: dt.date | None = None) -> mapping.StudySnapshot:
    """What the mapping reads of `study` (every site: the view of a restricted reader is cut in the mapping)."""
    scheme = RandomisationScheme.objects.filter(study=study).only("blinded").first()
    enrolled = Subject.objects.filter(study=study, enrolled_on__isnull=False).aggregate(
        n=Count("id"), first=Min("enrolled_on")
    )
    return mapping.StudySnapshot(
        protocol_number=study.protocol_number,
        title=study.title,
        short_title=study.short_title,
        phase=study.phase,
        indication=study.indication,
        therapeutic_area=study.therapeutic_area,
        sponsor=study.sponsor,
        status=study.status,
        as_of=as_of or timezone.localdate(),
        eu_ct_number=study.eu_ct_number,
        nct_number=study.nct_number,
        arms=tuple(
            mapping.ArmRow(a.code, a.name, a.type, a.description)
            for a in Arm.objects.filter(study=study).order_by("code")
        ),
        products=tuple(
            mapping.ProductRow(p.name, p.kind, p.active_ingredient)
            for p in SafetyProduct.objects.filter(study=study).order_by("name")
        ),
        objectives=tuple(
            mapping.ObjectiveRow(o.level, o.description)
            for o in Objective.objects.filter(study=study).order_by("order", "id")
        ),
        endpoints=tuple(
            mapping.EndpointRow(e.level, e.description, e.timeframe)
            for e in Endpoint.objects.filter(objective__study=study).order_by("objective__order", "objective_id", "id")
        ),
        criteria=tuple(
            mapping.CriterionRow(c.kind, c.number, c.text, c.expression)
            for c in EligibilityCriterion.objects.filter(study=study)
        ),
        sites=tuple(
            mapping.SiteRow(
                institution=s.institution,
                city=s.city,
                country_code=s.country.code,
                status=s.status,
                principal_investigator=s.principal_investigator,
                target_enrolment=s.target_enrolment,
                id=s.pk,
            )
            for s in Site.objects.filter(study=study).select_related("country").order_by("number")
        ),
        randomised=scheme is not None,
        blinded=scheme.blinded if scheme is not None else None,
        enrolled=enrolled["n"] or 0,
        first_enrolled_on=enrolled["first"],
        details=details_row(registration_details_get(study)),
    )


def registration_details_get(study: Study) -> RegistrationDetails | None:
    """The study's registration details; None when none were entered yet."""
    return RegistrationDetails.objects.filter(study=study).first()


def details_row(details: RegistrationDetails | None) -> mapping.DetailsRow:
    """The details as the mapping reads them (empty when none were entered)."""
    if details is None:
        return mapping.DetailsRow()
    contacts = (
        (details.contact_name, details.contact_phone, details.contact_phone_ext, details.contact_email),
        (details.backup_name, details.backup_phone, details.backup_phone_ext, details.backup_email),
    )
    return mapping.DetailsRow(
        primary_purpose=details.primary_purpose,
        who_masked=tuple(details.who_masked or ()),
        intervention_model=details.intervention_model,
        sex=details.sex,
        healthy_volunteers=details.healthy_volunteers,
        primary_completion=details.primary_completion_date,
        primary_completion_type=details.primary_completion_type,
        completion=details.completion_date,
        completion_type=details.completion_type,
        central_contacts=tuple(mapping.ContactRow(*contact) for contact in contacts if contact[0].strip()),
        officials=(
            (mapping.OfficialRow(details.official_name, details.official_affiliation, details.official_role),)
            if details.official_name.strip()
            else ()
        ),
        stop_status=details.stop_status,
        why_stopped=details.why_stopped,
    )


def registration_current(study: Study, *, site_ids: Collection[int] | None = None) -> Registration:
    """The ClinicalTrials.gov registration the current protocol supports."""
    return mapping.study_registration(study_snapshot(study), site_ids=site_ids)


def registry_current(
    study: Study, registry: str, *, site_ids: Collection[int] | None = None, as_of: dt.date | None = None
) -> RegistryExport:
    """The current export for `registry` with its problems (ValueError for an unknown registry)."""
    snap = study_snapshot(study, as_of=as_of)
    return _export(study, registry, snap, site_ids)


def registry_export(study: Study, registry: str, *, site_ids: Collection[int] | None = None) -> dict[str, Any]:
    """The document ready to write for `registry`; FormatError, its problems located, when it cannot be made."""
    current = registry_current(study, registry, site_ids=site_ids)
    if current.document is None:
        raise FormatError(list(current.problems))
    return current.document


def registry_records(study: Study, registry: str | None = None) -> QuerySet[RegistryRecord]:
    """The records of `study` (of one registry, or all), latest first."""
    found = RegistryRecord.objects.filter(study=study).select_related("protocol_version", "recorded_by")
    if registry is not None:
        found = found.filter(registry=registry)
    return found.order_by("registry", "-registered_on", "-id")


def registry_changes(study: Study, registry: str, *, site_ids: Collection[int] | None = None) -> RegistryChanges:
    """The changes between the latest record of `registry` and the current export, with both protocol versions.

    No changes when nothing is recorded yet or the current document cannot be prepared (its problems say why).
    """
    return registry_overview(study, registry, site_ids=site_ids)[1]


def registry_overview(
    study: Study, registry: str, *, site_ids: Collection[int] | None = None
) -> tuple[RegistryExport, RegistryChanges]:
    """The current export and the changes since the latest record, from one read of the study (the page's)."""
    snap = study_snapshot(study)
    current = _export(study, registry, snap, site_ids)
    record = registry_records(study, registry).first()
    if record is None or current.document is None:
        return current, RegistryChanges(registry, record, current.protocol_version)
    registered = mapping.project_document(registry, record.payload, snap, site_ids)
    changes = document_changes(registry, registered, current.document)
    return current, RegistryChanges(registry, record, current.protocol_version, tuple(changes))


def _export(
    study: Study, registry: str, snap: mapping.StudySnapshot, site_ids: Collection[int] | None
) -> RegistryExport:
    if registry == Registry.CTGOV:
        document, problems = mapping.ctgov_document(snap, site_ids=site_ids)
    elif registry == Registry.EUCTR:
        document, problems = mapping.eu_document(snap, site_ids=site_ids)
    else:
        raise ValueError(f"unknown registry {registry!r}: one of {', '.join(REGISTRIES)}")
    return RegistryExport(registry, document, tuple(problems), protocol_version_current(study), snap.as_of)
