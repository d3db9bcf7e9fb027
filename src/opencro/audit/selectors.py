"""Reads of the audit trail, scoped to the studies and sites the reader may see, and blinded.

Every read starts from `_visible`, so the page, the API and the CSV and PDF exports can never
disagree about what a role may see.
"""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from opencro.accounts.access import StudyAccess
from opencro.accounts.permissions import Perm
from opencro.audit.models import AuditRecord

# Records about these objects reveal treatment assignments: only unblinded roles read them.
BLINDED_OBJECT_TYPES = frozenset(
    {"subjects.treatmentassignment", "rtsm.kittype", "rtsm.lot", "rtsm.kit", "rtsm.sitesupplylevel", "rtsm.listslot"}
)
# Fields of other objects that do: a scheme's seed, block sizes and list hash let a reader rebuild or guess the
# list (ICH E9 2.3.2: block length is not disclosed); a shipment's reason is free text a supply manager writes.
BLINDED_FIELDS: dict[str, tuple[str, ...]] = {
    "rtsm.randomisationscheme": ("seed", "block_sizes", "list_sha256"),
    "rtsm.shipment": ("reason",),
}
# Participants' contact details are personal data: only site staff (subject.edit at the record's site; the trail
# already limits site-restricted readers to their sites) read these fields' records.
PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "followup.participantcontact": ("email", "phone", "preferred_channel", "reminders_consented", "language"),
    "followup.contactattempt": ("note",),
}
# Records of who may see which sites name other sites: not for readers restricted to some sites.
ACCESS_OBJECT_TYPES = frozenset({"accounts.membership", "accounts.role"})
# The regulatory file is kept at study and country level (submissions, committees, registry records naming every
# site): a site-restricted reader reads it through the regulatory pages, scoped to their countries, not the trail.
SPONSOR_FILE_PREFIX = "regulatory."


def _visible(access: StudyAccess) -> QuerySet[AuditRecord]:
    """The study's records this reader may see: their sites (plus study-level records), blinded."""
    qs = AuditRecord.objects.filter(study_id=access.membership.study_id)
    if access.site_ids is not None:
        qs = qs.filter(Q(site_id__in=access.site_ids) | Q(site_id__isnull=True))
        qs = qs.exclude(object_type__in=ACCESS_OBJECT_TYPES).exclude(object_type__startswith=SPONSOR_FILE_PREFIX)
    if not access.sees_treatment:
        qs = qs.exclude(object_type__in=BLINDED_OBJECT_TYPES)
        for object_type, fields in BLINDED_FIELDS.items():
            qs = qs.exclude(object_type=object_type, field__in=fields)
    if not access.can(Perm.SUBJECT_EDIT):
        for object_type, fields in PERSONAL_FIELDS.items():
            qs = qs.exclude(object_type=object_type, field__in=fields)
    return qs


def _day_start(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min).replace(tzinfo=tz)


def audit_for_study(
    access: StudyAccess,
    *,
    user: str = "",
    object_type: str = "",
    object_id: str = "",
    field: str = "",
    action: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    tz: dt.tzinfo | None = None,
) -> QuerySet[AuditRecord]:
    """The study's trail as this reader may see it, newest first, with optional filters.

    `since` and `until` are inclusive calendar days in `tz` (default: the active time zone, which
    is the signed-in user's on pages), turned into a timestamp range so the index is used.
    """
    qs = _visible(access)
    if user:
        qs = qs.filter(username=user)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if field:
        qs = qs.filter(field=field)
    if action:
        qs = qs.filter(action=action)
    zone = tz or timezone.get_current_timezone()
    if since:
        qs = qs.filter(timestamp__gte=_day_start(since, zone))
    if until:
        qs = qs.filter(timestamp__lt=_day_start(until + dt.timedelta(days=1), zone))
    return qs.order_by("-id")


def audit_object_types(access: StudyAccess) -> list[str]:
    """The object types present in the part of the trail this reader may see (for the filter)."""
    return sorted(set(_visible(access).order_by().values_list("object_type", flat=True).distinct()))


def audit_object_repr(access: StudyAccess, object_type: str, object_id: str) -> str:
    """The newest description of one object as recorded in the trail, or "" if none is visible."""
    record = (
        _visible(access)
        .filter(object_type=object_type, object_id=object_id)
        .exclude(object_repr="")
        .order_by("-id")
        .values_list("object_repr", flat=True)
        .first()
    )
    return record or ""


def audit_site_numbers(access: StudyAccess) -> dict[int, str]:
    """{site id: site number} of the study's sites this reader may see, to label records."""
    from opencro.studies.models import Site

    sites = Site.objects.filter(study_id=access.membership.study_id).filter(access.site_filter("pk"))
    return dict(sites.values_list("pk", "number"))
