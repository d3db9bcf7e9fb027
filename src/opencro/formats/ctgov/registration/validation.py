"""`validate_registration`: what ClinicalTrials.gov would refuse or query in a registration, each problem located.

Reference: ClinicalTrials.gov "Protocol Registration Data Element Definitions for Interventional and
Observational Studies" (required elements, character limits, age and date rules, phases registered together,
masking); 42 CFR Part 11 (FDAAA 801 Final Rule), §11.28 (clinical trial registration information).
"""

import datetime
import re
from typing import Any

from opencro.formats.ctgov.registration.ages import age_in_years
from opencro.formats.ctgov.registration.enums import (
    DateType,
    EnrollmentType,
    Masking,
    OverallStatus,
    Phase,
    RecruitmentStatus,
    ResponsiblePartyType,
    SecondaryIdType,
    StudyType,
)
from opencro.formats.ctgov.registration.model import (
    EU_CT_NUMBER,
    EUDRACT_NUMBER,
    NCT_ID,
    Intervention,
    Registration,
)
from opencro.formats.errors import Problem

# Masking level -> number of roles masked (PRS: the level is the count of the roles ticked).
MASKED_ROLES = {Masking.NONE: 0, Masking.SINGLE: 1, Masking.DOUBLE: 2, Masking.TRIPLE: 3, Masking.QUADRUPLE: 4}
# Phases that may be registered together (PRS: "Phase 1/Phase 2" and "Phase 2/Phase 3" only).
PHASE_PAIRS = ({Phase.PHASE1, Phase.PHASE2}, {Phase.PHASE2, Phase.PHASE3}, {Phase.EARLY_PHASE1})
STOPPED = {OverallStatus.SUSPENDED, OverallStatus.TERMINATED, OverallStatus.WITHDRAWN}

# Character limits of the PRS data element definitions.
LIMITS = {
    "identificationModule.orgStudyIdInfo.id": 30,
    "identificationModule.briefTitle": 300,
    "identificationModule.officialTitle": 600,
    "identificationModule.acronym": 14,
    "statusModule.whyStopped": 250,
    "eligibilityModule.eligibilityCriteria": 20000,
}


def validate_registration(reg: Registration, *, today: datetime.date | None = None) -> list[Problem]:
    """What ClinicalTrials.gov would refuse or query in this registration; [] when none.

    Checked, after the PRS data element definitions: the required elements (protocol number, titles, status,
    status-verified, start, primary completion and completion dates, lead sponsor, responsible party, condition,
    study type, design elements of an interventional or observational study, enrolment, eligibility criteria, sex,
    at least one primary outcome with a time frame, arms and interventions of an interventional study), the
    character limits, the NCT, EudraCT and EU CT number formats, phases that may go together, masked roles matching
    the masking level, arm labels and intervention names referring to each other, ages written "18 Years" and the
    minimum not above the maximum, start <= primary completion <= completion, date types consistent with the
    status (and, given `today`, no ACTUAL date in the future), a reason for a stopped study, location statuses
    consistent with the overall one. Each problem is located by its path in the API v2 JSON.
    """
    problems: list[Problem] = []

    def need(condition: object, location: str, message: str) -> None:
        if not condition:
            problems.append(Problem(f"protocolSection.{location}", message))

    _check_identification(reg, need)
    _check_status(reg, need, today)
    need(reg.lead_sponsor and reg.lead_sponsor.name.strip(), "sponsorCollaboratorsModule.leadSponsor.name", "required")
    need(
        reg.responsible_party and reg.responsible_party.type,
        "sponsorCollaboratorsModule.responsibleParty.type",
        "required: sponsor, principal investigator or sponsor-investigator",
    )
    party = reg.responsible_party
    if party and party.type in (ResponsiblePartyType.PRINCIPAL_INVESTIGATOR, ResponsiblePartyType.SPONSOR_INVESTIGATOR):
        need(
            party.investigator_full_name.strip(),
            "sponsorCollaboratorsModule.responsibleParty.investigatorFullName",
            "required when the responsible party is an investigator",
        )
    need(any(c.strip() for c in reg.conditions), "conditionsModule.conditions", "at least one condition is required")
    _check_design(reg, need)
    _check_arms(reg, need)
    _check_outcomes(reg, need)
    _check_eligibility(reg, need)
    _check_locations(reg, need)
    return problems


def _check_identification(reg: Registration, need: Any) -> None:
    need(reg.org_study_id.strip(), "identificationModule.orgStudyIdInfo.id", "required: the sponsor's protocol number")
    need(reg.brief_title.strip(), "identificationModule.briefTitle", "required")
    need(reg.official_title.strip(), "identificationModule.officialTitle", "required")
    for location, value in (
        ("identificationModule.orgStudyIdInfo.id", reg.org_study_id),
        ("identificationModule.briefTitle", reg.brief_title),
        ("identificationModule.officialTitle", reg.official_title),
        ("identificationModule.acronym", reg.acronym),
        ("statusModule.whyStopped", reg.why_stopped),
        ("eligibilityModule.eligibilityCriteria", reg.eligibility.criteria),
    ):
        limit = LIMITS[location]
        need(len(value) <= limit, location, f"{len(value)} characters, ClinicalTrials.gov allows {limit}")
    need(not reg.nct_id or NCT_ID.fullmatch(reg.nct_id), "identificationModule.nctId", "not NCT and 8 digits")
    for index, secondary in enumerate(reg.secondary_ids):
        where = f"identificationModule.secondaryIdInfos[{index}]"
        need(secondary.id.strip(), f"{where}.id", "required")
        if secondary.type == SecondaryIdType.CTIS:
            need(EU_CT_NUMBER.fullmatch(secondary.id), f"{where}.id", "not an EU CT number (e.g. 2023-503688-39-00)")
        elif secondary.type == SecondaryIdType.EUDRACT_NUMBER:
            need(EUDRACT_NUMBER.fullmatch(secondary.id), f"{where}.id", "not a EudraCT number (e.g. 2015-001894-41)")
        elif secondary.type in (SecondaryIdType.OTHER, SecondaryIdType.OTHER_GRANT, SecondaryIdType.REGISTRY):
            need(secondary.domain.strip(), f"{where}.domain", f"required for a secondary id of type {secondary.type}")


def _check_status(reg: Registration, need: Any, today: datetime.date | None) -> None:
    status = reg.overall_status
    need(status, "statusModule.overallStatus", "required")
    need(reg.status_verified, "statusModule.statusVerifiedDate", "required")
    need(reg.start, "statusModule.startDateStruct.date", "required")
    if reg.design.study_type != StudyType.EXPANDED_ACCESS:
        need(reg.primary_completion, "statusModule.primaryCompletionDateStruct.date", "required")
        need(reg.completion, "statusModule.completionDateStruct.date", "required")
    if status in STOPPED:
        need(reg.why_stopped.strip(), "statusModule.whyStopped", f"required when the study is {status}")
    dates = (
        ("startDateStruct", reg.start),
        ("primaryCompletionDateStruct", reg.primary_completion),
        ("completionDateStruct", reg.completion),
    )
    for key, value in dates:
        if value is not None:
            need(value.type, f"statusModule.{key}.type", "required: ACTUAL or ESTIMATED")
            if today is not None and value.type == DateType.ACTUAL:
                need(value.date <= today, f"statusModule.{key}.date", f"ACTUAL but after today ({today})")
    if reg.start and reg.primary_completion:
        need(
            reg.start.date <= reg.primary_completion.date,
            "statusModule.primaryCompletionDateStruct.date",
            f"before the start date {reg.start.text}",
        )
    end = reg.primary_completion or reg.start
    if end and reg.completion:
        need(
            end.date <= reg.completion.date,
            "statusModule.completionDateStruct.date",
            f"before the {'primary completion' if reg.primary_completion else 'start'} date {end.text}",
        )
    if status == OverallStatus.NOT_YET_RECRUITING and reg.start:
        need(reg.start.type != DateType.ACTUAL, "statusModule.startDateStruct.type", "ACTUAL, but not yet recruiting")
    if status in (OverallStatus.RECRUITING, OverallStatus.ACTIVE_NOT_RECRUITING, OverallStatus.COMPLETED) and reg.start:
        need(reg.start.type != DateType.ESTIMATED, "statusModule.startDateStruct.type", f"ESTIMATED, but {status}")
    if status == OverallStatus.COMPLETED:
        for key, value in dates[1:]:
            need(not value or value.type != DateType.ESTIMATED, f"statusModule.{key}.type", "ESTIMATED, but COMPLETED")


def _check_design(reg: Registration, need: Any) -> None:
    design = reg.design
    need(design.study_type, "designModule.studyType", "required")
    if design.study_type == StudyType.INTERVENTIONAL:
        phases = set(design.phases)
        need(phases, "designModule.phases", "required for an interventional study (NA when not a drug or biologic)")
        need(
            len(phases) <= 1 or phases in PHASE_PAIRS,
            "designModule.phases",
            "only PHASE1 with PHASE2, or PHASE2 with PHASE3, may be registered together",
        )
        need(design.allocation, "designModule.designInfo.allocation", "required for an interventional study")
        need(design.intervention_model, "designModule.designInfo.interventionModel", "required")
        need(design.primary_purpose, "designModule.designInfo.primaryPurpose", "required")
        need(design.masking, "designModule.designInfo.maskingInfo.masking", "required (NONE for open label)")
        if design.masking is not None:
            expected = MASKED_ROLES[design.masking]
            need(
                len(set(design.who_masked)) == expected and len(design.who_masked) == expected,
                "designModule.designInfo.maskingInfo.whoMasked",
                f"{design.masking} masking names {expected} distinct role(s), found {len(design.who_masked)}",
            )
    elif design.study_type == StudyType.OBSERVATIONAL:
        need(design.observational_model, "designModule.designInfo.observationalModel", "required")
        need(design.time_perspective, "designModule.designInfo.timePerspective", "required")
    if design.study_type != StudyType.EXPANDED_ACCESS:
        need(design.enrollment_count is not None, "designModule.enrollmentInfo.count", "required")
        need(design.enrollment_type, "designModule.enrollmentInfo.type", "required: ACTUAL or ESTIMATED")
    if design.enrollment_type == EnrollmentType.ESTIMATED and reg.overall_status == OverallStatus.COMPLETED:
        need(False, "designModule.enrollmentInfo.type", "ESTIMATED, but the study is COMPLETED")


def _check_arms(reg: Registration, need: Any) -> None:
    interventional = reg.design.study_type == StudyType.INTERVENTIONAL
    if interventional:
        need(reg.arm_groups, "armsInterventionsModule.armGroups", "at least one arm is required")
        need(reg.interventions, "armsInterventionsModule.interventions", "at least one intervention is required")
    labels: dict[str, int] = {}
    for index, arm in enumerate(reg.arm_groups):
        where = f"armsInterventionsModule.armGroups[{index}]"
        need(arm.label.strip(), f"{where}.label", "required")
        need(
            arm.label not in labels, f"{where}.label", f"{arm.label!r} is also the label of arm {labels.get(arm.label)}"
        )
        labels.setdefault(arm.label, index)
        if interventional:
            need(arm.type, f"{where}.type", "required for an interventional study")
    references: dict[str, Intervention] = {}
    for index, item in enumerate(reg.interventions):
        where = f"armsInterventionsModule.interventions[{index}]"
        need(item.type, f"{where}.type", "required")
        need(item.name.strip(), f"{where}.name", "required")
        need(item.arm_reference not in references, f"{where}.name", f"{item.arm_reference!r} is registered twice")
        references.setdefault(item.arm_reference, item)
        for position, label in enumerate(item.arm_group_labels):
            need(label in labels, f"{where}.armGroupLabels[{position}]", f"no arm is labelled {label!r}")
        if reg.arm_groups:
            need(item.arm_group_labels, f"{where}.armGroupLabels", "the intervention is given in no arm")
    for index, arm in enumerate(reg.arm_groups):
        for position, name in enumerate(arm.intervention_names):
            where = f"armsInterventionsModule.armGroups[{index}].interventionNames[{position}]"
            named = references.get(name)
            need(named, where, f"no intervention {name!r} (interventions are named 'Type: name', e.g. 'Drug: X')")
            if named is not None:
                need(arm.label in named.arm_group_labels, where, f"{name!r} does not list the arm {arm.label!r}")
    for item in reg.interventions:
        for label in item.arm_group_labels:
            if label in labels:
                arm = reg.arm_groups[labels[label]]
                need(
                    item.arm_reference in arm.intervention_names,
                    f"armsInterventionsModule.armGroups[{labels[label]}].interventionNames",
                    f"{item.arm_reference!r} lists this arm but the arm does not name it",
                )


def _check_outcomes(reg: Registration, need: Any) -> None:
    need(reg.primary_outcomes, "outcomesModule.primaryOutcomes", "at least one primary outcome measure is required")
    for key, outcomes in (
        ("primaryOutcomes", reg.primary_outcomes),
        ("secondaryOutcomes", reg.secondary_outcomes),
        ("otherOutcomes", reg.other_outcomes),
    ):
        for index, outcome in enumerate(outcomes):
            need(outcome.measure.strip(), f"outcomesModule.{key}[{index}].measure", "required")
            need(outcome.time_frame.strip(), f"outcomesModule.{key}[{index}].timeFrame", "required")


def _check_eligibility(reg: Registration, need: Any) -> None:
    eligibility = reg.eligibility
    criteria = eligibility.criteria
    need(criteria.strip(), "eligibilityModule.eligibilityCriteria", "required")
    if criteria.strip():
        need(
            re.search(r"inclusion criteria", criteria, re.IGNORECASE),
            "eligibilityModule.eligibilityCriteria",
            'no "Inclusion Criteria:" heading',
        )
        need(
            re.search(r"exclusion criteria", criteria, re.IGNORECASE),
            "eligibilityModule.eligibilityCriteria",
            'no "Exclusion Criteria:" heading',
        )
    need(eligibility.sex, "eligibilityModule.sex", "required: ALL, FEMALE or MALE")
    if reg.design.study_type == StudyType.INTERVENTIONAL:
        need(eligibility.healthy_volunteers is not None, "eligibilityModule.healthyVolunteers", "required")
    ages = {}
    for key, age in (("minimumAge", eligibility.minimum_age), ("maximumAge", eligibility.maximum_age)):
        if age:
            ages[key] = age_in_years(age)
            need(
                ages[key] is not None,
                f"eligibilityModule.{key}",
                f"{age!r} is not a number and a unit (Years, Months, Weeks, Days, Hours, Minutes), e.g. '18 Years'",
            )
    low, high = ages.get("minimumAge"), ages.get("maximumAge")
    if low is not None and high is not None:
        need(low <= high, "eligibilityModule.maximumAge", f"below the minimum age {eligibility.minimum_age}")
    if reg.design.study_type == StudyType.OBSERVATIONAL:
        need(eligibility.study_population.strip(), "eligibilityModule.studyPopulation", "required (observational)")
        need(eligibility.sampling_method, "eligibilityModule.samplingMethod", "required (observational)")


def _check_locations(reg: Registration, need: Any) -> None:
    status = reg.overall_status
    for index, site in enumerate(reg.locations):
        where = f"contactsLocationsModule.locations[{index}]"
        need(site.facility.strip(), f"{where}.facility", "required")
        need(site.city.strip(), f"{where}.city", "required")
        need(site.country.strip(), f"{where}.country", "required")
        if site.status == RecruitmentStatus.RECRUITING and status != OverallStatus.UNKNOWN:  # UNKNOWN: set by CT.gov
            need(status == OverallStatus.RECRUITING, f"{where}.status", f"RECRUITING, but the study is {status}")
    if status in (OverallStatus.RECRUITING, OverallStatus.NOT_YET_RECRUITING):
        has_contact = reg.central_contacts or any(site.contacts for site in reg.locations)
        need(
            has_contact,
            "contactsLocationsModule.centralContacts",
            f"a {status} study needs a central contact or a contact at each facility",
        )
