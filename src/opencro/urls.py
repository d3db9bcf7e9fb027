"""URL map: pages per app, the JSON API under /api/v1/."""

from django.shortcuts import redirect
from django.urls import include, path

from opencro.accounts import views as accounts_views
from opencro.api import api
from opencro.sites.views import public as feasibility_public

urlpatterns = [
    path("", lambda request: redirect("studies:list"), name="home"),
    path("accounts/", include("opencro.accounts.urls")),
    path("studies/", include("opencro.studies.urls")),
    path("studies/<int:study_id>/subjects/", include("opencro.subjects.urls")),
    path("studies/<int:study_id>/enrolment/", include("opencro.recruitment.urls")),
    path("studies/<int:study_id>/followup/", include("opencro.followup.urls")),
    path("studies/<int:study_id>/deviations/", include("opencro.monitoring.urls")),
    path("studies/<int:study_id>/oversight/", include("opencro.monitoring.oversight.urls")),
    path("studies/<int:study_id>/analysis/", include("opencro.analysis.urls")),
    path("studies/<int:study_id>/audit/", include("opencro.audit.urls")),
    path("studies/<int:study_id>/edc/", include("opencro.edc.urls")),
    path("studies/<int:study_id>/coding/", include("opencro.coding.urls")),
    path("studies/<int:study_id>/design/", include("opencro.design.urls")),
    path("studies/<int:study_id>/rtsm/", include("opencro.rtsm.urls")),
    path("studies/<int:study_id>/startup/", include("opencro.startup.urls")),
    path("studies/<int:study_id>/safety/", include("opencro.safety.urls")),
    path("studies/<int:study_id>/regulatory/", include("opencro.regulatory.urls")),
    path("studies/<int:study_id>/registry/", include("opencro.regulatory.registry.urls")),
    path("studies/<int:study_id>/documents/", include("opencro.documents.urls")),
    path("studies/<int:study_id>/team/", accounts_views.team, name="team"),
    path("studies/<int:study_id>/feasibility/", include("opencro.sites.urls")),
    path("feasibility/respond/<str:token>/", feasibility_public.respond, name="feasibility_respond"),
    path("studies/<int:study_id>/payments/", include("opencro.payments.urls")),
    path("studies/<int:study_id>/closeout/", include("opencro.closeout.urls")),
    path("partners/", include("opencro.partnership.urls")),
    path("jobs/", include("opencro.jobs.urls")),
    path("notices/", include("opencro.notices.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]
