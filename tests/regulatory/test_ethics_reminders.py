"""Reminders of ethics approvals that expire: the lead times (90, 60, 30, 7 days, then expired), each once, the
nearest one on a late run, never for an approval a newer one extends; who is told (editors, the local committee's
site staff, not another site's), the e-mail, `opencro regulatory remind` and the `regulatory.ethics_reminders` job."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from typer.testing import CliRunner

from opencro.accounts import services as accounts
from opencro.accounts.models import Membership
from opencro.accounts.permissions import RoleCode
from opencro.cli.main import app
from opencro.jobs.models import JobStatus
from opencro.jobs.services import job_submit
from opencro.notices.models import Notice
from opencro.regulatory.models import EthicsReminder
from opencro.regulatory.services.reminders import (
    EXPIRED,
    NOTICE_KIND,
    ethics_reminders_send,
    threshold_due,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
runner = CliRunner()
RA, PM = RoleCode.REGULATORY_SPECIALIST, RoleCode.PROJECT_MANAGER
PI, CRC = RoleCode.INVESTIGATOR, RoleCode.STUDY_COORDINATOR


@pytest.fixture
def b1_coordinator(world):
    """A coordinator of site B1 (Japan): the world's site-restricted members are all at A1."""
    user = make_user("crc-b1")
    accounts.membership_grant(actor=world.admin, user=user, study=world.study, role_code=CRC, sites=[world.site_b])
    return user


def approved(reg, committee, *, decided_ago: int = 10, kind: str = "initial", expires_on=None, **extra):
    """An approval of `committee`, decided `decided_ago` days ago (its expiry from the committee's interval unless
    given)."""
    site = reg.world.site_b if committee.country_id == reg.world.site_b.country_id else None
    submission = reg.to_committee(committee, kind, **extra)
    reg.step(submission, "submit", reg.days_ago(decided_ago + 5, site))
    return reg.step(submission, "approve", reg.days_ago(decided_ago, site), expires_on=expires_on)


def before(submission, days: int) -> dt.date:
    return submission.expires_on - dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(120, None), (91, None), (90, 90), (61, 90), (60, 60), (31, 60), (30, 30), (25, 30), (8, 30), (7, 7), (0, 7)],
)
def test_the_nearest_lead_time_passed_covers_the_days_left(days_left, expected):
    assert threshold_due(days_left) == expected


def test_past_the_last_day_the_expired_reminder_is_due():
    assert threshold_due(-1) == EXPIRED == 0 and threshold_due(-400) == EXPIRED


def test_each_lead_time_is_sent_once_then_the_expiry(reg):
    central = reg.committee("Central IRB", months=12)
    approval = approved(reg, central)
    assert approval.expires_on is not None  # from the committee's 12 months
    assert ethics_reminders_send(on=before(approval, 91)) == []
    for days in (90, 60, 30, 7):
        [sent] = ethics_reminders_send(on=before(approval, days))
        assert (sent.submission, sent.threshold_days, sent.days_left) == (approval.number, days, days)
        assert ethics_reminders_send(on=before(approval, days)) == []  # twice the same day: nothing new
    assert ethics_reminders_send(on=approval.expires_on) == []  # the last day is covered by the 7-day one
    [expired] = ethics_reminders_send(on=approval.expires_on + dt.timedelta(days=1))
    assert expired.threshold_days == EXPIRED and expired.days_left == -1
    assert ethics_reminders_send(on=approval.expires_on + dt.timedelta(days=30)) == []  # expired: told once
    sent = EthicsReminder.objects.filter(submission=approval)
    assert sorted(sent.values_list("threshold_days", flat=True)) == [0, 7, 30, 60, 90]
    assert sent.get(threshold_days=60).sent_on == before(approval, 60)
    # the committee's editors, once per reminder: the specialist and the project manager
    assert Notice.objects.filter(kind=NOTICE_KIND).count() == 5 * 2


def test_a_late_run_sends_the_nearest_lead_time_only(reg):
    approval = approved(reg, reg.committee("Central IRB"))
    [sent] = ethics_reminders_send(on=before(approval, 25))  # the 90-, 60- and 30-day runs were missed
    assert sent.threshold_days == 30
    assert list(EthicsReminder.objects.values_list("threshold_days", flat=True)) == [30]
    assert ethics_reminders_send(on=before(approval, 20)) == []
    assert ethics_reminders_send(on=before(approval, 40)) == []  # a run for an earlier day: 60 days is past, too
    [last] = ethics_reminders_send(on=before(approval, 3))
    assert last.threshold_days == 7


def test_an_approval_a_continuing_review_extends_is_not_reminded(reg):
    central = reg.committee("Central IRB", months=12)
    initial = approved(reg, central, decided_ago=400)  # expired about 35 days ago
    renewal = approved(reg, central, decided_ago=30, kind="continuing_review")
    assert renewal.expires_on > initial.expires_on
    # a week before the first approval expired, the continuing review was not yet approved: that reminder was due
    [week] = ethics_reminders_send(on=before(initial, 7))
    assert (week.submission, week.threshold_days) == (initial.number, 7)
    today = reg.days_ago(0)
    assert ethics_reminders_send(on=today) == []  # renewed: the first approval's expiry is not announced
    assert not EthicsReminder.objects.filter(submission=initial, threshold_days=EXPIRED).exists()
    [renewed] = ethics_reminders_send(on=before(renewal, 60))
    assert (renewed.submission, renewed.threshold_days) == (renewal.number, 60)


def test_an_amendment_approval_does_not_renew_and_another_committee_does_not_supersede(reg, world):
    central = reg.committee("Central IRB", months=12)
    initial = approved(reg, central, decided_ago=400)
    amendment = approved(reg, central, decided_ago=20, kind="amendment")
    assert amendment.expires_on is None  # an amendment's approval does not restart the period
    other = reg.committee("Second IRB", months=12)
    approved(reg, other, decided_ago=20)
    [sent] = ethics_reminders_send(on=reg.days_ago(0))
    assert (sent.submission, sent.threshold_days, sent.committee) == (initial.number, EXPIRED, "Central IRB")


def test_a_committee_that_received_the_final_report_is_not_reminded(reg):
    central = reg.committee("Central IRB")
    approval = approved(reg, central, decided_ago=400)
    final = reg.to_committee(central, "final_report")
    reg.step(final, "submit", reg.days_ago(40))
    assert ethics_reminders_send(on=reg.days_ago(0)) == []
    assert ethics_reminders_send(on=before(approval, 30)) != []  # before the report was sent, it was


def test_a_local_committee_tells_its_sites_staff_not_another_sites(reg, world, b1_coordinator):
    local_b = reg.committee("Tokyo IRB", scope="local", country=world.site_b.country, sites=[world.site_b])
    local_a = reg.committee("Chicago IRB", scope="local", sites=[world.site_a])
    central = reg.committee("US central IRB")
    for_b, for_a, for_us = (approved(reg, c) for c in (local_b, local_a, central))
    editors = {world.user(RA), world.user(PM)}
    sent = {r.submission: r for r in ethics_reminders_send(on=before(for_b, 30))}
    assert set(sent) == {for_b.number, for_a.number, for_us.number}  # approved on the same days: same expiry

    def told(submission) -> set:
        return {n.user for n in Notice.objects.filter(kind=NOTICE_KIND, url__endswith=f"/{submission.pk}/")}

    assert told(for_b) == editors | {b1_coordinator}
    assert told(for_a) == editors | {world.user(PI), world.user(CRC)}  # A1's investigator and coordinator
    assert told(for_us) == editors  # a central committee: its editors only
    assert sent[for_b.number].sites == ("B1",) and sent[for_us.number].sites == ()
    assert set(sent[for_a.number].recipients) == {u.username for u in told(for_a)}


def test_with_nobody_to_tell_nothing_is_recorded_and_the_next_run_tries_again(reg, world):
    approval = approved(reg, reg.committee("Central IRB"))
    editors = Membership.objects.filter(study=world.study, user__in=[world.user(RA), world.user(PM)])
    editors.update(is_active=False)
    assert ethics_reminders_send(on=before(approval, 30)) == []
    assert not EthicsReminder.objects.exists()
    editors.update(is_active=True)
    [sent] = ethics_reminders_send(on=before(approval, 29))
    assert sent.threshold_days == 30


def test_the_notice_is_mailed_and_names_no_treatment(reg, world, django_capture_on_commit_callbacks):
    for user, address in ((world.user(RA), "ra@cro.example"), (world.user(PM), "pm@cro.example")):
        user.email = address
        user.save(update_fields=["email"])
    local = reg.committee("Chicago IRB", scope="local", sites=[world.site_a])
    approval = approved(reg, local, product="Cardiozolam 10 mg", title="Cardiozolam initial review")
    with django_capture_on_commit_callbacks(execute=True):
        ethics_reminders_send(on=before(approval, 7))
    assert sorted(m.to[0] for m in mail.outbox) == ["pm@cro.example", "ra@cro.example"]
    message = mail.outbox[0]
    assert "Chicago IRB" in message.subject and approval.expires_on.isoformat() in message.subject
    path = f"/studies/{world.study.pk}/regulatory/submissions/{approval.pk}/"
    for text in ("T-001", "Chicago IRB", "A1 Alpha Hospital", approval.number, "in 7 days", path):
        assert text in message.body, text
    for treatment in ("Cardiozolam", "Arm A", "Arm P", world.arms[0].name):
        assert treatment not in message.body and treatment not in message.subject
    notice = Notice.objects.filter(kind=NOTICE_KIND, user=world.user(RA)).get()
    assert notice.url == path and "Cardiozolam" not in notice.body


def test_the_expired_notice_says_so(reg, world):
    approval = approved(reg, reg.committee("Central IRB"), decided_ago=400)
    ethics_reminders_send(on=reg.days_ago(0))
    notice = Notice.objects.filter(kind=NOTICE_KIND, user=world.user(RA)).get()
    assert "expired on " + approval.expires_on.isoformat() in notice.title
    assert "all sites in United States" in notice.body and "no newer approval" in notice.body


def test_the_command_prints_what_it_sent_once(reg):
    approval = approved(reg, reg.committee("Central IRB"))
    day = before(approval, 60).isoformat()
    result = runner.invoke(app, ["regulatory", "remind", "--date", day])
    assert result.exit_code == 0, result.output
    assert f"reminders sent on {day}: 1" in result.stdout
    for text in (approval.number, "Central IRB", "60 days", approval.expires_on.isoformat(), "specialist"):
        assert text in result.stdout, text  # (a narrow terminal folds the user names)
    again = runner.invoke(app, ["regulatory", "remind", "--date", day])
    assert again.exit_code == 0 and f"No ethics approval reminder due on {day}." in again.stdout


def test_the_command_prints_json(reg, world):
    approval = approved(reg, reg.committee("Central IRB"), decided_ago=400)
    result = runner.invoke(app, ["regulatory", "remind", "--json", "--study", "T-001"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["date"] == timezone.localdate().isoformat()
    [row] = data["sent"]
    assert row["submission"] == approval.number and row["expired"] is True and row["threshold_days"] == 0
    assert row["expires_on"] == approval.expires_on.isoformat() and row["sites"] == []
    assert sorted(row["recipients"]) == ["project-manager", "regulatory-specialist"]
    assert row["url"] == f"/studies/{world.study.pk}/regulatory/submissions/{approval.pk}/"
    assert json.loads(runner.invoke(app, ["regulatory", "remind", "--json"]).stdout)["sent"] == []


def test_the_command_refuses_a_bad_date_and_an_unknown_study(world):
    bad = runner.invoke(app, ["regulatory", "remind", "--date", "27/11/2026"])
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.stderr
    unknown = runner.invoke(app, ["regulatory", "remind", "--study", "NOPE"])
    assert unknown.exit_code == 1 and "no study with protocol number NOPE" in unknown.stderr


@pytest.fixture
def _eager(settings):
    settings.OPENCRO_JOBS_EAGER = True
    settings.OPENCRO_BROKER_URL = ""


@pytest.mark.usefixtures("_eager")
def test_the_job_sends_todays_reminders(reg, world, django_capture_on_commit_callbacks):
    central = reg.committee("Central IRB")
    approval = approved(reg, central, expires_on=timezone.localdate() + dt.timedelta(days=20))
    with django_capture_on_commit_callbacks(execute=True):
        job = job_submit(actor=world.user(RA), name="regulatory.ethics_reminders", params={}, study=world.study)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["reminders"] == 1
    assert job.result["sent"] == [
        {"submission": approval.number, "study": "T-001", "threshold_days": 30, "recipients": 2}
    ]
    assert EthicsReminder.objects.get().sent_on == timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        again = job_submit(actor=world.admin, name="regulatory.ethics_reminders", params={})  # every study
    again.refresh_from_db()
    assert again.status == JobStatus.SUCCEEDED and again.result["reminders"] == 0


@pytest.mark.usefixtures("_eager")
def test_only_regulatory_editors_start_the_job(world):
    for role in (PI, RoleCode.MONITOR):
        with pytest.raises(PermissionDenied):
            job_submit(actor=world.user(role), name="regulatory.ethics_reminders", params={}, study=world.study)
    with pytest.raises(PermissionDenied):  # without a study: a superuser's or the system's
        job_submit(actor=world.user(RA), name="regulatory.ethics_reminders", params={})
