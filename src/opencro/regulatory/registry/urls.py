"""Registry disclosure pages, under /studies/<id>/registry/ (namespace "registry")."""

from django.urls import path

from opencro.regulatory.registry import views

app_name = "registry"
ONE = "<str:registry>/"
urlpatterns = [
    path("", views.registry_index, name="index"),
    path(ONE, views.registry_page, name="page"),
    path(ONE + "export.json", views.registry_download, name="export"),
    path(ONE + "record/", views.registry_record, name="record"),
    path(ONE + "details/", views.registry_details, name="details"),
]
