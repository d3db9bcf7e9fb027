"""A work order's milestones against the contract: the actual dates the trial's own data give, and each milestone's
variance and status as of a day.

Actual dates from the data (`data_actuals`, a handful of queries per study):

- first site activated: the earliest green light (`Site.activated_on`) of the study's sites;
- first participant in: the earliest enrolment (`Subject.enrolled_on`) of a participant enrolled, completed or
  withdrawn after enrolment;
- last participant in: the latest enrolment, once enrolment is over: the number enrolled has reached the study's
  target (its recruitment plan's `target`; without a plan, the sum of its sites' `target_enrolment`; without either
  there is no target), or the study has moved on to follow-up or closed (enrolment ended short of the target);
- last participant last visit: the latest visit date (`EventData.visit_date`, visits not marked "not done") of the
  enrolled participants, once the last participant is in and every enrolled participant has completed or withdrawn;
- database lock: the day (UTC) of the EDC's study-level lock in force (`edc.DataLock`, level study, state locked,
  not released);
- topline results, clinical study report: no source in the data; only a recorded actual dates them.

An actual date recorded on the milestone overrides the data's (`source` "recorded"; the data's date is kept beside
it in `data_actual`). Variance in days (None without a target date): the actual date minus the target; while the
milestone is open, the day it can be done at the earliest (its forecast, or the target without one, but not before
the day reported as of) minus the target. Status: done on time (actual on or before the target), done late, done
(no target), overdue (the target day has passed), at risk (the forecast falls after the target), due, or not planned
(no target, not done).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Max, Min
from django.utils.translation import gettext_lazy as _

from opencro.edc.models import DataLock, EventData, LockLevel, LockState
from opencro.edc.models.data import EventStatus
from opencro.partnership.models import ContractMilestone, MilestoneKind, WorkOrder
from opencro.recruitment.models import RecruitmentPlan
from opencro.studies.models import Site, Study, StudyStatus
from opencro.subjects.models import Subject, SubjectStatus

ENROLLED = (SubjectStatus.ENROLLED, SubjectStatus.COMPLETED, SubjectStatus.WITHDRAWN)
ENDED = (SubjectStatus.COMPLETED, SubjectStatus.WITHDRAWN)
ENROLMENT_OVER = (StudyStatus.FOLLOW_UP, StudyStatus.CLOSED)
NO_DATA_SOURCE = frozenset({MilestoneKind.TOPLINE_RESULTS, MilestoneKind.CLINICAL_STUDY_REPORT})


class MilestoneStatus(models.TextChoices):
    DONE_ON_TIME = "done_on_time", _("Done on time")
    DONE_LATE = "done_late", _("Done late")
    DONE = "done", _("Done")
    OVERDUE = "overdue", _("Overdue")
    AT_RISK = "at_risk", _("At risk")
    DUE = "due", _("Due")
    NOT_PLANNED = "not_planned", _("Not planned")


class Source(models.TextChoices):
    DATA = "data", _("the trial's data")
    RECORDED = "recorded", _("recorded")


DONE = frozenset({MilestoneStatus.DONE_ON_TIME, MilestoneStatus.DONE_LATE, MilestoneStatus.DONE})


@dataclass(frozen=True)
class Milestone:
    """One milestone of a work order as of a day: target, forecast, actual (and where it came from), variance in
    days (positive: later than the target) and status."""

    kind: str
    planned: dt.date | None
    forecast: dt.date | None
    actual: dt.date | None
    source: str | None  # Source.DATA, Source.RECORDED, or None while not done
    variance_days: int | None
    status: str
    data_actual: dt.date | None = None  # what the data say, also when a recorded date overrides it
    note: str = ""

    @property
    def label(self) -> str:
        return str(MilestoneKind(self.kind).label)

    @property
    def status_label(self) -> str:
        return str(MilestoneStatus(self.status).label)

    @property
    def source_label(self) -> str:
        return str(Source(self.source).label) if self.source else ""

    @property
    def variance_text(self) -> str:
        """The variance signed ("+17", "-5", "0"), a dash without one."""
        if self.variance_days is None:
            return "\u2013"
        return "0" if self.variance_days == 0 else f"{self.variance_days:+d}"

    @property
    def badge(self) -> str:
        """The status badge's colour class."""
        if self.status in (MilestoneStatus.DONE_LATE, MilestoneStatus.OVERDUE):
            return "warn"
        if self.status == MilestoneStatus.AT_RISK:
            return "amber"
        return "ok" if self.done else ""

    @property
    def done(self) -> bool:
        return self.status in DONE

    @property
    def overridden(self) -> bool:
        """A recorded date stands where the data give another."""
        return self.source == Source.RECORDED and self.data_actual is not None and self.data_actual != self.actual


def enrolment_target(study: Study) -> int | None:
    """The study's enrolment target: its recruitment plan's, else the sum of its sites' targets; None without one."""
    plan = RecruitmentPlan.objects.filter(study=study).values_list("target", flat=True).first()
    if plan:
        return plan
    total = Site.objects.filter(study=study).aggregate(total=models.Sum("target_enrolment"))["total"]
    return total or None


def data_actuals(study: Study, recorded_lpi: dt.date | None = None) -> dict[str, dt.date | None]:
    """The milestones' actual dates that the study's data give (None: not reached, or no source). The last visit
    counts once the last participant is in, by the data or by `recorded_lpi` (a date recorded on the contract)."""
    first_site = Site.objects.filter(study=study, activated_on__isnull=False).aggregate(day=Min("activated_on"))
    enrolled = Subject.objects.filter(study=study, status__in=ENROLLED, enrolled_on__isnull=False)
    enrolment = enrolled.aggregate(first=Min("enrolled_on"), last=Max("enrolled_on"), n=models.Count("pk"))
    target = enrolment_target(study)
    over = enrolment["n"] > 0 and ((target is not None and enrolment["n"] >= target) or study.status in ENROLMENT_OVER)
    last_in = enrolment["last"] if over else None
    last_visit = None
    if (last_in or recorded_lpi) and enrolment["n"] and not enrolled.exclude(status__in=ENDED).exists():
        last_visit = (
            EventData.objects.filter(study=study, subject__in=enrolled, visit_date__isnull=False)
            .exclude(status=EventStatus.NOT_DONE)
            .aggregate(day=Max("visit_date"))["day"]
        )
    lock = (
        DataLock.objects.filter(study=study, level=LockLevel.STUDY, state=LockState.LOCKED, released_at__isnull=True)
        .values_list("set_at", flat=True)
        .first()
    )
    return {
        MilestoneKind.FIRST_SITE_ACTIVATED: first_site["day"],
        MilestoneKind.FIRST_PARTICIPANT_IN: enrolment["first"],
        MilestoneKind.LAST_PARTICIPANT_IN: last_in,
        MilestoneKind.LAST_PARTICIPANT_LAST_VISIT: last_visit,
        MilestoneKind.DATABASE_LOCK: lock.astimezone(dt.UTC).date() if lock else None,
        MilestoneKind.TOPLINE_RESULTS: None,
        MilestoneKind.CLINICAL_STUDY_REPORT: None,
    }


def milestone_state(
    *,
    planned: dt.date | None,
    forecast: dt.date | None,
    actual: dt.date | None,
    today: dt.date,
) -> tuple[int | None, str]:
    """(variance in days, status) of one milestone as of `today`: pure, the rules of the module's docstring."""
    if actual is not None:
        if planned is None:
            return None, MilestoneStatus.DONE
        variance = (actual - planned).days
        return variance, MilestoneStatus.DONE_ON_TIME if variance <= 0 else MilestoneStatus.DONE_LATE
    if planned is None:
        return None, MilestoneStatus.NOT_PLANNED
    variance = (max(forecast or planned, today) - planned).days
    if today > planned:
        return variance, MilestoneStatus.OVERDUE
    if forecast is not None and forecast > planned:
        return variance, MilestoneStatus.AT_RISK
    return variance, MilestoneStatus.DUE


def milestones_of(
    work_order: WorkOrder, today: dt.date, rows: Iterable[ContractMilestone] | None = None
) -> list[Milestone]:
    """Every milestone kind of the work order, in order, with its actual date (recorded, else the data's), variance
    and status as of `today`. `rows`: the work order's milestone rows when the caller has them."""
    by_kind = {
        row.kind: row for row in (ContractMilestone.objects.filter(work_order=work_order) if rows is None else rows)
    }
    lpi_row = by_kind.get(MilestoneKind.LAST_PARTICIPANT_IN)
    data = data_actuals(work_order.study, lpi_row.actual_on_recorded if lpi_row else None)
    result = []
    for kind in MilestoneKind.values:
        row = by_kind.get(kind)
        planned = row.planned_on if row else None
        forecast = row.forecast_on if row else None
        recorded = row.actual_on_recorded if row else None
        actual = recorded or data[kind]
        source = Source.RECORDED if recorded else (Source.DATA if actual else None)
        variance, status = milestone_state(planned=planned, forecast=forecast, actual=actual, today=today)
        result.append(
            Milestone(
                kind=kind,
                planned=planned,
                forecast=forecast,
                actual=actual,
                source=source,
                variance_days=variance,
                status=status,
                data_actual=data[kind],
                note=row.note if row else "",
            )
        )
    return result


def milestone_as_dict(m: Milestone) -> dict:
    """One milestone as JSON-ready data (dates ISO)."""

    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "kind": m.kind,
        "label": m.label,
        "planned_on": day(m.planned),
        "forecast_on": day(m.forecast),
        "actual_on": day(m.actual),
        "source": m.source,
        "data_actual_on": day(m.data_actual),
        "variance_days": m.variance_days,
        "status": m.status,
        "status_label": m.status_label,
        "note": m.note,
    }
