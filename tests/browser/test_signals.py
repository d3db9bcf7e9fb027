"""The signal workspace in the browser: the safety physician uploads a report table, the run finds the study
drug's disproportionate pair (its picture drawn), and the signal is taken into validation and validated with a
signature. Screenshots for docs/signals.md come from here."""

import pytest
from playwright.sync_api import expect

from opencro.safety.models import Signal, SignalStatus
from tests.conftest import PASSWORD
from tests.safety.conftest import safety_world  # noqa: F401 (the fixture, requested by name)
from tests.safety.signal_reports import reports_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _reports(path) -> str:
    """Cardiozan has Rash in 8 of its 10 reports, Rash is in 3 of the other 90: PRR 24 (tests.safety.signal_reports)."""
    path.write_bytes(reports_csv())
    return str(path)


def test_a_run_raises_a_signal_that_is_validated(browse, safety_world, settings, tmp_path):  # noqa: F811
    settings.OPENCRO_JOBS_EAGER = True  # the job runs in the request that starts it, once its row is committed
    page, w = browse.page, safety_world
    browse.login(w.user("safety_physician").username, PASSWORD)
    browse.goto(f"/studies/{w.study.pk}/safety/")
    page.locator("[data-testid=signals-link]").click()
    page.locator("[data-testid=signal-runs-link]").click()

    form = page.locator("[data-testid=run-form]")
    form.locator("#signal-file").set_input_files(_reports(tmp_path / "spontaneous-reports.csv"))
    form.get_by_label("Product column").fill("drug")
    form.get_by_label("Event column").fill("reaction")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=run-chart] svg")).to_be_visible()
    candidates = page.locator("[data-testid=candidates]")
    expect(candidates).to_contain_text("Rash")
    browse.screenshot("safety-signal-run")

    candidates.get_by_role("link", name="Cardiozan").first.click()
    expect(page.locator("h1")).to_contain_text("Cardiozan / Rash")
    expect(page.locator("[data-testid=signal-rsi]")).to_contain_text("not listed")  # IB 5.0 lists Headache, Nausea
    step = page.locator("[data-testid=signal-step-form]")
    step.locator("input[name=move][value=start]").check()
    step.locator("#id_rationale").fill("Eight of ten reports of Cardiozan are rashes; looking at the cases.")
    step.locator("[data-testid=signal-step]").click()
    expect(page.locator("[data-testid=signal-status]")).to_contain_text("Under validation")

    step.locator("input[name=move][value=validate]").check()
    step.locator("#id_rationale").fill("Disproportionate in two runs; plausible (a sulphonamide moiety).")
    step.locator("#id_password").fill(PASSWORD)
    step.locator("[data-testid=signal-step]").click()
    expect(page.locator("[data-testid=signal-status]")).to_contain_text("Validated")
    expect(page.locator("[data-testid=signal-steps]")).to_contain_text("Signed")
    browse.screenshot("safety-signal")
    signal = Signal.objects.get(study=w.study, product="Cardiozan", event="Rash")
    assert signal.status == SignalStatus.VALIDATED and signal.validated_on is not None
    assert browse.problems() == []
