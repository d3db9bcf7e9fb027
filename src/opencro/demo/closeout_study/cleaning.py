"""OPC-204's data made ready for the lock, through the EDC services: the SDV plan (the first participant of each
site in full, the critical items of the others), a query the data manager raised and every query answered by the site
and closed, the monitors' source data verification in two passes, the data manager's review of every page, each
casebook signed by its investigator, and the database lock from a clear checklist."""

import datetime as dt

from opencro.accounts.models import User
from opencro.demo import data as demo_data
from opencro.demo.clock import afternoon, demo_clock
from opencro.demo.closeout_study import data
from opencro.edc.models import DataLock, FormData, Query
from opencro.edc.models.data import SdvStatus
from opencro.edc.models.queries import OPEN_STATES
from opencro.edc.sdv import PlanRule
from opencro.edc.services.locks import study_lock
from opencro.edc.services.queries import query_answer, query_close, query_open
from opencro.edc.services.review import form_review
from opencro.edc.services.sdv import sdv_plan_set, sdv_verify
from opencro.edc.services.signoff import casebook_signoff
from opencro.studies.models import Study
from opencro.subjects.models import Subject

SITE_CONFIRMS = "Checked against the source: the value is correct as entered."


def sdv_plan(dm: User, study: Study) -> None:
    """Targeted SDV, the first participant of each site in full (set before the first page is entered)."""
    with demo_clock(afternoon(data.CONSENT[2])):
        rule = PlanRule(site_id=None, form_oid="", requirement="targeted", first_n_subjects=1)
        sdv_plan_set(actor=dm, study=study, rules=[rule])


def _user(username: str) -> User:
    return User.objects.get(username=username)


def manual_query(dm: User, subjects: list[Subject]) -> None:
    """The data manager's question on one visit's vital signs, answered by the site and closed."""
    n, visit, text, answer = data.MANUAL_QUERY
    subject = subjects[n - 1]
    form = FormData.objects.get(subject=subject, event__event_oid=f"SE.{visit}", form_oid="F.VS")
    raised, answered, closed = data.QUERY_DAYS
    with demo_clock(afternoon(raised)):
        query = query_open(actor=dm, form=form, text=text)
    with demo_clock(afternoon(answered)):
        query = query_answer(actor=_user(data.SITE_STAFF[subject.site.number]), query=query, text=answer)
    with demo_clock(afternoon(closed)):
        query_close(actor=dm, query=query, text="Thank you.")


def queries_settle(dm: User, study: Study) -> None:
    """Every query the edit checks opened: confirmed by the site three days later, closed the day after."""
    for query in Query.objects.filter(study=study, state__in=OPEN_STATES).select_related("site").order_by("pk"):
        opened = query.opened_at.date()
        with demo_clock(afternoon(opened + dt.timedelta(days=3))):
            query = query_answer(actor=_user(data.SITE_STAFF[query.site.number]), query=query, text=SITE_CONFIRMS)
        with demo_clock(afternoon(opened + dt.timedelta(days=4))):
            query_close(actor=dm, query=query, text="Accepted.")


def sdv_passes(study: Study) -> None:
    """At each pass the site's monitor verifies what the plan asks of the pages of visits held by then (the log
    pages at the last pass)."""
    last = data.SDV_PASSES[-1]
    for day in data.SDV_PASSES:
        waiting = FormData.objects.filter(study=study, sdv_status=SdvStatus.REQUIRED).select_related("site", "event")
        with demo_clock(afternoon(day)):
            for form in waiting.order_by("pk"):
                held = form.event.visit_date
                if (held is not None and held < day) or day == last:
                    sdv_verify(actor=_user(data.MONITORS[form.site.number]), form=form)


def pages_review(dm: User, study: Study) -> None:
    with demo_clock(afternoon(data.REVIEWED_ON)):
        for form in FormData.objects.filter(study=study, reviewed=False).order_by("pk"):
            form_review(actor=dm, form=form)


def casebooks_sign(subjects: list[Subject]) -> None:
    with demo_clock(afternoon(data.CASEBOOKS_SIGNED)):
        for subject in subjects:
            investigator = _user(data.SITE_INVESTIGATORS[subject.site.number])
            casebook_signoff(actor=investigator, subject=subject, password=demo_data.DEMO_PASSWORD)


def database_lock(dm: User, study: Study) -> DataLock:
    with demo_clock(afternoon(data.LOCKED_ON)):
        return study_lock(
            actor=dm,
            study=study,
            reason="database lock: every query closed, SDV done",
            password=demo_data.DEMO_PASSWORD,
        )
