"""Security-sweep rows for registry disclosure: the registry page of a study (current export, JSON download,
recording as registered, the registration details form) and its API (see tests/security/extensions.py).

World (`world_data`): one ClinicalTrials.gov record of the study kept as registered by the system (`{rd_record}`),
so the changes, the records and the record rows read a real one. Recording succeeds every time a sweep sends it
(the ClinicalTrials.gov export can always be made; the date, `{rd_day}`, is two days ago: past at every site), and
every test runs in its own rolled-back savepoint. The rows name no site object: the record is the study's, and a
site-restricted reader's view holds only their sites' locations, so no B1 variant is swept and the isolation sweep
checks that A1's readers see no trace of B1 in the export, the changes or the record. Recording and the
registration details need `regulatory.edit` on every site, which no site-restricted default role holds. The
details are sent with a reason, so a save lands whether or not an earlier one in the same test made them.
"""

import datetime as dt

from django.utils import timezone

from opencro.accounts.permissions import Perm
from opencro.regulatory.registry import services as registry_services
from opencro.studies.models import Study
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S, VIEW, EDIT = Access.STUDY, Perm.REGULATORY_VIEW, Perm.REGULATORY_EDIT
PATTERN = "studies/<int:study_id>/registry/"
PAGE = "/studies/{study}/registry/"
ONE_PATTERN = PATTERN + "<str:registry>/"
API_PATH = "/api/v1/studies/{study_id}/registry/{registry}"
API_URL = "/api/v1/studies/{study}/registry/ctgov"
RECORD_FORM = {"registered_on": "{rd_day}", "identifier": "NCT01234567"}
DETAILS_API = "/api/v1/studies/{study_id}/registry/details"
DETAILS_URL = "/api/v1/studies/{study}/registry/details"
DETAILS_FORM = {"sex": "ALL", "primary_purpose": "TREATMENT", "reason": "matrix"}

PAGES: list = [
    page("GET", PATTERN, S, VIEW, url=PAGE, ok=302),
    page("GET", ONE_PATTERN, S, VIEW, url=PAGE + "ctgov/"),
    page("GET", ONE_PATTERN + "export.json", S, VIEW, url=PAGE + "ctgov/export.json"),
    page("POST", ONE_PATTERN + "record/", S, EDIT, url=PAGE + "ctgov/record/", data=RECORD_FORM, ok=302),
    page("POST", ONE_PATTERN + "details/", S, EDIT, url=PAGE + "ctgov/details/", data=DETAILS_FORM, ok=302),
]

API: list = [
    api("GET", API_PATH, S, VIEW, url=API_URL),
    api("GET", API_PATH + "/export", S, VIEW, url=API_URL + "/export"),
    api("GET", API_PATH + "/changes", S, VIEW, url=API_URL + "/changes"),
    api("GET", API_PATH + "/records", S, VIEW, url=API_URL + "/records"),
    api("POST", API_PATH + "/records", S, EDIT, url=API_URL + "/records", data=RECORD_FORM, ok=201),
    api("GET", API_PATH + "/records/{record_id}", S, VIEW, url=API_URL + "/records/{rd_record}"),
    api("GET", DETAILS_API, S, VIEW, url=DETAILS_URL),
    api("PUT", DETAILS_API, S, EDIT, url=DETAILS_URL, data=DETAILS_FORM),
    api("PATCH", DETAILS_API, S, EDIT, url=DETAILS_URL, data={"sex": "FEMALE", "reason": "matrix"}),
]

MODULES: dict = {"registry": registry_services}
EXEMPT: dict[str, str] = {}


def _day() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=2)


CASES: list = [
    Case(
        "registry.registry_record_create",
        lambda w, u: registry_services.registry_record_create(
            actor=u, study=Study.objects.get(pk=w.study.pk), registry="ctgov", registered_on=_day()
        ),
        EDIT,
    ),
    Case(
        "registry.registration_details_save",
        lambda w, u: registry_services.registration_details_save(
            actor=u, study=Study.objects.get(pk=w.study.pk), sex="ALL", reason="matrix"
        ),
        EDIT,
    ),
]


def world_data(w) -> None:
    """`{rd_day}` and the study's ClinicalTrials.gov record `{rd_record}`."""
    w.ids["rd_day"] = _day().isoformat()
    w.ids["rd_record"] = registry_services.registry_record_create(
        actor=None, study=Study.objects.get(pk=w.study.pk), registry="ctgov", registered_on=_day()
    ).pk
