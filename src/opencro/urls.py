"""URL map: pages per app, the JSON API under /api/v1/."""

from django.shortcuts import redirect
from django.urls import include, path

from opencro.accounts import views as accounts_views
from opencro.api import api

urlpatterns = [
    path("", lambda request: redirect("studies:list"), name="home"),
    path("accounts/", include("opencro.accounts.urls")),
    path("studies/", include("opencro.studies.urls")),
    path("studies/<int:study_id>/subjects/", include("opencro.subjects.urls")),
    path("studies/<int:study_id>/audit/", include("opencro.audit.urls")),
    path("studies/<int:study_id>/edc/", include("opencro.edc.urls")),
    path("studies/<int:study_id>/coding/", include("opencro.coding.urls")),
    path("studies/<int:study_id>/design/", include("opencro.design.urls")),
    path("studies/<int:study_id>/rtsm/", include("opencro.rtsm.urls")),
    path("studies/<int:study_id>/team/", accounts_views.team, name="team"),
    path("jobs/", include("opencro.jobs.urls")),
    path("notices/", include("opencro.notices.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]
