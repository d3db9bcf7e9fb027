from django.urls import path

from opencro.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.study_trail, name="study"),
    path("<str:object_type>/<str:object_id>/", views.study_trail, name="object"),
]
