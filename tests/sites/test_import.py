"""ClinicalTrials.gov import: the reference files (skipped when absent), replacement by NCT number, audit."""

import datetime as dt
from pathlib import Path

import pytest

from opencro.audit.models import AuditRecord
from opencro.formats.ctgov import Facility, TrialRecord, country_code, facility_key, read_trials
from opencro.sites.history import history_aggregate
from opencro.sites.models import HistoricalSite, HistoricalTrial
from opencro.sites.services.ctgov_import import ctgov_import

pytestmark = pytest.mark.django_db
REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "ctgov"
needs_reference = pytest.mark.skipif(
    not REFERENCE.is_dir(), reason=f"the ClinicalTrials.gov reference files are not in {REFERENCE}"
)


def _record(nct: str, enrollment: int, sites: list[tuple[str, str, str]], status: str = "COMPLETED") -> TrialRecord:
    return TrialRecord(
        nct_id=nct,
        title="T",
        phase=("PHASE2", "PHASE3"),
        overall_status=status,
        conditions=("Asthma",),
        mesh_terms=("Asthma", "Lung Diseases"),
        enrollment=enrollment,
        enrollment_type="ACTUAL",
        start_date=dt.date(2020, 1, 1),
        primary_completion_date=dt.date(2021, 1, 1),
        facilities=tuple(Facility(name, city, "", "", country) for name, city, country in sites),
    )


def test_records_are_stored_compactly_and_replaced_by_nct_number():
    first = _record("NCT00000001", 40, [("Hôpital Édouard-Herriot", "Lyon", "France"), ("", "Paris", "France")])
    result = ctgov_import(actor=None, study=None, records=[first])
    assert (result.trials_created, result.trials_replaced, result.sites) == (1, 0, 2)
    trial = HistoricalTrial.objects.get(nct_id="NCT00000001")
    assert (trial.phase, trial.conditions, trial.enrollment, trial.site_count) == (
        "PHASE2,PHASE3", "asthma\nlung diseases", 40, 2
    )  # fmt: skip
    assert trial.months == pytest.approx(366 / 30.4375) and trial.share == 20.0
    keys = set(HistoricalSite.objects.values_list("facility_key", flat=True))
    assert keys == {"hopital edouard herriot|lyon|france", "~|paris|france"}
    again = _record("NCT00000001", 50, [("Hopital Edouard Herriot", "LYON", "France")], status="RECRUITING")
    result = ctgov_import(actor=None, study=None, records=[again])
    assert (result.trials_created, result.trials_replaced, result.sites) == (0, 1, 1)
    assert HistoricalSite.objects.get().facility_key == "hopital edouard herriot|lyon|france"
    events = AuditRecord.objects.filter(object_type="site_registry.historicaltrial", action="import")
    assert {e.username for e in events} == {"system"}
    last = sorted((e.field, e.new_value) for e in events.order_by("-id")[:3])  # one event: three fields
    assert last == [("sites", "1"), ("trials_created", "0"), ("trials_replaced", "1")]


@needs_reference
def test_every_reference_file_imports_and_gives_per_country_rates():
    records = [r for path in sorted(REFERENCE.glob("*.json")) for r in read_trials(path)]
    result = ctgov_import(actor=None, study=None, records=records)
    distinct = {r.nct_id for r in records}  # NCT02278341.json holds NCT02552212 (see tests/formats)
    assert result.trials_created == len(distinct) == HistoricalTrial.objects.count()
    by_nct = {r.nct_id: r for r in records}
    assert HistoricalSite.objects.count() == sum(len(by_nct[n].facilities) for n in distinct)
    # NCT02210780: 194 actually enrolled at 42 US sites, 2014-08-05 to 2015-09-15 (406 days = 13.34 months)
    trial = HistoricalTrial.objects.get(nct_id="NCT02210780")
    assert (trial.enrollment, trial.site_count, trial.enrollment_actual) == (194, 42, True)
    assert trial.months == pytest.approx(406 / 30.4375)
    history = history_aggregate(countries=["United States"], condition="covid")
    us = history.country("United States")
    assert us.facilities > 40 and us.mean_rate > 0 and us.median_rate > 0
    assert us.competing_trials >= 5  # the covid-19 search page holds recruiting US trials
    assert country_code("Korea, Republic of") == "KR" and country_code("Atlantis") == ""


def test_facility_keys_fold_case_accents_and_punctuation():
    a = facility_key(Facility("Hôpital Saint-Louis", "Paris", "", "", "France"))
    b = facility_key(Facility("HOPITAL  SAINT LOUIS", "paris", "", "", "France"))
    assert a == b == "hopital saint louis|paris|france"
