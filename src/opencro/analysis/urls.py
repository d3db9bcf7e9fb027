from django.urls import path

from opencro.analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("specs/default/", views.spec_default, name="spec_default"),
    path("specs/edit/", views.spec_edit, name="spec_edit"),
    path("specs/<int:number>/", views.spec_page, name="spec"),
    path("packages/build/", views.package_request, name="package_build"),
    path("packages/<int:number>/", views.package_page, name="package"),
    path("packages/<int:number>/download/", views.package_download, name="package_download"),
]
