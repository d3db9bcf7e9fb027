from django.urls import path

from opencro.recruitment import views

app_name = "recruitment"
urlpatterns = [
    path("", views.enrolment, name="enrolment"),
    path("plan/", views.plan_save, name="plan_save"),
]
