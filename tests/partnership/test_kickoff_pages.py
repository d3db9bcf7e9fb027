"""Kick-off plan pages: the milestones as a timeline and a table as of a day, the target-date forms on an unsigned
draft and the forecast forms once executed, the communication plan and escalation path with their forms; refusals
re-render with the error (200), another organisation's work order is 404, a reader's write 403."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from opencro.partnership.models import CommunicationItem, ContractMilestone, EscalationStep
from opencro.partnership.services import kickoff, signing
from tests.conftest import PASSWORD
from tests.partnership.budget_helpers import execute
from tests.partnership.kickoff_helpers import set_targets

pytestmark = pytest.mark.django_db

D = dt.date
REASON = "The sponsor asked for a later date."
ITEM = {
    "what": "Monthly status report",
    "frequency": "monthly",
    "owner": "cro",
    "participants": "Sponsor's study team",
    "channel": "E-mail",
    "note": "",
}
STEP = {
    "level": "1",
    "trigger": "An issue open beyond 5 working days",
    "sponsor_contact": "Ann Lee, clinical operations lead",
    "cro_contact": "Bo Chen, project manager",
    "response_days": "2",
    "note": "",
}


def _url(name: str, *args) -> str:
    return reverse(f"partnership:{name}", args=args)


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _row(html: str, kind: str) -> dict[str, str]:
    """The cells of a milestone's row by test id, and its status."""
    row = re.search(rf'<tr data-kind="{kind}" data-status="(\w+)">(.*?)</tr>', html, re.S)
    cells = dict(re.findall(r'data-testid="(planned|forecast|variance)">(.*?)</td>', row.group(2)))
    actual = re.search(r'data-testid="actual">(.*?)</td>', row.group(2), re.S).group(1)
    return {**cells, "actual": re.sub(r"<[^>]+>", "", actual).strip(), "status": row.group(1)}


def test_the_plan_as_a_reader_sees_it(partners, client):
    p = partners
    set_targets(p)
    execute(p)
    kickoff.milestone_set(
        actor=p.crux_contracts, work_order=p.work_order, kind="database_lock", forecast_on=D(2026, 11, 20)
    )
    kickoff.milestone_set(
        actor=p.crux_contracts,
        work_order=p.work_order,
        kind="first_participant_in",
        actual_on_recorded=D(2026, 3, 9),
        note="Consent signed on the 9th",
    )
    kickoff.communication_item_add(actor=p.crux_contracts, work_order=p.work_order, **ITEM)
    client.force_login(p.acme_viewer)
    html = _html(client.get(_url("kickoff", p.work_order.pk), {"as_of": "2026-11-01"}))
    assert 'data-as-of="2026-11-01"' in html
    # A1 and B1's green light 2026-01-01 against 2025-12-15: +17
    assert _row(html, "first_site_activated") == {
        "planned": "2025-12-15",
        "forecast": "\u2013",
        "actual": "2026-01-01 from the data",
        "variance": "+17",
        "status": "done_late",
    }
    # recorded 03-09 over the data's 03-10, against 03-15: -6
    assert _row(html, "first_participant_in")["actual"] == "2026-03-09 recorded (the data say 2026-03-10)"
    assert _row(html, "first_participant_in")["variance"] == "-6"
    # target 10-31 passed on 11-01, forecast 11-20: 20 days late, overdue
    assert _row(html, "database_lock") == {
        "planned": "2026-10-31",
        "forecast": "2026-11-20",
        "actual": "\u2013",
        "variance": "+20",
        "status": "overdue",
    }
    assert _row(html, "topline_results")["variance"] == "0"  # target 11-20 not passed, no forecast
    assert html.count('data-kind="planned"') == 7 and html.count('data-kind="actual"') == 2  # FSA and FPI done
    assert html.count('data-kind="forecast"') == 1  # the database lock's
    assert "Consent signed on the 9th" in html and "Monthly status report" in html
    assert 'data-testid="milestone-form-' not in html and 'data-testid="item-form"' not in html  # a reader
    assert 'data-testid="item-edit"' not in html
    wrong = _html(client.get(_url("kickoff", p.work_order.pk), {"as_of": "soon"}))
    assert "Enter a valid date." in wrong


def test_the_plan_is_the_parties_only(partners, world, client):
    p = partners
    url = _url("kickoff", p.work_order.pk)
    client.force_login(p.borealis_exec)
    assert client.get(url).status_code == 404
    client.force_login(p.delta_contracts)
    assert client.post(_url("communication_new", p.work_order.pk), ITEM).status_code == 404
    assert client.post(_url("kickoff_milestone", p.work_order.pk, "database_lock"), {}).status_code == 404
    client.force_login(world.admin)  # works for no organisation
    assert client.get(url).status_code == 404
    client.force_login(p.crux_viewer)
    assert client.post(_url("communication_new", p.work_order.pk), ITEM).status_code == 403
    response = client.post(_url("kickoff_milestone", p.work_order.pk, "database_lock"), {"planned_on": "2026-10-31"})
    assert response.status_code == 403
    client.force_login(p.crux_contracts)
    assert client.post(_url("kickoff_milestone", p.work_order.pk, "go_live"), {}).status_code == 404
    assert not CommunicationItem.objects.exists() and not ContractMilestone.objects.exists()


def test_targets_on_the_unsigned_draft(partners, client):
    p = partners
    client.force_login(p.crux_contracts)
    html = _html(client.get(_url("kickoff", p.work_order.pk)))
    assert 'data-testid="milestone-form-database_lock"' in html and 'data-testid="ms-database_lock-planned-on"' in html
    assert 'data-testid="ms-database_lock-forecast-on"' not in html  # no forecast on a draft
    url = _url("kickoff_milestone", p.work_order.pk, "database_lock")
    response = client.post(url, {"planned_on": "2026-10-31", "note": "Hard deadline"})
    assert response.status_code == 302 and response["Location"] == _url("kickoff", p.work_order.pk)
    made = ContractMilestone.objects.get()
    assert (made.kind, made.planned_on, made.note) == ("database_lock", D(2026, 10, 31), "Hard deadline")
    refused = _html(client.post(url, {"planned_on": "31/10/2026", "note": ""}))
    assert "Enter a valid date." in refused
    signing.contract_sign(actor=p.acme_exec, record=p.work_order, password=PASSWORD)
    refused = _html(client.post(url, {"planned_on": "2026-11-30", "note": "Hard deadline"}))
    assert "A signed work order changes only through a change order." in refused
    assert 'data-testid="plan-signed"' in refused
    assert ContractMilestone.objects.get().planned_on == D(2026, 10, 31)


def test_forecasts_once_executed(partners, client):
    p = partners
    set_targets(p)
    execute(p)
    client.force_login(p.acme_contracts)
    html = _html(client.get(_url("kickoff", p.work_order.pk)))
    assert (
        'data-testid="ms-topline_results-forecast-on"' in html
        and 'data-testid="ms-topline_results-planned-on"' not in html
    )
    url = _url("kickoff_milestone", p.work_order.pk, "topline_results")
    form = {"forecast_on": "2026-12-01", "actual_on_recorded": "", "note": "", "reason": ""}
    assert client.post(url, form).status_code == 302
    refused = _html(client.post(url, {**form, "forecast_on": "2026-12-08"}))  # a change: the reason is missing
    assert "Give a reason of at least 10 characters." in refused
    assert re.search(r"<details open><summary>Change Topline results</summary>", refused)
    assert client.post(url, {**form, "forecast_on": "2026-12-08", "reason": REASON}).status_code == 302
    row = ContractMilestone.objects.get(kind="topline_results")
    assert (row.planned_on, row.forecast_on) == (D(2026, 11, 20), D(2026, 12, 8))


def test_the_communication_plan_on_the_page(partners, client):
    p = partners
    client.force_login(p.acme_contracts)
    html = _html(client.get(_url("kickoff", p.work_order.pk)))
    assert 'data-testid="item-form"' in html and 'data-testid="step-form"' in html
    response = client.post(_url("communication_new", p.work_order.pk), ITEM)
    assert response.status_code == 302
    item = CommunicationItem.objects.get()
    assert (item.what, item.frequency, item.owner) == ("Monthly status report", "monthly", "cro")
    refused = _html(client.post(_url("communication_new", p.work_order.pk), {**ITEM, "what": ""}))
    assert "This field is required." in refused and CommunicationItem.objects.count() == 1
    edit = _url("communication_edit", p.work_order.pk, item.pk)
    assert 'value="Monthly status report"' in _html(client.get(edit))
    response = client.post(edit, {**ITEM, "frequency": "quarterly", "reason": ""})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.frequency == "quarterly"
    remove = _url("communication_remove", p.work_order.pk, item.pk)
    refused = _html(client.post(remove, {"reason": "no"}))
    assert "Give a reason of at least 10 characters." in refused and CommunicationItem.objects.exists()
    assert client.post(remove, {"reason": "Replaced by the steering committee."}).status_code == 302
    assert not CommunicationItem.objects.exists()
    client.force_login(p.acme_viewer)
    assert client.get(edit).status_code == 404  # removed


def test_the_escalation_path_on_the_page(partners, client):
    p = partners
    client.force_login(p.crux_contracts)
    assert client.post(_url("escalation_new", p.work_order.pk), STEP).status_code == 302
    refused = _html(client.post(_url("escalation_new", p.work_order.pk), STEP))
    assert "Level 1 of the escalation path is set already." in refused
    refused = _html(client.post(_url("escalation_new", p.work_order.pk), {**STEP, "level": "2", "response_days": "61"}))
    assert "Ensure this value is less than or equal to 60." in refused
    step = EscalationStep.objects.get()
    edit = _url("escalation_edit", p.work_order.pk, step.pk)
    assert client.post(edit, {**STEP, "response_days": "3", "reason": "Agreed at kick-off."}).status_code == 302
    step.refresh_from_db()
    assert step.response_days == 3
    html = _html(client.get(_url("kickoff", p.work_order.pk)))
    assert re.search(rf'<tr data-step="{step.pk}" data-level="1">', html)
    client.force_login(p.crux_viewer)
    assert client.get(edit).status_code == 403
    assert client.post(_url("escalation_remove", p.work_order.pk, step.pk), {"reason": REASON}).status_code == 403
    client.force_login(p.crux_contracts)
    assert client.post(_url("escalation_remove", p.work_order.pk, step.pk), {"reason": REASON}).status_code == 302
    assert not EscalationStep.objects.exists()


def test_the_work_order_page_sums_the_plan_up(partners, client):
    p = partners
    set_targets(p)
    kickoff.communication_item_add(actor=p.crux_contracts, work_order=p.work_order, **ITEM)
    client.force_login(p.acme_viewer)
    html = _html(client.get(_url("work_order", p.work_order.pk)))
    assert 'data-testid="kickoff-summary"' in html and _url("kickoff", p.work_order.pk) in html
    assert re.search(r'data-testid="kickoff-planned">7 / 7</td>', html)
    # the data date the first site (2026-01-01) and the first participant (2026-03-10); the rest are open
    assert re.search(r'data-testid="kickoff-done">2</td>', html)
    assert re.search(r'data-testid="kickoff-communication">1 item</td>', html)
