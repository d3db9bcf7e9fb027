"""Start-up pages under /studies/<id>/startup/."""

from django.urls import path

from opencro.startup import views

app_name = "startup"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("countries/<int:country_id>/milestones/", views.country_milestone, name="country_milestone"),
    path("sites/<int:site_id>/", views.site, name="site"),
    path("sites/<int:site_id>/milestones/", views.site_milestone, name="site_milestone"),
    path("sites/<int:site_id>/documents/", views.document_add, name="document_add"),
    path("sites/<int:site_id>/documents/<int:document_id>/approve/", views.document_approve, name="document_approve"),
    path("sites/<int:site_id>/training/", views.training_add, name="training_add"),
    path("sites/<int:site_id>/green-light/", views.green_light, name="green_light"),
    path("sites/<int:site_id>/status/", views.site_status, name="site_status"),
]
