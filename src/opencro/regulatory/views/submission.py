"""One submission: its details, review clocks, the steps its status allows, questions and answers, commitments,
content (document versions) and audit trail.

Reads need `regulatory.view`, every write `regulatory.edit`. The submission is found through the reader's scope
first (404 elsewhere), then the permission is checked (403). A refused form answers 200 with the page and the
errors beside the fields; a change that lands redirects to the submission.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from opencro.accounts.access import StudyAccess
from opencro.accounts.permissions import Perm
from opencro.audit.selectors import audit_for_study
from opencro.core.form_errors import errors_to_form
from opencro.documents.models import DocumentVersion, VersionStatus
from opencro.regulatory import forms, selectors
from opencro.regulatory.models import Commitment, Question, Submission
from opencro.regulatory.services import submissions as services
from opencro.regulatory.services.submissions import STEPS
from opencro.regulatory.views._common import clock_row, found

EDIT = Perm.REGULATORY_EDIT
STEP_LABELS = {
    "submit": gettext_lazy("Submitted"),
    "acknowledge": gettext_lazy("Receipt acknowledged"),
    "validate": gettext_lazy("Validated"),
    "approve": gettext_lazy("Approved"),
    "reject": gettext_lazy("Rejected"),
    "withdraw": gettext_lazy("Withdrawn"),
}
OFFERED = (VersionStatus.APPROVED, VersionStatus.FINAL)
TRAIL_LIMIT = 200


def allowed_steps(access: StudyAccess, submission: Submission) -> list[str]:
    """The steps the submission's status allows, for a reader who may take them."""
    if not access.can(EDIT):
        return []
    return [step for step, (after, _field, _status) in STEPS.items() if submission.status in after]


def step_form(step: str, submission: Submission, data=None) -> forms.StepForm:
    initial = {"on": selectors.today_for(submission)}
    return forms.StepForm(data, initial=initial, step=step, ethics=submission.committee_id is not None)


def _parents(access: StudyAccess, submission: Submission) -> list[Submission]:
    return list(selectors.submission_list(access).exclude(pk=submission.pk).order_by("number"))


def edit_form(access: StudyAccess, submission: Submission, data=None) -> forms.EditForm:
    initial = {name: getattr(submission, name) for name in forms.DETAIL_FIELDS}
    initial.update(protocol_version=submission.protocol_version_id, parent=submission.parent_id)
    return forms.EditForm(
        data, initial=initial, versions=list(selectors.protocol_versions(access)), parents=_parents(access, submission)
    )


def document_choices(submission: Submission) -> list[DocumentVersion]:
    """The study's approved or final versions, and those the submission already carries."""
    return list(
        DocumentVersion.objects.filter(document__study_id=submission.study_id)
        .filter(Q(status__in=OFFERED) | Q(submissions=submission))
        .select_related("document")
        .distinct()
        .order_by("document__number", "uploaded_at", "id")
    )


def documents_form(submission: Submission, data=None) -> forms.DocumentsForm:
    initial = {"documents": list(submission.documents.values_list("pk", flat=True))}
    return forms.DocumentsForm(data, initial=initial, versions=document_choices(submission))


def _content(access: StudyAccess, submission: Submission) -> list[DocumentVersion]:
    """The versions the submission carries, as far as the reader may see them (site documents: their sites)."""
    versions = submission.documents.select_related("document").order_by("document__number", "version")
    if access.site_ids is not None:
        versions = versions.filter(Q(document__site__isnull=True) | Q(document__site_id__in=access.site_ids))
    return list(versions)


def _trail(access: StudyAccess, submission: Submission, questions, commitments) -> list | None:
    """The audit records of the submission, its questions and commitments (None: the reader may not read them)."""
    if not access.can(Perm.AUDIT_VIEW):
        return None
    wanted = (
        Q(object_type="regulatory.submission", object_id=str(submission.pk))
        | Q(object_type="regulatory.question", object_id__in=[str(q.pk) for q in questions])
        | Q(object_type="regulatory.commitment", object_id__in=[str(c.pk) for c in commitments])
    )
    return list(audit_for_study(access).filter(wanted)[:TRAIL_LIMIT])


def _detail(
    request: HttpRequest,
    access: StudyAccess,
    submission: Submission,
    *,
    failed: str = "",
    form=None,
    item_id: int | None = None,
) -> HttpResponse:
    """The submission page; `form` (the refused one) replaces the blank form of `failed`."""
    can_edit = access.can(EDIT)
    today = selectors.today_for(submission)
    steps = [
        (step, STEP_LABELS[step], form if failed == f"step_{step}" else step_form(step, submission))
        for step in allowed_steps(access, submission)
    ]
    questions = list(submission.questions.all())
    for q in questions:
        failed_here = failed == "answer" and q.pk == item_id
        q.answer_form = (
            (form if failed_here else forms.AnswerForm(initial={"answered_on": today}, prefix_id=f"answer{q.pk}"))
            if can_edit
            else None
        )
    commitments = list(submission.commitments.all())
    for c in commitments:
        failed_here = failed == "fulfil" and c.pk == item_id
        c.fulfil_form = (
            (form if failed_here else forms.FulfilForm(initial={"fulfilled_on": today}, prefix_id=f"fulfil{c.pk}"))
            if can_edit and c.fulfilled_on is None
            else None
        )

    def blank(name: str, make: Callable):
        if not can_edit:
            return None
        return form if failed == name else make()

    shown = failed.startswith("step_") and any(f"step_{s}" == failed for s, _l, _f in steps)
    shown = shown or failed in ("edit", "question", "commitment", "documents", "answer", "fulfil")
    context = {
        "study": access.membership.study,
        "submission": submission,
        "clocks": [clock_row(c) for c in selectors.submission_clocks(submission, today)],
        "today": today,
        "steps": steps,
        "questions": questions,
        "commitments": commitments,
        "content": _content(access, submission),
        "follow_ons": list(selectors.submission_list(access).filter(parent=submission).order_by("number")),
        "edit_form": blank("edit", lambda: edit_form(access, submission)),
        "question_form": blank("question", lambda: forms.QuestionForm(initial={"received_on": today})),
        "commitment_form": blank("commitment", forms.CommitmentForm),
        "documents_form": blank("documents", lambda: documents_form(submission)),
        "trail": _trail(access, submission, questions, commitments),
        "can_edit": can_edit,
        "failed": failed,
        "errors": [m for texts in form.errors.values() for m in texts] if form is not None and not shown else [],
    }
    return render(request, "regulatory/submission.html", context)


@login_required
@require_GET
def submission_page(request: HttpRequest, study_id: int, submission_id: int) -> HttpResponse:
    access, submission = found(request, study_id, submission_id, Perm.REGULATORY_VIEW)
    return _detail(request, access, submission)


def _post(
    request: HttpRequest,
    study_id: int,
    submission_id: int,
    name: str,
    make_form: Callable,
    call: Callable,
    *,
    item_id: int | None = None,
) -> HttpResponse:
    """Parse the form and call the service: redirect to the submission, or re-render it (200) with the errors."""
    access, submission = found(request, study_id, submission_id, EDIT)
    form = make_form(request.POST, access, submission)
    if form.is_valid():
        try:
            done = call(access, submission, form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, done)
            return redirect("regulatory:submission", study_id, submission.pk)
    submission = selectors.submission_get(access, submission.pk)
    return _detail(request, access, submission, failed=name, form=form, item_id=item_id)


@login_required
@require_POST
def submission_edit(request: HttpRequest, study_id: int, submission_id: int) -> HttpResponse:
    def make(data, access, submission):
        return edit_form(access, submission, data)

    def call(access, submission, data):
        changes = {name: data[name] for name in forms.DETAIL_FIELDS}
        changes["protocol_version"] = (
            selectors.protocol_versions(access).get(pk=data["protocol_version"]) if data["protocol_version"] else None
        )
        changes["parent"] = selectors.submission_get(access, data["parent"]) if data["parent"] else None
        services.submission_update(actor=request.user, submission=submission, changes=changes, reason=data["reason"])
        return _("Submission details saved.")

    return _post(request, study_id, submission_id, "edit", make, call)


@login_required
@require_POST
def submission_step(request: HttpRequest, study_id: int, submission_id: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404(_("No such step."))

    def make(data, _access, submission):
        return step_form(step, submission, data)

    def call(_access, submission, data):
        services.submission_step(
            actor=request.user,
            submission=submission,
            step=step,
            on=data["on"],
            note=data.get("note", ""),
            expires_on=data.get("expires_on"),
        )
        return _("Submission %(number)s: %(step)s.") % {
            "number": submission.number,
            "step": str(STEP_LABELS[step]).lower(),
        }

    return _post(request, study_id, submission_id, f"step_{step}", make, call)


@login_required
@require_POST
def question_add(request: HttpRequest, study_id: int, submission_id: int) -> HttpResponse:
    def make(data, _access, _submission):
        return forms.QuestionForm(data)

    def call(_access, submission, data):
        question = services.question_add(actor=request.user, submission=submission, **data)
        return _("Question %(n)d recorded.") % {"n": question.number}

    return _post(request, study_id, submission_id, "question", make, call)


def _question(submission: Submission, question_id: int) -> Question:
    question = submission.questions.filter(pk=question_id).first()
    if question is None:
        raise Http404(_("No such question."))
    return question


@login_required
@require_POST
def question_answer(request: HttpRequest, study_id: int, submission_id: int, question_id: int) -> HttpResponse:
    def make(data, _access, submission):
        _question(submission, question_id)
        return forms.AnswerForm(data, prefix_id=f"answer{question_id}")

    def call(_access, submission, data):
        question = services.question_answer(actor=request.user, question=_question(submission, question_id), **data)
        return _("Answer to question %(n)d recorded.") % {"n": question.number}

    return _post(request, study_id, submission_id, "answer", make, call, item_id=question_id)


@login_required
@require_POST
def commitment_add(request: HttpRequest, study_id: int, submission_id: int) -> HttpResponse:
    def make(data, _access, _submission):
        return forms.CommitmentForm(data)

    def call(_access, submission, data):
        services.commitment_add(actor=request.user, submission=submission, **data)
        return _("Commitment recorded.")

    return _post(request, study_id, submission_id, "commitment", make, call)


def _commitment(submission: Submission, commitment_id: int) -> Commitment:
    commitment = submission.commitments.filter(pk=commitment_id).first()
    if commitment is None:
        raise Http404(_("No such commitment."))
    return commitment


@login_required
@require_POST
def commitment_fulfil(request: HttpRequest, study_id: int, submission_id: int, commitment_id: int) -> HttpResponse:
    def make(data, _access, submission):
        _commitment(submission, commitment_id)
        return forms.FulfilForm(data, prefix_id=f"fulfil{commitment_id}")

    def call(_access, submission, data):
        services.commitment_fulfil(actor=request.user, commitment=_commitment(submission, commitment_id), **data)
        return _("Commitment fulfilled.")

    return _post(request, study_id, submission_id, "fulfil", make, call, item_id=commitment_id)


@login_required
@require_POST
def submission_documents(request: HttpRequest, study_id: int, submission_id: int) -> HttpResponse:
    def make(data, _access, submission):
        return documents_form(submission, data)

    def call(_access, submission, data):
        versions = DocumentVersion.objects.filter(pk__in=data["documents"]).select_related("document")
        services.submission_documents_set(
            actor=request.user, submission=submission, versions=versions, reason=data["reason"]
        )
        return _("Content saved.")

    return _post(request, study_id, submission_id, "documents", make, call)
