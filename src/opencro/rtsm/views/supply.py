"""Trial supply pages under /studies/<id>/rtsm/: their URL patterns, the views living in three modules.

- `supply_site`: the overview, a site's supply (stock, kits, shipments, accountability, excursion report),
  shipments (list, detail, receive) and excursions, for every member with `site.view`.
- `supply_manage`: the supply manager's set-up and actions (`supply.manage`, unblinded).
- `supply_subject`: a subject's study drug (casebook panel, dispense, replace, return).
"""

from django.urls import path

from opencro.rtsm.views import supply_edit as edit
from opencro.rtsm.views import supply_manage as manage
from opencro.rtsm.views import supply_site as site
from opencro.rtsm.views import supply_subject as subject

S = "supply/"
SHIPMENT = S + "shipments/<int:shipment_id>/"

patterns = [
    path(S, site.overview, name="supply"),
    path(S + "sites/<int:site_id>/", site.site_supply, name="supply_site"),
    path(S + "sites/<int:site_id>/excursions/", site.site_excursion, name="supply_site_excursion"),
    path(S + "sites/<int:site_id>/levels/", manage.level_save, name="supply_level_save"),
    path(S + "sites/<int:site_id>/levels/<int:kit_type_id>/delete/", edit.level_delete, name="supply_level_delete"),
    path(S + "shipments/", site.shipment_list, name="supply_shipments"),
    path(S + "shipments/new/", manage.shipment_create, name="supply_shipment_create"),
    path(SHIPMENT, site.shipment_detail, name="supply_shipment"),
    path(SHIPMENT + "receive/", site.shipment_receive, name="supply_shipment_receive"),
    path(SHIPMENT + "request/", manage.shipment_request, name="supply_shipment_request"),
    path(SHIPMENT + "ship/", manage.shipment_ship, name="supply_shipment_ship"),
    path(SHIPMENT + "cancel/", manage.shipment_cancel, name="supply_shipment_cancel"),
    path(S + "resupply/", manage.resupply_run, name="supply_resupply"),
    path(S + "excursions/", site.excursion_list, name="supply_excursions"),
    path(S + "excursions/report/", manage.excursion_report, name="supply_excursion_report"),
    path(S + "excursions/<int:excursion_id>/decide/", manage.excursion_decide, name="supply_excursion_decide"),
    path(S + "setup/", manage.setup, name="supply_setup"),
    path(S + "settings/", manage.settings_save, name="supply_settings"),
    path(S + "kit-types/", manage.kit_type_add, name="supply_kit_type_add"),
    path(S + "kit-types/<int:kit_type_id>/", edit.kit_type_edit, name="supply_kit_type_edit"),
    path(S + "lots/", manage.lot_add, name="supply_lot_add"),
    path(S + "lots/<int:lot_id>/expiry/", manage.lot_expiry, name="supply_lot_expiry"),
    path(S + "depots/", manage.depot_add, name="supply_depot_add"),
    path(S + "depots/<int:depot_id>/", edit.depot_edit, name="supply_depot_edit"),
    path(S + "depots/<int:depot_id>/kits/", manage.kits_create, name="supply_kits_create"),
    path(S + "kits/destroy/", manage.kits_destroy, name="supply_kits_destroy"),
    path(S + "dispensing-visits/", manage.dispensing_visit_save, name="supply_dispensing_visit_save"),
    path(
        S + "dispensing-visits/<int:visit_id>/delete/",
        manage.dispensing_visit_delete,
        name="supply_dispensing_visit_delete",
    ),
    path(S + "dispensations/<int:dispensation_id>/replace/", subject.replace, name="supply_replace"),
    path(S + "dispensations/<int:dispensation_id>/return/", subject.record_return, name="supply_return"),
    path("subjects/<int:subject_id>/supply/", subject.subject_supply, name="supply_subject"),
    path("subjects/<int:subject_id>/dispense/", subject.dispense, name="supply_dispense"),
]
