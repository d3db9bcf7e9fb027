"""Supply configuration: the study's supply settings, site supply levels and dispensing visits.

All need `supply.manage`. A change to an existing row needs a reason (21 CFR 11.10(e)); the first save does not.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audited_delete, audited_save
from opencro.rtsm.models import Dispensation, DispensingVisit, KitType, SiteSupplyLevel, SupplySettings
from opencro.rtsm.services.supply._base import check
from opencro.studies.models import Site, Study, Visit

MANAGE = (Perm.SUPPLY_MANAGE,)


def supply_settings_save(
    *,
    actor: User | None,
    study: Study,
    do_not_ship_days: int,
    do_not_dispense_days: int,
    shipping_days: int,
    forecast_days: int,
    enrolment_per_site_month: float,
    reason: str = "",
    known: StudyAccess | None = None,
) -> SupplySettings:
    """Create the study's supply settings or change them (a change needs `reason`)."""
    check(actor, study.pk, MANAGE, known=known)
    with transaction.atomic():
        found = SupplySettings.objects.select_for_update(of=("self",)).filter(study=study).order_by().first()
        settings = found or SupplySettings(study=study)
        settings.do_not_ship_days = do_not_ship_days
        settings.do_not_dispense_days = do_not_dispense_days
        settings.shipping_days = shipping_days
        settings.forecast_days = forecast_days
        settings.enrolment_per_site_month = enrolment_per_site_month
        return audited_save(settings, actor=actor, reason=reason, trusted=("study",))


def site_supply_level_save(
    *,
    actor: User | None,
    site: Site,
    kit_type: KitType,
    minimum: int,
    maximum: int,
    reason: str = "",
    known: StudyAccess | None = None,
) -> SiteSupplyLevel:
    """Set the resupply buffer of one kit type at one site: below `minimum`, ship up to `maximum`."""
    check(actor, site.study_id, MANAGE, site_id=site.pk, known=known)
    if kit_type.study_id != site.study_id:
        raise ValidationError({"kit_type": _("The kit type belongs to another study.")})
    with transaction.atomic():
        found = (
            SiteSupplyLevel.objects.select_for_update(of=("self",))
            .filter(site=site, kit_type=kit_type)
            .order_by()
            .first()
        )
        level = found or SiteSupplyLevel(site=site, kit_type=kit_type)
        level.minimum, level.maximum = minimum, maximum
        return audited_save(level, actor=actor, reason=reason, trusted=("site", "kit_type"))


def site_supply_level_delete(
    *, actor: User | None, level: SiteSupplyLevel, reason: str, known: StudyAccess | None = None
) -> None:
    """Remove a site's buffer for a kit type (the resupply check then ignores the buffer rule for it)."""
    check(actor, level.site.study_id, MANAGE, site_id=level.site_id, known=known)
    with transaction.atomic():
        audited_delete(level, actor=actor, reason=reason)


def dispensing_visit_save(
    *, actor: User | None, visit: Visit, kits: int, reason: str = "", known: StudyAccess | None = None
) -> DispensingVisit:
    """Make `visit` a dispensing visit handing out `kits` kits (or change the number, with a reason).

    A scheduled visit must fall on or after Day 1 (randomisation): nothing is dispensed before it.
    """
    check(actor, visit.study_id, MANAGE, known=known)
    if not visit.is_unscheduled and (visit.day is None or visit.day < 1):
        raise ValidationError({"visit": _("Kits are dispensed from Day 1 (randomisation) on; this visit is earlier.")})
    with transaction.atomic():
        found = DispensingVisit.objects.select_for_update(of=("self",)).filter(visit=visit).order_by().first()
        dispensing = found or DispensingVisit(study_id=visit.study_id, visit=visit)
        dispensing.kits = kits
        return audited_save(dispensing, actor=actor, reason=reason, trusted=("study", "visit"))


def dispensing_visit_delete(
    *, actor: User | None, dispensing_visit: DispensingVisit, reason: str, known: StudyAccess | None = None
) -> None:
    """Stop dispensing at a visit; refused once kits were dispensed there (the record must stay)."""
    check(actor, dispensing_visit.study_id, MANAGE, known=known)
    if Dispensation.objects.filter(visit_id=dispensing_visit.visit_id).exists():
        raise ValidationError({"visit": _("Kits were already dispensed at this visit; it stays a dispensing visit.")})
    with transaction.atomic():
        audited_delete(dispensing_visit, actor=actor, reason=reason)
