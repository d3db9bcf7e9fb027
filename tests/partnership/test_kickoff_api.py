"""Kick-off plan API as a client uses it: the plan with the actual dates the trial's data give, milestones set by kind,
communication items and escalation steps; 422 naming the field, 404 outside the parties, 403 without
`contract.edit`."""

import datetime as dt

import pytest

from opencro.partnership.models import CommunicationItem, ContractMilestone, EscalationStep
from tests.partnership.budget_helpers import execute
from tests.partnership.kickoff_helpers import set_targets

pytestmark = pytest.mark.django_db

API = "/api/v1/partners"
REASON = "Agreed at the steering committee."
ITEM = {"what": "Steering committee", "frequency": "quarterly", "owner": "sponsor", "participants": "Both heads"}
STEP = {
    "level": 1,
    "trigger": "An issue open beyond 5 working days",
    "sponsor_contact": "Ann Lee, clinical operations lead",
    "cro_contact": "Bo Chen, project manager",
    "response_days": 2,
}


def _call(client, user, method: str, url: str, body: dict | None = None):
    client.force_login(user)
    send = getattr(client, method)
    if body is None:
        return send(API + url)
    return send(API + url, body, content_type="application/json")


def _ok(response, status: int = 200):
    assert response.status_code == status, response.content
    return response.json() if status != 204 else None


def _fields(response) -> list[str]:
    """The input fields a 422 names: the services' `errors`, or the schema's `detail` locations."""
    assert response.status_code == 422, response.content
    body = response.json()
    if "errors" in body:
        return sorted(body["errors"])
    return sorted(str(error["loc"][-1]) for error in body["detail"])


def test_the_plan(partners, client):
    p = partners
    set_targets(p)
    execute(p)
    url = f"/work-orders/{p.work_order.pk}/kickoff"
    _ok(_call(client, p.crux_contracts, "post", url + "/communication-items", ITEM), 201)
    _ok(_call(client, p.crux_contracts, "post", url + "/escalation-steps", STEP), 201)
    plan = _ok(_call(client, p.acme_viewer, "get", url + "?as_of=2026-07-15"))
    assert (plan["as_of"], plan["targets_editable"], plan["progress_open"], plan["plan_open"]) == (
        "2026-07-15",
        False,
        True,
        True,
    )
    by_kind = {m["kind"]: m for m in plan["milestones"]}
    assert list(by_kind) == [
        "first_site_activated",
        "first_participant_in",
        "last_participant_in",
        "last_participant_last_visit",
        "database_lock",
        "topline_results",
        "clinical_study_report",
    ]
    # A1-001 and B1-001 enrolled 2026-03-10 against 03-15: -5, from the data
    assert by_kind["first_participant_in"] == {
        "kind": "first_participant_in",
        "label": "First participant in",
        "planned_on": "2026-03-15",
        "forecast_on": None,
        "actual_on": "2026-03-10",
        "source": "data",
        "data_actual_on": "2026-03-10",
        "variance_days": -5,
        "status": "done_on_time",
        "status_label": "Done on time",
        "note": "",
    }
    # no enrolment target: not reached; 06-30 passed by 15 days on 07-15
    assert (by_kind["last_participant_in"]["variance_days"], by_kind["last_participant_in"]["status"]) == (
        15,
        "overdue",
    )
    assert [i["what"] for i in plan["communication"]] == ["Steering committee"]
    assert plan["communication"][0]["owner"] == "sponsor"
    assert [(s["level"], s["response_days"]) for s in plan["escalation"]] == [(1, 2)]
    assert _call(client, p.borealis_contracts, "get", url).status_code == 404
    assert _call(client, p.delta_exec, "get", url).status_code == 404


def test_targets_then_forecasts(partners, client):
    p = partners
    url = f"/work-orders/{p.work_order.pk}/kickoff/milestones/"
    made = _ok(_call(client, p.acme_contracts, "put", url + "database_lock", {"planned_on": "2026-10-31"}))
    assert (made["planned_on"], made["actual_on"], made["source"]) == ("2026-10-31", None, None)
    assert _fields(_call(client, p.acme_contracts, "put", url + "go_live", {"planned_on": "2026-10-31"})) == ["kind"]
    assert _fields(_call(client, p.acme_contracts, "put", url + "database_lock", {"forecast_on": "2026-11-05"})) == [
        "forecast_on"
    ]
    assert _fields(_call(client, p.acme_contracts, "put", url + "database_lock", {"planned_on": "31.10.2026"})) == [
        "planned_on"
    ]
    assert _call(client, p.acme_viewer, "put", url + "database_lock", {"planned_on": "2026-11-30"}).status_code == 403
    assert _call(client, p.borealis_contracts, "put", url + "database_lock", {}).status_code == 404
    execute(p)
    forecast = _ok(_call(client, p.crux_contracts, "put", url + "database_lock", {"forecast_on": "2026-11-05"}))
    assert (forecast["planned_on"], forecast["forecast_on"]) == ("2026-10-31", "2026-11-05")
    assert _fields(_call(client, p.crux_contracts, "put", url + "database_lock", {"forecast_on": "2026-11-12"})) == [
        "reason"
    ]
    changed = _call(
        client, p.crux_contracts, "put", url + "database_lock", {"forecast_on": "2026-11-12", "reason": REASON}
    )
    assert _ok(changed)["forecast_on"] == "2026-11-12"
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert _fields(_call(client, p.crux_contracts, "put", url + "database_lock", {"actual_on_recorded": tomorrow})) == [
        "actual_on_recorded"
    ]
    assert _fields(_call(client, p.crux_contracts, "put", url + "database_lock", {"planned_on": "2026-12-31"})) == [
        "planned_on"
    ]
    done = _ok(
        _call(
            client, p.crux_contracts, "put", url + "database_lock", {"actual_on_recorded": "2026-11-10", "note": "Lock"}
        )
    )
    # recorded 11-10 against the target 10-31: 10 days late
    assert (done["actual_on"], done["source"], done["variance_days"], done["status"], done["note"]) == (
        "2026-11-10",
        "recorded",
        10,
        "done_late",
        "Lock",
    )
    row = ContractMilestone.objects.get()
    assert (row.forecast_on, row.actual_on_recorded) == (dt.date(2026, 11, 12), dt.date(2026, 11, 10))


def test_communication_items(partners, client):
    p = partners
    url = f"/work-orders/{p.work_order.pk}/kickoff/communication-items"
    made = _ok(_call(client, p.acme_contracts, "post", url, ITEM), 201)
    assert (made["what"], made["frequency"], made["owner"], made["channel"]) == (
        "Steering committee",
        "quarterly",
        "sponsor",
        "",
    )
    assert _fields(_call(client, p.acme_contracts, "post", url, {**ITEM, "frequency": "daily"})) == ["frequency"]
    assert _fields(_call(client, p.acme_contracts, "post", url, {**ITEM, "owner": "shared"})) == ["owner"]
    assert _fields(_call(client, p.acme_contracts, "post", url, {**ITEM, "what": ""})) == ["what"]
    one = f"{url}/{made['id']}"
    patched = _ok(_call(client, p.crux_contracts, "patch", one, {"channel": "In person", "reason": REASON}))
    assert (patched["channel"], patched["what"]) == ("In person", "Steering committee")
    assert _call(client, p.crux_viewer, "patch", one, {"channel": "Phone"}).status_code == 403
    assert _fields(_call(client, p.crux_contracts, "delete", one + "?reason=no")) == ["reason"]
    assert (
        _call(client, p.crux_contracts, "delete", one + "?reason=Folded%20into%20the%20monthly%20report.").status_code
        == 204
    )
    assert not CommunicationItem.objects.exists()
    assert _call(client, p.crux_contracts, "patch", one, {"channel": "Phone"}).status_code == 404


def test_escalation_steps(partners, client):
    p = partners
    url = f"/work-orders/{p.work_order.pk}/kickoff/escalation-steps"
    made = _ok(_call(client, p.crux_contracts, "post", url, STEP), 201)
    assert (made["level"], made["trigger"], made["response_days"]) == (1, "An issue open beyond 5 working days", 2)
    assert _fields(_call(client, p.crux_contracts, "post", url, STEP)) == ["level"]  # level 1 is taken
    assert _fields(_call(client, p.crux_contracts, "post", url, {**STEP, "level": 6})) == ["level"]
    assert _fields(_call(client, p.crux_contracts, "post", url, {**STEP, "level": 2, "response_days": 61})) == [
        "response_days"
    ]
    second = _ok(_call(client, p.acme_contracts, "post", url, {**STEP, "level": 2, "response_days": 5}), 201)
    one = f"{url}/{second['id']}"
    assert _fields(_call(client, p.acme_contracts, "patch", one, {"level": 1})) == ["level"]
    moved = _ok(_call(client, p.acme_contracts, "patch", one, {"level": 3, "reason": REASON}))
    assert (moved["level"], moved["response_days"]) == (3, 5)
    assert _call(client, p.acme_contracts, "delete", one + "?reason=Not%20needed%20after%20all.").status_code == 204
    assert list(EscalationStep.objects.values_list("level", flat=True)) == [1]
