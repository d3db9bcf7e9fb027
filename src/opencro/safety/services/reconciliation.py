"""Run the SAE reconciliation of a study and resolve what it finds (data managers and safety staff)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import access_for
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audit_batch, audited_save
from opencro.coding.models import CodedTerm
from opencro.edc.models import FormData, FormDef, ItemData
from opencro.edc.spec import version_layout
from opencro.safety.edc_rows import ae_item_roles, ae_rows
from opencro.safety.models import (
    CaseStatus,
    CaseVersion,
    DiscrepancyStatus,
    ReconciliationItem,
)
from opencro.safety.parts import versions_parts
from opencro.safety.reconciliation import Discrepancy, SaeFacts, sae_reconcile
from opencro.studies.models import Study
from opencro.subjects.models import Subject

RECONCILERS = (Perm.SAFETY_EDIT, Perm.DATA_REVIEW)


def _require(actor: User | None, study: Study) -> None:
    """Safety staff or data managers (study-wide: reconciliation compares every site)."""
    if actor is None:
        return
    access = access_for(actor, study.pk)
    if access is None or not any(access.can(p) for p in RECONCILERS) or access.site_ids is not None:
        raise PermissionDenied(_("Reconciliation is for study-wide safety staff and data managers."))


def edc_saes(study: Study) -> list[SaeFacts]:
    """The serious adverse events recorded in the study's AE forms (every build version)."""
    roles_by_form = {}
    for form_def in FormDef.objects.filter(version__study=study).only("pk", "version_id"):
        roles = ae_item_roles(version_layout(form_def.version_id).spec(form_def.pk).fields())
        if roles:
            roles_by_form[form_def.pk] = roles
    facts = []
    forms = FormData.objects.filter(study=study, form_def_id__in=roles_by_form).order_by("pk")
    for form in forms:
        roles = roles_by_form[form.form_def_id]
        values = {
            (oid, repeat): value
            for oid, repeat, value in ItemData.objects.filter(form=form).values_list(
                "item_def__oid", "group_repeat", "value"
            )
        }
        pts = dict(CodedTerm.objects.filter(form=form, item_oid=roles["term"]).values_list("group_repeat", "pt_name"))
        for row in ae_rows(roles, values):
            if row.serious:
                facts.append(
                    SaeFacts(
                        subject_id=form.subject_id,
                        term=row.term,
                        pt_name=pts.get(row.repeat, ""),
                        onset=row.start,
                        serious=True,
                        related=row.related,
                        outcome=row.outcome,
                        death_date=row.end if row.outcome == "5" else "",
                        form_id=form.pk,
                        row=row.repeat,
                    )
                )
    return facts


def safety_saes(study: Study) -> list[SaeFacts]:
    """The events of the study's open cases of study participants, as their current versions hold them."""
    versions = CaseVersion.objects.filter(
        study=study,
        latest=True,
        case__subject__isnull=False,
        case__status=CaseStatus.OPEN,
        case__source__in=("study", "study_manual"),
    ).select_related("case")
    facts = []
    versions = list(versions)
    for version, parts in zip(versions, versions_parts(versions).values(), strict=True):
        patient = parts.patient
        reporter: dict[int, bool] = {}  # event -> related to any suspect product, in the investigator's view
        suspects = {p.pk for p in parts.products if p.role in ("1", "3")}
        event_of = {pair.pk: pair.event_id for pair in parts.pairs if pair.product_id in suspects}
        for a in parts.assessments:
            if a.source == "reporter" and a.pair_id in event_of:
                event_id = event_of[a.pair_id]
                reporter[event_id] = reporter.get(event_id, False) or a.result == "related"
        for event in parts.events:
            related = reporter.get(event.pk)
            death = (patient.death_date if patient else "") or (event.end if event.fatal else "")
            facts.append(
                SaeFacts(
                    subject_id=version.case.subject_id,
                    term=event.verbatim,
                    pt_name=event.pt_name,
                    onset=event.onset,
                    serious=event.serious,
                    related=related,
                    outcome=event.outcome,
                    death_date=death,
                    form_id=version.case.edc_form_id if event.edc_row else None,
                    row=event.edc_row,
                    case_id=version.case_id,
                    event_key=event.key,
                )
            )
    return facts


def reconciliation_run(*, actor: User | None, study: Study) -> list[ReconciliationItem]:
    """Compare both sides now: new differences are opened, those gone are closed as resolved; returns the open ones."""
    _require(actor, study)
    found: dict[str, Discrepancy] = {d.key: d for d in sae_reconcile(edc_saes(study), safety_saes(study))}
    now = timezone.now()
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in={d.subject_id for d in found.values()})}
    with transaction.atomic(), audit_batch():
        stored = {
            item.key: item for item in ReconciliationItem.objects.select_for_update(of=("self",)).filter(study=study)
        }
        for key, item in stored.items():
            if key not in found and item.status == DiscrepancyStatus.OPEN:
                item.status, item.closed_at, item.closed_by = DiscrepancyStatus.RESOLVED, now, actor
                item.note = item.note or _("No longer different at the reconciliation of %(t)s.") % {
                    "t": now.isoformat()
                }
                audited_save(item, actor=actor, reason="reconciliation: corrected")
        for key, d in found.items():
            item = stored.get(key)
            if item is None:
                subject = subjects[d.subject_id]
                audited_save(
                    ReconciliationItem(
                        study=study,
                        site_id=subject.site_id,
                        subject=subject,
                        key=key,
                        kind=d.kind,
                        field=d.field,
                        edc_value=d.edc_value[:300],
                        safety_value=d.safety_value[:300],
                        case_id=d.case_id,
                        edc_form_id=d.form_id,
                        edc_row=d.row,
                        found_at=now,
                    ),
                    actor=actor,
                    unique_checked=True,
                )
            elif (item.edc_value, item.safety_value) != (d.edc_value[:300], d.safety_value[:300]) or (
                item.status == DiscrepancyStatus.RESOLVED
            ):
                item.edc_value, item.safety_value = d.edc_value[:300], d.safety_value[:300]
                if item.status == DiscrepancyStatus.RESOLVED:  # it came back
                    item.status, item.closed_at, item.closed_by = DiscrepancyStatus.OPEN, None, None
                audited_save(item, actor=actor, reason="reconciliation: values changed")
    return list(ReconciliationItem.objects.filter(study=study, status=DiscrepancyStatus.OPEN).select_related("subject"))


def reconciliation_explain(*, actor: User | None, item: ReconciliationItem, note: str) -> ReconciliationItem:
    """Accept a difference that is right as it is (e.g. the safety database holds a later follow-up), with a note."""
    _require(actor, item.study)
    if not note.strip():
        raise ValidationError({"note": _("Explain why the difference is accepted.")})
    if item.status != DiscrepancyStatus.OPEN:
        raise ValidationError({"status": _("Only an open difference can be explained.")})
    item.status, item.note, item.closed_at, item.closed_by = DiscrepancyStatus.EXPLAINED, note, timezone.now(), actor
    with transaction.atomic(), audit_batch():
        return audited_save(item, actor=actor, reason="reconciliation: explained")
