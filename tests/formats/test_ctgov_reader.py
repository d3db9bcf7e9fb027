"""The ClinicalTrials.gov reader: API v2 and classic JSON, search pages, dates, rates, and located rejections.

The core tests use small studies written here. The reference tests read the public files in
``../shared/reference/ctgov`` (skipped when absent); their expected values were read by hand from the
files. ``NCT02278341.json`` there holds the record of NCT02552212 (C-AXSPAND, 317 enrolled, 105 locations):
the reader reports the NCT number the file contains.
"""

import copy
import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest

from opencro.formats.ctgov import DAYS_PER_MONTH, Facility, TrialRecord, read_trial, read_trials
from opencro.formats.errors import FormatError

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "ctgov"


def v2_study(nct_id: str = "NCT01234567") -> dict[str, Any]:
    """A small API v2 study: two sites in two countries, month-precision start, day-precision completion."""
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct_id, "briefTitle": "Drug X in asthma", "officialTitle": "A Study"},
            "statusModule": {
                "overallStatus": "ACTIVE_NOT_RECRUITING",
                "startDateStruct": {"date": "2015-03", "type": "ACTUAL"},
                "primaryCompletionDateStruct": {"date": "2016-03-01", "type": "ESTIMATED"},
                "completionDateStruct": {"date": "2016", "type": "ESTIMATED"},
            },
            "sponsorCollaboratorsModule": {"leadSponsor": {"name": "Acme Pharma", "class": "INDUSTRY"}},
            "conditionsModule": {"conditions": ["Asthma"], "keywords": ["wheeze", "inhaler"]},
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": ["PHASE2", "PHASE3"],
                "enrollmentInfo": {"count": 120, "type": "ESTIMATED"},
            },
            "contactsLocationsModule": {
                "locations": [
                    {
                        "facility": "City Hospital",
                        "status": "RECRUITING",
                        "city": "Lyon",
                        "zip": "69003",
                        "country": "France",
                    },
                    {"facility": "Lung Clinic", "city": "Boston", "state": "Massachusetts", "country": "United States"},
                ]
            },
        },
        "derivedSection": {"conditionBrowseModule": {"meshes": [{"id": "D001249", "term": "Asthma"}]}},
        "hasResults": False,
    }


def classic_study() -> dict[str, Any]:
    """The same study as `v2_study`, as the classic API's full_studies response wrote it."""
    return {
        "FullStudiesResponse": {
            "APIVrs": "1.01.05",
            "NStudiesReturned": 1,
            "FullStudies": [
                {
                    "Rank": 1,
                    "Study": {
                        "ProtocolSection": {
                            "IdentificationModule": {"NCTId": "NCT01234567", "BriefTitle": "Drug X in asthma"},
                            "StatusModule": {
                                "OverallStatus": "Active, not recruiting",
                                "StartDateStruct": {"StartDate": "March 2015", "StartDateType": "Actual"},
                                "PrimaryCompletionDateStruct": {
                                    "PrimaryCompletionDate": "March 1, 2016",
                                    "PrimaryCompletionDateType": "Anticipated",
                                },
                                "CompletionDateStruct": {"CompletionDate": "2016", "CompletionDateType": "Anticipated"},
                            },
                            "SponsorCollaboratorsModule": {"LeadSponsor": {"LeadSponsorName": "Acme Pharma"}},
                            "ConditionsModule": {
                                "ConditionList": {"Condition": ["Asthma"]},
                                "KeywordList": {"Keyword": ["wheeze", "inhaler"]},
                            },
                            "DesignModule": {
                                "StudyType": "Interventional",
                                "PhaseList": {"Phase": ["Phase 2", "Phase 3"]},
                                "EnrollmentInfo": {"EnrollmentCount": "120", "EnrollmentType": "Anticipated"},
                            },
                            "ContactsLocationsModule": {
                                "LocationList": {
                                    "Location": [
                                        {
                                            "LocationFacility": "City Hospital",
                                            "LocationStatus": "Recruiting",
                                            "LocationCity": "Lyon",
                                            "LocationZip": "69003",
                                            "LocationCountry": "France",
                                        },
                                        {
                                            "LocationFacility": "Lung Clinic",
                                            "LocationCity": "Boston",
                                            "LocationState": "Massachusetts",
                                            "LocationCountry": "United States",
                                        },
                                    ]
                                }
                            },
                        },
                        "DerivedSection": {
                            "ConditionBrowseModule": {
                                "ConditionMeshList": {
                                    "ConditionMesh": [{"ConditionMeshId": "D001249", "ConditionMeshTerm": "Asthma"}]
                                }
                            }
                        },
                    },
                }
            ],
        }
    }


EXPECTED = TrialRecord(
    nct_id="NCT01234567",
    title="Drug X in asthma",
    phase=("PHASE2", "PHASE3"),
    overall_status="ACTIVE_NOT_RECRUITING",
    conditions=("Asthma",),
    keywords=("wheeze", "inhaler"),
    mesh_terms=("Asthma",),
    enrollment=120,
    enrollment_type="ESTIMATED",
    start_date=datetime.date(2015, 3, 1),
    primary_completion_date=datetime.date(2016, 3, 1),
    completion_date=datetime.date(2016, 1, 1),
    facilities=(
        Facility("City Hospital", "Lyon", "", "69003", "France", "RECRUITING"),
        Facility("Lung Clinic", "Boston", "Massachusetts", "", "United States"),
    ),
    sponsor="Acme Pharma",
    study_type="INTERVENTIONAL",
    date_precision=("month", "day", "year"),
    date_types=("ACTUAL", "ESTIMATED", "ESTIMATED"),
)


def problems_of(source: Any, *, one: bool = False) -> list[tuple[str, str]]:
    with pytest.raises(FormatError) as caught:
        if one:
            read_trial(source)
        else:
            list(read_trials(source))
    return [(p.location, p.message) for p in caught.value.problems]


# -- reading a study ----------------------------------------------------------------------------------------------


def test_v2_study_gives_every_field_from_dict_bytes_stream_and_path(tmp_path: Path) -> None:
    data = json.dumps(v2_study()).encode()
    path = tmp_path / "study.json"
    path.write_bytes(data)
    for source in (v2_study(), data, io.BytesIO(data), path, str(path)):
        assert read_trial(source) == EXPECTED


def test_classic_study_gives_the_same_record_as_v2() -> None:
    record = read_trial(classic_study())
    assert isinstance(record, TrialRecord)
    assert record == EXPECTED
    assert read_trial(classic_study()["FullStudiesResponse"]["FullStudies"][0]) == EXPECTED  # {"Rank", "Study"}
    assert read_trial(classic_study()["FullStudiesResponse"]["FullStudies"][0]["Study"]) == EXPECTED


def test_geo_point_of_a_site() -> None:
    study = v2_study()
    study["protocolSection"]["contactsLocationsModule"]["locations"][0]["geoPoint"] = {"lat": 45.75, "lon": 4.85}
    site = read_trial(study).facilities[0]
    assert (site.lat, site.lon) == (45.75, 4.85)
    assert read_trial(study).facilities[1].lat is None


def test_only_the_nct_number_is_required() -> None:
    record = read_trial({"protocolSection": {"identificationModule": {"nctId": "NCT07654321"}}})
    assert record == TrialRecord(nct_id="NCT07654321", title="")
    assert (record.recruitment_months, record.rate_per_site_month, record.countries) == (None, None, ())


def test_official_title_when_no_brief_title() -> None:
    study = v2_study()
    del study["protocolSection"]["identificationModule"]["briefTitle"]
    assert read_trial(study).title == "A Study"


@pytest.mark.parametrize(
    ("module", "field", "classic", "attribute", "v2"),
    [
        ("StatusModule", "OverallStatus", "Unknown status", "overall_status", "UNKNOWN"),
        ("StatusModule", "OverallStatus", "Not yet recruiting", "overall_status", "NOT_YET_RECRUITING"),
        ("StatusModule", "OverallStatus", "Enrolling by invitation", "overall_status", "ENROLLING_BY_INVITATION"),
        ("StatusModule", "OverallStatus", "Completed", "overall_status", "COMPLETED"),
        ("DesignModule", "StudyType", "Observational [Patient Registry]", "study_type", "OBSERVATIONAL"),
        ("DesignModule", "StudyType", "Expanded Access", "study_type", "EXPANDED_ACCESS"),
    ],
)
def test_classic_display_values_become_v2_enum_names(
    module: str, field: str, classic: str, attribute: str, v2: str
) -> None:
    study = classic_study()
    study["FullStudiesResponse"]["FullStudies"][0]["Study"]["ProtocolSection"][module][field] = classic
    assert getattr(read_trial(study), attribute) == v2


@pytest.mark.parametrize(
    ("phases", "expected"),
    [
        (["Early Phase 1"], ("EARLY_PHASE1",)),
        (["Not Applicable"], ("NA",)),
        (["Phase 1/Phase 2"], ("PHASE1", "PHASE2")),
        (["Phase 4"], ("PHASE4",)),
    ],
)
def test_classic_phases_become_v2_phase_names(phases: list[str], expected: tuple[str, ...]) -> None:
    study = classic_study()
    study["FullStudiesResponse"]["FullStudies"][0]["Study"]["ProtocolSection"]["DesignModule"]["PhaseList"] = {
        "Phase": phases
    }
    assert read_trial(study).phase == expected


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("2015-03-27", datetime.date(2015, 3, 27), "day"),
        ("2015-03", datetime.date(2015, 3, 1), "month"),
        ("2015", datetime.date(2015, 1, 1), "year"),
        ("March 27, 2015", datetime.date(2015, 3, 27), "day"),
        ("September 2001", datetime.date(2001, 9, 1), "month"),
    ],
)
def test_dates_and_their_precision(text: str, expected: datetime.date, precision: str) -> None:
    study = v2_study()
    study["protocolSection"]["statusModule"]["startDateStruct"]["date"] = text
    record = read_trial(study)
    assert (record.start_date, record.date_precision[0]) == (expected, precision)


# -- derived values -----------------------------------------------------------------------------------------------


def test_rate_per_site_month_by_hand() -> None:
    study = v2_study()
    status = study["protocolSection"]["statusModule"]
    status["startDateStruct"]["date"] = "2020-01-01"
    status["primaryCompletionDateStruct"]["date"] = "2021-01-01"  # 366 days: 2020 is a leap year
    record = read_trial(study)
    assert DAYS_PER_MONTH == 30.4375
    assert record.recruitment_months == pytest.approx(366 / 30.4375)
    assert record.rate_per_site_month == pytest.approx(120 / 2 / (366 / 30.4375))
    assert record.rate_per_site_month == pytest.approx(1826.25 / 366)  # 60 per site over 366/30.4375 months
    assert record.rate_per_site_month == pytest.approx(4.9897541, rel=1e-7)


def test_recruitment_months_fall_back_on_completion_date() -> None:
    study = v2_study()
    status = study["protocolSection"]["statusModule"]
    del status["primaryCompletionDateStruct"]
    status["startDateStruct"]["date"], status["completionDateStruct"]["date"] = "2019-01-01", "2019-07-01"
    assert read_trial(study).recruitment_months == pytest.approx(181 / 30.4375)


YEAR_2015_16 = 366 / 30.4375  # 2015-03-01 to 2016-03-01, across 29 February 2016


@pytest.mark.parametrize(
    ("start", "count", "sites", "months"),
    [
        ("2015-03-01", 0, True, YEAR_2015_16),
        ("2015-03-01", 120, False, YEAR_2015_16),
        ("2016-03-01", 120, True, 0.0),
        ("2017-03-01", 120, True, -365 / 30.4375),
        ("", 120, True, None),
    ],
)
def test_no_rate_unless_enrolment_sites_and_months_are_positive(
    start: str, count: int, sites: bool, months: float | None
) -> None:
    study = v2_study()
    protocol = study["protocolSection"]
    protocol["statusModule"]["startDateStruct"]["date"] = start
    protocol["statusModule"]["primaryCompletionDateStruct"]["date"] = "2016-03-01"
    protocol["designModule"]["enrollmentInfo"]["count"] = count
    if not sites:
        del protocol["contactsLocationsModule"]
    record = read_trial(study)
    assert record.recruitment_months == (None if months is None else pytest.approx(months))
    assert record.rate_per_site_month is None


def test_countries_are_distinct_in_order_of_first_site() -> None:
    sites = [("A", "Germany"), ("B", "France"), ("C", "Germany"), ("D", ""), ("E", "Spain")]
    study = v2_study()
    study["protocolSection"]["contactsLocationsModule"]["locations"] = [
        {"facility": name, "country": country} for name, country in sites
    ]
    assert read_trial(study).countries == ("Germany", "France", "Spain")


# -- documents with several studies -------------------------------------------------------------------------------


def test_v2_search_page_with_two_studies_gives_two_records() -> None:
    page = {"studies": [v2_study("NCT01234567"), v2_study("NCT07654321")], "nextPageToken": "NF0g5JaMlw"}
    records = list(read_trials(json.dumps(page).encode()))
    assert [r.nct_id for r in records] == ["NCT01234567", "NCT07654321"]
    assert records[0] == EXPECTED
    with pytest.raises(FormatError, match="holds 2 studies"):
        read_trial(page)


def test_json_array_classic_response_and_empty_page() -> None:
    assert [r.nct_id for r in read_trials([v2_study(), v2_study("NCT07654321")])] == ["NCT01234567", "NCT07654321"]
    classic = classic_study()
    studies = classic["FullStudiesResponse"]["FullStudies"]
    studies.append(copy.deepcopy(studies[0]))
    studies[1]["Study"]["ProtocolSection"]["IdentificationModule"]["NCTId"] = "NCT07654321"
    assert [r.nct_id for r in read_trials(classic)] == ["NCT01234567", "NCT07654321"]
    assert list(read_trials({"studies": [], "totalCount": 0})) == []
    assert read_trial({"studies": [v2_study()]}) == EXPECTED
    assert problems_of({"studies": []}, one=True) == [
        ("top level", "read_trial needs one study, this document holds no study")
    ]


# -- rejections ---------------------------------------------------------------------------------------------------


def test_not_json_is_located_by_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b'{\n  "a": tru\n}')
    assert problems_of(path) == [("bad.json, line 2, column 8", "not JSON: Expecting value")]
    assert problems_of(b"<html>not found</html>", one=True) == [("line 1, column 1", "not JSON: Expecting value")]
    assert problems_of(b"") == [("line 1, column 1", "not JSON: Expecting value")]


def test_not_text_nan_and_deep_nesting_are_refused() -> None:
    assert problems_of(b'{"a": "caf\xe9"}') == [("byte 10", "not JSON: the bytes are not UTF-8, UTF-16 or UTF-32 text")]
    assert problems_of(b'{"protocolSection": NaN}') == [("top level", "not JSON: NaN is not a JSON value")]
    assert problems_of(b"[" * 100_000)[0][1].startswith("not JSON")


def test_json_that_is_not_a_study_is_located() -> None:
    assert problems_of({"name": "a patient"}) == [
        (
            "top level",
            "not a ClinicalTrials.gov study: no protocolSection (API v2), studies (a v2 search page), "
            "FullStudiesResponse or ProtocolSection (classic API)",
        )
    ]
    assert problems_of(b'"NCT01234567"') == [
        ("top level", "not a ClinicalTrials.gov study: a JSON string, expected an object")
    ]
    assert problems_of({"studies": [v2_study(), 3]}) == [
        ("studies[1]", "not a ClinicalTrials.gov study: a JSON number, expected an object")
    ]
    assert problems_of({"studies": {"protocolSection": {}}}) == [("studies", "expected an array, found a JSON object")]


def test_bad_nct_numbers_are_located_by_json_path() -> None:
    bad = v2_study("NCT123")
    missing = v2_study()
    del missing["protocolSection"]["identificationModule"]["nctId"]
    page = {"studies": [v2_study(), bad, v2_study(), missing]}
    assert problems_of(page) == [
        ("studies[1].protocolSection.identificationModule.nctId", "not an NCT number (NCT and 8 digits): 'NCT123'"),
        (
            "studies[3].protocolSection.identificationModule.nctId",
            "missing: every ClinicalTrials.gov study has an NCT number",
        ),
    ]
    classic = classic_study()
    del classic["FullStudiesResponse"]["FullStudies"][0]["Study"]["ProtocolSection"]["IdentificationModule"]["NCTId"]
    assert problems_of(classic) == [
        (
            "FullStudiesResponse.FullStudies[0].Study.ProtocolSection.IdentificationModule.NCTId",
            "missing: every ClinicalTrials.gov study has an NCT number",
        )
    ]


def test_fields_of_unexpected_type_are_each_located() -> None:
    study = v2_study()
    protocol = study["protocolSection"]
    protocol["statusModule"]["overallStatus"] = 3
    protocol["statusModule"]["startDateStruct"]["date"] = "2015-13"
    protocol["designModule"]["phases"] = "PHASE3"
    protocol["designModule"]["enrollmentInfo"]["count"] = -5
    protocol["conditionsModule"]["conditions"] = ["Asthma", {"name": "COPD"}]
    protocol["contactsLocationsModule"]["locations"].append("Paris")
    protocol["contactsLocationsModule"]["locations"][0]["geoPoint"] = {"lat": 95.0, "lon": True}
    study["derivedSection"] = "none"
    found = dict(problems_of(study))
    assert found == {
        "protocolSection.statusModule.overallStatus": "expected a string, found a JSON number",
        "protocolSection.statusModule.startDateStruct.date": (
            "not a date (2015-03-27, 2015-03, March 27, 2015 or March 2015): '2015-13'"
        ),
        "protocolSection.designModule.phases": "expected an array, found a JSON string",
        "protocolSection.designModule.enrollmentInfo.count": "expected a whole number of participants, found -5",
        "protocolSection.conditionsModule.conditions[1]": "expected a string, found a JSON object",
        "protocolSection.contactsLocationsModule.locations[2]": "expected an object, found a JSON string",
        "protocolSection.contactsLocationsModule.locations[0].geoPoint.lat": (
            "expected a number of degrees between -90 and 90, found 95.0"
        ),
        "protocolSection.contactsLocationsModule.locations[0].geoPoint.lon": (
            "expected a number of degrees between -180 and 180, found True"
        ),
        "derivedSection": "expected an object, found a JSON string",
    }


def test_module_of_wrong_type_is_located() -> None:
    assert problems_of({"protocolSection": ["identificationModule"]}) == [
        ("protocolSection", "expected an object, found a JSON array"),
        ("protocolSection.identificationModule.nctId", "missing: every ClinicalTrials.gov study has an NCT number"),
    ]


def test_a_source_that_is_not_a_document_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="cannot read a int"):
        read_trial(42)  # type: ignore[arg-type]


# -- the public reference files -----------------------------------------------------------------------------------


def reference(name: str) -> Path:
    if not REFERENCE.is_dir():
        pytest.skip("reference data ../shared/reference/ctgov is absent")
    return REFERENCE / name


# file -> (studies it holds, NCT number of the first), for the files not holding one study named as the file
FILE_CONTENTS = {"NCT02278341.json": (1, "NCT02552212"), "covid-19-search.json": (100, "NCT04973462")}


def test_every_reference_file_reads() -> None:
    files = sorted(reference("").glob("*.json"))
    assert len(files) >= 17
    for path in files:
        records = list(read_trials(path))
        count, first = FILE_CONTENTS.get(path.name, (1, path.stem))
        assert (len(records), records[0].nct_id) == (count, first), path.name
        assert len({r.nct_id for r in records}) == count, path.name


def test_reference_nct02278341_file() -> None:
    record = read_trial(reference("NCT02278341.json"))
    assert record.nct_id == "NCT02552212"  # what the file holds, see the module docstring
    assert record.title == (
        "Multicenter Study Evaluating Certolizumab Pegol Compared to Placebo in Subjects With axSpA "
        "Without X-ray Evidence of AS"
    )
    assert (record.enrollment, record.enrollment_type, len(record.facilities)) == (317, "ACTUAL", 105)
    assert (record.phase, record.overall_status, record.study_type) == (("PHASE3",), "COMPLETED", "INTERVENTIONAL")
    assert (record.start_date, record.primary_completion_date) == (datetime.date(2015, 9, 1), datetime.date(2018, 5, 1))
    assert record.date_precision == ("month", "month", "month")
    assert record.sponsor == "UCB BIOSCIENCES GmbH"
    assert record.facilities[0] == Facility(
        "As0006 125", "Birmingham", "Alabama", "", "United States", "", 33.52066, -86.80249
    )
    assert (record.facilities[-1].city, record.facilities[-1].country) == ("Taipei", "Taiwan")
    assert len(record.countries) == 9 and record.countries[0] == "United States"
    assert record.mesh_terms[:2] == ("Spondylitis", "Spondylarthritis")
    assert record.rate_per_site_month == pytest.approx(317 / 105 / (973 / 30.4375))  # 2015-09-01 to 2018-05-01


def test_reference_nct02210780_and_its_rate_by_hand() -> None:
    record = read_trial(reference("NCT02210780.json"))
    assert record.nct_id == "NCT02210780"
    assert record.title == "Study of Dupilumab and Immune Responses in Adults With Atopic Dermatitis (AD)"
    assert (record.enrollment, len(record.facilities)) == (194, 42)
    assert (record.phase, record.overall_status) == (("PHASE2",), "COMPLETED")
    assert (record.start_date, record.primary_completion_date) == (
        datetime.date(2014, 8, 5),
        datetime.date(2015, 9, 15),
    )
    assert record.date_precision == ("day", "day", "day")
    assert record.facilities[0] == Facility("", "Birmingham", "Alabama", "", "United States", "", 33.52066, -86.80249)
    assert (record.facilities[-1].city, record.facilities[-1].state) == ("Seattle", "Washington")
    assert record.countries == ("United States",)
    assert record.conditions == ("Atopic Dermatitis",)
    # 2014-08-05 to 2015-09-15 is 406 days; 194 participants over 42 sites
    assert record.rate_per_site_month == pytest.approx(194 / 42 / (406 / 30.4375))
    assert record.rate_per_site_month == pytest.approx(0.3462864, rel=1e-6)


def test_reference_classic_files_give_the_same_kind_of_record() -> None:
    lung = read_trial(reference("NCT00023673.json"))
    assert isinstance(lung, TrialRecord)
    assert lung.title == (
        "Radiation Therapy Combined With Paclitaxel and Carboplatin in Treating Patients With Stage III "
        "Non-Small Cell Lung Cancer"
    )
    assert (lung.phase, lung.overall_status, lung.study_type) == (("PHASE1", "PHASE2"), "COMPLETED", "INTERVENTIONAL")
    assert (lung.enrollment, lung.enrollment_type, len(lung.facilities)) == (63, "ACTUAL", 41)
    assert (lung.start_date, lung.date_precision[0], lung.date_types[0]) == (datetime.date(2001, 7, 1), "month", "")
    assert lung.primary_completion_date == datetime.date(2009, 1, 1)
    assert lung.facilities[-1] == Facility(
        "Tom Baker Cancer Centre - Calgary", "Calgary", "Alberta", "T2N 4N2", "Canada"
    )
    assert lung.mesh_terms == ("Lung Neoplasms", "Carcinoma, Non-Small-Cell Lung")
    assert lung.sponsor == "Radiation Therapy Oncology Group"

    anxiety = read_trial(reference("NCT04780763.json"))
    assert (anxiety.overall_status, anxiety.phase) == ("NOT_YET_RECRUITING", ("NA",))
    assert (anxiety.enrollment, anxiety.enrollment_type) == (168, "ESTIMATED")
    assert (anxiety.start_date, anxiety.date_types[0]) == (datetime.date(2021, 3, 4), "ESTIMATED")
    assert anxiety.facilities == (Facility("UZ/KU Leuven", "Leuven", "", "3000", "Belgium"),)


def test_reference_classic_search_holds_100_studies() -> None:
    path = reference("covid-19-search.json")
    records = list(read_trials(path))
    assert len(records) == 100
    assert records[0].facilities[0].status == "RECRUITING"  # "LocationStatus": "Recruiting"
    assert problems_of(path, one=True) == [
        ("top level", "read_trial needs one study, this document holds 100 studies: read them with read_trials")
    ]


def test_reference_v2_studies_as_a_search_page() -> None:
    first, second = reference("NCT02210780.json"), reference("NCT02278341.json")
    page = {"studies": [json.loads(first.read_bytes()), json.loads(second.read_bytes())], "nextPageToken": "abc"}
    assert list(read_trials(json.dumps(page).encode())) == [read_trial(first), read_trial(second)]
