"""The public information of a trial under the EU Clinical Trials Regulation, prepared from its registration.

CTIS (the Clinical Trials Information System, Regulation (EU) No 536/2014 Art. 80-81) publishes on
https://euclinicaltrials.eu the structured data of Part I of the application (Annex I, sections B and D:
identifiers, medical condition, objectives, principal inclusion and exclusion criteria, end points, trial duration,
population, products), the sponsor, and from each Part II the member state concerned with its planned number of
participants. Under the EMA "Revised CTIS transparency rules" (adopted by the EMA Management Board on 5 October
2023, applied from 18 June 2024) these structured data fields are published when the trial is decided, with no
deferral. CTIS has no public import format: a sponsor enters Part I in the CTIS sponsor workspace form by form.
So `eu_public_information` is a structured export for the regulatory specialist to enter the application from,
and to check against the ClinicalTrials.gov record afterwards, so that the two registries say the same thing.

The document (`DOCUMENT_TYPE` names its version) has these sections, each field named after the CTIS field it
fills; `CTIS_FIELDS` gives, for most, where the CTIS public record (as euclinicaltrials.eu serves it) holds it:

- ``euCtNumber``: the EU CT number (secondary id of type CTIS), "" until CTIS assigns it.
- ``trialIdentifiers``: ``fullTitle`` (official title), ``publicTitle`` (brief title, the lay title),
  ``shortTitle`` (acronym), ``sponsorProtocolCode`` (protocol number), ``otherIdentifiers`` (NCT number, EudraCT
  and other secondary ids, each with the registry or issuer).
- ``sponsor``: ``name`` of the lead sponsor, ``collaborators`` (organisations supporting the trial; CTIS asks for
  co-sponsors and sources of monetary support apart, the specialist sorts them).
- ``trialInformation``: ``trialCategory.trialPhase`` (see `CTIS_PHASES`); ``medicalConditions`` (the registered
  conditions; CTIS codes them in MedDRA as well, which a licensed coder adds); ``therapeuticAreas`` (given by the
  caller, CTIS picks them from the MeSH disease categories); ``trialObjective`` (``mainObjective``,
  ``secondaryObjectives``, given by the caller: ClinicalTrials.gov has no objective field);
  ``eligibilityCriteria`` (``principalInclusionCriteria`` and ``principalExclusionCriteria``, numbered, split from
  the registered criteria text); ``endPoint`` (``primaryEndPoints`` and ``secondaryEndPoints``, numbered, each the
  registered measure with its description and time frame); ``trialDuration`` (recruitment start and global end of
  trial, with their ACTUAL/ESTIMATED type); ``populationOfTrialSubjects`` (``ageRanges`` among CTIS's top-level
  age categories, ``isFemaleSubjects``, ``isMaleSubjects``, ``healthyVolunteers``).
- ``memberStatesConcerned``: one entry per member state with its ISO code, name and ``plannedParticipants``;
  ``plannedParticipantsEEA`` their sum and ``plannedParticipantsOutsideEEA`` the registered enrolment less it.
- ``products``: the medicinal-product interventions (drug, biological, genetic, combination product, or a
  placebo), each with ``productName``, ``otherNames`` and a proposed ``role`` (Test, Comparator, Placebo) read off
  the types of the arms that receive it.
- ``source``: the ClinicalTrials.gov record this came from (NCT number, protocol number).
- ``toComplete``: paths of the fields this export could not fill, for the specialist to supply.

References: Regulation (EU) No 536/2014, Art. 81 (EU database, public accessibility) and Annex I (application
dossier); EMA, "Revised CTIS transparency rules" (2023) and the CTIS public portal's trial record; EudraCT protocol
form sections D.1 (IMP role: test or comparator), D.7 (placebo) and E.7 (trial phase names).
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any

from opencro.formats.ctgov.registration import (
    ArmGroupType,
    InterventionType,
    Outcome,
    Phase,
    Registration,
    SecondaryIdType,
    Sex,
    StudyDate,
    age_in_years,
)
from opencro.formats.errors import FormatError, Problem
from opencro.formats.euctr.member_states import EEA_MEMBER_STATES, member_state_code

DOCUMENT_TYPE = "opencro/eu-ctr-public-information/1"

# Where the CTIS public record holds each field of the document, as the portal's JSON trial record names it.
# EMA publishes no schema of that record: the paths are those open-source readers of it use. The therapeutic
# areas have none here, for want of a source. PART_I abbreviates "authorizedApplication.authorizedPartI".
PART_I = "authorizedApplication.authorizedPartI"
_INFO = f"{PART_I}.trialDetails.trialInformation"
CTIS_FIELDS = {
    "euCtNumber": "ctNumber",
    "trialIdentifiers.fullTitle": f"{PART_I}.trialDetails.clinicalTrialIdentifiers.fullTitle",
    "trialIdentifiers.publicTitle": f"{PART_I}.trialDetails.clinicalTrialIdentifiers.publicTitle",
    "trialIdentifiers.shortTitle": f"{PART_I}.trialDetails.clinicalTrialIdentifiers.shortTitle",
    "sponsor.name": f"{PART_I}.sponsors[].publicContacts[].organisation.name",
    "trialInformation.trialCategory.trialPhase": f"{_INFO}.trialCategory.trialPhase",
    "trialInformation.medicalConditions": f"{_INFO}.medicalCondition.partIMedicalConditions[].medicalCondition",
    "trialInformation.trialObjective.mainObjective": f"{_INFO}.trialObjective.mainObjective",
    "trialInformation.trialObjective.secondaryObjectives": f"{_INFO}.trialObjective.secondaryObjectives[]",
    "trialInformation.eligibilityCriteria.principalInclusionCriteria": (
        f"{_INFO}.eligibilityCriteria.principalInclusionCriteria[]"
    ),
    "trialInformation.eligibilityCriteria.principalExclusionCriteria": (
        f"{_INFO}.eligibilityCriteria.principalExclusionCriteria[]"
    ),
    "trialInformation.endPoint.primaryEndPoints": f"{_INFO}.endPoint.primaryEndPoints[]",
    "trialInformation.endPoint.secondaryEndPoints": f"{_INFO}.endPoint.secondaryEndPoints[]",
    "trialInformation.trialDuration.recruitmentStartDate": f"{_INFO}.trialDuration.estimatedRecruitmentStartDate",
    "trialInformation.trialDuration.globalEndOfTrialDate": f"{_INFO}.trialDuration.estimatedEndDate",
    **{
        f"trialInformation.populationOfTrialSubjects.{key}": f"{_INFO}.populationOfTrialSubjects.{key}"
        for key in ("ageRanges[]", "isFemaleSubjects", "isMaleSubjects")
    },
    "memberStatesConcerned[].plannedParticipants": "authorizedApplication.authorizedPartsII[].recruitmentSubjectCount",
    "plannedParticipantsOutsideEEA": f"{PART_I}.rowSubjectCount",
    "products[].productName": f"{PART_I}.products[].productName",
}

# ClinicalTrials.gov phases -> the trial phase, named as the EudraCT form (E.7.1-E.7.4) and CTIS name them; the
# integrated phases are CTIS's. CTIS splits Phase I (first administration to humans, bioequivalence, other),
# which a registration cannot tell: the specialist picks the sub-category.
CTIS_PHASES = {
    frozenset({Phase.EARLY_PHASE1}): "Human pharmacology (Phase I)",
    frozenset({Phase.PHASE1}): "Human pharmacology (Phase I)",
    frozenset({Phase.PHASE2}): "Therapeutic exploratory (Phase II)",
    frozenset({Phase.PHASE3}): "Therapeutic confirmatory (Phase III)",
    frozenset({Phase.PHASE4}): "Therapeutic use (Phase IV)",
    frozenset({Phase.PHASE1, Phase.PHASE2}): "Phase I and Phase II (Integrated)",
    frozenset({Phase.PHASE2, Phase.PHASE3}): "Phase II and Phase III (Integrated)",
}
# CTIS's top-level age range categories of the trial population.
AGE_RANGES = (("0-17 years", 0.0, 18.0), ("18-64 years", 18.0, 65.0), ("65+ years", 65.0, None))
# Interventions that are medicinal products in the sense of Directive 2001/83/EC (the Regulation's scope).
MEDICINAL = {
    InterventionType.DRUG,
    InterventionType.BIOLOGICAL,
    InterventionType.GENETIC,
    InterventionType.COMBINATION_PRODUCT,
}
ROLE_BY_ARM = (
    (ArmGroupType.EXPERIMENTAL, "Test"),
    (ArmGroupType.ACTIVE_COMPARATOR, "Comparator"),
    (ArmGroupType.PLACEBO_COMPARATOR, "Placebo"),
)
ISSUERS = {
    SecondaryIdType.EUDRACT_NUMBER: "EudraCT",
    SecondaryIdType.REGISTRY: "Registry",
    SecondaryIdType.NIH: "NIH grant",
    SecondaryIdType.OTHER_GRANT: "Grant",
}


def eu_public_information(
    reg: Registration,
    *,
    member_states: Mapping[str, int],
    main_objective: str = "",
    secondary_objectives: Sequence[str] = (),
    therapeutic_areas: Sequence[str] = (),
) -> dict[str, Any]:
    """The trial's EU public information as a JSON-ready dict (see the module docstring for its sections).

    `member_states` maps each member state concerned (ISO code such as "DE", or English name) to the number of
    participants planned there. FormatError, with every problem located, when a key is not an EU/EEA member
    state, a number is not a whole number > 0, no member state is given, or the planned numbers add up to more
    than the registered enrolment.
    """
    states = _member_states(member_states, reg)
    to_complete: list[str] = []
    eu_ct_number = reg.secondary_id(SecondaryIdType.CTIS)
    if not eu_ct_number:
        to_complete.append("euCtNumber")
    phase = CTIS_PHASES.get(frozenset(reg.design.phases), "")
    if not phase:
        to_complete.append("trialInformation.trialCategory.trialPhase")
    if not therapeutic_areas:
        to_complete.append("trialInformation.therapeuticAreas")
    if not main_objective.strip():
        to_complete.append("trialInformation.trialObjective.mainObjective")
    inclusion, exclusion = split_criteria(reg.eligibility.criteria)
    if not inclusion:
        to_complete.append("trialInformation.eligibilityCriteria.principalInclusionCriteria")
    if not exclusion:
        to_complete.append("trialInformation.eligibilityCriteria.principalExclusionCriteria")
    products = _products(reg)
    to_complete.extend(f"products[{index}].role" for index, product in enumerate(products) if not product["role"])
    planned_eea = sum(state["plannedParticipants"] for state in states)
    count = reg.design.enrollment_count
    return {
        "documentType": DOCUMENT_TYPE,
        "euCtNumber": eu_ct_number,
        "trialIdentifiers": {
            "fullTitle": reg.official_title,
            "publicTitle": reg.brief_title,
            "shortTitle": reg.acronym,
            "sponsorProtocolCode": reg.org_study_id,
            "otherIdentifiers": _other_identifiers(reg),
        },
        "sponsor": {
            "name": reg.lead_sponsor.name if reg.lead_sponsor else "",
            "collaborators": [agency.name for agency in reg.collaborators],
        },
        "trialInformation": {
            "trialCategory": {"trialPhase": phase, "registeredPhases": [str(p) for p in reg.design.phases]},
            "medicalConditions": list(reg.conditions),
            "therapeuticAreas": list(therapeutic_areas),
            "trialObjective": {
                "mainObjective": main_objective,
                "secondaryObjectives": _numbered(secondary_objectives, "secondaryObjective"),
            },
            "eligibilityCriteria": {
                "principalInclusionCriteria": _numbered(inclusion, "principalInclusionCriteria"),
                "principalExclusionCriteria": _numbered(exclusion, "principalExclusionCriteria"),
            },
            "endPoint": {
                "primaryEndPoints": _end_points(reg.primary_outcomes),
                "secondaryEndPoints": _end_points(reg.secondary_outcomes),
            },
            "trialDuration": {
                "recruitmentStartDate": _date(reg.start),
                "primaryCompletionDate": _date(reg.primary_completion),
                "globalEndOfTrialDate": _date(reg.completion),
            },
            "populationOfTrialSubjects": _population(reg),
        },
        "memberStatesConcerned": states,
        "plannedParticipantsEEA": planned_eea,
        "plannedParticipantsOutsideEEA": count - planned_eea if count is not None else None,
        "products": products,
        "source": {"registry": "ClinicalTrials.gov", "nctId": reg.nct_id, "orgStudyId": reg.org_study_id},
        "toComplete": to_complete,
    }


def _member_states(member_states: Mapping[str, int], reg: Registration) -> list[dict[str, Any]]:
    problems: list[Problem] = []
    states: dict[str, dict[str, Any]] = {}
    for key, planned in member_states.items():
        where = f"member_states[{key!r}]"
        code = member_state_code(key) if isinstance(key, str) else ""
        if not code:
            problems.append(Problem(where, "not an EU/EEA member state (ISO code such as 'DE', or English name)"))
            continue
        if code in states:
            problems.append(Problem(where, f"{EEA_MEMBER_STATES[code]} is given twice"))
            continue
        if isinstance(planned, bool) or not isinstance(planned, int) or planned <= 0:
            problems.append(Problem(where, f"planned participants must be a whole number > 0, not {planned!r}"))
            continue
        states[code] = {"code": code, "name": EEA_MEMBER_STATES[code], "plannedParticipants": planned}
    if not member_states:
        problems.append(Problem("member_states", "no member state concerned: a CTR application names at least one"))
    total = sum(state["plannedParticipants"] for state in states.values())
    count = reg.design.enrollment_count
    if not problems and count is not None and total > count:
        problems.append(
            Problem(
                "member_states", f"{total} participants planned in the member states, more than the {count} enrolled"
            )
        )
    if problems:
        raise FormatError(problems)
    return list(states.values())


def _other_identifiers(reg: Registration) -> list[dict[str, str]]:
    found = [{"identifier": reg.nct_id, "issuer": "ClinicalTrials.gov"}] if reg.nct_id else []
    for secondary in reg.secondary_ids:
        if secondary.type == SecondaryIdType.CTIS:
            continue
        issuer = secondary.domain or (ISSUERS.get(secondary.type, str(secondary.type)) if secondary.type else "")
        found.append({"identifier": secondary.id, "issuer": issuer})
    return found


def _numbered(items: Sequence[str], key: str) -> list[dict[str, Any]]:
    return [{"number": number, key: text} for number, text in enumerate(items, start=1)]


def _end_points(outcomes: Sequence[Outcome]) -> list[dict[str, Any]]:
    return [
        {
            "number": number,
            "endPoint": _unescape(outcome.measure),
            "description": _unescape(outcome.description),
            "timeFrame": _unescape(outcome.time_frame),
        }
        for number, outcome in enumerate(outcomes, start=1)
    ]


def _date(value: StudyDate | None) -> dict[str, str] | None:
    if value is None:
        return None
    return {"date": value.text, "type": str(value.type) if value.type else ""}


def _population(reg: Registration) -> dict[str, Any]:
    eligibility = reg.eligibility
    low = age_in_years(eligibility.minimum_age) if eligibility.minimum_age else 0.0
    high = age_in_years(eligibility.maximum_age) if eligibility.maximum_age else None
    ranges = []
    if low is not None and not (eligibility.maximum_age and high is None):
        for name, start, end in AGE_RANGES:
            # The range [start, end) overlaps the eligible ages [low, high].
            if (end is None or low < end) and (high is None or high >= start):
                ranges.append(name)
    sex = eligibility.sex
    return {
        "ageRanges": ranges,
        "minimumAge": eligibility.minimum_age,
        "maximumAge": eligibility.maximum_age,
        "isFemaleSubjects": sex in (Sex.ALL, Sex.FEMALE) if sex else None,
        "isMaleSubjects": sex in (Sex.ALL, Sex.MALE) if sex else None,
        "healthyVolunteers": eligibility.healthy_volunteers,
    }


def _products(reg: Registration) -> list[dict[str, Any]]:
    arm_types = {arm.label: arm.type for arm in reg.arm_groups}
    products = []
    for item in reg.interventions:
        placebo = "placebo" in item.name.casefold()
        if item.type not in MEDICINAL and not placebo:
            continue
        types = {arm_types.get(label) for label in item.arm_group_labels}
        role = "Placebo" if placebo else next((name for arm, name in ROLE_BY_ARM if arm in types), "")
        products.append(
            {
                "productName": item.name,
                "otherNames": list(item.other_names),
                "interventionType": str(item.type) if item.type else "",
                "role": role,
                "arms": list(item.arm_group_labels),
            }
        )
    return products


# -- the criteria text -------------------------------------------------------------------------------------------

_HEADING = re.compile(
    r"\s*(?:key\s+|main\s+|principal\s+)?(inclusion|exclusion|eligibility)\s+criteria(?:\s*:|\s+[^:\n]{0,80}:)?\s*",
    re.IGNORECASE,
)
_BULLET = re.compile(r"(\s*)(?:[*\-\u2022\u25cf]|\d{1,3}[.)]|[a-zA-Z][.)])\s+(.*)")
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>~|=])")


def split_criteria(text: str) -> tuple[list[str], list[str]]:
    """The inclusion and the exclusion criteria of a ClinicalTrials.gov criteria text, one string per criterion.

    Sections start at an "Inclusion Criteria:" or "Exclusion Criteria:" heading (also "Key ...", any case);
    text before any heading, or under "Eligibility criteria:", counts as inclusion. Each bullet ("*", "-", "1.",
    "a)") starts a criterion; an indented bullet is a sub-item kept with its parent on a new line; an indented
    line that is not a bullet continues the criterion above it (unless a blank line came first), any other line
    is a criterion of its own. ClinicalTrials.gov's
    Markdown escapes (``\\>=``) are removed.
    """
    sections: dict[str, list[str]] = {"inclusion": [], "exclusion": []}
    section = "inclusion"
    open_item = False
    for raw in text.splitlines():
        line = _unescape(raw.rstrip())
        if not line.strip():
            open_item = False
            continue
        heading = _HEADING.fullmatch(line)
        if heading:
            section = "exclusion" if heading.group(1).lower() == "exclusion" else "inclusion"
            open_item = False
            continue
        items = sections[section]
        bullet = _BULLET.fullmatch(line)
        if bullet:
            indented = len(bullet.group(1).expandtabs(4)) >= 2
            if indented and items:
                items[-1] += "\n- " + bullet.group(2).strip()
            else:
                items.append(bullet.group(2).strip())
            open_item = True
        elif open_item and items and line[:1].isspace():
            items[-1] += " " + line.strip()
        else:
            items.append(line.strip())
            open_item = True
    return sections["inclusion"], sections["exclusion"]


def _unescape(text: str) -> str:
    return _MARKDOWN_ESCAPE.sub(r"\1", text)
