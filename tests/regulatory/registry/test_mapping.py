"""The protocol -> registration mapping, on snapshots built by hand (no database). Expected values follow the rules
of `opencro.regulatory.registry.mapping`'s docstring and the API v2 enumeration names (ClinicalTrials.gov
"Study Data Structure")."""

import datetime as dt
from dataclasses import replace

from opencro.formats.ctgov.registration import registration_from_ctgov
from opencro.regulatory.registry.changes import document_changes, flatten
from opencro.regulatory.registry.mapping import (
    ArmRow,
    CriterionRow,
    EndpointRow,
    ObjectiveRow,
    ProductRow,
    SiteRow,
    StudySnapshot,
    age_limits,
    criteria_text,
    ctgov_document,
    eu_document,
    project_document,
    study_registration,
)

SNAP = StudySnapshot(
    protocol_number="OPC-301",
    title="A Phase III randomised double-blind study of X in heart failure",
    short_title="X in heart failure",
    phase="III",
    indication="Heart failure",
    therapeutic_area="Cardiology",
    sponsor="OpenCRO Pharma",
    status="enrolling",
    as_of=dt.date(2026, 11, 27),
    eu_ct_number="2024-512345-12-00",
    arms=(
        ArmRow("A", "Drug X 10 mg", "experimental", "X once daily"),
        ArmRow("P", "Placebo", "placebo", "Matching placebo"),
    ),
    products=(
        ProductRow("Drug X", "investigational", "examplinib"),
        ProductRow("Placebo to X", "placebo"),
        ProductRow("Rescue diuretic", "auxiliary"),
    ),
    objectives=(ObjectiveRow("primary", "Efficacy of X"), ObjectiveRow("secondary", "Safety of X")),
    endpoints=(
        EndpointRow("primary", "Change in NT-proBNP", "Week 12"),
        EndpointRow("secondary", "Adverse events", "Up to week 16"),
        EndpointRow("exploratory", "Biomarkers", "Week 12"),
    ),
    criteria=(
        CriterionRow("exclusion", 1, "Pregnancy"),
        CriterionRow("inclusion", 2, "LVEF  <= 40%", "lvef <= 40"),
        CriterionRow("inclusion", 1, "Aged 18 to 85", "age >= 18 and age <= 85"),
    ),
    sites=(
        SiteRow("Alpha Hospital", "Chicago", "US", "active", "Dr A", 30, id=1),
        SiteRow("Charité", "Berlin", "DE", "active", "Dr C", 20, id=2),
        SiteRow("Planned Clinic", "Paris", "FR", "planned", "Dr P", 10, id=3),
    ),
    randomised=True,
    blinded=True,
    enrolled=12,
    first_enrolled_on=dt.date(2026, 3, 10),
)


def _module(doc: dict, name: str) -> dict:
    return doc["protocolSection"][name]


def test_identification_status_and_sponsor():
    doc, _ = ctgov_document(SNAP)
    ident = _module(doc, "identificationModule")
    assert ident["orgStudyIdInfo"] == {"id": "OPC-301"}
    assert ident["briefTitle"] == "X in heart failure" and ident["officialTitle"].startswith("A Phase III")
    assert ident["secondaryIdInfos"] == [{"id": "2024-512345-12-00", "type": "CTIS", "domain": "EU CT number"}]
    status = _module(doc, "statusModule")
    assert status["overallStatus"] == "RECRUITING"  # enrolling -> RECRUITING
    assert status["statusVerifiedDate"] == "2026-11"  # the month of as_of
    assert status["startDateStruct"] == {"date": "2026-03-10", "type": "ACTUAL"}  # the first enrolment
    sponsor = _module(doc, "sponsorCollaboratorsModule")
    assert sponsor["leadSponsor"] == {"name": "OpenCRO Pharma"} and sponsor["responsibleParty"] == {"type": "SPONSOR"}
    assert _module(doc, "conditionsModule") == {"conditions": ["Heart failure"], "keywords": ["Cardiology"]}


def test_design_arms_and_interventions():
    doc, _ = ctgov_document(SNAP)
    design = _module(doc, "designModule")
    assert design["studyType"] == "INTERVENTIONAL" and design["phases"] == ["PHASE3"]
    assert design["designInfo"] == {"allocation": "RANDOMIZED"}  # blinded: masking left to the user
    # enrolling: ESTIMATED, the published sites' targets (30 + 20; the planned site's 10 left out)
    assert design["enrollmentInfo"] == {"count": 50, "type": "ESTIMATED"}
    arms = _module(doc, "armsInterventionsModule")
    assert arms["armGroups"] == [
        {
            "label": "Drug X 10 mg",
            "type": "EXPERIMENTAL",
            "description": "X once daily",
            "interventionNames": ["Drug: Drug X"],
        },
        {
            "label": "Placebo",
            "type": "PLACEBO_COMPARATOR",
            "description": "Matching placebo",
            "interventionNames": ["Drug: Placebo to X"],
        },
    ]
    assert arms["interventions"] == [  # the auxiliary product is not registered
        {"type": "DRUG", "name": "Drug X", "armGroupLabels": ["Drug X 10 mg"], "otherNames": ["examplinib"]},
        {"type": "DRUG", "name": "Placebo to X", "armGroupLabels": ["Placebo"]},
    ]


def test_outcomes_eligibility_and_locations():
    doc, _ = ctgov_document(SNAP)
    outcomes = _module(doc, "outcomesModule")
    assert outcomes["primaryOutcomes"] == [{"measure": "Change in NT-proBNP", "timeFrame": "Week 12"}]
    assert outcomes["secondaryOutcomes"] == [{"measure": "Adverse events", "timeFrame": "Up to week 16"}]
    assert outcomes["otherOutcomes"] == [{"measure": "Biomarkers", "timeFrame": "Week 12"}]
    eligibility = _module(doc, "eligibilityModule")
    assert eligibility["eligibilityCriteria"] == (
        "Inclusion Criteria:\n\n* Aged 18 to 85\n* LVEF <= 40%\n\nExclusion Criteria:\n\n* Pregnancy"
    )
    assert (eligibility["minimumAge"], eligibility["maximumAge"]) == ("18 Years", "85 Years")
    assert eligibility["stdAges"] == ["ADULT", "OLDER_ADULT"]  # 18-85 spans adult and older adult (StandardAge)
    locations = _module(doc, "contactsLocationsModule")["locations"]
    assert [(loc["facility"], loc["country"], loc["status"]) for loc in locations] == [
        ("Alpha Hospital", "United States", "RECRUITING"),
        ("Charité", "Germany", "RECRUITING"),
    ]
    assert locations[0]["contacts"] == [{"name": "Dr A", "role": "PRINCIPAL_INVESTIGATOR"}]


def test_the_document_reads_back_as_the_same_registration():
    doc, _ = ctgov_document(SNAP)
    assert registration_from_ctgov(doc) == study_registration(SNAP)


def test_what_the_protocol_does_not_hold_is_listed():
    _, problems = ctgov_document(SNAP)
    # exactly the PRS required elements the protocol does not hold: arms, interventions, outcomes, ages agree
    assert {p.location.removeprefix("protocolSection.") for p in problems} == {
        "statusModule.primaryCompletionDateStruct.date",
        "statusModule.completionDateStruct.date",
        "designModule.designInfo.primaryPurpose",
        "designModule.designInfo.maskingInfo.masking",
        "designModule.designInfo.interventionModel",
        "eligibilityModule.sex",
        "eligibilityModule.healthyVolunteers",
    }


def test_status_follows_the_study():
    closed = replace(SNAP, status="closed")
    reg = study_registration(closed)
    assert reg.overall_status == "COMPLETED"
    assert (reg.design.enrollment_count, reg.design.enrollment_type) == (12, "ACTUAL")  # the subjects enrolled
    assert {loc.status for loc in reg.locations} == {"COMPLETED"}
    follow_up = study_registration(replace(SNAP, status="follow_up"))
    assert follow_up.overall_status == "ACTIVE_NOT_RECRUITING"
    assert {loc.status for loc in follow_up.locations} == {"ACTIVE_NOT_RECRUITING"}
    planning = study_registration(replace(SNAP, status="planning", first_enrolled_on=None))
    assert planning.overall_status == "NOT_YET_RECRUITING" and planning.start is None
    assert {loc.status for loc in planning.locations} == {"NOT_YET_RECRUITING"}


def test_design_without_a_scheme():
    single = study_registration(replace(SNAP, arms=SNAP.arms[:1], randomised=False, blinded=None))
    assert (single.design.allocation, single.design.intervention_model) == ("NA", "SINGLE_GROUP")
    open_label = study_registration(replace(SNAP, blinded=False))
    assert open_label.design.masking == "NONE"
    two_arms = study_registration(replace(SNAP, randomised=False, blinded=None))
    assert two_arms.design.allocation is None and two_arms.design.masking is None


def test_age_limits_read_only_plain_conjunctions():
    rows = [CriterionRow("inclusion", 1, "", "age > 17 and age < 66")]
    assert age_limits(rows) == ("18 Years", "65 Years")
    assert age_limits([CriterionRow("inclusion", 1, "", "age >= 18 or consent = 1")]) == ("", "")
    assert age_limits([CriterionRow("exclusion", 1, "", "age >= 90")]) == ("", "")
    assert (
        age_limits([CriterionRow("inclusion", 1, "", "age >= 18"), CriterionRow("inclusion", 2, "", "age >= 21")])[0]
        == "21 Years"
    )  # both must hold: the higher minimum


def test_criteria_text_without_exclusions():
    assert criteria_text([CriterionRow("inclusion", 1, "Adults")]) == "Inclusion Criteria:\n\n* Adults"
    assert criteria_text([]) == ""


def test_eu_document():
    doc, problems = eu_document(SNAP)
    # Germany is the only EU/EEA member state of the published sites (France's site is only planned)
    assert doc["memberStatesConcerned"] == [{"code": "DE", "name": "Germany", "plannedParticipants": 20}]
    assert doc["plannedParticipantsEEA"] == 20 and doc["plannedParticipantsOutsideEEA"] == 30
    assert doc["euCtNumber"] == "2024-512345-12-00"
    assert doc["trialInformation"]["trialObjective"]["mainObjective"] == "Efficacy of X"
    assert doc["trialInformation"]["trialCategory"]["trialPhase"] == "Therapeutic confirmatory (Phase III)"
    assert doc["trialInformation"]["therapeuticAreas"] == ["Cardiology"]
    assert [p["role"] for p in doc["products"]] == ["Test", "Placebo"]
    assert doc["toComplete"] == [] and problems == []


def test_eu_document_needs_a_member_state_with_planned_participants():
    us_only = replace(SNAP, sites=SNAP.sites[:1])
    doc, problems = eu_document(us_only)
    assert doc is None and [p.location for p in problems] == ["memberStatesConcerned"]
    no_target = replace(SNAP, sites=(replace(SNAP.sites[1], target_enrolment=0),))
    doc, problems = eu_document(no_target)
    assert doc is None and [p.location for p in problems] == ["memberStatesConcerned['DE']"]


def test_a_restricted_view_holds_only_its_sites():
    doc, _ = ctgov_document(SNAP, site_ids={1})
    assert [loc["facility"] for loc in _module(doc, "contactsLocationsModule")["locations"]] == ["Alpha Hospital"]
    assert _module(doc, "designModule")["enrollmentInfo"]["count"] == 50  # the study's, not the site's
    full, _ = ctgov_document(SNAP)
    assert project_document("ctgov", full, SNAP, {1}) == doc
    eu, _ = eu_document(SNAP, site_ids={1})
    assert eu["memberStatesConcerned"] == [] and eu["plannedParticipantsEEA"] == 20


def test_changes_between_two_exports():
    before, _ = ctgov_document(SNAP)
    amended = replace(
        SNAP,
        as_of=dt.date(2027, 1, 5),  # another month: the status-verified date is not a change
        endpoints=(EndpointRow("primary", "Change in NT-proBNP", "Week 16"), *SNAP.endpoints[1:]),
        criteria=(*SNAP.criteria[:2], CriterionRow("inclusion", 1, "Aged 18 to 80", "age >= 18 and age <= 80")),
    )
    after, _ = ctgov_document(amended)
    changes = {c.path: (c.registered, c.current) for c in document_changes("ctgov", before, after)}
    assert changes.pop("outcomes.primary[0].timeFrame") == ("Week 12", "Week 16")
    assert changes.pop("eligibility.maximumAge") == ("85 Years", "80 Years")
    assert set(changes) == {"eligibility.criteria"}
    assert document_changes("ctgov", before, before) == []


def test_eu_changes_are_leaf_paths():
    before, _ = eu_document(SNAP)
    after, _ = eu_document(replace(SNAP, therapeutic_area="Cardiovascular"))
    changes = document_changes("euctr", before, after)
    assert [(c.path, c.registered, c.current) for c in changes] == [
        ("trialInformation.therapeuticAreas[0]", "Cardiology", "Cardiovascular")
    ]
    assert flatten({"a": [{"b": 1}, {"b": ""}], "c": None}) == {"a[0].b": 1}
