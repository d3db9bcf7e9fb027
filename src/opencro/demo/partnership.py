"""OPC-301's contract: the fictional sponsor Meridian Therapeutics outsources it to the fictional CRO Northstar
Clinical Research, recorded through the partnership services on the dates it happened.

The master services agreement (February 2025) and the work order for OPC-301 (services from site selection to safety,
with submissions to regulators shared: Northstar prepares, Meridian submits) were signed by both companies'
executives; change order CO-01 (two more sites in Japan, after the country's slow start) was signed by both and applied;
CO-02 (support for the data monitoring committee), proposed by Meridian in November, waits for Northstar's signature.
Samuel Osei (the sponsor's oversight lead) signs for Meridian; Paula Moreno (the project manager) drafts for Northstar.
The work order carries its kick-off plan (milestone targets, a communication plan, a three-level escalation path), its
KPI targets and its budget in four currencies at the agreement's dated exchange rates; in November the CRO forecast
last participant in six weeks late. Ines Duarte (Northstar) and Grace Kim (Meridian) are the two project leads: the
status reports are theirs (`demo.status_reports`).
"""

import datetime as dt
from decimal import Decimal

from opencro.accounts import organisations
from opencro.accounts import services as accounts
from opencro.accounts.models import User
from opencro.demo import data
from opencro.demo.clock import afternoon, demo_clock
from opencro.partnership.services import agreements, budgets, change_orders, kickoff, kpis, signing, work_orders
from opencro.partnership.services.work_orders import responsibility_set
from opencro.studies.models import Study

D = dt.date
SPONSOR = ("meridian", "Meridian Therapeutics (fictional)", "sponsor", "US")
CRO = ("northstar", "Northstar Clinical Research (fictional)", "cro", "GB")
# username, first name, last name, organisation, organisation role (people of the demo's USERS, and two who work on
# the contract only)
PEOPLE = [
    ("sponsor", "", "", "meridian", "executive"),
    ("sponsor.contracts", "Liam", "Chen", "meridian", "contracts"),
    ("pm", "", "", "northstar", "contracts"),
    ("cro.exec", "Nadia", "Brooks", "northstar", "executive"),
    ("cro.lead", "Ines", "Duarte", "northstar", "project_lead"),
    ("sponsor.lead", "Grace", "Kim", "meridian", "project_lead"),
]
SERVICES = [
    "project_management",
    "site_selection",
    "recruitment",
    "monitoring",
    "data_management",
    "biostatistics",
    "regulatory",
    "safety",
]
# the agreement's exchange rates: US dollars for one unit of each currency, from a day
RATES = [
    ("EUR", D(2025, 6, 1), "1.0850"),
    ("JPY", D(2025, 6, 1), "0.00695"),
    ("INR", D(2025, 6, 1), "0.01198"),
    ("BRL", D(2025, 6, 1), "0.1790"),
    ("EUR", D(2026, 1, 2), "1.1020"),
    ("JPY", D(2026, 1, 2), "0.00668"),
]
# the work order's budget: service, description, unit, planned units, unit price, currency
BUDGET = [
    ("project_management", "Project management (36 months)", "fixed", "1", "640000", "USD"),
    ("site_selection", "Site qualification and initiation", "per_site", "14", "18500", "USD"),
    ("recruitment", "Recruitment support", "per_participant", "420", "650", "USD"),
    ("monitoring", "On-site monitoring visit", "per_monitoring_visit", "180", "2150", "EUR"),
    ("data_management", "Data management per visit entered", "per_visit", "4200", "38", "USD"),
    ("biostatistics", "Statistical analysis plan, tables, listings and figures", "fixed", "1", "210000", "USD"),
    ("regulatory", "PMDA consultation and clinical trial notification (Japan)", "fixed", "1", "9800000", "JPY"),
    ("safety", "Safety case processing", "per_participant", "420", "180", "USD"),
    ("site_selection", "Investigator grants (pass-through)", "pass_through", "1", "2750000", "USD"),
]
# the contract's milestone targets (signed with the work order), and the CRO's forecasts of November 2026
TARGETS = {
    "first_site_activated": D(2026, 3, 31),
    "first_participant_in": D(2026, 5, 15),
    "last_participant_in": D(2027, 3, 31),
    "last_participant_last_visit": D(2028, 4, 30),
    "database_lock": D(2028, 6, 15),
    "topline_results": D(2028, 7, 31),
    "clinical_study_report": D(2028, 9, 15),
}
FORECASTS = {"last_participant_in": D(2027, 5, 15), "last_participant_last_visit": D(2028, 6, 15)}
FORECAST_REASON = "Japan and India screen slower than planned; CO-01's two Japanese sites start in January."
# what, frequency, owner, participants, channel
COMMUNICATION = [
    ("Operations call", "weekly", "cro", "Both project managers, lead CRAs, data manager", "Video call, Tuesdays"),
    ("Status report", "monthly", "cro", "Sponsor oversight lead, clinical operations", "OpenCRO status report"),
    ("Steering committee", "quarterly", "sponsor", "Executives of both companies, medical lead", "In person"),
    ("Safety review", "every_two_weeks", "sponsor", "Safety physicians of both companies", "Video call"),
]
# level, trigger, sponsor contact, CRO contact, response time (working days)
ESCALATION = [
    (1, "An issue open beyond 5 working days", "Samuel Osei, oversight lead", "Paula Moreno, project manager", 3),
    (2, "A milestone at risk, or a level 1 issue unresolved", "Liam Chen, contracts", "Project director", 5),
    (3, "A contract dispute or a quality issue", "VP clinical operations", "Nadia Brooks, executive", 10),
]
# the contract's KPI targets where they differ from the standard ones: KPI, target, tolerance
KPI_TARGETS = [
    ("site_activation_days", "120", "45"),
    ("enrolment_vs_plan", "90", "15"),
    ("screen_failure_rate", "35", "10"),
    ("tmf_completeness", "95", "5"),
    ("milestone_variance_days", "0", "45"),
]
SUBMISSIONS_NOTE = "Northstar prepares the dossiers and answers; Meridian submits them and holds the applications."


def load_partnership(study: Study) -> None:
    admin = User.objects.get(username="admin")
    made = {}
    for code, name, kind, country in (SPONSOR, CRO):
        made[code] = organisations.organisation_create(actor=admin, code=code, name=name, kind=kind, country=country)
    organisations.study_sponsor_set(actor=admin, study=study, organisation=made["meridian"])
    people = {}
    for username, first, last, code, role in PEOPLE:
        user = User.objects.filter(username=username).first() or accounts.user_create(
            actor=admin,
            username=username,
            password=data.DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{username}@opencro.example",
            time_zone="Europe/London" if code == "northstar" else "America/New_York",
        )
        organisations.organisation_member_set(actor=admin, organisation=made[code], user=user, role=role)
        people[username] = user
    with demo_clock(afternoon(D(2025, 2, 3))):
        msa = agreements.agreement_create(
            actor=people["pm"],
            counterparty=made["meridian"],
            title="Clinical development services",
            effective_on=D(2025, 2, 1),
            expires_on=D(2030, 1, 31),
            currency="USD",
            payment_terms_days=45,
            governing_law="State of New York",
        )
    for signer, day in (("cro.exec", D(2025, 2, 10)), ("sponsor", D(2025, 2, 14))):
        with demo_clock(afternoon(day)):
            msa = signing.contract_sign(actor=people[signer], record=msa, password=data.DEMO_PASSWORD)
    with demo_clock(afternoon(D(2025, 6, 2))):
        order = work_orders.work_order_create(
            actor=people["pm"],
            agreement=msa,
            study=study,
            title=f"{study.protocol_number}: full clinical operations",
            services=SERVICES,
            value=Decimal("4850000.00"),
            start_on=D(2025, 7, 1),
            end_on=D(2028, 6, 30),
        )
        responsibility_set(
            actor=people["pm"], work_order=order, duty="submissions", party="shared", note=SUBMISSIONS_NOTE
        )
        for currency, day, rate in RATES:
            budgets.exchange_rate_add(
                actor=people["pm"], agreement=msa, currency=currency, effective_on=day, rate=Decimal(rate)
            )
        for kind, day in TARGETS.items():
            kickoff.milestone_set(actor=people["pm"], work_order=order, kind=kind, planned_on=day)
        for what, frequency, owner, participants, channel in COMMUNICATION:
            kickoff.communication_item_add(
                actor=people["pm"],
                work_order=order,
                what=what,
                frequency=frequency,
                owner=owner,
                participants=participants,
                channel=channel,
            )
        for level, trigger, sponsor_contact, cro_contact, days in ESCALATION:
            kickoff.escalation_step_add(
                actor=people["pm"],
                work_order=order,
                level=level,
                trigger=trigger,
                sponsor_contact=sponsor_contact,
                cro_contact=cro_contact,
                response_days=days,
            )
        for service, description, unit, quantity, price, currency in BUDGET:
            budgets.budget_line_add(
                actor=people["pm"],
                work_order=order,
                service=service,
                description=description,
                unit=unit,
                quantity=Decimal(quantity),
                unit_price=Decimal(price),
                currency=currency,
            )
        kpis.kpi_targets_default(actor=people["pm"], work_order=order)
        for kpi, target, tolerance in KPI_TARGETS:
            kpis.kpi_target_set(
                actor=people["pm"], work_order=order, kpi=kpi, target=Decimal(target), tolerance=Decimal(tolerance)
            )
    for signer, day in (("cro.exec", D(2025, 6, 9)), ("sponsor", D(2025, 6, 12))):
        with demo_clock(afternoon(day)):
            order = signing.contract_sign(actor=people[signer], record=order, password=data.DEMO_PASSWORD)
    with demo_clock(afternoon(D(2026, 8, 17))):
        japan = change_orders.change_order_propose(
            actor=people["pm"],
            work_order=order,
            title="Two more sites in Japan",
            reason="Japan screened slower than planned; two more sites keep the enrolment timeline.",
            value_change=Decimal("185000.00"),
        )
    for signer, day in (("cro.exec", D(2026, 8, 19)), ("sponsor", D(2026, 8, 24))):
        with demo_clock(afternoon(day)):
            signing.contract_sign(actor=people[signer], record=japan, password=data.DEMO_PASSWORD)
    with demo_clock(afternoon(D(2026, 11, 10))):
        for kind, day in FORECASTS.items():
            kickoff.milestone_set(
                actor=people["pm"], work_order=order, kind=kind, forecast_on=day, reason=FORECAST_REASON
            )
    with demo_clock(afternoon(D(2026, 11, 16))):
        dmc = change_orders.change_order_propose(
            actor=people["sponsor.contracts"],
            work_order=order,
            title="Support for the data monitoring committee",
            reason="The DMC charter asks for unblinded reports every six months, prepared by an independent team.",
            value_change=Decimal("96000.00"),
            new_end_on=D(2028, 9, 30),
        )
    with demo_clock(afternoon(D(2026, 11, 18))):
        signing.contract_sign(actor=people["sponsor"], record=dmc, password=data.DEMO_PASSWORD)
