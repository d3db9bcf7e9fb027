"""What the risk register tests share: a risk raised on the partners' work order, and the study's oversight signals
written as the monitoring code would leave them (rows, not computations: the register reads them through the
monitoring selectors).

`oversight(w)` on T-001, cut on `CUT` (yesterday):
- KRI kri0001 "AE reporting rate" flagged +2 at site A1 (red) and -1 at B1 (amber); kri0002 not flagged at A1;
- QTL QTL-01 (important deviations, limit 0.05) with an open breach; QTL-02 (SAE rate) with one ended;
- the latest central monitoring run flags site B1 (ranked 1), not A1;
- important deviations PD-0001 (confirmed) and PD-0002 (open) at A1, PD-0003 closed at B1, PD-0004 not important;
- oversight issue ISS-0001 at A1, raised for the A1 KRI flag, due 5 days ago (overdue), and ISS-0002 study-wide,
  due in 30 days.

`borealis_risk(p, w)`: another sponsor's register: Borealis contracts Delta on its own T-002, and Delta's lead raises
"Borealis secret" there (the tenant isolation tests' other side).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from opencro.accounts.permissions import RoleCode
from opencro.monitoring.models import (
    CsmRun,
    Deviation,
    KriDefinition,
    KriResult,
    KriSnapshot,
    OversightIssue,
    QtlBreach,
    QtlEvaluation,
    QualityToleranceLimit,
)
from opencro.partnership.models import ProjectRisk, WorkOrder
from opencro.partnership.services import agreements, risks, signing, work_orders
from tests.conftest import PASSWORD
from tests.partnership.conftest import START

TODAY = timezone.localdate()
CUT = TODAY - dt.timedelta(days=1)
RISK = {
    "title": "Slow recruitment in Japan",
    "category": "recruitment",
    "likelihood": 4,
    "impact": 3,
    "description": "Two sites in Japan activated late.",
    "mitigation": "Add a third site in Osaka.",
    "contingency": "Extend enrolment by two months.",
}


def raise_risk(p, *, actor=None, work_order: WorkOrder | None = None, owner=None, due_on=None, **over) -> ProjectRisk:
    return risks.risk_raise(
        actor=actor or p.crux_lead,
        work_order=work_order or p.work_order,
        owner=owner or p.crux_lead,
        due_on=due_on or TODAY + dt.timedelta(days=30),
        **{**RISK, **over},
    )


def make_overdue(risk: ProjectRisk, days: int = 3) -> ProjectRisk:
    """Move the due date into the past as time would (the services refuse a past date): a row update, not audited."""
    ProjectRisk.objects.filter(pk=risk.pk).update(due_on=TODAY - dt.timedelta(days=days))
    return ProjectRisk.objects.get(pk=risk.pk)


@dataclass
class Oversight:
    kri_a_key: str
    kri_b_key: str
    qtl_key: str
    csm_key: str
    deviations_key: str
    overdue_issue: OversightIssue
    later_issue: OversightIssue


def _deviation(w, site, number: str, status: str, important: bool | None) -> Deviation:
    return Deviation.objects.create(
        study=w.study,
        site=site,
        subject=w.subject_a if site == w.site_a else w.subject_b,
        number=number,
        category="procedures",
        description="Dose missed.",
        occurred_on=CUT,
        identified_on=CUT,
        source="site",
        status=status,
        important=important,
    )


def oversight(w) -> Oversight:
    study, pm = w.study, w.user(RoleCode.PROJECT_MANAGER)
    for code, name in (("kri0001", "AE reporting rate"), ("kri0002", "Query rate")):
        KriDefinition.objects.create(
            study=study,
            code=code,
            name=name,
            abbreviation=code.upper(),
            numerator="aes",
            denominator="days",
            kind="rate",
            thresholds=[-3, -2, 2, 3],
        )
    snapshot = KriSnapshot.objects.create(study=study, cut_on=CUT, created_at=timezone.now())
    for code, site, flag, score in (
        ("kri0001", w.site_a, 2, 3.1),
        ("kri0001", w.site_b, -1, -2.2),
        ("kri0002", w.site_a, 0, 0.4),
    ):
        KriResult.objects.create(
            snapshot=snapshot,
            kri_code=code,
            level="site",
            group=site.number,
            site=site,
            numerator=1,
            denominator=10,
            metric=0.1,
            score=score,
            flag=flag,
        )
    breached = QualityToleranceLimit.objects.create(
        study=study, code="QTL-01", parameter="important_deviation", limit=0.05
    )
    ended = QualityToleranceLimit.objects.create(study=study, code="QTL-02", parameter="sae_rate", limit=0.5)
    for qtl, status, ended_on in ((breached, "breach", None), (ended, "signal", CUT)):
        evaluation = QtlEvaluation.objects.create(
            qtl=qtl,
            evaluated_at=timezone.now(),
            cut_on=CUT,
            numerator=3,
            denominator=20,
            estimate=0.15,
            lower=0.06,
            upper=0.3,
            status=status,
        )
        breach = QtlBreach.objects.create(
            qtl=qtl,
            study=study,
            first_evaluation=evaluation,
            last_evaluation=evaluation,
            worst_status=status,
            ended_on=ended_on,
        )
        if ended_on is None:
            open_breach = breach
    top = [{"test": "weekday", "variable": "visit_date", "p": 1.2e-5, "q": 1e-4, "direction": "higher"}]
    run = CsmRun.objects.create(
        study=study,
        cut_on=CUT,
        created_at=timezone.now(),
        ranking=[
            {"site_id": w.site_b.pk, "site": "B1", "score": 9.1, "rank": 1, "flagged": True, "top": top},
            {"site_id": w.site_a.pk, "site": "A1", "score": 0.2, "rank": 2, "flagged": False, "top": []},
        ],
    )
    _deviation(w, w.site_a, "PD-0001", "confirmed", True)
    _deviation(w, w.site_a, "PD-0002", "open", True)
    _deviation(w, w.site_b, "PD-0003", "closed", True)
    _deviation(w, w.site_b, "PD-0004", "confirmed", False)
    kri_a_key = f"kri:kri0001:A1:{CUT.isoformat()}"

    def issue(number: str, site, due_on: dt.date, key: str = "") -> OversightIssue:
        return OversightIssue.objects.create(
            study=study,
            site=site,
            number=number,
            title="AE under-reporting at A1" if site else "Query backlog",
            description="Raised from the signal.",
            source="kri" if key else "other",
            source_key=key,
            owner=pm,
            due_on=due_on,
            raised_by=pm,
            raised_on=TODAY - dt.timedelta(days=20),
        )

    return Oversight(
        kri_a_key=kri_a_key,
        kri_b_key=f"kri:kri0001:B1:{CUT.isoformat()}",
        qtl_key=f"qtl:{open_breach.pk}",
        csm_key=f"csm:{run.pk}:{w.site_b.pk}",
        deviations_key=f"deviations:{w.site_a.pk}",
        overdue_issue=issue("ISS-0001", w.site_a, TODAY - dt.timedelta(days=5), kri_a_key),
        later_issue=issue("ISS-0002", None, TODAY + dt.timedelta(days=30)),
    )


def borealis_risk(p, world) -> ProjectRisk:
    """Borealis, another sponsor, contracts Delta on its own T-002, and Delta's lead raises a risk there."""
    msa = agreements.agreement_create(
        actor=p.delta_contracts, counterparty=p.borealis, title="Borealis services", effective_on=START
    )
    signing.contract_sign(actor=p.delta_exec, record=msa, password=PASSWORD)
    msa = signing.contract_sign(actor=p.borealis_exec, record=msa, password=PASSWORD)
    order = work_orders.work_order_create(
        actor=p.delta_contracts,
        agreement=msa,
        study=world.other_study,
        title="T-002 monitoring",
        services=["monitoring"],
        value=Decimal(1000),
        start_on=START,
        end_on=dt.date(2028, 12, 31),
    )
    return raise_risk(p, actor=p.delta_lead, work_order=order, owner=p.borealis_viewer, title="Borealis secret")
