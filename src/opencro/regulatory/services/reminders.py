"""Reminders that an ethics approval is about to expire, or has expired, to the people who must renew it.

An ethics committee's approval runs until the latest expiry among its approved submissions (an initial review or a
continuing review restarts the period, 21 CFR 56.109(f)): only that approval is reminded, so an approval that a
newer one of the same committee extends is never announced. A reminder goes at each lead time before the expiry
(90, 60, 30 and 7 days) and once when the approval has expired, each once per approval (`EthicsReminder`'s unique
key): a second run on the same day sends nothing, and a late run sends the nearest lead time passed only (25 days
before the expiry with the 30-day reminder missed: the 30-day one, never the 90- and 60-day ones as well).

It goes, as a notice in the app and an e-mail, to the study's members who may edit regulatory records (restricted to
some sites: when one of them is a site the committee reviews for) and, for a local committee, to the staff scoped to
its sites who enter data (investigators, coordinators); with nobody to tell, nothing is recorded and the next run
tries again. Its text names the study by protocol number, the committee, its sites, the submission by number and
kind, and the dates: never a product or a treatment.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from opencro.accounts.models import Membership, User
from opencro.accounts.permissions import Perm
from opencro.accounts.selectors import site_staff
from opencro.notices.services import notice_send
from opencro.regulatory.models import (
    CommitteeScope,
    EthicsCommittee,
    EthicsKind,
    EthicsReminder,
    Submission,
    SubmissionStatus,
)
from opencro.studies.models import Site, Study, StudyStatus

logger = logging.getLogger(__name__)

THRESHOLDS = (90, 60, 30, 7)  # days before the expiry
EXPIRED = 0  # `threshold_days` of the reminder sent once the approval has expired
NOTICE_KIND = "regulatory.ethics_expiry"
RENEWING = (EthicsKind.INITIAL, EthicsKind.CONTINUING_REVIEW)


@dataclass(frozen=True)
class EthicsReminderSent:
    """One reminder sent: which approval, which lead time, to whom (user names)."""

    study: str
    submission: str
    committee: str
    sites: tuple[str, ...]
    expires_on: dt.date
    threshold_days: int
    days_left: int
    recipients: tuple[str, ...]
    url: str

    def as_dict(self) -> dict:
        return {
            "study": self.study,
            "submission": self.submission,
            "committee": self.committee,
            "sites": list(self.sites),
            "expires_on": self.expires_on.isoformat(),
            "threshold_days": self.threshold_days,
            "expired": self.threshold_days == EXPIRED,
            "days_left": self.days_left,
            "recipients": list(self.recipients),
            "url": self.url,
        }


def threshold_due(days_left: int) -> int | None:
    """The reminder covering an approval that expires in `days_left` days (negative: expired), or None: the nearest
    lead time passed (25 days left: 30), `EXPIRED` once expired."""
    if days_left < 0:
        return EXPIRED
    covering = [t for t in THRESHOLDS if t >= days_left]
    return min(covering) if covering else None


def approvals_in_force(on: dt.date, *, study: Study | None = None) -> list[Submission]:
    """Per ethics committee, the approval that sets its expiry as of `on` (decided by then; the latest expiry, an
    initial or continuing review before an amendment given the same date, then the latest decision), leaving out
    closed studies and committees that have received the study's final report."""
    approved = Submission.objects.filter(
        committee__isnull=False, status=SubmissionStatus.APPROVED, expires_on__isnull=False, decided_on__lte=on
    ).exclude(study__status=StudyStatus.CLOSED)
    if study is not None:
        approved = approved.filter(study=study)
    finished = set(
        Submission.objects.filter(
            committee__isnull=False, ethics_kind=EthicsKind.FINAL_REPORT, submitted_on__lte=on
        ).values_list("committee_id", flat=True)
    )
    current: dict[int, Submission] = {}
    for s in approved.select_related("study", "committee__country").order_by("pk"):
        if s.committee_id in finished:
            continue
        held = current.get(s.committee_id)
        if held is None or _rank(s) > _rank(held):
            current[s.committee_id] = s
    return sorted(current.values(), key=lambda s: (s.expires_on, s.study.protocol_number, s.number))


def _rank(s: Submission) -> tuple:
    return s.expires_on, s.ethics_kind in RENEWING, s.decided_on, s.pk


def ethics_reminders_send(*, on: dt.date, study: Study | None = None) -> list[EthicsReminderSent]:
    """Send the expiry reminders due on `on` (of one study, or of all), each once; return those sent now.

    Run by the system (the daily job or `opencro regulatory remind`); the e-mails leave when each reminder's
    transaction commits."""
    sent = []
    for approval in approvals_in_force(on, study=study):
        days_left = (approval.expires_on - on).days
        threshold = threshold_due(days_left)
        if threshold is None or _already_sent(approval, threshold):
            continue
        result = _send(approval, threshold, days_left, on)
        if result is not None:
            sent.append(result)
    return sent


def _already_sent(approval: Submission, threshold: int) -> bool:
    """Whether this reminder, or a later one, went for this approval period (any approval of the committee with the
    same expiry: which of them stands for the period does not make a reminder go twice)."""
    return EthicsReminder.objects.filter(
        submission__committee_id=approval.committee_id,
        submission__expires_on=approval.expires_on,
        submission__status=SubmissionStatus.APPROVED,
        threshold_days__lte=threshold,
    ).exists()


def _send(approval: Submission, threshold: int, days_left: int, on: dt.date) -> EthicsReminderSent | None:
    committee: EthicsCommittee = approval.committee
    sites = _committee_sites(committee)
    recipients = committee_recipients(committee, sites)
    if not recipients:  # kept due, so that whoever is given the role later is told
        logger.warning("ethics approval %s of study %s expires: nobody to remind", approval.number, approval.study)
        return None
    url = reverse("regulatory:submission", args=[approval.study_id, approval.pk])
    with transaction.atomic():
        try:
            with transaction.atomic():
                EthicsReminder.objects.create(submission=approval, threshold_days=threshold, sent_on=on)
        except IntegrityError:  # another run sent it between our check and our insert
            return None
        values = _values(approval, sites, days_left)
        notice_send(
            users=recipients,
            study=approval.study,
            kind=NOTICE_KIND,
            title=lambda _reader: _title(threshold, values),
            body=lambda _reader: _body(threshold, values),
            url=url,
        )
    return EthicsReminderSent(
        study=approval.study.protocol_number,
        submission=approval.number,
        committee=committee.name,
        sites=tuple(s.number for s in sites) if committee.scope == CommitteeScope.LOCAL else (),
        expires_on=approval.expires_on,
        threshold_days=threshold,
        days_left=days_left,
        recipients=tuple(sorted(u.get_username() for u in recipients)),
        url=url,
    )


def _committee_sites(committee: EthicsCommittee) -> list[Site]:
    """The sites the committee reviews for: a local one's list, a central one's country."""
    if committee.scope == CommitteeScope.LOCAL:
        return list(committee.sites.order_by("number"))
    return list(Site.objects.filter(study_id=committee.study_id, country_id=committee.country_id).order_by("number"))


def committee_recipients(committee: EthicsCommittee, sites: Iterable[Site]) -> list[User]:
    """Who is told of the committee's approval expiring: active members with `regulatory.edit` (when restricted to
    some sites, one of the committee's) and, for a local committee, its sites' staff (`site_staff`)."""
    site_ids = {s.pk for s in sites}
    members = Membership.objects.filter(study_id=committee.study_id, is_active=True, user__is_active=True)
    users: dict[int, User] = {}
    for m in members.select_related("user", "role").prefetch_related("sites").order_by("user__username"):
        scoped = {s.pk for s in m.sites.all()}
        if Perm.REGULATORY_EDIT in m.role.permissions and (not scoped or scoped & site_ids):
            users[m.user_id] = m.user
    if committee.scope == CommitteeScope.LOCAL:
        users.update((u.pk, u) for u in site_staff(committee.study_id, site_ids))
    return list(users.values())


def _values(approval: Submission, sites: list[Site], days_left: int) -> dict:
    committee = approval.committee
    local = committee.scope == CommitteeScope.LOCAL
    return {
        "study": approval.study.protocol_number,
        "committee": committee.name,
        "local_sites": ", ".join(f"{s.number} {s.institution}" for s in sites) if local else None,
        "country": committee.country.name,
        "number": approval.number,
        "kind": EthicsKind(approval.ethics_kind).label if approval.ethics_kind in EthicsKind.values else "",
        "decided": approval.decided_on.isoformat(),
        "date": approval.expires_on.isoformat(),
        "days": days_left,
        "ago": -days_left,
    }


def _title(threshold: int, values: dict) -> str:
    if threshold == EXPIRED:
        return _("%(study)s: the approval of %(committee)s expired on %(date)s") % values
    return _("%(study)s: the approval of %(committee)s expires on %(date)s") % values


def _body(threshold: int, values: dict) -> str:
    """The notice's text, in the reader's language (the caller renders it under their language)."""
    sites = values["local_sites"]
    if sites is None:
        sites = _("all sites in %(country)s") % values
    values = {**values, "kind": str(values["kind"]), "sites": sites or "-"}
    what = (
        _(
            "Ethics committee: %(committee)s\nSites: %(sites)s\nApproval: %(number)s (%(kind)s), approved on "
            "%(decided)s\nExpires on: %(date)s"
        )
        % values
    )
    if threshold == EXPIRED:
        lead = (
            _(
                "The ethics approval of study %(study)s by %(committee)s expired on %(date)s (%(ago)d days ago) and "
                "no newer approval is recorded. The sites it covers may not go on under it until the committee "
                "approves a continuing review: record the approval, or the final report if the study ended there."
            )
            % values
        )
    else:
        lead = (
            _(
                "The ethics approval of study %(study)s by %(committee)s expires on %(date)s, in %(days)d days. "
                "Submit the continuing review in time for the committee to approve it before that day."
            )
            % values
        )
    return f"{lead}\n\n{what}"
