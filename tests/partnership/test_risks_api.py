"""Register API: a work order's risks and the portfolio's, filtered; one risk with its history; raise, change, close,
realise; the signals with the study's oversight issues, and raising one once. 404 outside the organisation's
agreements, 403 without project.manage, 422 naming the field."""

import datetime as dt

import pytest

from opencro.partnership.models import ProjectRisk
from tests.partnership.risk_helpers import TODAY, borealis_risk, make_overdue, oversight, raise_risk

pytestmark = pytest.mark.django_db

A = "/api/v1/partners"
DUE = (TODAY + dt.timedelta(days=20)).isoformat()
NEW = {
    "title": "Monitor turnover at the CRO",
    "category": "vendor",
    "likelihood": 3,
    "impact": 4,
    "due_on": DUE,
    "mitigation": "Co-monitoring visits for the hand-over.",
}
REASON = "The CRAs' notice periods are known now."


def _fields(response) -> list[str]:
    """The input fields a 422 names: the services' `errors`, or the schema's `detail` locations."""
    assert response.status_code == 422, response.content
    body = response.json()
    if "errors" in body:
        return sorted(body["errors"])
    return sorted(str(error["loc"][-1]) for error in body["detail"])


def _risks(p) -> str:
    return f"{A}/work-orders/{p.work_order.pk}/risks"


def test_the_register_and_the_portfolio_filtered(partners, world, client):
    p = partners
    raise_risk(p)
    make_overdue(raise_risk(p, likelihood=5, impact=4, title="Database lock slips", owner=p.acme_viewer))
    borealis_risk(p, world)
    client.force_login(p.acme_viewer)
    listed = client.get(_risks(p)).json()
    assert [(r["number"], r["score"], r["level"], r["overdue"]) for r in listed] == [
        ("RSK-002", 20, "high", True),
        ("RSK-001", 12, "medium", False),
    ]
    first = listed[1]
    assert (first["work_order"], first["study"], first["owner"], first["owner_party"]) == (
        "MSA-0001/WO-001",
        "T-001",
        p.crux_lead.printed_name,
        "cro",
    )
    assert [r["number"] for r in client.get(_risks(p), {"level": "medium"}).json()] == ["RSK-001"]
    assert [r["number"] for r in client.get(_risks(p), {"overdue": "true"}).json()] == ["RSK-002"]
    assert [r["number"] for r in client.get(_risks(p), {"owner_id": p.acme_viewer.pk}).json()] == ["RSK-002"]
    assert client.get(_risks(p), {"status": "active"}).json() == listed
    assert _fields(client.get(_risks(p), {"level": "severe"})) == ["level"]
    portfolio = client.get(f"{A}/risks").json()
    assert [r["title"] for r in portfolio] == ["Database lock slips", "Slow recruitment in Japan"]
    client.force_login(p.delta_viewer)
    assert [r["title"] for r in client.get(f"{A}/risks").json()] == ["Borealis secret"]
    assert client.get(_risks(p)).status_code == 404


def test_raise_change_realise_and_close(partners, client):
    p = partners
    client.force_login(p.acme_lead)
    created = client.post(_risks(p), {**NEW, "owner_id": p.crux_lead.pk}, content_type="application/json")
    assert created.status_code == 201, created.content
    risk = created.json()
    assert (risk["number"], risk["owner_party"], risk["status"], risk["level"]) == ("RSK-001", "cro", "open", "medium")
    assert [step["action"] for step in risk["history"]] == ["Create"]
    one = f"{_risks(p)}/{risk['id']}"
    refused = client.post(_risks(p), {**NEW, "owner_id": p.delta_lead.pk}, content_type="application/json")
    assert _fields(refused) == ["owner_id"]
    patched = client.patch(
        one, {"status": "mitigating", "impact": 5, "reason": REASON}, content_type="application/json"
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["status"], patched.json()["score"], patched.json()["level"]) == ("mitigating", 15, "high")
    assert patched.json()["history"][-1]["reason"] == REASON
    assert ["impact", "4", "5"] in patched.json()["history"][-1]["changes"]
    refused = client.patch(one, {"impact": 2, "reason": "short"}, content_type="application/json")
    assert _fields(refused) == ["reason"]
    refused = client.patch(one, {"status": "closed", "reason": REASON}, content_type="application/json")
    assert _fields(refused) == ["status"]
    realised = client.post(f"{one}/realise", {"note": "Both CRAs left early."}, content_type="application/json")
    assert realised.status_code == 200 and realised.json()["status"] == "realised"
    assert realised.json()["realised_on"] == TODAY.isoformat()
    closed = client.post(
        f"{one}/close", {"closing_note": "Replacements are in place."}, content_type="application/json"
    )
    assert closed.status_code == 200 and closed.json()["closed_on"] == TODAY.isoformat()
    again = client.post(f"{one}/close", {"closing_note": "Replacements are in place."}, content_type="application/json")
    assert _fields(again) == ["status"]
    assert client.get(one).json()["status"] == "closed"


def test_signals_listed_and_raised_once(partners, world, client):
    p = partners
    signals = oversight(world)
    client.force_login(p.crux_lead)
    listed = client.get(f"{A}/work-orders/{p.work_order.pk}/risk-signals").json()
    assert listed["oversight"] is True
    by_key = {s["key"]: s for s in listed["signals"]}
    assert by_key[signals.kri_a_key]["oversight_issue"] == "ISS-0001" and by_key[signals.kri_a_key]["risk_id"] is None
    assert [(i["number"], i["overdue"]) for i in listed["issues"]] == [("ISS-0001", True), ("ISS-0002", False)]
    url = f"{_risks(p)}/from-signal"
    created = client.post(url, {"source_key": signals.deviations_key, "impact": 5}, content_type="application/json")
    assert created.status_code == 201, created.content
    assert (created.json()["source"], created.json()["likelihood"], created.json()["impact"]) == ("deviation", 3, 5)
    twice = client.post(url, {"source_key": signals.deviations_key}, content_type="application/json")
    assert _fields(twice) == ["source_key"]
    listed = client.get(f"{A}/work-orders/{p.work_order.pk}/risk-signals").json()
    held = {s["key"]: s["risk_number"] for s in listed["signals"] if s["risk_id"]}
    assert held == {signals.deviations_key: "RSK-001"}
    outsider = client.post(
        url, {"source_key": signals.kri_a_key, "owner_id": p.borealis_lead.pk}, content_type="application/json"
    )
    assert _fields(outsider) == ["owner_id"]
    assert ProjectRisk.objects.count() == 1


def test_who_may_use_the_register(partners, world, client):
    p = partners
    risk = raise_risk(p)
    one = f"{_risks(p)}/{risk.pk}"
    client.force_login(p.crux_contracts)
    assert client.get(one).status_code == 200
    assert (
        client.post(_risks(p), {**NEW, "owner_id": p.crux_lead.pk}, content_type="application/json").status_code == 403
    )
    assert client.patch(one, {"impact": 1, "reason": REASON}, content_type="application/json").status_code == 403
    assert client.post(f"{one}/close", {"closing_note": REASON}, content_type="application/json").status_code == 403
    client.force_login(p.borealis_lead)
    assert client.get(one).status_code == 404
    assert client.get(f"{A}/work-orders/{p.work_order.pk}/risk-signals").status_code == 404
    assert client.post(f"{one}/realise", {"note": REASON}, content_type="application/json").status_code == 404
    client.force_login(world.admin)  # a system administrator works for no organisation
    assert client.get(f"{A}/risks").status_code == 404
    assert ProjectRisk.objects.get(pk=risk.pk).status == "open"
