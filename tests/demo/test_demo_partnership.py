"""The demo's contract: Meridian (sponsor) and Northstar (CRO), the agreement, the OPC-301 work order and its change
orders, and the tenant rule honouring the demo people's memberships."""

from decimal import Decimal

import pytest

from opencro.accounts.access import access_for, access_organisation
from opencro.accounts.models import User
from opencro.partnership.catalogue import Party
from opencro.partnership.models import ChangeOrderStatus, WorkOrder
from opencro.partnership.selectors import organisation_studies, responsibility_matrix

pytestmark = pytest.mark.django_db


def test_the_contract(demo):
    order = WorkOrder.objects.select_related("agreement__sponsor", "agreement__cro").get(study=demo)
    msa = order.agreement
    assert (msa.number, msa.status, msa.sponsor.code, msa.cro.code) == ("MSA-0001", "active", "meridian", "northstar")
    assert demo.sponsor_organisation == msa.sponsor
    assert (order.number, order.status, order.currency) == ("WO-001", "executed", "USD")
    assert order.value == Decimal("5035000.00")  # 4,850,000 and CO-01's 185,000
    matrix = {row.duty.code: row for row in responsibility_matrix(order)}
    assert matrix["monitoring"].party == Party.CRO and matrix["oversight"].party == Party.SPONSOR
    assert matrix["submissions"].party == Party.SHARED and "Meridian submits" in matrix["submissions"].note
    changes = {c.number: c for c in order.change_orders.all()}
    assert changes["CO-01"].status == ChangeOrderStatus.APPROVED
    pending = changes["CO-02"]
    assert pending.status == ChangeOrderStatus.PROPOSED and pending.sponsor_signed_at and not pending.cro_signed_at
    assert msa.sponsor_signed_at.date().isoformat() == "2025-02-14"  # signed on the day it happened


def test_the_demo_people_keep_their_study(demo):
    users = {u.username: u for u in User.objects.filter(username__in=["pm", "sponsor", "cro.exec", "cra"])}
    for username in ("pm", "sponsor", "cra"):  # a CRO's, the sponsor's, and someone of no organisation
        assert access_for(users[username], demo.pk) is not None, username
    portfolio = organisation_studies(access_organisation(users["cro.exec"]))
    assert set(portfolio.values_list("protocol_number", flat=True)) == {"OPC-301", "OPC-204"}  # OPC-204: WO-002
    assert access_organisation(users["sponsor"]).organisation.code == "meridian"


def test_the_kickoff_plan_and_the_budget(demo):
    """Milestones read from the demo's own data (first site green-lit 2026-03-03, first enrolment 2026-05-19), the
    CRO's November forecast of last participant in (six weeks late: at risk), and the budget's actuals, including what
    the paid site payments run cost on the pass-through line."""
    import datetime as dt

    from opencro.partnership.budget_actuals import budget_report
    from opencro.partnership.milestones import milestones_of

    order = WorkOrder.objects.get(study=demo)
    milestones = {m.kind: m for m in milestones_of(order, dt.date(2026, 11, 28))}
    assert (milestones["first_site_activated"].status, milestones["first_site_activated"].source) == (
        "done_on_time",
        "data",
    )
    assert (milestones["first_participant_in"].status, milestones["first_participant_in"].variance_days) == (
        "done_late",
        4,
    )
    assert (milestones["last_participant_in"].status, milestones["last_participant_in"].variance_days) == (
        "at_risk",
        45,
    )
    assert order.communication_items.count() == 4 and order.escalation_steps.count() == 3
    report = budget_report(order, dt.date(2026, 11, 28))
    lines = {line.description: line for group in report.services for line in group.lines}
    grants = lines["Investigator grants (pass-through)"]
    assert grants.actual_amount > 0 and not grants.problems  # PR-001's cost, converted at the agreement's rates
    assert lines["Site qualification and initiation"].actual_units == 8  # the sites with their green light
