"""What a sponsor registers on ClinicalTrials.gov from its protocol, written and read as API v2 study JSON.

`Registration` holds the protocol-section data a sponsor enters in the PRS (Protocol Registration and Results
System): identification, status and dates, sponsor and collaborators, conditions, design, arms and interventions,
outcome measures, eligibility, contacts and locations. `registration_to_ctgov` writes it in the shape the
ClinicalTrials.gov API v2 publishes a study (``{"protocolSection": {"identificationModule": ...}}``) with the v2
enumeration names (``PHASE3``, ``RANDOMIZED``, ``DOUBLE`` ...); `registration_from_ctgov` reads such a study back,
rejecting a malformed one with `FormatError` whose problems are located by JSON path
(``protocolSection.designModule.phases[1]``). `validate_registration` lists what ClinicalTrials.gov would refuse
or query: missing required data elements, no primary outcome, interventions naming arms that do not exist, ages
not written "18 Years", dates out of order or of the wrong type for the status.

What is not covered: fields ClinicalTrials.gov assigns or derives itself (submission and posting dates,
``lastKnownStatus``, locations' ``geoPoint``, the ``derivedSection``), the description, oversight, references,
IPD-sharing and results modules. `registered_fields` projects a published study onto exactly the fields covered,
so a record read and written again can be compared with the original. ``stdAges`` is derived by
ClinicalTrials.gov from the age limits; the writer derives it the same way so that the comparison holds.

Modules: `enums` (v2 enumeration types), `model` (the dataclasses), `ages` (ages and standard age groups),
`writer` (`registration_to_ctgov`), `fields` (`registered_fields`), `json_at` and `reader`
(`registration_from_ctgov`), `validation` (`validate_registration`).

References: ClinicalTrials.gov API v2, "Study Data Structure" (https://clinicaltrials.gov/data-api/about-api/
study-data-structure) and its enumeration types (Status, Phase, StudyType, DesignAllocation,
InterventionalAssignment, PrimaryPurpose, DesignMasking, WhoMasked, ArmGroupType, InterventionType, Sex,
StandardAge, AgencyClass, SecondaryIdType, DateType, EnrollmentType, RecruitmentStatus, ContactRole, OfficialRole);
ClinicalTrials.gov "Protocol Registration Data Element Definitions for Interventional and Observational Studies"
(the required elements, character limits, age and date rules checked by `validate_registration`);
42 CFR Part 11 (FDAAA 801 Final Rule), §11.28 (clinical trial registration information).
"""

from opencro.formats.ctgov.registration.ages import AGE as AGE
from opencro.formats.ctgov.registration.ages import AGE_UNIT_YEARS as AGE_UNIT_YEARS
from opencro.formats.ctgov.registration.ages import age_in_years
from opencro.formats.ctgov.registration.enums import INTERVENTION_TYPE_LABELS as INTERVENTION_TYPE_LABELS
from opencro.formats.ctgov.registration.enums import (
    AgencyClass,
    Allocation,
    ArmGroupType,
    ContactRole,
    DateType,
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
    StandardAge,
    StudyType,
    TimePerspective,
    WhoMasked,
)
from opencro.formats.ctgov.registration.fields import COVERED as COVERED
from opencro.formats.ctgov.registration.fields import registered_fields
from opencro.formats.ctgov.registration.model import DAY as DAY
from opencro.formats.ctgov.registration.model import EU_CT_NUMBER as EU_CT_NUMBER
from opencro.formats.ctgov.registration.model import EUDRACT_NUMBER as EUDRACT_NUMBER
from opencro.formats.ctgov.registration.model import MONTH as MONTH
from opencro.formats.ctgov.registration.model import NCT_ID as NCT_ID
from opencro.formats.ctgov.registration.model import (
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
    StudyDate,
)
from opencro.formats.ctgov.registration.reader import registration_from_ctgov
from opencro.formats.ctgov.registration.validation import LIMITS as LIMITS
from opencro.formats.ctgov.registration.validation import MASKED_ROLES as MASKED_ROLES
from opencro.formats.ctgov.registration.validation import PHASE_PAIRS as PHASE_PAIRS
from opencro.formats.ctgov.registration.validation import STOPPED as STOPPED
from opencro.formats.ctgov.registration.validation import validate_registration
from opencro.formats.ctgov.registration.writer import registration_to_ctgov

__all__ = [
    "Agency",
    "AgencyClass",
    "Allocation",
    "ArmGroup",
    "ArmGroupType",
    "Contact",
    "ContactRole",
    "DateType",
    "Design",
    "Eligibility",
    "EnrollmentType",
    "Intervention",
    "InterventionModel",
    "InterventionType",
    "Location",
    "Masking",
    "ObservationalModel",
    "Official",
    "OfficialRole",
    "OrgStudyIdType",
    "Outcome",
    "OverallStatus",
    "Phase",
    "PrimaryPurpose",
    "RecruitmentStatus",
    "Registration",
    "ResponsibleParty",
    "ResponsiblePartyType",
    "SamplingMethod",
    "SecondaryId",
    "SecondaryIdType",
    "Sex",
    "StandardAge",
    "StudyDate",
    "StudyType",
    "TimePerspective",
    "WhoMasked",
    "age_in_years",
    "registered_fields",
    "registration_from_ctgov",
    "registration_to_ctgov",
    "validate_registration",
]
