"""Past performance of registry institutions in OpenCRO's own studies, per linked study site and pooled.

Per study site (through `SiteLink`): enrolment rate per active month (subjects enrolled / months since the site's
green light, `Site.activated_on`, to today; days / 30.4375), screen-failure rate (subjects screen-failed / all
subjects screened), query rate (queries raised at the site / subjects enrolled) and start-up time (days from the
site's selection, its "site selected" start-up milestone, or its creation, its first audit record, when no
selection is dated, to its green light) and protocol deviations per enrolled subject (all and important ones,
rejected reports not counted; `monitoring.selectors.deviation_counts`). Pooled per institution: sums of counts
over sums of exposure (the maximum-likelihood rate of a Poisson process observed over several periods) and the
median start-up time.
"""

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.utils import timezone

from opencro.audit.models import AuditAction, AuditRecord
from opencro.edc.models import Query
from opencro.formats.ctgov import DAYS_PER_MONTH
from opencro.monitoring.selectors import deviation_counts
from opencro.sites.models import SiteLink
from opencro.startup.models import MilestoneKind, StartupMilestone
from opencro.subjects.models import Subject, SubjectStatus


@dataclass(frozen=True)
class SitePerformance:
    site_id: int
    study_id: int
    study: str  # the protocol number, or "" for a study the reader is not a member of
    number: str
    activated_on: dt.date | None
    screened: int
    screen_failed: int
    enrolled: int
    queries: int
    active_months: float | None
    startup_days: int | None
    deviations: int = 0
    important_deviations: int = 0

    @property
    def rate(self) -> float | None:
        return self.enrolled / self.active_months if self.active_months else None

    @property
    def screen_failure_rate(self) -> float | None:
        return self.screen_failed / self.screened if self.screened else None

    @property
    def query_rate(self) -> float | None:
        return self.queries / self.enrolled if self.enrolled else None

    @property
    def deviation_rate(self) -> float | None:
        return self.deviations / self.enrolled if self.enrolled else None


@dataclass(frozen=True)
class InstitutionPerformance:
    institution_id: int
    sites: tuple[SitePerformance, ...]

    @property
    def enrolled(self) -> int:
        return sum(s.enrolled for s in self.sites)

    @property
    def active_months(self) -> float:
        return sum(s.active_months or 0.0 for s in self.sites)

    @property
    def rate(self) -> float | None:
        months = self.active_months
        return sum(s.enrolled for s in self.sites if s.active_months) / months if months > 0 else None

    @property
    def screen_failure_rate(self) -> float | None:
        screened = sum(s.screened for s in self.sites)
        return sum(s.screen_failed for s in self.sites) / screened if screened else None

    @property
    def query_rate(self) -> float | None:
        enrolled = self.enrolled
        return sum(s.queries for s in self.sites) / enrolled if enrolled else None

    @property
    def deviation_rate(self) -> float | None:
        enrolled = self.enrolled
        return sum(s.deviations for s in self.sites) / enrolled if enrolled else None

    @property
    def important_deviation_rate(self) -> float | None:
        enrolled = self.enrolled
        return sum(s.important_deviations for s in self.sites) / enrolled if enrolled else None

    @property
    def startup_days(self) -> float | None:
        days = [s.startup_days for s in self.sites if s.startup_days is not None]
        return float(statistics.median(days)) if days else None


def performance_for(
    institution_ids: Iterable[int], *, member_study_ids: set[int] | None, today: dt.date | None = None
) -> dict[int, InstitutionPerformance]:
    """Each institution's performance over every study site linked to it.

    Protocol and site numbers of studies outside `member_study_ids` are hidden ("": another study); None shows all
    (the system).
    """
    today = today or timezone.localdate()
    links = list(
        SiteLink.objects.filter(institution_id__in=list(institution_ids)).select_related("site", "site__study")
    )
    site_ids = [link.site_id for link in links]
    subjects = {
        row["site_id"]: row
        for row in Subject.objects.filter(site_id__in=site_ids)
        .values("site_id")
        .annotate(
            screened=Count("id"),
            screen_failed=Count("id", filter=Q(status=SubjectStatus.SCREEN_FAILED)),
            enrolled=Count("id", filter=Q(enrolled_on__isnull=False)),
        )
        .order_by()
    }
    queries = dict(
        Query.objects.filter(site_id__in=site_ids).values("site_id").annotate(n=Count("id")).values_list("site_id", "n")
    )
    created = dict(
        AuditRecord.objects.filter(
            object_type="studies.site", object_id__in=[str(i) for i in site_ids], action=AuditAction.CREATE
        )
        .values("object_id")
        .annotate(first=Min("timestamp"))
        .values_list("object_id", "first")
    )
    deviations = deviation_counts(site_ids)
    selected = dict(
        StartupMilestone.objects.filter(
            site_id__in=site_ids, kind=MilestoneKind.SITE_SELECTED, actual_on__isnull=False
        ).values_list("site_id", "actual_on")
    )
    found: dict[int, list[SitePerformance]] = {}
    for link in links:
        site = link.site
        shown = member_study_ids is None or site.study_id in member_study_ids
        counts = subjects.get(site.pk, {})
        months = None
        if site.activated_on is not None and site.activated_on <= today:
            months = (today - site.activated_on).days / DAYS_PER_MONTH
        created_at = created.get(str(site.pk))
        start = selected.get(site.pk) or (timezone.localtime(created_at).date() if created_at else None)
        startup = None
        if start is not None and site.activated_on is not None:
            startup = max((site.activated_on - start).days, 0)
        found.setdefault(link.institution_id, []).append(
            SitePerformance(
                site_id=site.pk,
                study_id=site.study_id,
                study=site.study.protocol_number
                if member_study_ids is None or site.study_id in member_study_ids
                else "",
                number=site.number if shown else "",
                activated_on=site.activated_on,
                screened=counts.get("screened", 0),
                screen_failed=counts.get("screen_failed", 0),
                enrolled=counts.get("enrolled", 0),
                queries=queries.get(site.pk, 0),
                active_months=months or None,
                startup_days=startup,
                deviations=deviations.get(site.pk, (0, 0))[0],
                important_deviations=deviations.get(site.pk, (0, 0))[1],
            )
        )
    return {i: InstitutionPerformance(i, tuple(sites)) for i, sites in found.items()}
