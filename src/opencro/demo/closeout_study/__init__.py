"""OPC-204, the demo's second study: a small Phase II of the same sponsor, finished and closed out.

Meridian Therapeutics ran it with Northstar under a second work order of their agreement (`contract`): two countries,
three sites, ten participants screened, eight randomised (OPC-1127 10 mg or placebo for 12 weeks), six completed and
two withdrew. Everything is entered through the services on the day it happened (`demo.clock`), from the start-up to
the sponsor's approval of the close-out (`closeout`), so every step of the close-out page is signed by the person whose
role owns it and its gate holds on the study's own data. `load_closeout_study` runs after OPC-301's load (it reuses
its people, its organisations and their agreement, its file plan, its MedDRA).
"""

import datetime as dt
from dataclasses import dataclass

from opencro.accounts.models import User
from opencro.demo.clock import afternoon, demo_clock
from opencro.demo.closeout_study import (
    analysis,
    cleaning,
    closeout,
    contract,
    crf,
    data,
    edc,
    participants,
    payments,
    tmf,
)
from opencro.demo.closeout_study import study as setup
from opencro.demo.coding import load_coding
from opencro.edc.services.build import build_import
from opencro.partnership.models import WorkOrder
from opencro.studies.models import Site, Study
from opencro.subjects.models import Subject


@dataclass(frozen=True)
class _SetUp:
    study: Study
    order: WorkOrder
    sites: dict[str, Site]
    users: dict[str, User]


def _set_up(admin: User) -> _SetUp:
    """The study, its contract, protocol, sites and people, and its tools: consent form, randomisation list, MedDRA,
    the eCRF with its SDV plan, the site contracts, the TMF."""
    users = setup.people(admin)
    study = setup.study_create(admin)
    order = contract.work_order_execute(admin, study)
    setup.memberships_grant(admin, study, users)
    pm, dm = users["pm"], users["dm"]
    study = setup.status_advance(pm, study, 0)
    setup.protocol_define(pm, study)
    sites = setup.sites_start(pm, study)
    setup.memberships_grant(admin, study, users, sites)
    participants.randomisation_activate(study)
    load_coding(study)
    with demo_clock(afternoon(data.CONSENT[2])):
        build_import(actor=dm, study=study, build=crf.opc204_build())
    cleaning.sdv_plan(dm, study)
    payments.contracts_sign(pm, study)
    tmf.tmf_file(study)
    return _SetUp(study, order, sites, users)


def _conduct(made: _SetUp) -> list[Subject]:
    """The participants from consent to their last visit, their data entered, cleaned and paid for."""
    study, pm, dm = made.study, made.users["pm"], made.users["dm"]
    form = participants.consent_form_approved(pm, study)
    study = setup.status_advance(pm, study, 1)
    subjects = participants.participants_enrol(study, made.sites, form)
    setup.status_advance(pm, study, 2)
    for n, (subject, row) in enumerate(zip(subjects, data.PARTICIPANTS, strict=True), 1):
        outcome = row[4]
        edc.casebook_enter(n, subject, outcome)
        participants.disposition_set(subject, outcome)
    analysis.specs_write(study)
    cleaning.manual_query(dm, subjects)
    cleaning.queries_settle(dm, study)
    cleaning.sdv_passes(study)
    cleaning.pages_review(dm, study)
    for run in data.RUNS:
        payments.run_pay(study, run)
    return subjects


def _close_out(made: _SetUp, subjects: list[Subject]) -> None:
    """From the close-out's start to the sponsor's approval, each step once its gate holds."""
    study = made.study
    closeout.start(study)
    end_of_trial = dt.date.fromisoformat(closeout.sign(study, "lplv").facts["lplv"])
    cleaning.casebooks_sign(subjects)
    cleaning.database_lock(made.users["dm"], study)
    closeout.sign(study, "database_lock")
    closeout.sign(study, "unblinding")
    closeout.sign(study, "analysis_package", package=analysis.package_unblinded(study))
    for number, visited in data.CLOSEOUT_VISITS.items():
        closeout.site_close(made.sites[number], visited)
    closeout.sign(study, "site_closeout")
    closeout.csr_sign(study, tmf.csr_approve(study))
    payments.run_pay(study, data.FINAL_RUN)
    closeout.sign(study, "final_payments")
    tmf.reconciliation_report(study)
    closeout.sign(study, "tmf_reconciliation")
    closeout.archives_record(study, end_of_trial)
    closeout.sign(study, "archiving")
    closeout.sign(study, "approval")


def load_closeout_study() -> Study:
    """Load OPC-204 through its close-out (the demo's OPC-301 loaded first); return it, closed."""
    admin = User.objects.get(username="admin")
    made = _set_up(admin)
    _close_out(made, _conduct(made))
    contract.milestones_record(made.order)
    return Study.objects.get(pk=made.study.pk)
