"""Writes to the study core. Each checks the actor's permission, validates, and audits."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.accounts.services import roles_seed
from opencro.audit.services import audited_delete, audited_save
from opencro.studies.models import (
    STUDY_STATUS_NEXT,
    Activity,
    Arm,
    Country,
    EligibilityCriterion,
    Endpoint,
    Epoch,
    Objective,
    ProtocolVersion,
    ProtocolVersionStatus,
    ScheduledActivity,
    Site,
    SiteStatus,
    Study,
    Visit,
)

# What protocol_item_save/delete may write under `study.edit`; sites, subjects and memberships
# have services of their own with their own permissions.
PROTOCOL_MODELS = (
    Activity,
    Arm,
    Country,
    EligibilityCriterion,
    Endpoint,
    Epoch,
    Objective,
    ProtocolVersion,
    ScheduledActivity,
    Visit,
)

STUDY_EDITABLE = (
    "title",
    "short_title",
    "phase",
    "therapeutic_area",
    "indication",
    "sponsor",
    "ind_number",
    "eu_ct_number",
    "nct_number",
)
SITE_EDITABLE = (
    "institution",
    "principal_investigator",
    "country",
    "city",
    "time_zone",
    "status",
    "target_enrolment",
)


def _apply(instance, changes: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    for name, value in changes.items():
        setattr(instance, name, value)


def study_create(*, actor: User | None, **fields: Any) -> Study:
    """Create a study with its default roles (system administrators only)."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator creates studies."))
    with transaction.atomic():
        study = audited_save(Study(**fields), actor=actor)
        roles_seed(actor=actor, study=study)
    return study


def study_update(*, actor: User, study: Study, changes: dict[str, Any], reason: str) -> Study:
    access_require(actor, study, Perm.STUDY_EDIT)
    _apply(study, changes, STUDY_EDITABLE)
    with transaction.atomic():
        return audited_save(study, actor=actor, reason=reason)


def study_status_advance(*, actor: User, study: Study, reason: str) -> Study:
    """Move a study to its next lifecycle status (planning → start-up → … → closed)."""
    access_require(actor, study, Perm.STUDY_EDIT)
    following = STUDY_STATUS_NEXT.get(study.status)
    if following is None:
        raise ValidationError({"status": _("A closed study has no next status.")})
    study.status = following
    with transaction.atomic():
        return audited_save(study, actor=actor, reason=reason)


def _protocol_item_check(actor: User | None, instance) -> None:
    """Require `study.edit` on the item's study, and on the study it is stored under if it moved."""
    if not isinstance(instance, PROTOCOL_MODELS):
        raise TypeError(f"{type(instance).__name__} is not a protocol element")
    if actor is None:
        return
    study_ids = {instance.audit_scope()[0]}
    if instance.pk is not None:
        stored = type(instance)._default_manager.filter(pk=instance.pk).first()
        if stored is not None:
            study_ids.add(stored.audit_scope()[0])
    studies = list(Study.objects.filter(pk__in=study_ids))
    if len(studies) != len(study_ids):
        raise PermissionDenied(_("Your role on this study does not allow this."))
    for study in studies:
        access_require(actor, study, Perm.STUDY_EDIT)


def protocol_item_save(*, actor: User | None, instance, reason: str = ""):
    """Create or change a protocol element (arm, epoch, visit, objective, criterion, …)."""
    _protocol_item_check(actor, instance)
    with transaction.atomic():
        return audited_save(instance, actor=actor, reason=reason)


def protocol_item_delete(*, actor: User, instance, reason: str) -> None:
    _protocol_item_check(actor, instance)
    with transaction.atomic():
        audited_delete(instance, actor=actor, reason=reason)


def schedule_set(*, actor: User | None, visit: Visit, activity: Activity, planned: bool, reason: str = "") -> None:
    """Mark or unmark one cell of the schedule of activities."""
    if visit.study_id != activity.study_id:
        raise ValidationError(_("The visit and the activity belong to different studies."))
    existing = ScheduledActivity.objects.filter(visit=visit, activity=activity).first()
    if planned and existing is None:
        protocol_item_save(actor=actor, instance=ScheduledActivity(visit=visit, activity=activity), reason=reason)
    elif not planned and existing is not None:
        protocol_item_delete(actor=actor, instance=existing, reason=reason)


def protocol_version_approve(*, actor: User, version: ProtocolVersion, reason: str) -> ProtocolVersion:
    """Approve a protocol version; the version it replaces becomes superseded."""
    access_require(actor, version.study, Perm.STUDY_EDIT)
    if version.status != ProtocolVersionStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft version can be approved.")})
    if version.effective_date is None:
        raise ValidationError({"effective_date": _("Set the effective date before approval.")})
    with transaction.atomic():
        for older in ProtocolVersion.objects.filter(study=version.study, status=ProtocolVersionStatus.APPROVED):
            older.status = ProtocolVersionStatus.SUPERSEDED
            audited_save(
                older, actor=actor, reason=f"superseded by version {version.version}"
            )  # audit text stays English
        version.status = ProtocolVersionStatus.APPROVED
        return audited_save(version, actor=actor, reason=reason)


# The green light (status "active", `activated_on`) is given only by startup.services.green_light_give, which
# checks the approvals first; site_create and site_update refuse both.
SITE_CREATE_STATUSES = (SiteStatus.PLANNED, SiteStatus.SELECTED, SiteStatus.INITIATED)


def _refuse_green_light(fields: dict[str, Any]) -> None:
    if "activated_on" in fields:
        raise ValidationError({"activated_on": _("The green light is given on the site's start-up page.")})
    if fields.get("status") == SiteStatus.ACTIVE:
        raise ValidationError({"status": _("A site becomes active with its green light, on its start-up page.")})


def site_create(*, actor: User | None, study: Study, **fields: Any) -> Site:
    _refuse_green_light(fields)
    if fields.get("status", SiteStatus.PLANNED) not in SITE_CREATE_STATUSES:
        raise ValidationError({"status": _("A new site is planned, selected or initiated.")})
    if actor is not None:
        access = access_require(actor, study, Perm.SITE_EDIT)
        if access.site_ids is not None:
            raise PermissionDenied(_("A site-restricted role cannot create sites."))
    with transaction.atomic():
        return audited_save(Site(study=study, **fields), actor=actor)


def site_update(*, actor: User, site: Site, changes: dict[str, Any], reason: str) -> Site:
    access = access_require(actor, site.study, Perm.SITE_EDIT)
    if access.site_ids is not None and site.pk not in access.site_ids:
        raise PermissionDenied(_("This site is outside your membership."))
    _refuse_green_light(changes)
    _apply(site, changes, SITE_EDITABLE)
    with transaction.atomic():
        return audited_save(site, actor=actor, reason=reason)
