"""The system check refuses job settings that would fail only when someone starts a job."""

import pytest
from django.core.checks import run_checks

from opencro.jobs.checks import check_jobs
from opencro.jobs.definitions import JobDefinition


def _noop(ctx) -> dict:
    return {}


UNKNOWN_PERMISSION = JobDefinition(run=_noop, label="x", permission="study.destroy")


def _ids(settings, **overrides) -> list[str]:
    for name, value in overrides.items():
        setattr(settings, name, value)
    return [message.id for message in check_jobs()]


def test_the_shipped_settings_pass(settings):
    assert check_jobs() == []


@pytest.mark.parametrize(
    ("jobs", "expected"),
    [
        (["audit.verify"], ["jobs.E001"]),
        ({"Audit Verify": "opencro.jobs.builtin:AUDIT_VERIFY"}, ["jobs.E002"]),
        ({"x.y": "opencro.jobs.nowhere:AUDIT_VERIFY"}, ["jobs.E003"]),
        ({"x.y": "opencro.jobs.builtin:MISSING"}, ["jobs.E003"]),
        ({"x.y": "opencro.jobs.builtin.AUDIT_VERIFY"}, ["jobs.E003"]),  # no colon
        ({"x.y": "tests.jobs.jobdefs:NOT_A_DEFINITION"}, ["jobs.E003"]),  # a function, not a JobDefinition
        ({"x.y": 42}, ["jobs.E003"]),
        ({"x.y": "tests.jobs.test_checks:UNKNOWN_PERMISSION"}, ["jobs.E004"]),
    ],
)
def test_bad_job_settings_are_errors(settings, jobs, expected):
    assert _ids(settings, OPENCRO_JOBS=jobs) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://127.0.0.1:6379/0", []),
        ("rediss://cache.example:6380/0", []),
        ("amqp://guest:guest@rabbit:5672//", []),
        ("http://127.0.0.1:6379/0", ["jobs.E005"]),
        ("127.0.0.1:6379", ["jobs.E005"]),
    ],
)
def test_the_broker_must_be_redis_or_rabbitmq(settings, url, expected):
    assert _ids(settings, OPENCRO_BROKER_URL=url) == expected


@pytest.mark.django_db
def test_django_runs_the_check_with_the_others(settings):
    settings.OPENCRO_JOBS = {"x.y": "opencro.jobs.nowhere:JOB"}
    assert "jobs.E003" in [message.id for message in run_checks()]
