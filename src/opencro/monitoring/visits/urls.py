"""Monitoring visit pages, under /studies/<id>/oversight/visits/ (namespace "oversight:visits")."""

from django.urls import path

from opencro.monitoring.visits import views

app_name = "visits"
ONE = "<int:visit_id>/"
urlpatterns = [
    path("", views.visit_list_page, name="list"),
    path("new/", views.visit_new, name="new"),
    path("plan/", views.plan_page, name="plan"),
    path(ONE, views.visit_page, name="detail"),
    path(ONE + "letters/confirmation/", views.letter_page, {"kind": "confirmation"}, name="confirmation_letter"),
    path(ONE + "letters/follow-up/", views.letter_page, {"kind": "follow_up"}, name="follow_up_letter"),
    path(ONE + "reschedule/", views.visit_reschedule, name="reschedule"),
    path(ONE + "confirm/", views.visit_confirm, name="confirm"),
    path(ONE + "cancel/", views.visit_cancel, name="cancel"),
    path(ONE + "report/", views.visit_report, name="report"),
    path(ONE + "findings/", views.finding_add, name="finding_add"),
    path(ONE + "findings/<int:finding_id>/", views.finding_edit, name="finding_edit"),
    path(ONE + "findings/<int:finding_id>/resolve/", views.finding_resolve, name="finding_resolve"),
    path(ONE + "submit/", views.visit_submit, name="submit"),
    path(ONE + "return/", views.visit_return, name="return"),
    path(ONE + "approve/", views.visit_approve, name="approve"),
    path(ONE + "follow-up/", views.follow_up_send, name="follow_up"),
]
