"""The supply manager's pages and actions (`supply.manage`, an unblinded role): set-up and shipments.

Set-up: supply settings, kit types, lots (and expiry changes), depots with their stock and kit creation,
dispensing visits, site supply levels. Shipments: create (the service picks the kits), request, ship, cancel;
the resupply check at every site. Excursions: release or destroy the quarantined kits. Each form posts to its
own URL; a refusal re-renders the page it came from with the errors (200), a change redirects with a message.
Other sites' objects are 404 before any permission is looked at.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.jobs.services import job_submit
from opencro.rtsm.models import ExcursionDecision, ShipmentTrigger
from opencro.rtsm.selectors import supply as sel
from opencro.rtsm.services.supply import configuration, excursions, inventory, shipments
from opencro.rtsm.views.supply_forms import (
    KIT_NUMBER_MAX,
    NOTE_MAX,
    REASON_MAX,
    TEXT_MAX,
    day,
    error_dict,
    identifier,
    optional_whole,
    pairs,
    posted,
    raise_errors,
    whole,
)
from opencro.rtsm.views.supply_site import (
    EXCURSION_FIELDS,
    base_context,
    excursion_fields,
    excursions_page,
    shipment_page,
    shipments_page,
    site_page,
)

SETTINGS_FIELDS = (
    "do_not_ship_days",
    "do_not_dispense_days",
    "shipping_days",
    "forecast_days",
    "enrolment_per_site_month",
    "reason",
)
MANUAL_TRIGGERS = (ShipmentTrigger.MANUAL, ShipmentTrigger.INITIAL)
RESUPPLY_JOB = "rtsm.resupply"


def manager(request, study_id: int) -> StudyAccess:
    access = access_study(request.user, study_id, Perm.SUPPLY_MANAGE)
    sel.require_unblinded(access)
    return access


def setup_page(request, access: StudyAccess, *, form: str = "", failed_id: int | None = None, errors=None, values=None):
    """Everything the manager sets up, each section with its own small form."""
    study = access.membership.study
    inventories = sel.site_inventory_summary(access)
    saved = sel.supply_settings_get(access)
    context = base_context(access) | {
        "settings": saved,
        "settings_saved": saved.pk is not None,
        "kit_types": list(sel.kit_type_list(access)),
        "lots": list(sel.lot_list(access)),
        "depots": [
            (d, sel.depot_inventory(access, d.pk), sel.kit_rows(access, sel.kits_destroyable(access, depot_id=d.pk)))
            for d in sel.depot_list(access)
        ],
        "dispensing_visits": list(sel.dispensing_visit_list(access)),
        "visits": list(study.visits.order_by("order")),
        "arms": list(study.arms.order_by("code")),
        "countries": list(study.countries.order_by("code")),
        "site_levels": [(i.site, list(sel.site_supply_levels(access, i.site.pk))) for i in inventories],
        "form": form,
        "failed_id": failed_id,
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "rtsm/supply_setup.html", context)


def done(request, text: str, to: str, *args):
    messages.success(request, text)
    return redirect(to, *args)


@login_required
@require_GET
def setup(request, study_id: int):
    return setup_page(request, manager(request, study_id))


@login_required
@require_POST
def settings_save(request, study_id: int):
    access = manager(request, study_id)
    values = posted(request, SETTINGS_FIELDS)
    try:
        errors: dict[str, str] = {}
        numbers = {
            name: whole(values[name], name, errors, high=3650)
            for name in ("do_not_ship_days", "do_not_dispense_days", "shipping_days", "forecast_days")
        }
        try:
            rate = float(values["enrolment_per_site_month"].strip().replace(",", "."))
        except ValueError:
            rate = -1.0
        if not 0 <= rate <= 10_000:
            errors["enrolment_per_site_month"] = _("Give a number from 0 to 10000.")
        raise_errors(errors)
        configuration.supply_settings_save(
            actor=request.user,
            study=access.membership.study,
            enrolment_per_site_month=rate,
            reason=values["reason"][:REASON_MAX],
            known=access,
            **numbers,
        )
    except ValidationError as exc:
        return setup_page(request, access, form="settings", errors=error_dict(exc), values=values)
    return done(request, _("Supply settings saved."), "rtsm:supply_setup", study_id)


def kit_type_fields(access: StudyAccess, values: dict[str, str]) -> dict:
    """The kit type form's code, name, arm and units as service arguments (ValidationError naming fields)."""
    errors: dict[str, str] = {}
    units = whole(values["units"] or "1", "units", errors, low=1)
    arm = access.membership.study.arms.filter(pk=identifier(values["arm"]) or 0).first()
    if arm is None:
        errors["arm"] = _("Choose the arm.")
    raise_errors(errors)
    return {
        "code": values["code"].strip()[:20],
        "name": values["name"].strip()[:TEXT_MAX],
        "arm": arm,
        "units": units,
    }


@login_required
@require_POST
def kit_type_add(request, study_id: int):
    access = manager(request, study_id)
    values = posted(request, ("code", "name", "arm", "units"))
    try:
        kit_type = inventory.kit_type_create(
            actor=request.user, study=access.membership.study, known=access, **kit_type_fields(access, values)
        )
    except ValidationError as exc:
        return setup_page(request, access, form="kit-type", errors=error_dict(exc), values=values)
    return done(request, _("Kit type %(c)s added.") % {"c": kit_type.code}, "rtsm:supply_setup", study_id)


@login_required
@require_POST
def lot_add(request, study_id: int):
    access = manager(request, study_id)
    values = posted(request, ("kit_type", "number", "expires_on"))
    try:
        errors: dict[str, str] = {}
        kit_type_id = identifier(values["kit_type"])
        if kit_type_id is None:
            errors["kit_type"] = _("Choose the kit type.")
        expires_on = day(values["expires_on"], "expires_on", errors)
        raise_errors(errors)
        lot = inventory.lot_create(
            actor=request.user,
            kit_type=sel.kit_type_get(access, kit_type_id),
            number=values["number"].strip()[:40],
            expires_on=expires_on,
            known=access,
        )
    except ValidationError as exc:
        return setup_page(request, access, form="lot", errors=error_dict(exc), values=values)
    return done(request, _("Lot %(n)s registered.") % {"n": lot.number}, "rtsm:supply_setup", study_id)


@login_required
@require_POST
def lot_expiry(request, study_id: int, lot_id: int):
    """Change a lot's expiry: every kit of the lot not destroyed follows."""
    access = manager(request, study_id)
    lot = sel.lot_get(access, lot_id)
    values = posted(request, ("expires_on", "reason"))
    try:
        errors: dict[str, str] = {}
        expires_on = day(values["expires_on"], "expires_on", errors)
        raise_errors(errors)
        inventory.lot_expiry_change(
            actor=request.user, lot=lot, expires_on=expires_on, reason=values["reason"][:REASON_MAX], known=access
        )
    except ValidationError as exc:
        return setup_page(request, access, form="lot-expiry", failed_id=lot.pk, errors=error_dict(exc), values=values)
    return done(request, _("Expiry of lot %(n)s changed.") % {"n": lot.number}, "rtsm:supply_setup", study_id)


@login_required
@require_POST
def depot_add(request, study_id: int):
    access = manager(request, study_id)
    values = posted(request, ("code", "name"))
    codes = set(request.POST.getlist("country"))
    try:
        countries = [c for c in access.membership.study.countries.all() if c.code in codes]
        depot = inventory.depot_create(
            actor=request.user,
            study=access.membership.study,
            code=values["code"].strip()[:20],
            name=values["name"].strip()[:TEXT_MAX],
            countries=countries,
            known=access,
        )
    except ValidationError as exc:
        return setup_page(request, access, form="depot", errors=error_dict(exc), values=values)
    return done(request, _("Depot %(c)s added.") % {"c": depot.code}, "rtsm:supply_setup", study_id)


@login_required
@require_POST
def kits_create(request, study_id: int, depot_id: int):
    """Create kits at the depot from one or more lots (numbers drawn at random across kit types)."""
    access = manager(request, study_id)
    depot = sel.depot_get(access, depot_id)
    try:
        errors: dict[str, str] = {}
        lots: dict = {}
        for lot_text, count_text in pairs(request, "lot", "count"):
            count = optional_whole(count_text, "count", errors, high=inventory.MAX_KITS_PER_CALL)
            lot_id = identifier(lot_text)
            if count and lot_id is not None:
                lot = sel.lot_get(access, lot_id)
                lots[lot] = lots.get(lot, 0) + count
        raise_errors(errors)
        kits = inventory.kits_create(actor=request.user, depot=depot, lots=lots, known=access)
    except ValidationError as exc:
        return setup_page(request, access, form="kits", failed_id=depot.pk, errors=error_dict(exc))
    return done(
        request,
        ngettext("%(n)d kit created at depot %(d)s.", "%(n)d kits created at depot %(d)s.", len(kits))
        % {"n": len(kits), "d": depot.code},
        "rtsm:supply_setup",
        study_id,
    )


@login_required
@require_POST
def dispensing_visit_save(request, study_id: int):
    access = manager(request, study_id)
    values = posted(request, ("visit", "kits", "reason"))
    try:
        errors: dict[str, str] = {}
        visit_id = identifier(values["visit"])
        if visit_id is None:
            errors["visit"] = _("Choose the visit.")
        kits = whole(values["kits"], "kits", errors, low=1, high=100)
        raise_errors(errors)
        saved = configuration.dispensing_visit_save(
            actor=request.user,
            visit=sel.supply_visit_get(access, visit_id),
            kits=kits,
            reason=values["reason"][:REASON_MAX],
            known=access,
        )
    except ValidationError as exc:
        return setup_page(request, access, form="dispensing-visit", errors=error_dict(exc), values=values)
    text = ngettext("Visit %(v)s dispenses %(n)d kit.", "Visit %(v)s dispenses %(n)d kits.", saved.kits) % {
        "v": saved.visit.code,
        "n": saved.kits,
    }
    return done(request, text, "rtsm:supply_setup", study_id)


@login_required
@require_POST
def dispensing_visit_delete(request, study_id: int, visit_id: int):
    access = manager(request, study_id)
    found = sel.dispensing_visit_get(access, visit_id)
    values = posted(request, ("reason",))
    try:
        configuration.dispensing_visit_delete(
            actor=request.user, dispensing_visit=found, reason=values["reason"][:REASON_MAX], known=access
        )
    except ValidationError as exc:
        return setup_page(request, access, form="dv-delete", failed_id=visit_id, errors=error_dict(exc), values=values)
    return done(
        request, _("Visit %(v)s no longer dispenses kits.") % {"v": found.visit.code}, "rtsm:supply_setup", study_id
    )


@login_required
@require_POST
def level_save(request, study_id: int, site_id: int):
    """A site's buffer for a kit type: below the minimum, the resupply check ships up to the maximum."""
    access = access_study(request.user, study_id)
    site = sel.supply_site_get(access, site_id)
    access_check(access, Perm.SUPPLY_MANAGE)
    sel.require_unblinded(access)
    values = posted(request, ("kit_type", "minimum", "maximum", "reason"))
    try:
        errors: dict[str, str] = {}
        kit_type_id = identifier(values["kit_type"])
        if kit_type_id is None:
            errors["kit_type"] = _("Choose the kit type.")
        minimum = whole(values["minimum"], "minimum", errors)
        maximum = whole(values["maximum"], "maximum", errors)
        raise_errors(errors)
        configuration.site_supply_level_save(
            actor=request.user,
            site=site,
            kit_type=sel.kit_type_get(access, kit_type_id),
            minimum=minimum,
            maximum=maximum,
            reason=values["reason"][:REASON_MAX],
            known=access,
        )
    except ValidationError as exc:
        return setup_page(request, access, form="level", failed_id=site.pk, errors=error_dict(exc), values=values)
    return done(request, _("Supply levels of site %(s)s saved.") % {"s": site.number}, "rtsm:supply_setup", study_id)


@login_required
@require_POST
def kits_destroy(request, study_id: int):
    """Record the destruction of kits chosen at one site (its page) or one depot (the set-up page)."""
    access = access_study(request.user, study_id)
    values = posted(request, ("site", "depot", "reason"))
    site_id, depot_id = identifier(values["site"]), identifier(values["depot"])
    site = sel.supply_site_get(access, site_id) if site_id is not None else None  # another site's: 404 first
    access_check(access, Perm.SUPPLY_MANAGE)
    sel.require_unblinded(access)
    depot = sel.depot_get(access, depot_id) if site is None and depot_id is not None else None
    if site is None and depot is None:
        raise Http404(_("No such site or depot."))
    numbers = sorted({n.strip()[:KIT_NUMBER_MAX] for n in request.POST.getlist("kit") if n.strip()})
    place = {"site_id": site.pk} if site else {"depot_id": depot.pk}
    try:
        here = set(sel.kits_destroyable(access, **place).filter(number__in=numbers).values_list("number", flat=True))
        elsewhere = [n for n in numbers if n not in here]
        if elsewhere:
            text = _("Not a returned, damaged or expired kit of this place: %(kits)s.")
            raise ValidationError({"numbers": text % {"kits": ", ".join(elsewhere)}})
        kits = inventory.kits_destroy(
            actor=request.user,
            study=access.membership.study,
            numbers=numbers,
            reason=values["reason"][:REASON_MAX],
            known=access,
        )
    except ValidationError as exc:
        if site is not None:
            return site_page(request, access, site, form="destroy", errors=error_dict(exc), values=values)
        return setup_page(request, access, form="destroy", failed_id=depot.pk, errors=error_dict(exc), values=values)
    text = ngettext("%(n)d kit recorded as destroyed.", "%(n)d kits recorded as destroyed.", len(kits))
    if site is not None:
        return done(request, text % {"n": len(kits)}, "rtsm:supply_site", study_id, site.pk)
    return done(request, text % {"n": len(kits)}, "rtsm:supply_setup", study_id)


# --- shipments and resupply ----------------------------------------------------------------------------


@login_required
@require_POST
def shipment_create(request, study_id: int):
    """Propose a shipment from a depot to a site: quantities per kit type; the service picks the kits."""
    access = access_study(request.user, study_id)
    values = posted(request, ("depot", "site", "trigger", "reason"))
    site_id = identifier(values["site"])
    site = sel.supply_site_get(access, site_id) if site_id is not None else None  # another site's: 404 first
    access_check(access, Perm.SUPPLY_MANAGE)
    sel.require_unblinded(access)
    try:
        errors: dict[str, str] = {}
        if site is None:
            errors["site"] = _("Choose the site.")
        quantities: dict = {}
        for kit_type_text, quantity_text in pairs(request, "kit_type", "quantity"):
            quantity = optional_whole(quantity_text, "quantities", errors, high=10_000)
            kit_type_id = identifier(kit_type_text)
            if quantity and kit_type_id is not None:
                kit_type = sel.kit_type_get(access, kit_type_id)
                quantities[kit_type] = quantities.get(kit_type, 0) + quantity
        depot_id = identifier(values["depot"])
        if depot_id is None:
            errors["depot"] = _("Choose the depot.")
        trigger = values["trigger"] or ShipmentTrigger.MANUAL
        if trigger not in MANUAL_TRIGGERS:
            errors["trigger"] = _("A shipment made by hand is manual or initial.")
        raise_errors(errors)
        shipment = shipments.shipment_create(
            actor=request.user,
            depot=sel.depot_get(access, depot_id),
            site=site,
            quantities=quantities,
            reason=values["reason"][:REASON_MAX],
            trigger=trigger,
            known=access,
        )
    except ValidationError as exc:
        return shipments_page(request, access, form="create", errors=error_dict(exc), values=values)
    return done(
        request, _("Shipment %(n)s proposed.") % {"n": shipment.number}, "rtsm:supply_shipment", study_id, shipment.pk
    )


def _shipment_step(request, study_id: int, shipment_id: int, step: str, text: str):
    """Request, ship or cancel a shipment (the manager); a refusal re-renders the shipment page."""
    access = access_study(request.user, study_id)
    shipment = sel.shipment_get(access, shipment_id)
    access_check(access, Perm.SUPPLY_MANAGE)
    values = posted(request, ("tracking", "reason"))
    try:
        if step == "request":
            shipments.shipment_request(actor=request.user, shipment=shipment, known=access)
        elif step == "ship":
            tracking = values["tracking"].strip()[:60]
            shipments.shipment_ship(actor=request.user, shipment=shipment, tracking=tracking, known=access)
        else:
            reason = values["reason"][:REASON_MAX]
            shipments.shipment_cancel(actor=request.user, shipment=shipment, reason=reason, known=access)
    except ValidationError as exc:
        return shipment_page(request, access, shipment, form=step, errors=error_dict(exc), values=values)
    return done(request, text % {"n": shipment.number}, "rtsm:supply_shipment", study_id, shipment.pk)


@login_required
@require_POST
def shipment_request(request, study_id: int, shipment_id: int):
    return _shipment_step(request, study_id, shipment_id, "request", _("Shipment %(n)s requested from the depot."))


@login_required
@require_POST
def shipment_ship(request, study_id: int, shipment_id: int):
    return _shipment_step(request, study_id, shipment_id, "ship", _("Shipment %(n)s recorded as sent."))


@login_required
@require_POST
def shipment_cancel(request, study_id: int, shipment_id: int):
    return _shipment_step(request, study_id, shipment_id, "cancel", _("Shipment %(n)s cancelled."))


@login_required
@require_POST
def resupply_run(request, study_id: int):
    """Start the resupply check at every active site the manager holds as a job; follow it on the job page."""
    access = access_study(request.user, study_id, Perm.SUPPLY_MANAGE)
    try:
        job = job_submit(actor=request.user, name=RESUPPLY_JOB, params={}, study=access.membership.study)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("rtsm:supply_shipments", study_id)
    return redirect("jobs:detail", job.pk)


# --- excursions ----------------------------------------------------------------------------------------


@login_required
@require_POST
def excursion_report(request, study_id: int):
    """Report an excursion at a depot or in a shipment: its kits named (or every kit there) are quarantined."""
    access = access_study(request.user, study_id)
    values = posted(request, ("place", *EXCURSION_FIELDS))
    kind, _sep, place_text = values["place"].partition(":")
    place_id = identifier(place_text)
    shipment = sel.shipment_get(access, place_id) if kind == "shipment" and place_id is not None else None  # 404 first
    access_check(access, Perm.SUPPLY_MANAGE)
    sel.require_unblinded(access)
    depot = sel.depot_get(access, place_id) if kind == "depot" and place_id is not None else None
    try:
        errors: dict[str, str] = {}
        if depot is None and shipment is None:
            errors["place"] = _("Choose the depot or the shipment.")
        fields = excursion_fields(values, errors)
        raise_errors(errors)
        excursion = excursions.excursion_report(
            actor=request.user,
            study=access.membership.study,
            depot=depot,
            shipment=shipment,
            description=values["description"][:NOTE_MAX],
            known=access,
            **fields,
        )
    except ValidationError as exc:
        return excursions_page(request, access, form="report", errors=error_dict(exc), values=values)
    count = excursion.kits.count()
    text = ngettext(
        "Excursion reported: %(n)d kit quarantined until it is decided.",
        "Excursion reported: %(n)d kits quarantined until they are decided.",
        count,
    )
    return done(request, text % {"n": count}, "rtsm:supply_excursions", study_id)


@login_required
@require_POST
def excursion_decide(request, study_id: int, excursion_id: int):
    """Release the excursion's kits for use, or destroy them."""
    access = access_study(request.user, study_id)
    excursion = sel.excursion_get(access, excursion_id)
    access_check(access, Perm.SUPPLY_MANAGE)
    values = posted(request, ("decision", "reason"))
    try:
        excursions.excursion_decide(
            actor=request.user,
            excursion=excursion,
            decision=values["decision"][:10],
            reason=values["reason"][:REASON_MAX],
            known=access,
        )
    except ValidationError as exc:
        return excursions_page(request, access, failed_id=excursion.pk, errors=error_dict(exc), values=values)
    label = ExcursionDecision(values["decision"]).label
    return done(request, _("Excursion decided: %(d)s.") % {"d": label}, "rtsm:supply_excursions", study_id)
