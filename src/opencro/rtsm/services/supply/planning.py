"""What the resupply check sees at a site: stock, kits in transit, buffers, the visit schedule, enrolment.

Reads only. `resupply_plan` gathers the inputs from the database and hands them to the pure rules in
`forecast`; `resupply.resupply_check` acts on the plan and a selector shows it to supply managers.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from opencro.rtsm.models import (
    Depot,
    Dispensation,
    DispensingVisit,
    Kit,
    KitStatus,
    KitType,
    Randomisation,
    Shipment,
    ShipmentItem,
    ShipmentStatus,
    ShipmentTrigger,
    SiteSupplyLevel,
)
from opencro.rtsm.services.supply._base import site_date, site_today, supply_settings_for
from opencro.rtsm.services.supply.forecast import (
    DispensingPlan,
    LineOrder,
    StockLine,
    arm_demand,
    expected_new_subjects,
    kits_per_new_subject,
    line_orders,
    site_enrolment_rate,
)
from opencro.studies.models import Arm, Site
from opencro.subjects.models import SubjectStatus, TreatmentAssignment

IN_PIPELINE = (ShipmentStatus.REQUESTED, ShipmentStatus.SHIPPED)


@dataclass(frozen=True)
class PlanLine:
    kit_type: KitType
    order: LineOrder


@dataclass(frozen=True)
class ResupplyPlan:
    """The resupply picture of one site today (kit types inside: for unblinded readers only)."""

    site: Site
    today: dt.date
    horizon_days: int
    rate_per_month: float
    new_subjects: float
    lines: list[PlanLine] = field(default_factory=list)
    open_proposal: Shipment | None = None
    depot: Depot | None = None

    @property
    def quantities(self) -> dict[KitType, int]:
        return {line.kit_type: line.order.quantity for line in self.lines if line.order.quantity > 0}

    @property
    def trigger(self) -> str:
        """MINIMUM when any line is below its buffer, else FORECAST (or "" when nothing is needed)."""
        triggers = {line.order.trigger for line in self.lines if line.order.quantity > 0}
        if "minimum" in triggers:
            return ShipmentTrigger.MINIMUM
        return ShipmentTrigger.FORECAST if triggers else ""


def randomisation_dates(site: Site) -> dict[int, tuple[dt.date, int]]:
    """{subject id: (randomisation date at the site, arm id)} for the site's randomised subjects.

    The date is Day 1. It comes from the RTSM randomisation when there is one, else from the assignment.
    """
    assignments = TreatmentAssignment.objects.filter(subject__site=site).values_list(
        "subject_id", "arm_id", "randomised_at"
    )
    rtsm = dict(Randomisation.objects.filter(subject__site=site).values_list("subject_id", "randomised_at"))
    return {s: (site_date(site, rtsm.get(s, at)), arm) for s, arm, at in assignments}


def serving_depot(site: Site) -> Depot | None:
    """The depot supplying the site: one listing its country first, else one supplying every country."""
    depots = Depot.objects.filter(study_id=site.study_id)
    return (
        depots.filter(countries=site.country_id).order_by("code").first()
        or depots.filter(countries__isnull=True).order_by("code").first()
    )


def resupply_plan(site: Site, *, today: dt.date | None = None) -> ResupplyPlan:
    """Everything the resupply rules need about `site`, and their answer per kit type."""
    settings = supply_settings_for(site.study_id)
    today = today or site_today(site)
    horizon = settings.forecast_days
    usable_from = today + dt.timedelta(days=settings.shipping_days + settings.do_not_dispense_days)
    usable = Counter(
        dict(
            Kit.objects.filter(site=site, status=KitStatus.AVAILABLE, expires_on__gte=usable_from)
            .values_list("kit_type_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    in_transit = Counter(
        dict(
            ShipmentItem.objects.filter(
                shipment__site=site,
                shipment__status__in=IN_PIPELINE,
                kit__status__in=(KitStatus.AVAILABLE, KitStatus.IN_TRANSIT),
            )
            .values_list("kit__kit_type_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    levels = {lv.kit_type_id: lv for lv in SiteSupplyLevel.objects.filter(site=site)}
    kit_types = sorted(
        KitType.objects.filter(study_id=site.study_id),
        key=lambda k: (k.arm_id, k.pk not in levels, k.code),
    )
    lines = [
        StockLine(
            kit_type=k.pk,
            arm=k.arm_id,
            usable=usable[k.pk],
            in_transit=in_transit[k.pk],
            minimum=levels[k.pk].minimum if k.pk in levels else 0,
            maximum=levels[k.pk].maximum if k.pk in levels else 0,
        )
        for k in kit_types
    ]
    randomised = randomisation_dates(site)
    plans = _dispensing_plans(site.study_id)
    first = min((d for d, _arm in randomised.values()), default=today)
    rate = site_enrolment_rate(len(randomised), (today - first).days, settings.enrolment_per_site_month)
    remaining = max(site.target_enrolment - len(randomised), 0) if site.target_enrolment else None
    new_subjects = expected_new_subjects(rate, horizon, remaining)
    demand = arm_demand(
        scheduled=_scheduled(site, randomised, plans, today, horizon),
        ratios=dict(Arm.objects.filter(study_id=site.study_id).values_list("pk", "allocation_ratio")),
        new_subjects=new_subjects,
        per_subject=kits_per_new_subject(horizon, [p for _v, p, _w in plans]),
    )
    by_id = {k.pk: k for k in kit_types}
    return ResupplyPlan(
        site=site,
        today=today,
        horizon_days=horizon,
        rate_per_month=rate,
        new_subjects=new_subjects,
        lines=[PlanLine(by_id[o.kit_type], o) for o in line_orders(lines, demand)],
        open_proposal=Shipment.objects.filter(site=site, status=ShipmentStatus.PROPOSED).order_by("pk").first(),
        depot=serving_depot(site),
    )


def _dispensing_plans(study_id: int) -> list[tuple[object, DispensingPlan, tuple[int, int]]]:
    """(visit, plan, (window before, window after)) of every scheduled dispensing visit."""
    rows = DispensingVisit.objects.filter(study_id=study_id, visit__is_unscheduled=False).select_related("visit")
    return [
        (d.visit, DispensingPlan(offset=d.visit.day - 1, kits=d.kits), (d.visit.window_before, d.visit.window_after))
        for d in rows
        if d.visit.day is not None and d.visit.day >= 1
    ]


def _scheduled(
    site: Site,
    randomised: dict[int, tuple[dt.date, int]],
    plans: list,
    today: dt.date,
    horizon: int,
) -> dict[int, int]:
    """Kits per arm due to randomised subjects still on treatment, at visits whose window is open or opens
    within the horizon and that were not dispensed yet."""
    on_treatment = set(
        site.subjects.filter(pk__in=list(randomised), status=SubjectStatus.ENROLLED).values_list("pk", flat=True)
    )
    done = set(
        Dispensation.objects.filter(subject_id__in=on_treatment).values_list("subject_id", "visit_id").distinct()
    )
    end = today + dt.timedelta(days=horizon)
    due: dict[int, int] = defaultdict(int)
    for subject_id in on_treatment:
        day_one, arm = randomised[subject_id]
        for visit, plan, (before, after) in plans:
            target = day_one + dt.timedelta(days=plan.offset)
            opens, closes = target - dt.timedelta(days=before), target + dt.timedelta(days=after)
            if closes >= today and opens <= end and (subject_id, visit.pk) not in done:
                due[arm] += plan.kits
    return dict(due)
