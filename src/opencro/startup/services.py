"""Start-up writes: milestone dates, essential documents, protocol training, the green light and site status.

Who: `site.edit` (the project manager, start-up specialists given that permission), restricted to the actor's
sites for site-level records; `actor=None` is the system (loaders, test fixtures). Each call is one transaction
and one audit group; a change after first entry needs a reason.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audit_batch, audited_save
from opencro.startup.models import (
    COUNTRY_MILESTONES,
    REQUIRED_DOCUMENTS,
    SITE_MILESTONES,
    EssentialDocument,
    MilestoneKind,
    StartupMilestone,
    TrainingRecord,
)
from opencro.startup.rules import green_light_blockers, startup_facts
from opencro.studies.dates import site_today
from opencro.studies.models import Country, ProtocolVersion, ProtocolVersionStatus, Site, SiteStatus

_UNSET = object()
# What site_status_set may move a site to; ACTIVE only back from ON_HOLD (the green light gives it first).
STATUS_MOVES = {
    SiteStatus.ON_HOLD: (SiteStatus.ACTIVE,),
    SiteStatus.ACTIVE: (SiteStatus.ON_HOLD,),
    SiteStatus.CLOSED: (
        SiteStatus.PLANNED,
        SiteStatus.SELECTED,
        SiteStatus.INITIATED,
        SiteStatus.ACTIVE,
        SiteStatus.ON_HOLD,
    ),
}
DOCUMENT_EDITABLE = ("title", "received_on", "approved_on", "expires_on", "note")


def _check(actor: User | None, study_id: int, site_id: int | None = None) -> StudyAccess | None:
    """`site.edit` on the study, and the site when one is named; None for the system."""
    if actor is None:
        return None
    access = access_require(actor, study_id, Perm.SITE_EDIT)
    if site_id is not None and access.site_ids is not None and site_id not in access.site_ids:
        raise PermissionDenied(_("This site is outside your membership."))
    if site_id is None and access.site_ids is not None:
        raise PermissionDenied(_("A site-restricted role cannot change country milestones."))
    return access


def _not_future(site: Site, day: dt.date | None, name: str) -> None:
    if day is not None and day > site_today(site):
        raise ValidationError({name: _("An actual date cannot be in the future.")})


def _milestone_save(
    milestone: StartupMilestone, *, actor, planned_on, actual_on, note, reason: str
) -> StartupMilestone:
    if planned_on is not _UNSET:
        milestone.planned_on = planned_on
    if actual_on is not _UNSET:
        milestone.actual_on = actual_on
    if note is not _UNSET:
        milestone.note = note
    return audited_save(milestone, actor=actor, reason=reason)


def site_milestone_set(
    *,
    actor: User | None,
    site: Site,
    kind: str,
    planned_on: dt.date | object | None = _UNSET,
    actual_on: dt.date | object | None = _UNSET,
    note: str | object = _UNSET,
    reason: str = "",
) -> StartupMilestone:
    """Record a site milestone's planned or actual date (created on first use). The green light's actual date
    is the green-light service's alone. Selecting a site or its initiation visit moves its status forward."""
    _check(actor, site.study_id, site.pk)
    if kind not in SITE_MILESTONES:
        raise ValidationError({"kind": _("This is not a site milestone.")})
    if kind == MilestoneKind.GREEN_LIGHT and actual_on is not _UNSET:
        raise ValidationError({"actual_on": _("The green light is given on the site's start-up page, not typed in.")})
    if actual_on is not _UNSET:
        _not_future(site, actual_on, "actual_on")
    with transaction.atomic(), audit_batch():
        site = Site.objects.select_for_update(of=("self",)).select_related("country").get(pk=site.pk)
        milestone = StartupMilestone.objects.filter(site=site, kind=kind).first() or StartupMilestone(
            study_id=site.study_id, site=site, kind=kind
        )
        milestone = _milestone_save(
            milestone, actor=actor, planned_on=planned_on, actual_on=actual_on, note=note, reason=reason
        )
        _status_follows(site, milestone, actor=actor)
    return milestone


def _status_follows(site: Site, milestone: StartupMilestone, *, actor) -> None:
    """Selection moves a planned site to selected; the initiation visit moves it to initiated."""
    if milestone.actual_on is None:
        return
    moves = {
        MilestoneKind.SITE_SELECTED: ((SiteStatus.PLANNED,), SiteStatus.SELECTED),
        MilestoneKind.INITIATION_VISIT: ((SiteStatus.PLANNED, SiteStatus.SELECTED), SiteStatus.INITIATED),
    }
    if milestone.kind in moves and site.status in moves[milestone.kind][0]:
        site.status = moves[milestone.kind][1]
        audited_save(site, actor=actor, reason=f"start-up: {milestone.kind} on {milestone.actual_on.isoformat()}")


def country_milestone_set(
    *,
    actor: User | None,
    country: Country,
    kind: str,
    planned_on: dt.date | object | None = _UNSET,
    actual_on: dt.date | object | None = _UNSET,
    note: str | object = _UNSET,
    reason: str = "",
) -> StartupMilestone:
    """Record a country milestone (regulatory or central ethics submission and approval)."""
    _check(actor, country.study_id)
    if kind not in COUNTRY_MILESTONES:
        raise ValidationError({"kind": _("This is not a country milestone.")})
    if actual_on is not _UNSET and actual_on is not None and actual_on > timezone.localdate():
        raise ValidationError({"actual_on": _("An actual date cannot be in the future.")})
    with transaction.atomic():
        milestone = StartupMilestone.objects.filter(country=country, kind=kind).first() or StartupMilestone(
            study_id=country.study_id, country=country, kind=kind
        )
        return _milestone_save(
            milestone, actor=actor, planned_on=planned_on, actual_on=actual_on, note=note, reason=reason
        )


def document_record(
    *,
    actor: User | None,
    site: Site,
    kind: str,
    received_on: dt.date,
    title: str = "",
    approved_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    note: str = "",
) -> EssentialDocument:
    """Record an essential document received from the site; approved at once when `approved_on` is given."""
    _check(actor, site.study_id, site.pk)
    _not_future(site, received_on, "received_on")
    _not_future(site, approved_on, "approved_on")
    document = EssentialDocument(
        study_id=site.study_id,
        site=site,
        kind=kind,
        title=title,
        received_on=received_on,
        approved_on=approved_on,
        expires_on=expires_on,
        reviewed_by=actor if approved_on else None,
        note=note,
    )
    with transaction.atomic():
        return audited_save(document, actor=actor)


def document_approve(
    *, actor: User | None, document: EssentialDocument, approved_on: dt.date, reason: str = "reviewed and approved"
) -> EssentialDocument:
    """Approve a received document after review: the actor is its reviewer."""
    _check(actor, document.study_id, document.site_id)
    site = Site.objects.get(pk=document.site_id)
    _not_future(site, approved_on, "approved_on")
    if document.approved_on is not None:
        raise ValidationError({"approved_on": _("This document is approved already.")})
    document.approved_on = approved_on
    document.reviewed_by = actor
    with transaction.atomic():
        return audited_save(document, actor=actor, reason=reason)


def document_update(
    *, actor: User | None, document: EssentialDocument, changes: dict, reason: str
) -> EssentialDocument:
    """Correct a document's title, dates or note (a reason is required)."""
    _check(actor, document.study_id, document.site_id)
    unknown = sorted(set(changes) - set(DOCUMENT_EDITABLE))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    site = Site.objects.get(pk=document.site_id)
    for name in ("received_on", "approved_on"):
        if name in changes:
            _not_future(site, changes[name], name)
    if document.approved_on is None and changes.get("approved_on") is not None:
        raise ValidationError({"approved_on": _("Approve the document after review: its reviewer is recorded.")})
    for name, value in changes.items():
        setattr(document, name, value)
    if document.approved_on is None:
        document.reviewed_by = None  # an approval withdrawn has no reviewer
    with transaction.atomic():
        return audited_save(document, actor=actor, reason=reason)


def training_record(
    *,
    actor: User | None,
    site: Site,
    staff_name: str,
    role: str,
    trained_on: dt.date,
    protocol_version: ProtocolVersion | None = None,
    user: User | None = None,
    note: str = "",
) -> TrainingRecord:
    """Record that a member of the site staff was trained on a protocol version. When the study has approved
    versions the training names one of them."""
    _check(actor, site.study_id, site.pk)
    _not_future(site, trained_on, "trained_on")
    approved = (ProtocolVersionStatus.APPROVED, ProtocolVersionStatus.SUPERSEDED)
    if protocol_version is None and ProtocolVersion.objects.filter(study_id=site.study_id, status__in=approved):
        raise ValidationError({"protocol_version": _("Name the protocol version the staff member was trained on.")})
    if protocol_version is not None and protocol_version.status not in approved:
        raise ValidationError({"protocol_version": _("Training is on an approved protocol version.")})
    record = TrainingRecord(
        study_id=site.study_id,
        site=site,
        staff_name=staff_name,
        role=role,
        trained_on=trained_on,
        protocol_version=protocol_version,
        user=user,
        note=note,
    )
    with transaction.atomic():
        return audited_save(record, actor=actor)


def green_light_give(*, actor: User | None, site: Site, on: dt.date, reason: str = "green light") -> Site:
    """Give the site its green light on `on`: refused, with every missing item located, unless the country's
    regulatory approval, an ethics approval, the confidentiality agreement, the contract, the required
    essential documents (approved, not expired), the initiation visit and the PI's training on the protocol
    version in force are all dated on or before `on`. Then the site is active from `on`."""
    _check(actor, site.study_id, site.pk)
    _not_future(site, on, "on")
    with transaction.atomic(), audit_batch():
        site = Site.objects.select_for_update(of=("self",)).select_related("country").get(pk=site.pk)
        if site.activated_on is not None:
            raise ValidationError(
                {
                    "on": _("Site %(site)s has had its green light since %(date)s.")
                    % {"site": site.number, "date": site.activated_on.isoformat()}
                }
            )
        blockers = green_light_blockers(startup_facts(site.study_id, {site.pk}), site, on)
        if blockers:
            errors: dict[str, list[str]] = {}
            for blocker in blockers:
                errors.setdefault(str(blocker.field), []).append(str(blocker))
            raise ValidationError(errors)
        _documents_complete(site, on, actor=actor)
        milestone = StartupMilestone.objects.filter(site=site, kind=MilestoneKind.GREEN_LIGHT).first()
        milestone = milestone or StartupMilestone(study_id=site.study_id, site=site, kind=MilestoneKind.GREEN_LIGHT)
        milestone.actual_on = on
        audited_save(milestone, actor=actor, reason=reason)
        site.status = SiteStatus.ACTIVE
        site.activated_on = on
        return audited_save(site, actor=actor, reason=reason)


def _documents_complete(site: Site, on: dt.date, *, actor) -> None:
    """Date the 'essential documents complete' milestone, if still open, by the last required approval."""
    milestone = StartupMilestone.objects.filter(site=site, kind=MilestoneKind.DOCUMENTS_COMPLETE).first()
    if milestone is not None and milestone.actual_on is not None:
        return
    approvals = EssentialDocument.objects.filter(
        site=site, kind__in=REQUIRED_DOCUMENTS, approved_on__isnull=False, approved_on__lte=on
    ).values_list("kind", "approved_on")
    first_valid: dict[str, dt.date] = {}
    for kind, approved_on in approvals:
        first_valid[kind] = min(approved_on, first_valid.get(kind, approved_on))
    milestone = milestone or StartupMilestone(study_id=site.study_id, site=site, kind=MilestoneKind.DOCUMENTS_COMPLETE)
    milestone.actual_on = max(first_valid.values())
    audited_save(milestone, actor=actor, reason="documents complete at the green light")


def site_status_set(*, actor: User | None, site: Site, status: str, reason: str) -> Site:
    """Put an active site on hold, resume it, or close a site: the gate refuses participants unless active."""
    _check(actor, site.study_id, site.pk)
    with transaction.atomic():
        site = Site.objects.select_for_update(of=("self",)).get(pk=site.pk)
        allowed_from = STATUS_MOVES.get(status)
        if allowed_from is None:
            raise ValidationError({"status": _("A site is put on hold, resumed or closed here; nothing else.")})
        if site.status not in allowed_from:
            raise ValidationError(
                {
                    "status": _("A site that is %(now)s cannot become %(new)s.")
                    % {"now": site.get_status_display().lower(), "new": SiteStatus(status).label.lower()}
                }
            )
        if status == SiteStatus.ACTIVE and site.activated_on is None:
            raise ValidationError({"status": _("The site has never had its green light.")})
        site.status = status
        return audited_save(site, actor=actor, reason=reason)
