"""Freeze and lock at form, visit, subject, site and study level; unfreeze and unlock by e-signature."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts import services as accounts
from opencro.accounts.models import Signature, User
from opencro.audit.models import AuditRecord
from opencro.edc.models import DataLock, EventData, FormData, ItemData
from opencro.edc.services.entry import ItemEntry, event_open, form_save
from opencro.edc.services.locks import data_freeze, data_lock, data_unfreeze, data_unlock
from opencro.edc.services.queries import query_open
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


def save(w, form_oid, values, *, subject=None, event="SE.SCR", reason="", actor="study_coordinator"):
    return form_save(
        actor=w.users[actor] if actor else None,
        subject=subject or w.subject_a,
        event_oid=event,
        form_oid=form_oid,
        entries=[ItemEntry(oid, v) for oid, v in values.items()],
        reason=reason,
        today=TODAY,
    ).form


def flags(form) -> tuple[bool, bool]:
    form = FormData.objects.get(pk=form.pk)
    return form.frozen, form.locked


def dm(w):
    return w.users["data_manager"]


def test_frozen_form_refuses_entry_but_takes_queries(edc_world):
    form = save(edc_world, "F.VS", {"IT.WEIGHT": "70"})
    record = data_freeze(actor=dm(edc_world), study=edc_world.study, form=form, reason="interim cut")
    assert (record.level, record.state, record.scope, record.site_id) == (
        "form",
        "frozen",
        f"form:{form.pk}",
        form.site_id,
    )
    assert flags(form) == (True, False)
    change = AuditRecord.objects.get(
        object_type="edc.formdata", object_id=str(form.pk), field="frozen", action="update"
    )
    assert (change.old_value, change.new_value, change.reason, change.username) == (
        "false",
        "true",
        "interim cut",
        "data-manager",
    )
    with pytest.raises(ValidationError) as exc:
        save(edc_world, "F.VS", {"IT.WEIGHT": "71"}, reason="re-weighed")
    assert exc.value.message_dict == {"form": ["This form is frozen."]}
    assert ItemData.objects.get(form=form, item_def__oid="IT.WEIGHT").value == "70"
    query = query_open(actor=edc_world.users["monitor"], form=FormData.objects.get(pk=form.pk), text="Check the scale.")
    assert query.form_id == form.pk


def test_lock_upgrades_the_freeze_and_refuses_queries(edc_world):
    form = save(edc_world, "F.VS", {"IT.WEIGHT": "70"})
    frozen = data_freeze(actor=dm(edc_world), study=edc_world.study, form=form)
    locked = data_lock(actor=dm(edc_world), study=edc_world.study, form=form, reason="clean")
    assert locked.pk == frozen.pk and locked.state == "locked"
    assert flags(form) == (False, True)
    with pytest.raises(ValidationError) as exc:
        query_open(actor=edc_world.users["monitor"], form=FormData.objects.get(pk=form.pk), text="Check.")
    assert exc.value.message_dict == {"form": ["This form is locked."]}
    with pytest.raises(ValidationError):
        data_freeze(actor=dm(edc_world), study=edc_world.study, form=form)
    state = AuditRecord.objects.get(
        object_type="edc.datalock", object_id=str(frozen.pk), field="state", action="update"
    )
    assert (state.old_value, state.new_value, state.reason) == ("frozen", "locked", "clean")


def test_unfreeze_needs_the_right_password_and_a_reason(edc_world):
    form = save(edc_world, "F.VS", {"IT.WEIGHT": "70"})
    record = data_freeze(actor=dm(edc_world), study=edc_world.study, form=form)
    user = dm(edc_world)
    with pytest.raises(ValidationError) as exc:
        data_unfreeze(actor=user, study=edc_world.study, form=form, reason="", password=PASSWORD)
    assert exc.value.message_dict == {"reason": ["A reason is required."]}
    with pytest.raises(PermissionDenied):
        data_unfreeze(actor=user, study=edc_world.study, form=form, reason="correction", password="wrong")
    assert flags(form) == (True, False)
    assert DataLock.objects.get(pk=record.pk).released_at is None
    assert User.objects.get(pk=user.pk).failed_logins == 1
    assert not Signature.objects.exists()
    released = data_unfreeze(actor=user, study=edc_world.study, form=form, reason="correction", password=PASSWORD)
    assert (released.released_by_id, released.release_reason) == (user.pk, "correction")
    assert flags(form) == (False, False)
    signature = Signature.objects.get()
    assert (signature.content_type, signature.object_id, signature.meaning, signature.signer_id) == (
        ContentType.objects.get_for_model(DataLock),
        str(record.pk),
        "approve",
        user.pk,
    )
    assert signature.broken_at is None
    sign = AuditRecord.objects.get(action="sign", object_type="edc.datalock")
    assert sign.site_id == edc_world.site_a.pk
    save(edc_world, "F.VS", {"IT.WEIGHT": "71"}, reason="correction")  # entry open again


def test_unlock_and_unfreeze_name_the_state_they_release(edc_world):
    form = save(edc_world, "F.VS", {"IT.WEIGHT": "70"})
    data_lock(actor=dm(edc_world), study=edc_world.study, form=form)
    with pytest.raises(ValidationError) as exc:
        data_unfreeze(actor=dm(edc_world), study=edc_world.study, form=form, reason="r", password=PASSWORD)
    assert exc.value.message_dict == {"state": ["This is locked: unlock it."]}
    data_unlock(actor=dm(edc_world), study=edc_world.study, form=form, reason="late lab result", password=PASSWORD)
    assert flags(form) == (False, False)


def test_subject_freeze_covers_its_forms_and_forms_created_later(edc_world):
    vs = save(edc_world, "F.VS", {"IT.WEIGHT": "70"})
    ae = save(edc_world, "F.AE", {"IT.AETERM": "Headache", "IT.AESTDAT": "2026-03-01"}, event="SE.AE")
    other = save(edc_world, "F.VS", {"IT.WEIGHT": "80"}, subject=edc_world.subject_b, actor=None)
    data_freeze(actor=dm(edc_world), study=edc_world.study, subject=edc_world.subject_a, reason="subject completed")
    assert [flags(f) for f in (vs, ae, other)] == [(True, False), (True, False), (False, False)]
    records = AuditRecord.objects.filter(object_type="edc.formdata", field="frozen", reason="subject completed")
    assert sorted(int(r.object_id) for r in records) == sorted([vs.pk, ae.pk])
    with pytest.raises(ValidationError) as exc:
        save(edc_world, "F.DM", {"IT.SEX": "F"})
    assert exc.value.message_dict == {"form": ["This form is frozen."]}
    assert not FormData.objects.filter(subject=edc_world.subject_a, form_oid="F.DM").exists()
    with pytest.raises(ValidationError):
        save(edc_world, "F.VS", {"IT.WEIGHT": "70"}, event="SE.W4")  # a new visit's form is born frozen too
    assert not EventData.objects.filter(subject=edc_world.subject_a, event_oid="SE.W4").exists()
    with pytest.raises(ValidationError) as exc:
        event_open(
            actor=edc_world.users["study_coordinator"],
            subject=edc_world.subject_a,
            event_oid="SE.SCR",
            visit_date=dt.date(2026, 3, 1),
        )
    assert exc.value.message_dict == {"visit_date": ["This visit is frozen."]}


def test_a_new_form_under_a_frozen_site_is_born_frozen_and_refuses_entry(edc_world):
    """The form a save would create carries the freeze of its site, so the save is refused and writes nothing."""
    from opencro.edc.services.entry import _form, casebook_for

    data_freeze(actor=dm(edc_world), study=edc_world.study, site=edc_world.site_a)
    casebook = casebook_for(edc_world.subject_a, actor=None)
    event = event_open(actor=None, subject=edc_world.subject_a, event_oid="SE.SCR")
    form = _form(None, event, casebook, "F.DM", 1)
    assert (form.frozen, form.locked, form.pk) == (True, False, None)
    with pytest.raises(ValidationError, match="frozen"):
        save(edc_world, "F.DM", {"IT.SEX": "M"})
    assert not FormData.objects.filter(subject=edc_world.subject_a, form_oid="F.DM").exists()


def test_site_lock_locks_only_that_site(edc_world):
    a = save(edc_world, "F.VS", {"IT.WEIGHT": "70"})
    b = save(edc_world, "F.VS", {"IT.WEIGHT": "80"}, subject=edc_world.subject_b, actor=None)
    record = data_lock(actor=dm(edc_world), study=edc_world.study, site=edc_world.site_a, reason="site closed")
    assert (flags(a), flags(b)) == ((False, True), (False, False))
    assert str(record) == "Locked site A1"
    changes = AuditRecord.objects.filter(object_type="edc.formdata", field="locked", new_value="true")
    assert [(r.object_id, r.site_id) for r in changes] == [(str(a.pk), edc_world.site_a.pk)]


def test_a_wider_freeze_keeps_forms_frozen_and_is_named_when_releasing_below_it(edc_world):
    a = save(edc_world, "F.VS", {"IT.WEIGHT": "70"})
    b = save(edc_world, "F.VS", {"IT.WEIGHT": "80"}, subject=edc_world.subject_b, actor=None)
    data_freeze(actor=dm(edc_world), study=edc_world.study, subject=edc_world.subject_a)
    data_freeze(actor=dm(edc_world), study=edc_world.study, reason="interim analysis")
    assert (flags(a), flags(b)) == ((True, False), (True, False))
    with pytest.raises(ValidationError) as exc:
        data_unfreeze(actor=dm(edc_world), study=edc_world.study, event=a.event, reason="r", password=PASSWORD)
    assert exc.value.message_dict == {"state": ["It is frozen at the study level: release it there."]}
    data_unfreeze(actor=dm(edc_world), study=edc_world.study, reason="interim done", password=PASSWORD)
    # the subject's own freeze still holds; the other subject is open again
    assert (flags(a), flags(b)) == ((True, False), (False, False))


def test_the_study_is_locked_only_through_the_checklist(edc_world):
    with pytest.raises(ValidationError) as exc:
        data_lock(actor=dm(edc_world), study=edc_world.study)
    assert "lock checklist" in exc.value.message_dict["level"][0]


def test_locking_is_site_scoped_and_needs_the_permission(edc_world, login):
    b = save(edc_world, "F.VS", {"IT.WEIGHT": "80"}, subject=edc_world.subject_b, actor=None)
    restricted = make_user("dm-a1")
    accounts.membership_grant(
        actor=edc_world.admin,
        user=restricted,
        study=edc_world.study,
        role_code="data_manager",
        sites=[edc_world.site_a],
    )
    with pytest.raises(PermissionDenied):
        data_freeze(actor=restricted, study=edc_world.study, form=b)
    with pytest.raises(PermissionDenied):
        data_freeze(actor=restricted, study=edc_world.study)  # the whole study: every site
    with pytest.raises(PermissionDenied):
        data_freeze(actor=edc_world.users["monitor"], study=edc_world.study, subject=edc_world.subject_a)
    client = login(restricted)
    study = edc_world.study.pk
    body = {"level": "form", "object_id": b.pk}
    assert client.post(f"/api/v1/studies/{study}/edc/locks/freeze", body, "application/json").status_code == 404
    assert client.post(f"/studies/{study}/edc/locks/freeze/", {"level": "form", "object_id": b.pk}).status_code == 404
    assert flags(b) == (False, False)
    assert not DataLock.objects.exists()


def test_locks_through_the_api_and_pages(edc_world, login):
    form = save(edc_world, "F.VS", {"IT.WEIGHT": "70"})
    client = login(dm(edc_world))
    api = f"/api/v1/studies/{edc_world.study.pk}/edc/locks"
    frozen = client.post(f"{api}/freeze", {"level": "event", "object_id": form.event_id}, "application/json")
    assert frozen.status_code == 200, frozen.content
    assert {k: frozen.json()[k] for k in ("level", "state", "target", "set_by")} == {
        "level": "event",
        "state": "frozen",
        "target": "subject A1-001 SE.SCR",
        "set_by": "data-manager",
    }
    assert [r["target"] for r in client.get(api).json()] == ["subject A1-001 SE.SCR"]
    body = {"level": "event", "object_id": form.event_id, "reason": "query answer", "password": "wrong"}
    assert client.post(f"{api}/unfreeze", body, "application/json").status_code == 403
    assert flags(form) == (True, False)
    page = f"/studies/{edc_world.study.pk}/edc/locks/unfreeze/"
    wrong = client.post(page, {**body, "next": "/studies/"}, follow=True)
    assert "The password is not correct" in wrong.content.decode()
    assert flags(form) == (True, False)
    done = client.post(page, {**body, "password": PASSWORD})
    assert done.status_code == 302
    assert flags(form) == (False, False)
    assert client.get(api).json() == []


def test_form_page_shows_the_oversight_panel_to_the_data_manager(edc_world, login):
    save(edc_world, "F.VS", {"IT.WEIGHT": "70"})
    data_freeze(actor=dm(edc_world), study=edc_world.study, subject=edc_world.subject_a, reason="visit closed")
    client = login(dm(edc_world))
    html = client.get(f"/studies/{edc_world.study.pk}/edc/subjects/{edc_world.subject_a.pk}/SE.SCR/1/F.VS/1/").content
    html = html.decode()
    assert 'data-testid="oversight"' in html and "subject A1-001" in html and "visit closed" in html
    assert 'name="password"' in html and "Mark reviewed" in html


def test_queries_on_a_locked_form_stay_as_they_are(edc_world):
    from opencro.edc.models import FormData, Query
    from opencro.edc.services.entry import ItemEntry, form_save
    from opencro.edc.services.queries import query_answer

    result = form_save(
        actor=None,
        subject=edc_world.subject_a,
        event_oid="SE.SCR",
        form_oid="F.VS",
        entries=[ItemEntry("IT.WEIGHT", "70"), ItemEntry("IT.SYSBP", "80"), ItemEntry("IT.DIABP", "90")],
    )
    FormData.objects.filter(pk=result.form.pk).update(locked=True)
    query = Query.objects.get(pk=result.opened[0].pk)
    with pytest.raises(ValidationError):
        query_answer(actor=edc_world.users["study_coordinator"], query=query, text="too late")
    assert Query.objects.get(pk=query.pk).state == "open"
