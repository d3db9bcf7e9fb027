"""Kit types, lots, depots and kits: the supply manager's set-up, and destruction at the end of a kit's life.

Kit numbers are drawn at random, without replacement, from one six-digit range shared by every kit type of
the study, so a kit number says nothing about the arm. Creating kits for several lots in one call also mixes
their rows, so neither the numbers nor the order of the rows groups the kits by type. All need `supply.manage`.
"""

import datetime as dt
import json
import random
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.models import AuditAction
from opencro.audit.services import (
    Change,
    audit_changes,
    audit_event,
    audited_save,
    audited_values,
    object_type_of,
)
from opencro.core.bulk import bulk_insert_objects
from opencro.rtsm.models import Depot, Kit, KitStatus, KitType, Lot
from opencro.rtsm.services.supply._base import check, kit_numbers, kits_set, study_supply_lock
from opencro.studies.models import Arm, Country, Study

MANAGE = (Perm.SUPPLY_MANAGE,)
KIT_NUMBER_LOW = 100_000
KIT_NUMBER_HIGH = 999_999
MAX_KITS_PER_CALL = 20_000
# Statuses from which a kit may be destroyed: back from the subject, damaged, or (AVAILABLE) once expired.
DESTROYABLE = (KitStatus.RETURNED, KitStatus.DAMAGED, KitStatus.AVAILABLE)


def kit_type_create(
    *,
    actor: User | None,
    study: Study,
    code: str,
    name: str,
    arm: Arm,
    units: int = 1,
    known: StudyAccess | None = None,
) -> KitType:
    """A kit type of one arm (`units`: tablets, vials... per kit, for compliance)."""
    check(actor, study.pk, MANAGE, known=known)
    with transaction.atomic():
        return audited_save(KitType(study=study, code=code, name=name, arm=arm, units=units), actor=actor)


def kit_type_update(
    *,
    actor: User | None,
    kit_type: KitType,
    reason: str,
    code: str | None = None,
    name: str | None = None,
    arm: Arm | None = None,
    units: int | None = None,
    known: StudyAccess | None = None,
) -> KitType:
    """Change a kit type; its arm cannot change once kits of the type exist (they were packed for that arm)."""
    check(actor, kit_type.study_id, MANAGE, known=known)
    with transaction.atomic():
        kit_type = KitType.objects.select_for_update(of=("self",)).get(pk=kit_type.pk)
        if arm is not None and arm.pk != kit_type.arm_id and Kit.objects.filter(kit_type=kit_type).exists():
            raise ValidationError({"arm": _("Kits of this type exist: its arm cannot change.")})
        for field, value in (("code", code), ("name", name), ("arm", arm), ("units", units)):
            if value is not None:
                setattr(kit_type, field, value)
        return audited_save(kit_type, actor=actor, reason=reason)


def lot_create(
    *, actor: User | None, kit_type: KitType, number: str, expires_on: dt.date, known: StudyAccess | None = None
) -> Lot:
    """A manufactured lot of one kit type, with its expiry (or retest) date."""
    check(actor, kit_type.study_id, MANAGE, known=known)
    with transaction.atomic():
        lot = Lot(study_id=kit_type.study_id, kit_type=kit_type, number=number, expires_on=expires_on)
        return audited_save(lot, actor=actor, trusted=("study",))


def lot_expiry_change(
    *, actor: User | None, lot: Lot, expires_on: dt.date, reason: str, known: StudyAccess | None = None
) -> Lot:
    """Change a lot's expiry (a shelf-life extension or a shortening) and every kit of it not yet destroyed."""
    check(actor, lot.study_id, MANAGE, known=known)
    with transaction.atomic():
        study_supply_lock(lot.study_id)
        lot = Lot.objects.select_for_update(of=("self",)).get(pk=lot.pk)
        lot.expires_on = expires_on
        audited_save(lot, actor=actor, reason=reason)
        kits = list(
            Kit.objects.select_for_update(of=("self",))
            .filter(lot=lot)
            .exclude(status=KitStatus.DESTROYED)
            .order_by("pk")
        )
        kits_set(kits, {"expires_on": expires_on}, actor=actor, reason=reason)
    return lot


def depot_create(
    *,
    actor: User | None,
    study: Study,
    code: str,
    name: str,
    countries: Iterable[Country] = (),
    known: StudyAccess | None = None,
) -> Depot:
    """A depot; `countries` are those it supplies (none: it supplies every country)."""
    check(actor, study.pk, MANAGE, known=known)
    countries = _own_countries(study.pk, countries)
    with transaction.atomic():
        depot = audited_save(Depot(study=study, code=code, name=name), actor=actor)
        _set_countries(depot, countries, actor=actor, reason="")
    return depot


def depot_update(
    *,
    actor: User | None,
    depot: Depot,
    reason: str,
    name: str | None = None,
    countries: Iterable[Country] | None = None,
    known: StudyAccess | None = None,
) -> Depot:
    """Rename a depot or change the countries it supplies."""
    check(actor, depot.study_id, MANAGE, known=known)
    chosen = None if countries is None else _own_countries(depot.study_id, countries)
    if not reason.strip():
        raise ValidationError({"reason": _("A reason for change is required.")})
    with transaction.atomic():
        depot = Depot.objects.select_for_update(of=("self",)).get(pk=depot.pk)
        if name is not None:
            depot.name = name
            audited_save(depot, actor=actor, reason=reason)
        if chosen is not None:
            _set_countries(depot, chosen, actor=actor, reason=reason)
    return depot


def _own_countries(study_id: int, countries: Iterable[Country]) -> list[Country]:
    chosen = list(countries)
    if any(c.study_id != study_id for c in chosen):
        raise ValidationError({"countries": _("A country belongs to another study.")})
    return chosen


def _set_countries(depot: Depot, countries: list[Country], *, actor: User | None, reason: str) -> None:
    """Set the depot's countries, audited as one change of the list of country codes."""
    old = sorted(depot.countries.values_list("code", flat=True)) if depot.pk else []
    new = sorted({c.code for c in countries})
    if old == new:
        return
    depot.countries.set(countries)
    audit_event(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=object_type_of(Depot),
        object_id=depot.pk,
        object_repr=str(depot),
        study_id=depot.study_id,
        changes={"countries": (json.dumps(old), json.dumps(new))},
        reason=reason,
    )


def kits_create(
    *,
    actor: User | None,
    depot: Depot,
    lots: Mapping[Lot, int],
    rng: random.Random | None = None,
    known: StudyAccess | None = None,
) -> list[Kit]:
    """Create kits at `depot`: `lots` maps each lot to how many of its kits to create.

    Numbers are drawn from `rng` (default: the operating system's generator) among the six-digit numbers
    the study has not used; each kit's expiry is its lot's. The rows of all the lots are shuffled before
    insertion. One audit record per kit holds its fields as JSON (1,000 kits: one chained append).
    """
    check(actor, depot.study_id, MANAGE, known=known)
    total = sum(lots.values())
    _check_request(depot, lots, total)
    rng = rng or random.SystemRandom()
    with transaction.atomic():
        study_supply_lock(depot.study_id)
        taken = {int(n) for n in Kit.objects.filter(study_id=depot.study_id).values_list("number", flat=True)}
        numbers = iter(_draw_numbers(taken, total, rng))
        kits = [
            Kit(
                study_id=depot.study_id,
                number=next(numbers),
                kit_type_id=lot.kit_type_id,
                lot=lot,
                status=KitStatus.AVAILABLE,
                depot=depot,
                expires_on=lot.expires_on,
            )
            for lot, count in lots.items()
            for _n in range(count)
        ]
        rng.shuffle(kits)
        bulk_insert_objects(kits)
        kind = object_type_of(Kit)
        audit_changes(
            actor=actor,
            changes=[
                Change(
                    kind,
                    k.pk,
                    k.number,
                    k.study_id,
                    None,
                    "*",
                    None,
                    json.dumps({n: v for n, v in audited_values(k).items() if v is not None}, sort_keys=True),
                    AuditAction.CREATE,
                )
                for k in kits
            ],
            reason=_("%(count)d kits created at depot %(depot)s") % {"count": total, "depot": depot.code},
        )
    return kits


def _check_request(depot: Depot, lots: Mapping[Lot, int], total: int) -> None:
    if not lots:
        raise ValidationError({"lots": _("Name at least one lot.")})
    if any(lot.study_id != depot.study_id for lot in lots):
        raise ValidationError({"lots": _("A lot belongs to another study.")})
    if any(count < 1 for count in lots.values()):
        raise ValidationError({"count": _("Create at least one kit per lot.")})
    if total > MAX_KITS_PER_CALL:
        raise ValidationError({"count": _("At most %(n)d kits per call.") % {"n": MAX_KITS_PER_CALL}})
    today = timezone.localdate()
    if any(lot.expires_on <= today for lot in lots):
        raise ValidationError({"lots": _("A lot has expired: no kits can be created from it.")})


def _draw_numbers(taken: set[int], count: int, rng: random.Random) -> list[str]:
    """`count` distinct numbers in [KIT_NUMBER_LOW, KIT_NUMBER_HIGH] not in `taken`, uniformly at random.

    Rejection sampling stays fast while at most half the range is used; past that the range is refused
    (a study with 450,000 kits needs a wider number format).
    """
    space = KIT_NUMBER_HIGH - KIT_NUMBER_LOW + 1
    if len(taken) + count > space // 2:
        raise ValidationError({"count": _("The study's kit number range is nearly used up.")})
    drawn: set[int] = set()
    while len(drawn) < count:
        number = rng.randint(KIT_NUMBER_LOW, KIT_NUMBER_HIGH)
        if number not in taken:
            drawn.add(number)
    ordered = sorted(drawn)
    rng.shuffle(ordered)
    return [str(n) for n in ordered]


def kits_destroy(
    *, actor: User | None, study: Study, numbers: Iterable[str], reason: str, known: StudyAccess | None = None
) -> list[Kit]:
    """Record the destruction of kits (by number): returned, damaged, or expired kits not yet dispensed.

    Missing kits cannot be destroyed (nobody holds them); quarantined kits are destroyed through the
    excursion's decision.
    """
    access = check(actor, study.pk, MANAGE, known=known)
    wanted = sorted(set(numbers))
    if not wanted:
        raise ValidationError({"numbers": _("Name at least one kit.")})
    if not reason.strip():
        raise ValidationError({"reason": _("A reason for change is required.")})
    with transaction.atomic():
        found = Kit.objects.select_for_update(of=("self",)).filter(study=study, number__in=wanted)
        if (
            access is not None and access.site_ids is not None
        ):  # a site-restricted manager: their sites' kits and the depots'
            found = found.filter(Q(site_id__in=access.site_ids) | Q(site__isnull=True))
        kits = list(found.order_by("number"))
        unknown = sorted(set(wanted) - {k.number for k in kits})
        if unknown:
            raise ValidationError({"numbers": _("No such kit: %(kits)s.") % {"kits": ", ".join(unknown)}})
        today = timezone.localdate()
        refused = [
            k
            for k in kits
            if k.status not in DESTROYABLE or (k.status == KitStatus.AVAILABLE and k.expires_on >= today)
        ]
        if refused:
            raise ValidationError(
                {
                    "numbers": _("Only returned, damaged or expired kits can be destroyed; not: %(kits)s.")
                    % {"kits": kit_numbers(refused)}
                }
            )
        kits_set(kits, {"status": KitStatus.DESTROYED}, actor=actor, reason=reason)
    return kits
