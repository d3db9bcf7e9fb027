from django.urls import path

from opencro.sites.views import feasibility, registry

app_name = "feasibility"
urlpatterns = [
    path("", feasibility.home, name="home"),
    path("registry/", registry.registry_page, name="registry"),
    path("registry/new/", registry.institution_create, name="institution_create"),
    path("registry/<int:institution_id>/", registry.institution_page, name="institution"),
    path("registry/<int:institution_id>/edit/", registry.institution_edit, name="institution_edit"),
    path("registry/<int:institution_id>/investigators/", registry.investigator_add, name="investigator_add"),
    path("registry/investigators/<int:investigator_id>/", registry.investigator_edit, name="investigator_edit"),
    path("registry/<int:institution_id>/capabilities/", registry.capability_add, name="capability_add"),
    path("registry/capabilities/<int:capability_id>/delete/", registry.capability_delete, name="capability_delete"),
    path("registry/facilities/", registry.facilities_page, name="facilities"),
    path("registry/facilities/register/", registry.facility_register, name="facility_register"),
    path("registry/import/", registry.ctgov_upload, name="ctgov_upload"),
    path("history/", registry.history_page, name="history"),
    path("questionnaire/", feasibility.questionnaire_page, name="questionnaire"),
    path("questionnaire/questions/", feasibility.question_add, name="question_add"),
    path("questionnaire/questions/<int:question_id>/delete/", feasibility.question_delete, name="question_delete"),
    path("invitations/", feasibility.invitation_create, name="invitation_create"),
    path("shortlist/", feasibility.shortlist_page, name="shortlist"),
    path("shortlist/<int:invitation_id>/select/", feasibility.candidate_select, name="select"),
    path("sites/<int:site_id>/link/", feasibility.site_link, name="site_link"),
]
