"""Regulatory reads, always inside the reader's sites: submissions and their clocks, the calendar of what is due,
ethics committees, and the answer to "may this site use this protocol version, and since when?".

A site-restricted reader (an investigator, a CRA of some sites) sees the authority submissions of their sites'
countries and the ethics submissions of the committees that review for their sites (a central committee of their
country, or a local one naming one of their sites).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.analysis.models import PackageStatus, SubmissionPackage
from opencro.analysis.selectors import package_list
from opencro.regulatory.clocks import ClockState, Dates, Rule, clock_states
from opencro.regulatory.models import (
    ApplicationCategory,
    ApplicationType,
    Authority,
    CommitteeScope,
    EctdSequence,
    EthicsCommittee,
    Submission,
    SubmissionStatus,
)
from opencro.regulatory.services._access import country_today
from opencro.studies.models import Country, ProtocolVersion, ProtocolVersionStatus, Site


def _country_ids(access: StudyAccess) -> set[int] | None:
    if access.site_ids is None:
        return None
    return set(Site.objects.filter(pk__in=access.site_ids).values_list("country_id", flat=True))


def committee_list(access: StudyAccess) -> QuerySet[EthicsCommittee]:
    committees = EthicsCommittee.objects.filter(study_id=access.membership.study_id).select_related("country")
    if access.site_ids is not None:
        committees = committees.filter(
            Q(scope=CommitteeScope.CENTRAL, country_id__in=_country_ids(access)) | Q(sites__in=access.site_ids)
        ).distinct()
    return committees.prefetch_related("sites")


def committee_get(access: StudyAccess, pk: int) -> EthicsCommittee:
    committee = committee_list(access).filter(pk=pk).first()
    if committee is None:
        raise Http404("no such committee")
    return committee


def submission_list(
    access: StudyAccess,
    *,
    country_id: int | None = None,
    authority_id: int | None = None,
    status: str = "",
    ethics: bool | None = None,
) -> QuerySet[Submission]:
    """The reader's submissions, newest plan first, with what the list shows joined."""
    submissions = Submission.objects.filter(study_id=access.membership.study_id)
    if access.site_ids is not None:
        visible = committee_list(access).values("pk")
        submissions = submissions.filter(
            Q(authority__isnull=False, country_id__in=_country_ids(access)) | Q(committee__in=visible)
        )
    if country_id:
        submissions = submissions.filter(country_id=country_id)
    if authority_id:
        submissions = submissions.filter(authority_id=authority_id)
    if status:
        submissions = submissions.filter(status=status)
    if ethics is not None:
        submissions = submissions.filter(committee__isnull=not ethics)
    return submissions.select_related(
        "authority", "application_type", "committee", "country", "protocol_version", "parent"
    ).order_by(F("planned_on").desc(nulls_last=True), "-number")


def submission_get(access: StudyAccess, pk: int) -> Submission:
    submission = submission_list(access).filter(pk=pk).first()
    if submission is None:
        raise Http404("no such submission")
    return submission


CLOCK_PREFETCH = ("application_type__clocks", "questions", "follow_ons__application_type")


def submission_clocks(submission: Submission, on: dt.date | None = None) -> list[ClockState]:
    """The submission's review clocks as they stand on `on` (today in its country)."""
    if submission.application_type_id is None:
        return []
    on = on or country_today(submission.country)
    rules = [
        Rule(
            name=r.name,
            starts=r.starts,
            days=r.days,
            basis=r.basis,
            stops_for_questions=r.stops_for_questions,
            recurs_months=r.recurs_months,
            effect=r.effect,
            reference=r.reference,
        )
        for r in submission.application_type.clocks.all()
    ]
    # read through the relations (not new queries), so a list that prefetches them costs no query per row
    reports = tuple(
        f.submitted_on
        for f in submission.follow_ons.all()
        if f.submitted_on and f.application_type_id and f.application_type.category == ApplicationCategory.ANNUAL_REPORT
    )
    dates = Dates(
        submitted=submission.submitted_on,
        acknowledged=submission.acknowledged_on,
        validated=submission.validated_on,
        decided=submission.decided_on if submission.status != SubmissionStatus.WITHDRAWN else None,
        questions=tuple((q.received_on, q.answered_on) for q in submission.questions.all()),
        reports=reports,
    )
    states = clock_states(rules, dates, on)
    if submission.status in (SubmissionStatus.REJECTED, SubmissionStatus.WITHDRAWN):
        return [s for s in states if s.state == "met"]
    return states


@dataclass(frozen=True)
class CalendarItem:
    """One thing due: a clock's end, an answer, a commitment, a planned submission, an approval's expiry."""

    on: dt.date
    kind: str  # clock, answer, commitment, planned, expiry
    submission: Submission
    label: str
    overdue: bool
    note: str = ""


def regulatory_calendar(
    access: StudyAccess, *, since: dt.date, until: dt.date, on: dt.date | None = None
) -> list[CalendarItem]:
    """What falls due between `since` and `until`, and everything overdue, earliest first; overdue as of `on`
    (default: today in each submission's country)."""
    items: list[CalendarItem] = []
    submissions = list(submission_list(access).prefetch_related(*CLOCK_PREFETCH, "commitments", "country__sites"))
    latest_expiry = _latest_expiry(submissions)
    for submission in submissions:
        today = on or country_today(submission.country)
        for clock in submission_clocks(submission, today):
            if clock.state in ("running", "overdue") and clock.effect != "may_proceed":
                items.append(CalendarItem(clock.ends, "clock", submission, clock.name, clock.state == "overdue"))
            elif clock.state == "running":
                note = _("may proceed unless the authority objects")
                items.append(CalendarItem(clock.ends, "clock", submission, clock.name, False, note))
        for question in submission.questions.all():
            if question.answered_on is None and question.response_due_on:
                label = _("Answer to question %(n)d") % {"n": question.number}
                items.append(
                    CalendarItem(
                        question.response_due_on, "answer", submission, label, question.response_due_on < today
                    )
                )
        for commitment in submission.commitments.all():
            if commitment.fulfilled_on is None:
                items.append(
                    CalendarItem(
                        commitment.due_on,
                        "commitment",
                        submission,
                        commitment.description[:120],
                        commitment.due_on < today,
                    )
                )
        if submission.status == SubmissionStatus.PLANNED and submission.planned_on:
            items.append(
                CalendarItem(
                    submission.planned_on, "planned", submission, _("Planned submission"), submission.planned_on < today
                )
            )
        if submission.expires_on and submission.expires_on == latest_expiry.get(
            submission.committee_id or -submission.pk
        ):
            items.append(
                CalendarItem(
                    submission.expires_on, "expiry", submission, _("Approval expires"), submission.expires_on < today
                )
            )
    items = [i for i in items if i.overdue or since <= i.on <= until]
    return sorted(items, key=lambda i: (i.on, i.submission.number, i.kind))


def _latest_expiry(submissions: list[Submission]) -> dict[int, dt.date]:
    """The last day of each committee's approval (a continuing review renews it), or of an authority approval."""
    latest: dict[int, dt.date] = {}
    for s in submissions:
        if s.status == SubmissionStatus.APPROVED and s.expires_on:
            key = s.committee_id or -s.pk
            latest[key] = max(s.expires_on, latest.get(key, s.expires_on))
    return latest


@dataclass(frozen=True)
class VersionAtSite:
    """Whether a site may use a protocol version: the authority's and the ethics committee's approvals."""

    site: Site
    version: ProtocolVersion
    authority_on: dt.date | None
    authority_submission: Submission | None
    ethics_on: dt.date | None
    ethics_submission: Submission | None
    ethics_expires_on: dt.date | None

    @property
    def usable_from(self) -> dt.date | None:
        if self.authority_on is None or self.ethics_on is None:
            return None
        return max(self.authority_on, self.ethics_on)

    def usable_on(self, day: dt.date) -> bool:
        start = self.usable_from
        expired = self.ethics_expires_on is not None and self.ethics_expires_on < day
        return start is not None and start <= day and not expired

    @property
    def missing(self) -> list[str]:
        gaps = []
        if self.authority_on is None:
            gaps.append(_("authority approval"))
        if self.ethics_on is None:
            gaps.append(_("ethics approval"))
        return gaps


def site_versions(access: StudyAccess, sites: list[Site] | None = None) -> list[VersionAtSite]:
    """For each of the reader's sites and each approved protocol version: when the authority of the site's country
    and an ethics committee reviewing for the site approved it (a submission naming the version, approved or in
    effect once submitted), and until when the committee's approval runs (its latest approval's expiry)."""
    study_id = access.membership.study_id
    if sites is None:
        sites = list(Site.objects.filter(study_id=study_id).filter(access.site_filter("pk")).select_related("country"))
    versions = list(
        ProtocolVersion.objects.filter(
            study_id=study_id, status__in=(ProtocolVersionStatus.APPROVED, ProtocolVersionStatus.SUPERSEDED)
        ).order_by("effective_date", "id")
    )
    approved = list(
        Submission.objects.filter(study_id=study_id, status=SubmissionStatus.APPROVED, decided_on__isnull=False)
        .select_related("committee")
        .prefetch_related("committee__sites")
    )
    expiry: dict[int, dt.date | None] = {}
    for s in approved:
        if s.committee_id and s.expires_on:
            expiry[s.committee_id] = max(s.expires_on, expiry.get(s.committee_id) or s.expires_on)
    rows = []
    for site in sites:
        committees = [
            s.committee
            for s in approved
            if s.committee_id
            and s.committee.country_id == site.country_id
            and (s.committee.scope == CommitteeScope.CENTRAL or site in s.committee.sites.all())
        ]
        committee_ids = {c.pk for c in committees}
        for version in versions:
            authority = _first(
                s
                for s in approved
                if s.authority_id and s.country_id == site.country_id and s.protocol_version_id == version.pk
            )
            ethics = _first(
                s for s in approved if s.committee_id in committee_ids and s.protocol_version_id == version.pk
            )
            rows.append(
                VersionAtSite(
                    site=site,
                    version=version,
                    authority_on=authority.decided_on if authority else None,
                    authority_submission=authority,
                    ethics_on=ethics.decided_on if ethics else None,
                    ethics_submission=ethics,
                    ethics_expires_on=expiry.get(ethics.committee_id) if ethics else None,
                )
            )
    return rows


def _first(submissions) -> Submission | None:
    return min(submissions, key=lambda s: (s.decided_on, s.pk), default=None)


def authority_list() -> QuerySet[Authority]:
    """The library (every reader with `regulatory.view` may read it: it is public law, not study data)."""
    return Authority.objects.prefetch_related("application_types__clocks").order_by("code")


def countries_of(access: StudyAccess) -> QuerySet[Country]:
    countries = Country.objects.filter(study_id=access.membership.study_id)
    ids = _country_ids(access)
    return countries if ids is None else countries.filter(pk__in=ids)


def today_for(submission: Submission) -> dt.date:
    """Today in the submission's country (for clocks and the dates a form offers)."""
    return country_today(submission.country)


def application_types() -> QuerySet[ApplicationType]:
    """The types a submission may be planned as: those of the library's active authorities."""
    return ApplicationType.objects.filter(authority__active=True).select_related("authority")


def protocol_versions(access: StudyAccess) -> QuerySet[ProtocolVersion]:
    return ProtocolVersion.objects.filter(study_id=access.membership.study_id)


def submission_planned(
    access: StudyAccess,
    *,
    owner,
    country_id: int,
    title: str,
    application_type_id: int | None = None,
    committee_id: int | None = None,
    ethics_kind: str = "",
    protocol_version_id: int | None = None,
    parent_id: int | None = None,
    product: str = "",
    reference: str = "",
    sequence: str = "",
    planned_on: dt.date | None = None,
) -> Submission:
    """The unsaved submission a plan describes, each object it names found within the reader's scope (404 else);
    `services.submission_create` checks the rules and saves it."""
    application_type = application_types().get(pk=application_type_id) if application_type_id is not None else None
    committee = committee_get(access, committee_id) if committee_id is not None else None
    return Submission(
        study_id=access.membership.study_id,
        authority=application_type.authority if application_type else None,
        application_type=application_type,
        committee=committee,
        ethics_kind=ethics_kind if committee else "",
        country=countries_of(access).get(pk=country_id),
        protocol_version=protocol_versions(access).get(pk=protocol_version_id)
        if protocol_version_id is not None
        else None,
        parent=submission_get(access, parent_id) if parent_id is not None else None,
        title=title,
        product=product,
        reference=reference,
        sequence=sequence,
        planned_on=planned_on,
        owner=owner,
    )


def ectd_scope(access: StudyAccess) -> StudyAccess:
    """The scope rule of every eCTD page and API call (reading, building, downloading): a sequence is a study-level
    record (the application's datasets and documents, whatever site they came from), so a site-restricted member gets
    404, as for another study."""
    if access.site_ids is not None:
        raise Http404("eCTD sequences are study-level records.")
    return access


def ectd_sequence_list(access: StudyAccess) -> QuerySet[EctdSequence]:
    """The study's eCTD sequences, newest first (404 for a site-restricted reader: `ectd_scope`)."""
    ectd_scope(access)
    return (
        EctdSequence.objects.filter(study_id=access.membership.study_id)
        .select_related("built_by", "submission", "package")
        .order_by("-sequence")
    )


def ectd_sequence_get(access: StudyAccess, sequence: str) -> EctdSequence:
    """One sequence of the study by its four digits (404 when there is none, or for a site-restricted reader)."""
    record = ectd_sequence_list(access).filter(sequence=sequence).first()
    if record is None:
        raise Http404("no such sequence")
    return record


def ectd_packages(access: StudyAccess) -> QuerySet[SubmissionPackage]:
    """The built packages a sequence may be taken from, newest first: those the reader may see (unblinded ones only
    with `treatment.view`)."""
    return package_list(access).filter(status=PackageStatus.DONE).order_by("-number")


def ectd_sequence_readable(access: StudyAccess, record: EctdSequence) -> bool:
    """Whether the reader may have the sequence's files: not from an unblinded package without `treatment.view`."""
    return record.package_id is None or record.package.blinded or access.sees_treatment


def ectd_sequence_folder(access: StudyAccess, record: EctdSequence) -> Path | None:
    """The sequence's recorded folder, None when it is gone; PermissionDenied when the sequence carries an
    unblinded package's datasets and the reader lacks `treatment.view`."""
    if not ectd_sequence_readable(access, record):
        raise PermissionDenied(_("This sequence holds an unblinded package's datasets: it needs unblinded access."))
    folder = Path(record.folder)
    return folder if folder.is_dir() else None
