"""OPC-204's contract, through the partnership services: Meridian owns the study, and Northstar works on it under a
second work order of the demo's master services agreement (WO-002: monitoring, data management and statistics),
drafted by the project manager and signed by both companies' executives, with its milestone targets; the topline
results and the report, which the trial's data do not date, are recorded when they came."""

from decimal import Decimal

from opencro.accounts import organisations
from opencro.accounts.models import Organisation, User
from opencro.demo import data as demo_data
from opencro.demo.clock import afternoon, demo_clock
from opencro.demo.closeout_study import data
from opencro.partnership.models import MasterServicesAgreement, WorkOrder
from opencro.partnership.services import kickoff, signing, work_orders
from opencro.studies.models import Study

SPONSOR, CRO = "meridian", "northstar"


def work_order_execute(admin: User, study: Study) -> WorkOrder:
    """The study given to its sponsor, and the work order drafted and signed under the sponsor's agreement with the
    CRO (the one OPC-301's work order is under)."""
    meridian = Organisation.objects.get(code=SPONSOR)
    organisations.study_sponsor_set(actor=admin, study=study, organisation=meridian)
    msa = MasterServicesAgreement.objects.get(sponsor=meridian, cro__code=CRO)
    pm = User.objects.get(username="pm")
    terms = data.WORK_ORDER
    with demo_clock(afternoon(terms["drafted"])):
        order = work_orders.work_order_create(
            actor=pm,
            agreement=msa,
            study=study,
            title=terms["title"],
            services=terms["services"],
            value=Decimal(terms["value"]),
            start_on=terms["start_on"],
            end_on=terms["end_on"],
        )
        for kind, day in data.MILESTONE_TARGETS.items():
            kickoff.milestone_set(actor=pm, work_order=order, kind=kind, planned_on=day)
    for username, day in terms["signed"]:
        with demo_clock(afternoon(day)):
            order = signing.contract_sign(
                actor=User.objects.get(username=username), record=order, password=demo_data.DEMO_PASSWORD
            )
    return order


def milestones_record(order: WorkOrder) -> None:
    """The milestones only a person can date: the topline results and the clinical study report."""
    pm = User.objects.get(username="pm")
    for kind, day in data.MILESTONES_RECORDED.items():
        with demo_clock(afternoon(day)):
            kickoff.milestone_set(actor=pm, work_order=order, kind=kind, actual_on_recorded=day)
