"""Shipments from a depot to a site: create (the service chooses the kits), request, ship, receive, cancel.

A shipment moves PROPOSED -> REQUESTED -> SHIPPED -> RECEIVED, or to CANCELLED before it is received.
Its kits are reserved from creation (no other shipment takes them) but stay AVAILABLE at the depot until it
ships; shipped kits are IN_TRANSIT; on receipt each kit is AVAILABLE at the site, DAMAGED or MISSING, as the
site records it. Numbers are sequential per study (SHP-00001), drawn under the study's supply lock.

Who: `supply.manage` creates, requests, ships and cancels; `supply.dispense` at the destination site (or
`supply.manage`) receives. The reason stored with a shipment never names a kit type (blinded site staff
read their shipments and the trail).
"""

import datetime as dt
import json
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.models import AuditAction
from opencro.audit.services import Change, audit_batch, audit_changes, audited_save, audited_values, object_type_of
from opencro.core.bulk import bulk_insert_objects, bulk_update_objects
from opencro.rtsm.models import (
    Depot,
    ItemCondition,
    Kit,
    KitStatus,
    KitType,
    Shipment,
    ShipmentItem,
    ShipmentStatus,
    ShipmentTrigger,
)
from opencro.rtsm.services.supply._base import (
    check,
    kit_numbers,
    kits_set,
    site_today,
    study_supply_lock,
    supply_settings_for,
)
from opencro.studies.models import Site

# Shipments whose kits are still at the depot but promised to them.
RESERVING = (ShipmentStatus.PROPOSED, ShipmentStatus.REQUESTED)
OPEN = (ShipmentStatus.PROPOSED, ShipmentStatus.REQUESTED, ShipmentStatus.SHIPPED)
NUMBER_PREFIX = "SHP-"
MANAGE = (Perm.SUPPLY_MANAGE,)


def shipment_create(
    *,
    actor: User | None,
    depot: Depot,
    site: Site,
    quantities: Mapping[KitType, int],
    reason: str = "",
    trigger: str = ShipmentTrigger.MANUAL,
    known: StudyAccess | None = None,
) -> Shipment:
    """Propose a shipment of `quantities` (kit type -> kits) from `depot` to `site`.

    Kits are chosen by the service: per kit type, those at the depot, available and not promised to another
    shipment, expiring no earlier than the site's today + shipping time + do-not-ship window, earliest expiry
    first. A ValidationError names `quantities` when the depot cannot fill a line.
    """
    check(actor, site.study_id, MANAGE, site_id=site.pk, known=known)
    if trigger not in ShipmentTrigger.values:
        raise ValidationError({"trigger": _("Unknown trigger.")})
    with transaction.atomic(), audit_batch():
        study_supply_lock(site.study_id)
        shipment, shortages = build_shipment(
            actor=actor, depot=depot, site=site, quantities=quantities, trigger=trigger, reason=reason
        )
        if shortages:
            raise ValidationError(
                {
                    "quantities": [
                        _("Depot %(depot)s has only %(have)d shippable kits of type %(type)s (%(want)d asked).")
                        % {"depot": depot.code, "have": have, "type": kit_type.code, "want": quantities[kit_type]}
                        for kit_type, have in shortages.items()
                    ]
                }
            )
        if shipment is None:
            raise ValidationError({"quantities": _("Ask for at least one kit.")})
    return shipment


def depot_serves(depot: Depot, site: Site) -> bool:
    """A depot with no countries supplies every country; otherwise only those listed."""
    countries = set(depot.countries.values_list("pk", flat=True))
    return not countries or site.country_id in countries


def build_shipment(
    *,
    actor: User | None,
    depot: Depot,
    site: Site,
    quantities: Mapping[KitType, int],
    trigger: str,
    reason: str,
) -> tuple[Shipment | None, dict[KitType, int]]:
    """Choose the kits and write the shipment (caller: access checked, study supply lock held, audit batch open).

    Returns the shipment (None when no kit could be chosen) and {kit type: kits found} for every line the
    depot could not fill completely; the lines it could fill partly are in the shipment.
    """
    if depot.study_id != site.study_id or any(k.study_id != site.study_id for k in quantities):
        raise ValidationError({"depot": _("The depot or a kit type belongs to another study.")})
    if any(q < 0 for q in quantities.values()):
        raise ValidationError({"quantities": _("A quantity cannot be negative.")})
    if not depot_serves(depot, site):
        raise ValidationError(
            {
                "depot": _("Depot %(depot)s does not supply site %(site)s's country.")
                % {"depot": depot.code, "site": site.number}
            }
        )
    settings = supply_settings_for(site.study_id)
    cutoff = site_today(site) + dt.timedelta(days=settings.shipping_days + settings.do_not_ship_days)
    chosen: list[Kit] = []
    shortages: dict[KitType, int] = {}
    for kit_type, quantity in sorted(quantities.items(), key=lambda kv: kv[0].code):
        if quantity == 0:
            continue
        kits = shippable_kits(depot, kit_type, cutoff, quantity)
        if len(kits) < quantity:
            shortages[kit_type] = len(kits)
        chosen.extend(kits)
    if not chosen:
        return None, shortages
    shipment = Shipment(
        study_id=site.study_id,
        number=_next_number(site.study_id),
        depot=depot,
        site=site,
        status=ShipmentStatus.PROPOSED,
        trigger=trigger,
        reason=reason,
        created_at=timezone.now(),
    )
    audited_save(shipment, actor=actor, trusted=("depot", "site"), unique_checked=True)
    items = [ShipmentItem(shipment=shipment, kit=kit) for kit in sorted(chosen, key=lambda k: k.number)]
    bulk_insert_objects(items)
    kind = object_type_of(ShipmentItem)
    audit_changes(
        actor=actor,
        changes=[
            Change(
                kind,
                item.pk,
                f"{shipment.number} {item.kit.number}",
                shipment.study_id,
                shipment.site_id,
                "*",
                None,
                json.dumps({n: v for n, v in audited_values(item).items() if v not in (None, "")}, sort_keys=True),
                AuditAction.CREATE,
            )
            for item in items
        ],
    )
    return shipment, shortages


def shippable_kits(depot: Depot, kit_type: KitType, cutoff: dt.date, limit: int) -> list[Kit]:
    """Up to `limit` kits of the type at the depot that may ship, earliest expiry first, locked."""
    return list(
        Kit.objects.select_for_update(of=("self",))
        .filter(depot=depot, site__isnull=True, kit_type=kit_type, status=KitStatus.AVAILABLE, expires_on__gte=cutoff)
        .exclude(shipment_items__shipment__status__in=RESERVING)
        .order_by("expires_on", "number")[:limit]
    )


def _next_number(study_id: int) -> str:
    """The study's next shipment number (the caller holds the study supply lock; shipments are never deleted)."""
    return f"{NUMBER_PREFIX}{Shipment.objects.filter(study_id=study_id).count() + 1:05d}"


def _locked(shipment: Shipment, *expected: str) -> Shipment:
    shipment = Shipment.objects.select_for_update(of=("self",)).select_related("site", "depot").get(pk=shipment.pk)
    if shipment.status not in expected:
        raise ValidationError(
            {
                "status": _("Shipment %(number)s is %(status)s: this step does not apply.")
                % {"number": shipment.number, "status": shipment.get_status_display().lower()}
            }
        )
    return shipment


def _kits_of(shipment: Shipment) -> list[Kit]:
    return list(Kit.objects.select_for_update(of=("self",)).filter(shipment_items__shipment=shipment).order_by("pk"))


def shipment_request(*, actor: User | None, shipment: Shipment, known: StudyAccess | None = None) -> Shipment:
    """Approve a proposed shipment: the depot is asked to send it."""
    check(actor, shipment.study_id, MANAGE, site_id=shipment.site_id, known=known)
    with transaction.atomic(), audit_batch():
        shipment = _locked(shipment, ShipmentStatus.PROPOSED)
        shipment.status, shipment.requested_at = ShipmentStatus.REQUESTED, timezone.now()
        return audited_save(shipment, actor=actor, reason=_("Shipment requested from the depot"))


def shipment_ship(
    *, actor: User | None, shipment: Shipment, tracking: str = "", known: StudyAccess | None = None
) -> Shipment:
    """The depot sent the shipment: its kits are in transit. Refused while a kit is quarantined or unusable."""
    check(actor, shipment.study_id, MANAGE, site_id=shipment.site_id, known=known)
    with transaction.atomic(), audit_batch():
        shipment = _locked(shipment, ShipmentStatus.REQUESTED)
        kits = _kits_of(shipment)
        blocked = [k for k in kits if k.status != KitStatus.AVAILABLE or k.depot_id != shipment.depot_id]
        if blocked:
            raise ValidationError(
                {
                    "status": _(
                        "These kits cannot ship (quarantined or no longer available): %(kits)s. "
                        "Cancel the shipment and create another."
                    )
                    % {"kits": kit_numbers(blocked)}
                }
            )
        shipment.status, shipment.shipped_at, shipment.tracking = ShipmentStatus.SHIPPED, timezone.now(), tracking
        audited_save(shipment, actor=actor, reason=_("Shipment sent"))
        kits_set(
            kits, {"status": KitStatus.IN_TRANSIT}, actor=actor, reason=_("Shipped in %(n)s") % {"n": shipment.number}
        )
    return shipment


def shipment_receive(
    *,
    actor: User | None,
    shipment: Shipment,
    conditions: Mapping[str, str],
    default: str | None = None,
    known: StudyAccess | None = None,
) -> Shipment:
    """Record the arrival at the site: `conditions` maps kit numbers to received / damaged / missing.

    Kits not named take `default` (when given); every kit must end with a condition. Received kits become
    AVAILABLE at the site (a kit quarantined in transit stays QUARANTINED there until the excursion is
    decided), damaged ones DAMAGED, missing ones MISSING.
    """
    check(actor, shipment.study_id, (Perm.DISPENSE, Perm.SUPPLY_MANAGE), site_id=shipment.site_id, known=known)
    bad = sorted({c for c in (*conditions.values(), default) if c is not None} - set(ItemCondition.values))
    if bad:
        raise ValidationError({"conditions": _("Unknown condition: %(c)s.") % {"c": ", ".join(bad)}})
    with transaction.atomic(), audit_batch():
        shipment = _locked(shipment, ShipmentStatus.SHIPPED)
        items = list(ShipmentItem.objects.filter(shipment=shipment).select_related("kit").order_by("pk"))
        by_number = {item.kit.number: item for item in items}
        unknown = sorted(set(conditions) - set(by_number))
        if unknown:
            raise ValidationError({"conditions": _("Not in this shipment: %(kits)s.") % {"kits": ", ".join(unknown)}})
        unset = sorted(n for n in by_number if conditions.get(n, default) is None)
        if unset:
            raise ValidationError(
                {"conditions": _("Give the condition of every kit; missing: %(kits)s.") % {"kits": ", ".join(unset)}}
            )
        kits = {k.pk: k for k in _kits_of(shipment)}
        reason = _("Received in %(n)s") % {"n": shipment.number}
        for condition, status in (
            (ItemCondition.RECEIVED, KitStatus.AVAILABLE),
            (ItemCondition.DAMAGED, KitStatus.DAMAGED),
            (ItemCondition.MISSING, KitStatus.MISSING),
        ):
            group = [kits[i.kit_id] for n, i in by_number.items() if conditions.get(n, default) == condition]
            held = [k for k in group if k.status == KitStatus.QUARANTINED and condition == ItemCondition.RECEIVED]
            moved = [k for k in group if k not in held]
            kits_set(moved, {"status": status, "site": shipment.site, "depot": None}, actor=actor, reason=reason)
            kits_set(held, {"site": shipment.site, "depot": None}, actor=actor, reason=reason)
        _set_conditions(items, {n: conditions.get(n, default) for n in by_number}, shipment, actor, reason)
        shipment.status, shipment.received_at, shipment.received_by = ShipmentStatus.RECEIVED, timezone.now(), actor
        audited_save(shipment, actor=actor, reason=reason)
    return shipment


def _set_conditions(
    items: list[ShipmentItem], conditions: dict[str, str], shipment: Shipment, actor: User | None, reason: str
) -> None:
    kind = object_type_of(ShipmentItem)
    changes = []
    for item in items:
        new = conditions[item.kit.number]
        changes.append(
            Change(
                kind,
                item.pk,
                f"{shipment.number} {item.kit.number}",
                shipment.study_id,
                shipment.site_id,
                "condition",
                item.condition or None,
                new,
            )
        )
        item.condition = new
    bulk_update_objects(items, ["condition"])
    audit_changes(actor=actor, changes=changes, reason=reason)


def shipment_cancel(
    *, actor: User | None, shipment: Shipment, reason: str, known: StudyAccess | None = None
) -> Shipment:
    """Cancel a shipment not yet received: its kits are free again at the depot (in-transit kits came back)."""
    check(actor, shipment.study_id, MANAGE, site_id=shipment.site_id, known=known)
    if not reason.strip():
        raise ValidationError({"reason": _("A reason for change is required.")})
    with transaction.atomic(), audit_batch():
        shipment = _locked(shipment, *OPEN)
        back = [k for k in _kits_of(shipment) if k.status == KitStatus.IN_TRANSIT]
        kits_set(back, {"status": KitStatus.AVAILABLE}, actor=actor, reason=reason)
        shipment.status = ShipmentStatus.CANCELLED
        return audited_save(shipment, actor=actor, reason=reason)
