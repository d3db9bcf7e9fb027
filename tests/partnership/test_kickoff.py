"""The kick-off plan: milestones' actual dates read from a trial built for the purpose (every variance and status worked
out by hand beside it), who may set targets, forecasts and recorded actual dates and when, and the communication
plan and escalation path (who, when, what is refused, the audit trail)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opencro.audit.models import AuditRecord
from opencro.edc.services.locks import data_unlock, study_lock
from opencro.partnership.milestones import data_actuals, milestone_state, milestones_of
from opencro.partnership.models import CommunicationItem, ContractMilestone, EscalationStep
from opencro.partnership.services import kickoff, signing, work_orders
from opencro.recruitment.services import recruitment_plan_save
from opencro.studies import services as studies
from tests.conftest import PASSWORD
from tests.partnership.budget_helpers import execute
from tests.partnership.kickoff_helpers import (
    TARGETS,
    set_targets,
    trial_ended,
    trial_lpi,
    trial_until_lpi_due,
)

pytestmark = pytest.mark.django_db

D = dt.date
START_DAY = D(2026, 1, 1)
REASON = "The site's contract was signed late."


def _table(work_order, as_of: dt.date) -> dict[str, tuple]:
    """kind: (actual, source, variance in days, status) as of a day."""
    return {m.kind: (m.actual, m.source, m.variance_days, m.status) for m in milestones_of(work_order, as_of)}


def _audit(record, action: str, pk: int | None = None) -> list[AuditRecord]:
    meta = record._meta
    return list(
        AuditRecord.objects.filter(
            object_type=f"{meta.app_label}.{meta.model_name}", object_id=str(pk or record.pk), action=action
        )
    )


@pytest.mark.parametrize(
    ("planned", "forecast", "actual", "today", "expected"),
    [
        (D(2026, 3, 15), None, D(2026, 3, 10), D(2026, 6, 1), (-5, "done_on_time")),
        (D(2026, 3, 15), None, D(2026, 3, 15), D(2026, 6, 1), (0, "done_on_time")),  # on the day: on time
        (D(2026, 3, 15), None, D(2026, 3, 16), D(2026, 6, 1), (1, "done_late")),
        (None, None, D(2026, 3, 16), D(2026, 6, 1), (None, "done")),
        (None, D(2026, 5, 1), None, D(2026, 6, 1), (None, "not_planned")),
        (D(2026, 6, 30), None, None, D(2026, 6, 1), (0, "due")),  # not passed, no forecast: on plan
        (D(2026, 6, 30), None, None, D(2026, 6, 30), (0, "due")),  # the target day itself has not passed
        (D(2026, 6, 30), D(2026, 6, 20), None, D(2026, 6, 1), (-10, "due")),  # forecast 10 days early
        (D(2026, 6, 30), D(2026, 7, 10), None, D(2026, 6, 1), (10, "at_risk")),
        (D(2026, 6, 30), None, None, D(2026, 7, 15), (15, "overdue")),  # today minus target
        (D(2026, 6, 30), D(2026, 7, 10), None, D(2026, 7, 5), (10, "overdue")),  # the forecast, later than today
        (D(2026, 6, 30), D(2026, 7, 10), None, D(2026, 7, 20), (20, "overdue")),  # a forecast passed: today
    ],
)
def test_variance_and_status(planned, forecast, actual, today, expected):
    assert milestone_state(planned=planned, forecast=forecast, actual=actual, today=today) == expected


def test_the_milestones_of_a_trial_as_it_goes(partners, world):
    p = partners
    set_targets(p)
    execute(p)
    wo = p.work_order
    trial_until_lpi_due(world)
    assert _table(wo, D(2026, 6, 1)) == {
        # A1 and B1 green light 2026-01-01, target 2025-12-15: 16 days to the end of December + 1 = +17, late
        "first_site_activated": (D(2026, 1, 1), "data", 17, "done_late"),
        # A1-001 and B1-001 enrolled 2026-03-10, target 2026-03-15: -5
        "first_participant_in": (D(2026, 3, 10), "data", -5, "done_on_time"),
        # 3 enrolled of the plan's 4 (A1-003 failed screening): not reached; target 06-30 not passed, no forecast: 0
        "last_participant_in": (None, None, 0, "due"),
        "last_participant_last_visit": (None, None, 0, "due"),
        "database_lock": (None, None, 0, "due"),
        "topline_results": (None, None, 0, "due"),
        "clinical_study_report": (None, None, 0, "due"),
    }
    # as of 2026-07-15 the target 06-30 has passed: 15 days overdue
    assert _table(wo, D(2026, 7, 15))["last_participant_in"] == (None, None, 15, "overdue")

    trial_lpi(world)  # C1-001 enrolled 2026-08-01: 4 of 4
    table = _table(wo, D(2026, 9, 15))
    # target 2026-06-30: 31 days to 07-31, +1 = +32, late
    assert table["last_participant_in"] == (D(2026, 8, 1), "data", 32, "done_late")
    # C1-001 is still in the trial: no last visit yet; target 09-30 not passed
    assert table["last_participant_last_visit"] == (None, None, 0, "due")
    kickoff.milestone_set(
        actor=p.acme_contracts, work_order=wo, kind="last_participant_last_visit", forecast_on=D(2026, 10, 10)
    )
    # forecast 10-10 after the target 09-30: at risk by 10 days
    assert _table(wo, D(2026, 9, 15))["last_participant_last_visit"] == (None, None, 10, "at_risk")

    trial_ended(world)  # every participant completed or withdrawn: the latest visit is C1-001's 2026-09-02
    # target 2026-09-30: -28, on time (the forecast no longer counts)
    assert _table(wo, D(2026, 9, 15))["last_participant_last_visit"] == (D(2026, 9, 2), "data", -28, "done_on_time")

    kickoff.milestone_set(actor=p.crux_contracts, work_order=wo, kind="database_lock", forecast_on=D(2026, 10, 28))
    # as of 11-01 the target 10-31 has passed; the forecast 10-28 is behind us: today - target = +1, overdue
    assert _table(wo, D(2026, 11, 1))["database_lock"] == (None, None, 1, "overdue")
    kickoff.milestone_set(
        actor=p.crux_contracts, work_order=wo, kind="database_lock", actual_on_recorded=D(2026, 11, 2)
    )
    # no lock in this trial's EDC: the recorded date, 2 days after the target
    assert _table(wo, D(2026, 11, 28))["database_lock"] == (D(2026, 11, 2), "recorded", 2, "done_late")
    kickoff.milestone_set(
        actor=p.acme_contracts, work_order=wo, kind="topline_results", actual_on_recorded=D(2026, 11, 18)
    )
    table = _table(wo, D(2026, 11, 28))
    assert table["topline_results"] == (D(2026, 11, 18), "recorded", -2, "done_on_time")  # target 11-20
    assert table["clinical_study_report"] == (None, None, 0, "due")  # target 2027-02-28
    kickoff.milestone_set(
        actor=p.crux_contracts, work_order=wo, kind="clinical_study_report", forecast_on=D(2027, 3, 15)
    )
    # 2027-02-28 to 03-15: 15 days
    assert _table(wo, D(2026, 11, 28))["clinical_study_report"] == (None, None, 15, "at_risk")
    assert _table(wo, D(2027, 3, 1))["clinical_study_report"] == (None, None, 15, "overdue")
    assert _table(wo, D(2027, 3, 20))["clinical_study_report"] == (None, None, 20, "overdue")  # forecast passed


def test_a_recorded_actual_overrides_the_data_and_says_so(partners, world):
    p = partners
    set_targets(p)
    execute(p)
    wo = p.work_order
    kickoff.milestone_set(
        actor=p.crux_contracts, work_order=wo, kind="first_participant_in", actual_on_recorded=D(2026, 3, 9)
    )
    (fpi,) = [m for m in milestones_of(wo, D(2026, 6, 1)) if m.kind == "first_participant_in"]
    # recorded 03-09 against the target 03-15: -6; the data (A1-001, B1-001 on 03-10) shown beside it
    assert (fpi.actual, fpi.source, fpi.data_actual, fpi.variance_days, fpi.overridden) == (
        D(2026, 3, 9),
        "recorded",
        D(2026, 3, 10),
        -6,
        True,
    )
    with pytest.raises(ValidationError) as raised:  # clearing a recorded value is a change: it needs a reason
        kickoff.milestone_set(
            actor=p.crux_contracts, work_order=wo, kind="first_participant_in", actual_on_recorded=None
        )
    assert raised.value.message_dict == {"reason": ["Give a reason of at least 10 characters."]}
    row = kickoff.milestone_set(
        actor=p.crux_contracts,
        work_order=wo,
        kind="first_participant_in",
        actual_on_recorded=None,
        reason="Entered by mistake: the data are right.",
    )
    (fpi,) = [m for m in milestones_of(wo, D(2026, 6, 1)) if m.kind == "first_participant_in"]
    assert (fpi.actual, fpi.source, fpi.variance_days) == (D(2026, 3, 10), "data", -5)
    recorded = [(r.old_value, r.new_value, r.reason) for r in _audit(row, "update") if r.field == "actual_on_recorded"]
    assert recorded == [
        (None, "2026-03-09", "milestone progress recorded"),
        ("2026-03-09", None, "Entered by mistake: the data are right."),
    ]


def test_last_participant_in_needs_the_target_or_the_end_of_enrolment(partners, world):
    """A1-001 and B1-001 are the study's 2 participants, both enrolled on 2026-03-10."""
    study, pm = world.study, world.users["project_manager"]
    assert data_actuals(study)["last_participant_in"] is None  # no target anywhere: enrolment goes on
    studies.site_update(actor=pm, site=world.site_a, changes={"target_enrolment": 1}, reason="feasibility")
    studies.site_update(actor=pm, site=world.site_b, changes={"target_enrolment": 2}, reason="feasibility")
    assert data_actuals(study)["last_participant_in"] is None  # 2 of the sites' 1 + 2 = 3
    recruitment_plan_save(actor=None, study=study, target=2, rate_mean=1.0, rate_cv=0.5)
    assert data_actuals(study)["last_participant_in"] == D(2026, 3, 10)  # the plan's 2 wins over the sites' 3
    recruitment_plan_save(actor=None, study=study, target=5, rate_mean=1.0, rate_cv=0.5, reason="bigger trial")
    assert data_actuals(study)["last_participant_in"] is None
    for _step in ("start-up", "enrolling", "follow-up"):
        study = studies.study_status_advance(actor=pm, study=study, reason="next phase")
    assert study.status == "follow_up"
    assert data_actuals(study)["last_participant_in"] == D(2026, 3, 10)  # enrolment ended short of the target


def test_the_database_lock_is_the_edc_study_lock_in_force(partners, world):
    dm = world.users["data_manager"]
    assert data_actuals(world.study)["database_lock"] is None
    study_lock(actor=dm, study=world.study, reason="database lock", password=PASSWORD)
    assert data_actuals(world.study)["database_lock"] == timezone.now().astimezone(dt.UTC).date()
    data_unlock(actor=dm, study=world.study, reason="A query reopened after lock.", password=PASSWORD)
    assert data_actuals(world.study)["database_lock"] is None


def test_targets_are_set_only_on_an_unsigned_draft(partners):
    p = partners
    made = kickoff.milestone_set(
        actor=p.acme_contracts, work_order=p.work_order, kind="database_lock", planned_on=D(2026, 10, 31), note="Hard"
    )
    assert (made.planned_on, made.note, made.forecast_on) == (D(2026, 10, 31), "Hard", None)
    assert {r.field for r in _audit(made, "create")} >= {"kind", "planned_on", "note"}
    moved = kickoff.milestone_set(
        actor=p.crux_contracts, work_order=p.work_order, kind="database_lock", planned_on=D(2026, 11, 15)
    )
    (update,) = _audit(moved, "update")
    assert (update.field, update.new_value, update.reason) == (
        "planned_on",
        "2026-11-15",
        "milestone planned on the unsigned draft",
    )
    with pytest.raises(ValidationError) as raised:  # a forecast waits for the executed work order
        kickoff.milestone_set(
            actor=p.crux_contracts, work_order=p.work_order, kind="database_lock", forecast_on=D(2026, 12, 1)
        )
    assert raised.value.message_dict == {
        "forecast_on": ["Forecasts and actual dates are recorded once the work order is executed."]
    }
    with pytest.raises(ValidationError) as raised:
        kickoff.milestone_set(actor=p.crux_contracts, work_order=p.work_order, kind="go_live", planned_on=START_DAY)
    assert raised.value.message_dict == {"kind": ["Unknown milestone."]}
    with pytest.raises(ValidationError) as raised:
        kickoff.milestone_set(actor=p.crux_contracts, work_order=p.work_order, kind="topline_results", note="  ")
    assert raised.value.messages == ["Nothing to record: give a date or a note."]
    signing.contract_sign(actor=p.acme_exec, record=p.work_order, password=PASSWORD)  # one party signed
    with pytest.raises(ValidationError) as raised:
        kickoff.milestone_set(
            actor=p.crux_contracts, work_order=p.work_order, kind="database_lock", planned_on=D(2026, 12, 1)
        )
    assert raised.value.message_dict == {"planned_on": ["A signed work order changes only through a change order."]}
    same = kickoff.milestone_set(  # a value given as it is changes nothing, so nothing is refused
        actor=p.crux_contracts, work_order=p.work_order, kind="database_lock", planned_on=D(2026, 11, 15)
    )
    assert same.pk == made.pk and len(_audit(made, "update")) == 1
    assert ContractMilestone.objects.get().planned_on == D(2026, 11, 15)


def test_forecasts_and_actuals_once_executed_with_a_reason_for_a_change(partners):
    p = partners
    set_targets(p)
    execute(p)
    wo = p.work_order
    row = kickoff.milestone_set(
        actor=p.crux_contracts, work_order=wo, kind="topline_results", forecast_on=D(2026, 12, 1)
    )
    (first,) = [r for r in _audit(row, "update") if r.field == "forecast_on"]
    assert (first.old_value, first.new_value, first.reason) == (None, "2026-12-01", "milestone progress recorded")
    for short in ("", "later"):
        with pytest.raises(ValidationError) as raised:
            kickoff.milestone_set(
                actor=p.acme_contracts, work_order=wo, kind="topline_results", forecast_on=D(2026, 12, 8), reason=short
            )
        assert raised.value.message_dict == {"reason": ["Give a reason of at least 10 characters."]}
    kickoff.milestone_set(
        actor=p.acme_contracts, work_order=wo, kind="topline_results", forecast_on=D(2026, 12, 8), reason=REASON
    )
    assert ContractMilestone.objects.get(work_order=wo, kind="topline_results").forecast_on == D(2026, 12, 8)
    assert [r.reason for r in _audit(row, "update") if r.new_value == "2026-12-08"] == [REASON]
    with pytest.raises(ValidationError) as raised:
        kickoff.milestone_set(
            actor=p.crux_contracts, work_order=wo, kind="topline_results", planned_on=D(2026, 12, 31), reason=REASON
        )
    assert raised.value.message_dict == {"planned_on": ["A signed work order changes only through a change order."]}
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        kickoff.milestone_set(
            actor=p.crux_contracts, work_order=wo, kind="topline_results", actual_on_recorded=tomorrow
        )
    assert raised.value.message_dict == {"actual_on_recorded": ["An actual date cannot be in the future."]}
    # a milestone the contract set no target for may still be forecast and dated
    kickoff.milestone_set(actor=p.crux_contracts, work_order=wo, kind="database_lock", forecast_on=D(2026, 10, 1))


def test_who_may_change_the_milestones(partners):
    p = partners
    for outsider in (p.borealis_contracts, p.delta_contracts):
        with pytest.raises(PermissionDenied):
            kickoff.milestone_set(
                actor=outsider, work_order=p.work_order, kind="database_lock", planned_on=D(2026, 10, 31)
            )
    for reader in (p.acme_viewer, p.crux_exec, p.acme_admin):
        with pytest.raises(PermissionDenied):
            kickoff.milestone_set(
                actor=reader, work_order=p.work_order, kind="database_lock", planned_on=D(2026, 10, 31)
            )
    assert not ContractMilestone.objects.exists()


def test_a_closed_work_order_keeps_its_milestones(partners):
    p = partners
    set_targets(p)
    execute(p)
    work_orders.work_order_close(actor=p.crux_exec, work_order=p.work_order, reason="All services delivered.")
    with pytest.raises(ValidationError) as raised:
        kickoff.milestone_set(actor=p.crux_contracts, work_order=p.work_order, kind="database_lock", note="Late")
    assert "note" in raised.value.message_dict
    assert [m.planned for m in milestones_of(p.work_order, D(2026, 6, 1))] == list(TARGETS.values())


# Communication plan and escalation path

ITEM = {
    "what": "Weekly operations call",
    "frequency": "weekly",
    "owner": "cro",
    "participants": "Project managers of both parties",
    "channel": "Video call",
}
STEP = {
    "level": 1,
    "trigger": "An issue open beyond 5 working days",
    "sponsor_contact": "Ann Lee, clinical operations lead",
    "cro_contact": "Bo Chen, project manager",
    "response_days": 2,
}


def test_the_communication_plan(partners):
    p = partners
    item = kickoff.communication_item_add(actor=p.acme_contracts, work_order=p.work_order, **ITEM, note=" ")
    assert (item.what, item.frequency, item.owner, item.note) == ("Weekly operations call", "weekly", "cro", "")
    assert {r.field for r in _audit(item, "create")} >= {"what", "frequency", "owner", "participants", "channel"}
    execute(p)  # still open once executed
    item = kickoff.communication_item_change(actor=p.crux_contracts, item=item, frequency="every_two_weeks")
    (update,) = _audit(item, "update")
    assert (update.field, update.old_value, update.new_value, update.reason) == (
        "frequency",
        "weekly",
        "every_two_weeks",
        "communication plan changed",
    )
    with pytest.raises(ValidationError) as raised:
        kickoff.communication_item_change(actor=p.crux_contracts, item=item, frequency="daily")
    assert "frequency" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        kickoff.communication_item_change(actor=p.crux_contracts, item=item, owner="shared")  # a party, not shared
    assert "owner" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        kickoff.communication_item_remove(actor=p.crux_contracts, item=item, reason="no")
    assert raised.value.message_dict == {"reason": ["Give a reason of at least 10 characters."]}
    with pytest.raises(PermissionDenied):
        kickoff.communication_item_remove(actor=p.acme_viewer, item=item, reason=REASON)
    pk = item.pk
    kickoff.communication_item_remove(actor=p.crux_contracts, item=item, reason="Merged into the status report.")
    assert not CommunicationItem.objects.exists()
    assert {r.reason for r in _audit(item, "delete", pk)} == {"Merged into the status report."}


def test_the_plan_closes_with_the_work_order(partners):
    p = partners
    item = kickoff.communication_item_add(actor=p.crux_contracts, work_order=p.work_order, **ITEM)
    work_orders.work_order_cancel(actor=p.crux_contracts, work_order=p.work_order, reason="The sponsor went elsewhere.")
    with pytest.raises(ValidationError) as raised:
        kickoff.communication_item_change(actor=p.crux_contracts, item=item, what="Monthly status report")
    assert raised.value.messages == [
        "The communication plan and escalation path change while the work order is a draft or executed."
    ]
    with pytest.raises(ValidationError):
        kickoff.escalation_step_add(actor=p.crux_contracts, work_order=p.work_order, **STEP)


def test_the_escalation_path(partners):
    p = partners
    first = kickoff.escalation_step_add(actor=p.crux_contracts, work_order=p.work_order, **STEP)
    second = kickoff.escalation_step_add(
        actor=p.acme_contracts,
        work_order=p.work_order,
        **{**STEP, "level": 2, "trigger": "Not resolved at level 1 within 5 working days", "response_days": 5},
    )
    with pytest.raises(ValidationError) as raised:
        kickoff.escalation_step_add(actor=p.crux_contracts, work_order=p.work_order, **STEP)
    assert raised.value.message_dict == {"level": ["Level 1 of the escalation path is set already."]}
    for bad, field in (({"level": 6}, "level"), ({"level": 0}, "level"), ({"response_days": 61}, "response_days")):
        with pytest.raises(ValidationError) as raised:
            kickoff.escalation_step_add(actor=p.crux_contracts, work_order=p.work_order, **{**STEP, "level": 3, **bad})
        assert field in raised.value.message_dict, bad
    with pytest.raises(ValidationError) as raised:
        kickoff.escalation_step_change(actor=p.crux_contracts, step=second, level=1)
    assert raised.value.message_dict == {"level": ["Level 1 of the escalation path is set already."]}
    moved = kickoff.escalation_step_change(actor=p.crux_contracts, step=second, level=3, reason="Room for a level 2.")
    assert [(s.level, s.response_days) for s in EscalationStep.objects.order_by("level")] == [(1, 2), (3, 5)]
    assert {r.reason for r in _audit(moved, "update")} == {"Room for a level 2."}
    kickoff.escalation_step_remove(actor=p.acme_contracts, step=first, reason="Handled in the weekly call.")
    assert list(EscalationStep.objects.values_list("level", flat=True)) == [3]
