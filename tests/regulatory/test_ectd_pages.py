"""eCTD sequences in the browser and the API: the list, one sequence, building the next one through the
`regulatory.ectd_build` job (run eagerly), the ZIP of a sequence folder, and who may do what (site-restricted
readers get 404: sequences are study-level records; see tests/security/ext_regulatory.py)."""

import io
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from opencro.accounts.permissions import DEFAULT_ROLES, SITE_SCOPED_ROLES, Perm, RoleCode
from opencro.accounts.services import membership_grant
from opencro.analysis.models import SubmissionPackage
from opencro.analysis.services import package_folder
from opencro.jobs.models import Job, JobStatus
from opencro.regulatory.ectd import ectd_sequence_build
from opencro.regulatory.jobs import ECTD_BUILD_JOB
from opencro.regulatory.models import EctdSequence, Submission
from opencro.regulatory.services import submissions as svc
from opencro.studies.models import Study
from tests.conftest import make_user
from tests.regulatory import test_ectd
from tests.regulatory.conftest import RA, application_type

pytestmark = pytest.mark.django_db
package = test_ectd.package  # the eCTD service tests' fixture: a built blinded package with SDTM and ADaM files
APPLICANT = test_ectd.APPLICANT
AUDITOR, MONITOR, PM = RoleCode.AUDITOR, RoleCode.MONITOR, RoleCode.PROJECT_MANAGER
UNBLINDED = "treatment assignments: building from it needs unblinded access"


@pytest.fixture(autouse=True)
def _applicant(settings) -> None:
    """The applicant the page's builds file as (the CLI names it on its command line)."""
    settings.OPENCRO_ECTD_APPLICANT = {
        "id": APPLICANT.applicant_id,
        "contact_name": APPLICANT.contact_name,
        "contact_phone": APPLICANT.contact_phone,
        "contact_email": APPLICANT.contact_email,
    }


def _page(w, name: str, *args, study=None) -> str:
    return reverse(f"regulatory:{name}", args=[(study or w.study).pk, *args])


def _api(w, tail: str = "", study=None) -> str:
    return f"/api/v1/studies/{(study or w.study).pk}/regulatory/ectd{tail}"


def _text(response) -> str:
    return response.content.decode()


def _built(w, actor=None) -> EctdSequence:
    """A sequence built into the study's application folder (under the test's VAR_DIR), through the service."""
    return ectd_sequence_build(actor=actor or w.user(RA), study=w.study, applicant=APPLICANT)


def _zip_names(response) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name: archive.read(name) for name in archive.namelist()}


def test_building_from_the_page_runs_the_job_and_the_sequence_is_listed(
    world, package, login, settings, django_capture_on_commit_callbacks
):
    submission = svc.submission_create(
        actor=world.user(RA),
        submission=Submission(
            study=world.study,
            authority=application_type("FDA", "IND").authority,
            application_type=application_type("FDA", "IND"),
            country=world.site_a.country,
            title="Initial IND",
            owner=world.user(RA),
        ),
    )
    client = login(world.user(RA))
    form = _text(client.get(_page(world, "ectd")))
    assert 'data-testid="ectd-build-form"' in form and "No sequence has been built yet." in form
    assert "Package 1 (blinded)" in form and f"{submission.number} · Initial IND" in form
    settings.OPENCRO_JOBS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            _page(world, "ectd"),
            {"description": "Initial IND datasets", "submission": submission.pk, "package": "1"},
        )
    job = Job.objects.get(name=ECTD_BUILD_JOB)
    assert started.status_code == 302 and started["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert job.params == {"description": "Initial IND datasets", "submission": submission.pk, "package": 1}
    record = EctdSequence.objects.get(study=world.study)
    assert (record.sequence, record.submission, record.package, record.built_by) == (
        "0000",
        submission,
        package,
        world.user(RA),
    )
    assert job.result["sequence"] == "0000" and job.result["download"] == _page(world, "ectd_download", "0000")
    listing = _text(client.get(_page(world, "ectd")))
    row = listing.split('data-sequence="0000"')[1].split("</tr>")[0]
    assert f'<td data-testid="ectd-new">{record.leaves}</td>' in row
    assert '<td data-testid="ectd-replace">0</td>' in row
    assert ">valid<" in row and submission.number in row and "1 · blinded" in row
    assert f'href="{_page(world, "ectd_download", "0000")}" download' in row
    detail = _text(client.get(_page(world, "ectd_sequence", "0000")))
    assert "m5/datasets/t-001/tabulations/sdtm/dm.xpt" in detail and "123456" in detail
    assert "Test sponsor" in detail  # the applicant company defaults to the study's sponsor
    assert "None: the sequence validated." in detail


def test_the_api_builds_lists_and_shows_a_replacing_sequence(
    world, package, login, settings, django_capture_on_commit_callbacks
):
    first = _built(world)
    dm = package_folder(package) / "m5" / "datasets" / "t-001" / "tabulations" / "sdtm" / "dm.xpt"
    dm.write_bytes(b"HEADER RECORD dm v2")
    client = login(world.user(PM))
    settings.OPENCRO_JOBS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(_api(world), {"description": "Updated DM"}, content_type="application/json")
    assert started.status_code == 202, started.content
    job = Job.objects.get(pk=started.json()["job_id"])
    assert started.json()["url"] == f"/api/v1/jobs/{job.pk}" and started.json()["page"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.SUCCEEDED, job.error
    listed = client.get(_api(world)).json()["items"]
    assert [s["sequence"] for s in listed] == ["0001", first.sequence]
    assert (listed[0]["replaced"], listed[0]["valid"], listed[0]["built_by"]) == (1, True, world.user(PM).username)
    assert listed[0]["package_number"] == 1 and listed[0]["package_blinded"] is True
    one = client.get(_api(world, "/0001")).json()
    operations = [leaf["operation"] for leaf in one["leaf_list"]]
    assert (operations.count("new"), one["leaves"]) == (listed[0]["new"], len(operations))
    assert [(leaf["operation"], leaf["path"]) for leaf in one["leaf_list"] if leaf["operation"] == "replace"] == [
        ("replace", "m5/datasets/t-001/tabulations/sdtm/dm.xpt")
    ]
    assert one["application_number"] == "123456" and one["problem_list"] == []
    assert client.get(_api(world, "/0009")).status_code == 404


def test_the_zip_holds_the_sequence_folder_and_a_missing_folder_is_a_clear_404(world, package, login):
    record = _built(world)
    client = login(world.user(AUDITOR))
    for response in (client.get(_page(world, "ectd_download", "0000")), client.get(_api(world, "/0000/download"))):
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        assert "T-001-ectd-0000.zip" in response["Content-Disposition"]
        files = _zip_names(response)
        assert {"0000/index.xml", "0000/index-md5.txt", "0000/m1/us/us-regional.xml"} <= set(files)
        assert files["0000/m5/datasets/t-001/tabulations/sdtm/dm.xpt"] == b"HEADER RECORD dm v1"
    shutil.rmtree(Path(record.folder))
    gone = client.get(_page(world, "ectd_download", "0000"))
    assert gone.status_code == 404 and "is no longer where it was written" in _text(gone)
    api_gone = client.get(_api(world, "/0000/download"))
    assert api_gone.status_code == 404 and "is no longer where it was written" in api_gone.json()["detail"]
    assert 'data-testid="ectd-download"' not in _text(client.get(_page(world, "ectd_sequence", "0000")))


def test_an_unblinded_package_is_refused_to_a_blinded_builder_and_its_zip_to_a_blinded_reader(world, package, login):
    client = login(world.user(RA))
    SubmissionPackage.objects.filter(pk=package.pk).update(blinded=False)
    refused = client.post(_page(world, "ectd"), {"description": "", "submission": "", "package": ""})
    assert refused.status_code == 200 and UNBLINDED in _text(refused)
    api = client.post(_api(world), {"package_number": 1}, content_type="application/json")
    assert api.status_code == 422 and UNBLINDED in str(api.json()["errors"]["package"])
    assert not Job.objects.filter(name=ECTD_BUILD_JOB).exists()
    record = ectd_sequence_build(actor=None, study=world.study, applicant=APPLICANT)  # the system may
    assert record.package == package
    listing = _text(client.get(_page(world, "ectd")))
    assert "unblinded" in listing and 'data-testid="ectd-download"' not in listing
    assert client.get(_page(world, "ectd_download", "0000")).status_code == 403
    assert client.get(_api(world, "/0000/download")).status_code == 403


def test_form_and_api_refusals(world, package, login):
    other = world.other_study
    elsewhere = svc.submission_create(
        actor=None,
        submission=Submission(
            study=other,
            authority=application_type("FDA", "IND").authority,
            application_type=application_type("FDA", "IND"),
            country=other.countries.get(code="US"),
            title="Other study's IND",
            owner=world.admin,
        ),
    )
    client = login(world.user(RA))
    form = client.post(_page(world, "ectd"), {"submission": elsewhere.pk, "package": "7"})
    text = _text(form)
    assert form.status_code == 200 and text.count("Select a valid choice.") == 2
    api = client.post(_api(world), {"submission_id": elsewhere.pk}, content_type="application/json")
    assert api.status_code == 422 and "belongs to another study" in str(api.json()["errors"]["submission"])
    no_package = client.post(_api(world), {"package_number": 7}, content_type="application/json")
    assert no_package.status_code == 422 and "no built package 7" in str(no_package.json()["errors"]["package"])
    assert not Job.objects.filter(name=ECTD_BUILD_JOB).exists()


def test_readers_without_edit_get_403_and_other_studies_404(world, package, login):
    _built(world)
    auditor = login(world.user(AUDITOR))
    page = _text(auditor.get(_page(world, "ectd")))
    assert 'data-sequence="0000"' in page and 'data-testid="ectd-build-form"' not in page
    assert auditor.post(_page(world, "ectd"), {}).status_code == 403
    assert auditor.post(_api(world), {}, content_type="application/json").status_code == 403
    specialist = login(world.user(RA))
    assert specialist.get(_page(world, "ectd", study=world.other_study)).status_code == 404
    assert specialist.get(_api(world, study=world.other_study)).status_code == 404
    outsider = login(world.outsider)
    for url in (_page(world, "ectd_sequence", "0000"), _api(world, "/0000"), _api(world, "/0000/download")):
        assert outsider.get(url).status_code == 404, url


def _reads(world) -> list[str]:
    """Every read of sequence 0000: its pages, its API answers, its ZIP both ways."""
    return [
        _page(world, "ectd"),
        _page(world, "ectd_sequence", "0000"),
        _page(world, "ectd_download", "0000"),
        _api(world),
        _api(world, "/0000"),
        _api(world, "/0000/download"),
    ]


def test_a_site_restricted_reader_gets_404_and_no_link(world, package, login):
    _built(world)
    client = login(world.user(MONITOR))
    for url in _reads(world):
        assert client.get(url).status_code == 404, url
    assert client.post(_api(world), {}, content_type="application/json").status_code == 404
    tracker = _text(client.get(_page(world, "tracker")))
    assert 'data-testid="regulatory-nav"' in tracker and _page(world, "ectd") not in tracker
    assert _page(world, "ectd") in _text(login(world.user(AUDITOR)).get(_page(world, "tracker")))


def _expected(role: str, perm: str, ok: int) -> int:
    if role in SITE_SCOPED_ROLES:
        return 404
    return ok if perm in DEFAULT_ROLES[role] else 403


@pytest.mark.parametrize("role", sorted(DEFAULT_ROLES))
def test_every_role_gets_what_its_permissions_allow(world, package, client, role):
    """The sweep the route matrix cannot state: regulatory.view and regulatory.edit, study-wide only (the rows in
    tests/security/ext_regulatory.py are baseline rows)."""
    _built(world)
    client.force_login(world.user(role))
    view, edit = Perm.REGULATORY_VIEW, Perm.REGULATORY_EDIT
    reads = _reads(world)
    got = {url: client.get(url).status_code for url in reads}
    assert got == dict.fromkeys(reads, _expected(role, view, 200))
    # the jobs are queued only: on_commit never fires inside the test's transaction
    assert client.post(_page(world, "ectd"), {}).status_code == _expected(role, edit, 302)
    assert client.post(_api(world), {}, content_type="application/json").status_code == _expected(role, edit, 202)


# Refused when asked for: what the US regional backbone needs (regulatory.ectd.ectd_regional_require, run by the
# job's submission check behind both the page and the API), and the one access rule of the page and the API.

NO_DUNS = "The applicant's DUNS number (US regional applicant-info) is not configured"
NO_IND = "The study has no six-digit IND number"
NO_COMPANY = "The applicant's company name is missing"


def _nothing_queued(world) -> None:
    assert not Job.objects.filter(name=ECTD_BUILD_JOB).exists()
    assert not EctdSequence.objects.filter(study=world.study).exists()


def test_a_build_without_the_applicant_duns_number_is_refused_at_once(
    world, package, login, settings, django_capture_on_commit_callbacks
):
    settings.OPENCRO_ECTD_APPLICANT = {**settings.OPENCRO_ECTD_APPLICANT, "id": "  "}
    settings.OPENCRO_JOBS_EAGER = True  # a job queued by mistake would run (and fail) here: none may exist
    client = login(world.user(RA))
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(_page(world, "ectd"), {"description": "Initial IND datasets", "package": "1"})
        api = client.post(_api(world), {"description": "Initial IND datasets"}, content_type="application/json")
    text = _text(page)
    assert page.status_code == 200 and 'data-testid="ectd-build-form"' in text
    assert escape(NO_DUNS) in text and "OPENCRO_ECTD_APPLICANT_ID" in text
    assert 'value="Initial IND datasets"' in text  # the form is kept as it was sent
    assert api.status_code == 422, api.content
    errors = api.json()["errors"]
    assert set(errors) == {"applicant_id"}
    assert NO_DUNS in errors["applicant_id"][0] and "OPENCRO_ECTD_APPLICANT_ID" in errors["applicant_id"][0]
    _nothing_queued(world)


def test_a_missing_ind_number_and_company_are_refused_with_every_other_error(world, package, login, settings):
    settings.OPENCRO_ECTD_APPLICANT = {**settings.OPENCRO_ECTD_APPLICANT, "company": ""}
    Study.objects.filter(pk=world.study.pk).update(ind_number="IND pending", sponsor="")
    client = login(world.user(RA))
    page = _text(client.post(_page(world, "ectd"), {"description": "", "submission": "", "package": ""}))
    assert escape(NO_IND) in page and escape(NO_COMPANY) in page
    assert f"PATCH /api/v1/studies/{world.study.pk}" in page  # where to set them
    api = client.post(_api(world), {"package_number": 7}, content_type="application/json")
    assert api.status_code == 422
    errors = api.json()["errors"]
    assert set(errors) == {"package", "ind_number", "company"}  # the inputs' refusal and the backbone's, at once
    assert NO_IND in errors["ind_number"][0] and NO_COMPANY in errors["company"][0]
    _nothing_queued(world)


def test_the_builder_refuses_what_the_request_check_refuses(world, package):
    """The CLI and the job build through the same rule: nothing is written without a DUNS number."""
    with pytest.raises(ValidationError) as refused:
        ectd_sequence_build(actor=world.user(RA), study=world.study, applicant=replace(APPLICANT, applicant_id=""))
    assert NO_DUNS in refused.value.message_dict["applicant_id"][0]
    assert not EctdSequence.objects.filter(study=world.study).exists()


def test_page_and_api_builds_follow_one_scope_rule(world, package, login):
    """A specialist restricted to a site holds `regulatory.edit`, yet sequences are study-level: the page and the
    API both answer 404 (the eCTD scope rule), not the 403 or 202 the permission alone would give."""
    restricted = make_user("ra-site-a")
    membership_grant(actor=None, user=restricted, study=world.study, role_code=RA, sites=[world.site_a])
    client = login(restricted)
    assert client.post(_page(world, "ectd"), {"description": "x"}).status_code == 404
    assert client.post(_api(world), {"description": "x"}, content_type="application/json").status_code == 404
    assert client.get(_page(world, "ectd")).status_code == 404 and client.get(_api(world)).status_code == 404
    _nothing_queued(world)
    study_wide = login(world.user(RA))
    assert study_wide.post(_api(world), {}, content_type="application/json").status_code == 202
