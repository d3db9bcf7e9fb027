"""Regulatory API: submissions (list, filters, plan, change, steps, clocks, questions, commitments, content), the
calendar, committees, site versions and the library; refusals answer 422, scope 404 and permissions 403."""

import datetime as dt

import pytest

from opencro.accounts.permissions import RoleCode
from opencro.regulatory.models import EthicsCommittee, Submission
from opencro.regulatory.services import submissions as svc
from tests.regulatory.conftest import RA, application_type, document_version

pytestmark = pytest.mark.django_db
MONITOR, AUDITOR, CODER = RoleCode.MONITOR, RoleCode.AUDITOR, RoleCode.MEDICAL_CODER


def _base(w) -> str:
    return f"/api/v1/studies/{w.study.pk}/regulatory"


def _post(client, url: str, body: dict, method: str = "post"):
    return getattr(client, method)(url, body, content_type="application/json")


def test_the_list_filters_and_counts_open_questions(world, reg, login):
    ind = reg.to_authority()
    reg.step(ind, "submit", reg.days_ago(20))
    svc.question_add(actor=reg.actor, submission=ind, received_on=reg.days_ago(5), text="Dose?")
    reg.to_authority("PMDA", "CTN", country=world.site_b.country)
    reg.to_committee(reg.committee("Alpha IRB"))
    client = login(world.user(AUDITOR))
    every = client.get(f"{_base(world)}/submissions").json()["items"]
    assert [(s["number"], s["open_questions"]) for s in every] == [
        ("RA-0002", 0),
        ("RA-0001", 1),
        ("EC-0001", 0),
    ]  # none planned: newest number first
    submitted = client.get(f"{_base(world)}/submissions?status=submitted").json()["items"]
    assert [s["number"] for s in submitted] == ["RA-0001"]
    ethics = client.get(f"{_base(world)}/submissions?ethics=true").json()["items"]
    assert [(s["number"], s["committee"], s["ethics_kind"]) for s in ethics] == [("EC-0001", "Alpha IRB", "initial")]
    japan = client.get(f"{_base(world)}/submissions?country_id={world.site_b.country_id}").json()["items"]
    assert [(s["number"], s["authority"], s["application_type"]) for s in japan] == [("RA-0002", "PMDA", "CTN")]


def test_plan_change_and_step_a_submission(world, reg, login):
    version = reg.version()
    client = login(world.user(RA))
    created = _post(
        client,
        f"{_base(world)}/submissions",
        {
            "application_type_id": application_type("FDA", "IND").pk,
            "country_id": world.site_a.country_id,
            "protocol_version_id": version.pk,
            "title": "Initial IND",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["number"], body["status"], body["authority"], body["protocol_version"]) == (
        "RA-0001",
        "planned",
        "FDA",
        "1.0",
    )
    one = f"{_base(world)}/submissions/{body['id']}"
    patched = _post(client, one, {"reference": "IND 123456", "reason": "FDA assigned the number"}, "patch")
    assert patched.status_code == 200 and patched.json()["reference"] == "IND 123456"
    assert patched.json()["title"] == "Initial IND"  # left out: kept
    day = reg.days_ago(10)
    stepped = _post(client, f"{one}/steps/submit", {"on": day.isoformat()})
    assert stepped.status_code == 200 and stepped.json()["status"] == "submitted"
    # 21 CFR 312.40(b)(1): in effect 30 days after FDA receives the IND
    assert [(c["ends"], c["state"], c["effect"]) for c in stepped.json()["clocks"]] == [
        ((day + dt.timedelta(days=30)).isoformat(), "running", "may_proceed")
    ]
    clocks = client.get(f"{one}/clocks").json()
    assert clocks[0]["reference"].startswith("21 CFR 312.40(b)(1)")


def test_refusals_answer_422(world, reg, login):
    ind = reg.to_authority()
    client = login(world.user(RA))
    one = f"{_base(world)}/submissions/{ind.pk}"
    future = _post(client, f"{one}/steps/submit", {"on": reg.days_ago(-3).isoformat()})
    assert future.status_code == 422 and "future" in future.content.decode()
    assert _post(client, f"{one}/steps/approve", {"on": reg.days_ago(1).isoformat()}).status_code == 422
    assert _post(client, f"{one}/steps/launch", {"on": reg.days_ago(1).isoformat()}).status_code == 422
    assert _post(client, one, {"title": "x"}, "patch").status_code == 422  # no reason
    neither = _post(client, f"{_base(world)}/submissions", {"country_id": world.site_a.country_id, "title": "None"})
    assert neither.status_code == 422
    irb = reg.committee("Alpha IRB")
    no_kind = _post(
        client,
        f"{_base(world)}/submissions",
        {"committee_id": irb.pk, "country_id": world.site_a.country_id, "title": "Initial review"},
    )
    assert no_kind.status_code == 422 and "ethics_kind" in no_kind.content.decode()
    assert Submission.objects.filter(study=world.study).count() == 1
    ind.refresh_from_db()
    assert ind.status == "planned"


def test_questions_commitments_and_content(world, reg, login):
    ind = reg.to_authority()
    reg.step(ind, "submit", reg.days_ago(20))
    approved = document_version(world, "DOC-0001", "approved")
    draft = document_version(world, "DOC-0002", "draft")
    client = login(world.user(RA))
    one = f"{_base(world)}/submissions/{ind.pk}"
    question = _post(client, f"{one}/questions", {"received_on": reg.days_ago(5).isoformat(), "text": "Dose?"})
    assert question.status_code == 201 and question.json()["number"] == 1
    answer = _post(
        client,
        f"{one}/questions/{question.json()['id']}/answer",
        {"answered_on": reg.days_ago(1).isoformat(), "answer": "See the summary."},
    )
    assert answer.status_code == 200 and answer.json()["answered_on"] == reg.days_ago(1).isoformat()
    blank = _post(
        client,
        f"{one}/questions/{question.json()['id']}/answer",
        {"answered_on": reg.days_ago(1).isoformat(), "answer": " "},
    )
    assert blank.status_code == 422
    commitment = _post(client, f"{one}/commitments", {"description": "Toxicology report", "due_on": "2027-01-31"})
    assert commitment.status_code == 201
    fulfilled = _post(
        client,
        f"{one}/commitments/{commitment.json()['id']}/fulfil",
        {"fulfilled_on": reg.days_ago(1).isoformat(), "note": "Sent."},
    )
    assert fulfilled.status_code == 200 and fulfilled.json()["note"] == "Sent."
    content = _post(client, f"{one}/documents", {"version_ids": [approved.pk]})
    assert content.status_code == 200
    assert [(d["document_number"], d["version"]) for d in content.json()["documents"]] == [("DOC-0001", "1.0")]
    assert _post(client, f"{one}/documents", {"version_ids": [draft.pk]}).status_code == 422
    assert _post(client, f"{one}/documents", {"version_ids": [2**40]}).status_code == 404
    detail = client.get(one).json()
    assert [q["answer"] for q in detail["questions"]] == ["See the summary."]
    assert [c["fulfilled_on"] for c in detail["commitments"]] == [reg.days_ago(1).isoformat()]


def test_calendar_committees_site_versions_and_library(world, reg, login):
    v1 = reg.version("1.0")
    ind = reg.to_authority(protocol_version=v1, planned_on=reg.days_ago(-10))
    svc.commitment_add(actor=reg.actor, submission=ind, description="Overdue report", due_on=reg.days_ago(5))
    client = login(world.user(RA))
    calendar = client.get(f"{_base(world)}/calendar").json()
    assert [(i["kind"], i["overdue"]) for i in calendar] == [("commitment", True), ("planned", False)]
    assert client.get(f"{_base(world)}/calendar?days=0").status_code == 422
    created = _post(
        client,
        f"{_base(world)}/committees",
        {"name": "Alpha IRB", "scope": "local", "country_id": world.site_a.country_id, "site_ids": [world.site_a.pk]},
    )
    assert created.status_code == 201 and created.json()["site_ids"] == [world.site_a.pk]
    committee_id = created.json()["id"]
    mixed = _post(
        client,
        f"{_base(world)}/committees",
        {"name": "Mixed", "scope": "local", "country_id": world.site_a.country_id, "site_ids": [world.site_b.pk]},
    )
    assert mixed.status_code == 422
    patched = _post(
        client,
        f"{_base(world)}/committees/{committee_id}",
        {"continuing_review_months": 12, "reason": "The IRB's interval"},
        "patch",
    )
    assert patched.status_code == 200 and patched.json()["continuing_review_months"] == 12
    assert [c["name"] for c in client.get(f"{_base(world)}/committees").json()] == ["Alpha IRB"]
    review = reg.to_committee(EthicsCommittee.objects.get(pk=committee_id), protocol_version=v1)
    reg.step(ind, "submit", reg.days_ago(40))
    reg.step(ind, "approve", reg.days_ago(30))
    reg.step(review, "submit", reg.days_ago(25))
    reg.step(review, "approve", reg.days_ago(20))
    rows = client.get(f"{_base(world)}/site-versions").json()
    by_site = {r["site_number"]: r for r in rows}
    assert by_site["A1"]["usable_from"] == reg.days_ago(20).isoformat() and by_site["A1"]["usable_today"] is True
    assert by_site["B1"]["missing"] == ["authority approval", "ethics approval"]
    one_site = client.get(f"{_base(world)}/site-versions?site_id={world.site_a.pk}").json()
    assert [r["site_number"] for r in one_site] == ["A1"]
    library = client.get(f"{_base(world)}/library").json()
    fda = next(a for a in library if a["code"] == "FDA")
    ind_type = next(t for t in fda["application_types"] if t["code"] == "IND")
    assert ind_type["clocks"][0]["days"] == 30 and "312.40" in ind_type["clocks"][0]["reference"]


def test_scope_and_permissions(world, reg, login):
    us = reg.to_authority()
    jp = reg.to_authority("PMDA", "CTN", country=world.site_b.country)
    jp_committee = reg.committee("Beta EC", country=world.site_b.country)
    monitor = login(world.user(MONITOR))  # site A1, United States
    assert [s["number"] for s in monitor.get(f"{_base(world)}/submissions").json()["items"]] == [us.number]
    assert monitor.get(f"{_base(world)}/submissions/{us.pk}").status_code == 200
    assert monitor.get(f"{_base(world)}/submissions/{jp.pk}").status_code == 404
    assert monitor.get(f"{_base(world)}/submissions/{jp.pk}/clocks").status_code == 404
    assert monitor.get(f"{_base(world)}/committees/{jp_committee.pk}").status_code == 404
    assert monitor.get(f"{_base(world)}/committees").json() == []
    assert monitor.get(f"{_base(world)}/site-versions?site_id={world.site_b.pk}").status_code == 404
    assert _post(monitor, f"{_base(world)}/submissions/{us.pk}/steps/submit", {"on": "2026-11-01"}).status_code == 403
    coder = login(world.user(CODER))
    assert coder.get(f"{_base(world)}/submissions").status_code == 403
    assert coder.get(f"{_base(world)}/submissions/{us.pk}").status_code == 403
    auditor = login(world.user(AUDITOR))
    body = {"application_type_id": application_type("FDA", "IND").pk, "country_id": world.site_a.country_id}
    assert _post(auditor, f"{_base(world)}/submissions", {**body, "title": "x"}).status_code == 403
    assert login(world.outsider).get(f"{_base(world)}/submissions").status_code == 404
