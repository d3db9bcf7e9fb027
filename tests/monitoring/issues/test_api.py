"""Issues and CAPA API as a client uses it: raise, list with filters, one, edit, each step; 422 with errors under
fields; scope and permissions."""

import datetime as dt

import pytest

from opencro.audit.services import audited_save
from opencro.monitoring.issues.dates import issue_today
from opencro.monitoring.models import MonitoringVisit
from tests.monitoring.issues.helpers import (
    AUDITOR,
    CHECK,
    CORRECTIVE,
    CRC,
    DM,
    MONITOR,
    PM,
    PREVENTIVE,
    ROOT_CAUSE,
    make_overdue,
    raise_issue,
)

pytestmark = pytest.mark.django_db


def _url(w, tail: str = "") -> str:
    return f"/api/v1/studies/{w.study.pk}/oversight/issues{tail}"


def _as(client, w, role):
    client.force_login(w.user(role))
    return client


def _items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _body(w, **values) -> dict:
    due = issue_today(w.study.pk, w.site_a) + dt.timedelta(days=14)
    return {
        "site_id": w.site_a.pk,
        "title": "Query rate flagged at A1",
        "description": "Queries per data point twice the study's.",
        "source": "kri",
        "source_detail": "kri0003 Query rate",
        "source_key": "kri0003:A1",
        "due_on": due.isoformat(),
        **values,
    }


def test_raise_and_work_an_issue_to_closure(world, client):
    api = _as(client, world, MONITOR)
    raised = _post(api, _url(world), _body(world))
    assert raised.status_code == 201, raised.content
    body = raised.json()
    assert (body["number"], body["status"], body["site_number"], body["owner"], body["overdue"]) == (
        "ISS-0001",
        "open",
        "A1",
        world.user(MONITOR).printed_name,
        False,
    )
    assert body["raised_on"] == issue_today(world.study.pk, world.site_a).isoformat() and body["visit_ids"] == []
    one = _url(world, f"/{body['id']}")
    plan = {"root_cause": ROOT_CAUSE, "corrective_action": CORRECTIVE, "preventive_action": PREVENTIVE}
    assert _post(api, one + "/plan", plan).json()["status"] == "planned"
    assert _post(api, one + "/implement", {}).json()["status"] == "checking"
    not_yet = _post(api, one + "/check", {"effectiveness_check": "Still two late AE pages in May.", "effective": False})
    assert (not_yet.json()["status"], not_yet.json()["effective"]) == ("planned", False)
    assert _post(api, one + "/implement", {}).json()["status"] == "checking"
    done = _post(api, one + "/check", {"effectiveness_check": CHECK, "effective": True}).json()
    assert (done["status"], done["effective"], done["closed_on"]) == (
        "closed",
        True,
        issue_today(world.study.pk, world.site_a).isoformat(),
    )
    reopened = _post(api, one + "/reopen", {"reason": "The problem came back in October."})
    assert reopened.json()["status"] == "planned"


def test_refusals_answer_422_under_their_fields(world, client):
    api = _as(client, world, PM)
    first = _post(api, _url(world), _body(world))
    assert first.status_code == 201
    again = _post(api, _url(world), _body(world))
    assert again.status_code == 422
    assert again.json()["errors"] == {"source_key": ["Issue ISS-0001 is already open for this signal."]}
    past = _post(api, _url(world), _body(world, source_key="", due_on="2020-01-01"))
    assert past.status_code == 422 and list(past.json()["errors"]) == ["due_on"]
    owner = _post(api, _url(world), _body(world, source_key="", owner_id=world.user(CRC).pk))
    assert owner.status_code == 422 and list(owner.json()["errors"]) == ["owner"]
    unknown = _post(api, _url(world), _body(world, source_key="", owner_id=987654))
    assert unknown.status_code == 422 and list(unknown.json()["errors"]) == ["owner"]
    issue_id = first.json()["id"]
    short = _post(
        api, _url(world, f"/{issue_id}/plan"), {"root_cause": "x", "corrective_action": "y", "preventive_action": "z"}
    )
    assert short.status_code == 422
    assert set(short.json()["errors"]) == {"root_cause", "corrective_action", "preventive_action"}
    wrong_step = _post(api, _url(world, f"/{issue_id}/check"), {"effectiveness_check": CHECK, "effective": True})
    assert wrong_step.status_code == 422 and list(wrong_step.json()["errors"]) == ["status"]


def test_list_filters_and_one(world, client):
    late = make_overdue(raise_issue(world, title="Late pages"))
    other = raise_issue(world, site="b", source="qtl", owner=DM)
    api = _as(client, world, PM)
    assert [i["number"] for i in _items(api.get(_url(world)))] == [other.number, late.number]
    assert [i["number"] for i in _items(api.get(_url(world), {"overdue": "true"}))] == [late.number]
    assert [i["number"] for i in _items(api.get(_url(world), {"source": "qtl"}))] == [other.number]
    assert [i["number"] for i in _items(api.get(_url(world), {"owner_id": world.user(DM).pk}))] == [other.number]
    assert [i["number"] for i in _items(api.get(_url(world), {"site_id": world.site_a.pk, "q": "late"}))] == [
        late.number
    ]
    assert api.get(_url(world), {"status": "bogus"}).status_code == 422
    one = api.get(_url(world, f"/{late.pk}")).json()
    assert (one["number"], one["overdue"]) == (late.number, True)


def test_edit_keeps_what_is_left_out(world, client):
    issue = raise_issue(world)
    api = _as(client, world, PM)
    patched = client.patch(
        _url(world, f"/{issue.pk}"),
        {"title": "AE under-reporting", "owner_id": world.user(MONITOR).pk, "reason": "Handed over to the CRA."},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert (body["title"], body["description"], body["owner_id"], body["due_on"]) == (
        "AE under-reporting",
        issue.description,
        world.user(MONITOR).pk,
        issue.due_on.isoformat(),
    )
    no_reason = api.patch(_url(world, f"/{issue.pk}"), {"title": "x"}, content_type="application/json")
    assert no_reason.status_code == 422


def test_cancel(world, client):
    issue = raise_issue(world)
    api = _as(client, world, PM)
    assert _post(api, _url(world, f"/{issue.pk}/cancel"), {"reason": "short"}).status_code == 422
    assert _post(api, _url(world, f"/{issue.pk}/cancel"), {"reason": "Raised twice."}).json()["status"] == "cancelled"


def test_scope_and_permissions(world, client):
    at_b = raise_issue(world, site="b")
    at_a = raise_issue(world)
    monitor = _as(client, world, MONITOR)
    assert [i["number"] for i in _items(monitor.get(_url(world)))] == [at_a.number]
    assert monitor.get(_url(world, f"/{at_b.pk}")).status_code == 404
    assert monitor.get(_url(world), {"site_id": world.site_b.pk}).status_code == 404
    assert _post(monitor, _url(world, f"/{at_b.pk}/cancel"), {"reason": "Not mine to cancel."}).status_code == 404
    assert _post(monitor, _url(world), _body(world, site_id=world.site_b.pk)).status_code == 404
    assert _post(monitor, _url(world), _body(world, site_id=None)).status_code == 403  # study-wide: every site
    auditor = _as(client, world, AUDITOR)
    assert auditor.get(_url(world, f"/{at_a.pk}")).status_code == 200
    assert _post(auditor, _url(world, f"/{at_a.pk}/cancel"), {"reason": "The auditor may not."}).status_code == 403
    assert _post(auditor, _url(world), _body(world)).status_code == 403
    assert _as(client, world, CRC).get(_url(world)).status_code == 403
    client.force_login(world.outsider)
    assert client.get(_url(world, f"/{at_a.pk}")).status_code == 404


def test_visit_ids_list_the_linked_visits_at_the_readers_sites(world, client):
    issue = raise_issue(world, site="")
    ids = []
    for site, number in ((world.site_a, "MV-0001"), (world.site_b, "MV-0002")):
        visit = MonitoringVisit(
            study=world.study,
            site=site,
            number=number,
            visit_type="remote",
            monitor=world.user(MONITOR),
            planned_on=dt.date(2026, 7, 1),
            issue=issue,
        )
        ids.append(audited_save(visit, actor=None).pk)
    api = _as(client, world, PM)
    assert api.get(_url(world, f"/{issue.pk}")).json()["visit_ids"] == ids
    assert _items(api.get(_url(world)))[0]["visit_ids"] == ids
