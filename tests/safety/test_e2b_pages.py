"""E2B(R3) and CIOMS pages and API routes as a browser and a client use them: downloads, the check page, file and
acknowledgement uploads; who may (403 for a monitor, 404 for another site's case); the schema-folder system check."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from lxml import etree

from opencro.accounts.permissions import RoleCode
from opencro.formats.e2b.reader import read_icsr_batch
from opencro.safety.checks import check_e2b_schemas
from opencro.safety.models import CaseSource, CaseSubmission, SafetyCase
from opencro.safety.services.intake import CaseIntake, EventInput, ReporterInput, case_create
from tests.safety.test_api import Api
from tests.safety.test_e2b_in import _ack
from tests.safety.test_e2b_out import approved_submission, assessed_case

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "e2b"
EXAMPLE = REFERENCE / "FAERS2022Scenario1.xml"
ODM = b'<?xml version="1.0"?>\n<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" FileOID="F"/>'


def _page(world, tail: str = "") -> str:
    return f"/studies/{world.study.pk}/safety/{tail}"


def _api(world, tail: str = "") -> str:
    return f"/api/v1/studies/{world.study.pk}/safety{tail}"


def _site_b_case(world) -> SafetyCase:
    return case_create(
        actor=world.users["safety_physician"],
        study=world.study,
        intake=CaseIntake(
            source=CaseSource.SPONTANEOUS,
            received_on=timezone.localdate(),
            events=[EventInput("Rash", onset="2026-11", flags=frozenset({"medically_important"}))],
            products=[],
            reporter=ReporterInput(family_name="Moreau", qualification="1", country="FR"),
        ),
        subject=world.subject_b,
    )


def _example() -> bytes:
    if not EXAMPLE.exists():
        pytest.skip(f"FDA E2B(R3) reference example not present: {EXAMPLE}")
    return EXAMPLE.read_bytes()


def test_downloads_and_the_check_page(safety_world, login):
    case, _version = assessed_case(safety_world)
    client = login(safety_world.user(RoleCode.SAFETY_PHYSICIAN))
    xml = client.get(_page(safety_world, f"cases/{case.pk}/e2b.xml"), {"profile": "fda-premarket"})
    assert xml.status_code == 200 and xml["Content-Type"] == "application/xml"
    assert f'filename="{case.number}-v1-e2b.xml"' in xml["Content-Disposition"]
    assert read_icsr_batch(xml.content).messages[0].report.worldwide_case_id.value == f"US-OPENCRO-{case.number}"
    page = client.get(_page(safety_world, f"cases/{case.pk}/e2b/"), {"profile": "fda-premarket"})
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="e2b-failures"' in body and 'data-testid="e2b-download"' in body
    assert 'data-element="H.1"' in body  # no narrative yet: H.1 is required, listed in the table
    refused = client.get(_page(safety_world, f"cases/{case.pk}/e2b/"), {"profile": "ich"})  # ICH: name a receiver
    assert refused.status_code == 200 and "Name the receiver (N.2.r.3) of the message." in refused.content.decode()
    pdf = client.get(_page(safety_world, f"cases/{case.pk}/cioms.pdf"), {"version": 1})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_who_may_see_the_files(safety_world, login):
    mine, _version = assessed_case(safety_world)
    theirs = _site_b_case(safety_world)
    investigator = login(safety_world.user(RoleCode.INVESTIGATOR))  # site A, safety.view
    assert investigator.get(_page(safety_world, f"cases/{mine.pk}/e2b.xml")).status_code == 200
    for tail in ("e2b.xml", "e2b/", "cioms.pdf"):
        assert investigator.get(_page(safety_world, f"cases/{theirs.pk}/{tail}")).status_code == 404, tail
    assert investigator.get(_page(safety_world, "import/")).status_code == 403  # no safety.edit
    monitor = login(safety_world.user(RoleCode.MONITOR))  # no safety.view
    for tail in (f"cases/{mine.pk}/e2b.xml", f"cases/{mine.pk}/e2b/", f"cases/{mine.pk}/cioms.pdf", "import/"):
        assert monitor.get(_page(safety_world, tail)).status_code == 403, tail
    assert monitor.post(_page(safety_world, "acks/")).status_code == 403


def test_import_page(safety_world, login):
    data = _example()
    client = login(safety_world.user(RoleCode.SAFETY_PHYSICIAN))
    assert 'data-testid="e2b-import-form"' in client.get(_page(safety_world, "import/")).content.decode()
    today = timezone.localdate().isoformat()
    bad = client.post(
        _page(safety_world, "import/"),
        {"file": SimpleUploadedFile("x.xml", ODM), "received_on": today, "source": "e2b_import"},
    )
    body = bad.content.decode()
    assert bad.status_code == 200 and "not an E2B(R3) ICSR batch" in body and "nothing was written" in body
    assert not SafetyCase.objects.exists()
    done = client.post(
        _page(safety_world, "import/"),
        {"file": SimpleUploadedFile("s1.xml", data), "received_on": today, "source": "partner"},
    )
    assert done.status_code == 302
    case = SafetyCase.objects.get()
    assert case.source == "partner" and case.worldwide_id == "US-APHARMA-8744554B"  # C.1.8.1 of scenario 1


def test_ack_page(safety_world, login):
    submission = approved_submission(safety_world, message_id="MSG-ACK-1")
    client = login(safety_world.user(RoleCode.SAFETY_PHYSICIAN))
    refused = client.post(_page(safety_world, "acks/"), {"file": SimpleUploadedFile("a.ack", _ack(["OTHER"]))})
    assert refused.status_code == 200 and "no submission of this study has message id OTHER" in (
        refused.content.decode()
    )
    done = client.post(_page(safety_world, "acks/"), {"file": SimpleUploadedFile("a.ack", _ack(["MSG-ACK-1"]))})
    assert done.status_code == 302
    assert CaseSubmission.objects.get(pk=submission.pk).ack_code == "CA"


# ---- the API ------------------------------------------------------------------------------------------------------


def test_api_files_out(safety_world, client):
    case, _version = assessed_case(safety_world)
    physician = Api(client, safety_world.users["safety_physician"])
    xml = physician.get(_api(safety_world, f"/cases/{case.pk}/e2b?profile=fda-premarket"))
    assert xml.status_code == 200 and etree.fromstring(xml.content).tag == "{urn:hl7-org:v3}MCCI_IN200100UV01"
    checked = physician.get(_api(safety_world, f"/cases/{case.pk}/e2b?profile=fda-premarket&check=1")).json()
    assert checked["version"] == 1 and checked["errors"] == sum(f["severity"] == "error" for f in checked["failures"])
    assert "H.1" in {f["element"] for f in checked["failures"]}  # the narrative is still empty
    assert physician.get(_api(safety_world, f"/cases/{case.pk}/e2b?profile=ich")).status_code == 422  # no receiver
    pdf = physician.get(_api(safety_world, f"/cases/{case.pk}/cioms"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    theirs = _site_b_case(safety_world)
    investigator = Api(client, safety_world.user(RoleCode.INVESTIGATOR))
    assert investigator.get(_api(safety_world, f"/cases/{case.pk}/e2b?profile=fda-premarket")).status_code == 200
    assert investigator.get(_api(safety_world, f"/cases/{theirs.pk}/e2b")).status_code == 404
    assert investigator.get(_api(safety_world, f"/cases/{theirs.pk}/cioms")).status_code == 404
    monitor = Api(client, safety_world.user(RoleCode.MONITOR))
    assert monitor.get(_api(safety_world, f"/cases/{case.pk}/e2b")).status_code == 403


def test_api_files_in(safety_world, client):
    data = _example()
    physician = Api(client, safety_world.users["safety_physician"])
    url = _api(safety_world, "/e2b-imports")
    bad = client.post(url, {"file": SimpleUploadedFile("odm.xml", ODM)}, **physician.auth)
    assert bad.status_code == 422 and "not an E2B(R3) ICSR batch" in str(bad.json()["errors"]["file"])
    monitor = Api(client, safety_world.user(RoleCode.MONITOR))
    assert client.post(url, {"file": SimpleUploadedFile("s.xml", data)}, **monitor.auth).status_code == 403
    assert not SafetyCase.objects.exists()
    today = timezone.localdate().isoformat()
    done = client.post(url, {"file": SimpleUploadedFile("s.xml", data), "received_on": today}, **physician.auth)
    assert done.status_code == 201 and done.json() == {"cases": [SafetyCase.objects.get().number]}
    # the raw file as the body: the same worldwide id, so a follow-up version of the same case
    raw = client.post(url, data, content_type="application/xml", **physician.auth)
    assert raw.status_code == 201 and raw.json()["cases"] == done.json()["cases"]
    assert SafetyCase.objects.get().versions.count() == 2


def test_api_acks(safety_world, client):
    submission = approved_submission(safety_world, message_id="MSG-API-1")
    physician = Api(client, safety_world.users["safety_physician"])
    url = _api(safety_world, "/acks")
    unknown = client.post(url, {"file": SimpleUploadedFile("a.ack", _ack(["NOPE"]))}, **physician.auth)
    assert unknown.status_code == 422 and CaseSubmission.objects.get(pk=submission.pk).ack_code == ""
    done = client.post(url, _ack(["MSG-API-1"]), content_type="application/xml", **physician.auth)
    assert done.status_code == 200 and done.json() == {"acknowledged": ["MSG-API-1"]}
    assert CaseSubmission.objects.get(pk=submission.pk).ack_code == "CA"
    monitor = Api(client, safety_world.user(RoleCode.MONITOR))
    assert client.post(url, _ack(["MSG-API-1"]), content_type="application/xml", **monitor.auth).status_code == 403


def test_schema_folder_check(settings, tmp_path):
    settings.OPENCRO_E2B_SCHEMAS = ""
    assert check_e2b_schemas() == []
    settings.OPENCRO_E2B_SCHEMAS = str(tmp_path)
    [warning] = check_e2b_schemas()
    assert warning.id == "safety.W001" and "multicacheschemas" in warning.msg
    (tmp_path / "multicacheschemas").mkdir()
    for name in ("MCCI_IN200100UV01.xsd", "MCCI_IN200101UV01.xsd"):
        (tmp_path / "multicacheschemas" / name).write_text("<xs:schema/>")
    assert check_e2b_schemas() == []
