"""Documents and a TMF structure for the document tests, made through the services.

The structure is the made-up fixture sheet of tests/formats/tmf/helpers.py (version 3 column layout): artifacts
01.01.01 "Plan A" (trial, core), 01.01.02 "Plan B" (trial and country, recommended), 01.02.01 "Log C" (country and
site, core) and 02.01.03 "Form D" (site, core).
"""

import csv
import datetime as dt
import io

from opencro.accounts.permissions import RoleCode
from opencro.documents import services, tmf_services
from opencro.documents.models import DocumentVersion, TmfArtifact
from tests.conftest import PASSWORD
from tests.formats.tmf.helpers import v3_rows

PM, REG, SPONSOR, MONITOR, CRC, PI, AUDITOR, DM = (
    RoleCode.PROJECT_MANAGER,
    RoleCode.REGULATORY_SPECIALIST,
    RoleCode.SPONSOR_OVERSIGHT,
    RoleCode.MONITOR,
    RoleCode.STUDY_COORDINATOR,
    RoleCode.INVESTIGATOR,
    RoleCode.AUDITOR,
    RoleCode.DATA_MANAGER,
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF2 = b"%PDF-1.4\n% version 2\n%%EOF\n"
DAY = dt.date(2026, 2, 1)


def pdf(tag: str = "") -> bytes:
    return PDF + tag.encode()


def model_csv(rows: list[list[str]] | None = None) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(v3_rows(rows))
    return buffer.getvalue().encode("utf-8-sig")


def structure(w, actor=None):
    return tmf_services.tmf_structure_load(
        actor=actor or w.user(REG), study=w.study, file_name="TMF RM v3.3.1.csv", content=model_csv()
    )


def artifact(w, number: str) -> TmfArtifact:
    return TmfArtifact.objects.filter(structure__study=w.study, number=number).order_by("-structure__loaded_at").first()


def draft(w, *, actor=None, title="Protocol", level="trial", site=None, country=None, art=None, tag="", **kw):
    """A controlled document's first version (a draft), uploaded by the regulatory specialist by default."""
    return services.document_create(
        actor=actor or w.user(REG),
        study=w.study,
        title=title,
        file_name=kw.pop("file_name", "protocol.pdf"),
        content=pdf(tag or title),
        document_date=kw.pop("document_date", DAY),
        level=level,
        site=site,
        country=country,
        artifact=art,
        **kw,
    )


def record(w, *, actor=None, title="CV Dr A", site=None, art=None, tag="", **kw) -> DocumentVersion:
    """A site-level record (final and filed at upload), by the study coordinator at A1 by default."""
    return services.document_create(
        actor=actor or w.user(CRC),
        study=w.study,
        title=title,
        file_name=kw.pop("file_name", "cv.pdf"),
        content=pdf(tag or title),
        document_date=kw.pop("document_date", DAY),
        level=kw.pop("level", "site"),
        site=site or w.site_a,
        artifact=art,
        requires_approval=False,
        **kw,
    )


def approved(w, version: DocumentVersion | None = None, *, reviewers=None) -> DocumentVersion:
    """A draft sent to the sponsor's oversight (default) and approved by every reviewer with their signature."""
    version = version or draft(w)
    people = reviewers or [w.user(SPONSOR)]
    reviews = services.review_request(actor=version.uploaded_by, version=version, reviewers=people)
    for review in reviews:
        services.review_decide(actor=review.reviewer, review=review, decision="approved", password=PASSWORD)
    return DocumentVersion.objects.select_related("document").get(pk=version.pk)
