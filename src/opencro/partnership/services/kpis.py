"""KPI target writes. A KPI's target and tolerance are terms of the contract: set, changed and removed by a
contracts manager (`contract.edit`) of either party while the work order is an unsigned draft, as its milestones'
target dates are; audited."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.accounts.permissions import OrgPerm
from opencro.audit.services import audited_delete, audited_save
from opencro.partnership.kpis import DEFINITIONS, Unit
from opencro.partnership.models import KpiCode, KpiTarget, WorkOrder
from opencro.partnership.services.parties import acting_party
from opencro.partnership.services.work_orders import unsigned_draft

PERCENT_MAX = Decimal(100)
SET_ON_DRAFT = "KPI target set on the unsigned draft"
REMOVED_ON_DRAFT = "KPI target removed from the unsigned draft"


def _checked(kpi: str, target: Decimal, tolerance: Decimal) -> None:
    if kpi not in KpiCode.values:
        raise ValidationError({"kpi": _("Unknown KPI.")})
    if target < 0:
        raise ValidationError({"target": _("A target cannot be negative.")})
    if tolerance < 0:
        raise ValidationError({"tolerance": _("A tolerance cannot be negative.")})
    if DEFINITIONS[kpi].unit == Unit.PERCENT and target > PERCENT_MAX:
        raise ValidationError({"target": _("A percentage target is at most 100.")})


def kpi_target_set(
    *, actor: User, work_order: WorkOrder, kpi: str, target: Decimal, tolerance: Decimal = Decimal(0), note: str = ""
) -> KpiTarget:
    """Set one KPI's target and tolerance (the row is added, or changed when there)."""
    acting_party(actor, work_order.agreement, OrgPerm.CONTRACT_EDIT)
    _checked(kpi, target, tolerance)
    with transaction.atomic():
        locked = unsigned_draft(work_order)
        row = KpiTarget.objects.select_for_update(of=("self",)).filter(work_order=locked, kpi=kpi).first()
        if row is None:
            row = KpiTarget(work_order=locked, kpi=kpi, target=target, tolerance=tolerance, note=note.strip())
            return audited_save(row, actor=actor, unique_checked=True)
        row.target, row.tolerance, row.note = target, tolerance, note.strip()
        return audited_save(row, actor=actor, reason=SET_ON_DRAFT)


def kpi_targets_default(*, actor: User, work_order: WorkOrder) -> list[KpiTarget]:
    """Give every KPI without a target the standard target and tolerance (`kpis.DEFINITIONS`); the targets already
    set are kept. Returns the rows added."""
    acting_party(actor, work_order.agreement, OrgPerm.CONTRACT_EDIT)
    with transaction.atomic():
        locked = unsigned_draft(work_order)
        present = set(KpiTarget.objects.filter(work_order=locked).values_list("kpi", flat=True))
        added = []
        for code, definition in DEFINITIONS.items():
            if code in present:
                continue
            row = KpiTarget(
                work_order=locked,
                kpi=code,
                target=definition.default_target,
                tolerance=definition.default_tolerance,
            )
            added.append(audited_save(row, actor=actor, unique_checked=True))
        return added


def kpi_target_remove(*, actor: User, target: KpiTarget) -> None:
    """Remove a KPI's target from the unsigned draft (the KPI is then shown without a light)."""
    acting_party(actor, target.work_order.agreement, OrgPerm.CONTRACT_EDIT)
    with transaction.atomic():
        unsigned_draft(target.work_order)
        audited_delete(target, actor=actor, reason=REMOVED_ON_DRAFT)
