"""Writes to the signal workspace's review: the steps a signal takes from detection to decision, and its triage.

The steps follow CIOMS Working Group VIII (Practical Aspects of Signal Detection in Pharmacovigilance, 2010) and
EMA GVP Module IX (Signal management, IX.B; IX.B.5 asks for an audit trail of every step, its decision and its
rationale, with dates showing timeliness): a detected signal is validated (is there
enough evidence to justify assessing it?) or not, a validated one is assessed, and the assessment ends in a
recommendation (refuted, monitored, or a new risk needing action). Each step records its rationale; validating,
not validating and closing are decisions, e-signed with the signer's password (21 CFR 11.200). A closed or
non-validated signal can be reopened, with a reason, when new evidence arrives.

Only study-wide holders of `safety.edit` take these steps (signals are about the product, not a site's data).
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import Membership, SignatureMeaning, User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audit_batch, audited_save
from opencro.core.text import explanation_required
from opencro.edc.esign import password_confirm, signature_record
from opencro.safety.models import Signal, SignalDecision, SignalPriority, SignalStatus, SignalStep


@dataclass(frozen=True)
class SignalMove:
    """A step a signal can take: from which states, to which, whether it is a signed decision."""

    code: str
    label: object
    sources: tuple[str, ...]
    target: str
    signed: bool
    meaning: str = ""


MOVES: dict[str, SignalMove] = {
    move.code: move
    for move in (
        SignalMove("start", gettext_lazy("Start validation"), (SignalStatus.NEW,), SignalStatus.REVIEW, False),
        SignalMove(
            "validate",
            gettext_lazy("Validate"),
            (SignalStatus.REVIEW,),
            SignalStatus.VALIDATED,
            True,
            SignatureMeaning.REVIEW,
        ),
        SignalMove(
            "dismiss",
            gettext_lazy("Not validated"),
            (SignalStatus.NEW, SignalStatus.REVIEW),
            SignalStatus.NOT_VALIDATED,
            True,
            SignatureMeaning.REVIEW,
        ),
        SignalMove(
            "close",
            gettext_lazy("Close with a decision"),
            (SignalStatus.VALIDATED,),
            SignalStatus.CLOSED,
            True,
            SignatureMeaning.APPROVE,
        ),
        SignalMove(
            "reopen",
            gettext_lazy("Reopen"),
            (SignalStatus.NOT_VALIDATED, SignalStatus.CLOSED),
            SignalStatus.REVIEW,
            False,
        ),
    )
}


def signal_require(actor: User | None, study_id: int) -> StudyAccess | None:
    """`safety.edit` on the study, study-wide (a site-restricted member is refused); None for the system."""
    if actor is None:
        return None
    access = access_require(actor, study_id, Perm.SAFETY_EDIT)
    if access.site_ids is not None:
        raise PermissionDenied(_("Signals are reviewed by study-wide safety staff."))
    return access


def moves_open(signal: Signal) -> list[SignalMove]:
    """The steps a signal in its present state can take."""
    return [move for move in MOVES.values() if signal.status in move.sources]


def signal_move(
    *,
    actor: User,
    signal: Signal,
    move: str,
    rationale: str,
    decision: str = "",
    password: str = "",
    today: dt.date | None = None,
) -> Signal:
    """Take step `move` (a key of MOVES) with its rationale; a signed step needs the actor's password.

    Validating sets `validated_on` (and, if none is set, makes the actor the assignee); closing needs a decision
    and sets `closed_on`; reopening clears the decision and `closed_on` (the earlier steps stay in the log).
    """
    signal_require(actor, signal.study_id)
    chosen = MOVES.get(move)
    if chosen is None:
        raise ValidationError({"move": _("There is no step %(move)s.") % {"move": move}})
    if signal.status not in chosen.sources:
        raise ValidationError(
            {
                "move": _("A signal that is %(status)s cannot take the step “%(step)s”.")
                % {"status": signal.get_status_display(), "step": chosen.label}
            }
        )
    rationale = explanation_required(
        rationale, field="rationale", message=_("Give the rationale (at least %(n)d characters).")
    )
    if chosen.code == "close" and decision not in SignalDecision.values:
        raise ValidationError({"decision": _("Choose the decision that closes the signal.")})
    if chosen.code != "close" and decision:
        raise ValidationError({"decision": _("Only closing a signal records a decision.")})
    if chosen.signed:
        access_require(actor, signal.study_id, Perm.SIGN)
        password_confirm(actor, password)  # outside the transaction: a failed attempt stays counted
    today = today or timezone.localdate()
    with transaction.atomic(), audit_batch():
        signal = Signal.objects.select_for_update(of=("self",)).get(pk=signal.pk)
        if signal.status not in chosen.sources:  # moved by someone else since the check above
            raise ValidationError({"move": _("The signal was changed meanwhile; reload the page.")})
        before = signal.status
        signal.status = chosen.target
        if chosen.code == "validate":
            signal.validated_on = today
            signal.assignee = signal.assignee or actor
        elif chosen.code == "close":
            signal.decision, signal.closed_on = decision, today
        elif chosen.code == "reopen":
            signal.decision, signal.closed_on = "", None
        elif chosen.code == "start" and signal.assignee is None:
            signal.assignee = actor
        signal = audited_save(signal, actor=actor, reason=f"signal: {chosen.code}: {rationale}"[:500])
        step = SignalStep(
            signal=signal,
            from_status=before,
            to_status=chosen.target,
            decision=signal.decision if chosen.code == "close" else "",
            rationale=rationale,
            actor=actor,
            at=timezone.now(),
            signed=chosen.signed,
        )
        audited_save(step, actor=actor, trusted=("signal", "actor"))
        if chosen.signed:
            signature_record(actor=actor, instance=step, meaning=chosen.meaning)
    return signal


def signal_reviewers(study_id: int) -> list[User]:
    """The study's active members who may review signals: safety.edit and no site restriction."""
    members = Membership.objects.filter(study_id=study_id, is_active=True, user__is_active=True).select_related(
        "user", "role"
    )
    study_wide = set(
        Membership.objects.filter(study_id=study_id, sites__isnull=False).values_list("pk", flat=True).distinct()
    )
    reviewers = [m.user for m in members if Perm.SAFETY_EDIT in m.role.permissions and m.pk not in study_wide]
    return sorted(reviewers, key=lambda u: (u.printed_name.lower(), u.pk))


def signal_triage(
    *,
    actor: User,
    signal: Signal,
    priority: str,
    due_on: dt.date | None,
    assignee: User | None,
) -> Signal:
    """Set who works on a signal, how urgent it is and when its assessment is due (audited)."""
    signal_require(actor, signal.study_id)
    errors: dict[str, str] = {}
    if priority and priority not in SignalPriority.values:
        errors["priority"] = _("Choose a priority from the list.")
    if assignee is not None and assignee.pk not in {u.pk for u in signal_reviewers(signal.study_id)}:
        errors["assignee"] = _("The assignee must be a study-wide member who reviews safety.")
    if due_on is not None and due_on < signal.detected_on:
        errors["due_on"] = _("The assessment cannot be due before the signal was detected.")
    if signal.status in (SignalStatus.CLOSED, SignalStatus.NOT_VALIDATED):
        errors["status"] = _("A signal that is %(status)s is not triaged; reopen it first.") % {
            "status": signal.get_status_display()
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        signal = Signal.objects.select_for_update(of=("self",)).get(pk=signal.pk)
        signal.priority, signal.due_on, signal.assignee = priority, due_on, assignee
        return audited_save(signal, actor=actor, reason="signal: triage")
