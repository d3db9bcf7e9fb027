"""Site-payment pages, mounted at /studies/<study_id>/payments/ (namespace "payments")."""

from django.urls import path

from opencro.payments.views import contracts, runs

app_name = "payments"
C = "contracts/<int:contract_id>/"
F = C + "fees/<int:fee_id>/"
R = "runs/<int:run_id>/"
urlpatterns = [
    path("", contracts.home, name="home"),
    path("contracts/new/", contracts.contract_new, name="contract_new"),
    path(C, contracts.contract_page, name="contract"),
    path(C + "edit/", contracts.contract_edit, name="contract_edit"),
    path(C + "sign/", contracts.contract_sign, name="contract_sign"),
    path(C + "fees/", contracts.fee_add, name="fee_add"),
    path(F + "end/", contracts.fee_end, name="fee_end"),
    path(F + "remove/", contracts.fee_remove, name="fee_remove"),
    path(C + "holdback/", contracts.holdback_release, name="holdback_release"),
    path("runs/new/", runs.run_new, name="run_new"),
    path(R, runs.run_page, name="run"),
    path(R + "approve/", runs.run_approve, name="run_approve"),
    path(R + "cancel/", runs.run_cancel, name="run_cancel"),
    path(R + "export/", runs.run_export, name="run_export"),
    path(R + "paid/", runs.run_paid, name="run_paid"),
]
