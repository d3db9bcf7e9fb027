from django.urls import path

from opencro.edc.views import build, casebook, exports, files, forms, interchange, oversight, queries, sdv_plan

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
    path("data/", interchange.data_page, name="data"),
    path("data/<str:action>/", interchange.data_start, name="data_start"),
    path("exports/", exports.exports_page, name="exports"),
    path("exports/start/", exports.exports_start, name="exports_start"),
    path("exports/<int:job_id>/", interchange.export_download, name="export_download"),
    path("subjects/<int:subject_id>/casebook.pdf", exports.casebook_pdf, name="casebook_pdf"),
    path("files/<int:file_id>/", files.file_download, name="file"),
    path("queries/", queries.query_list_page, name="queries"),
    path("queries/new/", queries.query_new, name="query_new"),
    path("queries/<int:query_id>/<str:action>/", queries.query_action, name="query_action"),
]
# data oversight: SDV, review, freeze/lock, sign-off, database lock
urlpatterns += [
    path("sdv/", oversight.sdv_page, name="sdv"),
    path("sdv/plan/", sdv_plan.sdv_plan_edit, name="sdv_plan"),
    path("forms/<int:form_id>/verify/", oversight.form_verify, name="form_verify"),
    path("forms/<int:form_id>/unverify/", oversight.form_unverify, name="form_unverify"),
    path("forms/<int:form_id>/review/", oversight.form_review_action, {"action": "review"}, name="form_review"),
    path("forms/<int:form_id>/unreview/", oversight.form_review_action, {"action": "unreview"}, name="form_unreview"),
    path("locks/<str:action>/", oversight.lock_action, name="lock_action"),
    path("subjects/<int:subject_id>/signoff/", oversight.signoff, name="signoff"),
    path("checklist/", oversight.checklist_page, name="checklist"),
    path("checklist/lock/", oversight.database_lock, name="database_lock"),
]
