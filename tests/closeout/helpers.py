"""A study brought through its close-out step by step, through the services of each part of OpenCRO.

T-001 of the shared world (sites A1 and B1, one randomised participant each) with the annotated eCRF build of the
analysis tests. Each helper makes one step's gate hold, the way the people who own it would: the participants finish
(screening pages entered and reviewed, dispositions recorded, the study moved to follow-up), the database is locked
from a clear checklist, an unblinded package is built on the lock, the report is approved after it, each site has its
close-out visit approved and is closed, the TMF is complete (the fixture Reference Model of tests/documents, with
artifact 01.01.02 "Plan B" expected at close-out) and every filed document passed QC, the archives are recorded.
"""

import datetime as dt

from opencro.accounts import services as accounts
from opencro.accounts.permissions import RoleCode
from opencro.analysis.services import package_build, package_start
from opencro.closeout import services
from opencro.documents import services as documents
from opencro.documents import tmf_services
from opencro.documents.models import DocumentLevel
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.edc.services.locks import study_lock
from opencro.edc.services.review import form_review
from opencro.edc.services.signoff import casebook_signoff
from opencro.followup.services import disposition_record
from opencro.monitoring.models import VisitPurpose
from opencro.startup.services import site_status_set
from opencro.studies import services as studies
from opencro.studies.models import Country, SiteStatus, StudyStatus
from opencro.subjects.models import Subject
from tests.conftest import PASSWORD, make_user
from tests.documents.helpers import approved, artifact, draft, pdf, structure
from tests.monitoring.visits.helpers import approved as visit_approved
from tests.monitoring.visits.helpers import planned

PM, DM, STAT, SPONSOR, REG = (
    RoleCode.PROJECT_MANAGER,
    RoleCode.DATA_MANAGER,
    RoleCode.UNBLINDED_STATISTICIAN,
    RoleCode.SPONSOR_OVERSIGHT,
    RoleCode.REGULATORY_SPECIALIST,
)
VISIT_DAY = dt.date(2026, 3, 2)
LAST_DAY = dt.date(2026, 6, 30)
DM_VALUES = {"IT.BRTHDAT": "1960-05-01", "IT.SEX": "F", "IT.PREG": "0"}
VS_VALUES = {"IT.WEIGHT": "70"}
ARCHIVED = dt.date(2026, 10, 1)


def start(w, **kw):
    return services.closeout_start(actor=w.user(PM), study=w.study, **kw)


def sign(w, step: str, role: str, **kw):
    return services.closeout_step_sign(actor=w.user(role), study=w.study, step=step, password=PASSWORD, **kw)


def enter_forms(w) -> None:
    """Both participants' screening pages, complete, dated and reviewed by data management."""
    for subject in (w.subject_a, w.subject_b):
        for form_oid, values in (("F.DM", DM_VALUES), ("F.VS", VS_VALUES)):
            form = form_save(
                actor=None,
                subject=subject,
                event_oid="SE.SCR",
                form_oid=form_oid,
                entries=[ItemEntry(oid, v) for oid, v in values.items()],
                visit_date=VISIT_DAY,
                today=dt.date(2026, 6, 1),
            ).form
            form_review(actor=w.user(DM), form=form)


def to_follow_up(w) -> None:
    """The study moved on to follow-up (enrolment over), by the project manager."""
    study = w.study
    while study.status != StudyStatus.FOLLOW_UP:
        study = studies.study_status_advance(actor=w.user(PM), study=study, reason="enrolment over")
    w.study.status = study.status


def participants_finished(w) -> None:
    """Every participant's part ended (completed), their pages entered; the study in follow-up."""
    enter_forms(w)
    for subject in (w.subject_a, w.subject_b):
        disposition_record(
            actor=None,
            subject=Subject.objects.get(pk=subject.pk),
            outcome="completed",
            disposition_on=LAST_DAY,
        )
    to_follow_up(w)


def database_locked(w):
    """Both casebooks signed by their investigators; the database locked by the data manager."""
    investigator_b = make_user("investigator-b")
    accounts.membership_grant(
        actor=w.admin, user=investigator_b, study=w.study, role_code=RoleCode.INVESTIGATOR, sites=[w.site_b]
    )
    casebook_signoff(actor=w.user(RoleCode.INVESTIGATOR), subject=w.subject_a, password=PASSWORD)
    casebook_signoff(actor=investigator_b, subject=w.subject_b, password=PASSWORD)
    return study_lock(actor=w.user(DM), study=w.study, reason="database lock", password=PASSWORD)


def package_built(w, *, blinded: bool = False):
    statistician = w.user(STAT)
    package = package_start(actor=statistician, study=w.study, blinded=blinded)
    return package_build(actor=statistician, package=package)


def csr_approved(w, title: str = "Clinical study report"):
    """The report, drafted by the regulatory specialist and approved by the sponsor's oversight."""
    return approved(w, draft(w, title=title, file_name="csr.pdf", tag=title, ectd_section="m5-3-5-1"))


def appendix(w, title: str = "Protocol v1.0"):
    """A trial-level record (final and filed at upload): an appendix of the report."""
    return documents.document_create(
        actor=w.user(REG),
        study=w.study,
        title=title,
        file_name="appendix.pdf",
        content=pdf(title),
        document_date=dt.date(2026, 2, 1),
        requires_approval=False,
    )


def sites_closed(w) -> None:
    """Each site's close-out visit done, its report approved; the site closed by the project manager."""
    for site in (w.site_a, w.site_b):
        visit_approved(w, planned(w, site=site, purpose=VisitPurpose.CLOSE_OUT))
        site_status_set(actor=w.user(PM), site=site, status=SiteStatus.CLOSED, reason="closed out")


def filed(w, number: str, level: str, *, country=None, site=None):
    """A record of artifact `number` at `level`, filed by the regulatory specialist, QC passed by the manager."""
    version = documents.document_create(
        actor=w.user(REG),
        study=w.study,
        title=f"{number} {level} {site or country or ''}",
        file_name="record.pdf",
        content=pdf(f"{number} {level} {site} {country}"),
        document_date=dt.date(2026, 2, 1),
        level=level,
        country=country,
        site=site,
        artifact=artifact(w, number),
        requires_approval=False,
    )
    return documents.qc_record(actor=w.user(PM), version=version, passed=True)


def tmf_structured(w) -> None:
    """The fixture structure, its core artifacts expected, and Plan B expected at the trial level at close-out."""
    structure(w)
    tmf_services.tmf_expectations_default(actor=w.user(REG), study=w.study)
    tmf_services.tmf_expectation_set(
        actor=w.user(REG), study=w.study, artifact=artifact(w, "01.01.02"), level="trial", milestone="close_out"
    )


def tmf_complete(w, *, close_out_artifact: bool = True) -> None:
    """Every expected slot filed and QC passed (Plan B at close-out only if `close_out_artifact`)."""
    filed(w, "01.01.01", DocumentLevel.TRIAL)
    if close_out_artifact:
        filed(w, "01.01.02", DocumentLevel.TRIAL)
    for country in Country.objects.filter(study=w.study, sites__isnull=False).distinct():
        filed(w, "01.02.01", DocumentLevel.COUNTRY, country=country)
    for site in (w.site_a, w.site_b):
        filed(w, "01.02.01", DocumentLevel.SITE, site=site)
        filed(w, "02.01.03", DocumentLevel.SITE, site=site)


def archives_recorded(w, **kw) -> None:
    values = {
        "tmf_location": "Iron Mountain, Basel, vault 4",
        "tmf_reference": "IM-2026-0042",
        "tmf_archived_on": ARCHIVED,
        "retention_rule": "eu_ctr_art58",
        "retention_basis_on": LAST_DAY,
        **kw,
    }
    services.closeout_archive_record(actor=w.user(REG), study=w.study, **values)
    for site in (w.site_a, w.site_b):
        services.closeout_site_archive_record(
            actor=w.user(REG), site=site, location=f"{site.institution} records office", archived_on=ARCHIVED
        )


def through_csr(w):
    """Steps 1 to 5 signed; returns the package and the report."""
    participants_finished(w)
    sign(w, "lplv", PM)
    database_locked(w)
    sign(w, "database_lock", DM)
    sign(w, "unblinding", STAT)
    package = package_built(w)
    sign(w, "analysis_package", STAT, package=package)
    csr = csr_approved(w)
    sign(w, "csr", SPONSOR, document_version=csr)
    return package, csr


def all_but_approval(w) -> None:
    """Every step signed but the sponsor's approval."""
    through_csr(w)
    sites_closed(w)
    sign(w, "site_closeout", SPONSOR)
    sign(w, "final_payments", SPONSOR)
    tmf_structured(w)
    tmf_complete(w)
    sign(w, "tmf_reconciliation", PM)
    archives_recorded(w)
    sign(w, "archiving", REG)
