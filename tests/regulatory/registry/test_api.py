"""The registry API: the current export with its problems, the document ready to load (422 when it cannot be
made), recording (201; refusals 422; 403 without regulatory.edit), the records and the changes since the latest."""

import pytest

from opencro.accounts.permissions import RoleCode
from opencro.studies.models import Endpoint

pytestmark = pytest.mark.django_db
RA = RoleCode.REGULATORY_SPECIALIST


def _base(w, registry: str = "ctgov") -> str:
    return f"/api/v1/studies/{w.study.pk}/registry/{registry}"


def _post(client, url: str, body: dict):
    return client.post(url, body, content_type="application/json")


def test_export_record_and_changes(world, protocol, login):
    client = login(world.user(RA))
    current = client.get(_base(world)).json()
    assert current["protocol_version"] == "1.0"
    assert {"location": "protocolSection.eligibilityModule.sex", "message": "required: ALL, FEMALE or MALE"} in current[
        "problems"
    ]
    document = client.get(_base(world) + "/export").json()
    assert document == current["document"]

    created = _post(client, _base(world) + "/records", {"registered_on": "2026-06-01", "identifier": "NCT01234567"})
    assert created.status_code == 201, created.content
    record = created.json()
    assert (record["identifier"], record["protocol_version"], record["recorded_by"]) == (
        "NCT01234567",
        "1.0",
        world.user(RA).username,
    )
    assert client.get(_base(world) + "/records").json() == [record]
    assert client.get(_base(world) + f"/records/{record['id']}").json()["payload"] == document
    assert client.get(_base(world, "euctr") + f"/records/{record['id']}").status_code == 404  # another registry's

    Endpoint.objects.filter(objective__study=world.study).update(timeframe="Week 16")
    changes = client.get(_base(world) + "/changes").json()
    assert changes["record"] == record and changes["registered_version"] == changes["current_version"] == "1.0"
    assert changes["changes"] == [
        {"path": "outcomes.primary[0].timeFrame", "kind": "changed", "registered": "Week 12", "current": "Week 16"}
    ]


def test_refusals_and_permissions(world, login):
    client = login(world.user(RA))
    eu = client.get(_base(world, "euctr") + "/export")  # sites in the US and Japan only
    assert eu.status_code == 422 and eu.json()["problems"][0]["location"] == "memberStatesConcerned"
    assert (
        _post(client, _base(world) + "/records", {"registered_on": "2026-06-01", "identifier": "x"}).status_code == 422
    )
    assert client.get(_base(world, "isrctn")).status_code == 404
    auditor = login(world.user(RoleCode.AUDITOR))
    assert auditor.get(_base(world) + "/changes").status_code == 200
    assert _post(auditor, _base(world) + "/records", {"registered_on": "2026-06-01"}).status_code == 403
    assert login(world.user(RoleCode.MEDICAL_CODER)).get(_base(world)).status_code == 403
    assert login(world.outsider).get(_base(world)).status_code == 404
    monitor = login(world.user(RoleCode.MONITOR))  # restricted to A1
    assert "Beta Hospital" not in monitor.get(_base(world)).content.decode()
