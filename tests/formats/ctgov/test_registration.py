"""The ClinicalTrials.gov registration: API v2 JSON written and read back, located rejections, PRS checks.

The synthetic registration below is written here; its expected JSON follows the API v2 study data structure
(field names and enum names). The reference tests read the public API v2 records in ``../shared/reference/ctgov``
(skipped when absent) and check that reading and writing them again gives the same covered fields; the values
named in those tests were read by hand from the files.
"""

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from opencro.formats.ctgov.registration import (
    Agency,
    ArmGroup,
    Contact,
    Design,
    Eligibility,
    Intervention,
    Location,
    Official,
    Outcome,
    Phase,
    Registration,
    ResponsibleParty,
    SecondaryId,
    StandardAge,
    StudyDate,
    WhoMasked,
    age_in_years,
    registered_fields,
    registration_from_ctgov,
    registration_to_ctgov,
    validate_registration,
)
from opencro.formats.errors import FormatError

REFERENCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "ctgov"
V2_RECORDS = sorted(
    path for path in REFERENCE.glob("NCT*.json") if "protocolSection" in json.loads(path.read_text("utf-8"))
)

CRITERIA = """Inclusion Criteria:

* Age 18 years or older
* Asthma diagnosed at least 12 months before screening
* FEV1 \\>= 40% and \\<= 85% of predicted

Exclusion Criteria:

* Current smoker
* Pregnancy or breastfeeding
"""


def make_registration(**changes: Any) -> Registration:
    """A phase 3, randomised, double-blind, placebo-controlled trial as a sponsor would register it."""
    registration = Registration(
        org_study_id="ACME-301",
        brief_title="A Study of Drug X in Adults With Asthma",
        official_title="A Phase 3, Randomized, Double-blind, Placebo-controlled Study of Drug X in Moderate Asthma",
        acronym="ASTRA",
        secondary_ids=(
            SecondaryId("123456", "OTHER", domain="FDA IND"),
            SecondaryId("2024-512345-12-00", "CTIS"),
        ),
        organization=Agency("Acme Pharma", "INDUSTRY"),
        overall_status="NOT_YET_RECRUITING",
        status_verified=StudyDate(datetime.date(2025, 1, 1), precision="month"),
        start=StudyDate(datetime.date(2025, 3, 1), "ESTIMATED", "month"),
        primary_completion=StudyDate(datetime.date(2026, 9, 30), "ESTIMATED"),
        completion=StudyDate(datetime.date(2026, 12, 31), "ESTIMATED"),
        lead_sponsor=Agency("Acme Pharma", "INDUSTRY"),
        collaborators=(Agency("Contract Research Ltd", "INDUSTRY"),),
        responsible_party=ResponsibleParty("SPONSOR"),
        conditions=("Asthma",),
        keywords=("inhaled", "FEV1"),
        design=Design(
            study_type="INTERVENTIONAL",
            phases=("PHASE3",),
            allocation="RANDOMIZED",
            intervention_model="PARALLEL",
            primary_purpose="TREATMENT",
            masking="DOUBLE",
            who_masked=("PARTICIPANT", "INVESTIGATOR"),
            enrollment_count=300,
            enrollment_type="ESTIMATED",
        ),
        arm_groups=(
            ArmGroup("Drug X 10 mg", "EXPERIMENTAL", "Drug X 10 mg once daily", ("Drug: Drug X",)),
            ArmGroup("Placebo", "PLACEBO_COMPARATOR", "Matching placebo once daily", ("Drug: Placebo",)),
        ),
        interventions=(
            Intervention("DRUG", "Drug X", "10 mg tablet", ("Drug X 10 mg",), ("ACM-123",)),
            Intervention("DRUG", "Placebo", "Matching tablet", ("Placebo",)),
        ),
        primary_outcomes=(Outcome("Change from baseline in FEV1", "Pre-bronchodilator FEV1", "Week 12"),),
        secondary_outcomes=(
            Outcome("Annualised rate of severe exacerbations", "", "52 weeks"),
            Outcome("ACQ-5 score", "Asthma Control Questionnaire", "Week 12"),
        ),
        eligibility=Eligibility(
            criteria=CRITERIA, sex="ALL", minimum_age="18 Years", maximum_age="", healthy_volunteers=False
        ),
        central_contacts=(Contact("Clinical Trials Desk", "CONTACT", "+1 555 0100", email="trials@acme.example"),),
        overall_officials=(Official("Jane Doe, MD", "Acme Pharma", "STUDY_DIRECTOR"),),
        locations=(
            Location(
                "Charité Universitätsmedizin", "Berlin", zip="10117", country="Germany", status="NOT_YET_RECRUITING"
            ),
            Location("Hôpital Saint-Louis", "Paris", country="France", status="NOT_YET_RECRUITING"),
        ),
    )
    return Registration(**{**registration.__dict__, **changes})


# -- writing ---------------------------------------------------------------------------------------------------


def test_writes_the_api_v2_modules_with_v2_enum_names() -> None:
    protocol = registration_to_ctgov(make_registration())["protocolSection"]
    # Module and field names: ClinicalTrials.gov API v2 study data structure.
    assert set(protocol) == {
        "identificationModule",
        "statusModule",
        "sponsorCollaboratorsModule",
        "conditionsModule",
        "designModule",
        "armsInterventionsModule",
        "outcomesModule",
        "eligibilityModule",
        "contactsLocationsModule",
    }
    assert protocol["identificationModule"]["orgStudyIdInfo"] == {"id": "ACME-301"}
    assert protocol["identificationModule"]["secondaryIdInfos"] == [
        {"id": "123456", "type": "OTHER", "domain": "FDA IND"},
        {"id": "2024-512345-12-00", "type": "CTIS"},
    ]
    assert "nctId" not in protocol["identificationModule"]  # not assigned yet: left out, not ""
    assert protocol["statusModule"] == {
        "statusVerifiedDate": "2025-01",
        "overallStatus": "NOT_YET_RECRUITING",
        "startDateStruct": {"date": "2025-03", "type": "ESTIMATED"},
        "primaryCompletionDateStruct": {"date": "2026-09-30", "type": "ESTIMATED"},
        "completionDateStruct": {"date": "2026-12-31", "type": "ESTIMATED"},
    }
    assert protocol["designModule"] == {
        "studyType": "INTERVENTIONAL",
        "phases": ["PHASE3"],
        "designInfo": {
            "allocation": "RANDOMIZED",
            "interventionModel": "PARALLEL",
            "primaryPurpose": "TREATMENT",
            "maskingInfo": {"masking": "DOUBLE", "whoMasked": ["PARTICIPANT", "INVESTIGATOR"]},
        },
        "enrollmentInfo": {"count": 300, "type": "ESTIMATED"},
    }
    assert protocol["armsInterventionsModule"]["armGroups"][0] == {
        "label": "Drug X 10 mg",
        "type": "EXPERIMENTAL",
        "description": "Drug X 10 mg once daily",
        "interventionNames": ["Drug: Drug X"],
    }
    assert protocol["armsInterventionsModule"]["interventions"][0] == {
        "type": "DRUG",
        "name": "Drug X",
        "description": "10 mg tablet",
        "armGroupLabels": ["Drug X 10 mg"],
        "otherNames": ["ACM-123"],
    }
    assert protocol["outcomesModule"]["primaryOutcomes"] == [
        {"measure": "Change from baseline in FEV1", "description": "Pre-bronchodilator FEV1", "timeFrame": "Week 12"}
    ]
    # healthyVolunteers False is kept; stdAges derived from 18 Years and no maximum: adult and older adult.
    assert protocol["eligibilityModule"] == {
        "eligibilityCriteria": CRITERIA,
        "healthyVolunteers": False,
        "sex": "ALL",
        "minimumAge": "18 Years",
        "stdAges": ["ADULT", "OLDER_ADULT"],
    }
    assert protocol["contactsLocationsModule"]["locations"][1] == {
        "facility": "Hôpital Saint-Louis",
        "status": "NOT_YET_RECRUITING",
        "city": "Paris",
        "country": "France",
    }


def test_written_json_is_plain_json() -> None:
    document = registration_to_ctgov(make_registration())
    assert json.loads(json.dumps(document)) == document
    assert type(document["protocolSection"]["designModule"]["phases"][0]) is str  # not a StrEnum member


def test_synthetic_registration_round_trips() -> None:
    registration = make_registration()
    document = json.loads(json.dumps(registration_to_ctgov(registration)))
    assert registration_from_ctgov(document) == registration


def test_writer_emits_only_covered_fields() -> None:
    document = registration_to_ctgov(make_registration())
    assert registered_fields(document) == document


def test_enrolment_zero_is_kept() -> None:
    design = Design(study_type="INTERVENTIONAL", enrollment_count=0, enrollment_type="ACTUAL")
    document = registration_to_ctgov(make_registration(design=design))
    assert document["protocolSection"]["designModule"]["enrollmentInfo"] == {"count": 0, "type": "ACTUAL"}


# -- the model -------------------------------------------------------------------------------------------------


def test_enum_names_given_as_strings_become_members() -> None:
    design = Design(phases=["PHASE1", "PHASE2"], who_masked=["PARTICIPANT"])
    assert design.phases == (Phase.PHASE1, Phase.PHASE2)
    assert design.who_masked == (WhoMasked.PARTICIPANT,)


def test_wrong_enum_name_is_refused() -> None:
    with pytest.raises(ValueError, match="'Phase 3' is not a Phase"):
        Design(phases=("Phase 3",))


def test_a_single_string_for_a_list_is_refused() -> None:
    with pytest.raises(TypeError, match="phases must be a sequence"):
        Design(phases="PHASE3")


def test_month_date_must_be_the_first_of_the_month() -> None:
    with pytest.raises(ValueError, match="first of the month"):
        StudyDate(datetime.date(2025, 3, 15), precision="month")
    assert StudyDate(datetime.date(2025, 3, 1), precision="month").text == "2025-03"


def test_secondary_id_by_type() -> None:
    registration = make_registration()
    assert registration.secondary_id("CTIS") == "2024-512345-12-00"
    assert registration.secondary_id("EUDRACT_NUMBER") == ""


@pytest.mark.parametrize(
    ("age", "years"),
    [("18 Years", 18.0), ("1 Year", 1.0), ("6 Months", 0.5), ("18 years", None), ("18", None), ("", None)],
)
def test_age_in_years(age: str, years: float | None) -> None:
    assert age_in_years(age) == years


@pytest.mark.parametrize(
    ("minimum", "maximum", "groups"),
    [
        # ClinicalTrials.gov age groups: child 0-17, adult 18-64, older adult 65+.
        ("18 Years", "", ("ADULT", "OLDER_ADULT")),
        ("6 Months", "17 Years", ("CHILD",)),
        ("12 Years", "24 Years", ("CHILD", "ADULT")),
        ("65 Years", "", ("OLDER_ADULT",)),
        ("18 Years", "64 Years", ("ADULT",)),
        ("12 Years", "18 Years", ("CHILD", "ADULT")),  # boundaries: 18 is adult, 65 older adult
        ("40 Years", "65 Years", ("ADULT", "OLDER_ADULT")),
        ("", "", ("CHILD", "ADULT", "OLDER_ADULT")),
    ],
)
def test_standard_ages(minimum: str, maximum: str, groups: tuple[str, ...]) -> None:
    eligibility = Eligibility(minimum_age=minimum, maximum_age=maximum)
    assert eligibility.standard_ages == tuple(StandardAge(group) for group in groups)


# -- reading ---------------------------------------------------------------------------------------------------


def test_reads_a_search_page_with_one_study() -> None:
    document = registration_to_ctgov(make_registration())
    assert registration_from_ctgov({"studies": [document]}) == make_registration()


def test_reading_locates_every_problem() -> None:
    document = registration_to_ctgov(make_registration())
    protocol = document["protocolSection"]
    protocol["designModule"]["phases"] = ["PHASE3", "Phase 4"]
    protocol["statusModule"]["startDateStruct"]["date"] = "March 2025"
    protocol["identificationModule"]["nctId"] = "NCT123"
    protocol["eligibilityModule"]["maximumAge"] = "65 yrs"
    protocol["designModule"]["enrollmentInfo"]["count"] = "300"
    protocol["outcomesModule"]["primaryOutcomes"][0] = "FEV1"
    with pytest.raises(FormatError) as caught:
        registration_from_ctgov(document)
    locations = {problem.location for problem in caught.value.problems}
    assert locations == {
        "protocolSection.designModule.phases[1]",
        "protocolSection.statusModule.startDateStruct.date",
        "protocolSection.identificationModule.nctId",
        "protocolSection.eligibilityModule.maximumAge",
        "protocolSection.designModule.enrollmentInfo.count",
        "protocolSection.outcomesModule.primaryOutcomes[0]",
    }
    messages = " ".join(problem.message for problem in caught.value.problems)
    assert "'Phase 4' is not a ClinicalTrials.gov Phase" in messages


def test_reading_refuses_what_is_not_a_v2_study() -> None:
    with pytest.raises(FormatError, match="expected a JSON object"):
        registration_from_ctgov([])  # type: ignore[arg-type]
    with pytest.raises(FormatError, match="read_trial"):
        registration_from_ctgov({"FullStudiesResponse": {"FullStudies": []}})
    with pytest.raises(FormatError, match="expected one study, found 2"):
        registration_from_ctgov({"studies": [{}, {}]})


# -- validation ------------------------------------------------------------------------------------------------


def locations_of(registration: Registration, **kwargs: Any) -> set[str]:
    return {
        problem.location.removeprefix("protocolSection.") for problem in validate_registration(registration, **kwargs)
    }


def test_the_synthetic_registration_is_valid() -> None:
    assert validate_registration(make_registration(), today=datetime.date(2025, 1, 15)) == []


def test_missing_required_elements() -> None:
    registration = make_registration(
        official_title="", primary_outcomes=(), conditions=(), lead_sponsor=None, completion=None
    )
    assert locations_of(registration) == {
        "identificationModule.officialTitle",
        "outcomesModule.primaryOutcomes",
        "conditionsModule.conditions",
        "sponsorCollaboratorsModule.leadSponsor.name",
        "statusModule.completionDateStruct.date",
    }


def test_intervention_naming_an_arm_that_does_not_exist() -> None:
    registration = make_registration()
    placebo = Intervention("DRUG", "Placebo", "Matching tablet", ("Placebo arm",))
    registration = make_registration(interventions=(registration.interventions[0], placebo))
    assert locations_of(registration) == {
        "armsInterventionsModule.interventions[1].armGroupLabels[0]",  # no arm "Placebo arm"
        "armsInterventionsModule.armGroups[1].interventionNames[0]",  # the arm names it, it does not list the arm
    }


def test_arm_naming_an_unknown_intervention() -> None:
    arms = make_registration().arm_groups
    arms = (arms[0], ArmGroup("Placebo", "PLACEBO_COMPARATOR", "", ("Drug: Placebo", "Drug: Rescue")))
    assert locations_of(make_registration(arm_groups=arms)) == {
        "armsInterventionsModule.armGroups[1].interventionNames[1]"
    }


def test_ages_must_be_well_formed_and_ordered() -> None:
    bad_unit = make_registration(eligibility=Eligibility(CRITERIA, "ALL", "18 yrs", "", False))
    assert locations_of(bad_unit) == {"eligibilityModule.minimumAge"}
    reversed_ages = make_registration(eligibility=Eligibility(CRITERIA, "ALL", "65 Years", "18 Years", False))
    assert locations_of(reversed_ages) == {"eligibilityModule.maximumAge"}


def test_dates_must_be_in_order_and_match_the_status() -> None:
    start = StudyDate(datetime.date(2027, 1, 1), "ACTUAL")
    problems = validate_registration(make_registration(start=start))
    found = {(p.location.removeprefix("protocolSection."), p.message) for p in problems}
    assert found == {
        ("statusModule.primaryCompletionDateStruct.date", "before the start date 2027-01-01"),
        ("statusModule.startDateStruct.type", "ACTUAL, but not yet recruiting"),
    }


def test_actual_date_in_the_future() -> None:
    registration = make_registration(
        overall_status="RECRUITING",
        start=StudyDate(datetime.date(2025, 3, 10), "ACTUAL"),
        locations=(Location("Site 1", "Berlin", country="Germany", status="RECRUITING"),),
    )
    assert locations_of(registration, today=datetime.date(2025, 3, 20)) == set()
    assert locations_of(registration, today=datetime.date(2025, 3, 1)) == {"statusModule.startDateStruct.date"}


def test_design_rules() -> None:
    design = Design(
        study_type="INTERVENTIONAL",
        phases=("PHASE1", "PHASE3"),
        allocation="RANDOMIZED",
        intervention_model="PARALLEL",
        primary_purpose="TREATMENT",
        masking="DOUBLE",
        who_masked=("PARTICIPANT",),
        enrollment_count=300,
        enrollment_type="ESTIMATED",
    )
    assert locations_of(make_registration(design=design)) == {
        "designModule.phases",
        "designModule.designInfo.maskingInfo.whoMasked",
    }


def test_stopped_study_needs_a_reason_and_recruiting_sites_a_recruiting_study() -> None:
    registration = make_registration(
        overall_status="TERMINATED",
        start=StudyDate(datetime.date(2025, 3, 1), "ACTUAL", "month"),
        locations=(Location("Site 1", "Berlin", country="Germany", status="RECRUITING"),),
    )
    assert locations_of(registration) == {"statusModule.whyStopped", "contactsLocationsModule.locations[0].status"}


def test_identifier_formats() -> None:
    registration = make_registration(
        nct_id="NCT0123",
        secondary_ids=(SecondaryId("2024-12345-12", "CTIS"), SecondaryId("2015-1894-41", "EUDRACT_NUMBER")),
    )
    assert locations_of(registration) == {
        "identificationModule.nctId",
        "identificationModule.secondaryIdInfos[0].id",
        "identificationModule.secondaryIdInfos[1].id",
    }


def test_character_limits() -> None:
    # PRS limits: acronym 14 characters, brief title 300.
    registration = make_registration(acronym="A" * 15, brief_title="T" * 301)
    assert locations_of(registration) == {"identificationModule.acronym", "identificationModule.briefTitle"}


# -- the public records ----------------------------------------------------------------------------------------


def needs_reference() -> None:
    if not V2_RECORDS:
        pytest.skip(f"ClinicalTrials.gov reference records not present: {REFERENCE}")


@pytest.mark.parametrize("path", V2_RECORDS or [REFERENCE / "NCT*.json"], ids=lambda path: path.stem)
def test_reference_record_round_trips(path: Path) -> None:
    needs_reference()
    study = json.loads(path.read_text("utf-8"))
    written = registration_to_ctgov(registration_from_ctgov(study))
    expected = registered_fields(study)
    assert expected["protocolSection"], "the projection keeps the identification module at least"
    for module in expected["protocolSection"]:
        assert written["protocolSection"].get(module) == expected["protocolSection"][module], module
    assert written == expected


def test_reference_values_read_by_hand() -> None:
    needs_reference()
    path = REFERENCE / "NCT03418623.json"
    if not path.exists():
        pytest.skip(f"reference record not present: {path}")
    registration = registration_from_ctgov(json.loads(path.read_text("utf-8")))
    # NCT03418623 (GET73 in alcohol use disorder), read from the file.
    assert registration.org_study_id == "GET73 ¹H-MRS"
    assert registration.design.phases == (Phase.PHASE2,)
    assert registration.design.masking == "QUADRUPLE"
    assert len(registration.design.who_masked) == 4
    assert registration.eligibility.minimum_age == "21 Years"
    assert registration.eligibility.maximum_age == "40 Years"
    assert registration.eligibility.standard_ages == (StandardAge.ADULT,)
    assert registration.start == StudyDate(datetime.date(2018, 3, 8), "ACTUAL")
    assert [arm.label for arm in registration.arm_groups] == ["GET73", "Placebo"]
    assert registration.interventions[1].arm_reference == "Other: Placebo"


def test_reference_record_with_unknown_enum_is_located() -> None:
    needs_reference()
    study = copy.deepcopy(json.loads(V2_RECORDS[0].read_text("utf-8")))
    study["protocolSection"]["identificationModule"]["organization"]["class"] = "PHARMA"
    with pytest.raises(FormatError) as caught:
        registration_from_ctgov(study)
    assert [p.location for p in caught.value.problems] == ["protocolSection.identificationModule.organization.class"]
