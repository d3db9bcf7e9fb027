"""Submissions API: the list with its filters, one submission (with clocks, questions, commitments, content),
planning, editing and each step, questions and answers, commitments, content.

Reads need `regulatory.view`, writes `regulatory.edit`. A submission (country, committee, parent) is found through
the caller's scope first (404 elsewhere), then the permission is checked (403). Refusals of the rules answer 422.
"""

from django.db.models import Count, Q
from ninja import Query, Router, Status
from ninja.pagination import paginate

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.api.pagination import LimitOffset
from opencro.documents.models import DocumentVersion
from opencro.regulatory import selectors
from opencro.regulatory.api.schemas import (
    RegAnswerIn,
    RegClockOut,
    RegCommitmentIn,
    RegCommitmentOut,
    RegDocumentsIn,
    RegFulfilIn,
    RegQuestionIn,
    RegQuestionOut,
    RegStepIn,
    RegSubmissionDetailOut,
    RegSubmissionFilters,
    RegSubmissionIn,
    RegSubmissionOut,
    RegSubmissionPatch,
)
from opencro.regulatory.models import Submission
from opencro.regulatory.services import submissions as services

router = Router(tags=["regulatory submissions"])
BASE = "/{study_id}/regulatory/submissions"
ONE = BASE + "/{submission_id}"
VIEW, EDIT = Perm.REGULATORY_VIEW, Perm.REGULATORY_EDIT


def found(request, study_id: int, submission_id: int, perm: str) -> tuple[StudyAccess, Submission]:
    """The submission within the caller's scope (404 otherwise), then regulatory.view and `perm` (403 without)."""
    access = access_study(request.user, study_id)
    submission = selectors.submission_get(access, submission_id)
    access_check(access, VIEW)
    return access_check(access, perm), submission


def clock_out(clock) -> dict:
    return {**vars(clock), "late": clock.late}


def detail(access: StudyAccess, submission_id: int) -> Submission:
    """The submission with what its detail shows (documents: those the caller's sites may see)."""
    submission = selectors.submission_get(access, submission_id)
    submission.clocks = [clock_out(c) for c in selectors.submission_clocks(submission)]
    submission.questions_list = list(submission.questions.all())
    submission.commitments_list = list(submission.commitments.all())
    versions = submission.documents.select_related("document").order_by("document__number", "version")
    if access.site_ids is not None:
        versions = versions.filter(Q(document__site__isnull=True) | Q(document__site_id__in=access.site_ids))
    submission.documents_list = [
        {
            "id": v.pk,
            "document_number": v.document.number,
            "title": v.document.title,
            "version": v.version,
            "status": v.status,
        }
        for v in versions
    ]
    return submission


@router.get(BASE, response=list[RegSubmissionOut], summary="Regulatory and ethics submissions you may see")
@paginate(LimitOffset)
def regulatory_submissions_get(request, study_id: int, filters: Query[RegSubmissionFilters]):
    access = access_study(request.user, study_id, VIEW)
    found_ = selectors.submission_list(
        access,
        country_id=filters.country_id,
        authority_id=filters.authority_id,
        status=filters.status or "",
        ethics=filters.ethics,
    )
    if filters.committee_id is not None:
        found_ = found_.filter(committee_id=filters.committee_id)
    return found_.annotate(
        open_questions=Count("questions", filter=Q(questions__answered_on__isnull=True), distinct=True)
    )


@router.post(BASE, response={201: RegSubmissionDetailOut}, summary="Plan a submission to an authority or committee")
def regulatory_submission_post(request, study_id: int, payload: RegSubmissionIn):
    access = access_check(access_study(request.user, study_id, VIEW), EDIT)
    submission = selectors.submission_planned(
        access,
        owner=request.user,
        country_id=payload.country_id,
        title=payload.title,
        application_type_id=payload.application_type_id,
        committee_id=payload.committee_id,
        ethics_kind=payload.ethics_kind or "",
        protocol_version_id=payload.protocol_version_id,
        parent_id=payload.parent_id,
        product=payload.product,
        reference=payload.reference,
        sequence=payload.sequence,
        planned_on=payload.planned_on,
    )
    submission = services.submission_create(actor=request.user, submission=submission)
    return Status(201, detail(access, submission.pk))


@router.get(ONE, response=RegSubmissionDetailOut, summary="One submission with its clocks, questions and content")
def regulatory_submission_get(request, study_id: int, submission_id: int):
    access, _submission = found(request, study_id, submission_id, VIEW)
    return detail(access, submission_id)


@router.patch(ONE, response=RegSubmissionDetailOut, summary="Change details or correct dates (fields left out kept)")
def regulatory_submission_patch(request, study_id: int, submission_id: int, payload: RegSubmissionPatch):
    access, submission = found(request, study_id, submission_id, EDIT)
    given = payload.model_dump(exclude={"reason"}, exclude_unset=True)
    changes = {k: v for k, v in given.items() if k not in ("protocol_version_id", "parent_id")}
    for name in ("title", "product", "reference", "sequence", "decision_note"):
        if name in changes and changes[name] is None:
            del changes[name]
    if "protocol_version_id" in given:
        pk = given["protocol_version_id"]
        changes["protocol_version"] = selectors.protocol_versions(access).get(pk=pk) if pk is not None else None
    if "parent_id" in given:
        pk = given["parent_id"]
        changes["parent"] = selectors.submission_get(access, pk) if pk is not None else None
    services.submission_update(actor=request.user, submission=submission, changes=changes, reason=payload.reason)
    return detail(access, submission_id)


@router.post(
    ONE + "/steps/{step}",
    response=RegSubmissionDetailOut,
    summary="Record a step: submit, acknowledge, validate, approve, reject or withdraw",
)
def regulatory_submission_step_post(request, study_id: int, submission_id: int, step: str, payload: RegStepIn):
    access, submission = found(request, study_id, submission_id, EDIT)
    services.submission_step(
        actor=request.user,
        submission=submission,
        step=step,
        on=payload.on,
        note=payload.note,
        expires_on=payload.expires_on,
        reason=payload.reason,
    )
    return detail(access, submission_id)


@router.get(ONE + "/clocks", response=list[RegClockOut], summary="The submission's review clocks as they stand today")
def regulatory_submission_clocks_get(request, study_id: int, submission_id: int):
    _access, submission = found(request, study_id, submission_id, VIEW)
    return [clock_out(c) for c in selectors.submission_clocks(submission)]


@router.post(ONE + "/questions", response={201: RegQuestionOut}, summary="Record a question from the reviewer")
def regulatory_question_post(request, study_id: int, submission_id: int, payload: RegQuestionIn):
    _access, submission = found(request, study_id, submission_id, EDIT)
    return Status(201, services.question_add(actor=request.user, submission=submission, **payload.model_dump()))


@router.post(
    ONE + "/questions/{question_id}/answer", response=RegQuestionOut, summary="Record (or correct) the answer sent"
)
def regulatory_question_answer_post(request, study_id: int, submission_id: int, question_id: int, payload: RegAnswerIn):
    _access, submission = found(request, study_id, submission_id, EDIT)
    question = submission.questions.get(pk=question_id)
    return services.question_answer(actor=request.user, question=question, **payload.model_dump())


@router.post(ONE + "/commitments", response={201: RegCommitmentOut}, summary="Record a commitment made")
def regulatory_commitment_post(request, study_id: int, submission_id: int, payload: RegCommitmentIn):
    _access, submission = found(request, study_id, submission_id, EDIT)
    return Status(201, services.commitment_add(actor=request.user, submission=submission, **payload.model_dump()))


@router.post(
    ONE + "/commitments/{commitment_id}/fulfil", response=RegCommitmentOut, summary="Record that a commitment was met"
)
def regulatory_commitment_fulfil_post(
    request, study_id: int, submission_id: int, commitment_id: int, payload: RegFulfilIn
):
    _access, submission = found(request, study_id, submission_id, EDIT)
    commitment = submission.commitments.get(pk=commitment_id)
    return services.commitment_fulfil(actor=request.user, commitment=commitment, **payload.model_dump())


@router.post(
    ONE + "/documents", response=RegSubmissionDetailOut, summary="Set the document versions the submission carries"
)
def regulatory_submission_documents_post(request, study_id: int, submission_id: int, payload: RegDocumentsIn):
    access, submission = found(request, study_id, submission_id, EDIT)
    versions = list(DocumentVersion.objects.filter(pk__in=payload.version_ids).select_related("document"))
    if len(versions) != len(set(payload.version_ids)):
        raise DocumentVersion.DoesNotExist("no such document version")
    services.submission_documents_set(
        actor=request.user, submission=submission, versions=versions, reason=payload.reason
    )
    return detail(access, submission_id)
