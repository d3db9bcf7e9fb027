from django.urls import path

from opencro.analysis import views

app_name = "analysis"
# ADaM (adam/) and output (tfl/) specifications share their views and URL names: the kind travels as a default
# argument, so reverse() picks the route by it (`{% url "analysis:analysis_spec" study_id=1 kind="tfl" name=n %}`).
# `new` is declared before `<str:name>`: ADaM names are capitals, and no output is called "new".
urlpatterns = [
    path("", views.overview, name="overview"),
    path("specs/default/", views.spec_default, name="spec_default"),
    path("specs/edit/", views.spec_edit, name="spec_edit"),
    path("specs/<int:number>/", views.spec_page, name="spec"),
    path("adam/new/", views.analysis_spec_new, {"kind": "adam"}, name="analysis_spec_new"),
    path("adam/<str:name>/", views.analysis_spec_page, {"kind": "adam"}, name="analysis_spec"),
    path("adam/<str:name>/edit/", views.analysis_spec_edit, {"kind": "adam"}, name="analysis_spec_edit"),
    path("adam/<str:name>/retire/", views.analysis_spec_retire, {"kind": "adam"}, name="analysis_spec_retire"),
    path("tfl/new/", views.analysis_spec_new, {"kind": "tfl"}, name="analysis_spec_new"),
    path("tfl/<str:name>/", views.analysis_spec_page, {"kind": "tfl"}, name="analysis_spec"),
    path("tfl/<str:name>/edit/", views.analysis_spec_edit, {"kind": "tfl"}, name="analysis_spec_edit"),
    path("tfl/<str:name>/retire/", views.analysis_spec_retire, {"kind": "tfl"}, name="analysis_spec_retire"),
    path("packages/build/", views.package_request, name="package_build"),
    path("packages/<int:number>/", views.package_page, name="package"),
    path("packages/<int:number>/download/", views.package_download, name="package_download"),
]
