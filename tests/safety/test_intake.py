"""Serious adverse events flow from the EDC's AE form into safety cases; other sources are entered by hand."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.safety.models import (
    CaseCausality,
    CaseDrugEvent,
    CaseEvent,
    CasePatient,
    CaseProduct,
    CaseReporter,
    CaseSource,
    ProductRole,
    VersionState,
)
from opencro.safety.parts import version_parts
from opencro.safety.services.intake import CaseIntake, EventInput, ProductInput, ReporterInput, case_create
from opencro.studies.dates import site_today
from tests.safety.conftest import report_sae

pytestmark = pytest.mark.django_db


def test_a_serious_event_saved_in_the_edc_becomes_a_case(safety_world):
    case = report_sae(safety_world, "Headache", criteria="HOSP,LIFE")
    assert case is not None and case.source == CaseSource.STUDY
    assert case.number == "T-001-S0001" and case.subject == safety_world.subject_a and case.site == safety_world.site_a
    version = case.versions.get()
    assert version.number == 1 and version.state == VersionState.TRIAGE and version.latest
    assert version.received_on == site_today(safety_world.site_a) == version.minimum_criteria_on  # day 0
    event = CaseEvent.objects.get(version=version)
    assert (event.key, event.verbatim, event.onset, event.edc_row) == ("E1", "Headache", "2026-11-20", 1)
    assert event.hospitalisation and event.life_threatening and not event.death and event.serious
    assert event.pt_name == "Headache" and event.soc_name  # coded in the EDC already (auto-coded by the dictionary)
    reporter = CaseReporter.objects.get(version=version)
    assert reporter.investigator and reporter.primary and reporter.family_name == "A" and reporter.country == "US"
    product = CaseProduct.objects.get(version=version)
    assert (product.name, product.role, product.blinded) == ("Cardiozan", "1", True)
    parts = version_parts(version)
    assert parts.related(event) is True  # the investigator's "RELATED"
    assert CasePatient.objects.get(version=version).sex == "2"  # subject A1-001 is female


def test_a_non_serious_event_opens_no_case(safety_world):
    assert report_sae(safety_world, "Nausea", serious="0", criteria=None) is None


def test_the_24_hour_clock_from_the_site(safety_world):
    today = site_today(safety_world.site_a)
    on_time = report_sae(safety_world, "Headache", IT_AEAWDAT=None)
    assert on_time.site_aware_on is None and on_time.late_from_site is None  # awareness not recorded
    late = report_sae(safety_world, "Nausea", repeat=2, **{"IT.AEAWDAT": (today - dt.timedelta(days=3)).isoformat()})
    assert late.site_aware_on == today - dt.timedelta(days=3) and late.late_from_site is True
    ok = report_sae(safety_world, "Rash", repeat=3, **{"IT.AEAWDAT": today.isoformat()})
    assert ok.late_from_site is False


def test_a_change_in_the_edc_reaches_the_open_version(safety_world):
    case = report_sae(safety_world, "Headache")
    report_sae(safety_world, "Headache", outcome="FATAL", criteria="DTH,HOSP")
    event = CaseEvent.objects.get(version__case=case)
    assert event.death and event.outcome == "5" and case.versions.count() == 1
    assert case.versions.get().fatal_or_lt_known_on == site_today(safety_world.site_a)


def test_manual_intake_of_a_spontaneous_report(safety_world):
    received = dt.date(2026, 11, 2)
    case = case_create(
        actor=safety_world.users["safety_physician"],
        study=safety_world.study,
        intake=CaseIntake(
            source=CaseSource.SPONTANEOUS,
            received_on=received,
            events=[EventInput("Rash all over", onset="2026-10", flags=frozenset({"medically_important"}))],
            products=[ProductInput("Cardiozan", product=safety_world.product)],
            reporter=ReporterInput(family_name="Moreau", qualification="1", country="FR"),
        ),
        subject=safety_world.subject_b,
    )
    version = case.versions.get()
    assert case.site == safety_world.site_b and version.minimum_criteria_on == received
    assert CaseEvent.objects.get(version=version).onset == "2026-10"


def test_manual_intake_pairs_each_suspect_or_interacting_product_with_each_event(safety_world):
    """The drug-reaction matrix (E2B G.k.9.i) is there to assess; a concomitant drug is not paired."""
    case = case_create(
        actor=safety_world.users["safety_physician"],
        study=safety_world.study,
        intake=CaseIntake(
            source=CaseSource.LITERATURE,
            received_on=dt.date(2026, 11, 2),
            events=[EventInput("Rash"), EventInput("Fever")],
            products=[
                ProductInput("Cardiozan", product=safety_world.product),
                ProductInput("Aspirin", role=ProductRole.CONCOMITANT),
                ProductInput("Warfarin", role=ProductRole.INTERACTING),
            ],
        ),
    )
    pairs = CaseDrugEvent.objects.filter(version__case=case).select_related("product", "event")
    assert sorted((p.product.name, p.event.verbatim) for p in pairs) == [
        ("Cardiozan", "Fever"),
        ("Cardiozan", "Rash"),
        ("Warfarin", "Fever"),
        ("Warfarin", "Rash"),
    ]
    assert not CaseCausality.objects.filter(pair__in=pairs).exists()


def test_manual_intake_refuses_bad_input(safety_world):
    physician = safety_world.users["safety_physician"]
    intake = CaseIntake(source=CaseSource.LITERATURE, received_on=dt.date(2026, 11, 2), events=[], products=[])
    with pytest.raises(ValidationError, match="at least one event"):
        case_create(actor=physician, study=safety_world.study, intake=intake)
    bad_date = CaseIntake(
        source=CaseSource.LITERATURE,
        received_on=dt.date(2026, 11, 2),
        events=[EventInput("Rash", onset="2026-13")],
        products=[],
    )
    with pytest.raises(ValidationError, match="month must be 01 to 12"):
        case_create(actor=physician, study=safety_world.study, intake=bad_date)
    with pytest.raises(PermissionDenied):
        case_create(actor=safety_world.users["monitor"], study=safety_world.study, intake=bad_date)
    assert not CaseEvent.objects.exists()  # nothing half-written
