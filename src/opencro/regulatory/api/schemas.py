"""Shapes of the regulatory API (names start with "Reg": OpenAPI names components after their class, project-wide)."""

import datetime as dt

from ninja import Field, Schema

from opencro.regulatory.models import CommitteeScope, EthicsKind, Submission, SubmissionStatus

ID_MAX = 2**53
TEXT_MAX = 4000
REASON_MAX = 2000


class RegClockOut(Schema):
    name: str
    started: dt.date
    ends: dt.date
    stopped_days: int = Field(..., description="Days added while questions were open (clocks that stop for them)")
    state: str = Field(..., description="running, met, overdue, elapsed (the trial may proceed) or lapsed")
    effect: str = Field(..., description="What the clock's end means: due, may_proceed or lapses")
    reference: str = Field(..., description="Legal basis")
    met_on: dt.date | None
    late: bool = Field(..., description="Met after the clock had run out")


class RegQuestionOut(Schema):
    id: int
    number: int
    received_on: dt.date
    text: str
    response_due_on: dt.date | None
    answered_on: dt.date | None
    answer: str


class RegCommitmentOut(Schema):
    id: int
    description: str
    due_on: dt.date
    fulfilled_on: dt.date | None
    note: str


class RegDocumentVersionOut(Schema):
    id: int
    document_number: str
    title: str
    version: str
    status: str


class RegSubmissionOut(Schema):
    id: int
    number: str
    authority_id: int | None
    authority: str | None = Field(..., description="The authority's code (null: to an ethics committee)")
    application_type_id: int | None
    application_type: str | None
    committee_id: int | None
    committee: str | None
    ethics_kind: str
    country_id: int
    country: str
    protocol_version_id: int | None
    protocol_version: str | None
    parent_id: int | None
    title: str
    product: str
    reference: str
    sequence: str
    status: str
    planned_on: dt.date | None
    submitted_on: dt.date | None
    acknowledged_on: dt.date | None
    validated_on: dt.date | None
    decided_on: dt.date | None
    decision_note: str
    expires_on: dt.date | None
    open_questions: int

    @staticmethod
    def resolve_authority(obj: Submission) -> str | None:
        return obj.authority.code if obj.authority_id else None

    @staticmethod
    def resolve_application_type(obj: Submission) -> str | None:
        return obj.application_type.code if obj.application_type_id else None

    @staticmethod
    def resolve_committee(obj: Submission) -> str | None:
        return obj.committee.name if obj.committee_id else None

    @staticmethod
    def resolve_country(obj: Submission) -> str:
        return obj.country.code

    @staticmethod
    def resolve_protocol_version(obj: Submission) -> str | None:
        return obj.protocol_version.version if obj.protocol_version_id else None

    @staticmethod
    def resolve_open_questions(obj: Submission) -> int:
        counted = getattr(obj, "open_questions", None)
        return counted if counted is not None else obj.questions.filter(answered_on__isnull=True).count()


class RegSubmissionDetailOut(RegSubmissionOut):
    clocks: list[RegClockOut]
    questions: list[RegQuestionOut]
    commitments: list[RegCommitmentOut]
    documents: list[RegDocumentVersionOut] = Field(..., description="The content: document versions it carries")

    # the lists `api.submissions.detail` reads (the model's own names are its related managers)
    @staticmethod
    def resolve_questions(obj: Submission) -> list:
        return obj.questions_list

    @staticmethod
    def resolve_commitments(obj: Submission) -> list:
        return obj.commitments_list

    @staticmethod
    def resolve_documents(obj: Submission) -> list:
        return obj.documents_list


class RegSubmissionFilters(Schema):
    country_id: int | None = Field(None, ge=1, le=ID_MAX)
    authority_id: int | None = Field(None, ge=1, le=ID_MAX)
    committee_id: int | None = Field(None, ge=1, le=ID_MAX)
    status: SubmissionStatus | None = None
    ethics: bool | None = Field(None, description="Only ethics submissions (true) or authority ones (false)")


class RegSubmissionIn(Schema):
    application_type_id: int | None = Field(
        None, ge=1, le=ID_MAX, description="To an authority: an application type of it (names the authority)"
    )
    committee_id: int | None = Field(None, ge=1, le=ID_MAX, description="Or to an ethics committee of the study")
    ethics_kind: EthicsKind | None = Field(None, description="What is submitted to the committee")
    country_id: int = Field(..., ge=1, le=ID_MAX)
    protocol_version_id: int | None = Field(None, ge=1, le=ID_MAX)
    parent_id: int | None = Field(None, ge=1, le=ID_MAX, description="The initial application it belongs to")
    title: str = Field(..., min_length=1, max_length=300)
    product: str = Field("", max_length=200)
    reference: str = Field("", max_length=60)
    sequence: str = Field("", max_length=4)
    planned_on: dt.date | None = None


class RegSubmissionPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=300)
    product: str | None = Field(None, max_length=200)
    reference: str | None = Field(None, max_length=60)
    sequence: str | None = Field(None, max_length=4)
    protocol_version_id: int | None = Field(None, ge=1, le=ID_MAX)
    parent_id: int | None = Field(None, ge=1, le=ID_MAX)
    planned_on: dt.date | None = None
    submitted_on: dt.date | None = None
    acknowledged_on: dt.date | None = None
    validated_on: dt.date | None = None
    decided_on: dt.date | None = None
    decision_note: str | None = Field(None, max_length=TEXT_MAX)
    expires_on: dt.date | None = None
    reason: str = Field(..., max_length=REASON_MAX, description="Why the details or dates change")


class RegStepIn(Schema):
    on: dt.date = Field(..., description="The actual date of the step (not in the future in the country)")
    note: str = Field("", max_length=TEXT_MAX, description="The decision (approve, reject, withdraw)")
    expires_on: dt.date | None = Field(
        None, description="Ethics approval: its expiry (default: from the committee's continuing-review interval)"
    )
    reason: str = Field("", max_length=REASON_MAX)


class RegQuestionIn(Schema):
    received_on: dt.date
    text: str = Field(..., min_length=1, max_length=8000)
    response_due_on: dt.date | None = Field(None, description="Default: from the type's clock for answers")


class RegAnswerIn(Schema):
    answered_on: dt.date
    answer: str = Field(..., max_length=8000)
    reason: str = Field("", max_length=REASON_MAX, description="Why a recorded answer is corrected")


class RegCommitmentIn(Schema):
    description: str = Field(..., min_length=1, max_length=TEXT_MAX)
    due_on: dt.date


class RegFulfilIn(Schema):
    fulfilled_on: dt.date
    note: str = Field("", max_length=2000)
    reason: str = Field("", max_length=REASON_MAX)


class RegDocumentsIn(Schema):
    version_ids: list[int] = Field(..., max_length=500, description="Approved or final versions of the study")
    reason: str = Field("", max_length=REASON_MAX)


class RegCalendarQuery(Schema):
    days: int = Field(90, ge=1, le=730, description="How many days ahead of today")


class RegCalendarItemOut(Schema):
    on: dt.date
    kind: str = Field(..., description="clock, answer, commitment, planned or expiry")
    submission_id: int
    number: str
    recipient: str
    country: str
    label: str
    overdue: bool
    note: str


class RegCommitteeOut(Schema):
    id: int
    name: str
    scope: str
    country_id: int
    country: str
    site_ids: list[int] = Field(..., description="A local committee's sites (those you may see)")
    registration: str
    continuing_review_months: int | None
    contact: str


class RegCommitteeIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    scope: CommitteeScope
    country_id: int = Field(..., ge=1, le=ID_MAX)
    site_ids: list[int] = Field([], max_length=1000)
    registration: str = Field("", max_length=60)
    continuing_review_months: int | None = Field(None, ge=1, le=120)
    contact: str = Field("", max_length=200)


class RegCommitteePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    scope: CommitteeScope | None = None
    country_id: int | None = Field(None, ge=1, le=ID_MAX)
    site_ids: list[int] | None = Field(None, max_length=1000)
    registration: str | None = Field(None, max_length=60)
    continuing_review_months: int | None = Field(None, ge=1, le=120)
    contact: str | None = Field(None, max_length=200)
    reason: str = Field(..., max_length=REASON_MAX)


class RegSiteVersionOut(Schema):
    site_id: int
    site_number: str
    protocol_version_id: int
    protocol_version: str
    authority_on: dt.date | None
    authority_submission_id: int | None
    ethics_on: dt.date | None
    ethics_submission_id: int | None
    ethics_expires_on: dt.date | None
    usable_from: dt.date | None = Field(..., description="The later of the two approvals (null: one is missing)")
    usable_today: bool = Field(..., description="On today's date at the site (an expired ethics approval: false)")
    missing: list[str]


class RegSiteVersionQuery(Schema):
    site_id: int | None = Field(None, ge=1, le=ID_MAX)


class RegClockRuleOut(Schema):
    id: int
    order: int
    name: str
    starts: str
    days: int
    basis: str
    stops_for_questions: bool
    recurs_months: int | None
    effect: str
    reference: str


class RegApplicationTypeOut(Schema):
    id: int
    code: str
    name: str
    category: str
    reference: str
    effective_on_submission: bool
    clocks: list[RegClockRuleOut]

    @staticmethod
    def resolve_clocks(obj) -> list:
        return list(obj.clocks.all())


class RegAuthorityOut(Schema):
    id: int
    code: str
    name: str
    country_code: str
    portal: str
    active: bool
    application_types: list[RegApplicationTypeOut]

    @staticmethod
    def resolve_application_types(obj) -> list:
        return list(obj.application_types.all())
