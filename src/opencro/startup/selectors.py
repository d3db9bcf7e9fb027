"""Start-up reads, scoped to the caller's sites: the dashboard (per country and site) and one site's file."""

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db.models import QuerySet

from opencro.accounts.access import StudyAccess
from opencro.startup.models import (
    COUNTRY_MILESTONES,
    SITE_MILESTONES,
    DocumentKind,
    EssentialDocument,
    MilestoneKind,
    StartupMilestone,
    TrainingRecord,
)
from opencro.startup.rules import Blocker, StartupFacts, green_light_blockers, startup_facts, version_in_force
from opencro.studies.dates import site_today
from opencro.studies.models import Country, ProtocolVersion, ProtocolVersionStatus, Site
from opencro.studies.selectors import site_get, site_scope

DOCUMENT_ORDER = {kind: i for i, kind in enumerate(DocumentKind.values)}  # the checklist's order


@dataclass(frozen=True)
class MilestoneRow:
    """A milestone's plan against what happened; `late` when done after plan or overdue without a date."""

    kind: str
    label: str
    planned_on: dt.date | None
    actual_on: dt.date | None
    note: str
    days_late: int | None  # actual (or today, while open) minus planned; positive is late

    @property
    def late(self) -> bool:
        return self.days_late is not None and self.days_late > 0

    @property
    def done(self) -> bool:
        return self.actual_on is not None


@dataclass
class SiteStartup:
    site: Site
    today: dt.date
    milestones: list[MilestoneRow]
    blockers: list[Blocker]
    selected_on: dt.date | None
    cycle_days: int | None  # selection to green light, in days; None until both are dated

    @property
    def elapsed_days(self) -> int | None:
        """Days since selection for a site still in start-up."""
        if self.selected_on is None or self.site.activated_on is not None:
            return None
        return (self.today - self.selected_on).days

    @property
    def late_count(self) -> int:
        return sum(1 for m in self.milestones if m.late)


@dataclass
class CountryStartup:
    country: Country
    milestones: list[MilestoneRow]
    sites: list[SiteStartup] = field(default_factory=list)

    @property
    def median_cycle_days(self) -> float | None:
        return _median([s.cycle_days for s in self.sites])

    @property
    def active(self) -> int:
        return sum(1 for s in self.sites if s.site.activated_on is not None)


@dataclass
class StartupDashboard:
    countries: list[CountryStartup]
    today: dt.date

    @property
    def sites(self) -> list[SiteStartup]:
        return [s for c in self.countries for s in c.sites]

    @property
    def median_cycle_days(self) -> float | None:
        return _median([s.cycle_days for s in self.sites])

    @property
    def active(self) -> int:
        return sum(1 for s in self.sites if s.site.activated_on is not None)

    @property
    def late_milestones(self) -> int:
        return sum(s.late_count for s in self.sites) + sum(1 for c in self.countries for m in c.milestones if m.late)


def _median(values: list[int | None]) -> float | None:
    """The sample median of the known values (the middle one, or the mean of the middle two)."""
    known = [v for v in values if v is not None]
    return float(statistics.median(known)) if known else None


def _row(kind: str, milestone: StartupMilestone | None, today: dt.date) -> MilestoneRow:
    planned = milestone.planned_on if milestone else None
    actual = milestone.actual_on if milestone else None
    days_late = None
    if planned is not None:
        days_late = ((actual or today) - planned).days
        if actual is None and days_late <= 0:
            days_late = None  # open and not yet due: neither late nor early
    return MilestoneRow(
        kind=kind,
        label=MilestoneKind(kind).label,
        planned_on=planned,
        actual_on=actual,
        note=milestone.note if milestone else "",
        days_late=days_late,
    )


def _site_startup(facts: StartupFacts, site: Site, today: dt.date | None = None) -> SiteStartup:
    today = today or site_today(site)
    rows = [_row(kind, facts.milestone(site, kind), today) for kind in SITE_MILESTONES]
    selected = facts.milestone(site, MilestoneKind.SITE_SELECTED)
    selected_on = selected.actual_on if selected else None
    cycle = (site.activated_on - selected_on).days if selected_on and site.activated_on else None
    blockers = [] if site.activated_on is not None else green_light_blockers(facts, site, today)
    return SiteStartup(
        site=site, today=today, milestones=rows, blockers=blockers, selected_on=selected_on, cycle_days=cycle
    )


def startup_dashboard(access: StudyAccess) -> StartupDashboard:
    """Every visible site grouped by country: milestones planned against actual, cycle time, blockers."""
    sites = list(site_scope(access).select_related("country").order_by("country__name", "number"))
    facts = startup_facts(access.membership.study_id, None if access.site_ids is None else set(access.site_ids))
    countries: dict[int, CountryStartup] = {}
    study_today = max((site_today(s) for s in sites), default=dt.date.today())
    for site in sites:
        if site.country_id not in countries:
            rows = [
                _row(kind, facts.country_milestone(site.country_id, kind), study_today) for kind in COUNTRY_MILESTONES
            ]
            countries[site.country_id] = CountryStartup(country=site.country, milestones=rows)
        countries[site.country_id].sites.append(_site_startup(facts, site))
    return StartupDashboard(countries=list(countries.values()), today=study_today)


@dataclass
class SiteFile:
    """One site's start-up file: its status, milestones, country milestones, documents and training."""

    startup: SiteStartup
    country_milestones: list[MilestoneRow]
    documents: list[EssentialDocument]
    training: list[TrainingRecord]
    version_in_force: ProtocolVersion | None
    versions: list[ProtocolVersion]


def site_startup_file(access: StudyAccess, site_id: int) -> SiteFile:
    """The site's start-up file (404 for a site outside the caller's scope)."""
    site = site_get(access, site_id)
    facts = startup_facts(site.study_id, {site.pk})
    startup = _site_startup(facts, site)
    return SiteFile(
        startup=startup,
        country_milestones=[
            _row(kind, facts.country_milestone(site.country_id, kind), startup.today) for kind in COUNTRY_MILESTONES
        ],
        documents=sorted(
            EssentialDocument.objects.filter(site=site).select_related("reviewed_by").order_by("received_on", "id"),
            key=lambda d: DOCUMENT_ORDER.get(d.kind, len(DOCUMENT_ORDER)),
        ),
        training=list(TrainingRecord.objects.filter(site=site).select_related("protocol_version", "user")),
        version_in_force=version_in_force(facts, startup.today),
        versions=list(
            ProtocolVersion.objects.filter(
                study_id=site.study_id,
                status__in=(ProtocolVersionStatus.APPROVED, ProtocolVersionStatus.SUPERSEDED),
            ).order_by("-effective_date")
        ),
    )


def document_get(access: StudyAccess, site_id: int, document_id: int) -> EssentialDocument:
    """A document of one of the caller's sites (404 elsewhere)."""
    site = site_get(access, site_id)
    return EssentialDocument.objects.get(site=site, pk=document_id)


def country_get(access: StudyAccess, country_id: int) -> Country:
    """A country of the study (404 for another study's)."""
    return Country.objects.get(study_id=access.membership.study_id, pk=country_id)


def startup_sites(access: StudyAccess) -> QuerySet[Site]:
    """The caller's sites, for pickers."""
    return site_scope(access).select_related("country").order_by("number")


def milestone_row(milestone: StartupMilestone, today: dt.date | None = None) -> MilestoneRow:
    """One stored milestone as a row (late against plan as of `today`, the server's date by default)."""
    return _row(milestone.kind, milestone, today or dt.date.today())
