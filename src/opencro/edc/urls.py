from django.urls import path

from opencro.edc.views import build, casebook, forms, queries

app_name = "edc"
FORM = "subjects/<int:subject_id>/<str:event_oid>/<int:event_repeat>/<str:form_oid>/<int:form_repeat>/"
urlpatterns = [
    path("build/", build.build_page, name="build"),
    path("build/<int:version_id>/", build.build_version_page, name="build_version"),
    path("build/<int:version_id>/publish/", build.build_version_publish, name="build_publish"),
    path("build/<int:version_id>/odm.xml", build.build_version_odm, name="build_odm"),
    path("subjects/<int:subject_id>/", casebook.casebook_page, name="casebook"),
    path(FORM, forms.form_view, name="form"),
    path(FORM + "preview/", forms.form_preview, name="form_preview"),
    path("queries/", queries.query_list_page, name="queries"),
    path("queries/new/", queries.query_new, name="query_new"),
    path("queries/<int:query_id>/<str:action>/", queries.query_action, name="query_action"),
]
