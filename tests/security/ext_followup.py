"""Security-sweep rows for the followup part (see tests/security/extensions.py).

World (`world_data`): `{fu_subject}` (site variant, in `w.edc[site]`) is the site's participant of the shared
world, and `{fu_today}` (global) today's date. The write rows are free of order on that one participant: contact
details and contact attempts succeed every time; the disposition rows ask for "lost to follow-up", which the
service refuses (the attempts of a sweep fall on one day, none by registered letter), and the reminder rows name
a visit long past, also refused (page re-rendered: 200; API: 422) after the permission checks.
The service cases run in rolled-back savepoints; the reminder case enrols a participant with a visit to come.
"""

import datetime as dt

from django.utils import timezone

from opencro.accounts.permissions import Perm, RoleCode
from opencro.followup import reminders as followup_reminders
from opencro.followup import services as followup_services
from opencro.subjects import services as subjects
from opencro.subjects.models import Subject
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S = Access.STUDY
PATTERN = "studies/<int:study_id>/followup/"
PAGE = "/studies/{study}/followup/"
API = "/api/v1/studies/{study_id}/followup"
API_URL = "/api/v1/studies/{study}/followup"
CONTACT = {"email": "pat@example.org", "preferred_channel": "email", "reminders_consented": True, "reason": "matrix"}
ATTEMPT = {"attempted_on": "{fu_today}", "method": "phone", "outcome": "no_answer", "note": "matrix"}
DISPOSITION = {"outcome": "early_termination", "reason": "lost_to_follow_up", "disposition_on": "{fu_today}"}
REMIND = {"event_oid": "SE.W4", "repeat": 1}


def _subject_page(tail: str) -> str:
    return PATTERN + "subjects/<int:subject_id>/" + tail


PAGES: list = [
    page("GET", PATTERN, S, Perm.SUBJECT_VIEW, url=PAGE),
    page("GET", PATTERN + "retention/", S, Perm.SUBJECT_VIEW, url=PAGE + "retention/"),
    page("GET", PATTERN + "settings/", S, Perm.SUBJECT_VIEW, url=PAGE + "settings/"),
    page(
        "POST",
        PATTERN + "settings/",
        S,
        Perm.STUDY_EDIT,
        url=PAGE + "settings/",
        data={"enabled": "on", "days_before": "7, 1", "reason": "matrix"},
        ok=302,
    ),
    page(
        "POST",
        PATTERN + "settings/sites/<int:site_id>/",
        S,
        Perm.STUDY_EDIT,
        url=PAGE + "settings/sites/{site}/",
        data={"phone": "+1 312 555 0000", "reason": "matrix"},
        ok=302,
    ),
    page("GET", _subject_page(""), S, Perm.SUBJECT_VIEW, url=PAGE + "subjects/{subject}/"),
    page(
        "POST",
        _subject_page("contact/"),
        S,
        Perm.SUBJECT_EDIT,
        url=PAGE + "subjects/{fu_subject}/contact/",
        data={**CONTACT, "reminders_consented": "on"},
        ok=302,
    ),
    page(
        "POST",
        _subject_page("attempts/"),
        S,
        Perm.SUBJECT_EDIT,
        url=PAGE + "subjects/{fu_subject}/attempts/",
        data=ATTEMPT,
        ok=302,
    ),
    page(
        "POST",
        _subject_page("disposition/"),
        S,
        Perm.SUBJECT_EDIT,
        url=PAGE + "subjects/{fu_subject}/disposition/",
        data=DISPOSITION,
    ),
    page(
        "POST",
        _subject_page("remind/"),
        S,
        Perm.SUBJECT_EDIT,
        url=PAGE + "subjects/{fu_subject}/remind/",
        data=REMIND,
    ),
]

API: list = [
    api("GET", API + "/calendar", S, Perm.SUBJECT_VIEW, url=API_URL + "/calendar"),
    api("GET", API + "/retention", S, Perm.SUBJECT_VIEW, url=API_URL + "/retention"),
    api("GET", API + "/reminders", S, Perm.SUBJECT_VIEW, url=API_URL + "/reminders"),
    api("GET", API + "/reminder-settings", S, Perm.SUBJECT_VIEW, url=API_URL + "/reminder-settings"),
    api(
        "PUT",
        API + "/reminder-settings",
        S,
        Perm.STUDY_EDIT,
        url=API_URL + "/reminder-settings",
        data={"enabled": True, "days_before": [7, 1], "reason": "matrix"},
    ),
    api(
        "PUT",
        API + "/sites/{site_id}/contact",
        S,
        Perm.STUDY_EDIT,
        url=API_URL + "/sites/{site}/contact",
        data={"phone": "+1 312 555 0000", "reason": "matrix"},
    ),
    api("GET", API + "/subjects/{subject_id}", S, Perm.SUBJECT_VIEW, url=API_URL + "/subjects/{subject}"),
    api(
        "PUT",
        API + "/subjects/{subject_id}/contact",
        S,
        Perm.SUBJECT_EDIT,
        url=API_URL + "/subjects/{fu_subject}/contact",
        data=CONTACT,
    ),
    api(
        "POST",
        API + "/subjects/{subject_id}/attempts",
        S,
        Perm.SUBJECT_EDIT,
        url=API_URL + "/subjects/{fu_subject}/attempts",
        data=ATTEMPT,
        ok=201,
    ),
    api(
        "PUT",
        API + "/subjects/{subject_id}/disposition",
        S,
        Perm.SUBJECT_EDIT,
        url=API_URL + "/subjects/{fu_subject}/disposition",
        data=DISPOSITION,
        ok=422,
    ),
    api(
        "POST",
        API + "/subjects/{subject_id}/reminders",
        S,
        Perm.SUBJECT_EDIT,
        url=API_URL + "/subjects/{fu_subject}/reminders",
        data=REMIND,
        ok=422,
    ),
]

MODULES: dict = {"followup_services": followup_services, "followup_reminders": followup_reminders}
EXEMPT: dict[str, str] = {
    "followup_services.ltfu_problems": "a pure function: why lost to follow-up cannot be recorded yet",
    "followup_reminders.trigger_for": "a pure function: which reminder covers a number of days",
    "followup_reminders.reminder_message": "a pure function: a reminder's text",
    "followup_reminders.reminders_due": "a read: the reminders due (reminders_send_due checks the actor)",
}


def _subject(w) -> Subject:
    return Subject.objects.get(pk=w.subject_a.pk)


def _remind_now(w, actor):
    """Enrol a participant at A1 yesterday (Week 4 to come) and remind them by hand as `actor`."""
    today = timezone.localdate()
    subject = subjects.subject_screen(
        actor=None, site=w.site_a, number="A1-F01", screened_on=today - dt.timedelta(days=3)
    )
    subjects.subject_enrol(actor=None, subject=subject, enrolled_on=today - dt.timedelta(days=1))
    contact = {"email": "pat@example.org", "preferred_channel": "email", "reminders_consented": True}
    followup_services.contact_details_save(actor=None, subject=subject, **contact)
    return followup_reminders.reminder_send_now(actor=actor, subject=subject, event_oid="SE.W4")


COORDINATOR = RoleCode.STUDY_COORDINATOR
CASES: list = [
    Case(
        "followup_services.contact_details_save",
        lambda w, u: followup_services.contact_details_save(
            actor=u, subject=_subject(w), phone="+1 312 555 0100", reason="matrix"
        ),
        Perm.SUBJECT_EDIT,
        COORDINATOR,
    ),
    Case(
        "followup_services.contact_attempt_record",
        lambda w, u: followup_services.contact_attempt_record(
            actor=u,
            subject=_subject(w),
            attempted_on=timezone.localdate(),
            method="phone",
            outcome="no_answer",
        ),
        Perm.SUBJECT_EDIT,
        COORDINATOR,
    ),
    Case(
        "followup_services.disposition_record",
        lambda w, u: followup_services.disposition_record(
            actor=u, subject=_subject(w), outcome="completed", disposition_on=timezone.localdate()
        ),
        Perm.SUBJECT_EDIT,
        COORDINATOR,
    ),
    Case(
        "followup_services.reminder_settings_save",
        lambda w, u: followup_services.reminder_settings_save(
            actor=u, study=w.study, enabled=True, days_before=[7, 1], reason="matrix"
        ),
        Perm.STUDY_EDIT,
    ),
    Case(
        "followup_services.site_contact_save",
        lambda w, u: followup_services.site_contact_save(actor=u, site=w.site_a, phone="+1 312 555 0000", reason="m"),
        Perm.STUDY_EDIT,
    ),
    Case(
        "followup_reminders.reminders_send_due",
        lambda w, u: followup_reminders.reminders_send_due(actor=u, study=w.study, dry_run=True),
        Perm.SUBJECT_EDIT,
        COORDINATOR,
    ),
    Case(
        "followup_reminders.reminder_send_now",
        _remind_now,
        Perm.SUBJECT_EDIT,
        COORDINATOR,
    ),
]


def world_data(w) -> None:
    """`{fu_subject}`: each site's participant of the shared world; `{fu_today}`: today."""
    w.ids["fu_today"] = timezone.localdate().isoformat()
    w.edc["a"]["fu_subject"] = w.subject_a.pk
    w.edc["b"]["fu_subject"] = w.subject_b.pk
