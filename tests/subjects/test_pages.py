"""The participant pages as a site would use them: screen with consent, checklist, enrol, re-consent, forms, log."""

import pytest

from opencro.accounts.permissions import RoleCode
from opencro.studies.dates import site_today
from opencro.subjects.models import ConsentForm, PrescreeningEntry, Subject
from tests.conftest import PASSWORD
from tests.subjects.factories import approved_form, criteria, screened

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


def _url(world, tail=""):
    return f"/studies/{world.study.pk}/subjects/{tail}"


def test_the_coordinator_screens_assesses_and_the_investigator_confirms_then_enrols(world, client):
    crit = criteria(world.study)
    form = approved_form(world.study)
    client.force_login(world.user(RoleCode.STUDY_COORDINATOR))
    page = client.get(_url(world, "screen/")).content.decode()
    assert "1.0 (en)" in page and "Beta Hospital" not in page
    refused = client.post(_url(world, "screen/"), {"site": world.site_a.pk, "form": form.pk, "method": "electronic"})
    assert refused.status_code == 200 and "typing their full name" in refused.content.decode()
    done = client.post(
        _url(world, "screen/"),
        {
            "site": world.site_a.pk,
            "form": form.pk,
            "method": "electronic",
            "participant_name": "Ann Lee",
            "password": PASSWORD,
            "sex": "F",
            "year_of_birth": "1980",
        },
    )
    subject = Subject.objects.get(consents__participant_name="Ann Lee")
    assert done.status_code == 302 and done["Location"] == _url(world, f"{subject.pk}/")
    page = client.get(done["Location"]).content.decode()
    assert "A1-S002" in page and "Ann Lee" in page and "cannot be computed: missing weight" in page
    assert "Confirm eligibility" not in page  # the coordinator may not sign it
    client.post(
        _url(world, f"{subject.pk}/eligibility/"),
        {
            f"criterion_{crit['I1'].pk}": "met",
            f"criterion_{crit['I2'].pk}": "met",
            f"criterion_{crit['E1'].pk}": "not_met",
        },
    )
    assert client.post(_url(world, f"{subject.pk}/eligibility/confirm/"), {"password": PASSWORD}).status_code == 403
    client.force_login(world.user(RoleCode.INVESTIGATOR))
    wrong = client.post(_url(world, f"{subject.pk}/eligibility/confirm/"), {"password": "x"})
    assert wrong.status_code == 200 and "password is not correct" in wrong.content.decode()
    ok = client.post(_url(world, f"{subject.pk}/eligibility/confirm/"), {"password": PASSWORD}, follow=True)
    assert "Eligible (confirmed)" in ok.content.decode()
    enrolled = client.post(_url(world, f"{subject.pk}/enrol/"), {"enrolled_on": site_today(world.site_a).isoformat()})
    assert enrolled.status_code == 302
    subject.refresh_from_db()
    assert subject.status == "enrolled"


def test_the_list_and_subject_page_show_reconsent_due_and_the_site_signs_the_new_version(world, client):
    v1 = approved_form(world.study)
    subject = screened(world.site_a, v1)
    screened(world.site_b, v1)
    v2 = approved_form(world.study, "2.0")
    client.force_login(world.user(RoleCode.STUDY_COORDINATOR))
    listing = client.get(_url(world)).content.decode()
    assert (
        "re-consent due: 2.0" in listing
        and "site A1: 1 participant" in listing
        and "site B1" not in listing
        and "B1-S" not in listing
    )
    page = client.get(_url(world, f"{subject.pk}/")).content.decode()
    assert "version 2.0 is now approved" in page
    signed = client.post(
        _url(world, f"{subject.pk}/consent/"),
        {"form": v2.pk, "method": "electronic", "participant_name": "Jane Roe", "password": PASSWORD},
    )
    assert signed.status_code == 302
    assert "re-consent due" not in client.get(_url(world)).content.decode()


def test_a_screen_failure_and_its_rescreening_are_linked_on_the_pages(world, client):
    form = approved_form(world.study)
    failed = screened(world.site_a, form)
    client.force_login(world.user(RoleCode.STUDY_COORDINATOR))
    refused = client.post(_url(world, f"{failed.pk}/screen-fail/"), {"reason": ""})
    assert refused.status_code == 200 and "reason" in refused.content.decode()
    client.post(_url(world, f"{failed.pk}/screen-fail/"), {"reason": "Lab values out of range"})
    assert "Re-screen this participant" in client.get(_url(world, f"{failed.pk}/")).content.decode()
    page = client.get(_url(world, f"screen/?rescreen_of={failed.pk}")).content.decode()
    assert "Re-screening of screen failure A1-S002" in page
    client.post(
        _url(world, "screen/"),
        {
            "rescreen_of": failed.pk,
            "site": world.site_a.pk,
            "form": form.pk,
            "method": "paper",
            "paper_signed_on": site_today(world.site_a).isoformat(),
        },
    )
    again = Subject.objects.get(rescreen_of=failed)
    assert "Re-screening of" in client.get(_url(world, f"{again.pk}/")).content.decode()
    assert "Re-screened as" in client.get(_url(world, f"{failed.pk}/")).content.decode()


def test_withdrawal_is_recorded_from_the_subject_page(world, client):
    subject = screened(world.site_a, approved_form(world.study))
    client.force_login(world.user(RoleCode.STUDY_COORDINATOR))
    missing = client.post(
        _url(world, f"{subject.pk}/withdraw/"), {"withdrawn_on": site_today(world.site_a), "scope": "all"}
    )
    assert missing.status_code == 200 and "may be used" in missing.content.decode()
    client.post(
        _url(world, f"{subject.pk}/withdraw/"),
        {"withdrawn_on": site_today(world.site_a).isoformat(), "scope": "all", "data_may_be_used": "no"},
    )
    subject.refresh_from_db()
    page = client.get(_url(world, f"{subject.pk}/")).content.decode()
    assert subject.status == "withdrawn" and "may not be used" in page


def test_other_sites_subjects_are_404_and_read_only_roles_403(world, client):
    subject_b = screened(world.site_b, approved_form(world.study))
    client.force_login(world.user(RoleCode.STUDY_COORDINATOR))
    assert client.get(_url(world, f"{subject_b.pk}/")).status_code == 404
    assert client.post(_url(world, f"{subject_b.pk}/screen-fail/"), {"reason": "x"}).status_code == 404
    client.force_login(world.user(RoleCode.MONITOR))
    assert client.post(_url(world, f"{world.subject_a.pk}/screen-fail/"), {"reason": "x"}).status_code == 403
    assert client.get(_url(world, "screen/")).status_code == 403


def test_the_project_manager_manages_consent_form_versions(world, client):
    client.force_login(world.user(RoleCode.PROJECT_MANAGER))
    created = client.post(
        _url(world, "consent-forms/"),
        {"version": "3.0", "language": "en", "title": "Main ICF", "document": _upload(), "sites": [world.site_a.pk]},
    )
    form = ConsentForm.objects.get(version="3.0")
    assert created.status_code == 302 and form.document_name == "icf.pdf"
    assert client.get(_url(world, f"consent-forms/{form.pk}/document/")).content == PDF
    client.post(_url(world, f"consent-forms/{form.pk}/ethics/"), {"committee": "WIRB", "approved_on": "2026-02-01"})
    wrong = client.post(_url(world, f"consent-forms/{form.pk}/approve/"), {"password": "bad"})
    assert wrong.status_code == 200
    client.post(_url(world, f"consent-forms/{form.pk}/approve/"), {"password": PASSWORD})
    page = client.get(_url(world, f"consent-forms/{form.pk}/")).content.decode()
    form.refresh_from_db()
    assert form.status == "approved" and "I approve" in page and "WIRB" in page
    client.force_login(world.user(RoleCode.STUDY_COORDINATOR))
    assert client.post(_url(world, f"consent-forms/{form.pk}/retire/"), {"reason": "x"}).status_code == 403
    assert "3.0" in client.get(_url(world, "consent-forms/")).content.decode()


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("icf.pdf", PDF, content_type="application/pdf")


def test_the_prescreening_page_logs_and_counts(world, client):
    client.force_login(world.user(RoleCode.STUDY_COORDINATOR))
    done = client.post(
        _url(world, "prescreening/"),
        {
            "site": world.site_a.pk,
            "logged_on": "2026-02-03",
            "source": "referral",
            "outcome": "declined",
            "reason": "Travel",
        },
    )
    assert done.status_code == 302 and PrescreeningEntry.objects.get().reason == "Travel"
    refused = client.post(_url(world, "prescreening/"), {"site": world.site_b.pk, "logged_on": "2026-02-03"})
    assert refused.status_code == 404
    page = client.get(_url(world, "prescreening/")).content.decode()
    assert "Declined" in page and "Travel" in page
