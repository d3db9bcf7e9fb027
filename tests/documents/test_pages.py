"""Document and TMF pages: list and filters, upload, detail steps (review, e-signed approval, QC, filing), download
verified, completeness, structure, site view and export; 404 outside the reader's scope, 403 without the permission,
refused forms re-rendered with 200."""

import io
import os
import stat
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opencro.documents.models import DocumentVersion, TmfArtifact, TmfExpectation
from tests.conftest import PASSWORD
from tests.documents.helpers import (
    AUDITOR,
    CRC,
    DM,
    PM,
    REG,
    SPONSOR,
    approved,
    artifact,
    draft,
    model_csv,
    pdf,
    record,
    structure,
)

pytestmark = pytest.mark.django_db


def _base(w) -> str:
    return f"/studies/{w.study.pk}/documents/"


def test_the_list_filters_and_links(world, login):
    record(world, title="CV Dr A")
    draft(world, title="Protocol")
    client = login(world.user(PM))
    page = client.get(_base(world))
    assert page.status_code == 200
    assert b"DOC-0001" in page.content and b"DOC-0002" in page.content
    page = client.get(_base(world) + "?status=draft")
    assert b"DOC-0002" in page.content and b"DOC-0001" not in page.content


def test_the_list_needs_regulatory_view_and_membership(world, login):
    assert login(world.user("medical_coder")).get(_base(world)).status_code == 403
    assert login(world.outsider).get(_base(world)).status_code == 404


def test_a_document_is_uploaded_from_the_page(world, login):
    client = login(world.user(REG))
    page = client.post(
        _base(world) + "new/",
        {
            "title": "Protocol",
            "level": "trial",
            "requires_approval": "on",
            "version": "1.0",
            "document_date": "2026-02-01",
            "file": SimpleUploadedFile("protocol.pdf", pdf("page"), content_type="application/pdf"),
        },
    )
    assert page.status_code == 302
    version = DocumentVersion.objects.get()
    assert (version.status, version.file_name) == ("draft", "protocol.pdf")


def test_a_refused_upload_re_renders_with_the_error(world, login):
    page = login(world.user(REG)).post(
        _base(world) + "new/",
        {
            "title": "Tool",
            "level": "trial",
            "version": "1.0",
            "document_date": "2026-02-01",
            "file": SimpleUploadedFile("tool.exe", b"MZ"),
        },
    )
    assert page.status_code == 200
    assert b"not accepted" in page.content
    assert not DocumentVersion.objects.exists()


def test_review_and_e_signed_approval_from_the_page(world, login):
    version = draft(world)
    url = f"{_base(world)}{version.document_id}/versions/{version.pk}/"
    page = login(world.user(REG)).post(url + "review/", {"reviewers": [world.user(SPONSOR).pk]})
    assert page.status_code == 302
    client = login(world.user(SPONSOR))
    detail = client.get(f"{_base(world)}{version.document_id}/")
    assert b'data-testid="decide-form"' in detail.content
    wrong = client.post(url + "decide/", {"decision": "approved", "password": "wrong"})
    assert wrong.status_code == 200 and b"password is not correct" in wrong.content
    done = client.post(url + "decide/", {"decision": "approved", "password": PASSWORD})
    assert done.status_code == 302
    assert DocumentVersion.objects.get(pk=version.pk).status == "approved"
    detail = client.get(f"{_base(world)}{version.document_id}/")
    assert b"I approve" in detail.content


def test_qc_from_the_page_and_refusals(world, login):
    version = record(world)
    url = f"{_base(world)}{version.document_id}/versions/{version.pk}/qc/"
    assert login(world.user(CRC)).post(url, {"outcome": "passed"}).status_code == 403
    client = login(world.user(PM))
    refused = client.post(url, {"outcome": "rejected", "finding": ""})
    assert refused.status_code == 200
    assert client.post(url, {"outcome": "passed"}).status_code == 302
    assert DocumentVersion.objects.get(pk=version.pk).qc_status == "passed"


def test_download_is_verified(world, login, _document_store):
    version = record(world, tag="body")
    url = f"{_base(world)}{version.document_id}/versions/{version.pk}/download/"
    client = login(world.user(PM))
    page = client.get(url)
    assert page.status_code == 200 and page.content == pdf("body")
    assert page["Content-Type"] == "application/pdf"
    path = _document_store / version.blob_key
    os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
    path.write_bytes(b"%PDF-other")
    page = client.get(url)
    assert page.status_code == 500
    assert b"%PDF-other" not in page.content and b"no longer matches" in page.content


def test_other_sites_documents_and_others_drafts_are_404(world, login):
    b1 = record(world, actor=world.user(PM), site=world.site_b)
    trial_draft = draft(world)
    client = login(world.user(CRC))
    assert client.get(f"{_base(world)}{b1.document_id}/").status_code == 404
    assert client.get(f"{_base(world)}{trial_draft.document_id}/").status_code == 404
    assert client.get(f"{_base(world)}sites/{world.site_b.pk}/").status_code == 404


def test_filing_from_the_page(world, login):
    structure(world)
    version = record(world)
    page = login(world.user(CRC)).post(
        f"{_base(world)}{version.document_id}/file/",
        {"artifact": artifact(world, "02.01.03").pk, "level": "site", "site": world.site_a.pk, "reason": ""},
    )
    assert page.status_code == 302
    assert DocumentVersion.objects.get(pk=version.pk).document.artifact.number == "02.01.03"


def test_structure_load_expectations_and_completeness_pages(world, login):
    client = login(world.user(REG))
    assert b"No structure is loaded" in client.get(_base(world) + "tmf/structure/").content
    bad = client.post(_base(world) + "tmf/structure/", {"file": SimpleUploadedFile("m.csv", b"a,b\n1,2\n")})
    assert bad.status_code == 200 and b"no header row" in bad.content
    assert not TmfArtifact.objects.exists()
    loaded = client.post(_base(world) + "tmf/structure/", {"file": SimpleUploadedFile("TMF v3.3.1.csv", model_csv())})
    assert loaded.status_code == 302
    assert client.post(_base(world) + "tmf/expectations/default/").status_code == 302
    assert TmfExpectation.objects.count() == 4
    plan_b = artifact(world, "01.01.02")
    added = client.post(
        _base(world) + "tmf/expectations/", {"artifact": plan_b.pk, "level": "trial", "milestone": "conduct"}
    )
    assert added.status_code == 302 and TmfExpectation.objects.count() == 5
    refused = client.post(
        _base(world) + "tmf/expectations/", {"artifact": plan_b.pk, "level": "trial", "milestone": ""}
    )
    assert refused.status_code == 200 and b"Say why" in refused.content
    page = client.get(_base(world) + "tmf/?days=10")
    assert page.status_code == 200 and b'data-place="site-A1"' in page.content and b"02.01.03" in page.content
    assert login(world.user(DM)).post(_base(world) + "tmf/expectations/default/").status_code == 403


def test_site_view_and_export(world, login):
    structure(world)
    record(world, art=artifact(world, "02.01.03"))
    client = login(world.user(AUDITOR))
    page = client.get(f"{_base(world)}sites/{world.site_a.pk}/")
    assert page.status_code == 200 and b"DOC-0001" in page.content
    response = client.get(f"{_base(world)}tmf/export/?site={world.site_a.pk}")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "index.csv" in archive.namelist() and len(archive.namelist()) == 3
    assert login(world.user(CRC)).get(f"{_base(world)}tmf/export/?site={world.site_b.pk}").status_code == 404


def test_approved_documents_show_their_signature(world, login):
    version = approved(world)
    page = login(world.user(AUDITOR)).get(f"{_base(world)}{version.document_id}/")
    assert page.status_code == 200
    assert world.user(SPONSOR).printed_name.encode() in page.content
