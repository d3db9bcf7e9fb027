"""The data page starts imports, exports and check re-runs as jobs; exports download for their starter only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opencro.edc.models import ItemData
from opencro.edc.odm_export import clinical_export
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager(settings, tmp_path):
    settings.OPENCRO_JOBS_EAGER = True
    settings.OPENCRO_BROKER_URL = ""
    settings.VAR_DIR = tmp_path


def _enter(world):
    entries = [ItemEntry("IT.WEIGHT", "70"), ItemEntry("IT.SYSBP", "80"), ItemEntry("IT.DIABP", "95")]
    form_save(actor=None, subject=world.subject_a, event_oid="SE.SCR", form_oid="F.VS", entries=entries)


def test_export_job_writes_a_file_its_starter_downloads(edc_world, login, django_capture_on_commit_callbacks):
    _enter(edc_world)
    client = login(edc_world.users["data_manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/studies/{edc_world.study.pk}/edc/data/export/", {"audit": "1"})
    job = Job.objects.get(name="edc.export_odm")
    assert response.status_code == 302 and job.status == "succeeded", job.error
    download = client.get(job.result["download"])
    body = b"".join(download.streaming_content)
    assert download.status_code == 200 and b'ItemOID="IT.WEIGHT" Value="70"' in body and b"<AuditRecord" in body
    other = login(edc_world.users["project_manager"])
    assert other.get(job.result["download"]).status_code == 403


def test_import_job_reports_every_problem_and_writes_nothing(edc_world, login, django_capture_on_commit_callbacks):
    _enter(edc_world)
    out = io.BytesIO()
    clinical_export(edc_world.study, out)
    bad = out.getvalue().replace(b'Value="70"', b'Value="seventy"')
    client = login(edc_world.users["data_manager"])
    before = ItemData.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/studies/{edc_world.study.pk}/edc/data/import/",
            {"file": SimpleUploadedFile("bad.xml", bad, content_type="application/xml")},
        )
    job = Job.objects.get(name="edc.import_data")
    assert job.status == "failed"
    assert "subject A1-001, event SE.SCR, form F.VS, item IT.WEIGHT: value 'seventy': Enter a number." in job.error
    assert ItemData.objects.count() == before


def test_rerun_job_opens_queries(edc_world, login, django_capture_on_commit_callbacks):
    _enter(edc_world)
    client = login(edc_world.users["monitor"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/studies/{edc_world.study.pk}/edc/data/checks/")
    job = Job.objects.get(name="edc.run_checks")
    assert job.status == "succeeded" and job.result["forms"] == 1 and job.result["opened"] == 0


def test_import_needs_the_build_permission(edc_world, login):
    client = login(edc_world.users["monitor"])
    upload = SimpleUploadedFile("x.xml", b"<ODM/>", content_type="application/xml")
    assert client.post(f"/studies/{edc_world.study.pk}/edc/data/import/", {"file": upload}).status_code == 403
