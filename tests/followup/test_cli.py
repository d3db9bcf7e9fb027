"""`opencro followup remind`: today's reminders as the system, once; --dry-run, --json, unknown studies."""

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from opencro.cli.main import app
from opencro.followup import services
from opencro.followup.backends import ConsoleBackend
from opencro.followup.models import ReminderLog
from opencro.studies.dates import site_today
from tests.followup.conftest import enrol, visit

runner = CliRunner()
pytestmark = pytest.mark.django_db


@pytest.fixture
def due(fu):
    """A1-301's Week 4 (day 29) is 5 days ahead today: the 7-day reminder is due."""
    services.reminder_settings_save(actor=None, study=fu.study, enabled=True, days_before=[7, 1])
    today = site_today(fu.site_a)
    p = enrol(fu.site_a, "A1-301", today - dt.timedelta(days=23))
    visit(p, "SE.D1", p.enrolled_on)
    visit(p, "SE.W2", p.enrolled_on + dt.timedelta(days=14))
    services.contact_details_save(
        actor=None, subject=p, email="pat@example.org", preferred_channel="email", reminders_consented=True
    )
    return fu


def test_remind_sends_once_and_prints_a_table(due):
    result = runner.invoke(app, ["followup", "remind", "--study", "T-001"])
    assert result.exit_code == 0, result.output
    assert "T-001: reminders due: 1" in result.stdout and "A1-301" in result.stdout and "Week 4" in result.stdout
    assert len(ConsoleBackend.outbox) == 1 and ReminderLog.objects.get().sent_by is None  # as the system
    again = runner.invoke(app, ["followup", "remind"])
    assert again.exit_code == 0 and "already_sent" in again.stdout and len(ConsoleBackend.outbox) == 1


def test_dry_run_as_json_sends_nothing(due):
    result = runner.invoke(app, ["followup", "remind", "--study", "T-001", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    [row] = data["studies"]["T-001"]
    assert data["dry_run"] is True and row["status"] == "would_send" and row["trigger"] == "auto-7"
    assert not ReminderLog.objects.exists() and not ConsoleBackend.outbox


def test_a_failure_exits_1(due):
    services.contact_details_save(actor=None, subject=due.study.subjects.get(number="A1-301"), reason="declined")
    result = runner.invoke(app, ["followup", "remind", "--study", "T-001"])  # no coordinator e-mail to fall back to
    assert result.exit_code == 1 and "failed" in result.stdout


def test_unknown_study_and_nothing_to_do(fu):
    unknown = runner.invoke(app, ["followup", "remind", "--study", "NOPE"])
    assert unknown.exit_code == 1 and "no study with protocol number NOPE" in unknown.stderr
    none = runner.invoke(app, ["followup", "remind"])
    assert none.exit_code == 0 and none.stdout.strip() == "No study has visit reminders turned on."
