"""The inspection-readiness zip (folders, index.csv, audit.csv, checksums) and the `opencro tmf` commands."""

import csv
import hashlib
import io
import json
import os
import stat
import zipfile

import pytest
from typer.testing import CliRunner

from opencro.accounts.access import access_for
from opencro.cli import tmf as tmf_cli
from opencro.documents.export import ExportError, tmf_export
from opencro.documents.models import TmfArtifact
from tests.documents.helpers import CRC, PM, approved, artifact, draft, model_csv, pdf, record, structure

pytestmark = pytest.mark.django_db
runner = CliRunner()


def _zip(access, study, site=None) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    tmf_export(access, study, buffer, site=site)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def _filed(w):
    structure(w)
    protocol = approved(w, draft(w, title="Protocol", art=artifact(w, "01.01.01")))
    cv = record(w, title="Form D A1", art=artifact(w, "02.01.03"))
    unfiled = record(w, actor=w.user(PM), title="Note B1", site=w.site_b)
    draft(w, title="Draft plan")  # never exported: not filed
    return protocol, cv, unfiled


def test_the_zip_holds_each_filed_version_under_zone_section_artifact_with_index_and_audit(world):
    protocol, cv, _unfiled = _filed(world)
    archive = _zip(access_for(world.user(PM), world.study.pk), world.study)
    names = sorted(archive.namelist())
    assert names == sorted(
        [
            "01 Zone One/01.01 Section One-One/01.01.01 Plan A/DOC-0001_v1.0_protocol.pdf",
            "02 Zone Two/02.01 Section Two-One/02.01.03 Form D/DOC-0002_v1.0_cv.pdf",
            "00 Not yet classified/DOC-0003_v1.0_cv.pdf",
            "index.csv",
            "audit.csv",
        ]
    )
    index = {row["document"]: row for row in _csv(archive, "index.csv")}
    assert set(index) == {"DOC-0001", "DOC-0002", "DOC-0003"}
    row = index["DOC-0002"]
    assert (row["level"], row["country"], row["site"], row["artifact"], row["QC status"]) == (
        "site",
        "US",
        "A1",
        "02.01.03",
        "pending",
    )
    assert row["SHA-256"] == cv.sha256 == hashlib.sha256(archive.read(row["path"])).hexdigest()
    assert archive.read(index["DOC-0001"]["path"]) == pdf("Protocol")
    audit = _csv(archive, "audit.csv")
    assert {r["object type"] for r in audit} == {
        "documents.document",
        "documents.documentversion",
        "documents.documentreview",
    }
    assert any(r["action"] == "sign" and r["object id"] == str(protocol.pk) for r in audit)
    assert not any(r["object"].startswith("DOC-0004") for r in audit)  # the draft plan is not exported


def test_a_site_export_holds_that_sites_files_and_a_site_member_sees_only_theirs(world):
    _filed(world)
    archive = _zip(access_for(world.user(PM), world.study.pk), world.study, site=world.site_a)
    assert [r["document"] for r in _csv(archive, "index.csv")] == ["DOC-0002"]
    member = _zip(access_for(world.user(CRC), world.study.pk), world.study)
    assert sorted(r["document"] for r in _csv(member, "index.csv")) == ["DOC-0001", "DOC-0002"]  # not B1's note


def test_a_corrupt_body_stops_the_export(world, _document_store):
    cv = record(world)
    path = _document_store / cv.blob_key
    os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
    path.write_bytes(b"%PDF-changed")
    with pytest.raises(ExportError, match="no longer matches"):
        tmf_export(None, world.study, io.BytesIO())


def test_cli_load_then_export(world, tmp_path):
    sheet = tmp_path / "TMF RM v3.3.1.csv"
    sheet.write_bytes(model_csv())
    result = runner.invoke(tmf_cli.app, ["load", str(sheet), "--study", "T-001", "--expect-core", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["artifacts"], summary["version"], summary["expectations_added"]) == (4, "3.3.1", 4)
    assert TmfArtifact.objects.filter(structure_id=summary["id"]).count() == 4
    record(world, art=artifact(world, "02.01.03"))
    out = tmp_path / "tmf.zip"
    result = runner.invoke(tmf_cli.app, ["export", "--study", "T-001", "--site", "A1", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)
    assert written["files"] == 1
    assert written["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert "index.csv" in zipfile.ZipFile(out).namelist()


def test_cli_refuses_a_bad_sheet_with_located_problems(world, tmp_path):
    sheet = tmp_path / "bad.csv"
    sheet.write_bytes(b"not,a,model\n1,2,3\n")
    result = runner.invoke(tmf_cli.app, ["load", str(sheet), "--study", "T-001"])
    assert result.exit_code == 1
    assert "nothing was written" in result.output
    assert not TmfArtifact.objects.exists()
    result = runner.invoke(
        tmf_cli.app, ["export", "--study", "T-001", "--site", "Z9", "--out", str(tmp_path / "x.zip")]
    )
    assert result.exit_code == 1 and "no site Z9" in result.output
