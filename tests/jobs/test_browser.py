"""In Chromium: a job's page polls its progress with HTMX and sizes the bar without inline styles."""

import pytest
from playwright.sync_api import expect

from opencro.accounts.permissions import RoleCode
from opencro.jobs.models import Job, JobStatus
from tests.browser.conftest import browse, browser  # noqa: F401  (the Playwright fixtures)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bar_follows_the_job_until_it_finishes(browse, world):  # noqa: F811
    manager = world.user(RoleCode.DATA_MANAGER)
    job = Job.objects.create(
        name="audit.verify",
        created_by=manager,
        study=world.study,
        status=JobStatus.RUNNING,
        progress_done=1,
        progress_total=4,
        progress_message="Verifying the audit trail",
    )
    browse.login(manager.username, PASSWORD)
    browse.goto(f"/jobs/{job.pk}/")
    page = browse.page
    polls: list[str] = []
    page.on("request", lambda request: request.url.endswith(f"/jobs/{job.pk}/progress/") and polls.append(request.url))
    section = page.locator("#job-progress")
    expect(section).to_contain_text("1 / 4")
    _wait_for_width(page, "25%")

    Job.objects.filter(pk=job.pk).update(progress_done=3)
    expect(section).to_contain_text("3 / 4", timeout=5_000)  # the 1 s poll brought it
    _wait_for_width(page, "75%")

    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, progress_done=4, result={"ok": True})
    expect(section).to_have_attribute("data-status", "succeeded", timeout=5_000)
    _wait_for_width(page, "100%")
    expect(section).not_to_have_attribute("hx-get", f"/jobs/{job.pk}/progress/")
    polled = len(polls)
    page.wait_for_timeout(2_500)
    assert len(polls) == polled, "the page kept polling a finished job"
    browse.assert_clean()  # no console errors: nothing broke the Content-Security-Policy


def _wait_for_width(page, width: str) -> None:
    """Wait until progress.js has sized the bar (a style set by script, which the CSP allows)."""
    page.wait_for_function(
        "width => document.querySelector('#job-progress .bar > span').style.width === width", arg=width, timeout=5_000
    )
