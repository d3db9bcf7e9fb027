"""Visit reminders: which visits, once only, no clinical data, the right recipient, backends and their check."""

import datetime as dt
import json

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ValidationError

from opencro.accounts.models import User
from opencro.accounts.permissions import RoleCode
from opencro.followup import services
from opencro.followup.backends import (
    ConsoleBackend,
    HttpSmsBackend,
    ReminderDeliveryError,
    ReminderMessage,
    SmtpEmailBackend,
)
from opencro.followup.models import ReminderLog, ReminderStatus
from opencro.followup.reminders import reminder_send_now, reminders_send_due, trigger_for
from tests.followup.conftest import enrol, visit

pytestmark = pytest.mark.django_db
D = dt.date
DAY1 = D(2026, 9, 1)  # Week 4's target: 2026-09-29 (window 09-26 to 10-02); Week 8's: 10-27
BACKENDS = "opencro.followup.backends."


class FailingBackend:
    def send(self, message):
        raise ReminderDeliveryError("gateway down")


@pytest.fixture
def remind(fu):
    services.reminder_settings_save(actor=None, study=fu.study, enabled=True, days_before=[7, 1])
    services.site_contact_save(actor=None, site=fu.site_a, phone="+1 312 555 0000")
    fu.p = enrol(fu.site_a, "A1-101", DAY1)
    visit(fu.p, "SE.D1", DAY1)
    return fu


def _consent(w, channel="email", **kw):
    values = {"email": "pat@example.org", "phone": "+1 312 555 0123", "preferred_channel": channel}
    services.contact_details_save(actor=None, subject=w.p, **({"reminders_consented": True} | values | kw))


def _send(w, today, **kw):
    return reminders_send_due(actor=None, study=w.study, today=today, **kw)


def test_trigger_is_the_smallest_reminder_covering_the_days_left():
    assert [trigger_for([7, 1], d) for d in (8, 7, 5, 2, 1, 0, -1)] == [None, 7, 7, 7, 1, 1, None]


def test_the_reminder_goes_once_to_the_participant_by_their_channel(remind):
    _consent(remind)
    [outcome] = _send(remind, D(2026, 9, 22))
    assert (outcome.visit, outcome.trigger, outcome.recipient, outcome.status) == (
        "Week 4",
        "auto-7",
        "participant",
        "sent",
    )
    [message] = ConsoleBackend.outbox
    assert message.channel == "email" and message.to == ("pat@example.org",)
    assert [o.status for o in _send(remind, D(2026, 9, 22))] == ["already_sent"]
    assert _send(remind, D(2026, 9, 23)) and len(ConsoleBackend.outbox) == 1  # still the 7-day reminder: sent
    log = ReminderLog.objects.get()
    assert (log.status, log.trigger, log.channel) == (ReminderStatus.SENT, "auto-7", "email")
    assert log.backend == BACKENDS + "ConsoleBackend" and log.reference.startswith("console-")


def test_a_skipped_day_is_caught_up_and_each_reminder_goes_once(remind):
    _consent(remind, channel="sms")
    assert [o.trigger for o in _send(remind, D(2026, 9, 25))] == ["auto-7"]
    assert [o.trigger for o in _send(remind, D(2026, 9, 29))] == ["auto-1"]
    assert [o.status for o in _send(remind, D(2026, 9, 29))] == ["already_sent"]
    assert [m.channel for m in ConsoleBackend.outbox] == ["sms", "sms"]
    assert ConsoleBackend.outbox[0].to == ("+1 312 555 0123",)


def test_the_message_holds_visit_date_site_and_phone_and_nothing_clinical(remind):
    _consent(remind)
    _send(remind, D(2026, 9, 22))
    [message] = ConsoleBackend.outbox
    text = message.subject + "\n" + message.body
    for expected in ("Week 4", "2026-09-29", "Alpha Hospital", "+1 312 555 0000"):
        assert expected in text
    study = remind.study
    forbidden = [study.protocol_number, study.title, study.indication, study.therapeutic_area, study.sponsor]
    forbidden += [arm.name for arm in remind.arms] + ["A1-101", "Heart", "Arm", "randomis", "treatment", "dose"]
    assert not [word for word in forbidden if word.lower() in text.lower()]


def test_without_a_consented_channel_the_site_coordinators_are_reminded(remind):
    _consent(remind, reminders_consented=False)
    [failed] = _send(remind, D(2026, 9, 22))
    assert (failed.recipient, failed.status) == ("site", "failed") and "No address" in failed.detail
    coordinator = User.objects.get(username="study-coordinator")
    coordinator.email = "coordinator@alpha.example"
    coordinator.save()
    [retried] = _send(remind, D(2026, 9, 22))  # the failed reminder is tried again
    assert retried.status == "sent"
    [message] = ConsoleBackend.outbox
    assert message.to == ("coordinator@alpha.example",) and "A1-101" in message.body and "Week 4" in message.body
    services.site_contact_save(actor=None, site=remind.site_a, phone="", email="followup@alpha.example", reason="box")
    reminder_send_now(actor=None, subject=remind.p, event_oid="SE.W8", today=D(2026, 9, 22))
    assert ConsoleBackend.outbox[-1].to == ("followup@alpha.example",)


def test_a_failed_send_is_logged_and_retried(remind, settings):
    _consent(remind)
    settings.OPENCRO_REMINDER_BACKENDS = {"email": f"{__name__}.FailingBackend", "sms": BACKENDS + "ConsoleBackend"}
    [outcome] = _send(remind, D(2026, 9, 22))
    assert outcome.status == "failed" and ReminderLog.objects.get().error == "gateway down"
    settings.OPENCRO_REMINDER_BACKENDS = {"email": BACKENDS + "ConsoleBackend", "sms": BACKENDS + "ConsoleBackend"}
    assert [o.status for o in _send(remind, D(2026, 9, 22))] == ["sent"]
    assert ReminderLog.objects.get().status == ReminderStatus.SENT


def test_dry_run_sends_and_records_nothing(remind):
    _consent(remind)
    [outcome] = _send(remind, D(2026, 9, 22), dry_run=True)
    assert outcome.status == "would_send" and not ReminderLog.objects.exists() and not ConsoleBackend.outbox
    _send(remind, D(2026, 9, 22))
    assert _send(remind, D(2026, 9, 22), dry_run=True) == []


def test_no_reminder_when_off_done_or_after_disposition(remind):
    _consent(remind)
    services.reminder_settings_save(actor=None, study=remind.study, enabled=False, days_before=[7, 1], reason="off")
    assert _send(remind, D(2026, 9, 22)) == []
    services.reminder_settings_save(actor=None, study=remind.study, enabled=True, days_before=[7, 1], reason="on")
    visit(remind.p, "SE.W4", D(2026, 9, 22))
    assert _send(remind, D(2026, 9, 28)) == []  # Week 4 took place already
    services.disposition_record(actor=None, subject=remind.p, outcome="completed", disposition_on=D(2026, 9, 23))
    assert _send(remind, D(2026, 10, 20)) == []  # Week 8 is no longer expected


def test_a_site_restricted_actor_reminds_at_their_sites_only(remind):
    _consent(remind)
    b = enrol(remind.site_b, "B1-101", DAY1)
    outcomes = reminders_send_due(
        actor=remind.user(RoleCode.STUDY_COORDINATOR), study=remind.study, today=D(2026, 9, 22)
    )
    assert [o.subject_number for o in outcomes] == ["A1-101"]
    assert not ReminderLog.objects.filter(subject=b).exists()


def test_a_reminder_by_hand_goes_once_a_day_and_only_for_a_coming_visit(remind):
    _consent(remind)
    coordinator = remind.user(RoleCode.STUDY_COORDINATOR)
    outcome = reminder_send_now(actor=coordinator, subject=remind.p, event_oid="SE.W8", today=D(2026, 9, 22))
    assert outcome.trigger == "manual-2026-09-22" and outcome.status == "sent"
    assert ReminderLog.objects.get().sent_by == coordinator
    with pytest.raises(ValidationError, match="already sent today"):
        reminder_send_now(actor=coordinator, subject=remind.p, event_oid="SE.W8", today=D(2026, 9, 22))
    with pytest.raises(ValidationError, match="still to come"):
        reminder_send_now(actor=coordinator, subject=remind.p, event_oid="SE.D1", today=D(2026, 9, 22))
    with pytest.raises(ValidationError, match="No such"):
        reminder_send_now(actor=coordinator, subject=remind.p, event_oid="SE.AE", today=D(2026, 9, 22))


def test_smtp_backend_mails_through_the_default_mailer(mailoutbox):
    message = ReminderMessage("email", ("pat@example.org",), "Reminder: your visit on 2026-09-29", "Hello")
    assert SmtpEmailBackend().send(message)
    [mail] = mailoutbox
    assert mail.to == ["pat@example.org"] and mail.subject == "Reminder: your visit on 2026-09-29"


def test_http_sms_backend_posts_json_with_the_token(settings, monkeypatch):
    settings.OPENCRO_SMS_GATEWAY_URL = "https://sms.example/send"
    settings.OPENCRO_SMS_GATEWAY_TOKEN = "t0ken"
    sent = []

    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, n):
            return b'{"id": "msg-1"}'

    def fake_urlopen(request, timeout):
        sent.append(request)
        return Answer()

    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen)
    reference = HttpSmsBackend().send(ReminderMessage("sms", ("+13125550123",), "", "Reminder"))
    [request] = sent
    assert reference == "msg-1" and request.get_method() == "POST" and request.full_url == "https://sms.example/send"
    assert request.get_header("Authorization") == "Bearer t0ken"
    assert json.loads(request.data) == {"to": ["+13125550123"], "text": "Reminder"}
    settings.OPENCRO_SMS_GATEWAY_URL = "http://insecure.example"
    with pytest.raises(ReminderDeliveryError, match="https"):
        HttpSmsBackend().send(ReminderMessage("sms", ("+13125550123",), "", "Reminder"))


def test_the_system_check_names_bad_backends(settings):
    def ids():
        return {m.id for m in run_checks() if m.id and m.id.startswith("followup.")}

    assert ids() == set()
    settings.OPENCRO_REMINDER_BACKENDS = {"email": "opencro.nowhere.Backend", "fax": BACKENDS + "ConsoleBackend"}
    assert ids() == {"followup.E002", "followup.E003", "followup.E004"}
    settings.OPENCRO_REMINDER_BACKENDS = {"email": BACKENDS + "ReminderMessage", "sms": BACKENDS + "HttpSmsBackend"}
    settings.OPENCRO_SMS_GATEWAY_URL = ""
    assert ids() == {"followup.E004", "followup.E005"}
    settings.OPENCRO_REMINDER_BACKENDS = "console"
    assert ids() == {"followup.E001"}
