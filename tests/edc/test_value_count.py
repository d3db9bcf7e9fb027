"""Each page's count of values (`FormData.value_count`, which the KRIs sum instead of reading every value) equals
its values that are not empty, after each writer of values: entry (new, changed, cleared, not done) and the ODM
import (new pages, values added to and changed on pages that existed)."""

import io

import pytest
from django.db.models import Count

from opencro.edc.models import FormData, ItemData
from opencro.edc.odm_export import clinical_export
from opencro.edc.services.build import build_import
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.edc.services.odm_import import clinical_import
from tests.edc.builds import small_build

pytestmark = pytest.mark.django_db

VITALS = [ItemEntry("IT.WEIGHT", "70.5"), ItemEntry("IT.HEIGHT", "172"), ItemEntry("IT.SYSBP", "120")]


def counts(study) -> dict[int, tuple[int, int]]:
    """Page id -> (kept count, values not empty counted now) for every page of the study."""
    live = dict(
        ItemData.objects.filter(form__study=study, value__isnull=False)
        .values("form_id")
        .annotate(n=Count("id"))
        .values_list("form_id", "n")
    )
    return {
        pk: (kept, live.get(pk, 0))
        for pk, kept in FormData.objects.filter(study=study).values_list("pk", "value_count")
    }


def wrong(study) -> dict[int, tuple[int, int]]:
    return {pk: pair for pk, pair in counts(study).items() if pair[0] != pair[1]}


def _save(world, event, form, entries, **kw):
    return form_save(
        actor=world.users["study_coordinator"],
        subject=world.subject_a,
        event_oid=event,
        form_oid=form,
        entries=entries,
        **kw,
    ).form


def test_entry_keeps_the_count_through_new_changed_cleared_and_not_done_values(edc_world):
    page = _save(edc_world, "SE.SCR", "F.VS", VITALS)
    first = FormData.objects.get(pk=page.pk).value_count
    assert first >= 3 and not wrong(edc_world.study)  # three entered, plus what the build derives from them
    _save(edc_world, "SE.SCR", "F.VS", [ItemEntry("IT.SYSBP", "125")], reason="transcription error")
    assert FormData.objects.get(pk=page.pk).value_count == first and not wrong(edc_world.study)
    _save(edc_world, "SE.SCR", "F.VS", [ItemEntry("IT.SYSBP", None)], reason="not measured")
    assert FormData.objects.get(pk=page.pk).value_count == first - 1 and not wrong(edc_world.study)
    _save(edc_world, "SE.W4", "F.VS", [ItemEntry("IT.WEIGHT", None, not_done_reason="scale broken")])
    assert not wrong(edc_world.study)
    assert sorted(kept for kept, _live in counts(edc_world.study).values()) == [0, first - 1]


def test_odm_import_counts_new_pages_and_values_added_or_changed_on_old_ones(edc_world):
    _save(edc_world, "SE.SCR", "F.VS", VITALS)
    _save(edc_world, "SE.W4", "F.VS", VITALS[:1])
    out = io.BytesIO()
    clinical_export(edc_world.study, out)
    data = out.getvalue().decode()
    other = edc_world.other_study
    build_import(actor=None, study=other, build=small_build())
    clinical_import(actor=None, study=other, source=io.BytesIO(data.encode()), source_name="new.xml")
    assert sum(kept for kept, _live in counts(other).values()) >= 4 and not wrong(other)
    # into the study the file came from: week 4 gains a height (and what derives from it), screening changes one
    w4 = data.index('StudyEventOID="SE.W4"')
    end = data.index("</ItemGroupData>", w4)
    added = data[:end] + '<ItemData ItemOID="IT.HEIGHT" Value="180"/>' + data[end:]
    added = added.replace('Value="120"', 'Value="118"', 1)
    before = sum(kept for kept, _live in counts(edc_world.study).values())
    report = clinical_import(
        actor=None, study=edc_world.study, source=io.BytesIO(added.encode()), source_name="more.xml"
    )
    assert report.values_changed == 1
    assert sum(kept for kept, _live in counts(edc_world.study).values()) > before and not wrong(edc_world.study)
