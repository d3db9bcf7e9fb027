"""Issues and CAPA API: the list with its filters, one issue, raise, edit, and the steps (plan, implement, check,
cancel, reopen).

Reads need `oversight.view`, writes `issue.manage`. An issue or site is found through the caller's sites first (404
elsewhere), then the permission is checked (403). Refusals of the rules answer 422 with each error under its field
(a second open issue for one signal: under `source_key`, naming the open issue).
"""

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from opencro.accounts.access import StudyAccess, access_check, access_site, access_study
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.api.pagination import LimitOffset
from opencro.monitoring.issues import selectors, services
from opencro.monitoring.models import IssueSource, IssueStatus, MonitoringVisit, OversightIssue
from opencro.studies.selectors import site_get

router = Router(tags=["oversight issues"])
BASE = "/{study_id}/oversight/issues"
ONE = BASE + "/{issue_id}"
ID_MAX = 2**53
TEXT_MAX = 4000
SOURCE_HELP = "One of: " + ", ".join(IssueSource.values)


class OversightIssueOut(Schema):
    id: int
    number: str
    site_id: int | None = Field(..., description="Null: a study-wide issue")
    site_number: str | None
    title: str
    description: str
    source: str
    source_detail: str
    source_key: str = Field(..., description="The signal's key: one open issue per key")
    owner_id: int
    owner: str
    due_on: dt.date
    overdue: bool = Field(..., description="Due date passed on the site's calendar and not closed or cancelled")
    status: str
    raised_by: str
    raised_on: dt.date
    root_cause: str
    corrective_action: str
    preventive_action: str
    implemented_on: dt.date | None
    effectiveness_check: str
    effective: bool | None = Field(..., description="The last effectiveness check's outcome; null before any")
    closed_on: dt.date | None
    visit_ids: list[int] = Field(..., description="Monitoring visits linked to the issue, at your sites")

    @staticmethod
    def resolve_site_number(obj: OversightIssue) -> str | None:
        return obj.site.number if obj.site_id else None

    @staticmethod
    def resolve_owner(obj: OversightIssue) -> str:
        return obj.owner.printed_name

    @staticmethod
    def resolve_raised_by(obj: OversightIssue) -> str:
        return obj.raised_by.printed_name

    @staticmethod
    def resolve_overdue(obj: OversightIssue) -> bool:
        return selectors.issue_is_overdue(obj)

    @staticmethod
    def resolve_visit_ids(obj: OversightIssue) -> list[int]:
        return [v.pk for v in obj.visit_list]


class OversightIssueFilters(Schema):
    site_id: int | None = Field(None, ge=1, le=ID_MAX)
    status: IssueStatus | None = None
    source: IssueSource | None = None
    owner_id: int | None = Field(None, ge=1, le=ID_MAX)
    overdue: bool | None = None
    q: str = Field("", max_length=200, description="Part of the number, title, description or signal details")


class OversightIssueIn(Schema):
    site_id: int | None = Field(None, ge=1, le=ID_MAX, description="Empty: a study-wide issue")
    title: str = Field(..., max_length=200)
    description: str = Field(..., max_length=TEXT_MAX)
    source: str = Field(..., max_length=16, description=SOURCE_HELP)
    source_detail: str = Field("", max_length=200, description="What raised it, readable")
    source_key: str = Field("", max_length=120, description="The signal's key (the dashboard's)")
    owner_id: int | None = Field(None, ge=1, le=ID_MAX, description="Default: you")
    due_on: dt.date


class OversightIssuePatch(Schema):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=TEXT_MAX)
    owner_id: int | None = Field(None, ge=1, le=ID_MAX)
    due_on: dt.date | None = None
    reason: str = Field(..., max_length=2000, description="Why the issue changes")


class OversightIssuePlanIn(Schema):
    root_cause: str = Field(..., max_length=TEXT_MAX)
    corrective_action: str = Field(..., max_length=TEXT_MAX)
    preventive_action: str = Field(..., max_length=TEXT_MAX)
    reason: str = Field("", max_length=2000, description="Required when actions already planned change")


class OversightIssueImplementIn(Schema):
    implemented_on: dt.date | None = Field(None, description="Default: today on the issue's calendar")


class OversightIssueCheckIn(Schema):
    effectiveness_check: str = Field(..., max_length=TEXT_MAX)
    effective: bool = Field(..., description="True closes the issue; false sends it back to planning")


class OversightIssueReasonIn(Schema):
    reason: str = Field(..., max_length=2000)


def _found(request, study_id: int, issue_id: int, perm: str) -> tuple[StudyAccess, OversightIssue]:
    """The issue at one of the user's sites (404 otherwise), then `perm` (403 without)."""
    access = access_study(request.user, study_id)
    issue = selectors.issue_get(access, issue_id)
    return access_check(access, perm), issue


def _with_visits(access: StudyAccess, issues: QuerySet[OversightIssue]) -> QuerySet[OversightIssue]:
    visits = MonitoringVisit.objects.filter(access.site_filter()).only("id", "issue_id").order_by("planned_on", "id")
    return issues.prefetch_related(Prefetch("visits", queryset=visits, to_attr="visit_list"))


def _out(access: StudyAccess, issue_id: int) -> OversightIssue:
    issue = _with_visits(access, selectors.issue_list(access)).filter(pk=issue_id).first()
    if issue is None:
        raise Http404(_("No such issue."))
    return issue


def _user(user_id: int | None, default: User) -> User | None:
    """The user named by id, or None for an unknown id (the service refuses an owner who may not own the issue and
    an unknown one alike)."""
    if user_id is None:
        return default
    return User.objects.filter(pk=user_id).first()


@router.get(BASE, response=list[OversightIssueOut], summary="Issues at your sites, newest raised first")
@paginate(LimitOffset)
def issues_get(request, study_id: int, filters: Query[OversightIssueFilters]):
    access = access_study(request.user, study_id)
    if filters.site_id is not None:
        access_site(access, filters.site_id)
    access_check(access, Perm.OVERSIGHT_VIEW)
    found = selectors.issue_list(
        access,
        site_id=filters.site_id,
        status=filters.status or "",
        source=filters.source or "",
        owner_id=filters.owner_id,
        overdue=filters.overdue,
        search=filters.q,
    )
    return _with_visits(access, found)


@router.get(ONE, response=OversightIssueOut, summary="One issue")
def issue_get(request, study_id: int, issue_id: int):
    access, issue = _found(request, study_id, issue_id, Perm.OVERSIGHT_VIEW)
    return _out(access, issue.pk)


@router.post(BASE, response={201: OversightIssueOut}, summary="Raise an issue (one open issue per signal key)")
def issue_post(request, study_id: int, payload: OversightIssueIn):
    access = access_study(request.user, study_id)
    site = site_get(access, payload.site_id) if payload.site_id is not None else None
    access_check(access, Perm.ISSUE_MANAGE)
    issue = services.issue_raise(
        actor=request.user,
        study=access.membership.study,
        site=site,
        owner=_user(payload.owner_id, request.user),
        known=access,
        **payload.model_dump(exclude={"site_id", "owner_id"}),
    )
    return Status(201, _out(access, issue.pk))


@router.patch(ONE, response=OversightIssueOut, summary="Edit an open or planned issue (fields left out are kept)")
def issue_patch(request, study_id: int, issue_id: int, payload: OversightIssuePatch):
    access, issue = _found(request, study_id, issue_id, Perm.ISSUE_MANAGE)
    services.issue_edit(
        actor=request.user,
        issue=issue,
        title=issue.title if payload.title is None else payload.title,
        description=issue.description if payload.description is None else payload.description,
        owner=_user(payload.owner_id, issue.owner),
        due_on=payload.due_on or issue.due_on,
        reason=payload.reason,
        known=access,
    )
    return _out(access, issue.pk)


@router.post(ONE + "/plan", response=OversightIssueOut, summary="Record the root cause and the CAPA")
def issue_plan_post(request, study_id: int, issue_id: int, payload: OversightIssuePlanIn):
    access, issue = _found(request, study_id, issue_id, Perm.ISSUE_MANAGE)
    services.issue_plan(actor=request.user, issue=issue, known=access, **payload.model_dump())
    return _out(access, issue.pk)


@router.post(ONE + "/implement", response=OversightIssueOut, summary="Record that the actions were implemented")
def issue_implement_post(request, study_id: int, issue_id: int, payload: OversightIssueImplementIn):
    access, issue = _found(request, study_id, issue_id, Perm.ISSUE_MANAGE)
    services.issue_implement(actor=request.user, issue=issue, implemented_on=payload.implemented_on, known=access)
    return _out(access, issue.pk)


@router.post(ONE + "/check", response=OversightIssueOut, summary="Record the effectiveness check")
def issue_check_post(request, study_id: int, issue_id: int, payload: OversightIssueCheckIn):
    access, issue = _found(request, study_id, issue_id, Perm.ISSUE_MANAGE)
    services.issue_check(actor=request.user, issue=issue, known=access, **payload.model_dump())
    return _out(access, issue.pk)


@router.post(ONE + "/cancel", response=OversightIssueOut, summary="Cancel an open or planned issue, and why")
def issue_cancel_post(request, study_id: int, issue_id: int, payload: OversightIssueReasonIn):
    access, issue = _found(request, study_id, issue_id, Perm.ISSUE_MANAGE)
    services.issue_cancel(actor=request.user, issue=issue, reason=payload.reason, known=access)
    return _out(access, issue.pk)


@router.post(ONE + "/reopen", response=OversightIssueOut, summary="Reopen a closed or cancelled issue, and why")
def issue_reopen_post(request, study_id: int, issue_id: int, payload: OversightIssueReasonIn):
    access, issue = _found(request, study_id, issue_id, Perm.ISSUE_MANAGE)
    services.issue_reopen(actor=request.user, issue=issue, reason=payload.reason, known=access)
    return _out(access, issue.pk)
