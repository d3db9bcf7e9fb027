"""OPC-204's close-out through `closeout.services`: started by the project manager after the last visit, each step
signed by the demo person whose role owns it on its day (`data.SIGNERS`), once what its gate reads holds: the
monitors' close-out visits (report approved by the project manager, the site closed and its holdback released the
same day), the archives recorded by the regulatory specialist, and last the sponsor's approval, which closes the
study."""

import datetime as dt

from opencro.accounts.models import User
from opencro.closeout import services
from opencro.closeout.models import CloseoutStep
from opencro.demo import data as demo_data
from opencro.demo.clock import afternoon, demo_clock
from opencro.demo.closeout_study import data
from opencro.demo.closeout_study.payments import holdback_release
from opencro.documents.models import DocumentVersion
from opencro.monitoring.visits import services as visits
from opencro.startup.services import site_status_set
from opencro.studies.models import Site, SiteStatus, Study

SUMMARY = (
    "Close-out: every participant's casebook signed, all queries closed, investigational product returned and "
    "reconciled, the investigator site file complete and ready for archiving."
)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def start(study: Study) -> None:
    day, target, note = data.CLOSEOUT_STARTED
    with demo_clock(afternoon(day)):
        services.closeout_start(actor=_user("pm"), study=study, target_on=target, note=note)


def sign(study: Study, step: str, **chosen) -> CloseoutStep:
    """Sign `step` as its owner, on its day (`data.SIGNERS`); the approval through `closeout_approve`."""
    username, day = data.SIGNERS[step]
    with demo_clock(afternoon(day)):
        if step == "approval":
            return services.closeout_approve(
                actor=_user(username), study=study, password=demo_data.DEMO_PASSWORD, note="Close-out approved."
            )
        return services.closeout_step_sign(
            actor=_user(username), study=study, step=step, password=demo_data.DEMO_PASSWORD, **chosen
        )


def site_close(site: Site, visited: dt.date) -> None:
    """The monitor's close-out visit (planned a week before, confirmed), its report written and signed two days
    later, approved by the project manager three days after: the site is closed and its holdback released."""
    monitor, pm = _user(data.MONITORS[site.number]), _user("pm")
    with demo_clock(afternoon(visited - dt.timedelta(days=7))):
        visit = visits.visit_schedule(
            actor=monitor,
            site=site,
            visit_type="onsite",
            purpose="close_out",
            monitor=monitor,
            planned_on=visited,
            agenda="Close-out: casebooks, investigational product, investigator site file, archiving.",
        )
        visit = visits.visit_confirm(actor=monitor, visit=visit)
    with demo_clock(afternoon(visited + dt.timedelta(days=2))):
        visit = visits.visit_report_save(
            actor=monitor, visit=visit, visited_on=visited, attendees=site.principal_investigator, summary=SUMMARY
        )
        visit = visits.visit_report_submit(actor=monitor, visit=visit, password=demo_data.DEMO_PASSWORD)
    approved = visited + dt.timedelta(days=5)
    with demo_clock(afternoon(approved)):
        visits.visit_report_approve(actor=pm, visit=visit, password=demo_data.DEMO_PASSWORD)
        site_status_set(actor=pm, site=site, status=SiteStatus.CLOSED, reason="closed out")
    holdback_release(pm, site, approved)


def csr_sign(study: Study, report: DocumentVersion) -> None:
    """The report, with the protocol and the statistical analysis plan as its appendices."""
    titles = ("Clinical study protocol OPC-204", "Statistical analysis plan")
    appendices = list(DocumentVersion.objects.filter(document__study=study, document__title__in=titles))
    sign(study, "csr", document_version=report, appendices=appendices)


def archives_record(study: Study, end_of_trial: dt.date) -> None:
    """Where the TMF and each site's ISF went, and the retention counted from the end of the trial."""
    reg = _user("reg")
    with demo_clock(afternoon(data.SITE_ARCHIVED)):
        for site in Site.objects.filter(study=study).order_by("number"):
            services.closeout_site_archive_record(
                actor=reg,
                site=site,
                location=f"{site.institution}, {site.city}: records office",
                reference=f"ISF-{data.PROTOCOL}-{site.number}",
                archived_on=data.SITE_ARCHIVED,
            )
    with demo_clock(afternoon(data.ARCHIVE["tmf_archived_on"] + dt.timedelta(days=1))):
        services.closeout_archive_record(actor=reg, study=study, retention_basis_on=end_of_trial, **data.ARCHIVE)
