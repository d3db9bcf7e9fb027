"""Feasibility writes: the study's questionnaire and its questions, invitations (a secret link per candidate),
the candidate's answers through that link, and the selection of a candidate as a study site.

The token of an invitation is drawn with `secrets.token_urlsafe` and shown once; only its SHA-256 is stored, and
the public page finds the invitation by that hash (an indexed equality lookup, then a constant-time comparison).
An invitation is answered once, before it expires; after that its page is read-only.
"""

import datetime as dt
import hashlib
import hmac
import logging
import math
import secrets
import smtplib
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.audit.services import audited_delete, audited_save
from opencro.sites.models import (
    WEIGHT_FIELDS,
    Answer,
    AnswerType,
    Institution,
    Investigator,
    Invitation,
    Question,
    Questionnaire,
    SiteLink,
)
from opencro.sites.services._access import registry_require
from opencro.studies.models import Country, SiteStatus, Study
from opencro.studies.services import site_create

logger = logging.getLogger(__name__)
TOKEN_BYTES = 32  # 256 bits
DAYS_MAX = 365
YES, NO = "yes", "no"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation of a presented token, or None (found by the token's hash, compared in constant time)."""
    if not token or len(token) > 200:
        return None
    wanted = token_hash(token)
    found = Invitation.objects.select_related("questionnaire", "institution").filter(token_hash=wanted).first()
    if found is None or not hmac.compare_digest(found.token_hash, wanted):
        return None
    return found


@dataclass(frozen=True)
class Respondent:
    """Who answers through the public page (not a user): recorded as the audit trail's user name."""

    name: str

    @property
    def username(self) -> str:
        return f"site respondent: {self.name}"[:150]

    is_authenticated = False


def questionnaire_save(
    *,
    actor: User | None,
    study: Study,
    title: str,
    introduction: str = "",
    condition: str = "",
    weights: dict[str, int] | None = None,
    reason: str = "",
) -> Questionnaire:
    """Create the study's questionnaire, or change its title, text, condition and weights (with a reason)."""
    registry_require(actor, study)
    questionnaire = Questionnaire.objects.filter(study=study).first() or Questionnaire(study=study)
    questionnaire.title = title.strip()
    questionnaire.introduction = introduction.strip()
    questionnaire.condition = condition.strip()
    unknown = sorted(set(weights or {}) - set(WEIGHT_FIELDS))
    if unknown:
        raise ValidationError({name: _("Unknown weight.") for name in unknown})
    for name, value in (weights or {}).items():
        setattr(questionnaire, name, value)
    with transaction.atomic():
        return audited_save(questionnaire, actor=actor, reason=reason)


def _unsent(questionnaire: Questionnaire) -> None:
    if questionnaire.invitations.exists():
        raise ValidationError(
            _("The questionnaire has been sent: its questions cannot change (the answers would not match).")
        )


def question_add(
    *,
    actor: User | None,
    questionnaire: Questionnaire,
    text: str,
    answer_type: str,
    weight: int = 1,
    yes_is_good: bool = True,
    threshold: float | None = None,
    choices: list | None = None,
) -> Question:
    """Add a question (yes/no, number with a threshold, or choice with points per choice) before sending."""
    registry_require(actor, questionnaire.study_id)
    _unsent(questionnaire)
    last = questionnaire.questions.order_by("-order").values_list("order", flat=True).first() or 0
    question = Question(
        questionnaire=questionnaire,
        order=last + 1,
        text=text.strip(),
        answer_type=answer_type,
        weight=weight,
        yes_is_good=yes_is_good,
        threshold=threshold,
        choices=[[str(label).strip(), points] for label, points in (choices or [])],
    )
    with transaction.atomic():
        return audited_save(question, actor=actor)


def question_delete(*, actor: User, question: Question, reason: str) -> None:
    registry_require(actor, question.questionnaire.study_id)
    _unsent(question.questionnaire)
    with transaction.atomic():
        audited_delete(question, actor=actor, reason=reason)


def invitation_create(
    *,
    actor: User | None,
    questionnaire: Questionnaire,
    institution: Institution,
    investigator: Investigator | None = None,
    contact_email: str = "",
    days: int = 30,
    base_url: str = "",
) -> tuple[Invitation, str]:
    """Invite a candidate institution; returns the invitation and its token (shown once, stored as a hash).

    With a contact e-mail, the link is mailed to it once the invitation is committed (`settings.OPENCRO_BASE_URL`,
    else `base_url`, the address the manager's page was served from, makes it a full address).
    """
    registry_require(actor, questionnaire.study_id)
    if not questionnaire.questions.exists():
        raise ValidationError(_("Add questions before inviting sites."))
    if not 1 <= days <= DAYS_MAX:
        raise ValidationError({"days": _("An invitation lasts 1 to %(max)d days.") % {"max": DAYS_MAX}})
    if investigator is not None and investigator.institution_id != institution.pk:
        raise ValidationError({"investigator": _("The investigator works at another institution.")})
    now = timezone.now()
    with transaction.atomic():
        open_ones = Invitation.objects.select_for_update(of=("self",)).filter(
            questionnaire=questionnaire, institution=institution, answered_at__isnull=True, expires_at__gt=now
        )
        if open_ones.exists():
            raise ValidationError({"institution": _("This institution has an open invitation already.")})
        token = secrets.token_urlsafe(TOKEN_BYTES)
        invitation = Invitation(
            questionnaire=questionnaire,
            institution=institution,
            investigator=investigator,
            contact_email=contact_email.strip(),
            token_hash=token_hash(token),
            sent_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        audited_save(invitation, actor=actor)
        if invitation.contact_email:
            message = _invitation_message(invitation, token, settings.OPENCRO_BASE_URL or base_url)
            transaction.on_commit(partial(_deliver, message), robust=True)
    return invitation, token


def _invitation_message(invitation: Invitation, token: str, base_url: str) -> mail.EmailMessage:
    link = base_url.rstrip("/") + reverse("feasibility_respond", kwargs={"token": token})
    questionnaire = invitation.questionnaire
    body = _(
        "%(institution)s is invited to answer the questionnaire “%(title)s”.\n\n%(introduction)s\n\n"
        "Answer here, once, before %(expires)s (UTC): %(link)s\n\nThis link is personal to your institution."
    ) % {
        "institution": invitation.institution.name,
        "title": questionnaire.title,
        "introduction": questionnaire.introduction,
        "expires": invitation.expires_at.strftime("%Y-%m-%d %H:%M"),
        "link": link,
    }
    return mail.EmailMessage(subject=questionnaire.title, body=body, to=[invitation.contact_email])


def _deliver(message: mail.EmailMessage) -> None:
    try:
        message.send()
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not send a feasibility invitation; its link was shown to the manager")


def _answer_value(question: Question, raw: Any) -> str:
    """The canonical text of an answer, or ValidationError naming the question."""
    text = "" if raw is None else str(raw).strip()
    key = f"q{question.pk}"
    if not text:
        raise ValidationError({key: _("Answer this question.")})
    if question.answer_type == AnswerType.YES_NO:
        if text.lower() not in (YES, NO):
            raise ValidationError({key: _("Answer yes or no.")})
        return text.lower()
    if question.answer_type == AnswerType.NUMBER:
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise ValidationError({key: _("Give a number.")}) from None
        if not math.isfinite(number) or number < 0 or number > 1e12:
            raise ValidationError({key: _("Give a number of zero or more.")})
        return f"{number:g}"
    labels = [label for label, _points in question.choices]
    if text not in labels:
        raise ValidationError({key: _("Choose one of the choices.")})
    return text


def invitation_answer(*, token: str, respondent: str, values: dict[int, Any]) -> Invitation:
    """Record a candidate's answers to every question, once, before the invitation expires (no user: the token)."""
    respondent = (respondent or "").strip()
    if not respondent:
        raise ValidationError({"respondent": _("Give your name.")})
    found = invitation_by_token(token)
    if found is None:
        raise ValidationError(_("This link is not valid."))
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=found.pk)
        if invitation.answered_at is not None:
            raise ValidationError(_("This questionnaire has been answered already."))
        now = timezone.now()
        if now >= invitation.expires_at:
            raise ValidationError(_("This invitation has expired."))
        questions = list(invitation.questionnaire.questions.all())
        errors: dict[str, list[str]] = {}
        clean: dict[int, str] = {}
        for question in questions:
            try:
                clean[question.pk] = _answer_value(question, values.get(question.pk))
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        who = Respondent(respondent[:200])
        for question in questions:
            audited_save(Answer(invitation=invitation, question=question, value=clean[question.pk]), actor=who)
        invitation.answered_at = now
        invitation.respondent = respondent[:200]
        audited_save(invitation, actor=who, reason="answered through the feasibility link")
    return invitation


def candidate_select(
    *,
    actor: User | None,
    invitation: Invitation,
    number: str,
    time_zone: str,
    target_enrolment: int = 0,
    principal_investigator: str = "",
    reason: str = "selected after feasibility",
) -> SiteLink:
    """Make an answered candidate a site of the study (status "selected"), linked to its registry entry."""
    study = invitation.questionnaire.study
    registry_require(actor, study)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("institution", "investigator")
            .get(pk=invitation.pk)
        )
        if invitation.answered_at is None:
            raise ValidationError(_("Only a candidate that answered the questionnaire can be selected."))
        if invitation.site_id is not None:
            raise ValidationError(_("This candidate is a site of the study already."))
        institution = invitation.institution
        country = Country.objects.filter(study=study, code=institution.country_code).first()
        if country is None:
            raise ValidationError(
                {"country": _("Add %(code)s to the study's countries first.") % {"code": institution.country_code}}
            )
        site = site_create(
            actor=actor,
            study=study,
            number=number.strip(),
            institution=institution.name[:200],
            principal_investigator=(invitation.investigator.name if invitation.investigator else "")
            or principal_investigator.strip(),
            country=country,
            city=institution.city,
            time_zone=time_zone.strip(),
            status=SiteStatus.SELECTED,
            target_enrolment=target_enrolment,
        )
        invitation.site = site
        audited_save(invitation, actor=actor, reason=reason)
        link = SiteLink(site=site, institution=institution, investigator=invitation.investigator)
        return audited_save(link, actor=actor)
