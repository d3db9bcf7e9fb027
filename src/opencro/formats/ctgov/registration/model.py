"""The frozen dataclasses of a registration: `Registration` and the parts it is made of.

Enumerated fields accept the v2 names as strings and hold `StrEnum` members (`_coerce`); sequences become tuples.
The identifier patterns (NCT, EU CT and EudraCT numbers) are here because both the reader and the checks use them.
Reference: ClinicalTrials.gov API v2, "Study Data Structure" (protocolSection modules); PRS "Protocol
Registration Data Element Definitions" (what each element holds).
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from opencro.formats.ctgov.registration.ages import standard_ages
from opencro.formats.ctgov.registration.enums import (
    INTERVENTION_TYPE_LABELS,
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

DAY = "day"
MONTH = "month"
NCT_ID = re.compile(r"NCT\d{8}")
EU_CT_NUMBER = re.compile(r"\d{4}-5\d{5}-\d{2}-\d{2}")  # e.g. 2023-503688-39-00 (CTIS numbers start with 5)
EUDRACT_NUMBER = re.compile(r"\d{4}-\d{6}-\d{2}")  # e.g. 2015-001894-41


def _coerce(obj: Any, enums: dict[str, type[StrEnum]], tuples: Iterable[str] = ()) -> None:
    """Turn enum names given as strings into members and sequences into tuples; ValueError on a wrong name."""
    for name, enum in enums.items():
        value = getattr(obj, name)
        if isinstance(value, tuple | list):
            object.__setattr__(obj, name, tuple(_member(enum, item, obj, name) for item in value))
        elif value is not None and not isinstance(value, enum):
            object.__setattr__(obj, name, _member(enum, value, obj, name))
    for name in tuples:
        value = getattr(obj, name)
        if isinstance(value, str | bytes):
            raise TypeError(f"{type(obj).__name__}.{name} must be a sequence, not a single {type(value).__name__}")
        object.__setattr__(obj, name, tuple(value))


def _member(enum: type[StrEnum], value: Any, obj: Any, name: str) -> StrEnum:
    try:
        return enum(value)
    except ValueError:
        names = ", ".join(enum)
        raise ValueError(f"{type(obj).__name__}.{name}: {value!r} is not a {enum.__name__} ({names})") from None


@dataclass(frozen=True)
class StudyDate:
    """A registered date: the date, ACTUAL or ESTIMATED, and whether it was given to the day or only the month.

    A month date ("2024-03") is held as the first of the month with ``precision="month"``.
    """

    date: datetime.date
    type: DateType | None = None
    precision: str = DAY

    def __post_init__(self) -> None:
        _coerce(self, {"type": DateType})
        if self.precision not in (DAY, MONTH):
            raise ValueError(f"StudyDate.precision must be {DAY!r} or {MONTH!r}, not {self.precision!r}")
        if self.precision == MONTH and self.date.day != 1:
            raise ValueError(f"StudyDate: a month date is held as the first of the month, not {self.date}")

    @property
    def text(self) -> str:
        """The date as ClinicalTrials.gov writes it: "2024-03-15", or "2024-03" for a month."""
        return self.date.isoformat() if self.precision == DAY else self.date.isoformat()[:7]


@dataclass(frozen=True)
class SecondaryId:
    """A study identifier other than the protocol number and the NCT number (IND, EU CT number, grant...)."""

    id: str
    type: SecondaryIdType | None = None
    domain: str = ""  # who issued it, e.g. "FDA IND" or a funder
    link: str = ""

    def __post_init__(self) -> None:
        _coerce(self, {"type": SecondaryIdType})


@dataclass(frozen=True)
class Agency:
    """An organisation (or individual): the lead sponsor, a collaborator, the organisation of the record."""

    name: str
    agency_class: AgencyClass | None = None

    def __post_init__(self) -> None:
        _coerce(self, {"agency_class": AgencyClass})


@dataclass(frozen=True)
class ResponsibleParty:
    type: ResponsiblePartyType | None = None
    investigator_full_name: str = ""
    investigator_title: str = ""
    investigator_affiliation: str = ""

    def __post_init__(self) -> None:
        _coerce(self, {"type": ResponsiblePartyType})


@dataclass(frozen=True)
class Design:
    """The design module: study type, phases, allocation, model, purpose, masking, enrolment."""

    study_type: StudyType | None = None
    phases: tuple[Phase, ...] = ()
    allocation: Allocation | None = None
    intervention_model: InterventionModel | None = None
    intervention_model_description: str = ""
    primary_purpose: PrimaryPurpose | None = None
    observational_model: ObservationalModel | None = None
    time_perspective: TimePerspective | None = None
    masking: Masking | None = None
    masking_description: str = ""
    who_masked: tuple[WhoMasked, ...] = ()
    enrollment_count: int | None = None
    enrollment_type: EnrollmentType | None = None
    patient_registry: bool | None = None
    target_duration: str = ""  # observational, e.g. "12 Months"

    def __post_init__(self) -> None:
        _coerce(
            self,
            {
                "study_type": StudyType,
                "phases": Phase,
                "allocation": Allocation,
                "intervention_model": InterventionModel,
                "primary_purpose": PrimaryPurpose,
                "observational_model": ObservationalModel,
                "time_perspective": TimePerspective,
                "masking": Masking,
                "who_masked": WhoMasked,
                "enrollment_type": EnrollmentType,
            },
            ("phases", "who_masked"),
        )


@dataclass(frozen=True)
class ArmGroup:
    """An arm (interventional) or group/cohort (observational); interventions named "Drug: GET73"."""

    label: str
    type: ArmGroupType | None = None
    description: str = ""
    intervention_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _coerce(self, {"type": ArmGroupType}, ("intervention_names",))


@dataclass(frozen=True)
class Intervention:
    type: InterventionType | None
    name: str
    description: str = ""
    arm_group_labels: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _coerce(self, {"type": InterventionType}, ("arm_group_labels", "other_names"))

    @property
    def arm_reference(self) -> str:
        """How an arm group names this intervention: "Drug: GET73"."""
        label = INTERVENTION_TYPE_LABELS[self.type] if self.type else ""
        return f"{label}: {self.name}" if label else self.name


@dataclass(frozen=True)
class Outcome:
    measure: str
    description: str = ""
    time_frame: str = ""


@dataclass(frozen=True)
class Eligibility:
    """Eligibility; ages are written as ClinicalTrials.gov does ("18 Years", "6 Months"), "" for no limit."""

    criteria: str = ""
    sex: Sex | None = None
    minimum_age: str = ""
    maximum_age: str = ""
    healthy_volunteers: bool | None = None
    gender_based: bool | None = None
    gender_description: str = ""
    study_population: str = ""  # observational
    sampling_method: SamplingMethod | None = None  # observational

    def __post_init__(self) -> None:
        _coerce(self, {"sex": Sex, "sampling_method": SamplingMethod})

    @property
    def standard_ages(self) -> tuple[StandardAge, ...]:
        """The age groups ClinicalTrials.gov derives from the limits (child <18, adult 18-64, older adult 65+)."""
        return standard_ages(self.minimum_age, self.maximum_age)


@dataclass(frozen=True)
class Contact:
    name: str = ""
    role: ContactRole | None = None
    phone: str = ""
    phone_ext: str = ""
    email: str = ""

    def __post_init__(self) -> None:
        _coerce(self, {"role": ContactRole})


@dataclass(frozen=True)
class Official:
    """An overall official: the person responsible for the scientific leadership (study chair, director, PI)."""

    name: str
    affiliation: str = ""
    role: OfficialRole | None = None

    def __post_init__(self) -> None:
        _coerce(self, {"role": OfficialRole})


@dataclass(frozen=True)
class Location:
    facility: str
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""  # ClinicalTrials.gov country name, e.g. "United States", "Czechia"
    status: RecruitmentStatus | None = None
    contacts: tuple[Contact, ...] = ()

    def __post_init__(self) -> None:
        _coerce(self, {"status": RecruitmentStatus}, ("contacts",))


@dataclass(frozen=True)
class Registration:
    """A study as its sponsor registers it on ClinicalTrials.gov (the PRS protocol section).

    `org_study_id` is the sponsor's protocol number; `nct_id` is empty until ClinicalTrials.gov assigns one.
    `secondary_ids` carry the IND (type OTHER, domain "FDA IND"), the EU CT number (type CTIS), the EudraCT
    number, grant numbers. Enumerated fields accept the v2 names as strings and hold `StrEnum` members.
    """

    org_study_id: str
    brief_title: str
    official_title: str = ""
    acronym: str = ""
    nct_id: str = ""
    org_study_id_type: OrgStudyIdType | None = None
    org_study_id_link: str = ""
    organization: Agency | None = None
    secondary_ids: tuple[SecondaryId, ...] = ()
    # status
    overall_status: OverallStatus | None = None
    status_verified: StudyDate | None = None
    why_stopped: str = ""
    has_expanded_access: bool | None = None
    start: StudyDate | None = None
    primary_completion: StudyDate | None = None
    completion: StudyDate | None = None
    # sponsor and collaborators
    lead_sponsor: Agency | None = None
    collaborators: tuple[Agency, ...] = ()
    responsible_party: ResponsibleParty | None = None
    # conditions
    conditions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    # design, arms, outcomes, eligibility
    design: Design = Design()
    arm_groups: tuple[ArmGroup, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    primary_outcomes: tuple[Outcome, ...] = ()
    secondary_outcomes: tuple[Outcome, ...] = ()
    other_outcomes: tuple[Outcome, ...] = ()
    eligibility: Eligibility = Eligibility()
    # contacts and locations
    central_contacts: tuple[Contact, ...] = ()
    overall_officials: tuple[Official, ...] = ()
    locations: tuple[Location, ...] = ()

    def __post_init__(self) -> None:
        _coerce(
            self,
            {"overall_status": OverallStatus, "org_study_id_type": OrgStudyIdType},
            (
                "secondary_ids",
                "collaborators",
                "conditions",
                "keywords",
                "arm_groups",
                "interventions",
                "primary_outcomes",
                "secondary_outcomes",
                "other_outcomes",
                "central_contacts",
                "overall_officials",
                "locations",
            ),
        )

    def secondary_id(self, id_type: SecondaryIdType | str) -> str:
        """The first secondary id of a type ("" when none): ``reg.secondary_id("CTIS")`` is the EU CT number."""
        wanted = SecondaryIdType(id_type)
        return next((item.id for item in self.secondary_ids if item.type == wanted), "")
