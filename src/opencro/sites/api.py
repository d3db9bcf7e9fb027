"""Registry and feasibility API under /api/v1/studies/{id}/feasibility (`site.edit`, no site restriction).

Institutions (search, create, read with investigators, capabilities and past performance, change), investigators
and capabilities, the questionnaire and its questions, invitations (the token is in the creation answer only), the
ranked shortlist with each component's reason, and selection of a candidate as a study site.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status

from opencro.accounts.access import access_study_ids
from opencro.sites.models import Institution, Investigator
from opencro.sites.performance import performance_for
from opencro.sites.scoring import shortlist
from opencro.sites.selectors import (
    institution_get,
    institution_list,
    invitation_get,
    invitation_list,
    questionnaire_get,
    registry_access,
)
from opencro.sites.services import feasibility, registry

router = Router(tags=["feasibility"])
BASE = "/{study_id}/feasibility"


class InvestigatorIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    email: str = Field("", max_length=254)
    cv_date: dt.date | None = None
    gcp_training_date: dt.date | None = None
    licence_number: str = Field("", max_length=60)
    licence_expires_on: dt.date | None = None


class InvestigatorOut(InvestigatorIn):
    id: int
    gcp_current: bool
    cv_current: bool
    licence_valid: bool

    @staticmethod
    def resolve_gcp_current(obj) -> bool:
        return obj.gcp_current()

    @staticmethod
    def resolve_cv_current(obj) -> bool:
        return obj.cv_current()

    @staticmethod
    def resolve_licence_valid(obj) -> bool:
        return obj.licence_valid()


class CapabilityIn(Schema):
    kind: str = Field(..., max_length=12, description="equipment, population or therapeutic")
    value: str = Field(..., min_length=1, max_length=200)
    detail: str = Field("", max_length=500)


class CapabilityOut(CapabilityIn):
    id: int


class InstitutionIn(Schema):
    name: str = Field(..., min_length=1, max_length=300)
    country_code: str = Field(..., min_length=2, max_length=2)
    country: str = Field("", max_length=100)
    city: str = Field("", max_length=100)
    ctgov_key: str = Field("", max_length=400)
    notes: str = Field("", max_length=4000)


class InstitutionPatch(Schema):
    reason: str = Field(..., min_length=1, max_length=500)
    name: str | None = Field(None, min_length=1, max_length=300)
    country_code: str | None = Field(None, min_length=2, max_length=2)
    country: str | None = Field(None, max_length=100)
    city: str | None = Field(None, max_length=100)
    ctgov_key: str | None = Field(None, max_length=400)
    notes: str | None = Field(None, max_length=4000)


class InstitutionOut(Schema):
    id: int
    name: str
    country_code: str
    country: str
    city: str
    ctgov_key: str
    notes: str


class PerformanceOut(Schema):
    sites: int
    enrolled: int
    active_months: float
    rate: float | None
    screen_failure_rate: float | None
    query_rate: float | None
    deviation_rate: float | None
    important_deviation_rate: float | None
    startup_days: float | None


class InstitutionDetail(InstitutionOut):
    investigators: list[InvestigatorOut]
    capabilities: list[CapabilityOut]
    performance: PerformanceOut | None


class QuestionIn(Schema):
    text: str = Field(..., min_length=1, max_length=500)
    answer_type: str = Field(..., max_length=8, description="yes_no, number or choice")
    weight: int = Field(1, ge=0, le=100)
    yes_is_good: bool = True
    threshold: float | None = Field(None, ge=0, le=1e12)
    choices: list[tuple[str, float]] = Field(default_factory=list, max_length=50, description="[label, points 0..100]")


class QuestionOut(Schema):
    id: int
    order: int
    text: str
    answer_type: str
    weight: int
    yes_is_good: bool
    threshold: float | None
    choices: list


class Weights(Schema):
    weight_questionnaire: int = Field(35, ge=0, le=100)
    weight_enrolment: int = Field(25, ge=0, le=100)
    weight_screen_failure: int = Field(10, ge=0, le=100)
    weight_query_rate: int = Field(5, ge=0, le=100)
    weight_deviations: int = Field(5, ge=0, le=100)
    weight_startup: int = Field(5, ge=0, le=100)
    weight_competition: int = Field(15, ge=0, le=100)


class QuestionnaireIn(Weights):
    title: str = Field(..., min_length=1, max_length=200)
    introduction: str = Field("", max_length=4000)
    condition: str = Field("", max_length=200)
    reason: str = Field("", max_length=500)


class QuestionnaireOut(Weights):
    id: int
    title: str
    introduction: str
    condition: str
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj) -> list:
        return list(obj.questions.all())


class InvitationIn(Schema):
    institution_id: int = Field(..., ge=1, le=2**53)
    investigator_id: int | None = Field(None, ge=1, le=2**53)
    contact_email: str = Field("", max_length=254)
    days: int = Field(30, ge=1, le=365)


class InvitationFields(Schema):
    id: int
    institution_id: int
    institution: str
    investigator: str | None
    contact_email: str
    status: str
    sent_at: dt.datetime
    expires_at: dt.datetime
    answered_at: dt.datetime | None
    respondent: str
    site_id: int | None


class InvitationOut(InvitationFields):
    @staticmethod
    def resolve_institution(obj) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_investigator(obj) -> str | None:
        return obj.investigator.name if obj.investigator else None


class InvitationCreated(InvitationFields):
    token: str = Field(description="Shown once: the site answers at /feasibility/respond/{token}/")
    respond_path: str


class ComponentOut(Schema):
    name: str
    weight: float
    fraction: float | None
    earned: float
    reason: str


class CandidateOut(Schema):
    rank: int
    invitation: InvitationOut
    score: float
    components: list[ComponentOut]


class SelectIn(Schema):
    number: str = Field(..., min_length=1, max_length=10)
    time_zone: str = Field(..., min_length=1, max_length=64)
    target_enrolment: int = Field(0, ge=0, le=100000)
    principal_investigator: str = Field("", max_length=200)
    reason: str = Field("selected after feasibility", max_length=500)


class SelectOut(Schema):
    site_id: int
    number: str
    status: str
    institution_id: int


def _performance(institution: Institution, user) -> dict | None:
    found = performance_for([institution.pk], member_study_ids=access_study_ids(user)).get(institution.pk)
    if found is None:
        return None
    return {
        "sites": len(found.sites),
        "enrolled": found.enrolled,
        "active_months": found.active_months,
        "rate": found.rate,
        "screen_failure_rate": found.screen_failure_rate,
        "query_rate": found.query_rate,
        "deviation_rate": found.deviation_rate,
        "important_deviation_rate": found.important_deviation_rate,
        "startup_days": found.startup_days,
    }


def _detail(institution: Institution, user) -> dict:
    return {
        **{f: getattr(institution, f) for f in ("id", "name", "country_code", "country", "city", "ctgov_key", "notes")},
        "investigators": list(institution.investigators.all()),
        "capabilities": list(institution.capabilities.all()),
        "performance": _performance(institution, user),
    }


@router.get(BASE + "/institutions", response=list[InstitutionOut], summary="Search the site registry")
def list_institutions(
    request,
    study_id: int,
    q: str = Query("", max_length=100),
    country: str = Query("", max_length=2),
    capability: str = Query("", max_length=100),
):
    access = registry_access(request.user, study_id)
    return list(institution_list(access, q=q, country=country, capability=capability)[:1000])


@router.post(BASE + "/institutions", response={201: InstitutionDetail}, summary="Register an institution")
def create_institution(request, study_id: int, body: InstitutionIn):
    access = registry_access(request.user, study_id)
    institution = registry.institution_create(actor=request.user, study=access.membership.study, **body.dict())
    return Status(201, _detail(institution, request.user))


@router.get(BASE + "/institutions/{institution_id}", response=InstitutionDetail, summary="An institution")
def get_institution(request, study_id: int, institution_id: int):
    """With its investigators, capabilities and past performance in OpenCRO studies."""
    access = registry_access(request.user, study_id)
    return _detail(institution_get(access, institution_id), request.user)


@router.patch(BASE + "/institutions/{institution_id}", response=InstitutionDetail, summary="Change an institution")
def update_institution(request, study_id: int, institution_id: int, body: InstitutionPatch):
    access = registry_access(request.user, study_id)
    institution = institution_get(access, institution_id)
    changes = body.dict(exclude_unset=True, exclude={"reason"})
    registry.institution_update(
        actor=request.user, study=access.membership.study, institution=institution, changes=changes, reason=body.reason
    )
    return _detail(institution_get(access, institution_id), request.user)


@router.post(
    BASE + "/institutions/{institution_id}/investigators",
    response={201: InvestigatorOut},
    summary="Add an investigator",
)
def add_investigator(request, study_id: int, institution_id: int, body: InvestigatorIn):
    access = registry_access(request.user, study_id)
    institution = institution_get(access, institution_id)
    fields = body.dict()
    investigator = registry.investigator_create(
        actor=request.user, study=access.membership.study, institution=institution, **fields
    )
    return Status(201, investigator)


@router.post(
    BASE + "/institutions/{institution_id}/capabilities", response={201: CapabilityOut}, summary="Add a capability"
)
def add_capability(request, study_id: int, institution_id: int, body: CapabilityIn):
    access = registry_access(request.user, study_id)
    institution = institution_get(access, institution_id)
    capability = registry.capability_add(
        actor=request.user, study=access.membership.study, institution=institution, **body.dict()
    )
    return Status(201, capability)


def _questionnaire(access):
    questionnaire = questionnaire_get(access)
    if questionnaire is None:
        raise ValidationError({"questionnaire": "The study has no feasibility questionnaire yet."})
    return questionnaire


@router.get(BASE + "/questionnaire", response=QuestionnaireOut, summary="The study's feasibility questionnaire")
def get_questionnaire(request, study_id: int):
    access = registry_access(request.user, study_id)
    return _questionnaire(access)


@router.put(BASE + "/questionnaire", response=QuestionnaireOut, summary="Create or change the questionnaire")
def put_questionnaire(request, study_id: int, body: QuestionnaireIn):
    """Title, introduction, condition and the weights of the score; a change needs a reason."""
    access = registry_access(request.user, study_id)
    data = body.dict()
    weights = {k: data.pop(k) for k in list(data) if k.startswith("weight_")}
    return feasibility.questionnaire_save(actor=request.user, study=access.membership.study, weights=weights, **data)


@router.post(BASE + "/questionnaire/questions", response={201: QuestionOut}, summary="Add a question")
def add_question(request, study_id: int, body: QuestionIn):
    """Refused (422) once the questionnaire has been sent."""
    access = registry_access(request.user, study_id)
    data = body.dict()
    data["choices"] = [list(c) for c in data["choices"]]
    question = feasibility.question_add(actor=request.user, questionnaire=_questionnaire(access), **data)
    return Status(201, question)


@router.get(BASE + "/invitations", response=list[InvitationOut], summary="The study's invitations")
def list_invitations(request, study_id: int):
    access = registry_access(request.user, study_id)
    return list(invitation_list(access))


@router.post(BASE + "/invitations", response={201: InvitationCreated}, summary="Invite a candidate institution")
def create_invitation(request, study_id: int, body: InvitationIn):
    """The answer holds the token, once; only its hash is stored."""
    access = registry_access(request.user, study_id)
    institution = institution_get(access, body.institution_id)
    investigator = None
    if body.investigator_id is not None:
        investigator = Investigator.objects.filter(pk=body.investigator_id).first()
        if investigator is None:
            raise ValidationError({"investigator_id": "No such investigator."})
    invitation, token = feasibility.invitation_create(
        actor=request.user,
        questionnaire=_questionnaire(access),
        institution=institution,
        investigator=investigator,
        contact_email=body.contact_email,
        days=body.days,
        base_url=request.build_absolute_uri("/"),
    )
    found = invitation_get(access, invitation.pk)
    data = {
        **{f: getattr(found, f) for f in ("id", "institution_id", "contact_email", "sent_at", "expires_at")},
        **{f: getattr(found, f) for f in ("answered_at", "respondent", "site_id", "status")},
        "institution": found.institution.name,
        "investigator": found.investigator.name if found.investigator else None,
    }
    return Status(201, data | {"token": token, "respond_path": f"/feasibility/respond/{token}/"})


@router.get(BASE + "/shortlist", response=list[CandidateOut], summary="The ranked shortlist with reasons")
def get_shortlist(request, study_id: int):
    access = registry_access(request.user, study_id)
    questionnaire = questionnaire_get(access)
    if questionnaire is None:
        return []
    return [
        {
            "rank": c.rank,
            "invitation": c.invitation,
            "score": c.score.total,
            "components": [
                {
                    "name": str(p.name),
                    "weight": p.weight,
                    "fraction": p.fraction,
                    "earned": p.earned,
                    "reason": p.reason,
                }
                for p in c.score.components
            ],
        }
        for c in shortlist(access, questionnaire)
    ]


@router.post(
    BASE + "/shortlist/{invitation_id}/select", response={201: SelectOut}, summary="Select a candidate as a study site"
)
def select_candidate(request, study_id: int, invitation_id: int, body: SelectIn):
    access = registry_access(request.user, study_id)
    invitation = invitation_get(access, invitation_id)
    link = feasibility.candidate_select(actor=request.user, invitation=invitation, **body.dict())
    return Status(
        201,
        {
            "site_id": link.site_id,
            "number": link.site.number,
            "status": link.site.status,
            "institution_id": link.institution_id,
        },
    )
