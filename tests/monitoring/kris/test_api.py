"""KRI API as a client uses it: measures, definitions (add, edit, retire, defaults), snapshots and their results,
flags with newly flagged and flagged since, a KRI's history; 422 under the fields; scope and permissions."""

import pytest

from opencro.accounts.permissions import RoleCode
from opencro.monitoring.kris.measures import CODES
from tests.monitoring.kris.conftest import CUT

pytestmark = pytest.mark.django_db
PM, MONITOR, AUDITOR, CRC = RoleCode.PROJECT_MANAGER, RoleCode.MONITOR, RoleCode.AUDITOR, RoleCode.STUDY_COORDINATOR
LATE = {
    "name": "Late page rate",
    "abbreviation": "LATE",
    "numerator": "data_pages_late",
    "denominator": "data_pages",
    "method": "identity",
    "kind": "binary",
    "thresholds": [-1, -0.5, 0.1, 0.5],
    "min_denominator": 1,
}


def _url(w, tail: str = "") -> str:
    return f"/api/v1/studies/{w.study.pk}/oversight/kris{tail}"


def _client(client, w, role):
    client.force_login(w.user(role))
    return client


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_definitions_defaults_add_edit_retire(client, world):
    c = _client(client, world, PM)
    assert [m["code"] for m in c.get(_url(world, "/measures")).json()] == list(CODES)
    created = _post(c, _url(world, "/defaults"))
    assert created.status_code == 200 and len(created.json()) == 12
    added = _post(c, _url(world), LATE)
    assert added.status_code == 201 and added.json()["code"] == "kri0013"
    refused = _post(c, _url(world), {**LATE, "method": "fisher"})
    assert refused.status_code == 422 and "thresholds" in refused.json()["errors"]
    unknown = _post(c, _url(world), {**LATE, "numerator": "heartbeats"})
    assert unknown.status_code == 422 and "numerator" in unknown.json()["errors"]
    patched = c.patch(
        _url(world, "/kri0013"), {"min_denominator": 5, "reason": "More pages needed."}, "application/json"
    )
    assert patched.status_code == 200 and patched.json()["min_denominator"] == 5
    assert patched.json()["thresholds"] == [-1, -0.5, 0.1, 0.5]  # kept
    no_reason = c.patch(_url(world, "/kri0013"), {"min_denominator": 6, "reason": ""}, "application/json")
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    retired = _post(c, _url(world, "/kri0013/retire"), {"reason": "Replaced."})
    assert retired.status_code == 200 and retired.json()["active"] is False
    assert c.get(_url(world, "/kri0013")).json()["active"] is False
    assert c.get(_url(world, "/kri9999")).status_code == 404
    assert len(c.get(_url(world)).json()) == 13


def test_snapshots_results_flags_and_history(client, kri_world):
    w = kri_world
    c = _client(client, w, PM)
    _post(c, _url(w), LATE)
    for cut in ("2026-03-15", "2026-03-25", "2026-06-01"):
        response = _post(c, _url(w, "/snapshots"), {"cut_on": cut})
        assert response.status_code == 201, response.content
    snapshots = c.get(_url(w, "/snapshots")).json()["items"]
    assert [s["cut_on"] for s in snapshots] == ["2026-06-01", "2026-03-25", "2026-03-15"]
    assert snapshots[0]["n_subjects"] == 5 and snapshots[0]["kri_codes"] == ["kri0001"]
    results = c.get(_url(w, f"/snapshots/{snapshots[0]['id']}/results")).json()["items"]
    assert [(r["group"], r["numerator"], r["denominator"], r["flag"]) for r in results] == [
        ("A1", 1, 5, 1),
        ("B1", 1, 1, 2),
    ]
    countries = c.get(_url(w, f"/snapshots/{snapshots[0]['id']}/results?level=country")).json()["items"]
    assert [r["group"] for r in countries] == ["JP", "US"]
    flags = c.get(_url(w, "/flags")).json()
    assert flags["snapshot"]["cut_on"] == "2026-06-01"
    rows = {r["group"]: r for r in flags["rows"]}
    assert (rows["A1"]["newly_flagged"], rows["A1"]["flagged_since"], rows["A1"]["flagged_cuts"]) == (
        True,
        "2026-06-01",
        1,
    )
    assert (rows["B1"]["newly_flagged"], rows["B1"]["flagged_since"], rows["B1"]["flagged_cuts"]) == (
        False,
        "2026-03-25",
        2,
    )
    history = c.get(_url(w, f"/kri0001/history?site_id={w.site_b.pk}")).json()
    assert [(h["group"], [p["flag"] for p in h["points"]]) for h in history] == [("B1", [None, 2, 2])]
    future = _post(c, _url(w, "/snapshots"), {"cut_on": "2099-01-01"})
    assert future.status_code == 422 and "cut_on" in future.json()["errors"]


def test_scope_and_permissions(client, kri_world):
    w = kri_world
    _post(_client(client, w, PM), _url(w, "/defaults"))
    snapshot = _post(_client(client, w, PM), _url(w, "/snapshots"), {"cut_on": str(CUT)}).json()
    monitor = _client(client, w, MONITOR)
    results = monitor.get(_url(w, f"/snapshots/{snapshot['id']}/results?kri_code=kri0001")).json()["items"]
    assert [r["group"] for r in results] == ["A1"]
    assert monitor.get(_url(w, f"/snapshots/{snapshot['id']}/results?level=country")).json()["count"] == 0
    assert {r["group"] for r in monitor.get(_url(w, "/flags")).json()["rows"]} == {"A1"}
    assert monitor.get(_url(w, f"/kri0001/history?site_id={w.site_b.pk}")).status_code == 404
    auditor = _client(client, w, AUDITOR)
    assert auditor.get(_url(w)).status_code == 200
    assert _post(auditor, _url(w), LATE).status_code == 403
    assert _post(auditor, _url(w, "/snapshots"), {}).status_code == 403
    assert _client(client, w, CRC).get(_url(w, "/flags")).status_code == 403
    client.force_login(w.outsider)
    assert client.get(_url(w)).status_code == 404
    assert client.get(_url(w, f"/snapshots/{snapshot['id']}/results")).status_code == 404
