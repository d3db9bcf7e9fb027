"""Emergency unblinding: an investigator breaks the blind for one subject of their site.

ICH E9 2.3.2: the blind is broken for a single subject only when the subject's physician deems knowing the
treatment essential to the subject's care; ICH E6(R2) 4.7: the investigator promptly documents and explains
any premature unblinding to the sponsor.

One transaction: the permanent `EmergencyUnblinding` record (no arm in it), the investigator's e-signature with
the meaning "unblind" bound to it, an `unblind` event on the subject's trail, and an in-app notice to every
active member of the study who holds `treatment.unblind_notify` and sees the subject's site (the sponsor's
medical monitor), recorded in the unblinding as `notified`. Their e-mails leave when the transaction commits.
Neither the record, the trail, the notices nor the e-mails name the arm; only the return value does, for the
investigator who asked.
"""

import zoneinfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import Membership, SignatureMeaning, User
from opencro.accounts.permissions import Perm
from opencro.audit.models import AuditAction
from opencro.audit.services import audit_event, audited_save, object_type_of
from opencro.core.text import EXPLANATION_MIN_LENGTH, explanation_required
from opencro.edc.esign import password_confirm, signature_record
from opencro.notices.services import notice_send
from opencro.rtsm.models import EmergencyUnblinding
from opencro.studies.models import Arm
from opencro.subjects.models import Subject, TreatmentAssignment

REASON_MIN_LENGTH = EXPLANATION_MIN_LENGTH
NOTICE_KIND = "rtsm.unblinding"


def subject_unblind(*, actor: User, subject: Subject, reason: str, password: str) -> Arm:
    """Break the blind for `subject` and return its arm; for the investigator who already did, return it again.

    Refused (nothing written) without `treatment.unblind` at the subject's site, for a subject not randomised
    or already unblinded by someone else, without a reason of at least ten characters, or with a wrong password
    (which counts as a failed sign-in).
    """
    access = access_require(actor, subject.study_id, Perm.UNBLIND)
    if access.site_ids is not None and subject.site_id not in access.site_ids:
        raise PermissionDenied(_("This site is outside your membership."))
    existing = EmergencyUnblinding.objects.filter(subject_id=subject.pk).select_related("requested_by").first()
    if existing is not None:
        return _again(existing, actor)
    assignment = TreatmentAssignment.objects.filter(subject_id=subject.pk).select_related("arm").first()
    if assignment is None:
        raise ValidationError({"subject": _("This subject has not been randomised: there is no treatment to reveal.")})
    reason = explanation_required(
        reason, field="reason", message=_("Give the medical reason for breaking the blind (at least %(n)d characters).")
    )
    password_confirm(actor, password)  # outside the transaction: a failed attempt stays counted
    with transaction.atomic():
        subject = Subject.objects.select_for_update(of=("self",)).select_related("study", "site").get(pk=subject.pk)
        existing = EmergencyUnblinding.objects.filter(subject_id=subject.pk).select_related("requested_by").first()
        if existing is not None:  # someone else got there between our checks and the lock
            return _again(existing, actor)
        recipients = _medical_monitors(subject)
        unblinding = EmergencyUnblinding(
            subject=subject,
            requested_by=actor,
            reason=reason,
            unblinded_at=timezone.now(),
            notified=[
                {"user_id": u.pk, "username": u.get_username(), "name": u.printed_name, "emailed": bool(u.email)}
                for u in recipients
            ],
        )
        audited_save(unblinding, actor=actor, trusted=("subject", "requested_by"), unique_checked=True)
        signature_record(actor=actor, instance=unblinding, meaning=SignatureMeaning.UNBLIND)
        audit_event(
            actor=actor,
            action=AuditAction.UNBLIND,
            object_type=object_type_of(Subject),
            object_id=subject.pk,
            object_repr=str(subject),
            study_id=subject.study_id,
            site_id=subject.site_id,
            changes={"unblinded": ("false", "true")},
            reason=reason,
        )
        _notify(unblinding, recipients)
    return assignment.arm


def _again(existing: EmergencyUnblinding, actor: User) -> Arm:
    """The record is permanent: its investigator sees the arm again; anyone else is told who broke the blind."""
    if existing.requested_by_id != actor.pk:
        raise ValidationError(
            {
                "subject": _("The blind was already broken for this subject on %(when)s by %(name)s.")
                % {
                    "when": f"{timezone.localtime(existing.unblinded_at):%Y-%m-%d %H:%M %Z}",
                    "name": existing.requested_by.printed_name,
                }
            }
        )
    return TreatmentAssignment.objects.select_related("arm").get(subject_id=existing.subject_id).arm


def _medical_monitors(subject: Subject) -> list[User]:
    """Active members holding `treatment.unblind_notify` whose membership covers the subject's site."""
    memberships = (
        Membership.objects.filter(study_id=subject.study_id, is_active=True, user__is_active=True)
        .select_related("user", "role")
        .prefetch_related("sites")
        .order_by("user__username")
    )
    return [
        m.user
        for m in memberships
        if Perm.UNBLIND_NOTIFY in m.role.permissions
        and (not (sites := {s.pk for s in m.sites.all()}) or subject.site_id in sites)
    ]


def _notify(unblinding: EmergencyUnblinding, recipients: list[User]) -> None:
    """In-app notices and e-mails in each reader's language and time zone: who, where, when, why; never the arm."""
    subject, actor = unblinding.subject, unblinding.requested_by
    names = {"subject": subject.number, "site": subject.site.number, "study": subject.study.protocol_number}

    def title(_reader: User) -> str:
        return _("Emergency unblinding: subject %(subject)s, study %(study)s") % names

    def body(user: User) -> str:
        when = timezone.localtime(unblinding.unblinded_at, zoneinfo.ZoneInfo(user.time_zone or "UTC"))
        lines = [
            _("The blind was broken in an emergency for subject %(subject)s at site %(site)s of study %(study)s.")
            % names,
            _("By: %(name)s (%(username)s)") % {"name": actor.printed_name, "username": actor.get_username()},
            _("When: %(when)s") % {"when": f"{when:%Y-%m-%d %H:%M %Z}"},
            _("Reason: %(reason)s") % {"reason": unblinding.reason},
            "",
            _("This message does not name the treatment."),
        ]
        return "\n".join(lines)

    notice_send(
        users=recipients,
        study=subject.study,
        kind=NOTICE_KIND,
        title=title,
        body=body,
        url=reverse("rtsm:unblind", args=[subject.study_id, subject.pk]),
    )
