"""Security-sweep rows for protocol deviations (see tests/security/extensions.py).

World (`world_data`): per site (`w.edc[site]`), deviations reported by the system ten days ago, each in the state
its row needs: `{pd_read}` awaiting review (the read rows), and one per write row and channel, so that a write is
a real success every time a sweep sends it, whatever the order of the rows: `{pd_edit_*}`, `{pd_classify_*}` and
`{pd_reject_*}` await review, `{pd_close_*}` is confirmed (important), `{pd_reopen_*}` closed. Every sweep sends a
row at most once per test, and every test runs in its own rolled-back savepoint, so no row finds its deviation
already moved on by another row or an earlier test. Reporting and detection succeed every time (detection run
twice records nothing new). `{pd_day}` (global) is three days ago: a valid date for reports, corrections and
closing. The report page's site field offers the reader's sites only, so its B1 variant is refused by the form
(200, nothing of B1 shown), not 404 as the API's. The service cases run in rolled-back savepoints on the API
rows' deviations at A1.

`{pd_*}` placeholders name site objects: matrix.SITE_OBJECTS needs "{pd_" for the B1 variants to be swept.
"""

import datetime as dt

from django.utils import timezone

from opencro.accounts.permissions import Perm
from opencro.monitoring import services as monitoring_services
from opencro.monitoring.models import Deviation
from opencro.studies.models import Site, Study
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S, VIEW, REPORT, REVIEW = Access.STUDY, Perm.DATA_VIEW, Perm.DEVIATION_REPORT, Perm.DEVIATION_REVIEW
PATTERN = "studies/<int:study_id>/deviations/"
PAGE = "/studies/{study}/deviations/"
ONE_PATTERN = PATTERN + "<int:deviation_id>/"
API_PATH = "/api/v1/studies/{study_id}/deviations"
API_URL = "/api/v1/studies/{study}/deviations"
ONE_API = API_PATH + "/{deviation_id}"
RATIONALE = "Matrix review: the deviation is as reported."
ACTION = "Matrix corrective action: site staff retrained."
REASON = "Matrix: reopened for a second look."
WRITE_ROWS = ("edit", "classify", "reject", "close", "reopen")


def _one_page(name: str, tail: str = "") -> str:
    return PAGE + "{" + name + "}/" + tail


def _one_api(name: str, tail: str = "") -> str:
    return API_URL + "/{" + name + "}" + tail


PAGES: list = [
    page("GET", PATTERN, S, VIEW, url=PAGE),
    page("GET", PATTERN + "export.csv", S, VIEW, url=PAGE + "export.csv"),
    page("GET", PATTERN + "new/", S, REPORT, url=PAGE + "new/"),
    page(
        "POST",
        PATTERN + "new/",
        S,
        REPORT,
        url=PAGE + "new/",
        data={
            "site": "{site}",
            "participant": "A1-001",
            "category": "procedures",
            "occurred_on": "{pd_day}",
            "identified_on": "{pd_day}",
            "source": "",
            "description": "Matrix: ECG not done at Week 4.",
        },
        ok=302,
        site_b="empty",  # another site is not among the form's choices: the form is re-rendered (200)
    ),
    page("GET", ONE_PATTERN, S, VIEW, url=_one_page("pd_read")),
    page(
        "POST",
        ONE_PATTERN + "edit/",
        S,
        REPORT,
        url=_one_page("pd_edit_page", "edit/"),
        data={
            "category": "visit_schedule",
            "occurred_on": "{pd_day}",
            "identified_on": "{pd_day}",
            "description": "Matrix: corrected description.",
            "reason": "matrix correction",
        },
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "classify/",
        S,
        REVIEW,
        url=_one_page("pd_classify_page", "classify/"),
        data={"important": "yes", "rationale": RATIONALE, "category": "", "reason": ""},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "reject/",
        S,
        REVIEW,
        url=_one_page("pd_reject_page", "reject/"),
        data={"rationale": RATIONALE},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "close/",
        S,
        REVIEW,
        url=_one_page("pd_close_page", "close/"),
        data={"corrective_action": ACTION, "closed_on": "{pd_day}"},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "reopen/",
        S,
        REVIEW,
        url=_one_page("pd_reopen_page", "reopen/"),
        data={"reason": REASON},
        ok=302,
    ),
    page("POST", PATTERN + "detect/", S, REVIEW, url=PAGE + "detect/", data={}, ok=302),
]

API: list = [
    api("GET", API_PATH, S, VIEW, url=API_URL),
    api("GET", API_PATH + "/summary", S, VIEW, url=API_URL + "/summary"),
    api("GET", ONE_API, S, VIEW, url=_one_api("pd_read")),
    api(
        "POST",
        API_PATH,
        S,
        REPORT,
        url=API_URL,
        data={
            "site_id": "{site}",
            "subject_id": "{subject}",
            "category": "procedures",
            "description": "Matrix: ECG not done at Week 4.",
            "occurred_on": "{pd_day}",
        },
        ok=201,
    ),
    api(
        "PATCH",
        ONE_API,
        S,
        REPORT,
        url=_one_api("pd_edit_api"),
        data={"description": "Matrix: corrected description.", "reason": "matrix correction"},
    ),
    api(
        "POST",
        ONE_API + "/classify",
        S,
        REVIEW,
        url=_one_api("pd_classify_api", "/classify"),
        data={"important": False, "rationale": RATIONALE},
    ),
    api(
        "POST",
        ONE_API + "/reject",
        S,
        REVIEW,
        url=_one_api("pd_reject_api", "/reject"),
        data={"rationale": RATIONALE},
    ),
    api(
        "POST",
        ONE_API + "/close",
        S,
        REVIEW,
        url=_one_api("pd_close_api", "/close"),
        data={"corrective_action": ACTION},
    ),
    api(
        "POST",
        ONE_API + "/reopen",
        S,
        REVIEW,
        url=_one_api("pd_reopen_api", "/reopen"),
        data={"reason": REASON},
    ),
    api("POST", API_PATH + "/detect", S, REVIEW, url=API_URL + "/detect"),
]

MODULES: dict = {"monitoring": monitoring_services}
EXEMPT: dict[str, str] = {}
AGO = dt.timedelta(days=10)


def _deviation(w, name: str) -> Deviation:
    return Deviation.objects.get(pk=w.edc["a"][name])


CASES: list = [
    Case(
        "monitoring.deviation_report",
        lambda w, u: monitoring_services.deviation_report(
            actor=u,
            site=Site.objects.get(pk=w.site_a.pk),
            category="procedures",
            description="Matrix: ECG not done.",
            occurred_on=timezone.localdate() - AGO,
        ),
        REPORT,
    ),
    Case(
        "monitoring.deviation_update",
        lambda w, u: monitoring_services.deviation_update(
            actor=u,
            deviation=_deviation(w, "pd_edit_api"),
            category="visit_schedule",
            description="Matrix: corrected.",
            occurred_on=timezone.localdate() - AGO,
            identified_on=timezone.localdate() - AGO,
            reason="matrix",
        ),
        REPORT,
    ),
    Case(
        "monitoring.deviation_classify",
        lambda w, u: monitoring_services.deviation_classify(
            actor=u, deviation=_deviation(w, "pd_classify_api"), important=True, rationale=RATIONALE
        ),
        REVIEW,
    ),
    Case(
        "monitoring.deviation_reject",
        lambda w, u: monitoring_services.deviation_reject(
            actor=u, deviation=_deviation(w, "pd_reject_api"), rationale=RATIONALE
        ),
        REVIEW,
    ),
    Case(
        "monitoring.deviation_close",
        lambda w, u: monitoring_services.deviation_close(
            actor=u, deviation=_deviation(w, "pd_close_api"), corrective_action=ACTION
        ),
        REVIEW,
    ),
    Case(
        "monitoring.deviation_reopen",
        lambda w, u: monitoring_services.deviation_reopen(
            actor=u, deviation=_deviation(w, "pd_reopen_api"), reason=REASON
        ),
        REVIEW,
    ),
    Case(
        "monitoring.deviations_detect",
        lambda w, u: monitoring_services.deviations_detect(actor=u, study=Study.objects.get(pk=w.study.pk)),
        REVIEW,
    ),
]


def _reported(site: Site, subject, label: str) -> Deviation:
    day = timezone.localdate() - AGO
    return monitoring_services.deviation_report(
        actor=None,
        site=site,
        subject=subject,
        category="procedures",
        description=f"Matrix deviation ({label}).",
        occurred_on=day,
        identified_on=day,
    )


def _in_state(site: Site, subject, name: str) -> Deviation:
    """A deviation for the row `name`: open; confirmed (important) to close; closed to reopen."""
    deviation = _reported(site, subject, name)
    if name.startswith(("pd_close", "pd_reopen")):
        deviation = monitoring_services.deviation_classify(
            actor=None, deviation=deviation, important=True, rationale=RATIONALE
        )
    if name.startswith("pd_reopen"):
        deviation = monitoring_services.deviation_close(actor=None, deviation=deviation, corrective_action=ACTION)
    return deviation


def world_data(w) -> None:
    """`{pd_day}`: three days ago; per site, `{pd_read}` and one deviation per write row and channel."""
    w.ids["pd_day"] = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    for key, site, subject in (("a", w.site_a, w.subject_a), ("b", w.site_b, w.subject_b)):
        w.edc[key]["pd_read"] = _reported(site, subject, "read").pk
        for row in WRITE_ROWS:
            for channel in ("page", "api"):
                name = f"pd_{row}_{channel}"
                w.edc[key][name] = _in_state(site, subject, name).pk
