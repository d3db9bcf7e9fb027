"""Follow-up writes: contact details, contact attempts, the lost-to-follow-up process, dispositions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts import services as accounts
from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.followup import services
from opencro.followup.models import Disposition, ParticipantContact
from opencro.subjects.models import ConsentWithdrawal, Subject, SubjectStatus, WithdrawalScope
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
D = dt.date


def _attempt(w, on, method="phone", outcome="no_answer", subject=None, note=""):
    return services.contact_attempt_record(
        actor=w.user(RoleCode.STUDY_COORDINATOR),
        subject=subject or w.subject_a,
        attempted_on=on,
        method=method,
        outcome=outcome,
        note=note,
    )


def test_contact_details_are_saved_audited_and_a_change_needs_a_reason(world):
    coordinator = world.user(RoleCode.STUDY_COORDINATOR)
    contact = services.contact_details_save(
        actor=coordinator,
        subject=world.subject_a,
        email="pat@example.org",
        phone="+1 312 555 0100",
        preferred_channel="email",
        reminders_consented=True,
    )
    assert AuditRecord.objects.filter(object_type="followup.participantcontact", field="email").exists()
    with pytest.raises(ValidationError, match="reason"):
        services.contact_details_save(actor=coordinator, subject=world.subject_a, email="new@example.org")
    services.contact_details_save(actor=coordinator, subject=world.subject_a, phone="+1 312 555 0199", reason="moved")
    contact.refresh_from_db()
    assert (contact.email, contact.phone, contact.preferred_channel) == ("", "+1 312 555 0199", "none")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"preferred_channel": "email"}, "email"),
        ({"preferred_channel": "sms"}, "phone"),
        ({"phone": "call me"}, "phone"),
        ({"email": "not an address"}, "email"),
    ],
)
def test_contact_details_are_validated(world, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        services.contact_details_save(actor=None, subject=world.subject_a, **kwargs)
    assert field in exc.value.message_dict
    assert not ParticipantContact.objects.exists()


def test_only_staff_of_the_participants_site_write(world):
    for role in (RoleCode.MONITOR, RoleCode.PROJECT_MANAGER, RoleCode.SPONSOR_OVERSIGHT):
        with pytest.raises(PermissionDenied):
            services.contact_details_save(actor=world.user(role), subject=world.subject_a)
    with pytest.raises(PermissionDenied):  # the coordinator of A1 at B1's participant
        _attempt(world, D(2026, 4, 1), subject=world.subject_b)
    with pytest.raises(PermissionDenied):
        services.disposition_record(
            actor=world.user(RoleCode.STUDY_COORDINATOR),
            subject=world.subject_b,
            outcome="completed",
            disposition_on=D(2026, 4, 1),
        )


def test_contact_attempts_are_dated_within_follow_up(world):
    with pytest.raises(ValidationError, match="enrolment"):
        _attempt(world, D(2026, 3, 9))
    with pytest.raises(ValidationError, match="future"):
        _attempt(world, dt.date.today() + dt.timedelta(days=2))
    attempt = _attempt(world, D(2026, 4, 1), note="voicemail full")
    assert attempt.recorded_by == world.user(RoleCode.STUDY_COORDINATOR) and not attempt.successful


LTFU_DAY = D(2026, 6, 1)


def _ltfu(w, on=LTFU_DAY):
    return services.disposition_record(
        actor=w.user(RoleCode.INVESTIGATOR),
        subject=w.subject_a,
        outcome="early_termination",
        reason="lost_to_follow_up",
        disposition_on=on,
        last_contact_on=D(2026, 4, 1),
    )


def test_lost_to_follow_up_needs_three_failed_attempts_on_different_days_with_a_registered_letter(world):
    assert services.LTFU_MIN_ATTEMPTS == 3
    with pytest.raises(ValidationError, match="at least 3"):
        _ltfu(world)
    _attempt(world, D(2026, 4, 10))
    _attempt(world, D(2026, 4, 10), method="email")  # same day: counts once
    _attempt(world, D(2026, 4, 20), method="sms", outcome="message_left")
    with pytest.raises(ValidationError) as exc:
        _ltfu(world)
    assert len(exc.value.message_dict["reason"]) == 2  # two days only, and no registered letter
    _attempt(world, D(2026, 5, 2), method="letter", outcome="undeliverable")
    with pytest.raises(ValidationError, match="registered letter"):
        _ltfu(world)
    _attempt(world, D(2026, 5, 15), method="registered_letter", outcome="undeliverable")
    with pytest.raises(ValidationError, match="at least 3"):
        _ltfu(world, on=D(2026, 4, 30))  # attempts after the disposition date do not count
    disposition = _ltfu(world)
    assert disposition.reason == "lost_to_follow_up"
    assert Subject.objects.get(pk=world.subject_a.pk).status == SubjectStatus.WITHDRAWN


def test_attempts_before_the_participant_was_last_reached_do_not_count(world):
    for day, method in ((D(2026, 4, 1), "phone"), (D(2026, 4, 2), "registered_letter"), (D(2026, 4, 3), "email")):
        _attempt(world, day, method=method)
    _attempt(world, D(2026, 4, 5), outcome="reached")
    with pytest.raises(ValidationError, match="at least 3"):
        _ltfu(world)


def test_completion_sets_the_status_through_an_audited_save(world):
    d = services.disposition_record(
        actor=world.user(RoleCode.INVESTIGATOR),
        subject=world.subject_a,
        outcome="completed",
        disposition_on=D(2026, 6, 1),
    )
    assert d.summary == "Completed"
    assert Subject.objects.get(pk=world.subject_a.pk).status == SubjectStatus.COMPLETED
    status = AuditRecord.objects.filter(
        object_type="subjects.subject", object_id=str(world.subject_a.pk), field="status"
    ).latest("id")
    assert (status.old_value, status.new_value) == ("enrolled", "completed")
    assert status.reason == "disposition: Completed" and status.username == "investigator"
    with pytest.raises(ValidationError, match="recorded"):  # contact attempts end with follow-up
        _attempt(world, D(2026, 6, 2))


def test_a_correction_needs_a_reason_and_moves_the_status(world):
    actor = world.user(RoleCode.INVESTIGATOR)
    subject = world.subject_a
    services.disposition_record(actor=actor, subject=subject, outcome="completed", disposition_on=D(2026, 6, 1))
    change = {"outcome": "early_termination", "reason": "adverse_event", "disposition_on": D(2026, 5, 30)}
    with pytest.raises(ValidationError, match="reason for the change"):
        services.disposition_record(actor=actor, subject=subject, **change)
    d = services.disposition_record(actor=actor, subject=subject, change_reason="wrong outcome entered", **change)
    assert d.summary == "Early termination: Adverse event" and Disposition.objects.count() == 1
    assert Subject.objects.get(pk=subject.pk).status == SubjectStatus.WITHDRAWN


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"outcome": "early_termination"}, "reason"),
        ({"outcome": "early_termination", "reason": "other"}, "reason_text"),
        ({"outcome": "completed", "reason": "death"}, "reason"),
        ({"outcome": "finished"}, "outcome"),
        ({"outcome": "completed", "last_contact_on": D(2026, 6, 2)}, "last_contact_on"),
    ],
)
def test_dispositions_are_validated(world, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        services.disposition_record(actor=None, subject=world.subject_a, disposition_on=D(2026, 6, 1), **kwargs)
    assert field in exc.value.message_dict
    assert Subject.objects.get(pk=world.subject_a.pk).status == SubjectStatus.ENROLLED


def test_a_participant_who_withdrew_consent_terminates_early_by_their_own_withdrawal(world):
    from django.utils import timezone

    subject = world.subject_a
    ConsentWithdrawal.objects.create(
        study=world.study,
        site=world.site_a,
        subject=subject,
        withdrawn_on=D(2026, 5, 1),
        scope=WithdrawalScope.ALL,
        data_may_be_used=True,
        recorded_at=timezone.now(),
    )
    Subject.objects.filter(pk=subject.pk).update(status=SubjectStatus.WITHDRAWN)
    subject.refresh_from_db()
    with pytest.raises(ValidationError, match="withdrew consent"):
        services.disposition_record(actor=None, subject=subject, outcome="completed", disposition_on=D(2026, 5, 1))
    d = services.disposition_record(
        actor=None,
        subject=subject,
        outcome="early_termination",
        reason="withdrawal_by_subject",
        disposition_on=D(2026, 5, 1),
    )
    assert d.summary == "Early termination: Withdrawal by subject"
    assert not AuditRecord.objects.filter(
        object_type="subjects.subject", field="status", new_value="withdrawn"
    ).exists()


def test_reminder_settings_are_study_wide(world):
    with pytest.raises(PermissionDenied):
        services.reminder_settings_save(
            actor=world.user(RoleCode.STUDY_COORDINATOR), study=world.study, enabled=True, days_before=[7]
        )
    site_pm = make_user("site-pm")
    accounts.membership_grant(
        actor=world.admin, user=site_pm, study=world.study, role_code=RoleCode.PROJECT_MANAGER, sites=[world.site_a]
    )
    with pytest.raises(PermissionDenied):
        services.reminder_settings_save(actor=site_pm, study=world.study, enabled=True, days_before=[7])
    with pytest.raises(ValidationError):
        services.reminder_settings_save(actor=None, study=world.study, enabled=True, days_before=[])
    with pytest.raises(ValidationError):
        services.reminder_settings_save(actor=None, study=world.study, enabled=True, days_before=[90])
    saved = services.reminder_settings_save(
        actor=world.user(RoleCode.PROJECT_MANAGER), study=world.study, enabled=True, days_before=[1, 7, 7]
    )
    assert saved.days_before == [7, 1]
