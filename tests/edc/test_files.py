"""File items: upload on the form page and through the API, replace with a reason, download site-scoped."""

import datetime as dt

import pytest
from django.test import override_settings

from opencro.audit.models import AuditRecord
from opencro.edc.models import ItemData, ItemFile
from opencro.edc.services.build import build_import
from opencro.edc.services.entry import FormErrors, ItemEntry, form_save
from opencro.edc.spec import spec_cache_clear
from opencro.edc.uploads import Upload
from opencro.formats import build as b
from tests.edc.builds import _item, small_build

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% an ECG tracing\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


@pytest.fixture
def file_world(world):
    """The small build with a file item (an ECG tracing) on the vital-signs form."""
    spec_cache_clear()
    build = small_build()
    build.items.append(_item("IT.ECG", "ecg", "text", control_type="file"))
    next(g for g in build.item_groups if g.oid == "IG.VS").items.append(b.ItemRef("IT.ECG"))
    world.version = build_import(actor=world.users["data_manager"], study=world.study, build=build)
    return world


def save(w, *, files=(), entries=(), reason="", subject=None, user="study_coordinator"):
    return form_save(
        actor=w.users[user] if user else None,
        subject=subject or w.subject_a,
        event_oid="SE.SCR",
        form_oid="F.VS",
        entries=list(entries),
        files=list(files),
        reason=reason,
        today=dt.date(2026, 6, 1),
    )


def test_an_upload_becomes_the_value_and_is_kept_with_its_digest(file_world):
    result = save(file_world, files=[Upload("IT.ECG", "ecg 01.pdf", PDF)], entries=[ItemEntry("IT.WEIGHT", "70")])
    stored = ItemFile.objects.get()
    assert (stored.name, stored.content_type, stored.size, bytes(stored.content)) == (
        "ecg 01.pdf",
        "application/pdf",
        len(PDF),
        PDF,
    )
    value = ItemData.objects.get(form=result.form, item_def__oid="IT.ECG").value
    assert value == stored.label and stored.sha256[:12] in value
    created = AuditRecord.objects.filter(object_type="edc.itemfile", object_id=str(stored.pk))
    assert {r.field for r in created} >= {"name", "sha256", "size"} and "content" not in {r.field for r in created}


def test_replacing_a_file_needs_a_reason_and_keeps_the_old_one(file_world):
    save(file_world, files=[Upload("IT.ECG", "ecg.pdf", PDF)])
    with pytest.raises(FormErrors) as refused:
        save(file_world, files=[Upload("IT.ECG", "ecg.png", PNG)])
    assert "IT.ECG" in refused.value.field_errors and ItemFile.objects.count() == 1
    save(file_world, files=[Upload("IT.ECG", "ecg.png", PNG)], reason="Wrong tracing attached")
    assert ItemFile.objects.count() == 2
    change = AuditRecord.objects.get(object_type="edc.itemdata", field="value", action="update")
    assert change.old_value.startswith("ecg.pdf") and change.new_value.startswith("ecg.png")
    assert change.reason == "Wrong tracing attached"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (Upload("IT.ECG", "run.exe", b"MZ..."), "not accepted"),
        (Upload("IT.ECG", "fake.pdf", b"MZ not a pdf"), "content is not .pdf"),
        (Upload("IT.ECG", "empty.pdf", b""), "empty"),
        (Upload("IT.WEIGHT", "x.pdf", PDF), "not a file item"),
        (Upload("IT.NOPE", "x.pdf", PDF), "not a file item"),
    ],
)
def test_a_bad_upload_is_refused_on_its_item_and_nothing_is_written(file_world, upload, message):
    with pytest.raises(FormErrors) as refused:
        save(file_world, files=[upload], entries=[ItemEntry("IT.WEIGHT", "70")])
    assert any(message in text for text in refused.value.field_errors.values())
    assert not ItemFile.objects.exists() and not ItemData.objects.exists()


@override_settings(OPENCRO_MAX_UPLOAD_MB=1)
def test_a_file_over_the_size_limit_is_refused(file_world):
    with pytest.raises(FormErrors) as refused:
        save(file_world, files=[Upload("IT.ECG", "big.pdf", b"%PDF-" + b"0" * 2**20)])
    assert "larger than 1 MB" in refused.value.field_errors["IT.ECG"]


def test_a_file_item_takes_no_typed_value(file_world):
    with pytest.raises(FormErrors) as refused:
        save(file_world, entries=[ItemEntry("IT.ECG", "pretend.pdf")])
    assert "Upload a file" in refused.value.field_errors["IT.ECG"]


def test_a_file_name_is_made_safe(file_world):
    save(file_world, files=[Upload("IT.ECG", '..\\..\\C:/evil"<name>.pdf', PDF)])
    assert ItemFile.objects.get().name == "evil__name_.pdf"


def test_form_page_uploads_shows_and_downloads(file_world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(file_world.users["study_coordinator"])
    url = f"/studies/{file_world.study.pk}/edc/subjects/{file_world.subject_a.pk}/SE.SCR/1/F.VS/1/"
    assert 'enctype="multipart/form-data"' in client.get(url).content.decode()
    posted = client.post(
        url, {"v:IT.WEIGHT:1": "70", "file:IT.ECG:1": SimpleUploadedFile("ecg.pdf", PDF, "application/x-evil")}
    )
    assert posted.status_code == 302
    stored = ItemFile.objects.get()
    assert stored.content_type == "application/pdf"  # what we serve, not what the browser claimed
    html = client.get(url).content.decode()
    assert f"/edc/files/{stored.pk}/" in html and "ecg.pdf" in html
    got = client.get(f"/studies/{file_world.study.pk}/edc/files/{stored.pk}/")
    assert got.status_code == 200 and got.content == PDF
    assert got["Content-Disposition"].startswith("attachment;") and got["X-Content-Type-Options"] == "nosniff"


def test_api_uploads_lists_and_downloads(file_world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(file_world.users["study_coordinator"])
    form = f"/api/v1/studies/{file_world.study.pk}/edc/subjects/{file_world.subject_a.pk}/forms/SE.SCR/1/F.VS/1"
    sent = client.post(form + "/files", {"item_oid": "IT.ECG", "file": SimpleUploadedFile("t.png", PNG)})
    assert sent.status_code == 200, sent.content
    assert next(i for i in sent.json()["items"] if i["oid"] == "IT.ECG")["value"].startswith("t.png [sha256:")
    listed = client.get(form + "/files").json()
    assert [(f["item_oid"], f["name"], f["size"]) for f in listed] == [("IT.ECG", "t.png", len(PNG))]
    got = client.get(f"/api/v1/studies/{file_world.study.pk}/edc/files/{listed[0]['id']}")
    assert got.status_code == 200 and got.content == PNG and got["Content-Type"] == "image/png"
    bad = client.post(form + "/files", {"item_oid": "IT.ECG", "file": SimpleUploadedFile("t.exe", b"MZ")})
    assert bad.status_code == 422 and "IT.ECG" in bad.json()["errors"]


def test_files_of_another_site_are_not_found(file_world, login):
    save(file_world, files=[Upload("IT.ECG", "b.pdf", PDF)], subject=file_world.subject_b, user=None)
    stored = ItemFile.objects.get()
    coordinator = login(file_world.users["study_coordinator"])  # site A1 only
    assert coordinator.get(f"/studies/{file_world.study.pk}/edc/files/{stored.pk}/").status_code == 404
    assert coordinator.get(f"/api/v1/studies/{file_world.study.pk}/edc/files/{stored.pk}").status_code == 404
    assert (
        login(file_world.users["data_manager"])
        .get(f"/studies/{file_world.study.pk}/edc/files/{stored.pk}/")
        .status_code
        == 200
    )
