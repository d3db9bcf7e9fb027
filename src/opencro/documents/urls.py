"""Document and TMF pages, under /studies/<id>/documents/ (namespace "documents")."""

from django.urls import path

from opencro.documents import tmf_views, views

app_name = "documents"
ONE = "<int:document_id>/"
VERSION = ONE + "versions/<int:version_id>/"
urlpatterns = [
    path("", views.document_list_page, name="list"),
    path("new/", views.document_new, name="new"),
    path("tmf/", tmf_views.completeness_page, name="tmf"),
    path("tmf/structure/", tmf_views.structure_page, name="tmf_structure"),
    path("tmf/expectations/default/", tmf_views.expectations_default, name="tmf_expectations_default"),
    path("tmf/expectations/", tmf_views.expectation_set, name="tmf_expectation"),
    path("tmf/export/", tmf_views.export_zip, name="export"),
    path("sites/<int:site_id>/", tmf_views.site_page, name="site"),
    path(ONE, views.document_page, name="detail"),
    path(ONE + "versions/", views.version_upload, name="version_upload"),
    path(ONE + "file/", views.document_file, name="file"),
    path(VERSION + "download/", views.version_download, name="download"),
    path(VERSION + "review/", views.review_request, name="review_request"),
    path(VERSION + "decide/", views.review_decide, name="review_decide"),
    path(VERSION + "qc/", views.qc_record, name="qc"),
]
