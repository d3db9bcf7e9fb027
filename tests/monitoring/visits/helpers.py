"""Visits in each state for the visit tests, made through the services."""

import datetime as dt

from opencro.accounts.permissions import RoleCode
from opencro.edc.models import FormData
from opencro.edc.services.build import build_import
from opencro.edc.services.entry import form_save
from opencro.monitoring.models import MonitoringVisit
from opencro.monitoring.visits import services
from opencro.studies.dates import site_today
from tests.conftest import PASSWORD
from tests.edc.builds import small_build

PM, MONITOR, SPONSOR, CRC, PI, AUDITOR = (
    RoleCode.PROJECT_MANAGER,
    RoleCode.MONITOR,
    RoleCode.SPONSOR_OVERSIGHT,
    RoleCode.STUDY_COORDINATOR,
    RoleCode.INVESTIGATOR,
    RoleCode.AUDITOR,
)
SUMMARY = "Consent forms of all participants checked; source verified for visits 1 to 3."
ATTENDEES = "Dr A (investigator)\nJane Roe (study coordinator)"


def days_ago(site, n: int) -> dt.date:
    return site_today(site) - dt.timedelta(days=n)


def planned(w, *, site=None, monitor=None, planned_on=None, visit_type="onsite", actor=None, **kw) -> MonitoringVisit:
    """A visit of site A1 (default) by the monitor, planned a week ago."""
    site = site or w.site_a
    monitor = monitor or (w.user(MONITOR) if site == w.site_a else w.user(PM))
    return services.visit_schedule(
        actor=actor or w.user(PM),
        site=site,
        visit_type=visit_type,
        monitor=monitor,
        planned_on=planned_on or days_ago(site, 7),
        agenda=kw.pop("agenda", "Consent, eligibility and SAE reporting."),
        **kw,
    )


def done(w, visit: MonitoringVisit | None = None, *, visited_on=None, actor=None, **kw) -> MonitoringVisit:
    """A visit whose report is written (by its monitor)."""
    visit = visit or planned(w, **kw)
    return services.visit_report_save(
        actor=actor or visit.monitor,
        visit=visit,
        visited_on=visited_on or visit.planned_on,
        attendees=ATTENDEES,
        summary=SUMMARY,
        actions="File the updated delegation log.",
    )


def submitted(w, visit: MonitoringVisit | None = None, **kw) -> MonitoringVisit:
    """A report signed by its monitor and submitted for review."""
    visit = done(w, visit, **kw)
    return services.visit_report_submit(actor=visit.monitor, visit=visit, password=PASSWORD)


def approved(w, visit: MonitoringVisit | None = None, **kw) -> MonitoringVisit:
    """A report approved by the sponsor's oversight."""
    visit = submitted(w, visit, **kw)
    return services.visit_report_approve(actor=w.user(SPONSOR), visit=visit, password=PASSWORD)


def forms_with_sdv(w, *, required: int, verified: int) -> None:
    """`required` forms awaiting SDV and `verified` verified ones at site A1 (copies of one saved form)."""
    build_import(actor=None, study=w.study, build=small_build())
    form = form_save(actor=None, subject=w.subject_a, event_oid="SE.SCR", form_oid="F.VS", entries=[]).form
    statuses = ["required"] * required + ["verified"] * verified
    form.sdv_status = statuses[0]
    form.save(update_fields=["sdv_status"])
    for n, status in enumerate(statuses[1:], start=2):
        FormData.objects.create(
            study=form.study,
            site=form.site,
            subject=form.subject,
            event=form.event,
            form_def=form.form_def,
            form_oid=form.form_oid,
            repeat_key=n,
            sdv_status=status,
        )
