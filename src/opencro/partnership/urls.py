"""Partnership pages, mounted at /partners/ (namespace "partnership")."""

from django.urls import path

from opencro.partnership.views import (
    agreements,
    budgets,
    change_orders,
    kickoff,
    kpis,
    organisations,
    portfolio,
    status_reports,
    work_orders,
)
from opencro.partnership.views import risks as risk_views

app_name = "partnership"
WO = "work-orders/<int:work_order_id>/"
CO = WO + "change-orders/<int:change_order_id>/"
AG = "agreements/<int:agreement_id>/"
BUDGET = WO + "budget/"
KICKOFF = WO + "kickoff/"
KPIS = WO + "kpis/"
REPORTS = WO + "reports/"
REPORT = REPORTS + "<int:report_id>/"
RISKS = WO + "risks/"
RISK = RISKS + "<int:risk_id>/"
urlpatterns = [
    path("", organisations.home, name="home"),
    path("organisations/", organisations.organisation_list, name="organisations"),
    path("organisations/<int:organisation_id>/", organisations.organisation_page, name="organisation"),
    path("organisations/<int:organisation_id>/members/", organisations.member_set, name="member_set"),
    path(
        "organisations/<int:organisation_id>/members/<int:member_id>/remove/",
        organisations.member_remove,
        name="member_remove",
    ),
    path("organisations/<int:organisation_id>/studies/", organisations.study_assign, name="study_assign"),
    path("agreements/new/", agreements.agreement_new, name="agreement_new"),
    path("agreements/<int:agreement_id>/", agreements.agreement_page, name="agreement"),
    path("agreements/<int:agreement_id>/edit/", agreements.agreement_edit, name="agreement_edit"),
    path("agreements/<int:agreement_id>/sign/", agreements.agreement_sign, name="agreement_sign"),
    path("agreements/<int:agreement_id>/terminate/", agreements.agreement_terminate, name="agreement_terminate"),
    path("agreements/<int:agreement_id>/work-orders/new/", agreements.work_order_new, name="work_order_new"),
    path(WO, work_orders.work_order_page, name="work_order"),
    path(WO + "edit/", work_orders.work_order_edit, name="work_order_edit"),
    path(WO + "responsibilities/", work_orders.responsibilities, name="responsibilities"),
    path(WO + "sign/", work_orders.work_order_sign, name="work_order_sign"),
    path(WO + "cancel/", work_orders.work_order_cancel, name="work_order_cancel"),
    path(WO + "close/", work_orders.work_order_close, name="work_order_close"),
    path(WO + "change-orders/new/", change_orders.change_order_new, name="change_order_new"),
    path(CO, change_orders.change_order_page, name="change_order"),
    path(CO + "sign/", change_orders.change_order_sign, name="change_order_sign"),
    path(CO + "reject/", change_orders.change_order_reject, name="change_order_reject"),
    path(CO + "withdraw/", change_orders.change_order_withdraw, name="change_order_withdraw"),
    path(AG + "rates/", budgets.exchange_rates, name="exchange_rates"),
    path(AG + "rates/<int:rate_id>/remove/", budgets.exchange_rate_remove, name="exchange_rate_remove"),
    path(BUDGET, budgets.budget_page, name="budget"),
    path(BUDGET + "lines/", budgets.budget_line_new, name="budget_line_new"),
    path(BUDGET + "lines/<int:line_id>/", budgets.budget_line_edit, name="budget_line_edit"),
    path(BUDGET + "lines/<int:line_id>/remove/", budgets.budget_line_remove, name="budget_line_remove"),
    path(BUDGET + "costs/", budgets.cost_entry_new, name="cost_entry_new"),
    path(BUDGET + "costs/<int:entry_id>/remove/", budgets.cost_entry_remove, name="cost_entry_remove"),
    path("portfolio/", portfolio.portfolio_page, name="portfolio"),
    path(KPIS, kpis.kpis_page, name="kpis"),
    path(KPIS + "targets/", kpis.kpi_target_save, name="kpi_target_save"),
    path(KPIS + "targets/defaults/", kpis.kpi_targets_default, name="kpi_targets_default"),
    path(KPIS + "targets/<slug:kpi>/remove/", kpis.kpi_target_remove, name="kpi_target_remove"),
    path(REPORTS, status_reports.status_reports_page, name="status_reports"),
    path(REPORTS + "new/", status_reports.report_new, name="status_report_new"),
    path(REPORTS + "schedule/", status_reports.schedule_save, name="report_schedule"),
    path(REPORT, status_reports.status_report_page, name="status_report"),
    path(REPORT + "summary/", status_reports.report_summary, name="status_report_summary"),
    path(REPORT + "issue/", status_reports.report_issue, name="status_report_issue"),
    path(REPORT + "comments/", status_reports.report_comment, name="status_report_comment"),
    path(REPORT + "decide/", status_reports.report_decide, name="status_report_decide"),
    path(REPORT + "discard/", status_reports.report_discard, name="status_report_discard"),
    path(REPORT + "file.<slug:fmt>", status_reports.report_file, name="status_report_file"),
    path(KICKOFF, kickoff.kickoff_page, name="kickoff"),
    path(KICKOFF + "milestones/<slug:kind>/", kickoff.milestone_save, name="kickoff_milestone"),
    path(KICKOFF + "communication/", kickoff.communication_new, name="communication_new"),
    path(KICKOFF + "communication/<int:item_id>/", kickoff.communication_edit, name="communication_edit"),
    path(KICKOFF + "communication/<int:item_id>/remove/", kickoff.communication_remove, name="communication_remove"),
    path(KICKOFF + "escalation/", kickoff.escalation_new, name="escalation_new"),
    path(KICKOFF + "escalation/<int:step_id>/", kickoff.escalation_edit, name="escalation_edit"),
    path(KICKOFF + "escalation/<int:step_id>/remove/", kickoff.escalation_remove, name="escalation_remove"),
    path("risks/", risk_views.portfolio, name="portfolio_risks"),
    path(RISKS, risk_views.risk_register, name="risks"),
    path(RISKS + "new/", risk_views.risk_new, name="risk_new"),
    path(RISKS + "signals/", risk_views.risk_from_signal, name="risk_from_signal"),
    path(RISK, risk_views.risk_page, name="risk"),
    path(RISK + "edit/", risk_views.risk_edit, name="risk_edit"),
    path(RISK + "close/", risk_views.risk_close, name="risk_close"),
    path(RISK + "realise/", risk_views.risk_realise, name="risk_realise"),
]
