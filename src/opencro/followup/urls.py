from django.urls import path

from opencro.followup import views

app_name = "followup"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("retention/", views.retention, name="retention"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/sites/<int:site_id>/", views.site_contact_page, name="site_contact"),
    path("subjects/<int:subject_id>/", views.subject_page, name="subject"),
    path("subjects/<int:subject_id>/contact/", views.contact_page, name="contact"),
    path("subjects/<int:subject_id>/attempts/", views.attempt_page, name="attempt"),
    path("subjects/<int:subject_id>/disposition/", views.disposition_page, name="disposition"),
    path("subjects/<int:subject_id>/remind/", views.remind_page, name="remind"),
]
