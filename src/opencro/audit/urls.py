from django.urls import path

from opencro.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.study_trail, name="study"),
    path("export.<str:fmt>", views.trail_export, name="export"),
    path("<str:object_type>/<str:object_id>/", views.study_trail, name="object"),
    path("<str:object_type>/<str:object_id>/export.<str:fmt>", views.trail_export, name="object_export"),
]
