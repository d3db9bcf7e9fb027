"""The portfolio of an organisation's studies for its management: every study it takes part in (a sponsor's own, a
CRO's under a live work order) with its phase, status, countries, sites, enrolment against target, the contract's
milestones at risk or overdue and the KPIs off target (of the live work order between the two parties), and the people
on each (study memberships by role; each monitor's sites across the portfolio); counted by phase, status and country.

Only the portfolio's studies are read: a monitor's workload counts their sites on these studies, never another
sponsor's.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from opencro.accounts.access import OrgAccess
from opencro.accounts.models import Membership
from opencro.accounts.permissions import RoleCode
from opencro.partnership.kpis import Light, kpis_of
from opencro.partnership.milestones import MilestoneStatus, enrolment_target, milestones_of
from opencro.partnership.models import WorkOrder, WorkOrderStatus
from opencro.partnership.selectors import organisation_studies, work_order_list
from opencro.studies.models import Site, SiteStatus, Study
from opencro.subjects.models import SubjectStatus

ENROLLED = (SubjectStatus.ENROLLED, SubjectStatus.COMPLETED, SubjectStatus.WITHDRAWN)
TROUBLE = (MilestoneStatus.AT_RISK, MilestoneStatus.OVERDUE)
LIVE = (WorkOrderStatus.EXECUTED, WorkOrderStatus.DRAFT)


@dataclass(frozen=True)
class StudyRow:
    study: Study
    work_order: WorkOrder | None
    countries: tuple[str, ...]
    sites: int
    sites_active: int
    enrolled: int
    target: int | None
    milestones_in_trouble: tuple[tuple[str, str], ...]  # (label, status label)
    kpi_lights: dict[str, int]  # light -> count
    team: dict[str, int]  # role name -> people

    @property
    def enrolled_percent(self) -> float | None:
        return 100.0 * self.enrolled / self.target if self.target else None

    @property
    def people(self) -> int:
        return sum(self.team.values())


@dataclass(frozen=True)
class MonitorLoad:
    name: str
    studies: int
    sites: int


@dataclass
class Portfolio:
    as_of: dt.date
    rows: list[StudyRow]
    by_phase: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    sites_by_country: Counter = field(default_factory=Counter)
    monitors: list[MonitorLoad] = field(default_factory=list)

    @property
    def enrolled(self) -> int:
        return sum(r.enrolled for r in self.rows)

    @property
    def target(self) -> int:
        return sum(r.target or 0 for r in self.rows)

    @property
    def in_trouble(self) -> int:
        """Milestones at risk or overdue across the portfolio."""
        return sum(len(r.milestones_in_trouble) for r in self.rows)

    @property
    def kpis_red(self) -> int:
        return sum(r.kpi_lights.get(Light.RED, 0) for r in self.rows)


def _live_orders(access: OrgAccess) -> dict[int, WorkOrder]:
    """The live work order (executed first, else a draft) under the organisation's agreements, per study."""
    orders: dict[int, WorkOrder] = {}
    for order in work_order_list(access).filter(status__in=LIVE).select_related("agreement").order_by("status", "pk"):
        current = orders.get(order.study_id)
        if current is None or (order.status == WorkOrderStatus.EXECUTED and current.status != WorkOrderStatus.EXECUTED):
            orders[order.study_id] = order
    return orders


def _teams(study_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = (
        Membership.objects.filter(study_id__in=study_ids, is_active=True)
        .values("study_id", "role__name")
        .annotate(n=Count("pk"))
        .order_by("study_id", "role__name")
    )
    teams: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        teams[row["study_id"]][row["role__name"]] = row["n"]
    return teams


def _monitors(studies: list[Study]) -> list[MonitorLoad]:
    """Each monitor's studies and sites in the portfolio (all of a study's sites for an unrestricted membership)."""
    site_counts = dict(
        Site.objects.filter(study__in=studies).values("study_id").annotate(n=Count("pk")).values_list("study_id", "n")
    )
    load: dict[int, list] = {}
    memberships = (
        Membership.objects.filter(study__in=studies, is_active=True, role__code=RoleCode.MONITOR)
        .select_related("user")
        .annotate(restricted=Count("sites"))
    )
    for membership in memberships:
        entry = load.setdefault(membership.user_id, [membership.user.printed_name, 0, 0])
        entry[1] += 1
        entry[2] += membership.restricted or site_counts.get(membership.study_id, 0)
    return sorted((MonitorLoad(*v) for v in load.values()), key=lambda m: (-m.sites, m.name))


def portfolio(access: OrgAccess, as_of: dt.date) -> Portfolio:
    """The organisation's portfolio as of a day."""
    studies = list(organisation_studies(access).order_by("protocol_number"))
    ids = [s.pk for s in studies]
    orders = _live_orders(access)
    teams = _teams(ids)
    sites = (
        Site.objects.filter(study_id__in=ids)
        .values("study_id", "country__code")
        .annotate(n=Count("pk"), active=Count("pk", filter=Q(status=SiteStatus.ACTIVE)))
    )
    by_study: dict[int, list] = defaultdict(list)
    result = Portfolio(as_of=as_of, rows=[])
    for row in sites:
        by_study[row["study_id"]].append(row)
        result.sites_by_country[row["country__code"]] += row["n"]
    enrolled = dict(
        Study.objects.filter(pk__in=ids)
        .annotate(n=Count("subjects", filter=Q(subjects__status__in=ENROLLED, subjects__enrolled_on__lte=as_of)))
        .values_list("pk", "n")
    )
    for study in studies:
        order = orders.get(study.pk)
        trouble: tuple = ()
        lights: Counter = Counter()
        if order is not None:
            trouble = tuple((m.label, m.status_label) for m in milestones_of(order, as_of) if m.status in TROUBLE)
            lights = Counter(k.light for k in kpis_of(order, as_of))
        places = by_study[study.pk]
        result.rows.append(
            StudyRow(
                study=study,
                work_order=order,
                countries=tuple(sorted({p["country__code"] for p in places})),
                sites=sum(p["n"] for p in places),
                sites_active=sum(p["active"] for p in places),
                enrolled=enrolled.get(study.pk, 0),
                target=enrolment_target(study),
                milestones_in_trouble=trouble,
                kpi_lights=dict(lights),
                team=teams.get(study.pk, {}),
            )
        )
        result.by_phase[study.get_phase_display()] += 1
        result.by_status[study.get_status_display()] += 1
    result.monitors = _monitors(studies)
    return result


def portfolio_as_dict(p: Portfolio) -> dict:
    return {
        "as_of": p.as_of,
        "studies": [
            {
                "study_id": r.study.pk,
                "protocol_number": r.study.protocol_number,
                "title": r.study.title,
                "phase": r.study.phase,
                "status": r.study.status,
                "work_order_id": r.work_order.pk if r.work_order else None,
                "work_order": r.work_order.number if r.work_order else None,
                "countries": list(r.countries),
                "sites": r.sites,
                "sites_active": r.sites_active,
                "enrolled": r.enrolled,
                "target": r.target,
                "milestones_in_trouble": [{"milestone": m, "status": s} for m, s in r.milestones_in_trouble],
                "kpi_lights": r.kpi_lights,
                "team": r.team,
            }
            for r in p.rows
        ],
        "by_phase": dict(p.by_phase),
        "by_status": dict(p.by_status),
        "sites_by_country": dict(p.sites_by_country),
        "monitors": [{"name": m.name, "studies": m.studies, "sites": m.sites} for m in p.monitors],
    }
