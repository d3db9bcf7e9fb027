"""Consent first, then screening: screening numbers, the consent record, the green light, re-screening."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.studies import services as studies
from opencro.studies.dates import site_today
from opencro.subjects import services as subjects
from opencro.subjects.consent_forms import consent_form_create
from opencro.subjects.models import ConsentRecord, Subject, SubjectStatus
from opencro.subjects.screening import participant_screen
from tests.subjects.factories import approved_form, screened

pytestmark = pytest.mark.django_db


def test_consent_creates_the_subject_in_screening_with_a_screening_number(world):
    crc = world.user(RoleCode.STUDY_COORDINATOR)
    form = approved_form(world.study)
    subject = screened(world.site_a, form, actor=crc)
    assert (subject.status, subject.screening_number, subject.number) == (
        "screening",
        "A1-S002",
        "A1-S002",
    )  # A1-S001: the world's A1-001
    assert subject.screened_on == site_today(world.site_a)
    record = ConsentRecord.objects.get(subject=subject)
    assert (record.form, record.method, record.participant_name) == (form, "electronic", "Jane Roe")
    assert record.obtained_by == crc and record.obtained_by_name == crc.printed_name
    assert record.participant_signed_at is not None and record.obtained_at is not None
    assert record.signed_on == site_today(world.site_a)
    audited = set(
        AuditRecord.objects.filter(object_id__in=[str(subject.pk), str(record.pk)]).values_list(
            "object_type", flat=True
        )
    )
    assert {"subjects.subject", "subjects.consentrecord"} <= audited


def test_screening_numbers_run_per_site(world):
    form = approved_form(world.study)
    numbers = [screened(site, form).screening_number for site in (world.site_a, world.site_a, world.site_b)]
    assert numbers == ["A1-S002", "A1-S003", "B1-S002"]


def test_the_legacy_screen_allocates_a_screening_number_and_keeps_the_given_subject_number(world):
    subject = subjects.subject_screen(actor=None, site=world.site_a, number="A1-077", screened_on=dt.date(2026, 3, 1))
    assert (subject.number, subject.screening_number) == ("A1-077", "A1-S002")


def test_only_an_approved_version_that_applies_to_the_site_can_be_signed(world):
    draft = consent_form_create(actor=None, study=world.study, version="0.9", language="en", title="Draft", text="t")
    with pytest.raises(ValidationError, match="approved"):
        screened(world.site_a, draft)
    only_b = approved_form(world.study, "1.0-JP", "ja", sites=[world.site_b])
    with pytest.raises(ValidationError, match="does not apply"):
        screened(world.site_a, only_b)
    assert screened(world.site_b, only_b).site == world.site_b
    us = approved_form(world.study, "1.0-US", countries=[world.site_a.country])
    assert screened(world.site_a, us).site == world.site_a
    assert not Subject.objects.filter(site=world.site_a, consents__form=only_b).exists()


def test_electronic_consent_needs_the_typed_name_and_the_password(world):
    crc = world.user(RoleCode.STUDY_COORDINATOR)
    form = approved_form(world.study)
    with pytest.raises(ValidationError) as err:
        screened(world.site_a, form, actor=crc, name=" ")
    assert "participant_name" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        participant_screen(
            actor=crc, site=world.site_a, form=form, method="electronic", participant_name="J R", password="wrong"
        )
    assert "password" in err.value.message_dict
    assert not Subject.objects.filter(site=world.site_a).exclude(pk=world.subject_a.pk).exists()


def test_paper_consent_records_the_date_on_the_form(world):
    form = approved_form(world.study)
    subject = participant_screen(
        actor=world.user(RoleCode.INVESTIGATOR),
        site=world.site_a,
        form=form,
        method="paper",
        paper_signed_on=dt.date(2026, 3, 2),
        screened_on=dt.date(2026, 3, 3),
    )
    record = subject.consents.get()
    assert (record.method, record.signed_on, record.participant_signed_at) == ("paper", dt.date(2026, 3, 2), None)
    with pytest.raises(ValidationError, match="before the consent"):
        participant_screen(
            actor=None,
            site=world.site_a,
            form=form,
            method="paper",
            paper_signed_on=dt.date(2026, 3, 5),
            screened_on=dt.date(2026, 3, 4),
        )
    with pytest.raises(ValidationError, match="ethics approval"):
        participant_screen(
            actor=None, site=world.site_a, form=form, method="paper", paper_signed_on=dt.date(2025, 11, 1)
        )


def test_no_consent_or_screening_before_the_green_light(world):
    form = approved_form(world.study)
    with pytest.raises(ValidationError, match="green light"):
        participant_screen(
            actor=None, site=world.site_a, form=form, method="paper", paper_signed_on=dt.date(2025, 12, 20)
        )
    studies.site_update(
        actor=world.user(RoleCode.PROJECT_MANAGER), site=world.site_b, changes={"status": "on_hold"}, reason="IRB hold"
    )
    with pytest.raises(ValidationError, match="cannot screen"):
        screened(world.site_b, form)
    with pytest.raises(ValidationError, match="cannot screen"):
        subjects.subject_screen(actor=None, site=world.site_b, number="B1-050", screened_on=dt.date(2026, 3, 1))


def test_site_restricted_staff_screen_at_their_own_sites_only(world):
    form = approved_form(world.study)
    with pytest.raises(PermissionDenied):
        screened(world.site_b, form, actor=world.user(RoleCode.STUDY_COORDINATOR))
    with pytest.raises(PermissionDenied):
        screened(world.site_a, form, actor=world.user(RoleCode.MONITOR))


def test_rescreening_makes_a_new_linked_screening(world):
    form = approved_form(world.study)
    first = screened(world.site_a, form)
    with pytest.raises(ValidationError, match="Only a screen failure"):
        screened(world.site_a, form, rescreen_of=first)
    subjects.subject_screen_fail(actor=None, subject=first, reason="Haemoglobin below range")
    first.refresh_from_db()
    assert (first.status, first.screen_failure_reason) == (SubjectStatus.SCREEN_FAILED, "Haemoglobin below range")
    with pytest.raises(ValidationError, match="site that screened"):
        screened(world.site_b, form, rescreen_of=first)
    second = screened(world.site_a, form, rescreen_of=first)
    assert (second.rescreen_of, second.screening_number, first.rescreened_as) == (first, "A1-S003", second)
    assert second.consents.count() == 1  # a new consent for the new screening
    with pytest.raises(ValidationError, match="already re-screened"):
        screened(world.site_a, form, rescreen_of=first)


def test_a_screen_failure_needs_a_reason(world):
    subject = screened(world.site_a, approved_form(world.study))
    with pytest.raises(ValidationError):
        subjects.subject_screen_fail(actor=None, subject=subject, reason=" ")
