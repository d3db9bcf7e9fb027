"""A study as its sponsor registers it: the protocol's data mapped to a ClinicalTrials.gov `Registration` and to
the EU CTR public information, from a read snapshot (`StudySnapshot`) so the mapping is a pure function.

What the protocol holds is filled; what it does not hold is entered once as the study's registration details
(`RegistrationDetails`, read here as `DetailsRow`): primary purpose, masked roles, intervention model, sex, healthy
volunteers, primary completion and study completion dates, central contacts, the overall official, and a study
stopped early. Whatever is still empty, `validate_registration` lists for the user to complete (in OpenCRO or in
the PRS). The rules, after the PRS "Protocol Registration Data Element Definitions for Interventional and
Observational Studies" and 42 CFR 11.28:

- identification: the protocol number is the organisation's study id, the short title the brief title, the title
  the official title; the EU CT number is a secondary id of type CTIS. The IND number is not exported: the PRS
  takes it in the oversight section, which ClinicalTrials.gov does not publish.
- status: planning and start-up are NOT_YET_RECRUITING, enrolling RECRUITING, follow-up ACTIVE_NOT_RECRUITING,
  closed COMPLETED; a study stopped early (details: SUSPENDED, TERMINATED or WITHDRAWN, data element "Overall
  Recruitment Status") has that status instead, with its "Why Study Stopped". The start date is the first
  enrolment, ACTUAL (data element "Study Start Date": the date the first participant was enrolled). "Primary
  Completion Date" and "Study Completion Date" are the details' dates, each ACTUAL or ESTIMATED (the PRS's
  "anticipated"). The status is verified in the month of `as_of`.
- sponsor: the study's sponsor is lead sponsor and the responsible party (42 CFR 11.4(c): the sponsor is the
  responsible party unless it designates a principal investigator).
- design: every OpenCRO study is interventional; phases from the study's phase; a randomisation scheme makes the
  allocation RANDOMIZED, one arm NA. "Interventional Study Model" is the details' model, else SINGLE_GROUP for
  one arm; "Primary Purpose" is the details'. "Masking": an unblinded scheme is NONE (open label) and names no
  role; otherwise the details' masked roles give the level by their count (one SINGLE ... four QUADRUPLE). Enrolment
  is ACTUAL (subjects enrolled) once the study is in follow-up, closed, terminated or withdrawn, otherwise
  ESTIMATED: the sum of the sites' target enrolment.
- arms and interventions: each arm by its name and type; each investigational product, active comparator and
  placebo of the study (the safety products; auxiliary products are not registered) is a DRUG intervention given
  in the experimental, active-comparator and placebo arms respectively.
- outcomes: endpoints by level (primary, secondary, exploratory as "other"), the description as the measure.
- eligibility: the criteria text under "Inclusion Criteria:" and "Exclusion Criteria:" headings; the age limits
  from inclusion criteria whose computable expression bounds `age` ("age >= 18 and age <= 85": 18 to 85 Years);
  "Sex/Gender" and "Accepts Healthy Volunteers" from the details.
- contacts: "Central Contact Person" and "Central Contact Backup" (role CONTACT, with phone and email) and the
  "Overall Study Official" (name, affiliation, role) from the details.
- locations: sites past "planned" (a site not yet selected is not published), with their principal investigator
  as contact; a site's status follows its own and the study's (every site of a stopped study has its status).

EU CTR: `eu_document` calls `opencro.formats.euctr.eu_public_information` with the study's EU/EEA countries and
the target enrolment of their sites as the planned participants, the primary objectives as main objective, the
secondary ones, and the therapeutic area (sex, healthy volunteers and the completion dates come with the
registration).
"""

import copy
import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from opencro.formats.ctgov.registration import (
    Agency,
    Allocation,
    ArmGroup,
    ArmGroupType,
    Contact,
    ContactRole,
    DateType,
    Design,
    Eligibility,
    EnrollmentType,
    Intervention,
    InterventionModel,
    InterventionType,
    Location,
    Masking,
    Official,
    Outcome,
    OverallStatus,
    Phase,
    RecruitmentStatus,
    Registration,
    ResponsibleParty,
    ResponsiblePartyType,
    SecondaryId,
    SecondaryIdType,
    StudyDate,
    StudyType,
    WhoMasked,
    registration_to_ctgov,
    validate_registration,
)
from opencro.formats.ctgov.registration.model import MONTH
from opencro.formats.ctgov.registration.validation import MASKED_ROLES
from opencro.formats.ctgov.sites import country_name, fold
from opencro.formats.errors import FormatError, Problem
from opencro.formats.euctr import eu_public_information, member_state_code


@dataclass(frozen=True)
class ArmRow:
    code: str
    name: str
    type: str  # studies.ArmType value
    description: str = ""


@dataclass(frozen=True)
class ProductRow:
    name: str
    kind: str  # safety.ProductKind value
    active_ingredient: str = ""


@dataclass(frozen=True)
class ObjectiveRow:
    level: str  # studies.ObjectiveLevel value
    description: str


@dataclass(frozen=True)
class EndpointRow:
    level: str
    description: str
    timeframe: str = ""


@dataclass(frozen=True)
class CriterionRow:
    kind: str  # inclusion / exclusion
    number: int
    text: str
    expression: str = ""


@dataclass(frozen=True)
class SiteRow:
    institution: str
    city: str
    country_code: str  # ISO 3166-1 alpha-2
    status: str  # studies.SiteStatus value
    principal_investigator: str = ""
    target_enrolment: int = 0
    id: int | None = None  # the site's primary key, to show a site-restricted reader only their sites


@dataclass(frozen=True)
class ContactRow:
    name: str
    phone: str = ""
    phone_ext: str = ""
    email: str = ""


@dataclass(frozen=True)
class OfficialRow:
    name: str
    affiliation: str = ""
    role: str = ""  # OfficialRole value


@dataclass(frozen=True)
class DetailsRow:
    """The registration details the protocol does not hold (`RegistrationDetails`); "" or None: not given.

    Choices are the API v2 enumeration names (PrimaryPurpose, WhoMasked, InterventionModel, Sex, DateType, and the
    stopped statuses SUSPENDED, TERMINATED, WITHDRAWN).
    """

    primary_purpose: str = ""
    who_masked: tuple[str, ...] = ()
    intervention_model: str = ""
    sex: str = ""
    healthy_volunteers: bool | None = None
    primary_completion: dt.date | None = None
    primary_completion_type: str = ""
    completion: dt.date | None = None
    completion_type: str = ""
    central_contacts: tuple[ContactRow, ...] = ()
    officials: tuple[OfficialRow, ...] = ()
    stop_status: str = ""
    why_stopped: str = ""


@dataclass(frozen=True)
class StudySnapshot:
    """What the mapping reads of a study, as it stands on `as_of` (built by `selectors.study_snapshot`)."""

    protocol_number: str
    title: str
    short_title: str
    phase: str  # studies.Phase value: I, I/II, II, III, IV
    indication: str
    therapeutic_area: str
    sponsor: str
    status: str  # studies.StudyStatus value
    as_of: dt.date
    eu_ct_number: str = ""
    nct_number: str = ""
    arms: tuple[ArmRow, ...] = ()
    products: tuple[ProductRow, ...] = ()
    objectives: tuple[ObjectiveRow, ...] = ()
    endpoints: tuple[EndpointRow, ...] = ()
    criteria: tuple[CriterionRow, ...] = ()
    sites: tuple[SiteRow, ...] = ()
    randomised: bool = False  # the study has a randomisation scheme
    blinded: bool | None = None  # the scheme's blinding; None without a scheme
    enrolled: int = 0  # subjects enrolled so far
    first_enrolled_on: dt.date | None = None
    details: DetailsRow = DetailsRow()


PHASES = {
    "I": (Phase.PHASE1,),
    "I/II": (Phase.PHASE1, Phase.PHASE2),
    "II": (Phase.PHASE2,),
    "III": (Phase.PHASE3,),
    "IV": (Phase.PHASE4,),
}
OVERALL_STATUS = {
    "planning": OverallStatus.NOT_YET_RECRUITING,
    "start_up": OverallStatus.NOT_YET_RECRUITING,
    "enrolling": OverallStatus.RECRUITING,
    "follow_up": OverallStatus.ACTIVE_NOT_RECRUITING,
    "closed": OverallStatus.COMPLETED,
}
ARM_TYPES = {
    "experimental": ArmGroupType.EXPERIMENTAL,
    "active_comparator": ArmGroupType.ACTIVE_COMPARATOR,
    "placebo": ArmGroupType.PLACEBO_COMPARATOR,
    "no_intervention": ArmGroupType.NO_INTERVENTION,
}
# Product kind -> the arm type it is given in.
PRODUCT_ARMS = {"investigational": "experimental", "comparator": "active_comparator", "placebo": "placebo"}
CTGOV, EUCTR = "ctgov", "euctr"
ENROLMENT_CLOSED = {"follow_up", "closed"}
ENROLMENT_ENDED = {OverallStatus.TERMINATED, OverallStatus.WITHDRAWN}  # stopped for good: the enrolment is actual
LEVELS = {count: level for level, count in MASKED_ROLES.items()}  # number of roles masked -> masking level
UNPUBLISHED_SITES = {"planned"}
_AGE_BOUND = re.compile(r"age\s*(>=|>|<=|<|==|=)\s*(\d{1,3})", re.IGNORECASE)
_NOT_CONJUNCTION = re.compile(r"\bor\b|\bnot\b|[()]", re.IGNORECASE)
_AND = re.compile(r"\band\b", re.IGNORECASE)


def study_registration(snap: StudySnapshot, *, site_ids: Collection[int] | None = None) -> Registration:
    """The ClinicalTrials.gov registration the protocol supports (the rules are in the module docstring).

    `site_ids`: the locations shown are those sites' only (a site-restricted reader's view); the rest of the
    registration, enrolment included, is the study's.
    """
    interventions = _interventions(snap)
    eu_ct = snap.eu_ct_number.strip()
    details = snap.details
    stopped = _stopped(snap)
    return Registration(
        org_study_id=snap.protocol_number,
        brief_title=snap.short_title,
        official_title=snap.title,
        nct_id=snap.nct_number.strip(),
        organization=Agency(snap.sponsor),
        secondary_ids=(SecondaryId(eu_ct, SecondaryIdType.CTIS, domain="EU CT number"),) if eu_ct else (),
        overall_status=stopped or OVERALL_STATUS.get(snap.status),
        status_verified=StudyDate(snap.as_of.replace(day=1), precision=MONTH),
        why_stopped=details.why_stopped.strip() if stopped else "",
        start=StudyDate(snap.first_enrolled_on, DateType.ACTUAL) if snap.first_enrolled_on else None,
        primary_completion=_date(details.primary_completion, details.primary_completion_type),
        completion=_date(details.completion, details.completion_type),
        lead_sponsor=Agency(snap.sponsor),
        responsible_party=ResponsibleParty(ResponsiblePartyType.SPONSOR),
        conditions=(snap.indication,) if snap.indication.strip() else (),
        keywords=(snap.therapeutic_area,) if snap.therapeutic_area.strip() else (),
        design=_design(snap),
        arm_groups=tuple(
            ArmGroup(
                label=arm.name,
                type=ARM_TYPES.get(arm.type),
                description=arm.description,
                intervention_names=tuple(i.arm_reference for i in interventions if arm.name in i.arm_group_labels),
            )
            for arm in snap.arms
        ),
        interventions=interventions,
        primary_outcomes=_outcomes(snap, "primary"),
        secondary_outcomes=_outcomes(snap, "secondary"),
        other_outcomes=_outcomes(snap, "exploratory"),
        eligibility=_eligibility(snap),
        central_contacts=tuple(
            Contact(name=c.name, role=ContactRole.CONTACT, phone=c.phone, phone_ext=c.phone_ext, email=c.email)
            for c in details.central_contacts
            if c.name.strip()
        ),
        overall_officials=tuple(
            Official(name=o.name, affiliation=o.affiliation, role=o.role or None)
            for o in details.officials
            if o.name.strip()
        ),
        locations=tuple(_location(snap, site) for site in _published(snap, site_ids)),
    )


def ctgov_document(
    snap: StudySnapshot, *, site_ids: Collection[int] | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The API v2 study JSON to load, and what ClinicalTrials.gov would refuse or query in it."""
    reg = study_registration(snap, site_ids=site_ids)
    return registration_to_ctgov(reg), validate_registration(reg, today=snap.as_of)


def eu_member_states(snap: StudySnapshot) -> dict[str, int]:
    """Each EU/EEA country of the study's published sites -> the sum of their target enrolment (0 when unset)."""
    planned: dict[str, int] = {}
    for site in snap.sites:
        code = member_state_code(site.country_code)
        if code and site.status not in UNPUBLISHED_SITES:
            planned[code] = planned.get(code, 0) + site.target_enrolment
    return planned


def eu_document(
    snap: StudySnapshot, *, site_ids: Collection[int] | None = None
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The EU CTR public information document, and what is missing from it; None when it cannot be prepared.

    Countries whose sites have no target enrolment are left out and listed as problems (CTIS needs the number of
    participants planned in each member state concerned); the document's own ``toComplete`` fields are listed as
    problems too. `site_ids`: the member states shown are those of these sites (the totals stay the study's).
    """
    planned = eu_member_states(snap)
    problems = [
        Problem(f"memberStatesConcerned[{code!r}]", "no target enrolment at the sites of this member state")
        for code, count in planned.items()
        if count <= 0
    ]
    states = {code: count for code, count in planned.items() if count > 0}
    if not planned:
        return None, [Problem("memberStatesConcerned", "the study has no site in an EU/EEA member state")]
    if not states:
        return None, problems
    primary = [o.description for o in snap.objectives if o.level == "primary"]
    try:
        document = eu_public_information(
            study_registration(snap),
            member_states=states,
            main_objective="\n".join(primary),
            secondary_objectives=[o.description for o in snap.objectives if o.level == "secondary"],
            therapeutic_areas=[snap.therapeutic_area] if snap.therapeutic_area.strip() else [],
        )
    except FormatError as exc:
        return None, problems + list(exc.problems)
    problems += [Problem(path, "not held by the protocol: complete it in CTIS") for path in document["toComplete"]]
    if site_ids is not None:
        document = project_document(EUCTR, document, snap, site_ids)
        shown = {f"memberStatesConcerned[{code!r}]" for code in visible_member_states(snap, site_ids)}
        problems = [p for p in problems if not p.location.startswith("memberStatesConcerned[") or p.location in shown]
    return document, problems


def location_key(facility: str, city: str, country: str) -> str:
    """A location as `registration_diff` matches it: facility, city and country folded."""
    return f"{fold(facility)}|{fold(city)}|{fold(country)}"


def visible_locations(snap: StudySnapshot, site_ids: Collection[int]) -> set[str]:
    return {
        location_key(loc.facility, loc.city, loc.country)
        for loc in study_registration(snap, site_ids=site_ids).locations
    }


def visible_member_states(snap: StudySnapshot, site_ids: Collection[int]) -> set[str]:
    return {member_state_code(site.country_code) for site in snap.sites if site.id in site_ids} - {""}


def project_document(
    registry: str, document: dict[str, Any], snap: StudySnapshot, site_ids: Collection[int] | None
) -> dict[str, Any]:
    """`document` with only the locations (ClinicalTrials.gov) or member states (EU CTR) of `site_ids`' sites.

    A copy; `document` itself when `site_ids` is None (every site).
    """
    if site_ids is None:
        return document
    projected = copy.deepcopy(document)
    if registry == CTGOV:
        module = projected.get("protocolSection", {}).get("contactsLocationsModule")
        if isinstance(module, dict) and isinstance(module.get("locations"), list):
            keys = visible_locations(snap, site_ids)
            module["locations"] = [
                loc
                for loc in module["locations"]
                if isinstance(loc, dict)
                and location_key(str(loc.get("facility", "")), str(loc.get("city", "")), str(loc.get("country", "")))
                in keys
            ]
            if not module["locations"]:
                del module["locations"]
            if not module:
                del projected["protocolSection"]["contactsLocationsModule"]
    elif isinstance(projected.get("memberStatesConcerned"), list):
        codes = visible_member_states(snap, site_ids)
        projected["memberStatesConcerned"] = [
            state
            for state in projected["memberStatesConcerned"]
            if isinstance(state, dict) and state.get("code") in codes
        ]
    return projected


def age_limits(criteria: Sequence[CriterionRow]) -> tuple[str, str]:
    """The minimum and maximum age ("18 Years", "" for none) bounded by the inclusion criteria's expressions.

    Only an expression that is a plain conjunction (``and``, no ``or``, ``not`` or parentheses) of comparisons is
    read; its ``age`` comparisons give the limits (``age > 17`` is a minimum of 18 Years). Ages are completed
    years (subjects.criteria).
    """
    low: int | None = None
    high: int | None = None
    for criterion in criteria:
        if criterion.kind != "inclusion" or not criterion.expression or _NOT_CONJUNCTION.search(criterion.expression):
            continue
        for part in _AND.split(criterion.expression):
            match = _AGE_BOUND.fullmatch(part.strip())
            if not match:
                continue
            op, years = match.group(1), int(match.group(2))
            if op in (">=", ">", "==", "="):
                bound = years + 1 if op == ">" else years
                low = bound if low is None else max(low, bound)
            if op in ("<=", "<", "==", "="):
                bound = years - 1 if op == "<" else years
                high = bound if high is None else min(high, bound)
    return (f"{low} Years" if low is not None else "", f"{high} Years" if high is not None else "")


def criteria_text(criteria: Sequence[CriterionRow]) -> str:
    """The criteria as ClinicalTrials.gov shows them: a heading per kind, one bullet per criterion, by number."""
    sections = []
    for kind, heading in (("inclusion", "Inclusion Criteria:"), ("exclusion", "Exclusion Criteria:")):
        items = sorted((c for c in criteria if c.kind == kind), key=lambda c: c.number)
        if items:
            sections.append(heading + "\n\n" + "\n".join(f"* {' '.join(c.text.split())}" for c in items))
    return "\n\n".join(sections)


def _published(snap: StudySnapshot, site_ids: Collection[int] | None) -> list[SiteRow]:
    return [
        site
        for site in snap.sites
        if site.status not in UNPUBLISHED_SITES and (site_ids is None or site.id in site_ids)
    ]


def _stopped(snap: StudySnapshot) -> OverallStatus | None:
    """The overall status of a study stopped early (the details' SUSPENDED, TERMINATED, WITHDRAWN), else None."""
    return OverallStatus(snap.details.stop_status) if snap.details.stop_status else None


def _date(day: dt.date | None, date_type: str) -> StudyDate | None:
    return StudyDate(day, DateType(date_type) if date_type else None) if day else None


def _masking(snap: StudySnapshot) -> tuple[Masking | None, tuple[WhoMasked, ...]]:
    """Open label (an unblinded scheme): NONE, no role; else the level the masked roles count, in v2 order."""
    if snap.randomised and snap.blinded is False:
        return Masking.NONE, ()
    roles = tuple(role for role in WhoMasked if role.value in snap.details.who_masked)
    return LEVELS.get(len(roles)) if roles else None, roles


def _design(snap: StudySnapshot) -> Design:
    single = len(snap.arms) == 1
    allocation = Allocation.RANDOMIZED if snap.randomised else (Allocation.NA if single else None)
    model = snap.details.intervention_model
    masking, who_masked = _masking(snap)
    closed = snap.status in ENROLMENT_CLOSED or _stopped(snap) in ENROLMENT_ENDED
    target = sum(site.target_enrolment for site in snap.sites if site.status not in UNPUBLISHED_SITES)
    if closed:
        count, count_type = snap.enrolled, EnrollmentType.ACTUAL
    else:
        count, count_type = (target, EnrollmentType.ESTIMATED) if target > 0 else (None, None)
    return Design(
        study_type=StudyType.INTERVENTIONAL,
        phases=PHASES.get(snap.phase, ()),
        allocation=allocation,
        intervention_model=InterventionModel(model) if model else (InterventionModel.SINGLE_GROUP if single else None),
        primary_purpose=snap.details.primary_purpose or None,
        masking=masking,
        who_masked=who_masked,
        enrollment_count=count,
        enrollment_type=count_type,
    )


def _interventions(snap: StudySnapshot) -> tuple[Intervention, ...]:
    found = []
    for product in snap.products:
        arm_type = PRODUCT_ARMS.get(product.kind)
        if arm_type is None:
            continue
        ingredient = product.active_ingredient.strip()
        found.append(
            Intervention(
                type=InterventionType.DRUG,
                name=product.name,
                arm_group_labels=tuple(arm.name for arm in snap.arms if arm.type == arm_type),
                other_names=(ingredient,) if ingredient and ingredient.casefold() != product.name.casefold() else (),
            )
        )
    return tuple(found)


def _outcomes(snap: StudySnapshot, level: str) -> tuple[Outcome, ...]:
    return tuple(
        Outcome(measure=e.description.strip(), time_frame=e.timeframe.strip())
        for e in snap.endpoints
        if e.level == level
    )


def _eligibility(snap: StudySnapshot) -> Eligibility:
    minimum, maximum = age_limits(snap.criteria)
    return Eligibility(
        criteria=criteria_text(snap.criteria),
        sex=snap.details.sex or None,
        minimum_age=minimum,
        maximum_age=maximum,
        healthy_volunteers=snap.details.healthy_volunteers,
    )


def _location(snap: StudySnapshot, site: SiteRow) -> Location:
    return Location(
        facility=site.institution,
        city=site.city,
        country=country_name(site.country_code) or site.country_code,
        status=_site_status(snap.status, site.status, _stopped(snap)),
        contacts=(Contact(name=site.principal_investigator, role=ContactRole.PRINCIPAL_INVESTIGATOR),)
        if site.principal_investigator.strip()
        else (),
    )


def _site_status(study_status: str, site_status: str, stopped: OverallStatus | None) -> RecruitmentStatus:
    """A location's recruitment status: the study's once it no longer recruits (or is stopped), else the site's own."""
    if stopped is not None:
        return RecruitmentStatus(stopped.value)
    if study_status == "closed":
        return RecruitmentStatus.COMPLETED
    if study_status == "follow_up" or site_status == "closed":
        return RecruitmentStatus.ACTIVE_NOT_RECRUITING
    if site_status == "on_hold":
        return RecruitmentStatus.SUSPENDED
    if site_status == "active" and study_status == "enrolling":
        return RecruitmentStatus.RECRUITING
    return RecruitmentStatus.NOT_YET_RECRUITING
