"""Writes about the eligibility checklist: the site records each criterion; the investigator confirms, e-signed.

Each criterion of the protocol is assessed met or not met; the computed result (criteria.py) is kept
beside it, and an assessment that differs from it needs a comment. Confirming the checklist is the
investigator's e-signature (Perm.SIGNOFF, re-authenticated); a not-met inclusion or a met exclusion makes
the outcome "not eligible" and the subject a screen failure, with those criteria as the reasons.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import SignatureMeaning, User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audited_save
from opencro.edc.esign import signature_record
from opencro.studies.models import CriterionKind, EligibilityCriterion
from opencro.subjects import services
from opencro.subjects.criteria import SubjectFacts, criterion_compute
from opencro.subjects.guards import reauthenticate, site_require
from opencro.subjects.models import (
    Assessment,
    CriterionAssessment,
    EligibilityOutcome,
    EligibilityReview,
    Subject,
    SubjectStatus,
)


def _open_review(subject: Subject) -> EligibilityReview:
    if subject.status != SubjectStatus.SCREENING:
        raise ValidationError({"subject": _("Eligibility is assessed while the participant is in screening.")})
    review = EligibilityReview.objects.filter(subject=subject).first()
    if review is not None and review.outcome != EligibilityOutcome.OPEN:
        raise ValidationError({"subject": _("The investigator has already confirmed this checklist.")})
    return review


def _record(
    *, actor, subject: Subject, review, answers: Mapping[int, str], comments: Mapping[int, str]
) -> EligibilityReview:
    criteria = {c.pk: c for c in EligibilityCriterion.objects.filter(study_id=subject.study_id)}
    unknown = set(answers) - set(criteria)
    if unknown:
        raise ValidationError({"answers": _("Unknown criteria: %(ids)s") % {"ids": sorted(unknown)}})
    errors = {}
    facts = SubjectFacts(subject)
    if review is None:
        review = audited_save(
            EligibilityReview(study_id=subject.study_id, site_id=subject.site_id, subject=subject), actor=actor
        )
    existing = {a.criterion_id: a for a in review.assessments.all()}
    for pk, answer in answers.items():
        criterion = criteria[pk]
        if answer not in Assessment.values:
            errors[f"criterion_{pk}"] = _("Answer met or not met.")
            continue
        computed = criterion_compute(criterion, facts)
        comment = (comments.get(pk) or "").strip()
        if computed.result and computed.result != answer and not comment:
            errors[f"criterion_{pk}"] = _(
                "%(criterion)s: your assessment differs from the value computed from the data; say why."
            ) % {"criterion": criterion}
            continue
        row = existing.get(pk) or CriterionAssessment(review=review, criterion=criterion)
        row.computed, row.computed_note, row.assessed, row.comment = computed.result, computed.note, answer, comment
        audited_save(row, actor=actor, reason=_("eligibility assessment changed"))
    if errors:
        raise ValidationError(errors)
    return review


def eligibility_record(
    *,
    actor: User | None,
    subject: Subject,
    answers: Mapping[int, str],
    comments: Mapping[int, str] | None = None,
    known: StudyAccess | None = None,
) -> EligibilityReview:
    """Record the site's assessment of some or all criteria (criterion id -> "met" / "not_met")."""
    site_require(actor, subject.site, known=known)
    with transaction.atomic():
        review = _open_review(subject)
        return _record(actor=actor, subject=subject, review=review, answers=answers, comments=comments or {})


def eligibility_confirm(
    *,
    actor: User | None,
    subject: Subject,
    password: str,
    answers: Mapping[int, str] | None = None,
    comments: Mapping[int, str] | None = None,
    known: StudyAccess | None = None,
) -> EligibilityReview:
    """The investigator confirms the whole checklist (e-signed); not eligible makes the subject a screen failure."""
    site_require(actor, subject.site, Perm.SIGNOFF, known=known)
    _open_review(subject)
    reauthenticate(actor, password)
    with transaction.atomic():
        review = _record(
            actor=actor, subject=subject, review=_open_review(subject), answers=answers or {}, comments=comments or {}
        )
        assessed = {a.criterion_id: a for a in review.assessments.select_related("criterion")}
        criteria = list(EligibilityCriterion.objects.filter(study_id=subject.study_id))
        missing = [str(c) for c in criteria if c.pk not in assessed]
        if missing:
            raise ValidationError(
                {"answers": _("Assess every criterion first: %(list)s.") % {"list": ", ".join(missing)}}
            )
        failures = [
            a
            for a in assessed.values()
            if (a.criterion.kind == CriterionKind.INCLUSION) == (a.assessed == Assessment.NOT_MET)
        ]
        review.outcome = EligibilityOutcome.NOT_ELIGIBLE if failures else EligibilityOutcome.ELIGIBLE
        review.confirmed_by, review.confirmed_at = actor, timezone.now()
        review.confirmed_by_name = actor.printed_name if actor else _("system")
        audited_save(review, actor=actor, reason=_("eligibility confirmed by the investigator"))
        if actor is not None:
            signature_record(actor=actor, instance=review, meaning=SignatureMeaning.APPROVE)
        if failures:
            reasons = "; ".join(
                f"{a.criterion} {_('not met') if a.assessed == Assessment.NOT_MET else _('met')}: {a.criterion.text}"
                for a in sorted(
                    failures, key=lambda a: (a.criterion.kind != CriterionKind.INCLUSION, a.criterion.number)
                )
            )
            services.subject_screen_fail(
                actor=actor, subject=subject, reason=_("Not eligible: %(reasons)s") % {"reasons": reasons}
            )
    return review
