"""Reads of trial supply, scoped by a StudyAccess and blinded.

Scope: site-restricted readers see their sites' kits, shipments, dispensations and excursions; an object
elsewhere is a 404 (Http404), as is one of another study. Depots, depot stock and kits not at a site are
for `supply.manage` only. Blinding: kit types, lots and per-type breakdowns are only returned when
`access.sees_treatment`; otherwise the rows carry kit numbers, statuses, expiry dates and places.
Callers (pages, API) use the `unblinded` flag of the row objects to pick their output; they never read
`kit.kit_type` themselves for a blinded reader.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_check, access_site
from opencro.accounts.permissions import Perm
from opencro.rtsm.models import (
    Depot,
    Dispensation,
    DispensingVisit,
    ExcursionDecision,
    ItemCondition,
    Kit,
    KitStatus,
    KitType,
    Lot,
    Shipment,
    ShipmentItem,
    ShipmentStatus,
    SiteSupplyLevel,
    SupplySettings,
    TemperatureExcursion,
)
from opencro.rtsm.services.supply._base import site_today, supply_settings_for
from opencro.rtsm.services.supply.planning import ResupplyPlan, resupply_plan
from opencro.studies.models import Site, Visit
from opencro.subjects.models import Subject


def _study_id(access: StudyAccess) -> int:
    return access.membership.study_id


def require_unblinded(access: StudyAccess) -> None:
    """Kit types, lots and per-type figures: 403 for a reader without `treatment.view`."""
    if not access.sees_treatment:
        raise PermissionDenied(_("Your role on this study does not allow this."))


def supply_site_get(access: StudyAccess, site_id: int) -> Site:
    """A site of the study the reader may see (404 otherwise)."""
    access_site(access, site_id)
    site = Site.objects.filter(pk=site_id, study_id=_study_id(access)).first()
    if site is None:
        raise Http404(_("No such site."))
    return site


def supply_subject_get(access: StudyAccess, subject_id: int) -> Subject:
    """A subject of the study at the reader's sites (404 otherwise)."""
    subject = (
        Subject.objects.filter(pk=subject_id, study_id=_study_id(access))
        .filter(access.site_filter())
        .select_related("site")
        .first()
    )
    if subject is None:
        raise Http404(_("No such subject."))
    return subject


def supply_visit_get(access: StudyAccess, visit_id: int) -> Visit:
    visit = Visit.objects.filter(pk=visit_id, study_id=_study_id(access)).first()
    if visit is None:
        raise Http404(_("No such visit."))
    return visit


# --- configuration -------------------------------------------------------------------------------------


def supply_settings_get(access: StudyAccess) -> SupplySettings:
    """The study's supply settings (defaults, unsaved, when none were saved)."""
    return supply_settings_for(_study_id(access))


def dispensing_visit_list(access: StudyAccess) -> QuerySet[DispensingVisit]:
    return DispensingVisit.objects.filter(study_id=_study_id(access)).select_related("visit").order_by("visit__order")


def dispensing_visit_get(access: StudyAccess, visit_id: int) -> DispensingVisit:
    found = dispensing_visit_list(access).filter(visit_id=visit_id).first()
    if found is None:
        raise Http404(_("No such dispensing visit."))
    return found


def kit_type_list(access: StudyAccess) -> QuerySet[KitType]:
    require_unblinded(access)
    return KitType.objects.filter(study_id=_study_id(access)).select_related("arm").order_by("code")


def kit_type_get(access: StudyAccess, kit_type_id: int) -> KitType:
    found = KitType.objects.filter(study_id=_study_id(access), pk=kit_type_id).select_related("arm").first()
    if found is None:
        raise Http404(_("No such kit type."))
    require_unblinded(access)
    return found


def lot_list(access: StudyAccess) -> QuerySet[Lot]:
    require_unblinded(access)
    qs = Lot.objects.filter(study_id=_study_id(access)).select_related("kit_type")
    return qs.annotate(kit_count=Count("kits")).order_by("expires_on", "number")


def lot_get(access: StudyAccess, lot_id: int) -> Lot:
    found = Lot.objects.filter(study_id=_study_id(access), pk=lot_id).select_related("kit_type").first()
    if found is None:
        raise Http404(_("No such lot."))
    require_unblinded(access)
    return found


def depot_list(access: StudyAccess) -> QuerySet[Depot]:
    return Depot.objects.filter(study_id=_study_id(access)).prefetch_related("countries").order_by("code")


def depot_get(access: StudyAccess, depot_id: int) -> Depot:
    found = depot_list(access).filter(pk=depot_id).first()
    if found is None:
        raise Http404(_("No such depot."))
    return found


def site_supply_levels(access: StudyAccess, site_id: int) -> QuerySet[SiteSupplyLevel]:
    """A site's buffers per kit type (unblinded readers)."""
    site = supply_site_get(access, site_id)
    require_unblinded(access)
    return SiteSupplyLevel.objects.filter(site=site).select_related("kit_type").order_by("kit_type__code")


# --- kits and inventory --------------------------------------------------------------------------------


@dataclass(frozen=True)
class KitRow:
    """One kit as a reader may see it; `kit_type` and `lot` are None for blinded readers."""

    number: str
    status: str
    status_label: str
    expires_on: dt.date
    site_number: str | None
    depot_code: str | None
    kit_type: str | None = None
    lot: str | None = None

    @property
    def location(self) -> str:
        if self.site_number:
            return _("site %(s)s") % {"s": self.site_number}
        if self.status == KitStatus.IN_TRANSIT:
            return _("in transit from depot %(d)s") % {"d": self.depot_code}
        return _("depot %(d)s") % {"d": self.depot_code} if self.depot_code else ""


def kit_rows(access: StudyAccess, kits) -> list[KitRow]:
    """Rows for kits the caller already scoped (kit type and lot only for unblinded readers)."""
    unblinded = access.sees_treatment
    return [
        KitRow(
            number=k.number,
            status=k.status,
            status_label=str(k.get_status_display()),
            expires_on=k.expires_on,
            site_number=k.site.number if k.site_id else None,
            depot_code=k.depot.code if k.depot_id else None,
            kit_type=k.kit_type.code if unblinded else None,
            lot=k.lot.number if unblinded else None,
        )
        for k in kits
    ]


def kit_list(
    access: StudyAccess, *, site_id: int | None = None, depot_id: int | None = None, status: str = ""
) -> QuerySet[Kit]:
    """Kits the reader may see, by number: at their sites; with `supply.manage` also at depots and in transit."""
    qs = Kit.objects.filter(study_id=_study_id(access))
    at_sites = Q(site__isnull=False) & access.site_filter()
    qs = qs.filter(at_sites | Q(site__isnull=True)) if access.can(Perm.SUPPLY_MANAGE) else qs.filter(at_sites)
    if site_id is not None:
        qs = qs.filter(site=supply_site_get(access, site_id))
    if depot_id is not None:
        access_check(access, Perm.SUPPLY_MANAGE)
        qs = qs.filter(depot=depot_get(access, depot_id), site__isnull=True)
    if status:
        qs = qs.filter(status=status)
    related = ["site", "depot", *(["kit_type", "lot"] if access.sees_treatment else [])]
    return qs.select_related(*related).order_by("number")


def kits_destroyable(access: StudyAccess, *, site_id: int | None = None, depot_id: int | None = None) -> QuerySet[Kit]:
    """Kits at one site or depot whose destruction may be recorded: returned, damaged, or available past expiry
    (the rule of `inventory.kits_destroy`; quarantined kits go through their excursion's decision)."""
    kits = kit_list(access, site_id=site_id, depot_id=depot_id)  # another site's: 404 first
    access_check(access, Perm.SUPPLY_MANAGE)
    expired = Q(status=KitStatus.AVAILABLE, expires_on__lt=timezone.localdate())
    return kits.filter(Q(status__in=(KitStatus.RETURNED, KitStatus.DAMAGED)) | expired)


def kit_get(access: StudyAccess, number: str) -> Kit:
    found = kit_list(access).filter(number=number).first()
    if found is None:
        raise Http404(_("No such kit."))
    return found


@dataclass(frozen=True)
class TypeCounts:
    kit_type: KitType
    counts: dict[str, int]


@dataclass(frozen=True)
class SiteInventory:
    """A site's stock: counts by status; by kit type (unblinded readers only, else None)."""

    site: Site
    counts: dict[str, int]
    by_kit_type: list[TypeCounts] | None
    expired_on_hand: int
    in_transit: int  # kits shipped to the site, not yet received
    open_shipments: int

    @property
    def on_hand(self) -> int:
        return self.counts.get(KitStatus.AVAILABLE, 0)


def _counts(rows) -> dict[str, int]:
    counts = dict.fromkeys(KitStatus.values, 0)
    for status, n in rows:
        counts[status] += n
    return counts


def site_inventory(access: StudyAccess, site_id: int) -> SiteInventory:
    return _inventory(access, supply_site_get(access, site_id))


def site_inventory_summary(access: StudyAccess) -> list[SiteInventory]:
    """The stock of every site the reader may see."""
    sites = Site.objects.filter(study_id=_study_id(access)).filter(access.site_filter("pk")).order_by("number")
    return [_inventory(access, site) for site in sites]


def _inventory(access: StudyAccess, site: Site) -> SiteInventory:
    kits = Kit.objects.filter(site=site)
    counts = _counts(kits.values_list("status").annotate(n=Count("pk")).order_by())
    by_type = None
    if access.sees_treatment:
        per: dict[int, list] = defaultdict(list)
        for type_id, status, n in kits.values_list("kit_type_id", "status").annotate(n=Count("pk")).order_by():
            per[type_id].append((status, n))
        types = KitType.objects.filter(study_id=site.study_id).order_by("code")
        by_type = [TypeCounts(t, _counts(per.get(t.pk, []))) for t in types]
    travelling = ShipmentItem.objects.filter(shipment__site=site, shipment__status=ShipmentStatus.SHIPPED)
    return SiteInventory(
        site=site,
        counts=counts,
        by_kit_type=by_type,
        expired_on_hand=kits.filter(status=KitStatus.AVAILABLE, expires_on__lt=site_today(site)).count(),
        in_transit=travelling.count(),
        open_shipments=Shipment.objects.filter(
            site=site, status__in=(ShipmentStatus.REQUESTED, ShipmentStatus.SHIPPED)
        ).count(),
    )


@dataclass(frozen=True)
class DepotInventory:
    depot: Depot
    by_kit_type: list[TypeCounts]
    reserved: int  # available kits promised to proposed or requested shipments


def depot_inventory(access: StudyAccess, depot_id: int) -> DepotInventory:
    """Stock at a depot per kit type and status (`supply.manage`, unblinded)."""
    depot = depot_get(access, depot_id)
    access_check(access, Perm.SUPPLY_MANAGE)
    require_unblinded(access)
    kits = Kit.objects.filter(depot=depot, site__isnull=True)
    per: dict[int, list] = defaultdict(list)
    for type_id, status, n in kits.values_list("kit_type_id", "status").annotate(n=Count("pk")).order_by():
        per[type_id].append((status, n))
    types = KitType.objects.filter(study_id=depot.study_id).order_by("code")
    reserved = (
        kits.filter(
            status=KitStatus.AVAILABLE,
            shipment_items__shipment__status__in=(ShipmentStatus.PROPOSED, ShipmentStatus.REQUESTED),
        )
        .distinct()
        .count()
    )
    return DepotInventory(depot, [TypeCounts(t, _counts(per.get(t.pk, []))) for t in types], reserved)


# --- shipments -----------------------------------------------------------------------------------------


def shipment_list(access: StudyAccess, *, site_id: int | None = None, status: str = "") -> QuerySet[Shipment]:
    """Shipments to the reader's sites, newest first."""
    qs = Shipment.objects.filter(study_id=_study_id(access)).filter(access.site_filter())
    if site_id is not None:
        qs = qs.filter(site=supply_site_get(access, site_id))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("site", "depot").annotate(kit_count=Count("items")).order_by("-created_at", "-pk")


def shipment_get(access: StudyAccess, shipment_id: int) -> Shipment:
    found = shipment_list(access).filter(pk=shipment_id).first()
    if found is None:
        raise Http404(_("No such shipment."))
    return found


@dataclass(frozen=True)
class ShipmentLine:
    """One kit of a shipment: number, condition on arrival, current status; kit type for unblinded readers."""

    kit_number: str
    condition: str
    kit_status: str
    expires_on: dt.date
    kit_type: str | None = None


def shipment_lines(access: StudyAccess, shipment: Shipment) -> list[ShipmentLine]:
    items = ShipmentItem.objects.filter(shipment=shipment).select_related("kit__kit_type").order_by("kit__number")
    unblinded = access.sees_treatment
    return [
        ShipmentLine(
            kit_number=i.kit.number,
            condition=i.condition,
            kit_status=i.kit.status,
            expires_on=i.kit.expires_on,
            kit_type=i.kit.kit_type.code if unblinded else None,
        )
        for i in items
    ]


def shipment_quantities(access: StudyAccess, shipment: Shipment) -> dict[str, int]:
    """{kit type code: kits} of a shipment (unblinded readers)."""
    require_unblinded(access)
    rows = ShipmentItem.objects.filter(shipment=shipment).values_list("kit__kit_type__code").annotate(n=Count("pk"))
    return dict(rows.order_by("kit__kit_type__code"))


# --- dispensing and accountability ---------------------------------------------------------------------


def dispensation_list(access: StudyAccess, subject_id: int) -> QuerySet[Dispensation]:
    """A subject's dispensations, oldest first (404 for a subject outside the reader's sites)."""
    subject = supply_subject_get(access, subject_id)
    return (
        Dispensation.objects.filter(subject=subject)
        .select_related("kit", "visit", "subject", "dispensed_by", "returned_by", "replaces__kit")
        .order_by("dispensed_at", "pk")
    )


def dispensation_get(access: StudyAccess, dispensation_id: int) -> Dispensation:
    found = (
        Dispensation.objects.filter(pk=dispensation_id, subject__study_id=_study_id(access))
        .filter(access.site_filter("subject__site_id"))
        .select_related("kit", "visit", "subject")
        .first()
    )
    if found is None:
        raise Http404(_("No such dispensation."))
    return found


@dataclass(frozen=True)
class Accountability:
    """Drug accountability figures. Compliance = units used / units dispensed, over the kits whose return
    was counted (None before any); units per kit come from the kit type (the same for every arm of a
    blinded study)."""

    kits_received: int = 0
    kits_dispensed: int = 0
    kits_returned: int = 0
    units_dispensed: int = 0
    units_returned: int = 0
    compliance_percent: float | None = None
    on_hand: int = 0
    damaged: int = 0
    missing: int = 0
    quarantined: int = 0
    destroyed: int = 0
    expired_on_hand: int = 0
    replaced: int = 0  # dispensed kits later reported damaged or lost (and replaced)
    damaged_on_arrival: int = 0
    missing_on_arrival: int = 0


_COUNTED = Q(returned_on__isnull=False, units_returned__isnull=False)  # returns whose units were counted


def _dispensing_aggregates() -> dict:
    """Aggregates over dispensations: one row of them per group (a subject, a site) in one query."""
    return {
        "n": Count("pk"),
        "units": Sum("kit__kit_type__units"),
        "returned": Count("pk", filter=Q(returned_on__isnull=False)),
        "out": Sum("kit__kit_type__units", filter=_COUNTED),
        "back": Sum("units_returned", filter=_COUNTED),
        "replaced": Count("pk", filter=Q(kit__status__in=(KitStatus.DAMAGED, KitStatus.MISSING))),
    }


def _figures(row: dict) -> dict:
    """Accountability fields from one row of `_dispensing_aggregates`."""
    compliance = None
    if row["out"]:
        compliance = round(100.0 * (row["out"] - (row["back"] or 0)) / row["out"], 1)
    return {
        "kits_dispensed": row["n"],
        "units_dispensed": row["units"] or 0,
        "kits_returned": row["returned"],
        "units_returned": row["back"] or 0,
        "compliance_percent": compliance,
        "replaced": row["replaced"],
    }


def _dispensing_figures(rows: QuerySet[Dispensation]) -> dict:
    return _figures(rows.aggregate(**_dispensing_aggregates()))


def subject_accountability(access: StudyAccess, subject_id: int) -> Accountability:
    subject = supply_subject_get(access, subject_id)
    return Accountability(**_dispensing_figures(Dispensation.objects.filter(subject=subject)))


def site_subject_accountability(access: StudyAccess, site_id: int) -> list[tuple[Subject, Accountability]]:
    """(subject, figures) for each subject of the site who received a kit, by number: the figures of
    `subject_accountability`, in a fixed number of queries however many subjects there are."""
    site = supply_site_get(access, site_id)
    grouped = {
        row["subject_id"]: row
        for row in Dispensation.objects.filter(subject__study_id=_study_id(access), subject__site=site)
        .values("subject_id")
        .annotate(**_dispensing_aggregates())
        .order_by()
    }
    subjects = (
        Subject.objects.filter(pk__in=grouped, site=site)
        .filter(access.site_filter())
        .select_related("site")
        .order_by("number")
    )
    return [(s, Accountability(**_figures(grouped[s.pk]))) for s in subjects]


def site_accountability(access: StudyAccess, site_id: int) -> Accountability:
    """A site's kits in and out: received (by condition), dispensed, returned, and what is there now."""
    site = supply_site_get(access, site_id)
    arrived = Counter(
        dict(
            ShipmentItem.objects.filter(shipment__site=site, shipment__status=ShipmentStatus.RECEIVED)
            .values_list("condition")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    kits = Kit.objects.filter(site=site)
    status = _counts(kits.values_list("status").annotate(n=Count("pk")).order_by())
    figures = _dispensing_figures(Dispensation.objects.filter(kit__site=site))
    return Accountability(
        kits_received=arrived[ItemCondition.RECEIVED],
        on_hand=status[KitStatus.AVAILABLE],
        damaged=status[KitStatus.DAMAGED],
        missing=status[KitStatus.MISSING],
        quarantined=status[KitStatus.QUARANTINED],
        destroyed=status[KitStatus.DESTROYED],
        expired_on_hand=kits.filter(status=KitStatus.AVAILABLE, expires_on__lt=site_today(site)).count(),
        damaged_on_arrival=arrived[ItemCondition.DAMAGED],
        missing_on_arrival=arrived[ItemCondition.MISSING],
        **figures,
    )


# --- excursions ----------------------------------------------------------------------------------------


def excursion_list(access: StudyAccess, *, decision: str = "") -> QuerySet[TemperatureExcursion]:
    """Excursions at the reader's sites or in shipments to them; depot ones for `supply.manage` only."""
    qs = TemperatureExcursion.objects.filter(study_id=_study_id(access))
    if access.site_ids is not None:
        mine = Q(site_id__in=access.site_ids) | Q(shipment__site_id__in=access.site_ids)
    else:
        mine = Q(site__isnull=False) | Q(shipment__isnull=False)
    if access.can(Perm.SUPPLY_MANAGE):
        mine |= Q(depot__isnull=False)
    qs = qs.filter(mine)
    if decision:
        qs = qs.filter(decision=decision)
    return qs.select_related("site", "depot", "shipment", "reported_by", "decided_by").order_by("-started_at", "-pk")


def excursion_get(access: StudyAccess, excursion_id: int) -> TemperatureExcursion:
    found = excursion_list(access).filter(pk=excursion_id).first()
    if found is None:
        raise Http404(_("No such excursion."))
    return found


def excursion_kits(access: StudyAccess, excursion: TemperatureExcursion) -> list[KitRow]:
    kits = excursion.kits.select_related("site", "depot", "kit_type", "lot").order_by("number")
    return kit_rows(access, kits)


def excursions_pending(access: StudyAccess) -> int:
    return excursion_list(access, decision=ExcursionDecision.PENDING).count()


# --- resupply ------------------------------------------------------------------------------------------


def resupply_preview(access: StudyAccess, site_id: int) -> ResupplyPlan:
    """What the resupply check would do at the site today (`supply.manage`, unblinded: per kit type)."""
    site = supply_site_get(access, site_id)
    access_check(access, Perm.SUPPLY_MANAGE)
    require_unblinded(access)
    return resupply_plan(Site.objects.select_related("country").get(pk=site.pk))
