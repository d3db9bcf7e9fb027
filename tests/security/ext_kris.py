"""Security-sweep rows for the oversight part `kris`: key risk indicators (see tests/security/extensions.py).

World (`world_data`): gsm's twelve default KRIs (kri0001 ... kri0012) and a snapshot computed today
(`{kri_snapshot}`). Each write row acts on its own KRI so that no row finds another's change, whatever the order:
the page edits kri0002 and retires kri0010, the API edits kri0003 and retires kri0011; adding a KRI takes the next
free code, computing the snapshot again replaces today's. Every sweep sends a row at most once per test, and every
test runs in its own rolled-back savepoint. Results are per site; the history row names `{site}`, so its B1 variant
answers 404 to a user restricted to A1. The service cases run in rolled-back savepoints (kri0012 is retired there).
"""

from opencro.accounts.permissions import Perm
from opencro.monitoring.kris import services as kri_services
from opencro.monitoring.models import KriDefinition
from opencro.studies.models import Study
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S, VIEW, MANAGE = Access.STUDY, Perm.OVERSIGHT_VIEW, Perm.RISK_MANAGE
PATTERN = "studies/<int:study_id>/oversight/kris/"
PAGE = "/studies/{study}/oversight/kris/"
API_PATH = "/api/v1/studies/{study_id}/oversight/kris"
API_URL = "/api/v1/studies/{study}/oversight/kris"
ONE_API = API_PATH + "/{code}"
KRI = {
    "name": "Matrix late pages",
    "abbreviation": "MLP",
    "numerator": "data_pages_late",
    "denominator": "data_pages",
    "method": "normal",
    "kind": "binary",
}
KRI_FORM = {**KRI, "code": "", "thresholds": "-3, -2, 2, 3", "min_denominator": "30"}
KRI_JSON = {**KRI, "thresholds": [-3, -2, 2, 3], "min_denominator": 30}
EDIT_FORM = {**KRI, "thresholds": "-3, -2, 2, 3", "min_denominator": "10", "reason": "matrix edit"}
REASON = "Matrix: not needed any more."

PAGES: list = [
    page("GET", PATTERN, S, VIEW, url=PAGE),
    page("POST", PATTERN + "add/", S, MANAGE, url=PAGE + "add/", data=KRI_FORM, ok=302),
    page("POST", PATTERN + "defaults/", S, MANAGE, url=PAGE + "defaults/", data={}, ok=302),
    page("POST", PATTERN + "compute/", S, MANAGE, url=PAGE + "compute/", data={"cut_on": ""}, ok=302),
    page("GET", PATTERN + "<slug:code>/", S, VIEW, url=PAGE + "kri0001/"),
    page("POST", PATTERN + "<slug:code>/edit/", S, MANAGE, url=PAGE + "kri0002/edit/", data=EDIT_FORM, ok=302),
    page(
        "POST",
        PATTERN + "<slug:code>/retire/",
        S,
        MANAGE,
        url=PAGE + "kri0010/retire/",
        data={"reason": REASON},
        ok=302,
    ),
]

API: list = [
    api("GET", API_PATH + "/measures", S, VIEW, url=API_URL + "/measures"),
    api("GET", API_PATH, S, VIEW, url=API_URL),
    api("POST", API_PATH, S, MANAGE, url=API_URL, data=KRI_JSON, ok=201),
    api("POST", API_PATH + "/defaults", S, MANAGE, url=API_URL + "/defaults"),
    api("GET", API_PATH + "/snapshots", S, VIEW, url=API_URL + "/snapshots"),
    api("POST", API_PATH + "/snapshots", S, MANAGE, url=API_URL + "/snapshots", data={}, ok=201),
    api(
        "GET",
        API_PATH + "/snapshots/{snapshot_id}/results",
        S,
        VIEW,
        url=API_URL + "/snapshots/{kri_snapshot}/results",
    ),
    api("GET", API_PATH + "/flags", S, VIEW, url=API_URL + "/flags"),
    api("GET", ONE_API, S, VIEW, url=API_URL + "/kri0001"),
    api("PATCH", ONE_API, S, MANAGE, url=API_URL + "/kri0003", data={"min_denominator": 10, "reason": "matrix"}),
    api("POST", ONE_API + "/retire", S, MANAGE, url=API_URL + "/kri0011/retire", data={"reason": REASON}),
    api("GET", ONE_API + "/history", S, VIEW, url=API_URL + "/kri0001/history?site_id={site}"),
]

MODULES: dict = {"kris": kri_services}
EXEMPT: dict[str, str] = {}


def _study(w) -> Study:
    return Study.objects.get(pk=w.study.pk)


CASES: list = [
    Case(
        "kris.kri_definitions_create_default",
        lambda w, u: kri_services.kri_definitions_create_default(actor=u, study=_study(w)),
        MANAGE,
    ),
    Case(
        "kris.kri_definition_save",
        lambda w, u: kri_services.kri_definition_save(actor=u, study=_study(w), **KRI_JSON),
        MANAGE,
    ),
    Case(
        "kris.kri_definition_retire",
        lambda w, u: kri_services.kri_definition_retire(
            actor=u, definition=KriDefinition.objects.get(study_id=w.study.pk, code="kri0012"), reason=REASON
        ),
        MANAGE,
    ),
    Case(
        "kris.kri_snapshot_compute",
        lambda w, u: kri_services.kri_snapshot_compute(actor=u, study=_study(w)),
        MANAGE,
    ),
]


def world_data(w) -> None:
    """gsm's twelve KRIs and today's snapshot (`{kri_snapshot}`)."""
    study = _study(w)
    kri_services.kri_definitions_create_default(actor=None, study=study)
    w.ids["kri_snapshot"] = kri_services.kri_snapshot_compute(actor=None, study=study).pk
