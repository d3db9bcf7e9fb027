"""Cases in: serious adverse events from the EDC's adverse-event form, and manual intake of other sources."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.audit.services import audit_batch, audited_save
from opencro.coding.models import CODED_STATUSES, CodedTerm
from opencro.safety.dates import partial_date_check
from opencro.safety.edc_rows import FLAGS, AeRow, ae_item_roles, ae_rows
from opencro.safety.models import (
    CaseCausality,
    CaseDrugEvent,
    CaseEvent,
    CasePatient,
    CaseProduct,
    CaseReporter,
    CaseSource,
    CaseVersion,
    ProductKind,
    ProductRole,
    Qualification,
    SafetyCase,
    SafetyProduct,
)
from opencro.safety.rules import minimum_criteria_missing
from opencro.safety.services.common import case_number_next, safety_require, version_touched
from opencro.studies.dates import site_today
from opencro.studies.models import Site, Study
from opencro.subjects.models import Subject

SUBJECT_SEX = {"M": "1", "F": "2"}
PAIRED_ROLES = (ProductRole.SUSPECT, ProductRole.INTERACTING)  # products whose reactions are assessed per event


@dataclass(frozen=True)
class EventInput:
    verbatim: str
    onset: str = ""
    end: str = ""
    outcome: str = "0"
    flags: frozenset[str] = frozenset()
    severity: str = ""
    country: str = ""


@dataclass(frozen=True)
class ProductInput:
    name: str
    role: str = ProductRole.SUSPECT
    product: SafetyProduct | None = None
    dose: str = ""
    dose_unit: str = ""
    route: str = ""
    start: str = ""
    end: str = ""
    indication: str = ""


@dataclass(frozen=True)
class ReporterInput:
    given_name: str = ""
    family_name: str = ""
    organisation: str = ""
    country: str = ""
    qualification: str = ""
    investigator: bool = False


@dataclass(frozen=True)
class PatientInput:
    initials: str = ""
    sex: str = ""
    birth_date: str = ""
    age: float | None = None
    age_unit: str = ""


@dataclass(frozen=True)
class CaseIntake:
    """A case reported outside the EDC (spontaneous, literature, partner, or a study SAE by fax or e-mail)."""

    source: str
    received_on: dt.date
    events: list[EventInput]
    products: list[ProductInput]
    reporter: ReporterInput = field(default_factory=ReporterInput)
    patient: PatientInput = field(default_factory=PatientInput)
    narrative: str = ""


def _event_row(version: CaseVersion, key: str, data: EventInput, *, edc_row: int | None = None) -> CaseEvent:
    unknown = data.flags - set(FLAGS)
    if unknown:
        raise ValidationError({"events": _("Unknown seriousness criteria: %(c)s.") % {"c": ", ".join(sorted(unknown))}})
    return CaseEvent(
        version=version,
        key=key,
        verbatim=data.verbatim,
        onset=data.onset,
        end=data.end,
        outcome=data.outcome,
        severity=data.severity,
        country=data.country,
        edc_row=edc_row,
        **{flag: flag in data.flags for flag in FLAGS},
    )


def _version_first(case: SafetyCase, received_on: dt.date, narrative: str, actor) -> CaseVersion:
    return audited_save(
        CaseVersion(
            case=case,
            study_id=case.study_id,
            site_id=case.site_id,
            number=1,
            received_on=received_on,
            narrative=narrative,
        ),
        actor=actor,
        trusted=("case",),
        unique_checked=True,
    )


def _case_new(
    study: Study, *, actor, source: str, received_on: dt.date, site=None, subject=None, **extra
) -> SafetyCase:
    Study.objects.select_for_update(of=("self",)).filter(pk=study.pk).first()  # one numbering at a time
    return audited_save(
        SafetyCase(
            study=study,
            site=site,
            subject=subject,
            number=case_number_next(study.pk, study.protocol_number),
            source=source,
            initial_received_on=received_on,
            **extra,
        ),
        actor=actor,
    )


def _minimum_criteria(version: CaseVersion, *, actor, on: dt.date) -> None:
    from opencro.safety.parts import version_parts

    if version.minimum_criteria_on is None and not minimum_criteria_missing(version_parts(version)):
        version.minimum_criteria_on = on
        audited_save(version, actor=actor, reason="minimum criteria met")


def case_create(
    *, actor: User | None, study: Study, intake: CaseIntake, site: Site | None = None, subject: Subject | None = None
) -> SafetyCase:
    """Open a case from a report received outside the EDC; day 0 is its receipt when the minimum criteria hold."""
    if subject is not None:
        site = subject.site
    safety_require(actor, study.pk, site.pk if site else None)
    if intake.source not in CaseSource.values or intake.source == CaseSource.STUDY:
        raise ValidationError({"source": _("Choose the source of the report.")})
    if not intake.events:
        raise ValidationError({"events": _("A case needs at least one event.")})
    if intake.received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The receipt date cannot be in the future.")})
    for name in ("birth_date",):
        if problem := partial_date_check(getattr(intake.patient, name)):
            raise ValidationError({name: problem})
    with transaction.atomic(), audit_batch():
        case = _case_new(
            study, actor=actor, source=intake.source, received_on=intake.received_on, site=site, subject=subject
        )
        version = _version_first(case, intake.received_on, intake.narrative, actor)
        p = intake.patient
        audited_save(
            CasePatient(
                version=version, initials=p.initials, sex=p.sex, birth_date=p.birth_date, age=p.age, age_unit=p.age_unit
            ),
            actor=actor,
        )
        r = intake.reporter
        if any((r.given_name, r.family_name, r.organisation, r.qualification)):
            audited_save(
                CaseReporter(
                    version=version,
                    given_name=r.given_name,
                    family_name=r.family_name,
                    organisation=r.organisation,
                    country=r.country,
                    qualification=r.qualification,
                    investigator=r.investigator,
                    primary=True,
                ),
                actor=actor,
            )
        events = [
            audited_save(_event_row(version, f"E{i}", data), actor=actor) for i, data in enumerate(intake.events, 1)
        ]
        for i, data in enumerate(intake.products, start=1):
            product = audited_save(
                CaseProduct(
                    version=version,
                    key=f"P{i}",
                    role=data.role,
                    product=data.product,
                    name=data.name,
                    dose=data.dose,
                    dose_unit=data.dose_unit,
                    route=data.route,
                    start=data.start,
                    end=data.end,
                    indication=data.indication,
                    blinded=bool(data.product and data.product.blinded),
                ),
                actor=actor,
            )
            if data.role in PAIRED_ROLES:  # the drug-reaction matrix (E2B G.k.9.i), causality left to assess
                for event in events:
                    audited_save(CaseDrugEvent(version=version, product=product, event=event), actor=actor)
        _minimum_criteria(version, actor=actor, on=intake.received_on)
        version_touched(version, actor=actor, reason="case received")
    return case


# ---- the EDC's serious adverse events -------------------------------------------------------------------------


def _investigator(site: Site) -> tuple[str, str]:
    parts = (site.principal_investigator or "").replace("Dr.", "").replace("Dr ", "").split()
    return (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else ("", "".join(parts))


def _coded(event: CaseEvent, form_id: int, item_oid: str, row: int) -> None:
    term = (
        CodedTerm.objects.filter(form_id=form_id, item_oid=item_oid, group_repeat=row, status__in=CODED_STATUSES)
        .order_by()
        .first()
    )
    if term is not None:
        for name, value in term.path_values().items():
            setattr(event, name, value)
        event.meddra_version = term.dictionary.version[:10] if term.dictionary_id else ""


def _suspects(study: Study) -> list[SafetyProduct]:
    return list(SafetyProduct.objects.filter(study=study, kind=ProductKind.INVESTIGATIONAL).order_by("name"))


def _edc_case_new(form, row: AeRow, roles: dict, *, actor) -> SafetyCase:
    subject, site = form.subject, form.subject.site
    today = site_today(site)
    aware = (
        dt.date.fromisoformat(row.aware_on)
        if len(row.aware_on) == 10 and not partial_date_check(row.aware_on)
        else None
    )
    case = _case_new(
        subject.study,
        actor=actor,
        source=CaseSource.STUDY,
        received_on=today,
        site=site,
        subject=subject,
        edc_form=form,
        edc_row=row.repeat,
        site_aware_on=aware,
        reported_at=timezone.now(),
    )
    version = _version_first(case, today, "", actor)
    audited_save(
        CasePatient(version=version, sex=SUBJECT_SEX.get(subject.sex, ""), birth_date=str(subject.year_of_birth or "")),
        actor=actor,
    )
    given, family = _investigator(site)
    audited_save(
        CaseReporter(
            version=version,
            given_name=given,
            family_name=family,
            organisation=site.institution[:60],
            city=(site.city or "")[:35],
            country=site.country.code,
            qualification=Qualification.PHYSICIAN,
            primary=True,
            investigator=True,
        ),
        actor=actor,
    )
    event = _event_row(version, "E1", _event_input(row, site.country.code), edc_row=row.repeat)
    _coded(event, form.pk, roles["term"], row.repeat)
    audited_save(event, actor=actor)
    products = _suspects(subject.study) or [None]
    for i, product in enumerate(products, start=1):
        item = audited_save(
            CaseProduct(
                version=version,
                key=f"P{i}",
                role=ProductRole.SUSPECT,
                product=product,
                name=product.name if product else _("Study treatment (blinded)"),
                action_taken=row.action,
                blinded=product.blinded if product else True,
            ),
            actor=actor,
        )
        pair = audited_save(CaseDrugEvent(version=version, product=item, event=event), actor=actor)
        if row.related is not None:
            audited_save(
                CaseCausality(
                    version=version,
                    pair=pair,
                    source="reporter",
                    result="related" if row.related else "not_related",
                    comment=row.relationship[:500],
                ),
                actor=actor,
            )
    _minimum_criteria(version, actor=actor, on=today)
    version_touched(version, actor=actor, reason="SAE reported in the EDC")
    return case


def _event_input(row: AeRow, country: str) -> EventInput:
    return EventInput(
        verbatim=row.term,
        onset=row.start,
        end=row.end,
        outcome=row.outcome,
        flags=row.flags,
        severity=row.severity,
        country=country,
    )


EDC_EVENT_FIELDS = ("verbatim", "onset", "end", "outcome", "severity", *FLAGS)


def _edc_case_update(case: SafetyCase, form, row: AeRow, *, actor) -> None:
    """Carry a change of the EDC's SAE row into the case: into the open version, or a new follow-up if frozen."""
    from opencro.safety.services.workflow import case_followup_start

    version = case.versions.order_by("-number").first()
    event = CaseEvent.objects.filter(version=version, edc_row=row.repeat).order_by("key").first()
    if event is None:
        return
    wanted = _event_row(version, event.key, _event_input(row, event.country))
    changed = [name for name in EDC_EVENT_FIELDS if getattr(event, name) != getattr(wanted, name)]
    reporter_result = None if row.related is None else ("related" if row.related else "not_related")
    pairs = list(CaseDrugEvent.objects.filter(event=event))
    stored = {a.pair_id: a for a in CaseCausality.objects.filter(pair__in=pairs, source="reporter")}
    causality_changed = reporter_result is not None and any(
        stored.get(p.pk) is None or stored[p.pk].result != reporter_result for p in pairs
    )
    if not changed and not causality_changed:
        return
    if version.frozen:
        version = case_followup_start(
            actor=None,
            case=case,
            received_on=site_today(case.site),
            significant=True,
            reason="follow-up information entered in the EDC",
        )
        event = CaseEvent.objects.get(version=version, key=event.key)
        pairs = list(CaseDrugEvent.objects.filter(event=event))
        stored = {a.pair_id: a for a in CaseCausality.objects.filter(pair__in=pairs, source="reporter")}
    reason = _("updated from the EDC")
    if changed:
        for name in changed:
            setattr(event, name, getattr(wanted, name))
        audited_save(event, actor=actor, reason=reason)
    if causality_changed:
        for pair in pairs:
            assessment = stored.get(pair.pk) or CaseCausality(version=version, pair=pair, source="reporter")
            assessment.result, assessment.comment = reporter_result, row.relationship[:500]
            audited_save(assessment, actor=actor, reason=reason if assessment.pk else "")
    if version.fatal_or_lt_known_on is None and (row.flags & {"death", "life_threatening"} or row.outcome == "5"):
        version.fatal_or_lt_known_on = site_today(case.site)
        audited_save(version, actor=actor, reason=reason)
    version_touched(version, actor=actor, reason=reason)


def case_intake_from_form(*, actor: User | None, form, fields, values: dict) -> list[SafetyCase]:
    """Open a case for each serious adverse event of a saved AE form, or carry the form's changes into it.

    Called by the EDC's form save, in its transaction: the SAE reaches the safety database the moment it is
    saved. Rows that are not serious open nothing. Returns the cases created.
    """
    roles = ae_item_roles(fields)
    if not roles:
        return []
    created = []
    cases = {case.edc_row: case for case in SafetyCase.objects.filter(edc_form=form)}  # one read per save
    for row in ae_rows(roles, values):
        case = cases.get(row.repeat)
        if case is None and row.serious:
            created.append(_edc_case_new(form, row, roles, actor=actor))
        elif case is not None:
            _edc_case_update(case, form, row, actor=actor)
    return created
