"""Build versions: new casebooks start on the newest build; moving a subject is audited and loses nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.audit.models import AuditRecord
from opencro.edc.models import Casebook, FormData, ItemData
from opencro.edc.selectors import form_page
from opencro.edc.services.build import build_import
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.edc.services.migration import casebook_migrate
from opencro.formats import build as b
from tests.edc.builds import small_build

pytestmark = pytest.mark.django_db


def second_build() -> b.StudyBuild:
    """Version 2: race leaves the demographics form, temperature joins vital signs."""
    build = small_build()
    build.version_oid, build.version_name = "MDV.2", "Build 2"
    build.item_groups[0].items = [r for r in build.item_groups[0].items if r.item_oid != "IT.RACE"]
    build.items.append(b.ItemDef("IT.TEMP", "temp", "float", significant_digits=1, question={"en": "Temperature"}))
    build.item_groups[1].items.append(b.ItemRef("IT.TEMP"))
    return build


def _dm(world, subject):
    entries = [
        ItemEntry("IT.BRTHDAT", "1960-05-01"),
        ItemEntry("IT.SEX", "F"),
        ItemEntry("IT.PREG", "0"),
        ItemEntry("IT.RACE", "1"),
    ]
    return form_save(
        actor=world.users["investigator"], subject=subject, event_oid="SE.SCR", form_oid="F.DM", entries=entries
    )


def test_new_casebooks_start_on_the_newest_version_old_ones_stay(edc_world):
    _dm(edc_world, edc_world.subject_a)
    v2 = build_import(actor=edc_world.users["data_manager"], study=edc_world.study, build=second_build())
    assert Casebook.objects.get(subject=edc_world.subject_a).version == edc_world.version
    form_save(
        actor=None,
        subject=edc_world.subject_b,
        event_oid="SE.SCR",
        form_oid="F.VS",
        entries=[ItemEntry("IT.TEMP", "37.2")],
    )
    assert Casebook.objects.get(subject=edc_world.subject_b).version == v2
    page = form_page(edc_world.subject_a, "SE.SCR", 1, "F.VS", 1)
    assert "IT.TEMP" not in page.spec.field_by_oid()  # subject A still sees the form it was entered under


def test_migration_moves_matching_data_and_keeps_the_rest(edc_world):
    saved = _dm(edc_world, edc_world.subject_a)
    v2 = build_import(actor=edc_world.users["data_manager"], study=edc_world.study, build=second_build())
    report = casebook_migrate(
        actor=edc_world.users["data_manager"], subject=edc_world.subject_a, version=v2, reason="protocol amendment 2"
    )
    assert (report.events_moved, report.forms_moved, report.values_moved) == (1, 1, 3)
    assert report.kept == ["F.DM IT.RACE: not on the form in MDV.2, kept as entered"]
    form = FormData.objects.get(pk=saved.form.pk)
    assert form.form_def.version == v2
    race = ItemData.objects.get(form=form, item_def__oid="IT.RACE")
    assert (race.value, race.item_def.version_id) == ("1", edc_world.version.pk)  # still there, on version 1
    moved = AuditRecord.objects.filter(object_type="edc.itemdata", field="item_def", reason="protocol amendment 2")
    assert moved.count() == 3
    assert Casebook.objects.get(subject=edc_world.subject_a).version == v2
    page = form_page(edc_world.subject_a, "SE.SCR", 1, "F.VS", 1)
    assert "IT.TEMP" in page.spec.field_by_oid()


def test_migration_needs_the_build_permission_and_a_reason(edc_world):
    _dm(edc_world, edc_world.subject_a)
    v2 = build_import(actor=edc_world.users["data_manager"], study=edc_world.study, build=second_build())
    with pytest.raises(PermissionDenied):
        casebook_migrate(actor=edc_world.users["monitor"], subject=edc_world.subject_a, version=v2, reason="x")
    with pytest.raises(ValidationError):
        casebook_migrate(actor=edc_world.users["data_manager"], subject=edc_world.subject_a, version=v2, reason=" ")


def test_migration_through_the_api(edc_world, login):
    _dm(edc_world, edc_world.subject_a)
    v2 = build_import(actor=edc_world.users["data_manager"], study=edc_world.study, build=second_build())
    client = login(edc_world.users["data_manager"])
    url = f"/api/v1/studies/{edc_world.study.pk}/edc/subjects/{edc_world.subject_a.pk}/migrate"
    response = client.post(url, {"version_id": v2.pk, "reason": "amendment 2"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["kept"] == ["F.DM IT.RACE: not on the form in MDV.2, kept as entered"]
    again = client.post(url, {"version_id": v2.pk, "reason": "twice"}, content_type="application/json")
    assert again.status_code == 422
