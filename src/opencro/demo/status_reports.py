"""OPC-301's status reports, issued by the CRO's project lead and decided by the sponsor's, on the days it happened:
September's approved, October's returned for a recovery plan, November's (with the plan) waiting for the sponsor;
monthly from then on by the schedule. Loaded last, once every record the reports read is in place."""

import datetime as dt

from opencro.accounts.models import User
from opencro.demo import data
from opencro.demo.clock import afternoon, demo_clock
from opencro.partnership.models import WorkOrder
from opencro.partnership.services import status_reports as reports
from opencro.studies.models import Study

D = dt.date
SEPTEMBER = (
    "Sixteen sites active in six countries. Enrolment is behind the plan: Japan and India screen more slowly than "
    "their feasibility said. Data entry is timely; queries are being worked through at the sites."
)
OCTOBER = (
    "Enrolment remains behind the plan. Change order CO-01 adds two sites in Japan. The last participant in is "
    "forecast six weeks after the contract's date."
)
RECOVERY = (
    "Recovery plan agreed with the sites: pre-screening logs reviewed weekly in Japan and India, referral "
    "letters to cardiology clinics near each site, and CO-01's two Japanese sites initiated in January. With them "
    "the forecast last participant in is 15 May 2027 (target 31 March 2027)."
)
RETURNED = "Please add the recovery plan for Japan and India, with the dates it brings enrolment back on plan."


def load_status_reports(study: Study) -> None:
    lead = User.objects.get(username="cro.lead")
    sponsor = User.objects.get(username="sponsor.lead")
    order = WorkOrder.objects.get(study=study, status="executed")
    done = [
        (D(2026, 9, 30), SEPTEMBER, D(2026, 10, 2), ("approve", "", D(2026, 10, 6))),
        (D(2026, 10, 31), OCTOBER, D(2026, 11, 3), ("return", RETURNED, D(2026, 11, 6))),
        (D(2026, 11, 20), f"{OCTOBER}\n\n{RECOVERY}", D(2026, 11, 20), None),
    ]
    for as_of, summary, issued_on, decision in done:
        with demo_clock(afternoon(issued_on)):
            draft = reports.report_draft(actor=lead, work_order=order, as_of=as_of, summary=summary)
            report = reports.report_issue(actor=lead, report=draft, password=data.DEMO_PASSWORD)
        if decision is None:
            continue
        verdict, comment, decided_on = decision
        with demo_clock(afternoon(decided_on)):
            if verdict == "approve":
                reports.report_comment_add(
                    actor=sponsor, report=report, text="Thank you. Please keep the Japan sites on the weekly call."
                )
            reports.report_decide(
                actor=sponsor, report=report, decision=verdict, comment=comment, password=data.DEMO_PASSWORD
            )
    with demo_clock(afternoon(D(2026, 11, 20))):
        reports.schedule_set(actor=lead, work_order=order, cadence="monthly", next_on=D(2026, 12, 31))
