"""Trial supply API under /api/v1/studies/{id}/rtsm/supply/.

Blinding: answers for readers without `treatment.view` use the blinded schemas (kit numbers, statuses,
expiry dates, places; no kit type, lot, arm or shipment reason). Site-restricted readers get 404 for
kits, shipments, subjects, dispensations and excursions of other sites. Kit set-up and depots need
`supply.manage`; dispensing, receiving and returns need `supply.dispense` at the site.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.rtsm.models import Dispensation, KitStatus, Shipment, TemperatureExcursion
from opencro.rtsm.selectors import supply as sel
from opencro.rtsm.services.supply import configuration, dispensing, excursions, inventory, resupply, shipments
from opencro.studies.models import Country

router = Router(tags=["rtsm supply"])
P = "/{study_id}/rtsm/supply"
MAX_ID = 2**53
KitNumber = Field(..., min_length=1, max_length=20)


def _id(default=...):
    return Field(default, ge=1, le=MAX_ID)


class SupplyReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


# --- settings, kit types, lots, depots -----------------------------------------------------------------


class SupplySettingsIn(Schema):
    do_not_ship_days: int = Field(..., ge=0, le=3650)
    do_not_dispense_days: int = Field(..., ge=0, le=3650)
    shipping_days: int = Field(..., ge=0, le=365)
    forecast_days: int = Field(..., ge=0, le=3650)
    enrolment_per_site_month: float = Field(..., ge=0, le=10_000)
    reason: str = Field("", max_length=500)


class SupplySettingsOut(Schema):
    do_not_ship_days: int
    do_not_dispense_days: int
    shipping_days: int
    forecast_days: int
    enrolment_per_site_month: float


@router.get(P + "/settings", response=SupplySettingsOut, summary="Supply settings (defaults until saved)")
def get_settings(request, study_id: int):
    return sel.supply_settings_get(access_study(request.user, study_id, Perm.STUDY_VIEW))


@router.put(P + "/settings", response=SupplySettingsOut, summary="Save the supply settings (a change needs a reason)")
def put_settings(request, study_id: int, body: SupplySettingsIn):
    access = access_study(request.user, study_id, Perm.SUPPLY_MANAGE)
    return configuration.supply_settings_save(
        actor=request.user, study=access.membership.study, known=access, **body.model_dump()
    )


class KitTypeIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=200)
    arm_id: int = _id()
    units: int = Field(1, ge=1, le=100_000)


class KitTypePatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=200)
    arm_id: int | None = _id(None)
    units: int | None = Field(None, ge=1, le=100_000)
    reason: str = Field(..., min_length=1, max_length=500)


class KitTypeOut(Schema):
    id: int
    code: str
    name: str
    arm_code: str
    units: int

    @staticmethod
    def resolve_arm_code(obj) -> str:
        return obj.arm.code


def _arm(access: StudyAccess, arm_id: int | None):
    if arm_id is None:
        return None
    arm = access.membership.study.arms.filter(pk=arm_id).first()
    if arm is None:
        raise ValidationError({"arm_id": _("No such arm in this study.")})
    return arm


@router.get(P + "/kit-types", response=list[KitTypeOut], summary="Kit types (unblinded)")
def list_kit_types(request, study_id: int):
    return list(sel.kit_type_list(access_study(request.user, study_id, Perm.SUPPLY_MANAGE)))


@router.post(P + "/kit-types", response={201: KitTypeOut}, summary="Create a kit type of an arm")
def create_kit_type(request, study_id: int, body: KitTypeIn):
    access = access_study(request.user, study_id, Perm.SUPPLY_MANAGE)
    kit_type = inventory.kit_type_create(
        actor=request.user,
        study=access.membership.study,
        code=body.code,
        name=body.name,
        arm=_arm(access, body.arm_id),
        units=body.units,
        known=access,
    )
    return Status(201, kit_type)


@router.patch(P + "/kit-types/{kit_type_id}", response=KitTypeOut, summary="Change a kit type")
def patch_kit_type(request, study_id: int, kit_type_id: int, body: KitTypePatch):
    access = access_study(request.user, study_id, Perm.SUPPLY_MANAGE)
    kit_type = sel.kit_type_get(access, kit_type_id)
    return inventory.kit_type_update(
        actor=request.user,
        kit_type=kit_type,
        reason=body.reason,
        code=body.code,
        name=body.name,
        arm=_arm(access, body.arm_id),
        units=body.units,
        known=access,
    )


class LotIn(Schema):
    kit_type_id: int = _id()
    number: str = Field(..., min_length=1, max_length=40)
    expires_on: dt.date


class LotPatch(Schema):
    expires_on: dt.date
    reason: str = Field(..., min_length=1, max_length=500)


class LotOut(Schema):
    id: int
    number: str
    kit_type_code: str
    expires_on: dt.date

    @staticmethod
    def resolve_kit_type_code(obj) -> str:
        return obj.kit_type.code


@router.get(P + "/lots", response=list[LotOut], summary="Lots (unblinded)")
def list_lots(request, study_id: int):
    return list(sel.lot_list(access_study(request.user, study_id, Perm.SUPPLY_MANAGE)))


@router.post(P + "/lots", response={201: LotOut}, summary="Register a lot")
def create_lot(request, study_id: int, body: LotIn):
    access = access_study(request.user, study_id, Perm.SUPPLY_MANAGE)
    kit_type = sel.kit_type_get(access, body.kit_type_id)
    lot = inventory.lot_create(
        actor=request.user, kit_type=kit_type, number=body.number, expires_on=body.expires_on, known=access
    )
    return Status(201, lot)


@router.patch(P + "/lots/{lot_id}", response=LotOut, summary="Change a lot's expiry (and its kits')")
def patch_lot(request, study_id: int, lot_id: int, body: LotPatch):
    access = access_study(request.user, study_id, Perm.SUPPLY_MANAGE)
    lot = sel.lot_get(access, lot_id)
    return inventory.lot_expiry_change(
        actor=request.user, lot=lot, expires_on=body.expires_on, reason=body.reason, known=access
    )


class DepotIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=200)
    country_codes: list[str] = Field(default_factory=list, max_length=300, description="Empty: every country")


class DepotPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    country_codes: list[str] | None = Field(None, max_length=300)
    reason: str = Field(..., min_length=1, max_length=500)


class DepotOut(Schema):
    id: int
    code: str
    name: str
    countries: list[str]

    @staticmethod
    def resolve_countries(obj) -> list[str]:
        return sorted(c.code for c in obj.countries.all())


def _countries(access: StudyAccess, codes: list[str] | None) -> list[Country] | None:
    if codes is None:
        return None
    found = list(Country.objects.filter(study_id=access.membership.study_id, code__in=codes))
    unknown = sorted(set(codes) - {c.code for c in found})
    if unknown:
        raise ValidationError({"country_codes": _("Not a country of this study: %(c)s.") % {"c": ", ".join(unknown)}})
    return found


@router.get(P + "/depots", response=list[DepotOut], summary="Depots")
def list_depots(request, study_id: int):
    return list(sel.depot_list(access_study(request.user, study_id, Perm.SUPPLY_MANAGE)))


@router.post(P + "/depots", response={201: DepotOut}, summary="Create a depot")
def create_depot(request, study_id: int, body: DepotIn):
    access = access_study(request.user, study_id, Perm.SUPPLY_MANAGE)
    depot = inventory.depot_create(
        actor=request.user,
        study=access.membership.study,
        code=body.code,
        name=body.name,
        countries=_countries(access, body.country_codes),
        known=access,
    )
    return Status(201, sel.depot_get(access, depot.pk))


@router.patch(P + "/depots/{depot_id}", response=DepotOut, summary="Rename a depot or change its countries")
def patch_depot(request, study_id: int, depot_id: int, body: DepotPatch):
    access = access_study(request.user, study_id, Perm.SUPPLY_MANAGE)
    depot = sel.depot_get(access, depot_id)
    inventory.depot_update(
        actor=request.user,
        depot=depot,
        reason=body.reason,
        name=body.name,
        countries=_countries(access, body.country_codes),
        known=access,
    )
    return sel.depot_get(access, depot_id)


class TypeCountsOut(Schema):
    kit_type: str
    counts: dict[str, int]


class DepotInventoryOut(Schema):
    depot: str
    reserved: int
    kit_types: list[TypeCountsOut]


@router.get(P + "/depots/{depot_id}/inventory", response=DepotInventoryOut, summary="Depot stock per kit type")
def depot_inventory(request, study_id: int, depot_id: int):
    access = access_study(request.user, study_id, Perm.SUPPLY_MANAGE)
    found = sel.depot_inventory(access, depot_id)
    return {
        "depot": found.depot.code,
        "reserved": found.reserved,
        "kit_types": [{"kit_type": t.kit_type.code, "counts": t.counts} for t in found.by_kit_type],
    }


class LotCountIn(Schema):
    lot_id: int = _id()
    count: int = Field(..., ge=1, le=inventory.MAX_KITS_PER_CALL)


class KitsIn(Schema):
    lots: list[LotCountIn] = Field(..., min_length=1, max_length=50)


class KitsCreatedOut(Schema):
    created: int
    numbers: list[str]


@router.post(
    P + "/depots/{depot_id}/kits",
    response={201: KitsCreatedOut},
    summary="Create kits at a depot from lots (random numbers)",
)
def create_kits(request, study_id: int, depot_id: int, body: KitsIn):
    """Several lots in one call mix their kits: neither numbers nor creation order group them by type."""
    access = access_study(request.user, study_id, Perm.SUPPLY_MANAGE)
    depot = sel.depot_get(access, depot_id)
    lots: dict = {}
    for line in body.lots:
        lot = sel.lot_get(access, line.lot_id)
        lots[lot] = lots.get(lot, 0) + line.count
    kits = inventory.kits_create(actor=request.user, depot=depot, lots=lots, known=access)
    return Status(201, {"created": len(kits), "numbers": sorted(k.number for k in kits)})


# --- kits and site inventory ---------------------------------------------------------------------------


class KitOut(Schema):
    number: str
    status: str
    expires_on: dt.date
    location: str
    site_number: str | None
    depot_code: str | None


class UnblindedKitOut(KitOut):
    kit_type: str | None
    lot: str | None


def _kits_out(access: StudyAccess, kits) -> list[KitOut]:
    rows = sel.kit_rows(access, kits)
    if access.sees_treatment:
        return [UnblindedKitOut(**_kit_fields(r), kit_type=r.kit_type, lot=r.lot) for r in rows]
    return [KitOut(**_kit_fields(r)) for r in rows]


def _kit_fields(row: sel.KitRow) -> dict:
    return {
        "number": row.number,
        "status": row.status,
        "expires_on": row.expires_on,
        "location": row.location,
        "site_number": row.site_number,
        "depot_code": row.depot_code,
    }


class DestroyIn(Schema):
    numbers: list[str] = Field(..., min_length=1, max_length=5000)
    reason: str = Field(..., min_length=1, max_length=500)


class DestroyedOut(Schema):
    destroyed: list[str]


@router.post(P + "/kits/destroy", response=DestroyedOut, summary="Record the destruction of kits")
def destroy_kits(request, study_id: int, body: DestroyIn):
    """Declared before /kits/{number} so that its path is matched first."""
    access = access_study(request.user, study_id, Perm.SUPPLY_MANAGE)
    kits = inventory.kits_destroy(
        actor=request.user,
        study=access.membership.study,
        numbers=[n[:20] for n in body.numbers],
        reason=body.reason,
        known=access,
    )
    return {"destroyed": [k.number for k in kits]}


@router.get(P + "/kits", response=list[UnblindedKitOut | KitOut], summary="Kits you may see, by number")
def list_kits(
    request,
    study_id: int,
    site_id: int | None = Query(None, ge=1, le=MAX_ID),
    depot_id: int | None = Query(None, ge=1, le=MAX_ID),
    status: str = Query("", max_length=12),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_ID),
):
    """Kits at your sites (and, for supply managers, at depots and in transit); kit type and lot only for
    unblinded readers."""
    access = access_study(request.user, study_id, Perm.SITE_VIEW)
    if status and status not in KitStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    kits = sel.kit_list(access, site_id=site_id, depot_id=depot_id, status=status)
    return _kits_out(access, kits[offset : offset + limit])


@router.get(P + "/kits/{number}", response=UnblindedKitOut | KitOut, summary="One kit by number")
def get_kit(request, study_id: int, number: str = Path(..., max_length=20)):
    access = access_study(request.user, study_id, Perm.SITE_VIEW)
    return _kits_out(access, [sel.kit_get(access, number)])[0]


class SiteInventoryOut(Schema):
    site_number: str
    counts: dict[str, int]
    on_hand: int
    expired_on_hand: int
    in_transit: int
    open_shipments: int


class UnblindedSiteInventoryOut(SiteInventoryOut):
    kit_types: list[TypeCountsOut]


@router.get(
    P + "/sites/{site_id}/inventory",
    response=UnblindedSiteInventoryOut | SiteInventoryOut,
    summary="A site's stock (per kit type for unblinded readers)",
)
def site_inventory(request, study_id: int, site_id: int):
    access = access_study(request.user, study_id, Perm.SITE_VIEW)
    found = sel.site_inventory(access, site_id)
    fields = {
        "site_number": found.site.number,
        "counts": found.counts,
        "on_hand": found.on_hand,
        "expired_on_hand": found.expired_on_hand,
        "in_transit": found.in_transit,
        "open_shipments": found.open_shipments,
    }
    if found.by_kit_type is None:
        return SiteInventoryOut(**fields)
    types = [TypeCountsOut(kit_type=t.kit_type.code, counts=t.counts) for t in found.by_kit_type]
    return UnblindedSiteInventoryOut(**fields, kit_types=types)


class AccountabilityOut(Schema):
    kits_received: int
    kits_dispensed: int
    kits_returned: int
    units_dispensed: int
    units_returned: int
    compliance_percent: float | None
    on_hand: int
    damaged: int
    missing: int
    quarantined: int
    destroyed: int
    expired_on_hand: int
    replaced: int
    damaged_on_arrival: int
    missing_on_arrival: int


@router.get(P + "/sites/{site_id}/accountability", response=AccountabilityOut, summary="A site's accountability")
def site_accountability(request, study_id: int, site_id: int):
    access = access_study(request.user, study_id, Perm.SITE_VIEW)
    return sel.site_accountability(access, site_id)


# --- site supply levels, dispensing visits, resupply ---------------------------------------------------


class LevelIn(Schema):
    minimum: int = Field(..., ge=0, le=100_000)
    maximum: int = Field(..., ge=0, le=100_000)
    reason: str = Field("", max_length=500)


class LevelOut(Schema):
    kit_type_id: int
    kit_type: str
    minimum: int
    maximum: int

    @staticmethod
    def resolve_kit_type(obj) -> str:
        return obj.kit_type.code


@router.get(P + "/sites/{site_id}/supply-levels", response=list[LevelOut], summary="A site's buffers (unblinded)")
def list_levels(request, study_id: int, site_id: int):
    access = access_study(request.user, study_id)
    levels = sel.site_supply_levels(access, site_id)
    access_check(access, Perm.SUPPLY_MANAGE)
    return list(levels)


@router.put(
    P + "/sites/{site_id}/supply-levels/{kit_type_id}", response=LevelOut, summary="Set a site's buffer for a kit type"
)
def put_level(request, study_id: int, site_id: int, kit_type_id: int, body: LevelIn):
    access = access_study(request.user, study_id)
    site = sel.supply_site_get(access, site_id)
    access_check(access, Perm.SUPPLY_MANAGE)
    return configuration.site_supply_level_save(
        actor=request.user,
        site=site,
        kit_type=sel.kit_type_get(access, kit_type_id),
        minimum=body.minimum,
        maximum=body.maximum,
        reason=body.reason,
        known=access,
    )


@router.delete(
    P + "/sites/{site_id}/supply-levels/{kit_type_id}", response={204: None}, summary="Remove a site's buffer"
)
def delete_level(request, study_id: int, site_id: int, kit_type_id: int, reason: Query[SupplyReasonIn]):
    access = access_study(request.user, study_id)
    level = sel.site_supply_levels(access, site_id).filter(kit_type_id=kit_type_id).first()
    access_check(access, Perm.SUPPLY_MANAGE)
    if level is None:
        raise Http404(_("No buffer for this kit type at this site."))
    configuration.site_supply_level_delete(actor=request.user, level=level, reason=reason.reason, known=access)
    return Status(204, None)


class DispensingVisitOut(Schema):
    visit_id: int
    visit_code: str
    visit_name: str
    day: int | None
    unscheduled: bool
    kits: int

    @staticmethod
    def resolve_visit_code(obj) -> str:
        return obj.visit.code

    @staticmethod
    def resolve_visit_name(obj) -> str:
        return obj.visit.name

    @staticmethod
    def resolve_day(obj) -> int | None:
        return obj.visit.day

    @staticmethod
    def resolve_unscheduled(obj) -> bool:
        return obj.visit.is_unscheduled


class DispensingVisitIn(Schema):
    kits: int = Field(..., ge=1, le=100)
    reason: str = Field("", max_length=500)


@router.get(P + "/dispensing-visits", response=list[DispensingVisitOut], summary="Visits that dispense kits")
def list_dispensing_visits(request, study_id: int):
    return list(sel.dispensing_visit_list(access_study(request.user, study_id, Perm.STUDY_VIEW)))


@router.put(P + "/dispensing-visits/{visit_id}", response=DispensingVisitOut, summary="Dispense kits at a visit")
def put_dispensing_visit(request, study_id: int, visit_id: int, body: DispensingVisitIn):
    access = access_study(request.user, study_id, Perm.SUPPLY_MANAGE)
    visit = sel.supply_visit_get(access, visit_id)
    return configuration.dispensing_visit_save(
        actor=request.user, visit=visit, kits=body.kits, reason=body.reason, known=access
    )


@router.delete(P + "/dispensing-visits/{visit_id}", response={204: None}, summary="Stop dispensing at a visit")
def delete_dispensing_visit(request, study_id: int, visit_id: int, reason: Query[SupplyReasonIn]):
    access = access_study(request.user, study_id, Perm.SUPPLY_MANAGE)
    found = sel.dispensing_visit_get(access, visit_id)
    configuration.dispensing_visit_delete(
        actor=request.user, dispensing_visit=found, reason=reason.reason, known=access
    )
    return Status(204, None)


class ResupplyOut(Schema):
    site_number: str
    outcome: str
    message: str
    shipment_number: str | None

    @staticmethod
    def resolve_shipment_number(obj) -> str | None:
        return obj.shipment.number if obj.shipment else None


@router.post(P + "/sites/{site_id}/resupply", response=ResupplyOut, summary="Run the resupply check at a site")
def run_resupply(request, study_id: int, site_id: int):
    access = access_study(request.user, study_id)
    site = sel.supply_site_get(access, site_id)
    access_check(access, Perm.SUPPLY_MANAGE)
    return resupply.resupply_check(actor=request.user, site=site, known=access)


@router.post(P + "/resupply", response=list[ResupplyOut], summary="Run the resupply check at every active site")
def run_resupply_all(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUPPLY_MANAGE)
    return resupply.resupply_run_all(study=access.membership.study, actor=request.user, known=access)


class PlanLineOut(Schema):
    kit_type: str
    stock: int
    demand: int
    minimum: int
    target: int
    quantity: int
    trigger: str


class ResupplyPlanOut(Schema):
    site_number: str
    today: dt.date
    horizon_days: int
    rate_per_month: float
    new_subjects: float
    depot: str | None
    open_proposal: str | None
    trigger: str
    lines: list[PlanLineOut]


@router.get(
    P + "/sites/{site_id}/resupply", response=ResupplyPlanOut, summary="What the resupply check would do (unblinded)"
)
def preview_resupply(request, study_id: int, site_id: int):
    access = access_study(request.user, study_id)
    plan = sel.resupply_preview(access, site_id)
    return {
        "site_number": plan.site.number,
        "today": plan.today,
        "horizon_days": plan.horizon_days,
        "rate_per_month": round(plan.rate_per_month, 4),
        "new_subjects": round(plan.new_subjects, 4),
        "depot": plan.depot.code if plan.depot else None,
        "open_proposal": plan.open_proposal.number if plan.open_proposal else None,
        "trigger": plan.trigger,
        "lines": [
            {
                "kit_type": line.kit_type.code,
                "stock": line.order.stock,
                "demand": line.order.demand,
                "minimum": line.order.minimum,
                "target": line.order.target,
                "quantity": line.order.quantity,
                "trigger": line.order.trigger,
            }
            for line in plan.lines
        ],
    }


# --- shipments -----------------------------------------------------------------------------------------


class ShipmentOut(Schema):
    id: int
    number: str
    status: str
    trigger: str
    site_number: str
    depot_code: str
    tracking: str
    kit_count: int
    created_at: dt.datetime
    requested_at: dt.datetime | None
    shipped_at: dt.datetime | None
    received_at: dt.datetime | None


class ShipmentKitOut(Schema):
    kit_number: str
    condition: str
    status: str
    expires_on: dt.date


class UnblindedShipmentKitOut(ShipmentKitOut):
    kit_type: str | None


class ShipmentDetailOut(ShipmentOut):
    kits: list[ShipmentKitOut]


class UnblindedShipmentDetailOut(ShipmentOut):
    reason: str
    quantities: dict[str, int]
    kits: list[UnblindedShipmentKitOut]


def _shipment_fields(s: Shipment) -> dict:
    return {
        "id": s.pk,
        "number": s.number,
        "status": s.status,
        "trigger": s.trigger,
        "site_number": s.site.number,
        "depot_code": s.depot.code,
        "tracking": s.tracking,
        "kit_count": getattr(s, "kit_count", None) or s.items.count(),
        "created_at": s.created_at,
        "requested_at": s.requested_at,
        "shipped_at": s.shipped_at,
        "received_at": s.received_at,
    }


def _shipment_detail(access: StudyAccess, shipment_id: int) -> ShipmentDetailOut:
    shipment = sel.shipment_get(access, shipment_id)
    lines = sel.shipment_lines(access, shipment)
    fields = _shipment_fields(shipment)
    if not access.sees_treatment:
        kits = [
            ShipmentKitOut(kit_number=x.kit_number, condition=x.condition, status=x.kit_status, expires_on=x.expires_on)
            for x in lines
        ]
        return ShipmentDetailOut(**fields, kits=kits)
    kits = [
        UnblindedShipmentKitOut(
            kit_number=x.kit_number,
            condition=x.condition,
            status=x.kit_status,
            expires_on=x.expires_on,
            kit_type=x.kit_type,
        )
        for x in lines
    ]
    return UnblindedShipmentDetailOut(
        **fields, reason=shipment.reason, quantities=sel.shipment_quantities(access, shipment), kits=kits
    )


@router.get(P + "/shipments", response=list[ShipmentOut], summary="Shipments to your sites, newest first")
def list_shipments(
    request,
    study_id: int,
    site_id: int | None = Query(None, ge=1, le=MAX_ID),
    status: str = Query("", max_length=10),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_ID),
):
    access = access_study(request.user, study_id, Perm.SITE_VIEW)
    found = sel.shipment_list(access, site_id=site_id, status=status)[offset : offset + limit]
    return [ShipmentOut(**_shipment_fields(s)) for s in found]


class ShipmentLineIn(Schema):
    kit_type_id: int = _id()
    quantity: int = Field(..., ge=1, le=10_000)


class ShipmentIn(Schema):
    depot_id: int = _id()
    site_id: int = _id()
    lines: list[ShipmentLineIn] = Field(..., min_length=1, max_length=50)
    reason: str = Field("", max_length=500)
    trigger: str = Field("manual", max_length=10, description="manual or initial")


@router.post(
    P + "/shipments",
    response={201: UnblindedShipmentDetailOut | ShipmentDetailOut},
    summary="Propose a shipment (the kits are chosen for you)",
)
def create_shipment(request, study_id: int, body: ShipmentIn):
    access = access_study(request.user, study_id)
    site = sel.supply_site_get(access, body.site_id)  # another site's: 404 before 403
    access_check(access, Perm.SUPPLY_MANAGE)
    quantities: dict = {}
    for line in body.lines:
        kit_type = sel.kit_type_get(access, line.kit_type_id)
        quantities[kit_type] = quantities.get(kit_type, 0) + line.quantity
    if body.trigger not in ("manual", "initial"):
        raise ValidationError({"trigger": _("A shipment made by hand is manual or initial.")})
    shipment = shipments.shipment_create(
        actor=request.user,
        depot=sel.depot_get(access, body.depot_id),
        site=site,
        quantities=quantities,
        reason=body.reason,
        trigger=body.trigger,
        known=access,
    )
    return Status(201, _shipment_detail(access, shipment.pk))


@router.get(
    P + "/shipments/{shipment_id}",
    response=UnblindedShipmentDetailOut | ShipmentDetailOut,
    summary="A shipment and its kits",
)
def get_shipment(request, study_id: int, shipment_id: int):
    access = access_study(request.user, study_id, Perm.SITE_VIEW)
    return _shipment_detail(access, shipment_id)


def _shipment(request, study_id: int, shipment_id: int, perm: str) -> tuple[StudyAccess, Shipment]:
    access = access_study(request.user, study_id)
    shipment = sel.shipment_get(access, shipment_id)
    access_check(access, perm)
    return access, shipment


@router.post(
    P + "/shipments/{shipment_id}/request",
    response=UnblindedShipmentDetailOut | ShipmentDetailOut,
    summary="Approve a proposed shipment",
)
def request_shipment(request, study_id: int, shipment_id: int):
    access, shipment = _shipment(request, study_id, shipment_id, Perm.SUPPLY_MANAGE)
    shipments.shipment_request(actor=request.user, shipment=shipment, known=access)
    return _shipment_detail(access, shipment_id)


class ShipIn(Schema):
    tracking: str = Field("", max_length=60)


@router.post(
    P + "/shipments/{shipment_id}/ship",
    response=UnblindedShipmentDetailOut | ShipmentDetailOut,
    summary="Record that the depot sent the shipment",
)
def ship_shipment(request, study_id: int, shipment_id: int, body: ShipIn):
    access, shipment = _shipment(request, study_id, shipment_id, Perm.SUPPLY_MANAGE)
    shipments.shipment_ship(actor=request.user, shipment=shipment, tracking=body.tracking, known=access)
    return _shipment_detail(access, shipment_id)


class ReceivedKitIn(Schema):
    kit_number: str = KitNumber
    condition: str = Field(..., max_length=10, description="received, damaged or missing")


class ReceiveIn(Schema):
    items: list[ReceivedKitIn] = Field(default_factory=list, max_length=5000)
    default_condition: str | None = Field(None, max_length=10, description="for every kit not in items")


@router.post(
    P + "/shipments/{shipment_id}/receive",
    response=UnblindedShipmentDetailOut | ShipmentDetailOut,
    summary="Receive a shipment at the site, kit by kit",
)
def receive_shipment(request, study_id: int, shipment_id: int, body: ReceiveIn):
    access, shipment = _shipment(request, study_id, shipment_id, Perm.DISPENSE)
    shipments.shipment_receive(
        actor=request.user,
        shipment=shipment,
        conditions={i.kit_number: i.condition for i in body.items},
        default=body.default_condition,
        known=access,
    )
    return _shipment_detail(access, shipment_id)


@router.post(
    P + "/shipments/{shipment_id}/cancel",
    response=UnblindedShipmentDetailOut | ShipmentDetailOut,
    summary="Cancel a shipment not yet received",
)
def cancel_shipment(request, study_id: int, shipment_id: int, body: SupplyReasonIn):
    access, shipment = _shipment(request, study_id, shipment_id, Perm.SUPPLY_MANAGE)
    shipments.shipment_cancel(actor=request.user, shipment=shipment, reason=body.reason, known=access)
    return _shipment_detail(access, shipment_id)


# --- dispensing ----------------------------------------------------------------------------------------


class DispensationOut(Schema):
    id: int
    kit_number: str
    kit_status: str
    visit_code: str
    visit_date: dt.date
    dispensed_at: dt.datetime
    dispensed_by: str
    returned_on: dt.date | None
    units_returned: int | None
    return_note: str
    replaces_kit_number: str | None = Field(None, description="The damaged or lost kit this one replaced")

    @staticmethod
    def resolve_kit_number(obj: Dispensation) -> str:
        return obj.kit.number

    @staticmethod
    def resolve_replaces_kit_number(obj: Dispensation) -> str | None:
        return obj.replaces.kit.number if obj.replaces_id else None

    @staticmethod
    def resolve_kit_status(obj: Dispensation) -> str:
        return obj.kit.status

    @staticmethod
    def resolve_visit_code(obj: Dispensation) -> str:
        return obj.visit.code

    @staticmethod
    def resolve_dispensed_by(obj: Dispensation) -> str:
        return obj.dispensed_by.username


class DispensedOut(Schema):
    subject_number: str
    visit_code: str
    visit_date: dt.date
    kit_numbers: list[str]
    dispensation_ids: list[int]


class DispenseIn(Schema):
    visit_id: int = _id()
    visit_date: dt.date


@router.get(
    P + "/subjects/{subject_id}/dispensations", response=list[DispensationOut], summary="A subject's dispensations"
)
def list_dispensations(request, study_id: int, subject_id: int):
    access = access_study(request.user, study_id)
    rows = sel.dispensation_list(access, subject_id)
    access_check(access, Perm.SUBJECT_VIEW)
    return list(rows)


@router.post(P + "/subjects/{subject_id}/dispense", response=DispensedOut, summary="Dispense the visit's kits")
def dispense(request, study_id: int, subject_id: int, body: DispenseIn):
    """Kit numbers only in the answer; a refusal (422) names the field: subject, visit, visit_date or kit."""
    access = access_study(request.user, study_id)
    subject = sel.supply_subject_get(access, subject_id)
    access_check(access, Perm.DISPENSE)
    return dispensing.kit_dispense(
        actor=request.user,
        subject=subject,
        visit=sel.supply_visit_get(access, body.visit_id),
        visit_date=body.visit_date,
        known=access,
    )


@router.get(
    P + "/subjects/{subject_id}/accountability", response=AccountabilityOut, summary="A subject's accountability"
)
def subject_accountability(request, study_id: int, subject_id: int):
    access = access_study(request.user, study_id)
    found = sel.subject_accountability(access, subject_id)
    access_check(access, Perm.SUBJECT_VIEW)
    return found


def _dispensation(request, study_id: int, dispensation_id: int) -> tuple[StudyAccess, Dispensation]:
    access = access_study(request.user, study_id)
    found = sel.dispensation_get(access, dispensation_id)
    access_check(access, Perm.DISPENSE)
    return access, found


class ReplaceIn(Schema):
    condition: str = Field(..., max_length=10, description="damaged or missing")
    reason: str = Field(..., min_length=1, max_length=500)
    replaced_on: dt.date | None = None


@router.post(
    P + "/dispensations/{dispensation_id}/replace", response=DispensedOut, summary="Replace a damaged or lost kit"
)
def replace_kit(request, study_id: int, dispensation_id: int, body: ReplaceIn):
    access, found = _dispensation(request, study_id, dispensation_id)
    return dispensing.kit_replace(
        actor=request.user,
        dispensation=found,
        condition=body.condition,
        reason=body.reason,
        replaced_on=body.replaced_on,
        known=access,
    )


class ReturnIn(Schema):
    units_returned: int = Field(..., ge=0, le=100_000)
    returned_on: dt.date
    note: str = Field("", max_length=2000)
    reason: str = Field("", max_length=500, description="required to correct a return already recorded")


@router.post(P + "/dispensations/{dispensation_id}/return", response=DispensationOut, summary="Record a kit's return")
def return_kit(request, study_id: int, dispensation_id: int, body: ReturnIn):
    access, found = _dispensation(request, study_id, dispensation_id)
    dispensing.dispensation_return(
        actor=request.user,
        dispensation=found,
        units_returned=body.units_returned,
        returned_on=body.returned_on,
        note=body.note,
        reason=body.reason,
        known=access,
    )
    return sel.dispensation_get(access, dispensation_id)


# --- excursions ----------------------------------------------------------------------------------------


class ExcursionIn(Schema):
    site_id: int | None = _id(None)
    depot_id: int | None = _id(None)
    shipment_id: int | None = _id(None)
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    lowest: Decimal | None = Field(None, ge=-999.9, le=999.9, decimal_places=1)
    highest: Decimal | None = Field(None, ge=-999.9, le=999.9, decimal_places=1)
    description: str = Field("", max_length=4000)
    kit_numbers: list[str] | None = Field(None, max_length=5000, description="default: every kit stored there")


class ExcursionOut(Schema):
    id: int
    site_number: str | None
    depot_code: str | None
    shipment_number: str | None
    started_at: dt.datetime
    ended_at: dt.datetime | None
    lowest: Decimal | None
    highest: Decimal | None
    description: str
    decision: str
    reported_by: str
    reported_at: dt.datetime
    decided_at: dt.datetime | None
    kits: list[UnblindedKitOut | KitOut]


def _excursion_out(access: StudyAccess, excursion: TemperatureExcursion) -> ExcursionOut:
    kits = excursion.kits.select_related("site", "depot", "kit_type", "lot").order_by("number")
    return ExcursionOut(
        id=excursion.pk,
        site_number=excursion.site.number if excursion.site_id else None,
        depot_code=excursion.depot.code if excursion.depot_id else None,
        shipment_number=excursion.shipment.number if excursion.shipment_id else None,
        started_at=excursion.started_at,
        ended_at=excursion.ended_at,
        lowest=excursion.lowest,
        highest=excursion.highest,
        description=excursion.description,
        decision=excursion.decision,
        reported_by=excursion.reported_by.username,
        reported_at=excursion.reported_at,
        decided_at=excursion.decided_at,
        kits=_kits_out(access, kits),
    )


@router.get(P + "/excursions", response=list[ExcursionOut], summary="Temperature excursions you may see")
def list_excursions(request, study_id: int, decision: str = Query("", max_length=10)):
    access = access_study(request.user, study_id, Perm.SITE_VIEW)
    return [_excursion_out(access, e) for e in sel.excursion_list(access, decision=decision)[:500]]


@router.post(P + "/excursions", response={201: ExcursionOut}, summary="Report a temperature excursion")
def report_excursion(request, study_id: int, body: ExcursionIn):
    """The kits stored there (or those named) are quarantined until a supply manager decides."""
    access = access_study(request.user, study_id)
    site = sel.supply_site_get(access, body.site_id) if body.site_id else None  # 404 before 403
    shipment = sel.shipment_get(access, body.shipment_id) if body.shipment_id else None
    access_check(access, Perm.DISPENSE)
    excursion = excursions.excursion_report(
        actor=request.user,
        study=access.membership.study,
        started_at=body.started_at,
        site=site,
        depot=sel.depot_get(access, body.depot_id) if body.depot_id else None,
        shipment=shipment,
        ended_at=body.ended_at,
        lowest=body.lowest,
        highest=body.highest,
        description=body.description,
        kit_numbers_affected=[n[:20] for n in body.kit_numbers] if body.kit_numbers is not None else None,
        known=access,
    )
    return Status(201, _excursion_out(access, sel.excursion_get(access, excursion.pk)))


@router.get(P + "/excursions/{excursion_id}", response=ExcursionOut, summary="A temperature excursion")
def get_excursion(request, study_id: int, excursion_id: int):
    access = access_study(request.user, study_id, Perm.SITE_VIEW)
    return _excursion_out(access, sel.excursion_get(access, excursion_id))


class DecideIn(Schema):
    decision: str = Field(..., max_length=10, description="released or destroyed")
    reason: str = Field(..., min_length=1, max_length=500)


@router.post(P + "/excursions/{excursion_id}/decide", response=ExcursionOut, summary="Release or destroy the kits")
def decide_excursion(request, study_id: int, excursion_id: int, body: DecideIn):
    access = access_study(request.user, study_id)
    excursion = sel.excursion_get(access, excursion_id)
    access_check(access, Perm.SUPPLY_MANAGE)
    excursions.excursion_decide(
        actor=request.user, excursion=excursion, decision=body.decision, reason=body.reason, known=access
    )
    return _excursion_out(access, sel.excursion_get(access, excursion_id))
