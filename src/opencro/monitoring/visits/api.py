"""Monitoring plan and visits API: the plan, the visit list with its filters, overdue reports and letters, the
per-site schedule, one visit (with findings, letters and signatures), and every step of a visit.

Reads need `oversight.view`; writes `visit.manage` (the plan: `risk.manage`; returning and approving:
`visit.approve`). A visit, site, monitor or issue is found through the caller's sites first (404 elsewhere), then
the permission is checked (403). Refusals of the rules answer 422 with each error under its field; a wrong password
answers 403.
"""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from opencro.accounts.access import StudyAccess, access_check, access_site, access_study
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.api.pagination import LimitOffset
from opencro.monitoring.models import (
    FindingCategory,
    MonitoringVisit,
    VisitFinding,
    VisitPurpose,
    VisitStatus,
    VisitType,
)
from opencro.monitoring.visits import selectors, services
from opencro.studies.selectors import site_get

router = Router(tags=["oversight visits"])
PLAN = "/{study_id}/oversight/plan"
BASE = "/{study_id}/oversight/visits"
ONE = BASE + "/{visit_id}"  # declared after the fixed paths (schedule, overdue), which it would match
FINDING = ONE + "/findings/{finding_id}"
ID_MAX = 2**53
TEXT_MAX = 4000
CATEGORY_HELP = "One of: " + ", ".join(FindingCategory.values)


class MonitoringPlanOut(Schema):
    saved: bool = Field(..., description="False: no plan was saved yet; the defaults are shown")
    onsite_interval_weeks: int
    remote_interval_weeks: int
    flagged_interval_weeks: int
    central_interval_weeks: int
    report_due_days: int
    letter_due_days: int
    flag_level: int
    sdv_strategy: str
    notes: str


class MonitoringPlanIn(Schema):
    onsite_interval_weeks: int | None = Field(None, ge=1, le=365)
    remote_interval_weeks: int | None = Field(None, ge=1, le=365)
    flagged_interval_weeks: int | None = Field(None, ge=1, le=365)
    central_interval_weeks: int | None = Field(None, ge=1, le=365)
    report_due_days: int | None = Field(None, ge=1, le=365)
    letter_due_days: int | None = Field(None, ge=1, le=365)
    flag_level: int | None = Field(None, ge=1, le=2)
    sdv_strategy: str | None = Field(None, max_length=TEXT_MAX)
    notes: str | None = Field(None, max_length=TEXT_MAX)
    reason: str = Field("", max_length=2000, description="Why the plan changes (required once it exists)")


class VisitFindingOut(Schema):
    id: int
    category: str
    description: str
    action: str
    due_on: dt.date | None
    resolved_on: dt.date | None


class VisitSignatureOut(Schema):
    printed_name: str
    meaning: str
    signed_at: dt.datetime
    broken: bool = Field(..., description="True when the signed content changed after signing")


class MonitoringVisitOut(Schema):
    id: int
    number: str
    site_id: int
    site_number: str
    visit_type: str
    purpose: str
    monitor_id: int
    monitor: str
    planned_on: dt.date
    status: str
    issue_id: int | None
    agenda: str
    confirmed_at: dt.datetime | None
    visited_on: dt.date | None
    report_due_on: dt.date | None
    attendees: str
    enrolment_status: dict = Field(..., description="Counts computed from the site's data when the report was saved")
    sdv_summary: dict = Field(..., description="Forms needing SDV and verified, when the report was saved")
    summary: str
    actions: str
    submitted_at: dt.datetime | None
    review_comments: str
    approved_by: str | None
    approved_at: dt.datetime | None
    follow_up_sent_at: dt.datetime | None
    cancel_reason: str

    @staticmethod
    def resolve_site_number(obj: MonitoringVisit) -> str:
        return obj.site.number

    @staticmethod
    def resolve_monitor(obj: MonitoringVisit) -> str:
        return obj.monitor.printed_name

    @staticmethod
    def resolve_approved_by(obj: MonitoringVisit) -> str | None:
        return obj.approved_by.printed_name if obj.approved_by_id else None


class MonitoringVisitDetailOut(MonitoringVisitOut):
    confirmation_letter: str
    follow_up_letter: str
    findings: list[VisitFindingOut]
    signatures: list[VisitSignatureOut]
    overdue: str | None = Field(..., description="What is late: report or letter (null: nothing)")

    @staticmethod
    def resolve_findings(obj: MonitoringVisit) -> list:
        return obj.findings_list

    @staticmethod
    def resolve_signatures(obj: MonitoringVisit) -> list:
        return obj.signature_list


class MonitoringVisitFilters(Schema):
    site_id: int | None = Field(None, ge=1, le=ID_MAX)
    status: VisitStatus | None = None
    visit_type: VisitType | None = None
    monitor_id: int | None = Field(None, ge=1, le=ID_MAX)
    overdue: bool | None = Field(None, description="Only visits whose report or follow-up letter is late (or not)")


class VisitOverdueOut(Schema):
    visit_id: int
    number: str
    site_number: str
    what: str = Field(..., description="report or letter")
    due_on: dt.date
    days: int = Field(..., description="Days late on the site's calendar")


class SiteVisitScheduleOut(Schema):
    site_id: int
    site_number: str
    participants: int
    last_onsite: dt.date | None
    next_planned: dt.date | None
    flags: list[str] = Field(..., description="KRIs flagged at the plan's level at the latest snapshot")
    interval_weeks: int
    next_due: dt.date | None
    reason: str
    due_now: bool


class MonitoringVisitIn(Schema):
    site_id: int = Field(..., ge=1, le=ID_MAX)
    visit_type: VisitType
    purpose: VisitPurpose = VisitPurpose.ROUTINE
    monitor_id: int = Field(..., ge=1, le=ID_MAX, description="A member holding visit.manage at the site")
    planned_on: dt.date
    agenda: str = Field("", max_length=TEXT_MAX)
    issue_id: int | None = Field(None, ge=1, le=ID_MAX, description="An issue of the same study and site")


class MonitoringVisitRescheduleIn(Schema):
    planned_on: dt.date
    monitor_id: int | None = Field(None, ge=1, le=ID_MAX, description="Another monitor (default: keep)")
    agenda: str | None = Field(None, max_length=TEXT_MAX, description="A new agenda (default: keep)")
    reason: str = Field(..., max_length=2000)


class MonitoringVisitCancelIn(Schema):
    reason: str = Field(..., max_length=200)


class MonitoringVisitReportIn(Schema):
    visited_on: dt.date
    attendees: str = Field(..., max_length=TEXT_MAX)
    summary: str = Field(..., max_length=20000)
    actions: str = Field("", max_length=TEXT_MAX)
    reason: str = Field("", max_length=2000, description="Why a saved report is corrected")


class VisitFindingIn(Schema):
    category: str = Field(..., max_length=12, description=CATEGORY_HELP)
    description: str = Field(..., max_length=TEXT_MAX)
    action: str = Field("", max_length=TEXT_MAX)
    due_on: dt.date | None = None


class VisitFindingPatch(Schema):
    category: str | None = Field(None, max_length=12, description=CATEGORY_HELP)
    description: str | None = Field(None, max_length=TEXT_MAX)
    action: str | None = Field(None, max_length=TEXT_MAX)
    due_on: dt.date | None = None
    reason: str = Field("", max_length=2000)


class VisitFindingResolveIn(Schema):
    resolved_on: dt.date | None = Field(None, description="Default: today at the site")


class MonitoringVisitSignIn(Schema):
    password: str = Field(..., max_length=200, description="Your password: the e-signature re-authenticates you")


class MonitoringVisitReturnIn(Schema):
    comments: str = Field(..., max_length=TEXT_MAX)


def _plan_out(study_id: int) -> dict:
    plan = selectors.monitoring_plan(study_id)
    fields = {name: getattr(plan, name) for name in MonitoringPlanIn.model_fields if name != "reason"}
    return {"saved": plan.pk is not None, **fields}


def _detail(access: StudyAccess, visit_id: int) -> MonitoringVisit:
    visit = selectors.visit_get(access, visit_id)
    plan = selectors.monitoring_plan(visit.study_id)
    late = selectors.visit_overdue(visit, plan)
    visit.overdue = late.what if late else None
    visit.findings_list = selectors.visit_findings(visit)
    visit.signature_list = [
        {"printed_name": s.printed_name, "meaning": s.meaning, "signed_at": s.signed_at, "broken": s.is_broken}
        for s in selectors.visit_signatures(visit)
    ]
    return visit


def _found(request, study_id: int, visit_id: int, perm: str) -> tuple[StudyAccess, MonitoringVisit]:
    """The visit at one of the caller's sites (404 otherwise), then `perm` (403 without)."""
    access = access_study(request.user, study_id)
    visit = selectors.visit_get(access, visit_id)
    access_check(access, Perm.OVERSIGHT_VIEW)
    return access_check(access, perm), visit


def _member(access: StudyAccess, user_id: int) -> User:
    """A member of the study by id (404 for anyone else); the service decides whether they may be the monitor."""
    return User.objects.filter(pk=user_id, memberships__study_id=access.membership.study_id).get()


@router.get(PLAN, response=MonitoringPlanOut, summary="The study's monitoring plan (the defaults until one is saved)")
def monitoring_plan_get(request, study_id: int):
    access_study(request.user, study_id, Perm.OVERSIGHT_VIEW)
    return _plan_out(study_id)


@router.post(PLAN, response=MonitoringPlanOut, summary="Create or change the monitoring plan (fields left out kept)")
def monitoring_plan_post(request, study_id: int, payload: MonitoringPlanIn):
    access = access_check(access_study(request.user, study_id, Perm.OVERSIGHT_VIEW), Perm.RISK_MANAGE)
    services.monitoring_plan_save(
        actor=request.user, study=access.membership.study, known=access, **payload.model_dump()
    )
    return _plan_out(study_id)


@router.get(BASE, response=list[MonitoringVisitOut], summary="Monitoring visits at your sites, latest planned first")
@paginate(LimitOffset)
def monitoring_visits_get(request, study_id: int, filters: Query[MonitoringVisitFilters]):
    access = access_study(request.user, study_id)
    if filters.site_id is not None:
        access_site(access, filters.site_id)
    access_check(access, Perm.OVERSIGHT_VIEW)
    return selectors.visit_list(
        access,
        site_id=filters.site_id,
        status=filters.status or "",
        visit_type=filters.visit_type or "",
        monitor_id=filters.monitor_id,
        overdue=filters.overdue,
    )


@router.get(BASE + "/overdue", response=list[VisitOverdueOut], summary="Visits whose report or letter is late")
def monitoring_visits_overdue_get(request, study_id: int):
    access = access_study(request.user, study_id, Perm.OVERSIGHT_VIEW)
    late = selectors.visits_overdue(access)
    visits = selectors.visit_list(access).filter(pk__in=list(late))
    return [
        {
            "visit_id": v.pk,
            "number": v.number,
            "site_number": v.site.number,
            "what": late[v.pk].what,
            "due_on": late[v.pk].due_on,
            "days": late[v.pk].days,
        }
        for v in visits
    ]


@router.get(BASE + "/schedule", response=list[SiteVisitScheduleOut], summary="When each of your sites is next due")
def monitoring_visits_schedule_get(request, study_id: int):
    access = access_study(request.user, study_id, Perm.OVERSIGHT_VIEW)
    return [
        {"site_id": row.site.pk, "site_number": row.site.number, **vars(row)} for row in selectors.site_schedule(access)
    ]


@router.post(BASE, response={201: MonitoringVisitDetailOut}, summary="Schedule a monitoring visit")
def monitoring_visit_post(request, study_id: int, payload: MonitoringVisitIn):
    access = access_study(request.user, study_id)
    site = site_get(access, payload.site_id)
    access_check(access, Perm.OVERSIGHT_VIEW)
    access_check(access, Perm.VISIT_MANAGE)
    issue = selectors.issue_choices(access).get(pk=payload.issue_id) if payload.issue_id is not None else None
    visit = services.visit_schedule(
        actor=request.user,
        site=site,
        visit_type=payload.visit_type,
        purpose=payload.purpose,
        monitor=_member(access, payload.monitor_id),
        planned_on=payload.planned_on,
        agenda=payload.agenda,
        issue=issue,
        known=access,
    )
    return Status(201, _detail(access, visit.pk))


@router.get(
    ONE, response=MonitoringVisitDetailOut, summary="One visit with its letters, report, findings and signatures"
)
def monitoring_visit_get(request, study_id: int, visit_id: int):
    access, _visit = _found(request, study_id, visit_id, Perm.OVERSIGHT_VIEW)
    return _detail(access, visit_id)


@router.post(
    ONE + "/reschedule",
    response=MonitoringVisitDetailOut,
    summary="Move a visit not yet done (a confirmed one is re-planned)",
)
def monitoring_visit_reschedule_post(request, study_id: int, visit_id: int, payload: MonitoringVisitRescheduleIn):
    access, visit = _found(request, study_id, visit_id, Perm.VISIT_MANAGE)
    monitor = _member(access, payload.monitor_id) if payload.monitor_id is not None else None
    services.visit_reschedule(
        actor=request.user,
        visit=visit,
        planned_on=payload.planned_on,
        monitor=monitor,
        agenda=payload.agenda,
        reason=payload.reason,
        known=access,
    )
    return _detail(access, visit_id)


@router.post(
    ONE + "/confirm", response=MonitoringVisitDetailOut, summary="Write and send the confirmation letter to the site"
)
def monitoring_visit_confirm_post(request, study_id: int, visit_id: int):
    access, visit = _found(request, study_id, visit_id, Perm.VISIT_MANAGE)
    services.visit_confirm(actor=request.user, visit=visit, known=access)
    return _detail(access, visit_id)


@router.post(ONE + "/cancel", response=MonitoringVisitDetailOut, summary="Cancel a visit not yet done, with the reason")
def monitoring_visit_cancel_post(request, study_id: int, visit_id: int, payload: MonitoringVisitCancelIn):
    access, visit = _found(request, study_id, visit_id, Perm.VISIT_MANAGE)
    services.visit_cancel(actor=request.user, visit=visit, reason=payload.reason, known=access)
    return _detail(access, visit_id)


@router.post(
    ONE + "/report", response=MonitoringVisitDetailOut, summary="Write or correct the report (figures computed now)"
)
def monitoring_visit_report_post(request, study_id: int, visit_id: int, payload: MonitoringVisitReportIn):
    access, visit = _found(request, study_id, visit_id, Perm.VISIT_MANAGE)
    services.visit_report_save(actor=request.user, visit=visit, known=access, **payload.model_dump())
    return _detail(access, visit_id)


@router.post(ONE + "/findings", response={201: VisitFindingOut}, summary="Add a finding to the report")
def monitoring_visit_finding_post(request, study_id: int, visit_id: int, payload: VisitFindingIn):
    access, visit = _found(request, study_id, visit_id, Perm.VISIT_MANAGE)
    finding = services.visit_finding_add(actor=request.user, visit=visit, known=access, **payload.model_dump())
    return Status(201, finding)


def _finding(request, study_id: int, visit_id: int, finding_id: int) -> tuple[StudyAccess, VisitFinding]:
    access = access_study(request.user, study_id)
    visit = selectors.visit_get(access, visit_id)
    finding = selectors.finding_get(visit, finding_id)
    access_check(access, Perm.OVERSIGHT_VIEW)
    return access_check(access, Perm.VISIT_MANAGE), finding


@router.patch(FINDING, response=VisitFindingOut, summary="Correct a finding (fields left out are kept)")
def monitoring_visit_finding_patch(request, study_id: int, visit_id: int, finding_id: int, payload: VisitFindingPatch):
    access, finding = _finding(request, study_id, visit_id, finding_id)
    given = payload.model_dump(exclude={"reason"}, exclude_unset=True)
    fields = {name: getattr(finding, name) for name in ("category", "description", "action", "due_on")}
    fields.update({name: value for name, value in given.items() if value is not None or name == "due_on"})
    return services.visit_finding_edit(
        actor=request.user, finding=finding, reason=payload.reason, known=access, **fields
    )


@router.post(FINDING + "/resolve", response=VisitFindingOut, summary="Record that the site resolved a finding")
def monitoring_visit_finding_resolve_post(
    request, study_id: int, visit_id: int, finding_id: int, payload: VisitFindingResolveIn
):
    access, finding = _finding(request, study_id, visit_id, finding_id)
    return services.visit_finding_resolve(
        actor=request.user, finding=finding, resolved_on=payload.resolved_on, known=access
    )


@router.post(
    ONE + "/submit", response=MonitoringVisitDetailOut, summary="Sign the report as its author and submit it for review"
)
def monitoring_visit_submit_post(request, study_id: int, visit_id: int, payload: MonitoringVisitSignIn):
    access, visit = _found(request, study_id, visit_id, Perm.VISIT_MANAGE)
    services.visit_report_submit(actor=request.user, visit=visit, password=payload.password, known=access)
    return _detail(access, visit_id)


@router.post(
    ONE + "/return", response=MonitoringVisitDetailOut, summary="Return a submitted report to its monitor with comments"
)
def monitoring_visit_return_post(request, study_id: int, visit_id: int, payload: MonitoringVisitReturnIn):
    access, visit = _found(request, study_id, visit_id, Perm.VISIT_APPROVE)
    services.visit_report_return(actor=request.user, visit=visit, comments=payload.comments, known=access)
    return _detail(access, visit_id)


@router.post(
    ONE + "/approve", response=MonitoringVisitDetailOut, summary="Approve a submitted report with your e-signature"
)
def monitoring_visit_approve_post(request, study_id: int, visit_id: int, payload: MonitoringVisitSignIn):
    access, visit = _found(request, study_id, visit_id, Perm.VISIT_APPROVE)
    services.visit_report_approve(actor=request.user, visit=visit, password=payload.password, known=access)
    return _detail(access, visit_id)


@router.post(
    ONE + "/follow-up", response=MonitoringVisitDetailOut, summary="Send the follow-up letter of an approved report"
)
def monitoring_visit_follow_up_post(request, study_id: int, visit_id: int):
    access, visit = _found(request, study_id, visit_id, Perm.VISIT_MANAGE)
    services.visit_follow_up_send(actor=request.user, visit=visit, known=access)
    return _detail(access, visit_id)
