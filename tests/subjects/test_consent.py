"""Consent form versions, re-consent when a new version is approved, enrolment rules, withdrawal."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opencro.accounts.access import access_for
from opencro.accounts.models import Signature
from opencro.accounts.permissions import RoleCode
from opencro.studies.dates import site_today
from opencro.subjects import services as subjects
from opencro.subjects.consent import consent_sign
from opencro.subjects.consent_forms import (
    consent_form_approve,
    consent_form_create,
    consent_form_ethics_record,
    consent_form_retire,
)
from opencro.subjects.eligibility import eligibility_confirm
from opencro.subjects.models import ConsentFormStatus, SubjectStatus
from opencro.subjects.participants import consent_form_list, consent_statuses, reconsent_counts
from opencro.subjects.screening import enrolment_blockers, participant_enrol
from opencro.subjects.withdrawal import consent_withdraw
from tests.conftest import PASSWORD
from tests.subjects.factories import approved_form, criteria, screened

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _eligible(world, subject, crit):
    return eligibility_confirm(
        actor=world.user(RoleCode.INVESTIGATOR),
        subject=subject,
        password=PASSWORD,
        answers={crit["I1"].pk: "met", crit["I2"].pk: "met", crit["E1"].pk: "not_met"},
    )


def test_a_version_goes_from_draft_to_approved_with_ethics_approval_and_a_signature(world):
    pm = world.user(RoleCode.PROJECT_MANAGER)
    with pytest.raises(ValidationError, match="text"):
        consent_form_create(actor=pm, study=world.study, version="1", language="en", title="ICF")
    with pytest.raises(ValidationError, match="content is not"):
        consent_form_create(
            actor=pm, study=world.study, version="1", language="en", title="ICF", document=b"MZ", document_name="a.pdf"
        )
    form = consent_form_create(
        actor=pm,
        study=world.study,
        version="1",
        language="EN",
        title="ICF",
        document=PDF,
        document_name="icf.pdf",
        countries=[world.site_a.country],
    )
    assert (form.status, form.language, form.document_name, len(form.document_sha256)) == ("draft", "en", "icf.pdf", 64)
    with pytest.raises(ValidationError, match="ethics"):
        consent_form_approve(actor=pm, form=form, password=PASSWORD)
    with pytest.raises(ValidationError, match="future"):
        consent_form_ethics_record(
            actor=pm, form=form, committee="IRB", approved_on=timezone.localdate() + dt.timedelta(days=1)
        )
    consent_form_ethics_record(actor=pm, form=form, committee="Central IRB", approved_on=dt.date(2026, 1, 10))
    with pytest.raises(PermissionDenied):
        consent_form_approve(actor=world.user(RoleCode.INVESTIGATOR), form=form, password=PASSWORD)
    consent_form_approve(actor=pm, form=form, password=PASSWORD)
    form.refresh_from_db()
    assert (form.status, form.approved_by) == (ConsentFormStatus.APPROVED, pm)
    assert Signature.objects.filter(object_id=str(form.pk), signer=pm, broken_at__isnull=True).exists()
    with pytest.raises(ValidationError, match="ethics approval"):
        consent_form_ethics_record(actor=pm, form=form, committee="X", approved_on=dt.date(2026, 1, 1))
    consent_form_retire(actor=pm, form=form, reason="Sponsor withdrew the US amendment")
    form.refresh_from_db()
    assert form.status == ConsentFormStatus.RETIRED
    with pytest.raises(ValidationError, match="approved"):
        screened(world.site_a, form)


def test_a_new_version_flags_its_signers_for_reconsent_until_they_sign_it(world):
    crit = criteria(world.study)
    v1 = approved_form(world.study, "1.0")
    ja = approved_form(world.study, "1.0", "ja")
    subject = screened(world.site_a, v1)
    other = screened(world.site_b, v1)
    _eligible(world, subject, crit)
    assert not consent_statuses([subject])[subject.pk].reconsent_due
    narrower = approved_form(world.study, "2.0-B1", sites=[world.site_b])  # another scope: supersedes nothing
    v1.refresh_from_db()
    assert v1.status == ConsentFormStatus.APPROVED and narrower.status == ConsentFormStatus.APPROVED
    v2 = approved_form(world.study, "2.0")
    v1.refresh_from_db()
    ja.refresh_from_db()
    assert (v1.status, v1.superseded_by, ja.status) == (ConsentFormStatus.SUPERSEDED, v2, ConsentFormStatus.APPROVED)
    statuses = consent_statuses([subject, other])
    assert statuses[subject.pk].due == v2 and statuses[other.pk].due == v2
    pm_access = access_for(world.user(RoleCode.PROJECT_MANAGER), world.study.pk)
    assert reconsent_counts(pm_access) == {"A1": 1, "B1": 1}
    assert reconsent_counts(access_for(world.user(RoleCode.STUDY_COORDINATOR), world.study.pk)) == {"A1": 1}
    assert any("Re-consent is due" in b for b in enrolment_blockers(subject))
    with pytest.raises(ValidationError, match="Re-consent"):
        participant_enrol(actor=None, subject=subject, enrolled_on=site_today(world.site_a))
    with pytest.raises(ValidationError, match="approved"):
        consent_sign(actor=None, subject=subject, form=v1, method="electronic", participant_name="Jane Roe")
    crc = world.user(RoleCode.STUDY_COORDINATOR)
    record = consent_sign(
        actor=crc, subject=subject, form=v2, method="electronic", participant_name="Jane Roe", password=PASSWORD
    )
    assert (record.form, record.obtained_by) == (v2, crc)
    assert not consent_statuses([subject])[subject.pk].reconsent_due
    with pytest.raises(ValidationError, match="already signed"):
        consent_sign(actor=crc, subject=subject, form=v2, method="paper", paper_signed_on=site_today(world.site_a))
    enrolled = participant_enrol(actor=crc, subject=subject, enrolled_on=site_today(world.site_a))
    assert (enrolled.status, enrolled.number) == (SubjectStatus.ENROLLED, "A1-S002")
    assert reconsent_counts(pm_access) == {"B1": 1}


def test_enrolment_needs_consent_and_confirmed_eligibility(world):
    crit = criteria(world.study)
    subject = screened(world.site_a, approved_form(world.study))
    with pytest.raises(ValidationError, match="confirmed eligibility"):
        participant_enrol(actor=None, subject=subject, enrolled_on=site_today(world.site_a))
    _eligible(world, subject, crit)
    with pytest.raises(PermissionDenied):
        participant_enrol(actor=world.user(RoleCode.MONITOR), subject=subject, enrolled_on=site_today(world.site_a))
    with pytest.raises(ValidationError, match="precede"):
        participant_enrol(actor=None, subject=subject, enrolled_on=subject.screened_on - dt.timedelta(days=1))
    participant_enrol(actor=None, subject=subject, enrolled_on=site_today(world.site_a))
    legacy = subjects.subject_screen(actor=None, site=world.site_a, number="A1-090", screened_on=dt.date(2026, 3, 1))
    assert "The participant has not consented." in enrolment_blockers(legacy)


def test_withdrawal_from_all_data_collection_ends_participation(world):
    crit = criteria(world.study)
    v1 = approved_form(world.study)
    subject = screened(world.site_a, v1)
    _eligible(world, subject, crit)
    participant_enrol(actor=None, subject=subject, enrolled_on=site_today(world.site_a))
    crc = world.user(RoleCode.STUDY_COORDINATOR)
    with pytest.raises(ValidationError, match="precedes"):
        consent_withdraw(
            actor=crc, subject=subject, withdrawn_on=dt.date(2026, 1, 2), scope="all", data_may_be_used=True
        )
    partial = consent_withdraw(
        actor=crc,
        subject=subject,
        withdrawn_on=site_today(world.site_a),
        scope="treatment",
        data_may_be_used=True,
        reason="Nausea",
    )
    subject.refresh_from_db()
    assert (subject.status, partial.recorded_by) == (SubjectStatus.ENROLLED, crc)
    full = consent_withdraw(
        actor=crc, subject=subject, withdrawn_on=site_today(world.site_a), scope="all", data_may_be_used=False
    )
    subject.refresh_from_db()
    assert (subject.status, full.data_may_be_used) == (SubjectStatus.WITHDRAWN, False)
    v2 = approved_form(world.study, "2.0")
    with pytest.raises(ValidationError):
        consent_sign(actor=crc, subject=subject, form=v2, method="electronic", participant_name="J", password=PASSWORD)
    assert not consent_statuses([subject])[subject.pk].reconsent_due  # a withdrawn participant is not asked again
    with pytest.raises(ValidationError):
        consent_withdraw(
            actor=crc, subject=subject, withdrawn_on=site_today(world.site_a), scope="all", data_may_be_used=False
        )


def test_a_withdrawal_in_screening_stops_enrolment(world):
    crit = criteria(world.study)
    subject = screened(world.site_a, approved_form(world.study))
    _eligible(world, subject, crit)
    consent_withdraw(
        actor=None, subject=subject, withdrawn_on=site_today(world.site_a), scope="follow_up", data_may_be_used=True
    )
    with pytest.raises(ValidationError, match="withdrew"):
        participant_enrol(actor=None, subject=subject, enrolled_on=site_today(world.site_a))


def test_site_staff_see_the_versions_that_apply_to_their_sites(world):
    approved_form(world.study, "1.0")
    approved_form(world.study, "1.0-B", "ja", sites=[world.site_b])
    approved_form(world.study, "1.0-US", "es", countries=[world.site_a.country])
    crc = access_for(world.user(RoleCode.STUDY_COORDINATOR), world.study.pk)
    pm = access_for(world.user(RoleCode.PROJECT_MANAGER), world.study.pk)
    assert sorted(f.version for f in consent_form_list(crc)) == ["1.0", "1.0-US"]
    assert sorted(f.version for f in consent_form_list(pm)) == ["1.0", "1.0-B", "1.0-US"]
