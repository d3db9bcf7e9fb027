from django.urls import path

from opencro.studies import views

app_name = "studies"
urlpatterns = [
    path("", views.study_list, name="list"),
    path("<int:study_id>/", views.dashboard, name="dashboard"),
    path("<int:study_id>/protocol/", views.protocol, name="protocol"),
    path("<int:study_id>/sites/", views.sites, name="sites"),
]
