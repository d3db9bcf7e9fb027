"""Supply pages every member with `site.view` reads: the overview, a site's supply, shipments, excursions.

Site staff (`supply.dispense`) receive shipments and report temperature excursions at their sites here; the
supply manager's actions on the same pages are in `supply_manage`. Blinded readers see kit numbers, statuses,
expiry dates and totals: the kit type and lot columns, per-type counts and shipment reasons are only rendered
for readers with `treatment.view` (the selectors leave them out otherwise). A refused form answers 200 with the
page, the text as typed and the errors; a change that lands redirects with a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.rtsm.models import ExcursionDecision, ItemCondition, KitStatus, Shipment, ShipmentStatus
from opencro.rtsm.selectors import supply as sel
from opencro.rtsm.services.supply import excursions, shipments
from opencro.rtsm.views.supply_forms import (
    NOTE_MAX,
    error_dict,
    kit_numbers,
    moment,
    pairs,
    posted,
    raise_errors,
    temperature,
)
from opencro.studies.models import Site

KITS_SHOWN = 500
OPEN = (ShipmentStatus.PROPOSED, ShipmentStatus.REQUESTED, ShipmentStatus.SHIPPED)
EXCURSION_FIELDS = ("started_at", "ended_at", "lowest", "highest", "description", "kits")


def manages(access: StudyAccess) -> bool:
    """The supply manager's tools need `supply.manage` and an unblinded role (they show kit types)."""
    return access.can(Perm.SUPPLY_MANAGE) and access.sees_treatment


def base_context(access: StudyAccess) -> dict:
    return {
        "study": access.membership.study,
        "unblinded": access.sees_treatment,
        "manager": manages(access),
        "can_dispense": access.can(Perm.DISPENSE),
        "kit_statuses": KitStatus.choices,
    }


def status_counts(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(status, label, kits) in the order of the statuses."""
    return [(value, str(label), counts.get(value, 0)) for value, label in KitStatus.choices]


def type_rows(by_kit_type: list[sel.TypeCounts] | None) -> list[tuple[object, list[int]]]:
    """(kit type, kits per status) for unblinded readers; empty for blinded ones (the selector gave None)."""
    return [(t.kit_type, [t.counts.get(v, 0) for v in KitStatus.values]) for t in by_kit_type or []]


# --- overview ------------------------------------------------------------------------------------------


@login_required
@require_GET
def overview(request, study_id: int):
    """Stock per site, open shipments and pending excursions; links to the manager's set-up."""
    access = access_study(request.user, study_id, Perm.SITE_VIEW)
    context = base_context(access) | {
        "inventories": sel.site_inventory_summary(access),
        "open_shipments": sel.shipment_list(access).filter(status__in=OPEN),
        "pending_excursions": sel.excursions_pending(access),
    }
    return render(request, "rtsm/supply.html", context)


# --- a site's supply -----------------------------------------------------------------------------------


def site_page(request, access: StudyAccess, site: Site, *, form: str = "", errors=None, values=None):
    """A site's stock, kits, shipments, accountability and the excursion form."""
    status = request.GET.get("status", "")
    if status not in KitStatus.values:
        status = ""
    kits = sel.kit_list(access, site_id=site.pk, status=status)
    total = kits.count()
    inventory = sel.site_inventory(access, site.pk)
    context = base_context(access) | {
        "site": site,
        "inventory": inventory,
        "status_counts": status_counts(inventory.counts),
        "type_rows": type_rows(inventory.by_kit_type),
        "kits": sel.kit_rows(access, kits[:KITS_SHOWN]),
        "kits_total": total,
        "kits_cut": total > KITS_SHOWN,
        "status": status,
        "shipments": sel.shipment_list(access, site_id=site.pk),
        "accountability": sel.site_accountability(access, site.pk),
        "subject_rows": sel.site_subject_accountability(access, site.pk) if access.can(Perm.SUBJECT_VIEW) else [],
        "levels": sel.site_supply_levels(access, site.pk) if manages(access) else [],
        "plan": sel.resupply_preview(access, site.pk) if manages(access) else None,
        "destroyable": sel.kit_rows(access, sel.kits_destroyable(access, site_id=site.pk)[:KITS_SHOWN])
        if manages(access)
        else [],
        "form": form,
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "rtsm/supply_site.html", context)


@login_required
@require_GET
def site_supply(request, study_id: int, site_id: int):
    access = access_study(request.user, study_id)
    site = sel.supply_site_get(access, site_id)
    access_check(access, Perm.SITE_VIEW)
    return site_page(request, access, site)


def excursion_fields(values: dict[str, str], errors: dict) -> dict:
    """The excursion form's times, temperatures and kits as `excursion_report` arguments (errors collected)."""
    return {
        "started_at": moment(values["started_at"], "started_at", errors),
        "ended_at": moment(values["ended_at"], "ended_at", errors, required=False),
        "lowest": temperature(values["lowest"], "lowest", errors),
        "highest": temperature(values["highest"], "highest", errors),
        "kit_numbers_affected": kit_numbers(values["kits"], "kits", errors),
    }


@login_required
@require_POST
def site_excursion(request, study_id: int, site_id: int):
    """Report a temperature excursion at the site: the kits named (or every kit stored there) are quarantined."""
    access = access_study(request.user, study_id)
    site = sel.supply_site_get(access, site_id)
    access_check(access, Perm.DISPENSE)
    values = posted(request, EXCURSION_FIELDS)
    try:
        errors: dict[str, str] = {}
        fields = excursion_fields(values, errors)
        raise_errors(errors)
        excursion = excursions.excursion_report(
            actor=request.user,
            study=access.membership.study,
            site=site,
            description=values["description"][:NOTE_MAX],
            known=access,
            **fields,
        )
    except ValidationError as exc:
        return site_page(request, access, site, form="excursion", errors=error_dict(exc), values=values)
    count = excursion.kits.count()
    text = ngettext(
        "Excursion reported: %(n)d kit quarantined until the supply manager decides.",
        "Excursion reported: %(n)d kits quarantined until the supply manager decides.",
        count,
    )
    messages.success(request, text % {"n": count})
    return redirect("rtsm:supply_site", study_id, site.pk)


# --- shipments -----------------------------------------------------------------------------------------


def shipments_page(request, access: StudyAccess, *, form: str = "", errors=None, values=None):
    """Shipments to the reader's sites; the manager's create form and resupply button."""
    status = request.GET.get("status", "")
    if status not in ShipmentStatus.values:
        status = ""
    context = base_context(access) | {
        "shipments": sel.shipment_list(access, status=status)[:KITS_SHOWN],
        "status": status,
        "shipment_statuses": ShipmentStatus.choices,
        "form": form,
        "errors": errors or {},
        "values": values or {},
    }
    if manages(access):
        context |= {
            "kit_types": list(sel.kit_type_list(access)),
            "depots": list(sel.depot_list(access)),
            "sites": [i.site for i in sel.site_inventory_summary(access)],
            "quantities": dict(pairs(request, "kit_type", "quantity")) if form == "create" else {},
        }
    return render(request, "rtsm/supply_shipments.html", context)


@login_required
@require_GET
def shipment_list(request, study_id: int):
    return shipments_page(request, access_study(request.user, study_id, Perm.SITE_VIEW))


def shipment_page(request, access: StudyAccess, shipment: Shipment, *, form: str = "", errors=None, values=None):
    """One shipment and its kits; receive (site staff, once shipped) and the manager's steps."""
    context = base_context(access) | {
        "shipment": shipment,
        "lines": [
            (line, KitStatus(line.kit_status).label, ItemCondition(line.condition).label if line.condition else "")
            for line in sel.shipment_lines(access, shipment)
        ],
        "quantities": sel.shipment_quantities(access, shipment) if access.sees_treatment else {},
        "conditions": ItemCondition.choices,
        "posted_conditions": dict(pairs(request, "kit", "condition")) if form == "receive" else {},
        "form": form,
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "rtsm/supply_shipment.html", context)


@login_required
@require_GET
def shipment_detail(request, study_id: int, shipment_id: int):
    access = access_study(request.user, study_id)
    shipment = sel.shipment_get(access, shipment_id)
    access_check(access, Perm.SITE_VIEW)
    return shipment_page(request, access, shipment)


@login_required
@require_POST
def shipment_receive(request, study_id: int, shipment_id: int):
    """Record the arrival kit by kit: received in good condition, damaged or missing."""
    access = access_study(request.user, study_id)
    shipment = sel.shipment_get(access, shipment_id)
    access_check(access, Perm.DISPENSE)
    conditions = {number[:20]: condition[:10] for number, condition in pairs(request, "kit", "condition")}
    default = request.POST.get("default", "")[:10] or None
    try:
        shipments.shipment_receive(
            actor=request.user, shipment=shipment, conditions=conditions, default=default, known=access
        )
    except ValidationError as exc:
        return shipment_page(request, access, shipment, form="receive", errors=error_dict(exc))
    messages.success(request, _("Shipment %(n)s received.") % {"n": shipment.number})
    return redirect("rtsm:supply_shipment", study_id, shipment.pk)


# --- excursions ----------------------------------------------------------------------------------------


def excursion_places(access: StudyAccess) -> list[tuple[str, str]]:
    """(value, label) of the depots and the shipments on the road or arrived where a manager reports an excursion."""
    depots = [(f"depot:{d.pk}", _("Depot %(d)s") % {"d": d.code}) for d in sel.depot_list(access)]
    sent = sel.shipment_list(access).filter(status__in=(ShipmentStatus.SHIPPED, ShipmentStatus.RECEIVED))[:KITS_SHOWN]
    labels = {
        ShipmentStatus.SHIPPED: _("Shipment %(n)s to site %(s)s (in transit)"),
        ShipmentStatus.RECEIVED: _("Shipment %(n)s to site %(s)s (received)"),
    }
    return depots + [(f"shipment:{x.pk}", labels[x.status] % {"n": x.number, "s": x.site.number}) for x in sent]


def excursions_page(
    request, access: StudyAccess, *, form: str = "", failed_id: int | None = None, errors=None, values=None
):
    """Excursions at the reader's sites (and depots, for managers) with their kits; the manager decides and
    reports excursions at depots and in shipments."""
    decision = request.GET.get("decision", "")
    if decision not in ExcursionDecision.values:
        decision = ""
    found = sel.excursion_list(access, decision=decision)[:KITS_SHOWN]
    context = base_context(access) | {
        "excursions": [(e, sel.excursion_kits(access, e)) for e in found],
        "decision": decision,
        "decisions": ExcursionDecision.choices,
        "failed_id": failed_id,
        "form": form,
        "places": excursion_places(access) if manages(access) else [],
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "rtsm/supply_excursions.html", context)


@login_required
@require_GET
def excursion_list(request, study_id: int):
    return excursions_page(request, access_study(request.user, study_id, Perm.SITE_VIEW))
