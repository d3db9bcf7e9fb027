"""Temperature excursions: a site, a depot or a shipment was outside the labelled storage range.

Reporting one quarantines its kits (QUARANTINED: neither shipped nor dispensed) until a supply manager
decides: released (each kit returns to where it was: available, or in transit if its shipment is still on
the road) or destroyed. A kit in two pending excursions is released only when both are.

Who: site staff with `supply.dispense` report at their own site or for a shipment to it; `supply.manage`
reports anywhere and decides.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.models import AuditAction
from opencro.audit.services import audit_batch, audit_event, audited_save, object_type_of
from opencro.rtsm.models import (
    Depot,
    ExcursionDecision,
    Kit,
    KitStatus,
    Shipment,
    ShipmentStatus,
    TemperatureExcursion,
)
from opencro.rtsm.services.supply._base import check, kit_numbers, kits_set, require_any, require_site
from opencro.studies.models import Site, Study

# Kits stored at a place (what an excursion there affects by default).
STORED = (KitStatus.AVAILABLE, KitStatus.QUARANTINED)


def excursion_report(
    *,
    actor: User,
    study: Study,
    started_at: dt.datetime,
    site: Site | None = None,
    depot: Depot | None = None,
    shipment: Shipment | None = None,
    ended_at: dt.datetime | None = None,
    lowest: Decimal | None = None,
    highest: Decimal | None = None,
    description: str = "",
    kit_numbers_affected: Iterable[str] | None = None,
    known: StudyAccess | None = None,
) -> TemperatureExcursion:
    """Report an excursion at one place and quarantine its kits (default: every kit stored there)."""
    access = require_any(actor, study.pk, (Perm.DISPENSE, Perm.SUPPLY_MANAGE), known=known)
    if shipment is not None:  # its status as stored, not as the caller last saw it
        shipment = Shipment.objects.get(pk=shipment.pk)
    place_site = site.pk if site else (shipment.site_id if shipment else None)
    if depot is not None:  # depots are the supply manager's
        access_require(actor, study, Perm.SUPPLY_MANAGE, known=access)
    if place_site is not None:
        require_site(access, place_site)
    excursion = TemperatureExcursion(
        study=study,
        site=site,
        depot=depot,
        shipment=shipment,
        started_at=started_at,
        ended_at=ended_at,
        lowest=lowest,
        highest=highest,
        description=description,
        reported_by=actor,
        reported_at=timezone.now(),
    )
    _check(excursion, study)
    with transaction.atomic(), audit_batch():
        stored = _stored_kits(excursion)
        kits = _chosen(stored, kit_numbers_affected)
        audited_save(excursion, actor=actor, trusted=("study", "site", "depot", "shipment", "reported_by"))
        excursion.kits.set(kits)
        _audit_kits(excursion, kits, actor)
        fresh = [k for k in kits if k.status != KitStatus.QUARANTINED]
        kits_set(fresh, {"status": KitStatus.QUARANTINED}, actor=actor, reason=_("Temperature excursion reported"))
    return excursion


def _check(excursion: TemperatureExcursion, study: Study) -> None:
    places = [p for p in (excursion.site, excursion.depot, excursion.shipment) if p is not None]
    if len(places) != 1:
        raise ValidationError({"site": _("An excursion happens at one site, one depot or in one shipment.")})
    if places[0].study_id != study.pk:
        raise ValidationError({"site": _("That place belongs to another study.")})
    errors = {}
    if excursion.started_at > timezone.now():
        errors["started_at"] = _("The excursion cannot start in the future.")
    if excursion.ended_at is not None and excursion.ended_at < excursion.started_at:
        errors["ended_at"] = _("The end is before the start.")
    if excursion.lowest is not None and excursion.highest is not None and excursion.lowest > excursion.highest:
        errors["lowest"] = _("The lowest temperature is above the highest.")
    if excursion.lowest is None and excursion.highest is None:
        errors["highest"] = _("Give the lowest or the highest temperature recorded.")
    if errors:
        raise ValidationError(errors)


def _stored_kits(excursion: TemperatureExcursion) -> list[Kit]:
    """The kits at the excursion's place, locked: at the site or depot, or travelling in the shipment."""
    kits = Kit.objects.select_for_update(of=("self",))
    if excursion.site is not None:
        kits = kits.filter(site=excursion.site, status__in=STORED)
    elif excursion.depot is not None:
        kits = kits.filter(depot=excursion.depot, site__isnull=True, status__in=STORED)
    else:
        if excursion.shipment.status not in (ShipmentStatus.SHIPPED, ShipmentStatus.RECEIVED):
            raise ValidationError({"shipment": _("This shipment has not left the depot.")})
        kits = kits.filter(
            Q(status=KitStatus.IN_TRANSIT) | Q(status__in=STORED), shipment_items__shipment=excursion.shipment
        )
    return list(kits.order_by("number"))


def _chosen(stored: list[Kit], numbers: Iterable[str] | None) -> list[Kit]:
    if numbers is None:
        chosen = stored
    else:
        wanted = set(numbers)
        chosen = [k for k in stored if k.number in wanted]
        unknown = sorted(wanted - {k.number for k in chosen})
        if unknown:
            raise ValidationError(
                {"kits": _("Not stored at that place (or not usable): %(kits)s.") % {"kits": ", ".join(unknown)}}
            )
    if not chosen:
        raise ValidationError({"kits": _("No kit is stored at that place.")})
    return chosen


def _audit_kits(excursion: TemperatureExcursion, kits: list[Kit], actor: User | None) -> None:
    audit_event(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=object_type_of(TemperatureExcursion),
        object_id=excursion.pk,
        object_repr=str(excursion),
        study_id=excursion.study_id,
        site_id=excursion.site_id or (excursion.shipment.site_id if excursion.shipment else None),
        changes={"kits": (None, kit_numbers(kits))},
    )


def excursion_decide(
    *,
    actor: User | None,
    excursion: TemperatureExcursion,
    decision: str,
    reason: str,
    known: StudyAccess | None = None,
) -> TemperatureExcursion:
    """Decide a pending excursion: release its kits for use, or destroy them."""
    place_site = excursion.site_id or (excursion.shipment.site_id if excursion.shipment_id else None)
    check(actor, excursion.study_id, (Perm.SUPPLY_MANAGE,), site_id=place_site, known=known)
    if decision not in (ExcursionDecision.RELEASED, ExcursionDecision.DESTROYED):
        raise ValidationError({"decision": _("Decide: released or destroyed.")})
    if not reason.strip():
        raise ValidationError({"reason": _("A reason for change is required.")})
    with transaction.atomic(), audit_batch():
        excursion = TemperatureExcursion.objects.select_for_update(of=("self",)).get(pk=excursion.pk)
        if excursion.decision != ExcursionDecision.PENDING:
            raise ValidationError({"decision": _("This excursion was already decided.")})
        excursion.decision, excursion.decided_by, excursion.decided_at = decision, actor, timezone.now()
        audited_save(excursion, actor=actor, reason=reason)
        kits = list(
            Kit.objects.select_for_update(of=("self",))
            .filter(excursions=excursion, status=KitStatus.QUARANTINED)
            .order_by("pk")
        )
        if decision == ExcursionDecision.DESTROYED:
            kits_set(kits, {"status": KitStatus.DESTROYED}, actor=actor, reason=reason)
        else:
            _release(kits, excursion, actor, reason)
    return excursion


def _release(kits: list[Kit], excursion: TemperatureExcursion, actor: User | None, reason: str) -> None:
    """Kits still held by another pending excursion stay quarantined; the others go back to where they were."""
    held = set(
        TemperatureExcursion.kits.through.objects.filter(
            kit_id__in=[k.pk for k in kits], temperatureexcursion__decision=ExcursionDecision.PENDING
        )
        .exclude(temperatureexcursion_id=excursion.pk)
        .values_list("kit_id", flat=True)
    )
    travelling = set(
        Kit.objects.filter(
            pk__in=[k.pk for k in kits],
            site__isnull=True,
            shipment_items__shipment__status=ShipmentStatus.SHIPPED,
        ).values_list("pk", flat=True)
    )
    free = [k for k in kits if k.pk not in held]
    kits_set([k for k in free if k.pk in travelling], {"status": KitStatus.IN_TRANSIT}, actor=actor, reason=reason)
    kits_set([k for k in free if k.pk not in travelling], {"status": KitStatus.AVAILABLE}, actor=actor, reason=reason)
