"""The close-out API as a client uses it (/api/v1/studies/{id}/closeout...): the checklist, a step with its choices,
starting, signing, approving, the archives; 422 naming the field or the refusal (`step`), 403 without the permission
or with a wrong password, 404 outside the caller's study or sites."""

import pytest

from opencro.accounts.permissions import RoleCode
from opencro.closeout.models import CloseoutStep
from opencro.studies.models import StudyStatus
from tests.closeout import helpers as h
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _url(w, tail: str = "", study=None) -> str:
    return f"/api/v1/studies/{(study or w.study).pk}/closeout{tail}"


def _as(client, user):
    client.force_login(user)
    return client


def _post(client, url: str, body: dict, method: str = "post"):
    return getattr(client, method)(url, body, content_type="application/json")


def _ok(response, status: int = 200):
    assert response.status_code == status, response.content
    return response.json()


def _errors(response) -> dict:
    assert response.status_code == 422, response.content
    return response.json()["errors"]


def test_the_checklist_lists_every_step_with_its_gate(co, client):
    data = _ok(_as(client, co.user(RoleCode.AUDITOR)).get(_url(co)))
    assert (data["study"], data["study_status"], data["started"], data["signed"], data["approved"]) == (
        "T-001",
        "planning",
        True,
        0,
        False,
    )
    assert [s["key"] for s in data["steps"]] == [
        "lplv",
        "database_lock",
        "unblinding",
        "analysis_package",
        "csr",
        "site_closeout",
        "final_payments",
        "tmf_reconciliation",
        "archiving",
        "approval",
    ]
    lplv = data["steps"][0]
    assert (lplv["state"], lplv["permission"], lplv["signed_by_roles"]) == (
        "waiting",
        "closeout.manage",
        ["Project manager"],
    )
    on_study = next(line for line in lplv["gate"] if line["key"] == "on_study")
    assert on_study == {
        "key": "on_study",
        "label": "Every enrolled participant has completed or withdrawn",
        "holds": False,
        "info": False,
        "detail": "2 participants are still on study.",
        "items": ["A1-001 (A1)", "B1-001 (B1)"],
    }
    assert data["steps"][1]["waiting_for"] == ["lplv"]


def test_a_site_restricted_reader_gets_their_sites_only(co, client):
    data = _ok(_as(client, co.user(RoleCode.STUDY_COORDINATOR)).get(_url(co)))
    on_study = next(line for line in data["steps"][0]["gate"] if line["key"] == "on_study")
    assert on_study["items"] == ["A1-001 (A1)"]
    assert "B1-001" not in str(data) and "Beta Hospital" not in str(data)


def test_starting_the_close_out(built, client):
    _as(client, built.user(h.DM))
    assert _post(client, _url(built), {}).status_code == 403
    _as(client, built.user(h.PM))
    data = _ok(_post(client, _url(built), {"note": "Kick-off held"}), 201)
    assert data["started"] and data["started_by"] == "Project-Manager Tester"
    assert _errors(_post(client, _url(built), {})) == {"study": ["The close-out of this study is started already."]}
    _as(client, built.outsider)
    assert client.get(_url(built)).status_code == 404


def test_signing_a_step(co, client):
    _as(client, co.user(h.PM))
    sign = _url(co, "/steps/lplv/sign")
    errors = _errors(_post(client, sign, {"password": PASSWORD}))
    assert errors["step"][0].startswith("Not ready: Every enrolled participant has completed or withdrawn")
    h.participants_finished(co)
    response = _post(client, sign, {"password": "wrong"})
    assert response.status_code == 403 and "password" in response.json()["detail"]
    assert not CloseoutStep.objects.exists()
    data = _ok(_post(client, sign, {"password": PASSWORD, "note": "All sites confirmed"}))
    lplv = data["steps"][0]
    assert (lplv["state"], lplv["signed_by"], lplv["note"]) == (
        "signed",
        "Project-Manager Tester",
        "All sites confirmed",
    )
    assert lplv["facts"]["lplv"] == "2026-03-02"
    assert _post(client, _url(co, "/steps/closing/sign"), {"password": PASSWORD}).status_code == 404
    assert _post(client, _url(co, "/steps/approval/sign"), {"password": PASSWORD}).status_code == 404
    _as(client, co.user(RoleCode.MONITOR))
    assert _post(client, _url(co, "/steps/site_closeout/sign"), {"password": PASSWORD}).status_code == 403


def test_a_step_with_its_choices_and_the_package_signed(co, client):
    h.participants_finished(co)
    h.sign(co, "lplv", h.PM)
    h.database_locked(co)
    h.sign(co, "database_lock", h.DM)
    h.sign(co, "unblinding", h.STAT)
    package = h.package_built(co)
    blinded = h.package_built(co, blinded=True)
    step = _url(co, "/steps/analysis_package")
    data = _ok(_as(client, co.user(RoleCode.BIOSTATISTICIAN)).get(step))
    assert [p["number"] for p in data["packages"]] == [blinded.number]  # a blinded reader sees no unblinded package
    data = _ok(_as(client, co.user(h.STAT)).get(step))
    assert [p["number"] for p in data["packages"]] == [blinded.number, package.number]
    assert data["now_facts"]["package"] == package.number and data["state"] == "ready"
    assert _errors(_post(client, step + "/sign", {"password": PASSWORD, "package_id": 999999})) == {
        "package_id": ["No such record in this study."]
    }
    errors = _errors(_post(client, step + "/sign", {"password": PASSWORD, "package_id": blinded.pk}))
    assert "It holds the real treatment arms (not a blinded dry run)" in errors["step"][0]
    data = _ok(_post(client, step + "/sign", {"password": PASSWORD, "package_id": package.pk}))
    assert data["steps"][3]["facts"]["package"] == package.number
    csr = h.csr_approved(co)
    data = _ok(_as(client, co.user(h.SPONSOR)).get(_url(co, "/steps/csr")))
    assert [v["id"] for v in data["versions"]] == [csr.pk] and csr.pk in [v["id"] for v in data["appendices"]]
    data = _ok(_post(client, _url(co, "/steps/csr/sign"), {"password": PASSWORD, "document_version_id": csr.pk}))
    assert data["steps"][4]["state"] == "signed"


ARCHIVE = {
    "tmf_location": "Iron Mountain, Basel, vault 4",
    "tmf_archived_on": "2026-10-01",
    "retention_rule": "sponsor",
    "retention_basis_on": "2026-06-30",
    "retention_years": 30,
}


def test_the_archives(co, client):
    _as(client, co.user(h.REG))
    data = _ok(_post(client, _url(co, "/archive"), ARCHIVE, "put"))
    assert (data["retention_rule"], data["retention_until"]) == ("sponsor", "2056-06-30")
    assert _errors(_post(client, _url(co, "/archive"), {**ARCHIVE, "retention_years": 25}, "put")) == {
        "reason": ["The archive details are recorded: say why they change."]
    }
    data = _ok(_post(client, _url(co, "/archive"), {**ARCHIVE, "retention_years": 25, "reason": "SOP 12 v3"}, "put"))
    assert data["retention_until"] == "2051-06-30"
    site = {"location": "Beta records office", "archived_on": "2026-10-01"}
    data = _ok(_post(client, _url(co, f"/archive/sites/{co.site_b.pk}"), site, "put"))
    assert (data["site_number"], data["location"]) == ("B1", "Beta records office")
    other = co.other_study.sites.first()
    assert _post(client, _url(co, f"/archive/sites/{other.pk}"), site, "put").status_code == 404
    _as(client, co.user(RoleCode.INVESTIGATOR))
    assert _post(client, _url(co, f"/archive/sites/{co.site_b.pk}"), site, "put").status_code == 404
    assert _post(client, _url(co, f"/archive/sites/{co.site_a.pk}"), site, "put").status_code == 403
    assert _post(client, _url(co, "/archive"), ARCHIVE, "put").status_code == 403


def test_the_approval(co, client):
    _as(client, co.user(h.SPONSOR))
    errors = _errors(_post(client, _url(co, "/approve"), {"password": PASSWORD}))
    assert errors["step"][0].startswith("Sign these steps first (or again):")
    h.all_but_approval(co)
    _as(client, co.user(h.PM))
    assert _post(client, _url(co, "/approve"), {"password": PASSWORD}).status_code == 403
    _as(client, co.user(h.SPONSOR))
    data = _ok(_post(client, _url(co, "/approve"), {"password": PASSWORD, "note": "Approved"}))
    assert (data["approved"], data["study_status"], data["signed"]) == (True, "closed", 10)
    co.study.refresh_from_db()
    assert co.study.status == StudyStatus.CLOSED
