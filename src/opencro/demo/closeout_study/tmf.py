"""OPC-204's trial master file, through the document services: the demo's file plan with OPC-301's expectations
(`demo.tmf`), every expected record filed on its day and quality-checked, the protocol approved by the project manager,
the clinical study report approved by the sponsor's oversight lead, and, at reconciliation, the TMF reconciliation
report."""

import datetime as dt
import io
from importlib import resources

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from opencro.accounts.models import User
from opencro.demo import data as demo_data
from opencro.demo.clock import afternoon, demo_clock
from opencro.demo.closeout_study import data
from opencro.demo.tmf import EXPECTATIONS, SITE_FILES, _artifact
from opencro.documents.models import DocumentReview, DocumentVersion
from opencro.documents.services import document_create, qc_record, review_decide, review_request
from opencro.documents.tmf_services import tmf_expectation_set, tmf_expectations_default, tmf_structure_load
from opencro.studies.models import Site, Study

D = dt.date
M5 = "m5-3-5-1-study-reports-of-controlled-clinical-studies-pertinent-to-the-claimed-indication"
PROTOCOL = ("02.01.02", "Clinical study protocol OPC-204", "1.0", D(2024, 10, 28))  # controlled: approved by the PM
# artifact, title, date: the trial's other documents, filed final (their approvals kept outside OpenCRO)
RECORDS = [
    ("02.01.01", "Investigator's brochure OPC-1127, edition 3", D(2024, 9, 30)),
    ("02.02.01", "Participant information and consent form (master)", D(2024, 10, 28)),
    ("01.01.01", "Trial master file plan", D(2024, 11, 4)),
    ("01.01.03", "Risk-based monitoring plan", D(2025, 2, 24)),
    ("10.01.01", "Data management plan", D(2025, 3, 3)),
    ("06.01.01", "Qualified person release of OPC-1127 batch 25A01", D(2025, 3, 10)),
    ("11.01.01", "Statistical analysis plan", D(2025, 8, 15)),
    ("07.01.01", "Development safety update report OPC-1127 (DSUR 2)", D(2025, 8, 29)),
]
# artifact, title, country milestone (the record's date)
COUNTRY_FILES = [
    ("03.01.01", "Regulatory submission", "regulatory_submission"),
    ("03.01.02", "Regulatory authority decision", "regulatory_approval"),
    ("02.02.01", "Consent form (country version)", "central_ethics_approval"),
]
RECONCILIATION = "TMF reconciliation report at close-out"


def _body(title: str, day: dt.date) -> bytes:
    """A one-page PDF standing for the document: the study, the title and the date."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setTitle(title)
    for n, line in enumerate((f"{data.PROTOCOL}: {title}", f"Dated {day.isoformat()}", "Demo document (fictional).")):
        page.drawString(72, 770 - 20 * n, line)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _upload(study: Study, actor: User, number: str, title: str, day: dt.date, **kw) -> DocumentVersion:
    """The document's first version, dated `day`, under artifact `number` (`kw`: how it is filed or controlled)."""
    return document_create(
        actor=actor,
        study=study,
        title=title,
        file_name=f"{title[:40]}.pdf",
        content=_body(title, day),
        document_date=day,
        artifact=_artifact(study, number),
        **kw,
    )


def _filed(study: Study, actor: User, checker: User, number: str, title: str, day: dt.date, **place) -> None:
    """A record filed three days after its date and quality-checked two days later."""
    with demo_clock(afternoon(day + dt.timedelta(days=3))):
        version = _upload(study, actor, number, title, day, requires_approval=False, **place)
    with demo_clock(afternoon(day + dt.timedelta(days=5))):
        qc_record(actor=checker, version=version, passed=True)


def controlled(
    study: Study, author: User, approver: User, number: str, title: str, version: str, days: tuple, section: str = ""
) -> DocumentVersion:
    """A trial document drafted by `author` (the regulatory specialist) on `days[0]`, approved by `approver`
    (e-signed) on `days[1]` and so filed, quality-checked by the project manager two days later."""
    drafted, approved = days
    with demo_clock(afternoon(drafted)):
        draft = _upload(
            study, author, number, title, drafted, version=version, effective_on=drafted, ectd_section=section
        )
        review_request(actor=author, version=draft, reviewers=[approver])
    with demo_clock(afternoon(approved)):
        review = DocumentReview.objects.get(version=draft, reviewer=approver)
        review_decide(actor=approver, review=review, decision="approved", password=demo_data.DEMO_PASSWORD)
    pm = User.objects.get(username="pm")
    with demo_clock(afternoon(approved + dt.timedelta(days=2))):
        return qc_record(actor=pm, version=DocumentVersion.objects.get(pk=draft.pk), passed=True)


def tmf_file(study: Study) -> None:
    """The file plan, its expectations, and every expected record of the trial, its countries and its sites."""
    reg, pm = User.objects.get(username="reg"), User.objects.get(username="pm")
    plan = resources.files("opencro.demo").joinpath("tmf/demo-file-plan.csv").read_bytes()
    with demo_clock(afternoon(D(2024, 11, 4))):
        tmf_structure_load(
            actor=reg, study=study, file_name="demo-file-plan.csv", content=plan, name="OPC-204 file plan", version="1"
        )
        tmf_expectations_default(actor=reg, study=study)
        for number, level, milestone, reason in EXPECTATIONS:
            artifact = _artifact(study, number)
            tmf_expectation_set(
                actor=reg, study=study, artifact=artifact, level=level, milestone=milestone, reason=reason
            )
    number, title, version, day = PROTOCOL
    controlled(study, reg, pm, number, title, version, (day, day + dt.timedelta(days=2)), M5)
    for number, title, day in RECORDS:
        _filed(study, reg, pm, number, title, day)
    for country in study.countries.all():
        for number, title, milestone in COUNTRY_FILES:
            day = data.COUNTRY_HISTORY[country.code][milestone][1]
            _filed(study, reg, pm, number, f"{title}, {country.name}", day, level="country", country=country)
    for site in Site.objects.filter(study=study).select_related("country").order_by("number"):
        _site_files(study, site, reg)


def _site_files(study: Study, site: Site, checker: User) -> None:
    """`demo.tmf.SITE_FILES`, dated from the site's start-up history, filed by its monitor."""
    selected, cda, _ethics, contract, siv, green, _missing, _coordinator = data.SITE_HISTORY[site.number]
    ethics = data.COUNTRY_HISTORY[site.country.code]["central_ethics_approval"][1]
    dates = {"cda": cda, "contract": contract, "siv": siv, "green": green, "ethics": ethics}
    monitor = User.objects.get(username=data.MONITORS[site.number])
    for number, title, when in SITE_FILES:
        day = dates[when] if isinstance(when, str) else selected + dt.timedelta(days=when)
        _filed(study, monitor, checker, number, f"{title}, site {site.number}", day, level="site", site=site)


def csr_approve(study: Study) -> DocumentVersion:
    """The report, drafted by the regulatory specialist and approved by the sponsor's oversight lead."""
    reg, sponsor = User.objects.get(username="reg"), User.objects.get(username="sponsor")
    title, drafted, approved = data.CSR
    return controlled(study, reg, sponsor, "02.03.01", title, "1.0", (drafted, approved), M5)


def reconciliation_report(study: Study) -> None:
    reg, pm = User.objects.get(username="reg"), User.objects.get(username="pm")
    _filed(study, reg, pm, "01.01.01", RECONCILIATION, data.TMF_RECONCILED)
