"""Audit trail API: a study's records, filterable, scoped and blinded like the pages."""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from opencro.accounts.access import access_study
from opencro.accounts.permissions import Perm
from opencro.api.pagination import LimitOffset
from opencro.audit.models import AuditAction
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
    user: str = Field("", description="Exact username")
    object_type: str = Field("", description='"app.model", e.g. "subjects.subject"')
    object_id: str = Field("", description="The object's primary key (with object_type)")
    field: str = Field("", description="Exact field name")
    action: AuditAction | Literal[""] = Field("", description="create, update, delete, sign, grant, ...")
    since: dt.date | None = Field(None, description="First day, inclusive, as a UTC calendar day")
    until: dt.date | None = Field(None, description="Last day, inclusive, as a UTC calendar day")


@router.get("/{study_id}/audit", response=list[AuditRecordOut], summary="The study's audit trail, newest first")
@paginate(LimitOffset)
def list_audit(request, study_id: int, filters: Query[AuditFilters]):
    """Records the caller may see (their sites; no treatment assignments for blinded roles).

    Dates are UTC calendar days whatever the caller's time zone, so the same query gives the same
    answer to every client.
    """
    access = access_study(request.user, study_id, Perm.AUDIT_VIEW)
    return audit_for_study(access, **filters.model_dump(), tz=dt.UTC)
