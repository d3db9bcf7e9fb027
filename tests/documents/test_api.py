"""Documents and TMF API as a client uses it: list and filters, multipart upload, detail with reviews and
signatures, content verified, filing, review and e-signed decision, QC, the structure, completeness and export;
404 outside the caller's scope, 403 without the permission or with a wrong password, 422 for refused rules."""

import io
import zipfile

import pytest

from opencro.documents.models import DocumentVersion, TmfArtifact
from tests.conftest import PASSWORD
from tests.documents.helpers import CRC, PM, REG, SPONSOR, artifact, draft, model_csv, pdf, record, structure

pytestmark = pytest.mark.django_db


def _base(w) -> str:
    return f"/api/v1/studies/{w.study.pk}"


def _file(content: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def _upload(client, w, **fields):
    data = {
        "title": "Protocol",
        "document_date": "2026-02-01",
        "level": "trial",
        "file": _file(pdf("api"), "protocol.pdf"),
    }
    return client.post(f"{_base(w)}/documents", {**data, **fields})


def test_upload_list_and_detail(world, login):
    client = login(world.user(REG))
    made = _upload(client, world)
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["number"] == "DOC-0001"
    (version,) = body["versions"]
    assert (version["status"], version["file_name"], version["size"]) == ("draft", "protocol.pdf", len(pdf("api")))
    listed = client.get(f"{_base(world)}/documents?status=draft").json()
    assert [d["number"] for d in listed["items"]] == ["DOC-0001"]
    assert client.get(f"{_base(world)}/documents?status=approved").json()["items"] == []


def test_upload_refusals(world, login):
    client = login(world.user(REG))
    missing = client.post(f"{_base(world)}/documents", {"title": "X", "document_date": "2026-02-01"})
    assert missing.status_code == 422 and "file" in missing.json()["errors"]
    refused = _upload(client, world, file=_file(b"MZ", "tool.exe"))
    assert refused.status_code == 422 and "not accepted" in str(refused.json()["errors"]["file"])
    assert login(world.user("data_manager")).post(f"{_base(world)}/documents", {}).status_code == 403


def test_review_and_signed_decision(world, login):
    version = draft(world)
    one = f"{_base(world)}/documents/{version.document_id}/versions/{version.pk}"
    asked = login(world.user(REG)).post(
        one + "/review", {"reviewer_ids": [world.user(SPONSOR).pk]}, content_type="application/json"
    )
    assert asked.status_code == 200, asked.content
    client = login(world.user(SPONSOR))
    wrong = client.post(one + "/decide", {"decision": "approved", "password": "nope"}, content_type="application/json")
    assert wrong.status_code == 403
    done = client.post(one + "/decide", {"decision": "approved", "password": PASSWORD}, content_type="application/json")
    assert done.status_code == 200
    (shown,) = done.json()["versions"]
    assert shown["status"] == "approved"
    (review,) = shown["reviews"]
    assert (review["decision"], review["signature"]["meaning"], review["signature"]["broken"]) == (
        "approved",
        "approve",
        False,
    )
    again = client.post(
        one + "/decide", {"decision": "approved", "password": PASSWORD}, content_type="application/json"
    )
    assert again.status_code == 422


def test_content_qc_and_scope(world, login):
    version = record(world, tag="bytes")
    one = f"{_base(world)}/documents/{version.document_id}/versions/{version.pk}"
    client = login(world.user(PM))
    content = client.get(one + "/content")
    assert content.status_code == 200 and content.content == pdf("bytes")
    assert client.post(one + "/qc", {"outcome": "rejected"}, content_type="application/json").status_code == 422
    passed = client.post(one + "/qc", {"outcome": "passed"}, content_type="application/json")
    assert passed.status_code == 200 and passed.json()["versions"][0]["qc_status"] == "passed"
    b1 = record(world, actor=world.user(PM), site=world.site_b)
    assert login(world.user(CRC)).get(f"{_base(world)}/documents/{b1.document_id}").status_code == 404
    assert (
        login(world.user(CRC)).post(one + "/qc", {"outcome": "passed"}, content_type="application/json").status_code
        == 403
    )


def test_structure_filing_completeness_and_export(world, login):
    client = login(world.user(REG))
    assert client.get(f"{_base(world)}/tmf/structure").status_code == 422
    loaded = client.post(f"{_base(world)}/tmf/structure", {"file": _file(model_csv(), "TMF RM v3.3.1.csv")})
    assert loaded.status_code == 201 and len(loaded.json()["artifacts"]) == 4
    refused = client.post(f"{_base(world)}/tmf/structure", {"file": _file(b"a,b\n", "bad.csv")})
    assert refused.status_code == 422 and refused.json()["problems"]
    assert TmfArtifact.objects.count() == 4
    defaults = client.post(f"{_base(world)}/tmf/expectations/default")
    assert len(defaults.json()["expectations"]) == 4
    version = record(world)
    filed = client.post(
        f"{_base(world)}/documents/{version.document_id}/file",
        {"artifact_id": artifact(world, "02.01.03").pk},
        content_type="application/json",
    )
    assert filed.status_code == 200 and filed.json()["artifact_number"] == "02.01.03"
    report = client.get(f"{_base(world)}/tmf/completeness?days=60").json()
    sites = {s["site_number"]: s for s in report["sites"]}
    assert sites["A1"]["completeness"] == {"numerator": 1, "denominator": 2, "percent": 50.0}
    assert sites["A1"]["missing"] == ["01.02.01"]
    export = client.get(f"{_base(world)}/tmf/export?site_id={world.site_a.pk}")
    assert export.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(export.streaming_content))).namelist()
    assert "index.csv" in names and "audit.csv" in names
    assert login(world.user(CRC)).get(f"{_base(world)}/tmf/export?site_id={world.site_b.pk}").status_code == 404


def test_expectation_set(world, login):
    structure(world)
    plan_b = artifact(world, "01.01.02")
    client = login(world.user(REG))
    url = f"{_base(world)}/tmf/expectations"
    added = client.post(
        url, {"artifact_id": plan_b.pk, "level": "trial", "milestone": "conduct"}, content_type="application/json"
    )
    assert added.status_code == 200 and added.json()["expectations"][0]["milestone"] == "conduct"
    refused = client.post(
        url, {"artifact_id": plan_b.pk, "level": "site", "milestone": "conduct"}, content_type="application/json"
    )
    assert refused.status_code == 422
    unknown = client.post(
        url, {"artifact_id": 999999, "level": "trial", "milestone": "conduct"}, content_type="application/json"
    )
    assert unknown.status_code == 404  # no artifact of this study's structures
    assert DocumentVersion.objects.count() == 0
