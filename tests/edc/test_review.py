"""Data-manager review: mark reviewed, take it back with a reason, and lose it when the data change."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.audit.models import AuditRecord
from opencro.edc.models import FormData
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.edc.services.locks import data_freeze, data_lock
from opencro.edc.services.review import form_review, form_unreview

pytestmark = pytest.mark.django_db


def save(w, values, *, reason="", subject=None, actor="study_coordinator"):
    return form_save(
        actor=w.users[actor] if actor else None,
        subject=subject or w.subject_a,
        event_oid="SE.SCR",
        form_oid="F.VS",
        entries=[ItemEntry(oid, v) for oid, v in values.items()],
        reason=reason,
        today=dt.date(2026, 6, 1),
    ).form


def reviewed(form) -> bool:
    return FormData.objects.get(pk=form.pk).reviewed


def review_records(form):
    return list(
        AuditRecord.objects.filter(
            object_type="edc.formdata", object_id=str(form.pk), field="reviewed", action="update"
        )
        .order_by("id")
        .values_list("old_value", "new_value", "reason", "username")
    )


def test_review_and_unreview_are_audited(edc_world):
    form = save(edc_world, {"IT.WEIGHT": "70"})
    dm = edc_world.users["data_manager"]
    form_review(actor=dm, form=form)
    form_review(actor=dm, form=form)  # already reviewed: nothing written
    assert reviewed(form)
    with pytest.raises(ValidationError):
        form_unreview(actor=dm, form=form, reason="")
    form_unreview(actor=dm, form=form, reason="reviewed the wrong visit")
    assert not reviewed(form)
    assert review_records(form) == [
        ("false", "true", "data reviewed", "data-manager"),
        ("true", "false", "reviewed the wrong visit", "data-manager"),
    ]


def test_a_data_change_after_review_resets_it(edc_world):
    form = save(edc_world, {"IT.WEIGHT": "70"})
    form_review(actor=edc_world.users["data_manager"], form=form)
    save(edc_world, {"IT.WEIGHT": "70"})  # the same value: no change, still reviewed
    assert reviewed(form)
    save(edc_world, {"IT.WEIGHT": "71"}, reason="re-weighed")
    assert not reviewed(form)
    assert review_records(form)[-1] == ("true", "false", "re-weighed", "study-coordinator")


def test_review_follows_freeze_and_lock(edc_world):
    form = save(edc_world, {"IT.WEIGHT": "70"})
    dm = edc_world.users["data_manager"]
    data_freeze(actor=dm, study=edc_world.study, form=form)
    form_review(actor=dm, form=form)  # frozen data are reviewed before the lock
    assert reviewed(form)
    data_lock(actor=dm, study=edc_world.study, form=form)
    with pytest.raises(ValidationError) as exc:
        form_unreview(actor=dm, form=form, reason="r")
    assert exc.value.message_dict == {"form": ["This form is locked."]}


def test_review_is_site_scoped_and_needs_the_permission(edc_world, login):
    form_b = save(edc_world, {"IT.WEIGHT": "70"}, subject=edc_world.subject_b, actor=None)
    with pytest.raises(PermissionDenied):
        form_review(actor=edc_world.users["monitor"], form=form_b)  # monitors review too, but at A1 only
    with pytest.raises(PermissionDenied):
        form_review(actor=edc_world.users["study_coordinator"], form=form_b)
    client = login(edc_world.users["monitor"])
    url = f"/api/v1/studies/{edc_world.study.pk}/edc/forms/{form_b.pk}/review"
    assert client.post(url).status_code == 404
    assert not reviewed(form_b)


def test_review_through_the_api_and_the_page(edc_world, login):
    form = save(edc_world, {"IT.WEIGHT": "70"})
    client = login(edc_world.users["data_manager"])
    api = f"/api/v1/studies/{edc_world.study.pk}/edc/forms/{form.pk}"
    assert client.post(f"{api}/review").json()["reviewed"] is True
    back = client.post(f"{api}/unreview", {"reason": "query pending"}, "application/json")
    assert back.json()["reviewed"] is False
    page = f"/studies/{edc_world.study.pk}/edc/forms/{form.pk}/review/"
    assert client.post(page).status_code == 302
    assert reviewed(form)
    assert login(edc_world.users["study_coordinator"]).post(page).status_code == 403
