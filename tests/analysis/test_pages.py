"""The submission package pages: the mapping specification (versions, generating, editing with located errors) and
the packages (building as a job, the manifest, the ZIP), role by role, blinding included.

World: tests/analysis/conftest.py's edc_world (T-001 with the annotated small eCRF build, a randomised subject at
A1 in arm A and one at B1 in arm P). The biostatistician holds `analysis.run` (blinded); the unblinded statistician
also `treatment.view`; the data manager neither (403); the outsider is no member of T-001 (404).
"""

import io
import zipfile

import pytest
import yaml
from django.test import Client
from django.utils import timezone

from opencro.analysis.models import MappingSpec, PackageStatus, SpecOrigin, SubmissionPackage
from opencro.analysis.services import mapping_spec_create_default, package_build, package_start
from opencro.audit.services import audited_save
from opencro.edc.models import FormData
from opencro.jobs.models import Job
from tests.analysis.conftest import enter_data

pytestmark = pytest.mark.django_db

BIOSTAT, UNBLINDED, DM = "biostatistician", "unblinded_statistician", "data_manager"


def _base(w) -> str:
    return f"/studies/{w.study.pk}/analysis/"


def _built(w, role: str, *, blinded: bool) -> SubmissionPackage:
    """A package built by `role` (data entered first: see the report on empty studies)."""
    if not FormData.objects.filter(subject=w.subject_a).exists():
        enter_data(w)
    user = w.users[role]
    package = package_build(actor=user, package=package_start(actor=user, study=w.study, blinded=blinded))
    assert package.status == PackageStatus.DONE, package.error
    return package


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _urls(w, spec: int = 1, package: int = 1) -> list[str]:
    base = _base(w)
    return [
        base,
        base + f"specs/{spec}/",
        base + "specs/edit/",
        base + f"packages/{package}/",
        base + f"packages/{package}/download/",
    ]


# --- who may open the pages


@pytest.mark.parametrize("role", [BIOSTAT, UNBLINDED])
def test_statisticians_open_every_page(edc_world, login, role):
    w = edc_world
    mapping_spec_create_default(actor=w.users[role], study=w.study)
    _built(w, role, blinded=True)
    client = login(w.users[role])
    for url in _urls(w):
        assert client.get(url).status_code == 200, url


def test_a_member_without_analysis_run_is_refused_everywhere(edc_world, login):
    w = edc_world
    mapping_spec_create_default(actor=w.users[BIOSTAT], study=w.study)
    _built(w, BIOSTAT, blinded=True)
    client = login(w.users[DM])
    for url in _urls(w):
        assert client.get(url).status_code == 403, url
    posts = ["specs/default/", "specs/edit/", "packages/build/"]
    for tail in posts:
        assert client.post(_base(w) + tail, {"text": "x", "blinded": "on"}).status_code == 403, tail
    assert MappingSpec.objects.filter(study=w.study).count() == 1
    assert not Job.objects.filter(name="analysis.package").exists()


def test_an_outsider_finds_nothing(edc_world, login):
    w = edc_world
    mapping_spec_create_default(actor=w.users[BIOSTAT], study=w.study)
    _built(w, BIOSTAT, blinded=True)
    client = login(w.outsider)
    for url in _urls(w):
        assert client.get(url).status_code == 404, url
    assert client.post(_base(w) + "specs/default/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(edc_world, client):
    response = client.get(_base(edc_world))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_nav_link_shows_for_analysts_only(edc_world, login):
    w = edc_world
    home = f"/studies/{w.study.pk}/"
    assert b'data-testid="nav-analysis"' in login(w.users[BIOSTAT]).get(home).content
    assert b'data-testid="nav-analysis"' not in login(w.users[DM]).get(home).content


def test_an_unknown_version_or_package_is_404(edc_world, login):
    client = login(edc_world.users[UNBLINDED])
    for url in _urls(edc_world, spec=7, package=7)[1:]:
        if "edit" not in url:
            assert client.get(url).status_code == 404, url


# --- the mapping specification


def test_the_overview_before_anything_offers_to_generate(edc_world, login):
    response = login(edc_world.users[BIOSTAT]).get(_base(edc_world))
    assert b'data-testid="spec-none"' in response.content
    assert b"Generate from the eCRF annotations" in response.content
    assert b'data-testid="spec-edit"' not in response.content  # nothing to edit yet
    assert b"No package built yet." in response.content


def test_generating_from_the_annotations_makes_a_version_and_shows_it(edc_world, login):
    w = edc_world
    client = login(w.users[BIOSTAT])
    response = client.post(_base(w) + "specs/default/", follow=True)
    spec = MappingSpec.objects.get(study=w.study)
    assert response.redirect_chain == [(_base(w) + "specs/1/", 302)]
    assert (spec.number, spec.origin, spec.created_by) == (1, SpecOrigin.DEFAULT, w.users[BIOSTAT])
    page = response.content.decode()
    assert "Version 1 generated from the eCRF annotations." in page
    assert 'data-testid="spec-yaml"' in page
    for domain in ("DM", "VS", "AE"):  # the annotated groups of tests/analysis/conftest.py
        assert f"domain: {domain}" in page
    notes = spec.content.get("notes", [])
    assert page.count("<li>") >= len(notes)
    for note in notes:
        assert note.replace("'", "&#x27;").replace('"', "&quot;") in page
    overview = client.get(_base(w)).content.decode()
    assert 'data-testid="spec-current-link">1<' in overview
    assert f'data-testid="spec-current-notes">{len(notes)}<' in overview
    assert 'data-version="1"' in overview


def test_the_edit_page_is_prefilled_and_saves_a_new_version(edc_world, login):
    w = edc_world
    first = mapping_spec_create_default(actor=w.users[BIOSTAT], study=w.study)
    client = login(w.users[UNBLINDED])
    page = client.get(_base(w) + "specs/edit/")
    initial = page.context["form"].initial["text"]
    assert initial.startswith("study_id:") and "domain: DM" in initial
    edited = initial.replace("domain: AE", "domain: AE\n  # reviewed", 1)
    response = client.post(_base(w) + "specs/edit/", {"text": edited, "note": "AE reviewed"}, follow=True)
    assert response.redirect_chain == [(_base(w) + "specs/2/", 302)]
    assert "Version 2 saved." in response.content.decode()
    second = MappingSpec.objects.get(study=w.study, number=2)
    assert (second.origin, second.note, second.created_by) == (SpecOrigin.EDITED, "AE reviewed", w.users[UNBLINDED])
    assert second.content == first.content  # a YAML comment changes nothing in the document
    assert client.get(_base(w) + "specs/1/").status_code == 200  # the older version stays readable


@pytest.mark.parametrize(
    ("text", "located"),
    [
        ("domains: [\n  - a: b\n", "line 2, column 3"),  # PyYAML: a block entry inside a flow sequence
        ("study_id: T-001\ndomains:\n  - domain: AE\n    class: nonsense\n", "domains[1]"),
    ],
)
def test_a_refused_specification_is_shown_beside_the_text(edc_world, login, text, located):
    w = edc_world
    mapping_spec_create_default(actor=w.users[BIOSTAT], study=w.study)
    response = login(w.users[BIOSTAT]).post(_base(w) + "specs/edit/", {"text": text, "note": "broken"})
    assert response.status_code == 200
    errors = response.context["form"].errors["text"]
    assert len(errors) == 1 and located in errors[0], errors
    assert located in response.content.decode().split('data-testid="spec-text-errors"')[1].split("</div>")[0]
    assert MappingSpec.objects.filter(study=w.study).count() == 1


def test_posts_need_the_csrf_token(edc_world):
    w = edc_world
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.users[BIOSTAT])
    assert client.post(_base(w) + "specs/default/").status_code == 403
    assert client.post(_base(w) + "packages/build/", {"blinded": "on"}).status_code == 403
    assert not MappingSpec.objects.filter(study=w.study).exists()
    client.get(_base(w))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    assert client.post(_base(w) + "specs/default/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert MappingSpec.objects.filter(study=w.study).count() == 1


def test_pages_refuse_the_wrong_method(edc_world, login):
    client = login(edc_world.users[BIOSTAT])
    assert client.get(_base(edc_world) + "specs/default/").status_code == 405
    assert client.get(_base(edc_world) + "packages/build/").status_code == 405
    assert client.post(_base(edc_world)).status_code == 405


# --- packages


def test_a_blinded_reader_gets_a_disabled_ticked_box(edc_world, login):
    form = login(edc_world.users[BIOSTAT]).get(_base(edc_world)).context["package_form"]
    assert form["blinded"].field.disabled and form["blinded"].value() is True
    form = login(edc_world.users[UNBLINDED]).get(_base(edc_world)).context["package_form"]
    assert not form["blinded"].field.disabled and form["blinded"].value() is True


def test_building_from_the_page_runs_the_job_and_lists_the_package(
    edc_world, login, eager, django_capture_on_commit_callbacks
):
    w = edc_world
    enter_data(w)
    client = login(w.users[UNBLINDED])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_base(w) + "packages/build/", {})  # the box unticked: the real arms
    job = Job.objects.get(name="analysis.package")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "succeeded", job.error
    assert job.params == {"blinded": False} and job.study_id == w.study.pk
    package = SubmissionPackage.objects.get(study=w.study)
    assert (package.number, package.blinded, package.status) == (1, False, PackageStatus.DONE)
    assert job.result["download"] == _base(w) + "packages/1/download/"
    assert client.get(f"/jobs/{job.pk}/").status_code == 200
    overview = client.get(_base(w)).content.decode()
    row = overview.split('data-number="1"')[1].split("</tr>")[0]
    assert 'data-status="done"' in overview and 'data-blinded="no"' in overview
    assert f"<td>{len(package.manifest['files'])}</td>" in row
    assert f"<td>{package.manifest['findings']['total']}</td>" in row
    assert "packages/1/download/" in row


def test_a_blinded_reader_builds_a_blinded_package_whatever_the_form_says(
    edc_world, login, eager, django_capture_on_commit_callbacks
):
    w = edc_world
    enter_data(w)
    client = login(w.users[BIOSTAT])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_base(w) + "packages/build/", {})  # an unticked box, as a forged form would send
    job = Job.objects.get(name="analysis.package")
    assert response.status_code == 302 and job.params == {"blinded": True}
    assert job.status == "succeeded", job.error
    assert SubmissionPackage.objects.get(study=w.study).blinded is True


def test_the_package_page_shows_the_manifest(edc_world, login):
    w = edc_world
    enter_data(w)
    package = _built(w, UNBLINDED, blinded=False)
    response = login(w.users[UNBLINDED]).get(_base(w) + "packages/1/")
    page = response.content.decode()
    manifest = package.manifest
    assert 'data-testid="package-status">Built<' in page
    assert 'data-testid="package-blinded">no<' in page and 'data-testid="package-locked">no<' in page
    dm = manifest["datasets"]["DM"]
    assert f'<tr data-dataset="DM"><td>DM</td><td>{dm["records"]}</td><td>{dm["variables"]}</td></tr>' in page
    assert dm["records"] == 2  # the two randomised subjects of the world
    assert f'data-testid="findings-total">{manifest["findings"]["total"]}<' in page
    for rule, n in manifest["findings"]["by_rule"].items():
        assert f'<tr data-rule="{rule}"><td><code>{rule}</code></td><td>{n}</td></tr>' in page
    for entry in manifest["files"]:
        assert f"<code>{entry['path']}</code></td><td>{entry['bytes']}</td><td><code>{entry['sha256']}</code>" in page
    assert "m5/datasets/t-001/tabulations/sdtm/define.xml" in page
    assert 'data-testid="package-download"' in page


def test_the_download_is_the_package_folder_as_a_zip(edc_world, login):
    w = edc_world
    enter_data(w)
    package = _built(w, BIOSTAT, blinded=True)
    response = login(w.users[BIOSTAT]).get(_base(w) + "packages/1/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="T-001-package-1.zip"'
    archive = zipfile.ZipFile(io.BytesIO(_body(response)))
    names = set(archive.namelist())
    assert {f["path"] for f in package.manifest["files"]} <= names
    assert "manifest.json" in names and "m5/datasets/t-001/tabulations/sdtm/dm.xpt" in names
    assert b"Arm A" not in archive.read("m5/datasets/t-001/tabulations/sdtm/define.xml")  # blinded


def test_a_package_not_built_has_no_download(edc_world, login):
    w = edc_world
    started = package_start(actor=w.users[BIOSTAT], study=w.study, blinded=True)
    client = login(w.users[BIOSTAT])
    assert client.get(_base(w) + "packages/1/download/").status_code == 404
    page = client.get(_base(w) + "packages/1/").content.decode()
    assert 'data-testid="package-status">Building<' in page and 'data-testid="package-download"' not in page
    assert started.status == PackageStatus.RUNNING


def test_a_failed_package_shows_its_error(edc_world, login):
    w = edc_world
    package = package_start(actor=w.users[BIOSTAT], study=w.study, blinded=True)
    SubmissionPackage.objects.filter(pk=package.pk).update(status=PackageStatus.FAILED, error="DM: no subjects")
    page = login(w.users[BIOSTAT]).get(_base(w) + "packages/1/").content.decode()
    assert 'data-testid="package-error">DM: no subjects<' in page
    assert login(w.users[BIOSTAT]).get(_base(w) + "packages/1/download/").status_code == 404


def test_a_blinded_reader_never_sees_an_unblinded_package(edc_world, login):
    w = edc_world
    enter_data(w)
    unblinded = _built(w, UNBLINDED, blinded=False)
    blinded = _built(w, UNBLINDED, blinded=True)
    assert (unblinded.number, blinded.number) == (1, 2)
    reader = login(w.users[BIOSTAT])
    overview = reader.get(_base(w)).content.decode()
    assert 'data-number="2"' in overview and 'data-number="1"' not in overview
    assert reader.get(_base(w) + "packages/1/").status_code == 404
    assert reader.get(_base(w) + "packages/1/download/").status_code == 404
    spec_page = reader.get(_base(w) + "specs/1/").content.decode()
    assert "packages/2/" in spec_page and "packages/1/" not in spec_page
    assert "Arm A" not in overview + spec_page
    statistician = login(w.users[UNBLINDED])
    assert statistician.get(_base(w) + "packages/1/download/").status_code == 200


def test_a_stored_version_that_does_not_load_shows_its_problem(edc_world, login):
    """A version whose document the loader refuses (as the default mapping of an eCRF group without an SDTM
    domain was at the time of writing) is shown as stored, with the located problem, and can be corrected."""
    w = edc_world
    broken = {"study_id": "T-001", "domains": [{"domain": "", "domain_class": "EVENTS"}]}
    audited_save(
        MappingSpec(
            study=w.study,
            number=1,
            origin=SpecOrigin.DEFAULT,
            content=broken,
            created_by=w.users[BIOSTAT],
            created_at=timezone.now(),
        ),
        actor=None,
    )
    client = login(w.users[BIOSTAT])
    page = client.get(_base(w) + "specs/1/")
    assert page.status_code == 200
    assert "domains[1]" in page.context["problem"] and 'data-testid="spec-problem"' in page.content.decode()
    assert yaml.safe_load(page.context["text"]) == broken
    assert yaml.safe_load(client.get(_base(w) + "specs/edit/").context["form"].initial["text"]) == broken
    fixed = "study_id: T-001\ndomains: []\n"
    assert client.post(_base(w) + "specs/edit/", {"text": fixed, "note": "fixed"}).status_code == 302
    assert client.get(_base(w) + "specs/2/").context["problem"] == ""
