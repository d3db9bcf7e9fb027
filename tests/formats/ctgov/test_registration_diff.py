"""Registration diff: what the current protocol changed since registration, items matched by key.

Registrations are the synthetic one of test_registration, changed here; expected paths and values follow from
the change each test makes.
"""

import dataclasses
import datetime
import json

import pytest

from opencro.formats.ctgov.registration import (
    ArmGroup,
    Location,
    Outcome,
    StudyDate,
    registration_from_ctgov,
)
from opencro.formats.ctgov.registration_diff import Change, registration_diff

from .test_registration import REFERENCE, V2_RECORDS, make_registration


def test_no_change() -> None:
    assert registration_diff(make_registration(), make_registration()) == []


def test_reordering_is_not_a_change() -> None:
    registered = make_registration()
    current = make_registration(
        arm_groups=registered.arm_groups[::-1],
        interventions=registered.interventions[::-1],
        secondary_outcomes=registered.secondary_outcomes[::-1],
        locations=registered.locations[::-1],
        keywords=registered.keywords[::-1],
        secondary_ids=registered.secondary_ids[::-1],
    )
    assert registration_diff(registered, current) == []


def test_time_frame_of_a_reordered_outcome() -> None:
    registered = make_registration()
    acq, rate = registered.secondary_outcomes[1], registered.secondary_outcomes[0]
    current = make_registration(secondary_outcomes=(acq, dataclasses.replace(rate, time_frame="56 weeks")))
    # The exacerbation rate is now second in the list: index 1 of the current registration.
    assert registration_diff(registered, current) == [Change("outcomes.secondary[1].timeFrame", "52 weeks", "56 weeks")]


def test_primary_outcome_time_frame_path() -> None:
    registered = make_registration()
    extra = Outcome("Morning PEF", "", "Week 12")
    current_outcomes = (registered.primary_outcomes[0], extra)
    changed = (registered.primary_outcomes[0], dataclasses.replace(extra, time_frame="Week 24"))
    assert registration_diff(
        make_registration(primary_outcomes=current_outcomes), make_registration(primary_outcomes=changed)
    ) == [Change("outcomes.primary[1].timeFrame", "Week 12", "Week 24")]


def test_eligibility_and_design_fields() -> None:
    registered = make_registration()
    current = make_registration(
        eligibility=dataclasses.replace(registered.eligibility, maximum_age="75 Years"),
        design=dataclasses.replace(registered.design, enrollment_count=360),
        primary_completion=StudyDate(datetime.date(2026, 12, 1), "ESTIMATED", "month"),
    )
    assert registration_diff(registered, current) == [
        Change("status.primaryCompletionDate", "2026-09-30", "2026-12"),
        Change("design.enrollmentCount", 300, 360),
        Change("eligibility.maximumAge", None, "75 Years"),  # no maximum before: an addition
    ]


def test_additions_and_removals() -> None:
    registered = make_registration()
    new_site = Location("Hospital Clínic", "Barcelona", country="Spain", status="NOT_YET_RECRUITING")
    current = make_registration(
        locations=(registered.locations[1], new_site),  # Berlin closed, Barcelona opened
        conditions=("Asthma", "Bronchial Hyperreactivity"),
        secondary_outcomes=registered.secondary_outcomes[:1],
    )
    changes = registration_diff(registered, current)
    assert [(change.path, change.kind) for change in changes] == [
        ("conditions.conditions[1]", "added"),
        ("outcomes.secondary[1]", "removed"),
        ("locations[1]", "added"),
        ("locations[0]", "removed"),
    ]
    assert changes[1].registered == {
        "measure": "ACQ-5 score",
        "description": "Asthma Control Questionnaire",
        "timeFrame": "Week 12",
    }
    assert changes[2].current["city"] == "Barcelona"
    assert changes[3].registered["facility"] == "Charité Universitätsmedizin"


def test_recapitalised_measure_is_a_change_of_the_measure() -> None:
    registered = make_registration()
    fev1 = registered.primary_outcomes[0]
    current = make_registration(primary_outcomes=(dataclasses.replace(fev1, measure="Change From Baseline in FEV1"),))
    assert registration_diff(registered, current) == [
        Change("outcomes.primary[0].measure", "Change from baseline in FEV1", "Change From Baseline in FEV1")
    ]


def test_arm_type_and_its_interventions() -> None:
    registered = make_registration()
    arm = registered.arm_groups[1]
    changed = ArmGroup(arm.label, "SHAM_COMPARATOR", arm.description, ("Drug: Placebo", "Drug: Rescue"))
    current = make_registration(arm_groups=(registered.arm_groups[0], changed))
    assert registration_diff(registered, current) == [
        Change("arms[1].type", "PLACEBO_COMPARATOR", "SHAM_COMPARATOR"),
        Change("arms[1].interventionNames[1]", None, "Drug: Rescue"),
    ]


def test_change_kind_and_text() -> None:
    assert Change("eligibility.maximumAge", "65 Years", "75 Years").kind == "changed"
    assert (
        str(Change("eligibility.maximumAge", "65 Years", "75 Years"))
        == "eligibility.maximumAge: '65 Years' -> '75 Years'"
    )
    assert Change("locations[2]", {"facility": "X"}, None).kind == "removed"
    assert Change("conditions.keywords[0]", None, "FEV1").kind == "added"


def test_values_are_plain_json() -> None:
    registered = make_registration()
    current = make_registration(overall_status="RECRUITING")
    [change] = registration_diff(registered, current)
    assert change == Change("status.overallStatus", "NOT_YET_RECRUITING", "RECRUITING")
    assert type(change.current) is str
    json.dumps([dataclasses.asdict(c) for c in registration_diff(registered, make_registration(locations=()))])


def test_reference_record_against_an_amended_copy() -> None:
    path = REFERENCE / "NCT02552212.json"
    if not V2_RECORDS or not path.exists():
        pytest.skip(f"ClinicalTrials.gov reference record not present: {path}")
    registered = registration_from_ctgov(json.loads(path.read_text("utf-8")))
    # NCT02552212 (C-AXSPAND) lists 105 locations and "18 Years" minimum age, read from the file.
    assert len(registered.locations) == 105
    current = dataclasses.replace(
        registered,
        locations=registered.locations[::-1],
        eligibility=dataclasses.replace(registered.eligibility, minimum_age="16 Years"),
    )
    assert registration_diff(registered, current) == [Change("eligibility.minimumAge", "18 Years", "16 Years")]
