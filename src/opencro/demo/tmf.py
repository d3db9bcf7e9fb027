"""OPC-301's trial master file: the demo's file plan loaded as the TMF structure, its core artifacts expected, and
the study's documents filed on the days they came in, through the document services.

Trial documents (plans, protocol versions, the investigator's brochure, the consent form) are controlled: uploaded by
the regulatory specialist, approved by the project manager with an e-signature. Country records (authority and
ethics submissions and decisions) are linked to the submissions in the tracker. Each active site's start-up records
are filed by its monitor and quality-checked by the regulatory specialist. Gaps are left where a real TMF has them:
the statistical analysis plan is not final, Japan, India and Brazil have no country consent form on file, site 102
misses its initiation visit report, 501 its laboratory certification, and 201's investigator statement failed QC.
"""

import datetime as dt
import io
from importlib import resources

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from opencro.accounts.models import User
from opencro.demo import data
from opencro.demo.clock import afternoon, demo_clock
from opencro.demo.startup import COUNTRY_HISTORY, SITE_HISTORY
from opencro.documents.models import DocumentReview, DocumentVersion, TmfArtifact
from opencro.documents.services import document_create, qc_record, review_decide, review_request
from opencro.documents.tmf_services import tmf_expectation_set, tmf_expectations_default, tmf_structure_load
from opencro.regulatory.models import Submission
from opencro.regulatory.services.submissions import submission_documents_set
from opencro.startup.models import MilestoneKind
from opencro.studies.models import Site, Study

D = dt.date
M5 = "m5-3-5-1-study-reports-of-controlled-clinical-studies-pertinent-to-the-claimed-indication"
# artifact, title, version, date, eCTD section (controlled trial documents, approved by the project manager)
TRIAL = [
    ("01.01.01", "Trial master file plan", "1.0", D(2025, 8, 20), ""),
    ("01.01.03", "Risk-based monitoring plan", "1.0", D(2025, 12, 1), ""),
    ("02.01.01", "Investigator's brochure OPC-1127, edition 4", "4.0", D(2025, 7, 15), ""),
    ("02.01.02", "Clinical study protocol OPC-301", "1.0", D(2025, 11, 3), M5),
    ("02.02.01", "Participant information and consent form (master)", "1.0", D(2025, 11, 3), ""),
    ("10.01.01", "Data management plan", "1.0", D(2026, 3, 2), ""),
]
PROTOCOL_AMENDMENT = ("2.0", D(2026, 4, 20), "Amendment 1: Week 12 window, NT-proBNP threshold, India and Brazil.")
RECORDS = [("06.01.01", "Qualified person release of OPC-1127 batch 25A01", D(2026, 4, 20))]
COUNTRY_CONSENT = ("US", "DE", "ES")  # Japan, India and Brazil: not on file yet
# site-level artifacts filed for each active site, days after the site's selection (or its green light: "green")
SITE_FILES = [
    ("05.01.01", "Confidentiality agreement", "cda"),
    ("05.02.01", "Principal investigator CV", 20),
    ("05.02.02", "Financial disclosure", 45),
    ("05.02.03", "Investigator statement (Form FDA 1572 or equivalent)", 45),
    ("05.02.04", "Clinical trial agreement", "contract"),
    ("05.02.05", "Site initiation visit report", "siv"),
    ("08.01.01", "Laboratory certification", 60),
    ("08.01.02", "Laboratory normal ranges", 60),
    ("06.01.02", "Shipment of initial IP supply", "green"),
    ("02.02.01", "Site consent form (local version)", 90),
    ("04.01.02", "Ethics approval (site copy)", "ethics"),
]
# the plan's defaults changed: (artifact, level, due by ("" = not expected), why)
EXPECTATIONS = [
    ("02.03.01", "trial", "close_out", "the study report comes at the end"),
    ("07.01.01", "trial", "conduct", "the first DSUR falls due during the trial"),
    ("04.01.01", "site", "", "submissions to the central committees are filed at country level"),
    ("04.01.01", "country", "", "each site files its committee's approval; local committees have no country file"),
    ("04.01.02", "country", "", "each site files its committee's approval; local committees have no country file"),
    ("05.03.01", "site", "", "monitoring visit reports are filed from the monitoring visits"),
]
MISSING = {("102", "05.02.05"), ("501", "08.01.01")}
REJECTED = {("201", "05.02.03"): "The signature page is missing; re-file the signed statement."}
MONITOR = {"US": "cra.us", "DE": "cra", "ES": "cra"}
LATE_DAYS = {("202", "05.02.01"): 75}  # filed long after it was signed


def load_tmf(study: Study) -> None:
    """Load the file plan and file the study's documents, each on its own day."""
    reg, pm = User.objects.get(username="reg"), User.objects.get(username="pm")
    plan = resources.files("opencro.demo").joinpath("tmf/demo-file-plan.csv").read_bytes()
    with demo_clock(afternoon(D(2025, 8, 1))):
        tmf_structure_load(
            actor=reg,
            study=study,
            file_name="demo-file-plan.csv",
            content=plan,
            name="OPC-301 file plan (demo)",
            version="demo",
        )
        tmf_expectations_default(actor=reg, study=study)
        for number, level, milestone, reason in EXPECTATIONS:
            tmf_expectation_set(
                actor=reg,
                study=study,
                artifact=_artifact(study, number),
                level=level,
                milestone=milestone,
                reason=reason,
            )
    protocol = None
    for number, title, version, day, section in TRIAL:
        filed = _controlled(study, reg, pm, number, title, version, day, section)
        protocol = filed if number == "02.01.02" else protocol
    _amendment(protocol, reg, pm)
    for number, title, day in RECORDS:
        _record(study, reg, number, title, day, level="trial")
    _country_files(study, reg)
    for version in DocumentVersion.objects.filter(document__study=study, filed_at__isnull=False, qc_status="pending"):
        with demo_clock(version.filed_at + dt.timedelta(days=3)):
            qc_record(actor=pm, version=version, passed=True)  # the project manager checks what Rita filed
    _site_files(study, reg)


def _artifact(study: Study, number: str) -> TmfArtifact:
    return TmfArtifact.objects.filter(structure__study=study, number=number).order_by("-structure__loaded_at").first()


def _pdf(title: str, day: dt.date, note: str = "") -> bytes:
    """A one-page PDF standing for the document (the demo has no real documents)."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setTitle(title)
    page.drawString(72, 770, f"{data.PROTOCOL}: {title}")
    page.drawString(72, 750, f"Dated {day.isoformat()}")
    if note:
        page.drawString(72, 730, note[:90])
    page.drawString(72, 700, "Demo document (fictional study).")
    page.showPage()
    page.save()
    return buffer.getvalue()


def _controlled(study, reg, pm, number, title, version, day, section) -> DocumentVersion:
    with demo_clock(afternoon(day)):
        draft = document_create(
            actor=reg,
            study=study,
            title=title,
            file_name=f"{title[:40]}.pdf",
            content=_pdf(title, day),
            document_date=day,
            artifact=_artifact(study, number),
            version=version,
            effective_on=day,
            ectd_section=section,
        )
        review_request(actor=reg, version=draft, reviewers=[pm])
    with demo_clock(afternoon(day + dt.timedelta(days=2))):
        review = DocumentReview.objects.get(version=draft, reviewer=pm)
        review_decide(actor=pm, review=review, decision="approved", password=data.DEMO_PASSWORD)
    return DocumentVersion.objects.get(pk=draft.pk)


def _amendment(protocol: DocumentVersion, reg: User, pm: User) -> None:
    from opencro.documents.services import version_upload

    version, day, summary = PROTOCOL_AMENDMENT
    with demo_clock(afternoon(day)):
        draft = version_upload(
            actor=reg,
            document=protocol.document,
            version=version,
            file_name="Clinical study protocol v2.pdf",
            content=_pdf(protocol.document.title, day, summary),
            document_date=day,
            change_summary=summary,
            effective_on=day,
        )
        review_request(actor=reg, version=draft, reviewers=[pm])
    with demo_clock(afternoon(day + dt.timedelta(days=1))):
        review_decide(
            actor=pm,
            review=DocumentReview.objects.get(version=draft, reviewer=pm),
            decision="approved",
            password=data.DEMO_PASSWORD,
        )


def _record(study, actor, number, title, day, *, level, country=None, site=None, filed=None) -> DocumentVersion:
    with demo_clock(afternoon(filed or day)):
        return document_create(
            actor=actor,
            study=study,
            title=title,
            file_name=f"{title[:40]}.pdf",
            content=_pdf(title, day),
            document_date=day,
            level=level,
            country=country,
            site=site,
            artifact=_artifact(study, number),
            requires_approval=False,
        )


def _country_files(study: Study, reg: User) -> None:
    """Each initial submission and decision, filed at the country the day after, linked to its submission."""
    initial = Submission.objects.filter(study=study, application_type__category="initial") | Submission.objects.filter(
        study=study, ethics_kind="initial", committee__scope="central"
    )
    for submission in initial.select_related("country", "committee").order_by("number"):
        ethics = submission.committee_id is not None
        sent, decided = ("04.01.01", "04.01.02") if ethics else ("03.01.01", "03.01.02")
        files = [
            _record(
                study,
                reg,
                sent,
                f"{submission.title}: submission",
                submission.submitted_on,
                level="country",
                country=submission.country,
                filed=submission.submitted_on + dt.timedelta(days=1),
            ),
        ]
        if submission.decided_on:
            files.append(
                _record(
                    study,
                    reg,
                    decided,
                    f"{submission.title}: decision",
                    submission.decided_on,
                    level="country",
                    country=submission.country,
                    filed=submission.decided_on + dt.timedelta(days=2),
                )
            )
        with demo_clock(afternoon(files[-1].document_date + dt.timedelta(days=2))):
            submission_documents_set(actor=reg, submission=submission, versions=files, reason="filed in the TMF")
    for code in COUNTRY_CONSENT:
        country = study.countries.get(code=code)
        _record(
            study,
            reg,
            "02.02.01",
            f"Consent form, {country.name}",
            D(2025, 12, 1),
            level="country",
            country=country,
            filed=D(2025, 12, 4),
        )


def _site_files(study: Study, reg: User) -> None:
    for site in Site.objects.filter(study=study, activated_on__isnull=False).select_related("country"):
        selected, cda, _ethics, contract, siv, green, _missing, _coordinator = SITE_HISTORY[site.number]
        filer = User.objects.get(username=MONITOR.get(site.country.code, "reg"))
        central = COUNTRY_HISTORY.get(site.country.code, {}).get(MilestoneKind.CENTRAL_ETHICS_APPROVAL)
        ethics = _ethics or (central[1] if central else green)
        dates = {"cda": cda, "contract": contract, "siv": siv, "green": green, "ethics": ethics}
        for number, title, when in SITE_FILES:
            if (site.number, number) in MISSING:
                continue
            day = dates[when] if isinstance(when, str) else selected + dt.timedelta(days=when)
            filed = day + dt.timedelta(days=LATE_DAYS.get((site.number, number), 3))
            version = _record(
                study, filer, number, f"{title}, site {site.number}", day, level="site", site=site, filed=filed
            )
            checker = reg if filer != reg else User.objects.get(username="pm")
            with demo_clock(afternoon(filed + dt.timedelta(days=2))):
                finding = REJECTED.get((site.number, number), "")
                qc_record(actor=checker, version=version, passed=not finding, finding=finding)
