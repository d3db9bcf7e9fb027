"""EU CTR public information prepared from a ClinicalTrials.gov registration, and the criteria splitter.

The registration is the synthetic one of tests/formats/ctgov/test_registration.py; expected values follow from
it. The reference test reads NCT02552212 from ``../shared/reference/ctgov`` (skipped when absent); its counts were
read by hand from the file's eligibility criteria.
"""

import json

import pytest

from opencro.formats.ctgov.registration import Design, registration_from_ctgov
from opencro.formats.errors import FormatError
from opencro.formats.euctr import (
    CTIS_FIELDS,
    DOCUMENT_TYPE,
    EEA_MEMBER_STATES,
    eu_public_information,
    member_state_code,
    split_criteria,
)

from ..ctgov.test_registration import REFERENCE, make_registration

MEMBER_STATES = {"DE": 120, "France": 80, "EL": 40}


def document(**kwargs):
    return eu_public_information(make_registration(), member_states=MEMBER_STATES, **kwargs)


def test_identifiers_sponsor_and_phase() -> None:
    doc = document()
    assert doc["documentType"] == DOCUMENT_TYPE
    assert doc["euCtNumber"] == "2024-512345-12-00"  # the CTIS secondary id
    assert doc["trialIdentifiers"] == {
        "fullTitle": "A Phase 3, Randomized, Double-blind, Placebo-controlled Study of Drug X in Moderate Asthma",
        "publicTitle": "A Study of Drug X in Adults With Asthma",
        "shortTitle": "ASTRA",
        "sponsorProtocolCode": "ACME-301",
        "otherIdentifiers": [{"identifier": "123456", "issuer": "FDA IND"}],
    }
    assert doc["sponsor"] == {"name": "Acme Pharma", "collaborators": ["Contract Research Ltd"]}
    # PHASE3 is "Therapeutic confirmatory (Phase III)" (EudraCT E.7.3).
    assert doc["trialInformation"]["trialCategory"] == {
        "trialPhase": "Therapeutic confirmatory (Phase III)",
        "registeredPhases": ["PHASE3"],
    }
    assert doc["trialInformation"]["medicalConditions"] == ["Asthma"]
    assert doc["source"] == {"registry": "ClinicalTrials.gov", "nctId": "", "orgStudyId": "ACME-301"}


def test_member_states_and_planned_participants() -> None:
    doc = document()
    assert doc["memberStatesConcerned"] == [
        {"code": "DE", "name": "Germany", "plannedParticipants": 120},
        {"code": "FR", "name": "France", "plannedParticipants": 80},
        {"code": "GR", "name": "Greece", "plannedParticipants": 40},  # "EL" is the EU's code for Greece
    ]
    assert doc["plannedParticipantsEEA"] == 240
    assert doc["plannedParticipantsOutsideEEA"] == 60  # 300 registered - 240


def test_criteria_end_points_dates_population() -> None:
    information = document()["trialInformation"]
    assert information["eligibilityCriteria"] == {
        "principalInclusionCriteria": [
            {"number": 1, "principalInclusionCriteria": "Age 18 years or older"},
            {"number": 2, "principalInclusionCriteria": "Asthma diagnosed at least 12 months before screening"},
            {"number": 3, "principalInclusionCriteria": "FEV1 >= 40% and <= 85% of predicted"},  # escapes removed
        ],
        "principalExclusionCriteria": [
            {"number": 1, "principalExclusionCriteria": "Current smoker"},
            {"number": 2, "principalExclusionCriteria": "Pregnancy or breastfeeding"},
        ],
    }
    assert information["endPoint"]["primaryEndPoints"] == [
        {
            "number": 1,
            "endPoint": "Change from baseline in FEV1",
            "description": "Pre-bronchodilator FEV1",
            "timeFrame": "Week 12",
        }
    ]
    assert [e["endPoint"] for e in information["endPoint"]["secondaryEndPoints"]] == [
        "Annualised rate of severe exacerbations",
        "ACQ-5 score",
    ]
    assert information["trialDuration"] == {
        "recruitmentStartDate": {"date": "2025-03", "type": "ESTIMATED"},
        "primaryCompletionDate": {"date": "2026-09-30", "type": "ESTIMATED"},
        "globalEndOfTrialDate": {"date": "2026-12-31", "type": "ESTIMATED"},
    }
    # 18 Years and no maximum: the adult and the elderly age ranges; sex ALL: both.
    assert information["populationOfTrialSubjects"] == {
        "ageRanges": ["18-64 years", "65+ years"],
        "minimumAge": "18 Years",
        "maximumAge": "",
        "isFemaleSubjects": True,
        "isMaleSubjects": True,
        "healthyVolunteers": False,
    }


def test_products_with_proposed_roles() -> None:
    assert document()["products"] == [
        {
            "productName": "Drug X",
            "otherNames": ["ACM-123"],
            "interventionType": "DRUG",
            "role": "Test",  # given in the EXPERIMENTAL arm
            "arms": ["Drug X 10 mg"],
        },
        {
            "productName": "Placebo",
            "otherNames": [],
            "interventionType": "DRUG",
            "role": "Placebo",
            "arms": ["Placebo"],
        },
    ]


def test_what_is_left_to_complete() -> None:
    assert document()["toComplete"] == [
        "trialInformation.therapeuticAreas",
        "trialInformation.trialObjective.mainObjective",
    ]
    doc = document(
        main_objective="To show that Drug X improves FEV1 over placebo at week 12",
        secondary_objectives=["To compare the rate of severe exacerbations"],
        therapeutic_areas=["Diseases [C] - Respiratory Tract Diseases [C08]"],
    )
    assert doc["toComplete"] == []
    assert doc["trialInformation"]["trialObjective"]["secondaryObjectives"] == [
        {"number": 1, "secondaryObjective": "To compare the rate of severe exacerbations"}
    ]
    no_phase = eu_public_information(
        make_registration(design=Design(study_type="INTERVENTIONAL", phases=("NA",), enrollment_count=300)),
        member_states={"DE": 10},
    )
    assert "trialInformation.trialCategory.trialPhase" in no_phase["toComplete"]


def test_every_mapped_field_is_in_the_document() -> None:
    doc = document()
    for path in CTIS_FIELDS:
        value = doc
        for part in path.split("."):
            key = part.removesuffix("[]")
            assert isinstance(value, dict) and key in value, path
            value = value[key]
            if part.endswith("[]"):
                assert isinstance(value, list) and value, path
                value = value[0]


def test_document_is_plain_json() -> None:
    doc = document()
    assert json.loads(json.dumps(doc)) == doc


@pytest.mark.parametrize(
    ("member_states", "location", "message"),
    [
        ({"US": 10}, "member_states['US']", "not an EU/EEA member state"),
        ({"Switzerland": 10}, "member_states['Switzerland']", "not an EU/EEA member state"),
        ({"DE": 0}, "member_states['DE']", "whole number > 0"),
        ({"DE": True}, "member_states['DE']", "whole number > 0"),
        ({"DE": 2.5}, "member_states['DE']", "whole number > 0"),
        ({"DE": 10, "Germany": 5}, "member_states['Germany']", "given twice"),
        ({}, "member_states", "no member state concerned"),
        ({"DE": 200, "FR": 150}, "member_states", "350 participants planned in the member states, more than the 300"),
    ],
)
def test_member_states_are_checked(member_states: dict, location: str, message: str) -> None:
    with pytest.raises(FormatError) as caught:
        eu_public_information(make_registration(), member_states=member_states)
    [problem] = caught.value.problems
    assert problem.location == location
    assert message in problem.message


def test_member_state_code() -> None:
    assert member_state_code("de") == "DE"
    assert member_state_code("Czech Republic") == "CZ"  # ClinicalTrials.gov's former name of Czechia
    assert member_state_code("Norway") == "NO"  # EEA
    assert member_state_code("United Kingdom") == ""
    assert len(EEA_MEMBER_STATES) == 30  # 27 EU member states + Iceland, Liechtenstein, Norway


def test_split_criteria_headings_bullets_and_continuations() -> None:
    text = (
        "Key Inclusion Criteria:\n"
        "1. Adults aged 18-75\n"
        "2. Confirmed diagnosis by\n"
        "   * spirometry, or\n"
        "   * methacholine challenge\n"
        "3. Able to give\n"
        "   written informed consent\n"
        "\n"
        "EXCLUSION CRITERIA\n"
        "- Smoker\n"
        "Any condition that, in the opinion of the investigator, precludes participation\n"
    )
    inclusion, exclusion = split_criteria(text)
    assert inclusion == [
        "Adults aged 18-75",
        "Confirmed diagnosis by\n- spirometry, or\n- methacholine challenge",
        "Able to give written informed consent",
    ]
    assert exclusion == [
        "Smoker",
        "Any condition that, in the opinion of the investigator, precludes participation",  # not indented: its own
    ]


def test_split_criteria_without_headings_is_inclusion() -> None:
    assert split_criteria("* Adults\n* Asthma") == (["Adults", "Asthma"], [])
    # A sentence that merely starts with the words is not a heading.
    assert split_criteria("Inclusion criteria are checked at screening") == (
        ["Inclusion criteria are checked at screening"],
        [],
    )


def test_reference_record_criteria() -> None:
    path = REFERENCE / "NCT02552212.json"
    if not path.exists():
        pytest.skip(f"ClinicalTrials.gov reference record not present: {path}")
    registration = registration_from_ctgov(json.loads(path.read_text("utf-8")))
    doc = eu_public_information(registration, member_states={"DE": 50, "Czechia": 40, "Belgium": 20})
    criteria = doc["trialInformation"]["eligibilityCriteria"]
    # Read from the file: 6 top-level inclusion bullets (one with two sub-bullets), 11 exclusion bullets.
    assert len(criteria["principalInclusionCriteria"]) == 6
    assert len(criteria["principalExclusionCriteria"]) == 11
    assert criteria["principalInclusionCriteria"][4]["principalInclusionCriteria"].count("\n- ") == 2
    assert {"identifier": "2015-001894-41", "issuer": "EudraCT"} in doc["trialIdentifiers"]["otherIdentifiers"]
    assert doc["trialInformation"]["trialCategory"]["trialPhase"] == "Therapeutic confirmatory (Phase III)"
    # Certolizumab pegol is given in the experimental arm; the placebo (type OTHER) in the placebo arm.
    assert [(p["productName"], p["role"]) for p in doc["products"]] == [
        ("Certolizumab Pegol", "Test"),
        ("Placebo", "Placebo"),
    ]
    assert doc["plannedParticipantsOutsideEEA"] == 317 - 110
