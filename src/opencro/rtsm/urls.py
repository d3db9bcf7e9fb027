"""RTSM pages under /studies/<id>/rtsm/: each part's patterns live beside its views."""

from django.urls import path

from opencro.rtsm.views import randomise, unblinding
from opencro.rtsm.views import reports as report_views
from opencro.rtsm.views import scheme as scheme_views
from opencro.rtsm.views.supply import patterns as supply_patterns

app_name = "rtsm"
urlpatterns: list = [
    path("subjects/<int:subject_id>/randomise/", randomise.randomise, name="randomise"),
    path("subjects/<int:subject_id>/unblind/", unblinding.unblind, name="unblind"),
    # scheme configuration (views/scheme.py) and reports (views/reports.py)
    path("scheme/", scheme_views.scheme, name="scheme"),
    path("scheme/settings/", scheme_views.scheme_settings, name="scheme_settings"),
    path("scheme/factors/", scheme_views.factor_add, name="factor_add"),
    path("scheme/factors/<int:factor_id>/", scheme_views.factor_edit, name="factor_edit"),
    path("scheme/factors/<int:factor_id>/delete/", scheme_views.factor_delete, name="factor_delete"),
    path("scheme/list/generate/", scheme_views.list_generate, name="list_generate"),
    path("scheme/list/upload/", scheme_views.list_upload, name="list_upload"),
    path("scheme/list.csv", scheme_views.list_download, name="list_download"),
    path("scheme/activate/", scheme_views.activate, name="scheme_activate"),
    path("report/", report_views.report, name="report"),
    path("report/export.csv", report_views.report_csv, name="report_csv"),
    *supply_patterns,  # trial supply (views/supply.py)
]
