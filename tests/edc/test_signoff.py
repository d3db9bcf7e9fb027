"""Investigator sign-off: an e-signature bound to the casebook's data, broken visibly by a later change."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.models import Signature, User
from opencro.audit.models import AuditRecord
from opencro.edc.models import Casebook
from opencro.edc.services.entry import ItemEntry, event_open, form_save
from opencro.edc.services.signoff import casebook_signoff
from opencro.edc.signoff import casebook_digest, signoff_state
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


def save(w, values, *, subject=None, form_oid="F.VS", reason="", actor="study_coordinator"):
    return form_save(
        actor=w.users[actor] if actor else None,
        subject=subject or w.subject_a,
        event_oid="SE.SCR",
        form_oid=form_oid,
        entries=[ItemEntry(oid, v) for oid, v in values.items()],
        reason=reason,
        today=TODAY,
    ).form


def sign(w, subject=None, password=PASSWORD, meaning="approve"):
    return casebook_signoff(
        actor=w.users["investigator"], subject=subject or w.subject_a, password=password, meaning=meaning
    )


def test_sign_off_binds_the_signature_to_the_data(edc_world):
    save(edc_world, {"IT.WEIGHT": "70", "IT.HEIGHT": "175"})
    signature = sign(edc_world)
    casebook = Casebook.objects.get(subject=edc_world.subject_a)
    assert casebook.data_digest == casebook_digest(edc_world.subject_a.pk)
    assert len(casebook.data_digest) == 64
    assert (signature.printed_name, signature.meaning, signature.broken_at) == ("Investigator Tester", "approve", None)
    assert signoff_state(edc_world.subject_a).status == "signed"
    record = AuditRecord.objects.get(action="sign", object_type="edc.casebook")
    assert (record.object_id, record.site_id, record.username) == (
        str(casebook.pk),
        edc_world.site_a.pk,
        "investigator",
    )
    assert record.new_value == "Investigator Tester: I approve"


def test_a_later_change_breaks_the_signature_visibly(edc_world, login):
    save(edc_world, {"IT.WEIGHT": "70"})
    signature = sign(edc_world)
    before = Casebook.objects.get(subject=edc_world.subject_a).data_digest
    save(edc_world, {"IT.WEIGHT": "72"}, reason="transcription error")
    signature.refresh_from_db()
    assert signature.broken_at is not None
    state = signoff_state(edc_world.subject_a)
    assert (state.status, state.valid, [s.pk for s in state.broken]) == ("broken", [], [signature.pk])
    broken = AuditRecord.objects.get(action="signature_broken")
    assert (broken.object_type, broken.site_id, broken.reason) == (
        "edc.casebook",
        edc_world.site_a.pk,
        "signed data changed",
    )
    updates = AuditRecord.objects.filter(object_type="edc.casebook", field="data_digest", action="update")
    signed, digest = updates.order_by("id")
    assert (signed.old_value, signed.new_value, signed.reason) == ("", before, "casebook signed off")
    assert (digest.old_value, digest.reason) == (before, "transcription error")
    assert digest.new_value == casebook_digest(edc_world.subject_a.pk) != before
    page = login(edc_world.users["investigator"]).get(
        f"/studies/{edc_world.study.pk}/edc/subjects/{edc_world.subject_a.pk}/"
    )
    html = page.content.decode()
    assert "Signature broken: data changed after sign-off." in html
    assert 'class="signature broken"' in html and 'data-testid="signoff-form"' in html


def test_a_new_form_breaks_the_signature(edc_world):
    """Values on a form entered after sign-off are data the investigator did not sign."""
    save(edc_world, {"IT.WEIGHT": "70"})
    signature = sign(edc_world)
    save(edc_world, {"IT.SEX": "F", "IT.PREG": "0", "IT.BRTHDAT": "1960-01-01"}, form_oid="F.DM")
    signature.refresh_from_db()
    assert signature.broken_at is not None


def test_an_unchanged_resave_keeps_it_valid(edc_world):
    save(edc_world, {"IT.WEIGHT": "70"})
    signature = sign(edc_world)
    save(edc_world, {"IT.WEIGHT": "70"})
    signature.refresh_from_db()
    assert signature.broken_at is None
    assert not AuditRecord.objects.filter(action="signature_broken").exists()


def test_a_visit_date_change_breaks_it_too(edc_world):
    save(edc_world, {"IT.WEIGHT": "70"})
    signature = sign(edc_world)
    event_open(
        actor=edc_world.users["study_coordinator"],
        subject=edc_world.subject_a,
        event_oid="SE.SCR",
        visit_date=dt.date(2026, 3, 2),
    )
    signature.refresh_from_db()
    assert signature.broken_at is not None


def test_signing_again_after_a_break(edc_world):
    save(edc_world, {"IT.WEIGHT": "70"})
    sign(edc_world)
    save(edc_world, {"IT.WEIGHT": "71"}, reason="re-weighed")
    again = sign(edc_world, meaning="review")
    state = signoff_state(edc_world.subject_a)
    assert state.status == "signed" and [s.pk for s in state.valid] == [again.pk]
    assert Casebook.objects.get(subject=edc_world.subject_a).data_digest == casebook_digest(edc_world.subject_a.pk)


def test_wrong_password_signs_nothing_and_counts_as_a_failed_login(edc_world):
    save(edc_world, {"IT.WEIGHT": "70"})
    with pytest.raises(PermissionDenied):
        sign(edc_world, password="not-it")
    assert not Signature.objects.exists()
    assert User.objects.get(pk=edc_world.users["investigator"].pk).failed_logins == 1
    assert AuditRecord.objects.filter(action="login_failed", object_repr="investigator").count() == 1


def test_sign_off_needs_the_permission_the_site_and_data(edc_world, login):
    save(edc_world, {"IT.WEIGHT": "70"})
    save(edc_world, {"IT.WEIGHT": "80"}, subject=edc_world.subject_b, actor=None)
    with pytest.raises(PermissionDenied):
        sign(edc_world, subject=edc_world.subject_b)  # the investigator is at A1
    with pytest.raises(PermissionDenied):
        casebook_signoff(actor=edc_world.users["study_coordinator"], subject=edc_world.subject_a, password=PASSWORD)
    with pytest.raises(ValidationError):
        sign(edc_world, meaning="author")
    client = login(edc_world.users["investigator"])
    url = f"/api/v1/studies/{edc_world.study.pk}/edc/subjects/{edc_world.subject_b.pk}/signoff"
    assert client.post(url, {"password": PASSWORD}, "application/json").status_code == 404
    assert client.get(url).status_code == 404
    assert not Signature.objects.exists()


def test_a_casebook_without_data_cannot_be_signed(edc_world):
    with pytest.raises(ValidationError) as exc:
        sign(edc_world)
    assert exc.value.message_dict == {"casebook": ["This casebook holds no data to sign yet."]}
    assert signoff_state(edc_world.subject_a).status == "empty"


def test_sign_off_through_the_api_and_the_page(edc_world, login):
    save(edc_world, {"IT.WEIGHT": "70"})
    client = login(edc_world.users["investigator"])
    url = f"/api/v1/studies/{edc_world.study.pk}/edc/subjects/{edc_world.subject_a.pk}/signoff"
    assert client.get(url).json() == {"subject_id": edc_world.subject_a.pk, "status": "unsigned", "signatures": []}
    assert client.post(url, {"password": "nope"}, "application/json").status_code == 403
    signed = client.post(url, {"password": PASSWORD, "meaning": "review"}, "application/json").json()
    assert signed["status"] == "signed"
    assert [(s["printed_name"], s["meaning"], s["broken_at"]) for s in signed["signatures"]] == [
        ("Investigator Tester", "review", None)
    ]
    page = f"/studies/{edc_world.study.pk}/edc/subjects/{edc_world.subject_a.pk}/signoff/"
    assert client.post(page, {"password": PASSWORD, "meaning": "approve"}).status_code == 302
    assert Signature.objects.filter(broken_at__isnull=True).count() == 2
    monitor = login(edc_world.users["monitor"])
    assert monitor.post(page, {"password": PASSWORD}).status_code == 403
