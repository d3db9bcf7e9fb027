"""Security-sweep rows for the start-up part (see tests/security/extensions.py).

The world's sites A1 and B1 have their green light (tests/conftest.py), so the green-light and status rows
reach the service and are refused there (the page re-rendered: 200; the API: 422), order-free. Each document
row that approves or changes a document acts on its own unapproved document per site (`{su_doc_*}` in
`w.edc[site]`); `{startup_country}` is A1's country (US); `{startup_version}` an approved protocol version
(0.9) the training rows name: still valid training once the matrix approves 1.0 (superseded versions count).
Milestone writes are idempotent.
"""

import datetime as dt

from opencro.accounts.permissions import Perm
from opencro.startup import services as startup_services
from opencro.startup.models import EssentialDocument
from opencro.studies import services as studies
from opencro.studies.models import Country, ProtocolVersion, Site
from tests.security.cases import Case
from tests.security.matrix import Access, api, page
from tests.startup.activation import prepare

S, V, E = Access.STUDY, Perm.SITE_VIEW, Perm.SITE_EDIT
PATTERN = "studies/<int:study_id>/startup/"
PAGE = "/studies/{study}/startup/"
SITE_PATTERN = PATTERN + "sites/<int:site_id>/"
SITE_PAGE = PAGE + "sites/{site}/"
API_PATH = "/api/v1/studies/{study_id}/startup"
API_URL = "/api/v1/studies/{study}/startup"
SITE_API = API_PATH + "/sites/{site_id}"
SITE_API_URL = API_URL + "/sites/{site}"
DOCUMENT_ROWS = ("su_doc_page", "su_doc_api", "su_doc_patch")

PAGES: list = [
    page("GET", PATTERN, S, V, url=PAGE),
    page("GET", SITE_PATTERN, S, V, url=SITE_PAGE),
    page(
        "POST",
        PATTERN + "countries/<int:country_id>/milestones/",
        S,
        E,
        url=PAGE + "countries/{startup_country}/milestones/",
        data={"kind": "regulatory_submission", "planned_on": "2025-10-01", "reason": "matrix"},
        ok=302,
    ),
    page(
        "POST",
        SITE_PATTERN + "milestones/",
        S,
        E,
        url=SITE_PAGE + "milestones/",
        data={"kind": "contract_signed", "planned_on": "2025-11-01", "actual_on": "2026-01-01", "reason": "matrix"},
        ok=302,
    ),
    page(
        "POST",
        SITE_PATTERN + "documents/",
        S,
        E,
        url=SITE_PAGE + "documents/",
        data={"kind": "gcp_certificate", "title": "matrix", "received_on": "2026-01-02"},
        ok=302,
    ),
    page(
        "POST",
        SITE_PATTERN + "documents/<int:document_id>/approve/",
        S,
        E,
        url=SITE_PAGE + "documents/{su_doc_page}/approve/",
        data={"approved_on": "2026-01-03"},
        ok=302,
    ),
    page(
        "POST",
        SITE_PATTERN + "training/",
        S,
        E,
        url=SITE_PAGE + "training/",
        data={
            "staff_name": "Matrix Nurse",
            "role": "nurse",
            "trained_on": "2026-01-02",
            "protocol_version": "{startup_version}",
        },
        ok=302,
    ),
    # refused by the service (the site has its green light; an active site is not made active again): 200
    page("POST", SITE_PATTERN + "green-light/", S, E, url=SITE_PAGE + "green-light/", data={"on": "2026-01-01"}),
    page(
        "POST",
        SITE_PATTERN + "status/",
        S,
        E,
        url=SITE_PAGE + "status/",
        data={"status": "active", "reason": "matrix"},
    ),
]

API: list = [
    api("GET", API_PATH, S, V, url=API_URL),
    api("GET", SITE_API, S, V, url=SITE_API_URL),
    api(
        "PUT",
        SITE_API + "/milestones/{kind}",
        S,
        E,
        url=SITE_API_URL + "/milestones/contract_signed",
        data={"planned_on": "2025-11-01", "reason": "matrix"},
    ),
    api(
        "PUT",
        API_PATH + "/countries/{country_id}/milestones/{kind}",
        S,
        E,
        url=API_URL + "/countries/{startup_country}/milestones/regulatory_submission",
        data={"planned_on": "2025-10-01", "reason": "matrix"},
    ),
    api(
        "POST",
        SITE_API + "/documents",
        S,
        E,
        url=SITE_API_URL + "/documents",
        data={"kind": "gcp_certificate", "title": "matrix", "received_on": "2026-01-02"},
        ok=201,
    ),
    api(
        "PATCH",
        SITE_API + "/documents/{document_id}",
        S,
        E,
        url=SITE_API_URL + "/documents/{su_doc_patch}",
        data={"note": "matrix", "reason": "matrix"},
    ),
    api(
        "POST",
        SITE_API + "/documents/{document_id}/approve",
        S,
        E,
        url=SITE_API_URL + "/documents/{su_doc_api}/approve",
        data={"approved_on": "2026-01-03"},
    ),
    api(
        "POST",
        SITE_API + "/training",
        S,
        E,
        url=SITE_API_URL + "/training",
        data={
            "staff_name": "Matrix Nurse",
            "role": "nurse",
            "trained_on": "2026-01-02",
            "protocol_version_id": "{startup_version}",
        },
        ok=201,
    ),
    api("POST", SITE_API + "/green-light", S, E, url=SITE_API_URL + "/green-light", data={"on": "2026-01-01"}, ok=422),
    api(
        "POST",
        SITE_API + "/status",
        S,
        E,
        url=SITE_API_URL + "/status",
        data={"status": "active", "reason": "matrix"},
        ok=422,
    ),
]

MODULES: dict = {"startup": startup_services}
EXEMPT: dict[str, str] = {}
DAY = dt.date(2026, 1, 2)


def _document(w, name: str) -> EssentialDocument:
    return EssentialDocument.objects.get(pk=w.edc["a"][name])


def _version(w) -> ProtocolVersion:
    return ProtocolVersion.objects.get(pk=w.ids["startup_version"])


def _ready_site(w) -> Site:
    """A new site of the study with every approval recorded, as the system: only the green light is missing."""
    site = studies.site_create(
        actor=None,
        study=w.study,
        number="S9",
        institution="Start-up Clinic",
        principal_investigator="Dr S",
        country=Country.objects.get(study=w.study, code="US"),
        time_zone="UTC",
    )
    prepare(site, DAY, version=_version(w))
    return site


CASES: list = [
    Case(
        "startup.site_milestone_set",
        lambda w, u: startup_services.site_milestone_set(
            actor=u, site=Site.objects.get(pk=w.site_a.pk), kind="contract_signed", planned_on=DAY, reason="r"
        ),
        E,
    ),
    Case(
        "startup.country_milestone_set",
        lambda w, u: startup_services.country_milestone_set(
            actor=u,
            country=Country.objects.get(pk=w.ids["startup_country"]),
            kind="regulatory_submission",
            planned_on=DAY,
            reason="r",
        ),
        E,
    ),
    Case(
        "startup.document_record",
        lambda w, u: startup_services.document_record(actor=u, site=w.site_a, kind="gcp_certificate", received_on=DAY),
        E,
    ),
    Case(
        "startup.document_approve",
        lambda w, u: startup_services.document_approve(actor=u, document=_document(w, "su_doc_api"), approved_on=DAY),
        E,
    ),
    Case(
        "startup.document_update",
        lambda w, u: startup_services.document_update(
            actor=u, document=_document(w, "su_doc_patch"), changes={"note": "checked"}, reason="r"
        ),
        E,
    ),
    Case(
        "startup.training_record",
        lambda w, u: startup_services.training_record(
            actor=u,
            site=w.site_a,
            staff_name="Matrix Nurse",
            role="nurse",
            trained_on=DAY,
            protocol_version=_version(w),
        ),
        E,
    ),
    Case(
        "startup.green_light_give",
        lambda w, u: startup_services.green_light_give(actor=u, site=_ready_site(w), on=DAY),
        E,
    ),
    Case(
        "startup.site_status_set",
        lambda w, u: startup_services.site_status_set(
            actor=u, site=Site.objects.get(pk=w.site_a.pk), status="on_hold", reason="r"
        ),
        E,
    ),
]


def world_data(w) -> None:
    """Per site, one unapproved laboratory certification per document row; A1's country; protocol version 0.9."""
    w.ids["startup_country"] = Country.objects.get(study=w.study, code="US").pk
    w.ids["startup_version"] = studies.protocol_item_save(  # approved, in force: staff are trained on it
        actor=None,
        instance=ProtocolVersion(study=w.study, version="0.9", effective_date=dt.date(2025, 12, 1), status="approved"),
    ).pk
    for key, site in (("a", w.site_a), ("b", w.site_b)):
        for name in DOCUMENT_ROWS:
            document = startup_services.document_record(
                actor=None, site=site, kind="lab_certification", title=f"matrix {name}", received_on=DAY
            )
            w.edc[key][name] = document.pk
