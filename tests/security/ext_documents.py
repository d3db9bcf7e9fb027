"""Security-sweep rows for documents and the trial master file (see tests/security/extensions.py).

World (`world_data`): the fixture TMF structure of tests/documents/helpers.py with its default expectations; at A1
(`w.edc["a"]`) `{doc_read}` a site-level record (final, filed as 02.01.03, uploaded by the study coordinator, so
that every holder of tmf.qc may check it) and its version `{docv_read}`; at B1 (`w.edc["b"]`) the same names point
at a record of B1 (uploaded by the project manager): only members restricted to A1 are sent B1 variants, and they
get 404. `{tmf_artifact}` (global) is artifact 02.01.03 (site level), `{tmf_plan_b}` artifact 01.01.02. Also a
trial-level draft `doc_draft` and a version in review by the sponsor's oversight `doc_review`, for the service
cases only.

Every write row answers the same whatever the order of the sweeps: forms sent without a file (upload, new version,
structure) or without reviewers, and decisions with no review waiting for the sender, are refused by the form or the
service (pages: 200, re-rendered; API: 422); filing `{doc_read}` under the same artifact, recording a passed QC,
adding default expectations and setting one expectation (with a reason) land every time (302 / 200).

`{doc_*}` placeholders name site objects: matrix.SITE_OBJECTS needs "{doc_" for their B1 variants to be swept.
"""

import datetime as dt

from opencro.accounts.permissions import Perm, RoleCode
from opencro.documents import services as document_services
from opencro.documents import tmf_services
from opencro.documents.models import DocumentReview, DocumentVersion, TmfArtifact
from opencro.studies.models import Study
from tests.conftest import PASSWORD
from tests.documents.helpers import model_csv
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S, VIEW, FILE, APPROVE, QC, EDIT = (
    Access.STUDY,
    Perm.REGULATORY_VIEW,
    Perm.TMF_FILE,
    Perm.DOCUMENT_APPROVE,
    Perm.TMF_QC,
    Perm.REGULATORY_EDIT,
)
PATTERN = "studies/<int:study_id>/documents/"
PAGE = "/studies/{study}/documents/"
ONE_PATTERN = PATTERN + "<int:document_id>/"
ONE_PAGE = PAGE + "{doc_read}/"
VERSION_PATTERN = ONE_PATTERN + "versions/<int:version_id>/"
VERSION_PAGE = ONE_PAGE + "versions/{docv_read}/"
API_PATH = "/api/v1/studies/{study_id}/documents"
API_URL = "/api/v1/studies/{study}/documents"
ONE_API = API_PATH + "/{document_id}"
ONE_URL = API_URL + "/{doc_read}"
VERSION_API = ONE_API + "/versions/{version_id}"
VERSION_URL = ONE_URL + "/versions/{docv_read}"
TMF_API = "/api/v1/studies/{study_id}/tmf"
TMF_URL = "/api/v1/studies/{study}/tmf"
REASON = "Matrix: expected per the TMF plan."
DAY = dt.date(2026, 2, 1)
PDF = b"%PDF-1.4\n% matrix\n%%EOF\n"

PAGES: list = [
    page("GET", PATTERN, S, VIEW, url=PAGE),
    page("GET", PATTERN + "new/", S, FILE, url=PAGE + "new/"),
    page("POST", PATTERN + "new/", S, FILE, url=PAGE + "new/", data={"title": "Matrix", "level": "site"}),
    page("GET", PATTERN + "tmf/", S, VIEW, url=PAGE + "tmf/"),
    page("GET", PATTERN + "tmf/structure/", S, VIEW, url=PAGE + "tmf/structure/"),
    page("POST", PATTERN + "tmf/structure/", S, EDIT, url=PAGE + "tmf/structure/", data={"name": "Matrix"}),
    page(
        "POST", PATTERN + "tmf/expectations/default/", S, EDIT, url=PAGE + "tmf/expectations/default/", data={}, ok=302
    ),
    page(
        "POST",
        PATTERN + "tmf/expectations/",
        S,
        EDIT,
        url=PAGE + "tmf/expectations/",
        data={"artifact": "{tmf_plan_b}", "level": "trial", "milestone": "conduct", "reason": REASON},
        ok=302,
    ),
    page("GET", PATTERN + "tmf/export/", S, VIEW, url=PAGE + "tmf/export/"),
    page("GET", PATTERN + "tmf/export/", S, VIEW, url=PAGE + "tmf/export/?site={site}"),
    page("GET", PATTERN + "sites/<int:site_id>/", S, VIEW, url=PAGE + "sites/{site}/"),
    page("GET", ONE_PATTERN, S, VIEW, url=ONE_PAGE),
    page("POST", ONE_PATTERN + "versions/", S, FILE, url=ONE_PAGE + "versions/", data={"version": "9"}),
    page(
        "POST",
        ONE_PATTERN + "file/",
        S,
        FILE,
        url=ONE_PAGE + "file/",
        data={"artifact": "{tmf_artifact}", "level": "site", "site": "{site}", "reason": ""},
        ok=302,
    ),
    page("GET", VERSION_PATTERN + "download/", S, VIEW, url=VERSION_PAGE + "download/"),
    page("POST", VERSION_PATTERN + "review/", S, FILE, url=VERSION_PAGE + "review/", data={"due_on": ""}),
    page(
        "POST",
        VERSION_PATTERN + "decide/",
        S,
        APPROVE,
        url=VERSION_PAGE + "decide/",
        data={"decision": "approved", "password": PASSWORD},
    ),
    page("POST", VERSION_PATTERN + "qc/", S, QC, url=VERSION_PAGE + "qc/", data={"outcome": "passed"}, ok=302),
]

API: list = [
    api("GET", API_PATH, S, VIEW, url=API_URL),
    api("POST", API_PATH, S, FILE, url=API_URL, data={}, ok=422),
    api("GET", ONE_API, S, VIEW, url=ONE_URL),
    api("POST", ONE_API + "/versions", S, FILE, url=ONE_URL + "/versions", data={}, ok=422),
    api(
        "POST",
        ONE_API + "/file",
        S,
        FILE,
        url=ONE_URL + "/file",
        data={"artifact_id": "{tmf_artifact}", "level": "site", "site_id": "{site}"},
    ),
    api("GET", VERSION_API + "/content", S, VIEW, url=VERSION_URL + "/content"),
    api("POST", VERSION_API + "/review", S, FILE, url=VERSION_URL + "/review", data={"reviewer_ids": []}, ok=422),
    api(
        "POST",
        VERSION_API + "/decide",
        S,
        APPROVE,
        url=VERSION_URL + "/decide",
        data={"decision": "approved", "password": PASSWORD},
        ok=422,
    ),
    api("POST", VERSION_API + "/qc", S, QC, url=VERSION_URL + "/qc", data={"outcome": "passed"}),
    api("GET", TMF_API + "/completeness", S, VIEW, url=TMF_URL + "/completeness"),
    api("GET", TMF_API + "/structure", S, VIEW, url=TMF_URL + "/structure"),
    api("POST", TMF_API + "/structure", S, EDIT, url=TMF_URL + "/structure", data={}, ok=422),
    api("POST", TMF_API + "/expectations/default", S, EDIT, url=TMF_URL + "/expectations/default"),
    api(
        "POST",
        TMF_API + "/expectations",
        S,
        EDIT,
        url=TMF_URL + "/expectations",
        data={"artifact_id": "{tmf_plan_b}", "level": "trial", "milestone": "conduct", "reason": REASON},
    ),
    api("GET", TMF_API + "/export", S, VIEW, url=TMF_URL + "/export"),
    api("GET", TMF_API + "/export", S, VIEW, url=TMF_URL + "/export?site_id={site}"),
]

MODULES: dict = {"documents": document_services, "tmf": tmf_services}
EXEMPT: dict[str, str] = {}


def _version(w, name: str) -> DocumentVersion:
    return DocumentVersion.objects.select_related("document").get(pk=w.edc["a"][name])


def _artifact(w, number: str) -> TmfArtifact:
    return TmfArtifact.objects.get(pk=w.ids["tmf_artifact" if number == "02.01.03" else "tmf_plan_b"])


CASES: list = [
    Case(
        "documents.document_create",
        lambda w, u: document_services.document_create(
            actor=u,
            study=Study.objects.get(pk=w.study.pk),
            title="Matrix plan",
            file_name="plan.pdf",
            content=PDF,
            document_date=DAY,
        ),
        FILE,
    ),
    Case(
        "documents.version_upload",
        lambda w, u: document_services.version_upload(
            actor=u,
            document=_version(w, "docv_read").document,
            version="M-2",
            file_name="cv.pdf",
            content=PDF,
            document_date=DAY,
        ),
        FILE,
    ),
    Case(
        "documents.review_request",
        lambda w, u: document_services.review_request(
            actor=u, version=_version(w, "docv_draft"), reviewers=[w.user(RoleCode.SPONSOR_OVERSIGHT)]
        ),
        FILE,
    ),
    Case(
        "documents.review_decide",
        lambda w, u: document_services.review_decide(
            actor=u,
            review=DocumentReview.objects.select_related("version__document").get(pk=w.edc["a"]["docr_review"]),
            decision="changes",
            comment="Matrix: section 2 is out of date.",
        ),
        APPROVE,
        RoleCode.SPONSOR_OVERSIGHT,
    ),
    Case(
        "documents.document_file",
        lambda w, u: document_services.document_file(
            actor=u, document=_version(w, "docv_read").document, artifact=_artifact(w, "02.01.03")
        ),
        FILE,
    ),
    Case(
        "documents.qc_record",
        lambda w, u: document_services.qc_record(actor=u, version=_version(w, "docv_read"), passed=True),
        QC,
    ),
    Case(
        "tmf.tmf_structure_load",
        lambda w, u: tmf_services.tmf_structure_load(
            actor=u, study=Study.objects.get(pk=w.study.pk), file_name="matrix.csv", content=model_csv()
        ),
        EDIT,
    ),
    Case(
        "tmf.tmf_expectations_default",
        lambda w, u: tmf_services.tmf_expectations_default(actor=u, study=Study.objects.get(pk=w.study.pk)),
        EDIT,
    ),
    Case(
        "tmf.tmf_expectation_set",
        lambda w, u: tmf_services.tmf_expectation_set(
            actor=u,
            study=Study.objects.get(pk=w.study.pk),
            artifact=_artifact(w, "01.01.02"),
            level="trial",
            milestone="conduct",
            reason=REASON,
        ),
        EDIT,
    ),
]


def world_data(w) -> None:
    """The TMF structure and expectations; `{doc_read}`/`{docv_read}` at A1 and B1; a draft and a version in
    review (A1 names only) for the service cases."""
    regulatory = w.user(RoleCode.REGULATORY_SPECIALIST)
    structure = tmf_services.tmf_structure_load(
        actor=regulatory, study=w.study, file_name="TMF RM v3.3.1.csv", content=model_csv()
    )
    tmf_services.tmf_expectations_default(actor=regulatory, study=w.study)
    form_d = TmfArtifact.objects.get(structure=structure, number="02.01.03")
    w.ids["tmf_artifact"] = form_d.pk
    w.ids["tmf_plan_b"] = TmfArtifact.objects.get(structure=structure, number="01.01.02").pk
    for site, uploader in (("a", RoleCode.STUDY_COORDINATOR), ("b", RoleCode.PROJECT_MANAGER)):
        version = document_services.document_create(
            actor=w.user(uploader),
            study=w.study,
            title=f"Matrix CV {site}",
            file_name="cv.pdf",
            content=PDF + site.encode(),
            document_date=DAY,
            level="site",
            site=w.site_a if site == "a" else w.site_b,
            artifact=form_d,
            requires_approval=False,
        )
        w.edc[site]["doc_read"], w.edc[site]["docv_read"] = version.document_id, version.pk
    draft = document_services.document_create(
        actor=regulatory, study=w.study, title="Matrix plan", file_name="plan.pdf", content=PDF, document_date=DAY
    )
    w.edc["a"]["docv_draft"] = draft.pk
    in_review = document_services.document_create(
        actor=regulatory, study=w.study, title="Matrix manual", file_name="m.pdf", content=PDF, document_date=DAY
    )
    (review,) = document_services.review_request(
        actor=regulatory, version=in_review, reviewers=[w.user(RoleCode.SPONSOR_OVERSIGHT)]
    )
    w.edc["a"]["docr_review"] = review.pk
