"""The submission package API as a client uses it: specification versions (list, one with its YAML, save an edited
one, generate one), packages (list, manifest, ZIP), and building through the jobs API; role by role, blinding
included.

World: tests/analysis/conftest.py's edc_world. The biostatistician holds `analysis.run` (blinded); the unblinded
statistician also `treatment.view`; the data manager neither (403); the outsider is no member of T-001 (404).
"""

import io
import json
import zipfile

import pytest
import yaml

from opencro.analysis.models import MappingSpec, PackageStatus, SpecOrigin, SubmissionPackage
from opencro.analysis.services import mapping_spec_create_default, package_build, package_start
from opencro.analysis.sources import dummy_arm
from opencro.jobs.models import Job
from tests.analysis.conftest import enter_data

pytestmark = pytest.mark.django_db

BIOSTAT, UNBLINDED, DM = "biostatistician", "unblinded_statistician", "data_manager"


def _api(w) -> str:
    return f"/api/v1/studies/{w.study.pk}/analysis"


def _post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def _built(w, role: str, *, blinded: bool) -> SubmissionPackage:
    user = w.users[role]
    package = package_build(actor=user, package=package_start(actor=user, study=w.study, blinded=blinded))
    assert package.status == PackageStatus.DONE, package.error
    return package


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- specification versions


def test_generate_list_and_read_a_version(edc_world, login):
    w = edc_world
    client = login(w.users[BIOSTAT])
    assert client.get(_api(w) + "/specs").json() == {"items": [], "count": 0}
    created = _post(client, _api(w) + "/specs/default", {"note": "first draft"})
    assert created.status_code == 201, created.content
    body = created.json()
    spec = MappingSpec.objects.get(study=w.study)
    assert (body["number"], body["origin"], body["note"]) == (1, SpecOrigin.DEFAULT, "first draft")
    assert body["created_by"] == w.users[BIOSTAT].printed_name
    assert body["mapping_notes"] == spec.content.get("notes", []) and body["notes"] == len(body["mapping_notes"])
    assert yaml.safe_load(body["text"]) == spec.content  # the YAML is the stored document
    assert {d["domain"] for d in spec.content["domains"]} >= {"DM", "VS", "AE"}
    listed = client.get(_api(w) + "/specs").json()
    assert listed["count"] == 1 and listed["items"][0]["number"] == 1 and "text" not in listed["items"][0]
    assert client.get(_api(w) + "/specs/1").json()["text"] == body["text"]
    assert client.get(_api(w) + "/specs/2").status_code == 404


def test_generating_with_an_empty_body_works_too(edc_world, login):
    response = _post(login(edc_world.users[UNBLINDED]), _api(edc_world) + "/specs/default", {})
    assert response.status_code == 201 and response.json()["note"] == ""


def test_an_edited_specification_is_saved_as_a_new_version(edc_world, login):
    w = edc_world
    first = mapping_spec_create_default(actor=w.users[BIOSTAT], study=w.study)
    client = login(w.users[UNBLINDED])
    text = client.get(_api(w) + "/specs/1").json()["text"]
    response = _post(client, _api(w) + "/specs", {"text": text, "note": "reviewed"})
    assert response.status_code == 201, response.content
    assert (response.json()["number"], response.json()["origin"]) == (2, SpecOrigin.EDITED)
    assert MappingSpec.objects.get(study=w.study, number=2).content == first.content
    as_json = json.dumps(first.content)  # JSON is YAML too
    assert _post(client, _api(w) + "/specs", {"text": as_json}).json()["number"] == 3


@pytest.mark.parametrize(
    ("text", "located"),
    [
        ("domains: [\n  - a: b\n", "line 2, column 3"),  # PyYAML: a block entry inside a flow sequence
        ("study_id: T-001\ndomains:\n  - domain: AE\n    class: nonsense\n", "domains[1]"),
    ],
)
def test_a_refused_specification_answers_422_located(edc_world, login, text, located):
    w = edc_world
    response = _post(login(w.users[BIOSTAT]), _api(w) + "/specs", {"text": text})
    assert response.status_code == 422
    errors = response.json()["errors"]["text"]
    assert len(errors) == 1 and located in errors[0], errors
    assert not MappingSpec.objects.filter(study=w.study).exists()


def test_a_note_too_long_is_refused_by_the_schema(edc_world, login):
    w = edc_world
    response = _post(login(w.users[BIOSTAT]), _api(w) + "/specs", {"text": "x: 1", "note": "n" * 301})
    assert response.status_code == 422 and not MappingSpec.objects.filter(study=w.study).exists()


# --- who may call it


def _calls(w) -> list[tuple[str, str, dict | None]]:
    base = _api(w)
    return [
        ("GET", base + "/specs", None),
        ("GET", base + "/specs/1", None),
        ("POST", base + "/specs", {"text": "study_id: T-001\ndomains: []\n"}),
        ("POST", base + "/specs/default", {}),
        ("GET", base + "/packages", None),
        ("GET", base + "/packages/1", None),
        ("GET", base + "/packages/1/download", None),
    ]


def _send(client, method: str, url: str, body):
    if method == "GET":
        return client.get(url)
    return _post(client, url, body)


def test_a_member_without_analysis_run_gets_403(edc_world, login):
    w = edc_world
    mapping_spec_create_default(actor=w.users[BIOSTAT], study=w.study)
    enter_data(w)
    _built(w, BIOSTAT, blinded=True)
    client = login(w.users[DM])
    statuses = {f"{m} {u}": _send(client, m, u, b).status_code for m, u, b in _calls(w)}
    assert set(statuses.values()) == {403}, statuses
    assert MappingSpec.objects.filter(study=w.study).count() == 1


def test_an_outsider_gets_404(edc_world, login):
    w = edc_world
    mapping_spec_create_default(actor=w.users[BIOSTAT], study=w.study)
    client = login(w.outsider)
    statuses = {f"{m} {u}": _send(client, m, u, b).status_code for m, u, b in _calls(w)}
    assert set(statuses.values()) == {404}, statuses


def test_anonymous_callers_get_401(edc_world, client):
    assert client.get(_api(edc_world) + "/specs").status_code == 401


# --- packages


def test_packages_list_manifest_and_zip(edc_world, login):
    w = edc_world
    enter_data(w)
    package = _built(w, UNBLINDED, blinded=False)
    client = login(w.users[UNBLINDED])
    listed = client.get(_api(w) + "/packages").json()
    assert listed["count"] == 1
    row = listed["items"][0]
    assert (row["number"], row["status"], row["blinded"], row["data_locked"], row["spec_version"]) == (
        1,
        "done",
        False,
        False,
        1,
    )
    assert row["files"] == len(package.manifest["files"]) and row["findings"] == package.manifest["findings"]["total"]
    assert row["requested_by"] == w.users[UNBLINDED].printed_name and row["error"] == ""
    one = client.get(_api(w) + "/packages/1").json()
    assert one["manifest"] == json.loads(json.dumps(package.manifest))
    assert one["manifest"]["datasets"]["DM"]["records"] == 2  # the world's two randomised subjects
    download = client.get(_api(w) + "/packages/1/download")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"] == 'attachment; filename="T-001-package-1.zip"'
    archive = zipfile.ZipFile(io.BytesIO(_body(download)))
    assert {f["path"] for f in package.manifest["files"]} <= set(archive.namelist())
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["datasets"] == package.manifest["datasets"]


def test_a_running_package_has_no_findings_and_no_zip(edc_world, login):
    w = edc_world
    package_start(actor=w.users[BIOSTAT], study=w.study, blinded=True)
    client = login(w.users[BIOSTAT])
    row = client.get(_api(w) + "/packages/1").json()
    assert (row["status"], row["findings"], row["files"], row["manifest"]) == ("running", None, 0, {})
    assert client.get(_api(w) + "/packages/1/download").status_code == 404


def test_a_blinded_reader_never_sees_an_unblinded_package(edc_world, login):
    w = edc_world
    enter_data(w)
    _built(w, UNBLINDED, blinded=False)
    _built(w, UNBLINDED, blinded=True)
    reader = login(w.users[BIOSTAT])
    listed = reader.get(_api(w) + "/packages").json()
    assert [p["number"] for p in listed["items"]] == [2] and listed["count"] == 1
    assert reader.get(_api(w) + "/packages/1").status_code == 404
    assert reader.get(_api(w) + "/packages/1/download").status_code == 404
    blinded = reader.get(_api(w) + "/packages/2/download")
    assert blinded.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(_body(blinded)))
    assert "DUMMY-RANDOMISATION.txt" in archive.namelist()  # a dry run on the dummy randomisation, never the real one
    dm = archive.read("m5/datasets/t-001/tabulations/sdtm/json/dm.json").decode()
    arms = [("A", "Arm A", 1), ("P", "Arm P", 1)]
    for number in ("A1-001", "B1-001"):
        assert f'"T-001-{number}"' in dm and dummy_arm("T-001", number, arms)[1] in dm
    assert [p["number"] for p in login(w.users[UNBLINDED]).get(_api(w) + "/packages").json()["items"]] == [2, 1]


# --- building through the jobs API


def _job(client, w, blinded: bool):
    body = {"name": "analysis.package", "params": {"blinded": blinded}, "study_id": w.study.pk}
    return _post(client, "/api/v1/jobs", body)


def test_the_jobs_api_builds_a_package(edc_world, login, eager, django_capture_on_commit_callbacks):
    w = edc_world
    enter_data(w)
    client = login(w.users[UNBLINDED])
    with django_capture_on_commit_callbacks(execute=True):
        response = _job(client, w, blinded=False)
    assert response.status_code == 201, response.content
    job = client.get(f"/api/v1/jobs/{response.json()['id']}").json()
    assert job["status"] == "succeeded", job["error"]
    package = SubmissionPackage.objects.get(study=w.study)
    assert job["result"] == {
        "package": 1,
        "files": len(package.manifest["files"]),
        "findings": package.manifest["findings"]["total"],
        "download": f"/studies/{w.study.pk}/analysis/packages/1/download/",
    }
    assert package.blinded is False and package.requested_by == w.users[UNBLINDED]


def test_the_jobs_api_refuses_roles_without_analysis_run(edc_world, login):
    w = edc_world
    for role in (DM, "project_manager", "monitor"):
        assert _job(login(w.users[role]), w, blinded=True).status_code == 403, role
    assert _job(login(w.outsider), w, blinded=True).status_code in (403, 404)
    assert not Job.objects.filter(name="analysis.package").exists()


def test_a_blinded_reader_asking_for_the_real_arms_is_refused_at_submission(edc_world, login):
    """The job is the biostatistician's to start (analysis.run), but not with the real arms (treatment.view)."""
    w = edc_world
    response = _job(login(w.users[BIOSTAT]), w, blinded=False)
    assert response.status_code == 403
    assert not Job.objects.filter(name="analysis.package").exists()
    assert not SubmissionPackage.objects.filter(study=w.study).exists()
