"""The registry page: the current export with its problems, the JSON download, recording, the history and the
changes table; refused records re-rendered; who may read and record; a site-restricted reader sees only A1."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from opencro.accounts.permissions import RoleCode
from opencro.regulatory.models import RegistryRecord
from opencro.studies.models import Endpoint

pytestmark = pytest.mark.django_db
RA = RoleCode.REGULATORY_SPECIALIST


def _url(w, name: str, registry: str | None = "ctgov") -> str:
    return reverse(f"registry:{name}", args=[w.study.pk, *([registry] if registry else [])])


def _text(response) -> str:
    return response.content.decode()


def test_record_then_see_the_changes(world, protocol, login):
    client = login(world.user(RA))
    assert client.get(_url(world, "index", None)).url == _url(world, "page")
    page = client.get(_url(world, "page"))
    assert page.status_code == 200
    body = _text(page)
    assert "protocolSection.eligibilityModule.sex" in body  # a field the protocol does not hold
    assert "Nothing recorded as registered yet." in body and 'data-testid="registry-record-form"' in body

    download = client.get(_url(world, "export"))
    assert download["Content-Disposition"] == 'attachment; filename="T-001-ctgov.json"'
    assert json.loads(download.content)["protocolSection"]["identificationModule"]["orgStudyIdInfo"] == {"id": "T-001"}

    done = client.post(_url(world, "record"), {"registered_on": "2026-06-01", "identifier": "NCT01234567"})
    assert done.status_code == 302 and done.url == _url(world, "page")
    record = RegistryRecord.objects.get()
    assert (record.registered_on, record.identifier, record.protocol_version) == (
        dt.date(2026, 6, 1),
        "NCT01234567",
        protocol,
    )

    Endpoint.objects.filter(objective__study=world.study).update(timeframe="Week 16")
    body = _text(client.get(_url(world, "page")))
    assert "<code>outcomes.primary[0].timeFrame</code></td><td>Week 12</td><td>Week 16</td>" in body
    assert f'data-record="{record.pk}"' in body and "NCT01234567" in body


def test_a_refused_record_shows_its_errors(world, protocol, login):
    client = login(world.user(RA))
    refused = client.post(_url(world, "record"), {"registered_on": "2026-06-01", "identifier": "not-an-nct"})
    assert refused.status_code == 200 and "Not an identifier of this registry" in _text(refused)
    eu = client.post(_url(world, "record", "euctr"), {"registered_on": "2026-06-01", "identifier": ""})
    assert eu.status_code == 302  # the protocol fixture's C1 in Berlin: an EU document can be made
    assert not RegistryRecord.objects.filter(registry="ctgov").exists()


def test_who_may_read_and_record(world, protocol, login):
    assert login(world.outsider).get(_url(world, "page")).status_code == 404
    coder = login(world.user(RoleCode.MEDICAL_CODER))  # no regulatory.view
    assert coder.get(_url(world, "page")).status_code == 403
    auditor = login(world.user(RoleCode.AUDITOR))  # regulatory.view only
    page = auditor.get(_url(world, "page"))
    assert page.status_code == 200 and "registry-record-form" not in _text(page)
    assert auditor.post(_url(world, "record"), {"registered_on": "2026-06-01"}).status_code == 403
    assert auditor.get(_url(world, "page", "isrctn")).status_code == 404
    assert not RegistryRecord.objects.exists()


def test_a_site_restricted_reader_sees_only_their_site(world, protocol, login):
    client = login(world.user(RoleCode.MONITOR))  # regulatory.view, restricted to A1
    for registry in ("ctgov", "euctr"):
        body = _text(client.get(_url(world, "page", registry)))
        assert "Beta Hospital" not in body and "Dr B" not in body
        assert 'data-testid="registry-restricted"' in body
    download = _text(client.get(_url(world, "export")))
    assert "Alpha Hospital" in download and "Beta Hospital" not in download
