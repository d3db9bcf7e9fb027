"""`registration_from_ctgov`: one API v2 study read into a `Registration`, every malformed field located.

Reference: ClinicalTrials.gov API v2, "Study Data Structure" (protocolSection modules, enumeration types).
"""

from typing import Any

from opencro.formats.ctgov.registration.ages import age_in_years
from opencro.formats.ctgov.registration.enums import (
    AgencyClass,
    Allocation,
    ArmGroupType,
    ContactRole,
    EnrollmentType,
    InterventionModel,
    InterventionType,
    Masking,
    ObservationalModel,
    OfficialRole,
    OrgStudyIdType,
    OverallStatus,
    Phase,
    PrimaryPurpose,
    RecruitmentStatus,
    ResponsiblePartyType,
    SamplingMethod,
    SecondaryIdType,
    Sex,
    StudyType,
    TimePerspective,
    WhoMasked,
)
from opencro.formats.ctgov.registration.json_at import At
from opencro.formats.ctgov.registration.model import (
    NCT_ID,
    Agency,
    ArmGroup,
    Contact,
    Design,
    Eligibility,
    Intervention,
    Location,
    Official,
    Outcome,
    Registration,
    ResponsibleParty,
    SecondaryId,
)
from opencro.formats.errors import FormatError, Problem


def registration_from_ctgov(doc: dict[str, Any]) -> Registration:
    """Read one API v2 study (a dict with ``protocolSection``) into a `Registration`.

    A search page holding exactly one study is accepted too. Wrong types, unknown enumeration names, malformed
    dates and a malformed NCT number raise `FormatError` with every problem located by JSON path; missing fields
    are not problems here (`validate_registration` says what a registration lacks).
    """
    problems: list[Problem] = []
    root = At(doc, "", problems)
    if isinstance(doc, dict) and "studies" in doc and "protocolSection" not in doc:
        studies = root.objects("studies")
        if len(studies) != 1:
            raise FormatError(Problem("studies", f"expected one study, found {len(studies)}"))
        root = studies[0]
    if not isinstance(root.value, dict):
        raise FormatError(Problem("top level", "not a ClinicalTrials.gov API v2 study: expected a JSON object"))
    if "protocolSection" not in root.value:
        hint = ": a classic API record, read it with opencro.formats.ctgov.read_trial" if _classic(root.value) else ""
        raise FormatError(Problem(root.path or "top level", f"not an API v2 study, no protocolSection{hint}"))
    protocol = root.obj("protocolSection")
    registration = _registration(protocol)
    if problems:
        raise FormatError(problems)
    return registration


def _classic(value: dict[str, Any]) -> bool:
    return "FullStudiesResponse" in value or "ProtocolSection" in value or "Study" in value


def _registration(protocol: "At") -> Registration:
    ident = protocol.obj("identificationModule")
    status = protocol.obj("statusModule")
    sponsors = protocol.obj("sponsorCollaboratorsModule")
    conditions = protocol.obj("conditionsModule")
    arms = protocol.obj("armsInterventionsModule")
    outcomes = protocol.obj("outcomesModule")
    contacts = protocol.obj("contactsLocationsModule")
    org_study = ident.obj("orgStudyIdInfo")
    nct_id = ident.text("nctId")
    if nct_id and not NCT_ID.fullmatch(nct_id):
        ident.child("nctId").problem(f"not an NCT number (NCT and 8 digits): {nct_id!r}")
    party = sponsors.obj("responsibleParty")
    return Registration(
        org_study_id=org_study.text("id"),
        org_study_id_type=org_study.enum("type", OrgStudyIdType),
        org_study_id_link=org_study.text("link"),
        brief_title=ident.text("briefTitle"),
        official_title=ident.text("officialTitle"),
        acronym=ident.text("acronym"),
        nct_id=nct_id,
        organization=_read_agency(ident.obj("organization"), "fullName"),
        secondary_ids=tuple(
            SecondaryId(
                id=item.text("id"),
                type=item.enum("type", SecondaryIdType),
                domain=item.text("domain"),
                link=item.text("link"),
            )
            for item in ident.objects("secondaryIdInfos")
        ),
        overall_status=status.enum("overallStatus", OverallStatus),
        status_verified=status.date("statusVerifiedDate"),
        why_stopped=status.text("whyStopped"),
        has_expanded_access=status.obj("expandedAccessInfo").flag("hasExpandedAccess"),
        start=status.date_struct("startDateStruct"),
        primary_completion=status.date_struct("primaryCompletionDateStruct"),
        completion=status.date_struct("completionDateStruct"),
        lead_sponsor=_read_agency(sponsors.obj("leadSponsor"), "name"),
        collaborators=tuple(
            agency for item in sponsors.objects("collaborators") if (agency := _read_agency(item, "name"))
        ),
        responsible_party=ResponsibleParty(
            type=party.enum("type", ResponsiblePartyType),
            investigator_full_name=party.text("investigatorFullName"),
            investigator_title=party.text("investigatorTitle"),
            investigator_affiliation=party.text("investigatorAffiliation"),
        )
        if party.value
        else None,
        conditions=conditions.texts("conditions"),
        keywords=conditions.texts("keywords"),
        design=_read_design(protocol.obj("designModule")),
        arm_groups=tuple(
            ArmGroup(
                label=item.text("label"),
                type=item.enum("type", ArmGroupType),
                description=item.text("description"),
                intervention_names=item.texts("interventionNames"),
            )
            for item in arms.objects("armGroups")
        ),
        interventions=tuple(
            Intervention(
                type=item.enum("type", InterventionType),
                name=item.text("name"),
                description=item.text("description"),
                arm_group_labels=item.texts("armGroupLabels"),
                other_names=item.texts("otherNames"),
            )
            for item in arms.objects("interventions")
        ),
        primary_outcomes=_read_outcomes(outcomes, "primaryOutcomes"),
        secondary_outcomes=_read_outcomes(outcomes, "secondaryOutcomes"),
        other_outcomes=_read_outcomes(outcomes, "otherOutcomes"),
        eligibility=_read_eligibility(protocol.obj("eligibilityModule")),
        central_contacts=tuple(_read_contact(item) for item in contacts.objects("centralContacts")),
        overall_officials=tuple(
            Official(name=item.text("name"), affiliation=item.text("affiliation"), role=item.enum("role", OfficialRole))
            for item in contacts.objects("overallOfficials")
        ),
        locations=tuple(
            Location(
                facility=item.text("facility"),
                city=item.text("city"),
                state=item.text("state"),
                zip=item.text("zip"),
                country=item.text("country"),
                status=item.enum("status", RecruitmentStatus),
                contacts=tuple(_read_contact(contact) for contact in item.objects("contacts")),
            )
            for item in contacts.objects("locations")
        ),
    )


def _read_agency(node: "At", name_key: str) -> Agency | None:
    if not node.value:
        return None
    return Agency(name=node.text(name_key), agency_class=node.enum("class", AgencyClass))


def _read_design(design: "At") -> Design:
    info = design.obj("designInfo")
    masking = info.obj("maskingInfo")
    enrollment = design.obj("enrollmentInfo")
    return Design(
        study_type=design.enum("studyType", StudyType),
        phases=design.enums("phases", Phase),
        allocation=info.enum("allocation", Allocation),
        intervention_model=info.enum("interventionModel", InterventionModel),
        intervention_model_description=info.text("interventionModelDescription"),
        primary_purpose=info.enum("primaryPurpose", PrimaryPurpose),
        observational_model=info.enum("observationalModel", ObservationalModel),
        time_perspective=info.enum("timePerspective", TimePerspective),
        masking=masking.enum("masking", Masking),
        masking_description=masking.text("maskingDescription"),
        who_masked=masking.enums("whoMasked", WhoMasked),
        enrollment_count=enrollment.count("count"),
        enrollment_type=enrollment.enum("type", EnrollmentType),
        patient_registry=design.flag("patientRegistry"),
        target_duration=design.text("targetDuration"),
    )


def _read_outcomes(outcomes: "At", key: str) -> tuple[Outcome, ...]:
    return tuple(
        Outcome(measure=item.text("measure"), description=item.text("description"), time_frame=item.text("timeFrame"))
        for item in outcomes.objects(key)
    )


def _read_eligibility(module: "At") -> Eligibility:
    for key in ("minimumAge", "maximumAge"):
        age = module.text(key)
        if age and age_in_years(age) is None:
            module.child(key).problem(f'not an age as ClinicalTrials.gov writes it ("18 Years"): {age!r}')
    return Eligibility(
        criteria=module.text("eligibilityCriteria"),
        sex=module.enum("sex", Sex),
        minimum_age=module.text("minimumAge"),
        maximum_age=module.text("maximumAge"),
        healthy_volunteers=module.flag("healthyVolunteers"),
        gender_based=module.flag("genderBased"),
        gender_description=module.text("genderDescription"),
        study_population=module.text("studyPopulation"),
        sampling_method=module.enum("samplingMethod", SamplingMethod),
    )


def _read_contact(node: "At") -> Contact:
    return Contact(
        name=node.text("name"),
        role=node.enum("role", ContactRole),
        phone=node.text("phone"),
        phone_ext=node.text("phoneExt"),
        email=node.text("email"),
    )
