"""Rendered tables and figures of the CDISC Pilot 01 report as a reader sees them in a browser: the HTML output of
Table 14-3.01 (ANCOVA of ADAS-Cog(11) at week 24) and of Figure 14-1 (Kaplan-Meier with numbers at risk).
Screenshots for docs/analysis.md come from here. Needs the pilot ADaM in ../shared/reference (skipped without)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from opencro.analysis.tfl.data import load_datasets
from opencro.analysis.tfl.engine import datasets_needed, run_output, write_output
from opencro.analysis.tfl.spec import load_spec
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ADAM = ROOT.parent / "shared" / "reference" / "cdiscpilot01" / "adam"
SPECS = ROOT / "examples" / "cdiscpilot01" / "tables"


def _render(name: str, out: Path) -> Path:
    if not ADAM.is_dir():
        pytest.skip(f"CDISC Pilot 01 ADaM not found: {ADAM} (see ../shared/reference/README.md)")
    spec = load_spec(SPECS / f"{name}.yaml")
    result = run_output(spec, load_datasets(ADAM, datasets_needed(spec)))
    write_output(result, out, ("html",))
    return out / f"{spec.id}.html"


def _open(browser, path: Path):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    return context, page, errors


def test_the_ancova_table_reads_as_the_published_one(browser, tmp_path):
    context, page, errors = _open(browser, _render("14-3.01", tmp_path))
    table = page.locator("table")
    expect(table).to_contain_text("Placebo")
    expect(table).to_contain_text("(N=79)")
    expect(table).to_contain_text("p-value(Dose Response)")
    expect(table).to_contain_text("0.245")  # the published dose-response p-value
    expect(table).to_contain_text("-0.5 (0.82)")  # low dose - placebo, LS mean difference (SE)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "tfl-table-14-3-01.png"), full_page=True)
    assert errors == []
    context.close()


def test_the_kaplan_meier_figure_shows_curves_and_numbers_at_risk(browser, tmp_path):
    context, page, errors = _open(browser, _render("14-1", tmp_path))
    figure = page.locator("svg").first
    expect(figure).to_be_visible()
    expect(page.locator("body")).to_contain_text("Number at risk")
    assert page.locator("svg path, svg polyline").count() >= 3  # one step curve per arm at least
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "tfl-figure-14-1.png"), full_page=True)
    assert errors == []
    context.close()
