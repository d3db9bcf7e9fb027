"""DSUR tables (ICH E2F): the interval line listing of SARs, the cumulative SAE tabulation, exposure; blinded by
default; and the reconciliation page."""

import datetime as dt

import pytest

from opencro.safety.dsur import BLINDED, SaeRow, cumulative_tabulation, exposure_estimate, interval_line_listing
from opencro.safety.dsur_data import dsur_sae_rows
from opencro.safety.models import CaseCausality
from opencro.safety.services.content import case_part_save
from tests.safety.conftest import report_sae

DLP = dt.date(2026, 11, 30)


def _row(case="C1", received=dt.date(2026, 6, 1), soc="SOC A", pt="PT a", reporter=None, company=None, arm=BLINDED):
    return SaeRow(
        case,
        received,
        "US",
        "A1-001",
        "",
        soc,
        pt,
        pt,
        "2026-05",
        "Fatal",
        "Death",
        "Drug",
        reporter,
        company,
        True,
        arm,
    )


def test_the_line_listing_holds_the_reactions_of_the_period_only():
    rows = [
        _row("C1", reporter=True),  # related by the investigator
        _row("C2", company=True),  # related by the sponsor only: still a SAR
        _row("C3", reporter=False, company=False),  # not a reaction
        _row("C4", received=dt.date(2025, 11, 30), reporter=True),  # before the period
    ]
    listing = interval_line_listing(rows, start=dt.date(2025, 12, 1), dlp=DLP)
    assert [r.case_number for r in listing] == ["C1", "C2"]


def test_the_tabulation_counts_by_soc_pt_and_arm():
    rows = [
        _row("C1", arm="Active"),
        _row("C2", arm="Active"),
        _row("C3", pt="PT b", arm="Placebo"),
        _row("C4", received=dt.date(2027, 1, 1), arm="Active"),
    ]  # after the DLP: left out
    table = cumulative_tabulation(rows, dlp=DLP, arms=["Active", "Placebo"])
    assert table.rows == (("SOC A", "PT a", (2, 0), 2), ("SOC A", "PT b", (0, 1), 1))
    assert table.totals == (2, 1)


def test_exposure_in_participant_years():
    # 2026-01-01 to the DLP 2026-11-30 is 333 days; the second ended on 2026-07-02 (182 days); the third enrols later
    people = [
        ("X", dt.date(2026, 1, 1), None),
        ("X", dt.date(2026, 1, 1), dt.date(2026, 7, 2)),
        ("X", dt.date(2026, 12, 5), None),
    ]
    [exposure] = exposure_estimate(people, dlp=DLP)
    assert exposure.participants == 2 and exposure.participant_years == round((333 + 182) / 365.25, 2)


@pytest.mark.django_db
def test_the_dsur_page_is_blinded_for_the_safety_physician(safety_world, login):
    case = report_sae(safety_world, "Pyrexia")
    client = login(safety_world.users["safety_physician"])
    page = client.get(f"/studies/{safety_world.study.pk}/safety/dsur/?start=2026-01-01&dlp=2026-12-31")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="blinded"' in html and case.number in html
    assert "Arm A" not in html  # no treatment column for a blinded reader
    listing = client.get(f"/studies/{safety_world.study.pk}/safety/dsur/listing.csv?start=2026-01-01&dlp=2026-12-31")
    assert listing["Content-Type"].startswith("text/csv") and case.number in listing.content.decode()


@pytest.mark.django_db
def test_the_tabulation_has_arms_for_an_unblinded_reader(safety_world):
    from opencro.accounts.access import access_for
    from opencro.safety.dsur_data import dsur_arms, dsur_sae_rows

    report_sae(safety_world, "Pyrexia")
    access = access_for(safety_world.users["unblinded_statistician"], safety_world.study.pk)
    assert dsur_arms(access) == ["Arm A", "Arm P"]
    assert [r.arm for r in dsur_sae_rows(access)] == ["Arm A"]  # subject A1-001 is on arm A (tests/conftest.py)


@pytest.mark.django_db
def test_site_roles_and_outsiders_are_refused(safety_world, login):
    url = f"/studies/{safety_world.study.pk}/safety/dsur/"
    assert login(safety_world.users["investigator"]).get(url).status_code == 403
    assert login(safety_world.users["monitor"]).get(url).status_code == 403
    assert login(safety_world.outsider).get(url).status_code == 404


@pytest.mark.django_db
def test_the_reconciliation_page_runs_and_explains(safety_world, login):
    case = report_sae(safety_world, "Pyrexia")
    reporter = CaseCausality.objects.get(version__case=case, source="reporter")
    company = CaseCausality(version=reporter.version, pair=reporter.pair, source="company", result="not_related")
    case_part_save(actor=None, part=company)
    client = login(safety_world.users["data_manager"])
    base = f"/studies/{safety_world.study.pk}/safety/reconciliation/"
    assert client.post(base + "run/").status_code == 302
    assert "No difference." in client.get(base).content.decode()  # the company's view is not the EDC's to hold
    assert login(safety_world.users["investigator"]).post(base + "run/").status_code == 403


@pytest.mark.django_db
def test_the_rows_are_read_in_a_fixed_number_of_queries(safety_world):
    """The line listing and the reconciliation read every case's rows together, not case by case."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from opencro.accounts.access import access_for
    from opencro.safety.services.reconciliation import safety_saes

    access = access_for(safety_world.users["safety_physician"], safety_world.study.pk)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as listing:
            dsur_sae_rows(access)
        with CaptureQueriesContext(connection) as reconciliation:
            safety_saes(safety_world.study)
        return len(listing), len(reconciliation)

    report_sae(safety_world, "Headache")
    one = queries()
    report_sae(safety_world, "Nausea", repeat=2)
    report_sae(safety_world, "Vomiting", repeat=3)
    assert len(dsur_sae_rows(access)) == 3 and len(safety_saes(safety_world.study)) == 3
    assert queries() == one
