"""The registry and feasibility API as a client uses it (bearer token)."""

import pytest
from django.test import Client

from opencro.accounts.permissions import RoleCode
from opencro.accounts.services import token_create
from opencro.sites.models import Institution

pytestmark = pytest.mark.django_db


def _client(user) -> tuple[Client, dict]:
    _token, key = token_create(actor=user, user=user, name="t")
    return Client(), {"Authorization": f"Bearer {key}"}


def test_registry_round_trip(feasibility):
    f = feasibility
    client, auth = _client(f.pm)
    base = f"/api/v1/studies/{f.world.study.pk}/feasibility"
    made = client.post(
        base + "/institutions",
        {"name": "Kyoto Univ", "country_code": "JP", "city": "Kyoto"},
        content_type="application/json",
        headers=auth,
    )
    assert made.status_code == 201 and made.json()["country"] == "Japan"
    inst = made.json()["id"]
    bad = client.post(base + "/institutions", {"name": "X", "country_code": "J1"}, content_type="application/json",
                      headers=auth)  # fmt: skip
    assert bad.status_code == 422 and "country_code" in bad.json()["errors"]
    assert [i["name"] for i in client.get(base + "/institutions?country=jp", headers=auth).json()] == ["Kyoto Univ"]
    patch = client.patch(
        f"{base}/institutions/{inst}",
        {"city": "Osaka", "reason": "moved"},
        content_type="application/json",
        headers=auth,
    )
    assert patch.status_code == 200 and patch.json()["city"] == "Osaka"
    inv = client.post(
        f"{base}/institutions/{inst}/investigators",
        {"name": "Dr K", "gcp_training_date": "2025-05-01", "licence_number": "JP-1"},
        content_type="application/json",
        headers=auth,
    )
    assert inv.status_code == 201 and inv.json()["gcp_current"] is True and inv.json()["cv_current"] is False
    cap = client.post(
        f"{base}/institutions/{inst}/capabilities",
        {"kind": "equipment", "value": "PET-CT"},
        content_type="application/json",
        headers=auth,
    )
    assert cap.status_code == 201
    detail = client.get(f"{base}/institutions/{f.x.pk}", headers=auth).json()
    assert detail["performance"]["screen_failure_rate"] == 0.5 and detail["performance"]["enrolled"] == 1
    assert client.get(f"{base}/institutions/999999", headers=auth).status_code == 404


def test_questionnaire_invitation_shortlist_select(feasibility):
    f = feasibility
    client, auth = _client(f.pm)
    base = f"/api/v1/studies/{f.world.study.pk}/feasibility"
    q = client.get(base + "/questionnaire", headers=auth).json()
    assert [x["text"] for x in q["questions"]] == ["MRI on site?", "Patients per month?", "Asthma clinics?"]
    put = client.put(
        base + "/questionnaire",
        {"title": "Asthma feasibility", "condition": "asthma", "weight_competition": 30, "reason": "matters"},
        content_type="application/json",
        headers=auth,
    )
    assert put.status_code == 200 and put.json()["weight_competition"] == 30
    refused = client.post(
        base + "/questionnaire/questions", {"text": "More?", "answer_type": "yes_no"},
        content_type="application/json", headers=auth,
    )  # fmt: skip
    assert refused.status_code == 422
    new = Institution.objects.create(name="Nouveau", country_code="FR", country="France", city="Nice")
    created = client.post(
        base + "/invitations", {"institution_id": new.pk, "days": 7}, content_type="application/json", headers=auth
    )
    assert created.status_code == 201
    body = created.json()
    assert body["respond_path"] == f"/feasibility/respond/{body['token']}/" and body["status"] == "sent"
    assert "token" not in client.get(base + "/invitations", headers=auth).json()[0]
    ranked = client.get(base + "/shortlist", headers=auth).json()
    assert [c["invitation"]["institution"] for c in ranked][:2] == ["Hôpital X", "Clinique Y"]
    assert {c["name"] for c in ranked[0]["components"]} >= {"Answers", "Enrolment rate", "Competing trials"}
    assert all(c["reason"] for c in ranked[0]["components"])
    picked = client.post(
        f"{base}/shortlist/{f.invitations['x'].pk}/select",
        {"number": "F1", "time_zone": "Europe/Paris", "principal_investigator": "Dr X"},
        content_type="application/json",
        headers=auth,
    )
    assert picked.status_code == 201 and picked.json()["status"] == "selected"
    again = client.post(
        f"{base}/shortlist/{f.invitations['x'].pk}/select",
        {"number": "F9", "time_zone": "Europe/Paris", "principal_investigator": "Dr X"},
        content_type="application/json",
        headers=auth,
    )
    assert again.status_code == 422


@pytest.mark.parametrize("role", [RoleCode.INVESTIGATOR, RoleCode.MONITOR, RoleCode.AUDITOR, RoleCode.DATA_MANAGER])
def test_other_roles_get_403_and_outsiders_404(feasibility, role):
    f = feasibility
    client, auth = _client(f.world.user(role))
    base = f"/api/v1/studies/{f.world.study.pk}/feasibility"
    assert client.get(base + "/institutions", headers=auth).status_code == 403
    assert client.get(base + "/shortlist", headers=auth).status_code == 403
    outsider, outsider_auth = _client(f.world.outsider)
    assert outsider.get(base + "/institutions", headers=outsider_auth).status_code == 404
