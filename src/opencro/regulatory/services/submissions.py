"""Submissions and their life: plan, submit, acknowledge, validate, decide (approve, reject) or withdraw; questions
and answers; commitments. An approval dates the start-up milestone that gates the green light of the country's
sites (initial authority application: regulatory approval; initial ethics review: central or local ethics
approval), so "may this site start?" reads the submission tracker, not a second record kept by hand.
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.audit.services import audit_batch, audited_save
from opencro.regulatory.clocks import add_days, add_months
from opencro.regulatory.models import (
    ApplicationCategory,
    Commitment,
    CommitteeScope,
    EthicsCommittee,
    EthicsKind,
    Question,
    Submission,
    SubmissionStatus,
)
from opencro.regulatory.services._access import not_future, regulatory_require
from opencro.regulatory.services._links import links_set
from opencro.startup.models import MilestoneKind, StartupMilestone
from opencro.studies.models import Site, Study

AUTHORITY_PREFIX, ETHICS_PREFIX = "RA-", "EC-"
EDITABLE = (
    "title",
    "product",
    "reference",
    "sequence",
    "protocol_version",
    "parent",
    "planned_on",
    "submitted_on",
    "acknowledged_on",
    "validated_on",
    "decided_on",
    "decision_note",
    "expires_on",
)
# step -> (statuses it may follow, the date field it sets, the status it leads to)
STEPS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "submit": ((SubmissionStatus.PLANNED,), "submitted_on", SubmissionStatus.SUBMITTED),
    "acknowledge": ((SubmissionStatus.SUBMITTED, SubmissionStatus.UNDER_REVIEW), "acknowledged_on", "under_review"),
    "validate": ((SubmissionStatus.SUBMITTED, SubmissionStatus.UNDER_REVIEW), "validated_on", "under_review"),
    "approve": ((SubmissionStatus.SUBMITTED, SubmissionStatus.UNDER_REVIEW), "decided_on", SubmissionStatus.APPROVED),
    "reject": ((SubmissionStatus.SUBMITTED, SubmissionStatus.UNDER_REVIEW), "decided_on", SubmissionStatus.REJECTED),
    "withdraw": (
        (SubmissionStatus.PLANNED, SubmissionStatus.SUBMITTED, SubmissionStatus.UNDER_REVIEW),
        "decided_on",
        SubmissionStatus.WITHDRAWN,
    ),
}


def _next_number(study: Study, prefix: str) -> str:
    last = Submission.objects.filter(study=study, number__startswith=prefix).aggregate(n=Max("number"))["n"]
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:04d}"


def submission_create(*, actor: User | None, submission: Submission) -> Submission:
    """Plan a submission (to an authority, of an application type, or to an ethics committee, of a kind)."""
    regulatory_require(actor, submission.study)
    with transaction.atomic():
        Study.objects.select_for_update(of=("self",)).get(pk=submission.study_id)  # one number at a time
        prefix = ETHICS_PREFIX if submission.committee_id else AUTHORITY_PREFIX
        submission.number = _next_number(submission.study, prefix)
        submission.status = SubmissionStatus.PLANNED
        if submission.owner_id is None and actor is not None:
            submission.owner = actor
        return audited_save(submission, actor=actor, trusted=("study",))


def submission_update(*, actor: User | None, submission: Submission, changes: dict, reason: str) -> Submission:
    """Change the submission's details or correct its dates (with a reason); the status moves only by steps."""
    regulatory_require(actor, submission.study)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed here.")})
    with transaction.atomic(), audit_batch():
        submission = Submission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
        for name, value in changes.items():
            setattr(submission, name, value)
        not_future(submission.country, **{f: getattr(submission, f) for f in STEP_DATES})
        _dates_agree_with_status(submission)
        submission = audited_save(submission, actor=actor, reason=reason)
        _dates_milestones(submission, actor=actor)
        return submission


STEP_DATES = ("submitted_on", "acknowledged_on", "validated_on", "decided_on")


def _dates_agree_with_status(submission: Submission) -> None:
    """A correction keeps the dates the status stands on: submitted ones have a submission date, decided ones a
    decision date."""
    errors = {}
    if (
        submission.status != SubmissionStatus.PLANNED
        and submission.submitted_on is None
        and (submission.status != SubmissionStatus.WITHDRAWN)
    ):
        errors["submitted_on"] = _("A submission that is %(status)s keeps its submission date.")
    if submission.status in (SubmissionStatus.APPROVED, SubmissionStatus.REJECTED, SubmissionStatus.WITHDRAWN) and (
        submission.decided_on is None
    ):
        errors["decided_on"] = _("A submission that is %(status)s keeps its decision date.")
    if errors:
        status = submission.get_status_display().lower()
        raise ValidationError({name: message % {"status": status} for name, message in errors.items()})


def submission_step(
    *,
    actor: User | None,
    submission: Submission,
    step: str,
    on: dt.date,
    note: str = "",
    expires_on: dt.date | None = None,
    reason: str = "",
) -> Submission:
    """Record a step of the submission on `on` (its actual date). Approving an ethics submission sets the approval's
    expiry from the committee's continuing-review interval unless given; a type in effect once submitted (an IND
    protocol amendment) is approved on its submission day."""
    regulatory_require(actor, submission.study)
    if step not in STEPS:
        raise ValidationError({"step": _("Unknown step %(step)s.") % {"step": step}})
    allowed, field, status = STEPS[step]
    with transaction.atomic(), audit_batch():
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("application_type", "committee", "country")
            .get(pk=submission.pk)
        )
        if submission.status not in allowed:
            raise ValidationError(
                {
                    "step": _("A submission that is %(status)s cannot be %(step)s.")
                    % {"status": submission.get_status_display().lower(), "step": _step_label(step)}
                }
            )
        not_future(submission.country, **{field: on})
        setattr(submission, field, on)
        submission.status = status
        if step in ("approve", "reject", "withdraw") and note:
            submission.decision_note = note
        if step == "approve":
            submission.expires_on = expires_on or _ethics_expiry(submission, on)
        if step == "submit" and submission.application_type and submission.application_type.effective_on_submission:
            submission.decided_on, submission.status = on, SubmissionStatus.APPROVED
            submission.decision_note = note or _("In effect once submitted (%(basis)s).") % {
                "basis": submission.application_type.reference or submission.application_type.code
            }
        submission = audited_save(submission, actor=actor, reason=reason or _step_label(step))
        _dates_milestones(submission, actor=actor)
        return submission


def _step_label(step: str) -> str:
    return {
        "submit": _("submitted"),
        "acknowledge": _("acknowledged"),
        "validate": _("validated"),
        "approve": _("approved"),
        "reject": _("rejected"),
        "withdraw": _("withdrawn"),
    }[step]


def _ethics_expiry(submission: Submission, decided_on: dt.date) -> dt.date | None:
    """The last day of an ethics approval: the committee's interval less a day (OHRP's convention for 45 CFR
    46.109(e) and 21 CFR 56.109(f): approved on 1 March, expires on the last day of February)."""
    months = submission.committee.continuing_review_months if submission.committee_id else None
    if not months or submission.ethics_kind not in (EthicsKind.INITIAL, EthicsKind.CONTINUING_REVIEW):
        return submission.expires_on  # an amendment's approval does not restart the approval period
    return add_months(decided_on, months) - dt.timedelta(days=1)


def _dates_milestones(submission: Submission, *, actor) -> None:
    """Date the start-up milestones of the submission's submission and approval (when it has them)."""
    if submission.submitted_on:
        _milestones_date(submission, submitted=True, actor=actor)
    if submission.status == SubmissionStatus.APPROVED:
        _milestones_date(submission, submitted=False, actor=actor)


def _milestones_date(submission: Submission, *, submitted: bool, actor) -> None:
    """Date the start-up milestones this submission stands for (only an initial application or review), keeping an
    earlier date already recorded."""
    day = submission.submitted_on if submitted else submission.decided_on
    if day is None:
        return
    if submission.authority_id:
        if submission.application_type.category != ApplicationCategory.INITIAL:
            return
        kind = MilestoneKind.REGULATORY_SUBMISSION if submitted else MilestoneKind.REGULATORY_APPROVAL
        _milestone_date(submission, kind, day, actor=actor, country=submission.country)
        return
    if submission.ethics_kind != EthicsKind.INITIAL:
        return
    committee: EthicsCommittee = submission.committee
    if committee.scope == CommitteeScope.CENTRAL:
        kind = MilestoneKind.CENTRAL_ETHICS_SUBMISSION if submitted else MilestoneKind.CENTRAL_ETHICS_APPROVAL
        _milestone_date(submission, kind, day, actor=actor, country=submission.country)
    elif not submitted:
        for site in committee.sites.all():
            _milestone_date(submission, MilestoneKind.LOCAL_ETHICS_APPROVAL, day, actor=actor, site=site)


def _milestone_date(submission: Submission, kind: str, day: dt.date, *, actor, country=None, site=None) -> None:
    where = {"site": site} if site is not None else {"country": country}
    milestone = StartupMilestone.objects.select_for_update(of=("self",)).filter(kind=kind, **where).first()
    if milestone is not None and milestone.actual_on is not None and milestone.actual_on <= day:
        return
    milestone = milestone or StartupMilestone(study_id=submission.study_id, kind=kind, **where)
    milestone.actual_on = day
    audited_save(milestone, actor=actor, reason=_("dated by submission %(number)s") % {"number": submission.number})


def question_add(
    *, actor: User | None, submission: Submission, received_on: dt.date, text: str, response_due_on=None
) -> Question:
    """Record a question from the authority or committee; its answer is due by the date given or, when the
    application type has a clock for answers, by that clock's end."""
    regulatory_require(actor, submission.study)
    not_future(submission.country, received_on=received_on)
    with transaction.atomic():
        submission = Submission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
        number = (submission.questions.aggregate(n=Max("number"))["n"] or 0) + 1
        due = response_due_on or _answer_due(submission, received_on)
        question = Question(
            submission=submission, number=number, received_on=received_on, text=text, response_due_on=due
        )
        return audited_save(question, actor=actor, trusted=("submission",))


def _answer_due(submission: Submission, received_on: dt.date) -> dt.date | None:
    if not submission.application_type_id:
        return None
    rule = submission.application_type.clocks.filter(starts="question").first()
    return add_days(received_on, rule.days, rule.basis) if rule else None


def question_answer(
    *, actor: User | None, question: Question, answered_on: dt.date, answer: str, reason: str = ""
) -> Question:
    """Record the answer sent (a correction of an earlier answer needs a reason)."""
    submission = question.submission
    regulatory_require(actor, submission.study)
    not_future(submission.country, answered_on=answered_on)
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer sent.")})
    with transaction.atomic():
        question = Question.objects.select_for_update(of=("self",)).get(pk=question.pk)
        if question.answered_on is not None and not reason.strip():
            raise ValidationError({"reason": _("Say why the answer recorded is corrected.")})
        question.answered_on, question.answer = answered_on, answer
        return audited_save(question, actor=actor, reason=reason or _("answered"))


def commitment_add(*, actor: User | None, submission: Submission, description: str, due_on: dt.date) -> Commitment:
    """Record a commitment made to the authority or committee."""
    regulatory_require(actor, submission.study)
    with transaction.atomic():
        commitment = Commitment(submission=submission, description=description, due_on=due_on)
        return audited_save(commitment, actor=actor, trusted=("submission",))


def commitment_fulfil(
    *, actor: User | None, commitment: Commitment, fulfilled_on: dt.date, note: str = "", reason: str = ""
) -> Commitment:
    """Record that a commitment was met."""
    submission = commitment.submission
    regulatory_require(actor, submission.study)
    not_future(submission.country, fulfilled_on=fulfilled_on)
    with transaction.atomic():
        commitment = Commitment.objects.select_for_update(of=("self",)).get(pk=commitment.pk)
        if commitment.fulfilled_on is not None and not reason.strip():
            raise ValidationError({"reason": _("Say why the fulfilment recorded is corrected.")})
        commitment.fulfilled_on, commitment.note = fulfilled_on, note or commitment.note
        return audited_save(commitment, actor=actor, reason=reason or _("fulfilled"))


def committee_save(
    *, actor: User | None, committee: EthicsCommittee, sites: Iterable[Site] | None = None, reason: str = ""
) -> EthicsCommittee:
    """Create or change an ethics committee; a local committee reviews for the sites given (of its country)."""
    regulatory_require(actor, committee.study)
    with transaction.atomic():
        committee = audited_save(committee, actor=actor, reason=reason)
        if sites is not None:
            sites = list(sites)
            wrong = [
                s.number for s in sites if s.study_id != committee.study_id or s.country_id != committee.country_id
            ]
            if wrong:
                message = _("Not sites of the committee's country: %(sites)s") % {"sites": ", ".join(wrong)}
                raise ValidationError({"sites": message})
            if committee.scope == CommitteeScope.CENTRAL and sites:
                raise ValidationError({"sites": _("A central committee reviews for every site of its country.")})
        if committee.scope == CommitteeScope.CENTRAL:
            sites = []  # a central committee names no sites (a local one turned central drops its list)
        if sites is not None:
            links_set(actor=actor, instance=committee, field="sites", targets=sites, reason=reason or _("sites"))
        return committee


def submission_documents_set(
    *, actor: User | None, submission: Submission, versions: Iterable, reason: str = ""
) -> Submission:
    """Set the document versions a submission carries (approved or final versions of the study's documents)."""
    from opencro.documents.models import VersionStatus

    regulatory_require(actor, submission.study)
    versions = list(versions)
    usable = (VersionStatus.APPROVED, VersionStatus.FINAL, VersionStatus.SUPERSEDED)
    wrong = [str(v) for v in versions if v.document.study_id != submission.study_id or v.status not in usable]
    if wrong:
        message = _("Only approved versions of this study's documents: %(versions)s") % {"versions": ", ".join(wrong)}
        raise ValidationError({"documents": message})
    with transaction.atomic():
        submission = Submission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
        links_set(actor=actor, instance=submission, field="documents", targets=versions, reason=reason or _("content"))
        return submission
