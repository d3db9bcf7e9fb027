from django.urls import path

from opencro.subjects.views import consent_forms, prescreening, screen, subjects

app_name = "subjects"
urlpatterns = [
    path("", subjects.subject_list_page, name="list"),
    path("screen/", screen.screen_page, name="screen"),
    path("prescreening/", prescreening.prescreening_page, name="prescreening"),
    path("consent-forms/", consent_forms.consent_forms_page, name="consent_forms"),
    path("consent-forms/<int:form_id>/", consent_forms.consent_form_page, name="consent_form"),
    path("consent-forms/<int:form_id>/document/", consent_forms.consent_form_document, name="consent_form_document"),
    path("consent-forms/<int:form_id>/ethics/", consent_forms.consent_form_ethics_page, name="consent_form_ethics"),
    path("consent-forms/<int:form_id>/approve/", consent_forms.consent_form_approve_page, name="consent_form_approve"),
    path("consent-forms/<int:form_id>/retire/", consent_forms.consent_form_retire_page, name="consent_form_retire"),
    path("<int:subject_id>/", subjects.subject_page, name="subject"),
    path("<int:subject_id>/consent/", subjects.consent_page, name="consent"),
    path("<int:subject_id>/eligibility/", subjects.eligibility_page, name="eligibility"),
    path("<int:subject_id>/eligibility/confirm/", subjects.eligibility_confirm_page, name="eligibility_confirm"),
    path("<int:subject_id>/screen-fail/", subjects.screen_fail_page, name="screen_fail"),
    path("<int:subject_id>/enrol/", subjects.enrol_page, name="enrol"),
    path("<int:subject_id>/withdraw/", subjects.withdraw_page, name="withdraw"),
]
