from django.urls import path

from opencro.monitoring.kris import views

app_name = "kris"
urlpatterns: list = [
    path("", views.kri_list_page, name="list"),
    path("add/", views.kri_add, name="add"),
    path("defaults/", views.kri_defaults, name="defaults"),
    path("compute/", views.kri_compute, name="compute"),
    path("<slug:code>/", views.kri_page, name="kri"),
    path("<slug:code>/edit/", views.kri_edit, name="edit"),
    path("<slug:code>/retire/", views.kri_retire, name="retire"),
]
