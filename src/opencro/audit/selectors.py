"""Reads of the audit trail, scoped to the studies and sites the reader may see, and blinded."""

import datetime as dt

from django.db.models import QuerySet

from opencro.accounts.access import StudyAccess
from opencro.audit.models import AuditRecord

# Records about these objects reveal treatment assignments: only unblinded roles read them.
BLINDED_OBJECT_TYPES = frozenset({"subjects.treatmentassignment"})


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
) -> QuerySet[AuditRecord]:
    """The study's trail as this reader may see it, newest first, with optional filters."""
    qs = AuditRecord.objects.filter(study_id=access.membership.study_id)
    if access.site_ids is not None:
        qs = qs.filter(site_id__in=access.site_ids) | qs.filter(site_id__isnull=True)
    if not access.sees_treatment:
        qs = qs.exclude(object_type__in=BLINDED_OBJECT_TYPES)
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
    if since:
        qs = qs.filter(timestamp__date__gte=since)
    if until:
        qs = qs.filter(timestamp__date__lte=until)
    return qs.order_by("-id")
