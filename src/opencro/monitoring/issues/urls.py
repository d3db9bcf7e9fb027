"""Issue pages, mounted at /studies/<id>/oversight/issues/ (namespace "oversight:issues")."""

from django.urls import path

from opencro.monitoring.issues import views

app_name = "issues"
urlpatterns = [
    path("", views.issue_list_page, name="list"),
    path("new/", views.issue_new, name="new"),
    path("<int:issue_id>/", views.issue_page, name="issue"),
    path("<int:issue_id>/edit/", views.issue_edit, name="edit"),
    path("<int:issue_id>/plan/", views.issue_plan, name="plan"),
    path("<int:issue_id>/implement/", views.issue_implement, name="implement"),
    path("<int:issue_id>/check/", views.issue_check, name="check"),
    path("<int:issue_id>/cancel/", views.issue_cancel, name="cancel"),
    path("<int:issue_id>/reopen/", views.issue_reopen, name="reopen"),
]
