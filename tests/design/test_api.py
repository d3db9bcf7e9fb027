"""The design API as a client uses it: compute, save, list, read, adopt, delete, the report PDF."""

import pytest

from opencro.accounts.permissions import RoleCode
from opencro.accounts.services import token_create
from opencro.design.models import Design
from tests.conftest import PASSWORD
from tests.design.conftest import MEANS, saved
from tests.security.client import text

pytestmark = pytest.mark.django_db


def base(world) -> str:
    return f"/api/v1/studies/{world.study.pk}"


def test_compute_answers_the_design_and_saves_nothing(design_world, login):
    client = login(design_world.stat)
    response = client.post(
        f"{base(design_world)}/design/compute", {"kind": "means", "inputs": MEANS}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["kind"], data["result"]["n_total"], data["inputs"]["alpha"]) == ("means", 128, 0.05)
    assert {f["key"]: f["text"] for f in data["figures"]}["n_total"] == "128"
    assert not Design.objects.exists()


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"kind": "means", "inputs": {"delta": 5, "sd": 10, "power": 1.2}}, "power"),
        ({"kind": "means", "inputs": {"delta": 5, "sd": "ten"}}, "sd"),
        ({"kind": "gsd", "inputs": {"spending": "kd"}}, "rho"),
        ({"kind": "gsd", "inputs": {"beta_rho": 2}}, "beta_rho"),
        ({"kind": "nothing", "inputs": {}}, "kind"),
    ],
)
def test_bad_input_is_422_naming_the_parameter(design_world, login, body, parameter):
    client = login(design_world.stat)
    response = client.post(f"{base(design_world)}/design/compute", body, content_type="application/json")
    assert response.status_code == 422
    assert parameter in response.json()["errors"], response.json()


def test_save_list_read_with_a_token(design_world):
    w = design_world
    _token, key = token_create(actor=w.stat, user=w.stat, name="design")
    headers = {"Authorization": f"Bearer {key}"}
    from django.test import Client

    client = Client()
    body = {"name": "Primary", "kind": "means", "inputs": MEANS, "notes": "SAP 4.2", "result": {"n_total": 2}}
    created = client.post(f"{base(w)}/designs", body, content_type="application/json", headers=headers)
    assert created.status_code == 201, created.content
    design = created.json()
    assert (design["status"], design["result"]["n_total"], design["created_by"]) == ("draft", 128, w.stat.username)
    assert design["signatures"] == [] and design["protocol_version"] is None
    listed = client.get(f"{base(w)}/designs", headers=headers).json()
    assert [d["name"] for d in listed] == ["Primary"]
    one = client.get(f"{base(w)}/designs/{design['id']}", headers=headers).json()
    assert one["inputs"]["delta"] == 5.0 and one["notes"] == "SAP 4.2"
    bad = client.post(
        f"{base(w)}/designs",
        {**body, "inputs": {"delta": 0, "sd": 1}},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422 and "delta" in bad.json()["errors"]


def test_adopt_and_delete(design_world, login):
    w = design_world
    client = login(w.stat)
    first, second = saved(w, "First"), saved(w, "Second")
    url = f"{base(w)}/designs/{first.pk}/adopt"
    wrong = client.post(url, {"protocol_version_id": w.draft.pk, "password": "x"}, content_type="application/json")
    assert wrong.status_code == 403
    approved = client.post(
        url, {"protocol_version_id": w.approved.pk, "password": PASSWORD}, content_type="application/json"
    )
    assert approved.status_code == 422 and "protocol_version" in approved.json()["errors"]
    elsewhere = client.post(
        url, {"protocol_version_id": w.other_draft.pk, "password": PASSWORD}, content_type="application/json"
    )
    assert elsewhere.status_code == 422 and "protocol_version_id" in elsewhere.json()["errors"]
    adopted = client.post(
        url, {"protocol_version_id": w.draft.pk, "password": PASSWORD}, content_type="application/json"
    )
    assert adopted.status_code == 200, adopted.content
    data = adopted.json()
    assert (data["status"], data["protocol_version"]) == ("adopted", "2.0")
    assert [(s["printed_name"], s["meaning"], s["broken_at"]) for s in data["signatures"]] == [
        (w.stat.printed_name, "approve", None)
    ]
    refused = client.delete(f"{base(w)}/designs/{first.pk}?reason=gone")
    assert refused.status_code == 422 and "status" in refused.json()["errors"]
    assert client.delete(f"{base(w)}/designs/{second.pk}").status_code == 422  # a reason is required
    assert client.delete(f"{base(w)}/designs/{second.pk}?reason=gone").status_code == 204
    assert list(Design.objects.values_list("name", flat=True)) == ["First"]


def test_report_pdf(design_world, login):
    w = design_world
    design = saved(w)
    response = login(w.user(RoleCode.MONITOR)).get(f"{base(w)}/designs/{design.pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "T-001" in text(response) and "Primary" in text(response)


def test_roles_and_outsiders(design_world, login):
    w = design_world
    design = saved(w)
    monitor = login(w.user(RoleCode.MONITOR))
    assert monitor.get(f"{base(w)}/designs").status_code == 200
    assert monitor.get(f"{base(w)}/designs/{design.pk}").status_code == 200
    body = {"name": "M", "kind": "means", "inputs": MEANS}
    assert monitor.post(f"{base(w)}/designs", body, content_type="application/json").status_code == 403
    assert monitor.post(f"{base(w)}/design/compute", body, content_type="application/json").status_code == 403
    adopt = {"protocol_version_id": w.draft.pk, "password": PASSWORD}
    assert (
        monitor.post(f"{base(w)}/designs/{design.pk}/adopt", adopt, content_type="application/json").status_code == 403
    )
    outsider = login(w.outsider)
    assert outsider.get(f"{base(w)}/designs/{design.pk}").status_code == 404
    assert outsider.get(f"/api/v1/studies/{w.other_study.pk}/designs/{design.pk}").status_code == 404
