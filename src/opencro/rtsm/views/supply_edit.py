"""Changing and removing what the supply manager set up: a kit type, a depot, a site's buffer (reason required)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.rtsm.selectors import supply as sel
from opencro.rtsm.services.supply import configuration, inventory
from opencro.rtsm.views.supply_forms import REASON_MAX, TEXT_MAX, error_dict, posted
from opencro.rtsm.views.supply_manage import done, kit_type_fields, manager, setup_page


@login_required
@require_POST
def kit_type_edit(request, study_id: int, kit_type_id: int):
    """Change a kit type's code, name, units or (before any kit of it exists) its arm."""
    access = manager(request, study_id)
    kit_type = sel.kit_type_get(access, kit_type_id)
    values = posted(request, ("code", "name", "arm", "units", "reason"))
    try:
        inventory.kit_type_update(
            actor=request.user,
            kit_type=kit_type,
            reason=values["reason"][:REASON_MAX],
            known=access,
            **kit_type_fields(access, values),
        )
    except ValidationError as exc:
        return setup_page(
            request, access, form="kit-type-edit", failed_id=kit_type.pk, errors=error_dict(exc), values=values
        )
    return done(request, _("Kit type %(c)s changed.") % {"c": kit_type.code}, "rtsm:supply_setup", study_id)


@login_required
@require_POST
def depot_edit(request, study_id: int, depot_id: int):
    """Rename a depot or change the countries it supplies."""
    access = manager(request, study_id)
    depot = sel.depot_get(access, depot_id)
    values = posted(request, ("name", "reason"))
    codes = set(request.POST.getlist("country"))
    try:
        inventory.depot_update(
            actor=request.user,
            depot=depot,
            reason=values["reason"][:REASON_MAX],
            name=values["name"].strip()[:TEXT_MAX],
            countries=[c for c in access.membership.study.countries.all() if c.code in codes],
            known=access,
        )
    except ValidationError as exc:
        return setup_page(request, access, form="depot-edit", failed_id=depot.pk, errors=error_dict(exc), values=values)
    return done(request, _("Depot %(c)s changed.") % {"c": depot.code}, "rtsm:supply_setup", study_id)


@login_required
@require_POST
def level_delete(request, study_id: int, site_id: int, kit_type_id: int):
    """Remove a site's buffer for a kit type: the resupply check then ships it by forecast only."""
    access = access_study(request.user, study_id)
    site = sel.supply_site_get(access, site_id)
    access_check(access, Perm.SUPPLY_MANAGE)
    sel.require_unblinded(access)
    level = sel.site_supply_levels(access, site.pk).filter(kit_type_id=kit_type_id).first()
    if level is None:
        raise Http404(_("No buffer for this kit type at this site."))
    values = posted(request, ("reason",))
    try:
        configuration.site_supply_level_delete(
            actor=request.user, level=level, reason=values["reason"][:REASON_MAX], known=access
        )
    except ValidationError as exc:
        return setup_page(
            request, access, form="level-delete", failed_id=level.pk, errors=error_dict(exc), values=values
        )
    text = _("Buffer of %(k)s at site %(s)s removed.") % {"k": level.kit_type.code, "s": site.number}
    return done(request, text, "rtsm:supply_setup", study_id)
