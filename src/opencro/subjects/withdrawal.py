"""Writes about withdrawal of consent (ICH E6(R3) 2.8.10; EU CTR Art. 28(3): data obtained before withdrawal stay).

A withdrawal records when, from what (treatment only, follow-up visits, or all further data collection),
whether the data collected so far may be used, and the reason if the participant gave one. Withdrawal from
all further data collection makes the subject "withdrawn"; any withdrawal stops enrolment, and after a
full withdrawal no consent can be taken.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import User
from opencro.audit.services import audited_save
from opencro.studies.dates import site_today
from opencro.subjects.guards import site_require
from opencro.subjects.models import ConsentWithdrawal, Subject, SubjectStatus, WithdrawalScope


def consent_withdraw(
    *,
    actor: User | None,
    subject: Subject,
    withdrawn_on: dt.date,
    scope: str,
    data_may_be_used: bool,
    reason: str = "",
    known: StudyAccess | None = None,
) -> ConsentWithdrawal:
    """Record a withdrawal of consent; from all further data collection, the subject becomes withdrawn."""
    site_require(actor, subject.site, known=known)
    if subject.status in (SubjectStatus.WITHDRAWN, SubjectStatus.COMPLETED, SubjectStatus.SCREEN_FAILED):
        raise ValidationError({"subject": _("The participant is no longer taking part: nothing to withdraw from.")})
    if scope not in WithdrawalScope.values:
        raise ValidationError({"scope": _("Choose what the participant withdraws from.")})
    first = subject.consents.order_by("obtained_at").first()
    if first is None:
        raise ValidationError({"subject": _("The participant has not consented.")})
    if withdrawn_on > site_today(subject.site):
        raise ValidationError({"withdrawn_on": _("The date is in the future.")})
    if withdrawn_on < first.signed_on:
        raise ValidationError({"withdrawn_on": _("The date precedes the participant's consent.")})
    if subject.withdrawals.filter(scope=scope).exists():
        raise ValidationError({"scope": _("This withdrawal is already recorded.")})
    withdrawal = ConsentWithdrawal(
        study_id=subject.study_id,
        site_id=subject.site_id,
        subject=subject,
        withdrawn_on=withdrawn_on,
        scope=scope,
        data_may_be_used=data_may_be_used,
        reason=reason.strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    with transaction.atomic():
        audited_save(withdrawal, actor=actor)
        if scope == WithdrawalScope.ALL:
            subject.status = SubjectStatus.WITHDRAWN
            audited_save(subject, actor=actor, reason=_("consent withdrawn from all further data collection"))
    return withdrawal
