"""The safety API's request and response shapes.

Every class name starts with `Safety`: OpenAPI names a component after its class, and names must be unique across
the project's routers. Lengths follow the model fields, so a value too long is refused with a 422 naming the field
before it reaches the database. Nothing here carries a treatment assignment: a case names the study product as
reported (blinded while the study is), never the subject's arm.
"""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

ID = Field(..., ge=1, le=2**53)
REASON = Field("", max_length=2000, description="Why; required for any change or removal of stored data")
REASON_REQUIRED = Field(..., min_length=1, max_length=2000)
PARTIAL_DATE = Field("", max_length=10, description="ISO 8601, reduced precision allowed: YYYY, YYYY-MM, YYYY-MM-DD")

Criterion = Literal[
    "death", "life_threatening", "hospitalisation", "disability", "congenital_anomaly", "medically_important"
]
OutcomeCode = Literal["0", "1", "2", "3", "4", "5"]
RoleCode = Literal["1", "2", "3", "4"]
ActionCode = Literal["0", "1", "2", "3", "4", "9"]
ChallengeCode = Literal["positive", "negative", "unknown", "na"]
Result = Literal["related", "not_related"]
SexCode = Literal["", "1", "2"]
AgeUnitCode = Literal["", "a", "mo", "wk", "d"]
QualificationCode = Literal["", "1", "2", "3", "4", "5"]


# ---- the worklist ------------------------------------------------------------------------------------------------


class SafetyCaseFilters(Schema):
    state: str = Field("", max_length=16, description="triage, data_entry, coding, medical_review, approved, reported")
    overdue: bool = Field(False, description="Only cases with a report past its due date")
    site: int | None = Field(None, ge=1, le=2**53, description="A site id")
    source: str = Field("", max_length=16)
    search: str = Field("", max_length=100, description="Part of a case number or a subject number")
    sort: Literal["due", "received", "number"] = "due"


class SafetyCaseRowOut(Schema):
    id: int
    number: str
    subject: str | None
    site: str | None
    source: str
    status: str
    state: str
    version: int
    received_on: dt.date
    next_due_on: dt.date | None
    serious: bool
    overdue: bool


# ---- a case and its version --------------------------------------------------------------------------------------


class SafetyVersionOut(Schema):
    number: int
    kind: str
    received_on: dt.date
    state: str
    significant: bool
    minimum_criteria_on: dt.date | None
    fatal_or_lt_known_on: dt.date | None
    narrative: str
    reporter_comment: str
    sender_comment: str
    sender_diagnosis: str
    frozen_at: dt.datetime | None
    next_due_on: dt.date | None
    latest: bool


class SafetyVersionRowOut(Schema):
    number: int
    kind: str
    received_on: dt.date
    state: str
    significant: bool
    frozen: bool
    latest: bool


class SafetyPatientOut(Schema):
    id: int
    initials: str
    sex: str
    birth_date: str
    age: float | None
    age_unit: str
    weight_kg: float | None
    height_cm: float | None
    last_menstrual_period: str
    history_text: str
    death_date: str
    autopsy: bool | None


class SafetyReporterOut(Schema):
    id: int
    given_name: str
    family_name: str
    organisation: str
    city: str
    country: str
    qualification: str
    primary: bool
    investigator: bool


class SafetyMeddraOut(Schema):
    version: str
    llt_code: str
    llt_name: str
    pt_code: str
    pt_name: str
    hlt_code: str
    hlt_name: str
    hlgt_code: str
    hlgt_name: str
    soc_code: str
    soc_name: str


class SafetyEventOut(Schema):
    id: int
    key: str
    verbatim: str
    meddra: SafetyMeddraOut | None = Field(..., description="The MedDRA coding, null while uncoded")
    onset: str
    end: str
    outcome: str
    criteria: list[str] = Field(..., description="The seriousness criteria met")
    serious: bool
    medically_confirmed: bool | None
    country: str
    severity: str
    unexpected: bool | None = Field(..., description="Per the RSI in force on the case's receipt; null: not assessed")
    expectedness_basis: str
    expectedness_manual: bool
    related: bool | None = Field(..., description="Either assessor sees a reasonable possibility; null: not assessed")


class SafetyCaseProductOut(Schema):
    id: int
    key: str
    role: str
    product_id: int | None
    name: str
    dose: str
    dose_unit: str
    frequency: str
    route: str
    start: str
    end: str
    batch: str
    indication: str
    action_taken: str
    blinded: bool


class SafetyCausalityOut(Schema):
    source: str
    method: str
    result: str
    comment: str


class SafetyPairOut(Schema):
    id: int
    product_id: int
    product_key: str
    event_id: int
    event_key: str
    dechallenge: str
    rechallenge: str
    reporter: SafetyCausalityOut | None
    company: SafetyCausalityOut | None


class SafetyTestOut(Schema):
    id: int
    test: str
    date: str
    result: str
    unit: str
    low: str
    high: str
    comment: str


class SafetyHistoryOut(Schema):
    id: int
    term: str
    code: str
    start: str
    continuing: bool | None
    end: str
    comment: str


class SafetyWorkflowOut(Schema):
    state: str
    next_state: str | None = Field(..., description="The step after this one (approval and reporting: own routes)")
    blockers: list[str] = Field(..., description="Why the version cannot leave its state forward yet")


class SafetyDueOut(Schema):
    rule_set: str
    rule: str
    recipient: str
    kind: str
    version: int
    day0: dt.date
    clock_start: dt.date
    days: int
    due_on: dt.date
    events: list[str]
    reason: str
    reference: str
    status: str = Field(..., description="due, overdue, on time or late")
    submission_id: int | None


class SafetyMissingOut(Schema):
    version: int
    event: str
    term: str
    missing: list[str]
    rule_sets: list[str]
    message: str


class SafetySignatureOut(Schema):
    printed_name: str
    meaning: str
    signed_at: dt.datetime
    broken: bool


class SafetyCaseOut(Schema):
    id: int
    number: str
    source: str
    status: str
    subject: str | None
    site: str | None
    initial_received_on: dt.date
    site_aware_on: dt.date | None
    reported_at: dt.datetime | None
    late_from_site: bool | None = Field(..., description="The site reported more than 24 hours after awareness")
    duplicate_of: str | None
    version: SafetyVersionOut
    patient: SafetyPatientOut | None
    reporters: list[SafetyReporterOut]
    events: list[SafetyEventOut]
    products: list[SafetyCaseProductOut]
    pairs: list[SafetyPairOut]
    tests: list[SafetyTestOut]
    history: list[SafetyHistoryOut]
    workflow: SafetyWorkflowOut
    signatures: list[SafetySignatureOut]
    versions: list[SafetyVersionRowOut]
    reports: list[SafetyDueOut]
    missing: list[SafetyMissingOut]


# ---- intake ------------------------------------------------------------------------------------------------------


class SafetyIntakeEventIn(Schema):
    verbatim: str = Field(..., min_length=1, max_length=250)
    onset: str = PARTIAL_DATE
    end: str = PARTIAL_DATE
    outcome: OutcomeCode = "0"
    criteria: list[Criterion] = Field(default_factory=list, max_length=6)
    severity: str = Field("", max_length=20)
    country: str = Field("", max_length=2)


class SafetyIntakeProductIn(Schema):
    product_id: int | None = Field(None, ge=1, le=2**53, description="A product of the study (its name is used)")
    name: str = Field("", max_length=250, description="The product as reported; required without product_id")
    role: RoleCode = "1"
    dose: str = Field("", max_length=20)
    dose_unit: str = Field("", max_length=20)
    route: str = Field("", max_length=60)
    start: str = PARTIAL_DATE
    end: str = PARTIAL_DATE
    indication: str = Field("", max_length=250)


class SafetyIntakeReporterIn(Schema):
    given_name: str = Field("", max_length=60)
    family_name: str = Field("", max_length=60)
    organisation: str = Field("", max_length=60)
    country: str = Field("", max_length=2)
    qualification: QualificationCode = ""
    investigator: bool = False


class SafetyIntakePatientIn(Schema):
    initials: str = Field("", max_length=60)
    sex: SexCode = ""
    birth_date: str = PARTIAL_DATE
    age: float | None = Field(None, ge=0, le=9999)
    age_unit: AgeUnitCode = ""


class SafetyCaseIn(Schema):
    source: str = Field(..., max_length=16, description="study_manual, spontaneous, literature, partner")
    received_on: dt.date
    subject_id: int | None = Field(None, ge=1, le=2**53, description="The study subject, when known")
    site_id: int | None = Field(None, ge=1, le=2**53, description="The site, for a case without a subject")
    reporter: SafetyIntakeReporterIn = Field(default_factory=SafetyIntakeReporterIn)
    patient: SafetyIntakePatientIn = Field(default_factory=SafetyIntakePatientIn)
    events: list[SafetyIntakeEventIn] = Field(..., max_length=200)
    products: list[SafetyIntakeProductIn] = Field(default_factory=list, max_length=200)
    narrative: str = Field("", max_length=100000)


# ---- edits of a version ------------------------------------------------------------------------------------------


class SafetyVersionPatch(Schema):
    received_on: dt.date | None = None
    significant: bool | None = None
    minimum_criteria_on: dt.date | None = None
    fatal_or_lt_known_on: dt.date | None = None
    narrative: str | None = Field(None, max_length=100000)
    reporter_comment: str | None = Field(None, max_length=20000)
    sender_comment: str | None = Field(None, max_length=20000)
    sender_diagnosis: str | None = Field(None, max_length=250)
    reason: str = REASON


class SafetyReasonIn(Schema):
    reason: str = REASON_REQUIRED


class SafetyEventIn(Schema):
    verbatim: str = Field(..., min_length=1, max_length=250)
    onset: str = PARTIAL_DATE
    end: str = PARTIAL_DATE
    outcome: OutcomeCode = "0"
    criteria: list[Criterion] = Field(default_factory=list, max_length=6)
    medically_confirmed: bool | None = None
    country: str = Field("", max_length=2)
    severity: str = Field("", max_length=20)
    reason: str = REASON


class SafetyEventPatch(Schema):
    verbatim: str | None = Field(None, min_length=1, max_length=250)
    onset: str | None = Field(None, max_length=10)
    end: str | None = Field(None, max_length=10)
    outcome: OutcomeCode | None = None
    criteria: list[Criterion] | None = Field(None, max_length=6)
    medically_confirmed: bool | None = None
    country: str | None = Field(None, max_length=2)
    severity: str | None = Field(None, max_length=20)
    reason: str = REASON_REQUIRED


class SafetyCodeIn(Schema):
    term_id: int | None = Field(None, ge=1, le=2**53, description="A term of the study's MedDRA version")
    code: str = Field("", max_length=20, description="Or an LLT code of that version")
    reason: str = REASON


class SafetyExpectednessIn(Schema):
    unexpected: bool
    basis: str = Field(..., min_length=1, max_length=500)
    reason: str = REASON_REQUIRED


class SafetyCaseProductIn(Schema):
    product_id: int | None = Field(None, ge=1, le=2**53, description="A product of the study")
    name: str = Field("", max_length=250, description="The product as reported; required without product_id")
    role: RoleCode = "1"
    dose: str = Field("", max_length=20)
    dose_unit: str = Field("", max_length=20)
    frequency: str = Field("", max_length=60)
    route: str = Field("", max_length=60)
    start: str = PARTIAL_DATE
    end: str = PARTIAL_DATE
    batch: str = Field("", max_length=35)
    indication: str = Field("", max_length=250)
    action_taken: ActionCode = "0"
    reason: str = REASON


class SafetyCaseProductPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=250)
    role: RoleCode | None = None
    dose: str | None = Field(None, max_length=20)
    dose_unit: str | None = Field(None, max_length=20)
    frequency: str | None = Field(None, max_length=60)
    route: str | None = Field(None, max_length=60)
    start: str | None = Field(None, max_length=10)
    end: str | None = Field(None, max_length=10)
    batch: str | None = Field(None, max_length=35)
    indication: str | None = Field(None, max_length=250)
    action_taken: ActionCode | None = None
    reason: str = REASON_REQUIRED


class SafetyPairIn(Schema):
    product_id: int = Field(..., ge=1, le=2**53, description="A product row of the case (not a study product)")
    event_id: int = Field(..., ge=1, le=2**53, description="An event row of the case")
    dechallenge: ChallengeCode = "unknown"
    rechallenge: ChallengeCode = "na"
    reason: str = REASON


class SafetyPairPatch(Schema):
    dechallenge: ChallengeCode | None = None
    rechallenge: ChallengeCode | None = None
    reason: str = REASON_REQUIRED


class SafetyCausalityIn(Schema):
    source: Literal["reporter", "company"]
    result: Result
    method: str = Field("Global introspection", max_length=60)
    comment: str = Field("", max_length=500)
    reason: str = REASON


class SafetyCausalityPatch(Schema):
    result: Result | None = None
    method: str | None = Field(None, max_length=60)
    comment: str | None = Field(None, max_length=500)
    reason: str = REASON_REQUIRED


class SafetyTestIn(Schema):
    test: str = Field(..., min_length=1, max_length=250)
    date: str = PARTIAL_DATE
    result: str = Field("", max_length=60)
    unit: str = Field("", max_length=20)
    low: str = Field("", max_length=20)
    high: str = Field("", max_length=20)
    comment: str = Field("", max_length=2000)
    reason: str = REASON


class SafetyTestPatch(Schema):
    test: str | None = Field(None, min_length=1, max_length=250)
    date: str | None = Field(None, max_length=10)
    result: str | None = Field(None, max_length=60)
    unit: str | None = Field(None, max_length=20)
    low: str | None = Field(None, max_length=20)
    high: str | None = Field(None, max_length=20)
    comment: str | None = Field(None, max_length=2000)
    reason: str = REASON_REQUIRED


class SafetyHistoryIn(Schema):
    term: str = Field(..., min_length=1, max_length=250)
    code: str = Field("", max_length=10)
    start: str = PARTIAL_DATE
    continuing: bool | None = None
    end: str = PARTIAL_DATE
    comment: str = Field("", max_length=2000)
    reason: str = REASON


class SafetyHistoryPatch(Schema):
    term: str | None = Field(None, min_length=1, max_length=250)
    code: str | None = Field(None, max_length=10)
    start: str | None = Field(None, max_length=10)
    continuing: bool | None = None
    end: str | None = Field(None, max_length=10)
    comment: str | None = Field(None, max_length=2000)
    reason: str = REASON_REQUIRED


class SafetyReporterIn(Schema):
    given_name: str = Field("", max_length=60)
    family_name: str = Field("", max_length=60)
    organisation: str = Field("", max_length=60)
    city: str = Field("", max_length=35)
    country: str = Field("", max_length=2)
    qualification: QualificationCode = ""
    primary: bool = False
    investigator: bool = False
    reason: str = REASON


class SafetyReporterPatch(Schema):
    given_name: str | None = Field(None, max_length=60)
    family_name: str | None = Field(None, max_length=60)
    organisation: str | None = Field(None, max_length=60)
    city: str | None = Field(None, max_length=35)
    country: str | None = Field(None, max_length=2)
    qualification: QualificationCode | None = None
    primary: bool | None = None
    investigator: bool | None = None
    reason: str = REASON_REQUIRED


class SafetyPatientIn(Schema):
    initials: str = Field("", max_length=60)
    sex: SexCode = ""
    birth_date: str = PARTIAL_DATE
    age: float | None = Field(None, ge=0, le=9999)
    age_unit: AgeUnitCode = ""
    weight_kg: float | None = Field(None, ge=0, le=9999)
    height_cm: float | None = Field(None, ge=0, le=9999)
    last_menstrual_period: str = PARTIAL_DATE
    history_text: str = Field("", max_length=10000)
    death_date: str = PARTIAL_DATE
    autopsy: bool | None = None
    reason: str = REASON


class SafetyPatientPatch(Schema):
    initials: str | None = Field(None, max_length=60)
    sex: SexCode | None = None
    birth_date: str | None = Field(None, max_length=10)
    age: float | None = Field(None, ge=0, le=9999)
    age_unit: AgeUnitCode | None = None
    weight_kg: float | None = Field(None, ge=0, le=9999)
    height_cm: float | None = Field(None, ge=0, le=9999)
    last_menstrual_period: str | None = Field(None, max_length=10)
    history_text: str | None = Field(None, max_length=10000)
    death_date: str | None = Field(None, max_length=10)
    autopsy: bool | None = None
    reason: str = REASON_REQUIRED


# ---- workflow, duplicates, submissions ---------------------------------------------------------------------------


class SafetyAdvanceIn(Schema):
    to_state: Literal["triage", "data_entry", "coding", "medical_review"]
    reason: str = REASON


class SafetyApproveIn(Schema):
    password: str = Field(..., min_length=1, max_length=200, description="The signer's password (e-signature)")


class SafetyFollowUpIn(Schema):
    received_on: dt.date
    significant: bool = True
    reason: str = REASON


class SafetyDuplicateIn(Schema):
    of_case: int = Field(..., ge=1, le=2**53, description="The id of the case of record")
    reason: str = REASON_REQUIRED


class SafetyDuplicateOut(Schema):
    case_id: int
    number: str
    reasons: list[str]


class SafetySubmissionIn(Schema):
    version: int | None = Field(None, ge=1, le=10_000, description="The version reported; the latest when left out")
    rule_set: str = Field(..., max_length=40)
    rule: str = Field(..., max_length=60)
    recipient: str = Field(..., max_length=100)
    kind: Literal["initial", "follow-up", "completion"]
    submitted_on: dt.date
    fmt: Literal["e2b", "cioms", "other"] = "e2b"
    message_id: str = Field("", max_length=100)


class SafetyAckIn(Schema):
    batch_code: Literal["AA", "AE", "AR"]
    case_code: Literal["CA", "CR", ""] = ""
    received_on: dt.date
    text: str = Field("", max_length=20000)


class SafetySubmissionOut(Schema):
    id: int
    case_id: int
    version: int
    rule_set: str
    rule: str
    recipient: str
    kind: str
    due_on: dt.date
    submitted_on: dt.date
    submitted_by: str
    fmt: str
    message_id: str
    ack_batch_code: str
    ack_code: str
    ack_received_on: dt.date | None
    ack_text: str


# ---- set-up: products, RSI, rule sets ----------------------------------------------------------------------------


class SafetyProductOut(Schema):
    id: int
    name: str
    kind: str
    active_ingredient: str
    ind_number: str
    blinded: bool


class SafetyProductIn(Schema):
    name: str = Field(..., min_length=1, max_length=250)
    kind: Literal["investigational", "comparator", "placebo", "auxiliary"]
    active_ingredient: str = Field("", max_length=250)
    ind_number: str = Field("", max_length=20)
    blinded: bool = True


class SafetyProductPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=250)
    kind: Literal["investigational", "comparator", "placebo", "auxiliary"] | None = None
    active_ingredient: str | None = Field(None, max_length=250)
    ind_number: str | None = Field(None, max_length=20)
    blinded: bool | None = None
    reason: str = REASON_REQUIRED


class SafetyExpectedTermIO(Schema):
    pt_code: str = Field("", max_length=10)
    pt_name: str = Field(..., min_length=1, max_length=200)
    fatal_expected: bool = False


class SafetyRsiIn(Schema):
    product_id: int = ID
    document: str = Field(..., min_length=1, max_length=200)
    version: str = Field(..., min_length=1, max_length=40)
    effective_from: dt.date
    terms: list[SafetyExpectedTermIO] = Field(..., max_length=5000)
    reason: str = REASON


class SafetyRsiOut(Schema):
    id: int
    product_id: int
    product: str
    document: str
    version: str
    effective_from: dt.date
    terms: list[SafetyExpectedTermIO]


class SafetyRuleSetOut(Schema):
    id: int
    code: str
    name: str
    built_in: bool
    applied: bool = Field(..., description="The study follows it")
    document: dict


class SafetyRuleSetCodesIn(Schema):
    codes: list[str] = Field(..., max_length=100)
    reason: str = REASON


class SafetyRuleSetIn(Schema):
    document: dict = Field(..., description="A rule set in the format of opencro.safety.rulesets")
    reason: str = REASON
