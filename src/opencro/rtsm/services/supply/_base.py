"""Helpers the supply services share: access at a site, the study's supply lock, settings, site dates."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_for
from opencro.accounts.models import User
from opencro.audit.services import Change, audit_changes, object_type_of, serialise_value
from opencro.core.bulk import bulk_update_objects
from opencro.rtsm.models import Kit, SupplySettings
from opencro.studies.dates import site_date, site_today  # noqa: F401 - the supply services import them from here
from opencro.studies.models import Study


def require_any(actor: User, study_id: int, perms: Iterable[str], *, known: StudyAccess | None = None) -> StudyAccess:
    """The actor's access to the study if it holds any of `perms`; PermissionDenied otherwise."""
    reusable = known is not None and known.membership.user_id == actor.pk and known.membership.study_id == study_id
    access = known if reusable else access_for(actor, study_id)
    if access is None or not any(access.can(p) for p in perms):
        raise PermissionDenied(_("Your role on this study does not allow this."))
    return access


def check(
    actor: User | None,
    study_id: int,
    perms: Iterable[str],
    *,
    site_id: int | None = None,
    known: StudyAccess | None = None,
) -> StudyAccess | None:
    """The access check of a supply service: any of `perms`, and the site when one is named.

    `actor` None is the system (loaders, scheduled jobs, the automatic resupply): no check, None returned.
    """
    if actor is None:
        return None
    access = require_any(actor, study_id, perms, known=known)
    if site_id is not None:
        require_site(access, site_id)
    return access


def require_site(access: StudyAccess, site_id: int) -> None:
    """Refuse a site outside a site-restricted actor's membership."""
    if access.site_ids is not None and site_id not in access.site_ids:
        raise PermissionDenied(_("This site is outside your membership."))


def study_supply_lock(study_id: int) -> Study:
    """Lock the study row: serialises kit numbering and shipment numbering (and resupply proposals) per study.

    Taken before any kit row lock, so services that also lock kits cannot deadlock against each other.
    """
    return Study.objects.select_for_update(of=("self",)).get(pk=study_id)


def supply_settings_for(study_id: int) -> SupplySettings:
    """The study's supply settings, or an unsaved instance holding the defaults."""
    found = SupplySettings.objects.filter(study_id=study_id).order_by().first()
    return found or SupplySettings(study_id=study_id)


def kit_numbers(kits: Iterable[Kit]) -> str:
    """Kit numbers for a message, sorted, comma-separated."""
    return ", ".join(sorted(k.number for k in kits))


def kits_set(kits: list[Kit], values: dict[str, object], *, actor: User | None, reason: str) -> None:
    """Write `values` (field name -> value; foreign keys as objects or None) to every kit, audited per field.

    One UPDATE per kit through `bulk_update_objects` and one chained append for all the records, so a
    shipment of hundreds of kits costs two round trips, not hundreds of audited saves.
    """
    if not kits:
        return
    changes: list[Change] = []
    kind = object_type_of(Kit)
    fields = [Kit._meta.get_field(name) for name in values]
    for kit in kits:
        old = [serialise_value(getattr(kit, f.attname)) for f in fields]
        for name, value in values.items():
            setattr(kit, name, value)
        for f, before in zip(fields, old, strict=True):
            after = serialise_value(getattr(kit, f.attname))
            if before != after:  # recorded at the kit's new site: a received kit's records belong to that site
                changes.append(Change(kind, kit.pk, kit.number, kit.study_id, kit.site_id, f.name, before, after))
    bulk_update_objects(kits, [f.name for f in fields])
    audit_changes(actor=actor, changes=changes, reason=reason)
