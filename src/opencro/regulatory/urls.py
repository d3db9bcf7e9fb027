"""Regulatory pages, under /studies/<id>/regulatory/ (namespace "regulatory")."""

from django.urls import path

from opencro.regulatory.views import calendar, committees, ectd, library, site_versions, submission, tracker

app_name = "regulatory"
ONE = "submissions/<int:submission_id>/"
urlpatterns = [
    path("", tracker.tracker, name="tracker"),
    path(ONE, submission.submission_page, name="submission"),
    path(ONE + "edit/", submission.submission_edit, name="submission_edit"),
    path(ONE + "steps/<str:step>/", submission.submission_step, name="submission_step"),
    path(ONE + "questions/", submission.question_add, name="question_add"),
    path(ONE + "questions/<int:question_id>/answer/", submission.question_answer, name="question_answer"),
    path(ONE + "commitments/", submission.commitment_add, name="commitment_add"),
    path(ONE + "commitments/<int:commitment_id>/fulfil/", submission.commitment_fulfil, name="commitment_fulfil"),
    path(ONE + "documents/", submission.submission_documents, name="submission_documents"),
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("committees/", committees.committees_page, name="committees"),
    path("committees/<int:committee_id>/", committees.committee_page, name="committee"),
    path("site-versions/", site_versions.site_versions_page, name="site_versions"),
    path("site-versions/<int:site_id>/", site_versions.site_versions_site, name="site_versions_site"),
    path("ectd/", ectd.ectd_page, name="ectd"),
    path("ectd/<str:sequence>/", ectd.ectd_sequence, name="ectd_sequence"),
    path("ectd/<str:sequence>/download/", ectd.ectd_download, name="ectd_download"),
    path("library/", library.library_page, name="library"),
    path("library/authorities/new/", library.authority_page, name="library_authority_new"),
    path("library/authorities/<int:authority_id>/", library.authority_page, name="library_authority"),
    path("library/types/new/", library.application_type_page, name="library_type_new"),
    path("library/types/<int:type_id>/", library.application_type_page, name="library_type"),
    path("library/clocks/new/", library.clock_rule_page, name="library_clock_new"),
    path("library/clocks/<int:rule_id>/", library.clock_rule_page, name="library_clock"),
]
