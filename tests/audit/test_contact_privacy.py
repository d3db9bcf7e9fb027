"""Participants' contact details in the audit trail: their values only for site staff (subject.edit).

`audit.selectors.PERSONAL_FIELDS` hides the records of these fields from every other reader, on the trail page,
the API and the exports (which all read through `audit_for_study`).
"""

import dataclasses
import datetime as dt

import pytest

from opencro.accounts.access import access_for
from opencro.accounts.permissions import Perm, RoleCode
from opencro.audit.selectors import PERSONAL_FIELDS, audit_for_study
from opencro.followup import services

pytestmark = pytest.mark.django_db
EMAIL, PHONE, NOTE = "pat.private@example.org", "+1 312 555 0177", "lives with her daughter now"


@pytest.fixture
def personal(world):
    services.contact_details_save(
        actor=None, subject=world.subject_a, email=EMAIL, phone=PHONE, preferred_channel="sms", reminders_consented=True
    )
    services.contact_attempt_record(
        actor=None,
        subject=world.subject_a,
        attempted_on=dt.date(2026, 4, 1),
        method="phone",
        outcome="reached",
        note=NOTE,
    )
    return world


def _values(records) -> str:
    return " ".join(f"{r.old_value} {r.new_value}" for r in records)


def test_readers_without_subject_edit_see_no_contact_values(personal):
    for role in (RoleCode.AUDITOR, RoleCode.MONITOR, RoleCode.PROJECT_MANAGER, RoleCode.SPONSOR_OVERSIGHT):
        access = access_for(personal.user(role), personal.study.pk)
        records = list(audit_for_study(access))
        text = _values(records)
        assert EMAIL not in text and PHONE not in text and NOTE not in text, role
        hidden = {(r.object_type, r.field) for r in records if r.object_type in PERSONAL_FIELDS}
        assert not {(t, f) for t, f in hidden if f in PERSONAL_FIELDS[t]}, role
        assert ("followup.participantcontact", "subject") in hidden  # the record exists: who and when stay visible


def test_site_staff_with_the_trail_see_the_values(personal):
    investigator = access_for(personal.user(RoleCode.INVESTIGATOR), personal.study.pk)
    staff = dataclasses.replace(investigator, permissions=investigator.permissions | {Perm.AUDIT_VIEW})
    text = _values(audit_for_study(staff))
    assert EMAIL in text and PHONE in text and NOTE in text


def test_the_trail_page_api_and_exports_hide_them(personal, client):
    client.force_login(personal.user(RoleCode.AUDITOR))
    study = personal.study.pk
    answers = [
        client.get(f"/studies/{study}/audit/"),
        client.get(f"/api/v1/studies/{study}/audit"),
        client.get(f"/studies/{study}/audit/export.csv"),
        client.get(f"/studies/{study}/audit/followup.participantcontact/{personal.subject_a.contact.pk}/"),
    ]
    for response in answers:
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert EMAIL.encode() not in body and PHONE.encode() not in body and NOTE.encode() not in body
