"""Risk register writes: who may raise and change risks (project leads of either party, nobody else), the owner from
either party only, the steps open -> mitigating -> closed or realised, reasons on the audit trail, and a signal raised
once (one risk not closed per key)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts import organisations
from opencro.accounts import services as accounts
from opencro.audit.models import AuditRecord
from opencro.partnership.models import ProjectRisk
from opencro.partnership.services import risks, work_orders
from tests.conftest import make_user
from tests.partnership.budget_helpers import execute
from tests.partnership.risk_helpers import RISK, TODAY, make_overdue, oversight, raise_risk

pytestmark = pytest.mark.django_db

REASON = "Reviewed at the monthly operations call."
LATER = TODAY + dt.timedelta(days=45)


def _records(risk: ProjectRisk) -> list[AuditRecord]:
    return list(
        AuditRecord.objects.filter(object_type="partnership.projectrisk", object_id=str(risk.pk)).order_by("id")
    )


def test_a_lead_of_either_party_raises_numbered_risks_owned_by_either_party(partners, world):
    p = partners
    first = raise_risk(p)
    second = raise_risk(p, actor=p.acme_lead, owner=p.acme_viewer, title="Budget overrun on pass-through costs")
    assert (first.number, second.number) == ("RSK-001", "RSK-002")
    assert (first.owner_party, second.owner_party) == ("cro", "sponsor")
    assert (first.status, first.raised_on, first.raised_by, first.source) == ("open", TODAY, p.crux_lead, "manual")
    assert (first.score, first.level) == (12, "medium")  # 4 x 3
    records = _records(first)
    assert {r.field for r in records} >= {"title", "likelihood", "impact", "owner", "owner_party", "due_on"}
    assert {r.study_id for r in records} == {world.study.pk}  # the work order's study: on the study's trail


@pytest.mark.parametrize("who", ["crux_contracts", "crux_exec", "crux_viewer", "acme_contracts", "acme_viewer"])
def test_only_project_leads_write(partners, who):
    p = partners
    risk = raise_risk(p)
    person = getattr(p, who)
    with pytest.raises(PermissionDenied):
        raise_risk(p, actor=person)
    with pytest.raises(PermissionDenied):
        risks.risk_update(actor=person, risk=risk, reason=REASON, likelihood=2)
    with pytest.raises(PermissionDenied):
        risks.risk_close(actor=person, risk=risk, closing_note=REASON)
    with pytest.raises(PermissionDenied):
        risks.risk_realise(actor=person, risk=risk, note=REASON)
    assert ProjectRisk.objects.get(pk=risk.pk).status == "open"


@pytest.mark.parametrize("who", ["borealis_lead", "delta_lead", "admin", "outsider"])
def test_people_outside_the_agreement_are_refused(partners, world, who):
    p = partners
    person = getattr(world, who) if who in ("admin", "outsider") else getattr(p, who)
    with pytest.raises(PermissionDenied):
        raise_risk(p, actor=person)
    with pytest.raises(PermissionDenied):
        risks.risk_raise_from_signal(actor=person, work_order=p.work_order, source_key="milestone:database_lock")
    assert not ProjectRisk.objects.exists()


def test_a_locked_lead_is_refused(partners):
    p = partners
    for _attempt in range(5):
        accounts.login_failure_record(username=p.crux_lead.username)
    p.crux_lead.refresh_from_db()
    with pytest.raises(PermissionDenied):
        raise_risk(p)


@pytest.mark.parametrize("owner", ["borealis_viewer", "delta_lead", "nobody", "left"])
def test_the_owner_works_for_one_of_the_two_parties(partners, world, owner):
    p = partners
    if owner == "nobody":
        person = make_user("no-organisation")
    elif owner == "left":  # left Acme: the membership is inactive
        person = p.acme_viewer
        organisations.organisation_member_remove(
            actor=world.admin, member=person.organisation_membership, reason="Left the company for good."
        )
    else:
        person = getattr(p, owner)
    with pytest.raises(ValidationError) as refused:
        raise_risk(p, owner=person)
    assert "owner" in refused.value.message_dict
    risk = raise_risk(p)
    with pytest.raises(ValidationError) as refused:
        risks.risk_update(actor=p.crux_lead, risk=risk, reason=REASON, owner=person)
    assert "owner" in refused.value.message_dict


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"due_on": TODAY - dt.timedelta(days=1)}, "due_on"),
        ({"likelihood": 6}, "likelihood"),
        ({"impact": 0}, "impact"),
        ({"category": "weather"}, "category"),
        ({"title": "  "}, "title"),
    ],
)
def test_what_a_risk_must_hold(partners, change, field):
    with pytest.raises(ValidationError) as refused:
        raise_risk(partners, **change)
    assert field in refused.value.message_dict
    assert not ProjectRisk.objects.exists()


def test_the_register_is_kept_while_the_work_order_is_a_draft_or_executed(partners):
    p = partners
    raise_risk(p)  # a draft
    execute(p)
    risk = raise_risk(p)
    work_orders.work_order_close(actor=p.crux_exec, work_order=p.work_order, reason="All services were delivered.")
    with pytest.raises(ValidationError, match="draft or executed"):
        raise_risk(p)
    with pytest.raises(ValidationError, match="draft or executed"):
        risks.risk_close(actor=p.crux_lead, risk=risk, closing_note=REASON)


def test_a_change_says_why_and_moves_between_open_and_mitigating(partners):
    p = partners
    risk = raise_risk(p, mitigation="")
    with pytest.raises(ValidationError) as refused:
        risks.risk_update(actor=p.crux_lead, risk=risk, reason="short", likelihood=2)
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        risks.risk_update(actor=p.crux_lead, risk=risk, reason=REASON, status="mitigating")
    assert "mitigation" in refused.value.message_dict  # mitigating without a plan
    risk = risks.risk_update(
        actor=p.crux_lead,
        risk=risk,
        reason=REASON,
        status="mitigating",
        mitigation="Open a third site in Osaka.",
        likelihood=3,
        owner=p.acme_lead,
        due_on=LATER,
    )
    assert (risk.status, risk.likelihood, risk.owner_party, risk.due_on) == ("mitigating", 3, "sponsor", LATER)
    changed = {r.field: r for r in _records(risk) if r.action == "update"}
    assert {"status", "likelihood", "owner", "owner_party", "due_on", "mitigation"} <= set(changed)
    assert changed["likelihood"].old_value == "4" and changed["likelihood"].new_value == "3"
    assert {r.reason for r in changed.values()} == {REASON}
    risk = risks.risk_update(actor=p.crux_lead, risk=risk, reason=REASON, status="open")
    assert risk.status == "open"
    for status in ("realised", "closed"):
        with pytest.raises(ValidationError) as refused:
            risks.risk_update(actor=p.crux_lead, risk=risk, reason=REASON, status=status)
        assert "status" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        risks.risk_update(actor=p.crux_lead, risk=risk, reason=REASON, raised_on=TODAY)
    assert "raised_on" in refused.value.message_dict


def test_an_overdue_risk_changes_without_moving_its_due_date(partners):
    p = partners
    risk = make_overdue(raise_risk(p))
    risk = risks.risk_update(actor=p.crux_lead, risk=risk, reason=REASON, impact=5, due_on=risk.due_on)
    assert (risk.impact, risk.level) == (5, "high")  # 4 x 5 = 20
    with pytest.raises(ValidationError) as refused:
        risks.risk_update(actor=p.crux_lead, risk=risk, reason=REASON, due_on=risk.due_on - dt.timedelta(days=1))
    assert "due_on" in refused.value.message_dict


def test_a_risk_that_happens_becomes_an_issue_until_it_is_closed(partners):
    p = partners
    risk = raise_risk(p)
    with pytest.raises(ValidationError) as refused:
        risks.risk_realise(actor=p.crux_lead, risk=risk, note="late")
    assert "note" in refused.value.message_dict
    what = "Osaka's ethics committee postponed its review by two months."
    risk = risks.risk_realise(actor=p.crux_lead, risk=risk, note=what, due_on=LATER)
    assert (risk.status, risk.realised_on, risk.realisation_note, risk.due_on) == ("realised", TODAY, what, LATER)
    assert _records(risk)[-1].reason == what
    with pytest.raises(ValidationError, match="realised already"):
        risks.risk_realise(actor=p.crux_lead, risk=risk, note=what)
    with pytest.raises(ValidationError):
        risks.risk_update(actor=p.crux_lead, risk=risk, reason=REASON, status="open")
    risk = risks.risk_update(actor=p.crux_lead, risk=risk, reason=REASON, contingency="Move two sites to Korea.")
    assert risk.status == "realised"
    with pytest.raises(ValidationError) as refused:
        risks.risk_close(actor=p.crux_lead, risk=risk, closing_note="")
    assert "closing_note" in refused.value.message_dict
    note = "Enrolment caught up after the Korean sites opened."
    risk = risks.risk_close(actor=p.crux_lead, risk=risk, closing_note=note)
    assert (risk.status, risk.closed_on, risk.closing_note) == ("closed", TODAY, note)
    for step in (
        lambda: risks.risk_update(actor=p.crux_lead, risk=risk, reason=REASON, impact=1),
        lambda: risks.risk_close(actor=p.crux_lead, risk=risk, closing_note=note),
        lambda: risks.risk_realise(actor=p.crux_lead, risk=risk, note=what),
    ):
        with pytest.raises(ValidationError, match="closed"):
            step()


def test_a_signal_is_raised_once_in_one_step(partners, world):
    p = partners
    signals = oversight(world)
    risk = risks.risk_raise_from_signal(actor=p.acme_lead, work_order=p.work_order, source_key=signals.kri_a_key)
    assert (risk.source, risk.source_key, risk.owner, risk.owner_party) == (
        "kri",
        signals.kri_a_key,
        p.acme_lead,
        "sponsor",
    )
    assert (risk.title, risk.category, risk.likelihood, risk.impact) == (
        "AE reporting rate flagged at site A1",
        "data_quality",
        4,  # a red flag: 4 x 3
        3,
    )
    assert risk.due_on == TODAY + dt.timedelta(days=14) and "flag +2" in risk.source_detail
    with pytest.raises(ValidationError) as refused:
        risks.risk_raise_from_signal(actor=p.crux_lead, work_order=p.work_order, source_key=signals.kri_a_key)
    assert refused.value.message_dict == {"source_key": ["Risk RSK-001 is already in the register for this signal."]}
    risks.risk_close(actor=p.crux_lead, risk=risk, closing_note="Site retrained; the flag is a data artefact.")
    again = risks.risk_raise_from_signal(
        actor=p.crux_lead,
        work_order=p.work_order,
        source_key=signals.kri_a_key,
        owner=p.crux_viewer,
        due_on=LATER,
        likelihood=2,
        impact=5,
    )
    assert (again.number, again.owner_party, again.due_on, again.score) == ("RSK-002", "cro", LATER, 10)
    assert ProjectRisk.objects.filter(source_key=signals.kri_a_key).count() == 2


@pytest.mark.parametrize("key", ["kri:kri0002:A1:2026-01-01", "milestone:database_lock", "issue:999999", ""])
def test_a_signal_that_is_not_there_now_is_refused(partners, world, key):
    oversight(world)
    with pytest.raises(ValidationError) as refused:
        risks.risk_raise_from_signal(actor=partners.crux_lead, work_order=partners.work_order, source_key=key)
    assert "source_key" in refused.value.message_dict


def test_every_kind_of_signal_is_raised_with_its_source(partners, world):
    p = partners
    signals = oversight(world)
    expected = {
        signals.kri_b_key: ("kri", 3, 3),  # amber
        signals.qtl_key: ("qtl", 5, 4),  # a breach
        signals.csm_key: ("csm", 3, 3),
        signals.deviations_key: ("deviation", 3, 4),
        f"issue:{signals.overdue_issue.pk}": ("monitoring_issue", 4, 3),
    }
    for key, (source, likelihood, impact) in expected.items():
        risk = risks.risk_raise_from_signal(actor=p.crux_lead, work_order=p.work_order, source_key=key)
        assert (risk.source, risk.likelihood, risk.impact) == (source, likelihood, impact), key


def test_a_sponsor_that_no_longer_owns_the_study_raises_only_milestone_signals(partners, world):
    p = partners
    signals = oversight(world)
    organisations.study_sponsor_set(actor=world.admin, study=world.study, organisation=p.borealis)
    with pytest.raises(ValidationError):
        risks.risk_raise_from_signal(actor=p.acme_lead, work_order=p.work_order, source_key=signals.kri_a_key)
    assert ProjectRisk.objects.count() == 0


def test_one_risk_not_closed_per_key_holds_in_the_database(partners):
    from django.db import IntegrityError, transaction

    p = partners
    first = raise_risk(p, source="kri", source_key="kri:x")
    with pytest.raises(ValidationError):
        raise_risk(p, source="kri", source_key="kri:x")
    clone = ProjectRisk(
        **{f.attname: getattr(first, f.attname) for f in ProjectRisk._meta.concrete_fields if f.name != "id"}
    )
    clone.number = "RSK-099"
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    clone.status = "closed"
    clone.save()  # a closed risk may share its key
    assert RISK["title"] == ProjectRisk.objects.get(number="RSK-099").title
