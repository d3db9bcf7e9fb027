"""Deviation rules: what OpenCRO's own records show went against the protocol, found without anyone reporting it.

Each rule reads the participants of some sites and returns `Finding`s; `services.deviations_detect` turns the new
ones into deviations awaiting review (a finding's `key` is stable, so a second run adds nothing twice). Rules:

- `visit_window`: a visit done before its window opened or after it closed (the visit calendar's window around
  the target day from Day 1, as the schedule defines it);
- `visit_missed`: a visit recorded in the EDC as not done;
- `eligibility`: a participant enrolled without an eligibility review confirmed "eligible" (not eligible, or
  never confirmed: possible for participants loaded from another system);
- `consent_before_screening` / `consent_missing`: screening began before the first signed consent, or a
  participant enrolled with no consent signed on or before enrolment;
- `visit_after_withdrawal`: a visit done after the participant withdrew consent to follow-up;
- `reconsent`: a visit done after a new consent version was approved while the participant has still not
  signed it.

A dispensed kit of another arm is not a rule: the RTSM refuses it at dispensation, and a check would tell blinded
readers that the allocation and the kit differ.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from opencro.followup.selectors import CalendarVisit, visits_by_subject
from opencro.followup.visits import VisitState
from opencro.monitoring.models import DeviationCategory
from opencro.subjects.models import (
    ConsentRecord,
    ConsentWithdrawal,
    EligibilityOutcome,
    EligibilityReview,
    Subject,
    WithdrawalScope,
)
from opencro.subjects.participants import consent_statuses


@dataclass(frozen=True)
class Finding:
    """One deviation a rule found: where, of whom, when, and a description a reviewer can check."""

    rule: str
    key: str
    site_id: int
    subject_id: int | None
    category: str
    occurred_on: dt.date
    description: str


def _visit(visit: CalendarVisit) -> str:
    return visit.name if visit.repeat == 1 else f"{visit.name} #{visit.repeat}"


def _visit_key(rule: str, visit: CalendarVisit) -> str:
    return f"{rule}:{visit.subject.pk}:{visit.event_oid}:{visit.repeat}"


def _visit_rules(subjects: list[Subject], visits: dict[int, list[CalendarVisit]]) -> Iterable[Finding]:
    for subject in subjects:
        for visit in visits.get(subject.pk, []):
            start, end = visit.window
            day = visit.visit_date
            if day is not None and visit.state in (VisitState.DONE, VisitState.LATE) and not start <= day <= end:
                when = (
                    _("after its window closed on %(end)s") if day > end else _("before its window opened on %(start)s")
                )
                yield Finding(
                    "visit_window",
                    _visit_key("visit_window", visit),
                    subject.site_id,
                    subject.pk,
                    DeviationCategory.VISIT_SCHEDULE,
                    day,
                    _("%(visit)s of %(subject)s done on %(day)s, %(when)s (target %(target)s).")
                    % {
                        "visit": _visit(visit),
                        "subject": subject.number,
                        "day": day.isoformat(),
                        "when": when % {"end": end.isoformat(), "start": start.isoformat()},
                        "target": visit.target.isoformat(),
                    },
                )
            elif visit.state == VisitState.MISSED:
                yield Finding(
                    "visit_missed",
                    _visit_key("visit_missed", visit),
                    subject.site_id,
                    subject.pk,
                    DeviationCategory.VISIT_SCHEDULE,
                    end,
                    _("%(visit)s of %(subject)s was not done (window %(start)s to %(end)s).")
                    % {
                        "visit": _visit(visit),
                        "subject": subject.number,
                        "start": start.isoformat(),
                        "end": end.isoformat(),
                    },
                )


def _eligibility_rule(subjects: list[Subject]) -> Iterable[Finding]:
    enrolled = [s for s in subjects if s.enrolled_on is not None]
    outcomes = dict(
        EligibilityReview.objects.filter(subject_id__in=[s.pk for s in enrolled]).values_list("subject_id", "outcome")
    )
    for subject in enrolled:
        outcome = outcomes.get(subject.pk)
        if outcome == EligibilityOutcome.ELIGIBLE:
            continue
        if outcome == EligibilityOutcome.NOT_ELIGIBLE:
            text = _("%(subject)s was enrolled on %(day)s although the eligibility review concluded not eligible.")
        else:
            text = _("%(subject)s was enrolled on %(day)s without an eligibility review confirmed by the investigator.")
        yield Finding(
            "eligibility",
            f"eligibility:{subject.pk}",
            subject.site_id,
            subject.pk,
            DeviationCategory.ELIGIBILITY,
            subject.enrolled_on,
            text % {"subject": subject.number, "day": subject.enrolled_on.isoformat()},
        )


def _consent_rules(subjects: list[Subject]) -> Iterable[Finding]:
    first: dict[int, dt.date] = {}
    for record in (
        ConsentRecord.objects.filter(subject_id__in=[s.pk for s in subjects])
        .select_related("site")
        .order_by("obtained_at", "id")
    ):
        day = record.signed_on
        first[record.subject_id] = min(day, first.get(record.subject_id, day))
    for subject in subjects:
        signed = first.get(subject.pk)
        if signed is not None and signed > subject.screened_on:
            yield Finding(
                "consent_before_screening",
                f"consent_before_screening:{subject.pk}",
                subject.site_id,
                subject.pk,
                DeviationCategory.INFORMED_CONSENT,
                subject.screened_on,
                _("Screening of %(subject)s began on %(screened)s, before the first consent was signed on %(signed)s.")
                % {
                    "subject": subject.number,
                    "screened": subject.screened_on.isoformat(),
                    "signed": signed.isoformat(),
                },
            )
        if subject.enrolled_on is not None and (signed is None or signed > subject.enrolled_on):
            yield Finding(
                "consent_missing",
                f"consent_missing:{subject.pk}",
                subject.site_id,
                subject.pk,
                DeviationCategory.INFORMED_CONSENT,
                subject.enrolled_on,
                _("%(subject)s was enrolled on %(day)s with no informed consent signed on or before that day.")
                % {"subject": subject.number, "day": subject.enrolled_on.isoformat()},
            )


def _withdrawal_rule(subjects: list[Subject], visits: dict[int, list[CalendarVisit]]) -> Iterable[Finding]:
    withdrawn: dict[int, dt.date] = {}
    scopes = (WithdrawalScope.FOLLOW_UP, WithdrawalScope.ALL)
    rows = ConsentWithdrawal.objects.filter(subject_id__in=[s.pk for s in subjects], scope__in=scopes)
    for subject_id, day in rows.values_list("subject_id", "withdrawn_on"):
        withdrawn[subject_id] = min(day, withdrawn.get(subject_id, day))
    for subject in subjects:
        since = withdrawn.get(subject.pk)
        for visit in visits.get(subject.pk, []) if since else []:
            if visit.visit_date is not None and visit.visit_date > since:
                yield Finding(
                    "visit_after_withdrawal",
                    _visit_key("visit_after_withdrawal", visit),
                    subject.site_id,
                    subject.pk,
                    DeviationCategory.INFORMED_CONSENT,
                    visit.visit_date,
                    _(
                        "%(visit)s of %(subject)s done on %(day)s,"
                        " after consent to follow-up was withdrawn on %(since)s."
                    )
                    % {
                        "visit": _visit(visit),
                        "subject": subject.number,
                        "day": visit.visit_date.isoformat(),
                        "since": since.isoformat(),
                    },
                )


def _reconsent_rule(subjects: list[Subject], visits: dict[int, list[CalendarVisit]]) -> Iterable[Finding]:
    statuses = consent_statuses(subjects)
    for subject in subjects:
        due = statuses[subject.pk].due
        if due is None or due.approved_at is None:
            continue
        approved = due.approved_at.date()
        later = [v for v in visits.get(subject.pk, []) if v.visit_date is not None and v.visit_date > approved]
        if later:
            visit = min(later, key=lambda v: v.visit_date)
            yield Finding(
                "reconsent",
                f"reconsent:{subject.pk}:{due.pk}",
                subject.site_id,
                subject.pk,
                DeviationCategory.INFORMED_CONSENT,
                visit.visit_date,
                _(
                    "%(visit)s of %(subject)s done on %(day)s without re-consent to consent form version %(version)s,"
                    " approved for use on %(approved)s."
                )
                % {
                    "visit": _visit(visit),
                    "subject": subject.number,
                    "day": visit.visit_date.isoformat(),
                    "version": due.version,
                    "approved": approved.isoformat(),
                },
            )


def findings_for(subjects: Iterable[Subject], *, today: dt.date) -> list[Finding]:
    """Every finding of every rule over `subjects` (read in a fixed number of queries), in a stable order."""
    subjects = list(subjects)
    if not subjects:
        return []
    visits = visits_by_subject(subjects, today)
    found = [
        *_visit_rules(subjects, visits),
        *_eligibility_rule(subjects),
        *_consent_rules(subjects),
        *_withdrawal_rule(subjects, visits),
        *_reconsent_rule(subjects, visits),
    ]
    return sorted(found, key=lambda f: (f.occurred_on, f.key))
