"""Risk assessment and QTL API: versions and their risks, the draft's edits and approval (e-signature), QTLs with
their evaluations, the evaluation at a data cut, and breaches with their documented actions.

Also central monitoring runs (a site-restricted reader gets the rows of their sites) and the oversight dashboard.
Reads need `oversight.view`; writes `risk.manage` (approval `risk.approve` and `esign.sign`). Refusals of the rules
answer 422 with each error under its field; a wrong password 403.
"""

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.monitoring.models import (
    AssessmentStatus,
    CsmRun,
    QtlBreach,
    QtlEvaluation,
    QtlParameter,
    QualityToleranceLimit,
    Risk,
    RiskAssessment,
    RiskCategory,
)
from opencro.monitoring.oversight import central, dashboard, qtl_services, risk_services, selectors

router = Router(tags=["oversight: risks and QTLs"])
RA = "/{study_id}/oversight/risk-assessments"
DRAFT = RA + "/draft"
QTLS = "/{study_id}/oversight/qtls"
BREACHES = "/{study_id}/oversight/qtl-breaches"
CENTRAL = "/{study_id}/oversight/central-runs"
ID_MAX = 2**53
TEXT_MAX = 4000


class RaRiskOut(Schema):
    id: int
    number: str
    category: str
    description: str
    impact: int
    likelihood: int
    detectability: int
    score: int = Field(..., description="impact x likelihood x detectability, 1-27")
    mitigation: str
    kri_codes: list[str]
    qtl_codes: list[str]


class RaVersionOut(Schema):
    version: int
    status: str
    summary: str
    created_by: str
    created_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None
    risks: list[RaRiskOut]

    @staticmethod
    def resolve_created_by(obj: RiskAssessment) -> str:
        return obj.created_by.printed_name

    @staticmethod
    def resolve_approved_by(obj: RiskAssessment) -> str | None:
        return obj.approved_by.printed_name if obj.approved_by_id else None

    @staticmethod
    def resolve_risks(obj: RiskAssessment) -> list[Risk]:
        return selectors.risks_ranked(obj)


class RaRiskIn(Schema):
    category: RiskCategory
    description: str = Field(..., max_length=TEXT_MAX)
    impact: int = Field(..., ge=1, le=3)
    likelihood: int = Field(..., ge=1, le=3)
    detectability: int = Field(..., ge=1, le=3)
    mitigation: str = Field("", max_length=TEXT_MAX)
    kri_codes: list[str] = Field(default_factory=list, max_length=50)
    qtl_codes: list[str] = Field(default_factory=list, max_length=50)


class RaRiskPatch(RaRiskIn):
    reason: str = Field(..., max_length=2000, description="Why the risk changes")


class RaRiskRemoveIn(Schema):
    reason: str = Field(..., max_length=2000)


class RaApproveIn(Schema):
    password: str = Field(..., max_length=200, description="The approver's password: the e-signature")
    summary: str = Field("", max_length=TEXT_MAX)


class QtlLimitOut(Schema):
    id: int
    code: str
    parameter: str
    limit: float
    direction: str
    rationale: str
    active: bool


class QtlLimitIn(Schema):
    code: str = Field(..., max_length=20)
    parameter: QtlParameter
    limit: float = Field(..., gt=0)
    direction: str = Field("upper", pattern="^(upper|lower)$")
    rationale: str = Field("", max_length=TEXT_MAX)
    active: bool = True


class QtlLimitPatch(QtlLimitIn):
    reason: str = Field(..., max_length=2000)


class QtlEvaluationOut(Schema):
    qtl_code: str
    cut_on: dt.date
    numerator: float
    denominator: float
    estimate: float | None
    lower: float | None = Field(..., description="Exact 95% interval")
    upper: float | None
    status: str = Field(..., description="within, signal (estimate beyond the limit) or breach (interval beyond)")

    @staticmethod
    def resolve_qtl_code(obj: QtlEvaluation) -> str:
        return obj.qtl.code


class QtlLimitDetailOut(QtlLimitOut):
    history: list[QtlEvaluationOut]


class QtlEvaluateIn(Schema):
    cut_on: dt.date


class QtlBreachOut(Schema):
    id: int
    qtl_code: str
    first_cut: dt.date
    last_cut: dt.date
    worst_status: str
    ended_on: dt.date | None
    cause: str
    action: str
    actioned_by: str | None
    actioned_at: dt.datetime | None

    @staticmethod
    def resolve_qtl_code(obj: QtlBreach) -> str:
        return obj.qtl.code

    @staticmethod
    def resolve_first_cut(obj: QtlBreach) -> dt.date:
        return obj.first_evaluation.cut_on

    @staticmethod
    def resolve_last_cut(obj: QtlBreach) -> dt.date:
        return obj.last_evaluation.cut_on

    @staticmethod
    def resolve_actioned_by(obj: QtlBreach) -> str | None:
        return obj.actioned_by.printed_name if obj.actioned_by_id else None


class QtlBreachActionIn(Schema):
    cause: str = Field(..., max_length=TEXT_MAX)
    action: str = Field(..., max_length=TEXT_MAX)


def _read(request, study_id: int) -> StudyAccess:
    return access_study(request.user, study_id, Perm.OVERSIGHT_VIEW)


def _draft(access: StudyAccess) -> RiskAssessment:
    assessment = selectors.assessment_get(access)
    if assessment is None or assessment.status != AssessmentStatus.DRAFT:
        raise Http404(_("There is no draft: start a new version first."))
    return assessment


@router.get(RA, response=list[RaVersionOut], summary="Versions of the risk assessment, newest first")
def risk_assessments_get(request, study_id: int):
    return list(selectors.assessment_versions(_read(request, study_id)).prefetch_related("risks"))


@router.get(RA + "/{version}", response=RaVersionOut, summary="One version with its risks by score")
def risk_assessment_get(request, study_id: int, version: int):
    access = access_study(request.user, study_id)
    found = selectors.assessment_get(access, min(version, ID_MAX))
    access_check(access, Perm.OVERSIGHT_VIEW)
    return found


@router.post(RA, response={201: RaVersionOut}, summary="Start the next version as a draft (copies the risks)")
def risk_assessment_post(request, study_id: int):
    access = access_check(_read(request, study_id), Perm.RISK_MANAGE)
    draft = risk_services.risk_assessment_draft(actor=request.user, study=access.membership.study, known=access)
    return Status(201, draft)


@router.post(DRAFT + "/risks", response={201: RaRiskOut}, summary="Add a risk to the draft")
def risk_post(request, study_id: int, payload: RaRiskIn):
    access = access_check(_read(request, study_id), Perm.RISK_MANAGE)
    risk = risk_services.risk_save(actor=request.user, assessment=_draft(access), known=access, **payload.dict())
    return Status(201, risk)


@router.patch(DRAFT + "/risks/{risk_id}", response=RaRiskOut, summary="Change a risk of the draft")
def risk_patch(request, study_id: int, risk_id: int, payload: RaRiskPatch):
    access = access_study(request.user, study_id)
    assessment = _draft(access)
    risk = selectors.risk_get(assessment, min(risk_id, ID_MAX))
    access_check(access, Perm.OVERSIGHT_VIEW)
    access_check(access, Perm.RISK_MANAGE)
    return risk_services.risk_save(actor=request.user, assessment=assessment, risk=risk, known=access, **payload.dict())


@router.post(DRAFT + "/risks/{risk_id}/remove", response={204: None}, summary="Remove a risk from the draft")
def risk_remove_post(request, study_id: int, risk_id: int, payload: RaRiskRemoveIn):
    access = access_study(request.user, study_id)
    risk = selectors.risk_get(_draft(access), min(risk_id, ID_MAX))
    access_check(access, Perm.OVERSIGHT_VIEW)
    access_check(access, Perm.RISK_MANAGE)
    risk_services.risk_remove(actor=request.user, risk=risk, reason=payload.reason, known=access)
    return Status(204, None)


@router.post(DRAFT + "/approve", response=RaVersionOut, summary="Approve the draft with your e-signature")
def risk_assessment_approve_post(request, study_id: int, payload: RaApproveIn):
    access = access_check(_read(request, study_id), Perm.RISK_APPROVE)
    assessment = _draft(access)
    access_check(access, Perm.SIGN)
    return risk_services.risk_assessment_approve(
        actor=request.user, assessment=assessment, password=payload.password, summary=payload.summary, known=access
    )


@router.get(QTLS, response=list[QtlLimitOut], summary="The study's QTLs")
def qtls_get(request, study_id: int):
    return list(selectors.qtl_list(_read(request, study_id)))


@router.post(QTLS, response={201: QtlLimitOut}, summary="Define a QTL")
def qtl_post(request, study_id: int, payload: QtlLimitIn):
    access = access_check(_read(request, study_id), Perm.RISK_MANAGE)
    qtl = qtl_services.qtl_save(actor=request.user, study=access.membership.study, known=access, **payload.dict())
    return Status(201, qtl)


@router.post(QTLS + "/evaluate", response=list[QtlEvaluationOut], summary="Evaluate the active QTLs at a data cut")
def qtls_evaluate_post(request, study_id: int, payload: QtlEvaluateIn):
    access = access_check(_read(request, study_id), Perm.RISK_MANAGE)
    return qtl_services.qtls_evaluate(
        actor=request.user, study=access.membership.study, cut_on=payload.cut_on, known=access
    )


def _qtl(request, study_id: int, qtl_id: int) -> tuple[StudyAccess, QualityToleranceLimit]:
    access = access_study(request.user, study_id)
    qtl = selectors.qtl_get(access, min(qtl_id, ID_MAX))
    access_check(access, Perm.OVERSIGHT_VIEW)
    return access, qtl


@router.get(QTLS + "/{qtl_id}", response=QtlLimitDetailOut, summary="One QTL with its evaluations, oldest first")
def qtl_get(request, study_id: int, qtl_id: int):
    _access, qtl = _qtl(request, study_id, qtl_id)
    qtl.history = selectors.qtl_history(qtl)
    return qtl


@router.patch(QTLS + "/{qtl_id}", response=QtlLimitOut, summary="Change a QTL")
def qtl_patch(request, study_id: int, qtl_id: int, payload: QtlLimitPatch):
    access, qtl = _qtl(request, study_id, qtl_id)
    access_check(access, Perm.RISK_MANAGE)
    return qtl_services.qtl_save(
        actor=request.user, study=access.membership.study, qtl=qtl, known=access, **payload.dict()
    )


@router.get(BREACHES, response=list[QtlBreachOut], summary="QTL breaches, first found first (the CSR list)")
def qtl_breaches_get(request, study_id: int):
    return list(selectors.breach_list(_read(request, study_id)))


@router.post(BREACHES + "/{breach_id}/action", response=QtlBreachOut, summary="Document a breach's cause and action")
def qtl_breach_action_post(request, study_id: int, breach_id: int, payload: QtlBreachActionIn):
    access = access_study(request.user, study_id)
    breach = selectors.breach_get(access, min(breach_id, ID_MAX))
    access_check(access, Perm.OVERSIGHT_VIEW)
    access_check(access, Perm.RISK_MANAGE)
    return qtl_services.qtl_breach_action(actor=request.user, breach=breach, known=access, **payload.dict())


class CsmTestOut(Schema):
    test: str
    variable: str | None
    p: float
    log10_p: float
    q: float = Field(..., description="Benjamini-Hochberg adjusted over all tests of all sites")
    direction: str
    estimate: float
    reference: float


class CsmSiteOut(Schema):
    site_id: int
    site: str
    rank: int
    score: float = Field(..., description="-log10 of the geometric mean of the site's p-values")
    n_records: int
    n_subjects: int
    n_tests: int
    n_significant: int = Field(..., description="Tests significant at the run's false discovery rate")
    flagged: bool = Field(..., description="The site's combined p-value is significant across sites (Simes, BH)")
    site_q: float
    top: list[CsmTestOut]


class CsmRunOut(Schema):
    id: int
    cut_on: dt.date
    created_at: dt.datetime
    n_subjects: int
    n_variables: int
    fdr: float
    ranking: list[CsmSiteOut] = Field(..., description="The sites you may see, with their rank among all sites")


class CsmRunIn(Schema):
    cut_on: dt.date
    fdr: float = Field(0.05, gt=0, lt=1)


def _csm_out(access: StudyAccess, run: CsmRun) -> dict:
    rows = [r for r in run.ranking if access.site_ids is None or r["site_id"] in access.site_ids]
    return {
        **{f: getattr(run, f) for f in ("id", "cut_on", "created_at", "n_subjects", "n_variables", "fdr")},
        "ranking": rows,
    }


@router.get(CENTRAL, response=list[CsmRunOut], summary="Central monitoring runs, newest first")
def csm_runs_get(request, study_id: int):
    access = _read(request, study_id)
    return [_csm_out(access, run) for run in selectors.csm_runs(access)[:50]]


@router.post(CENTRAL, response={201: CsmRunOut}, summary="Run central statistical monitoring at a data cut")
def csm_run_post(request, study_id: int, payload: CsmRunIn):
    access = access_check(_read(request, study_id), Perm.RISK_MANAGE)
    run = central.csm_run(
        actor=request.user, study=access.membership.study, cut_on=payload.cut_on, fdr=payload.fdr, known=access
    )
    return Status(201, _csm_out(access, run))


class OversightFlagOut(Schema):
    kri_code: str
    name: str
    flag: int
    score: float | None
    metric: float | None
    numerator: float
    denominator: float
    newly_flagged: bool
    flagged_since: dt.date | None
    flagged_cuts: int
    issue: str | None = Field(..., description="The number of the open issue raised from this flag")


class OversightSiteOut(Schema):
    site_id: int
    site: str
    red: int
    amber: int
    flags: list[OversightFlagOut]
    open_issues: int
    overdue_issues: int
    next_visit_due: dt.date | None
    visit_due_now: bool
    csm_rank: int | None
    csm_flagged: bool


class OversightDashboardOut(Schema):
    cut_on: dt.date | None = Field(..., description="The latest KRI snapshot's data cut")
    sites: list[OversightSiteOut] = Field(..., description="Flagged sites first")
    qtls: list[QtlEvaluationOut] = Field(..., description="Each QTL's latest evaluation")


def _site_out(view) -> dict:
    return {
        "site_id": view.site_id,
        "site": view.number,
        "red": view.red,
        "amber": view.amber,
        "flags": [
            {
                "kri_code": f.row.kri_code,
                "name": f.name,
                "flag": f.row.run.flag,
                "score": f.row.score,
                "metric": f.row.metric,
                "numerator": f.row.numerator,
                "denominator": f.row.denominator,
                "newly_flagged": f.row.run.newly_flagged,
                "flagged_since": f.row.run.flagged_since,
                "flagged_cuts": f.row.run.flagged_cuts,
                "issue": f.issue.number if f.issue else None,
            }
            for f in view.flags
        ],
        "open_issues": view.open_issues,
        "overdue_issues": view.overdue_issues,
        "next_visit_due": view.schedule.next_due if view.schedule else None,
        "visit_due_now": bool(view.schedule and view.schedule.due_now),
        "csm_rank": view.csm_rank,
        "csm_flagged": view.csm_flagged,
    }


@router.get("/{study_id}/oversight/dashboard", response=OversightDashboardOut, summary="Flagged sites and why, QTLs")
def oversight_dashboard_get(request, study_id: int):
    board = dashboard.dashboard(_read(request, study_id))
    return {
        "cut_on": board.snapshot.cut_on if board.snapshot else None,
        "sites": [_site_out(s) for s in board.sites],
        "qtls": [row.latest for row in board.qtls if row.latest is not None],
    }
