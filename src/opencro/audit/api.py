"""Audit trail API: a study's records, filterable, scoped and blinded like the pages."""

import datetime as dt

from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from opencro.accounts.access import access_study
from opencro.accounts.permissions import Perm
from opencro.audit.selectors import audit_for_study

router = Router(tags=["audit"])


class AuditRecordOut(Schema):
    id: int
    timestamp: dt.datetime
    username: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    site_id: int | None
    field: str
    old_value: str | None
    new_value: str | None
    reason: str
    hash: str


class AuditFilters(Schema):
    user: str = ""
    object_type: str = ""
    object_id: str = ""
    field: str = ""
    action: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


@router.get("/{study_id}/audit", response=list[AuditRecordOut], summary="The study's audit trail, newest first")
@paginate(LimitOffsetPagination)
def list_audit(request, study_id: int, filters: Query[AuditFilters]):
    access = access_study(request.user, study_id, Perm.AUDIT_VIEW)
    return audit_for_study(access, **filters.model_dump())
