"""Security-sweep rows for signal runs, the run side of the signal workspace (see tests/security/extensions.py).

World (`world_data`): one run of the study's own cases, `{signal_run}`, started by the safety physician. Its job is
never dispatched (the world is built in a transaction that is rolled back), so the run stays queued: its page shows
the progress indicator and its table does not exist yet (404, also for a reader).

Reads need safety.view and are study-wide only, like the DSUR pages (the A1 investigator, who holds safety.view,
gets 403): a row's one `perm` cannot state that, so the reads are baseline rows (`full=False`). Starting a run needs
safety.edit, which only the (study-wide) safety physician holds, so the start rows are full rows: the page's POST
starts a run of the study's cases (302 to the run); the API's POST, sent as JSON, carries no file and no form
field, so the service refuses the default source (a report table) without its file: 422.
"""

from opencro.accounts.permissions import Perm, RoleCode
from opencro.safety.models import SignalSource
from opencro.safety.services import signal_runs as safety_signal_runs
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S, V, E = Access.STUDY, Perm.SAFETY_VIEW, Perm.SAFETY_EDIT
PHYSICIAN = RoleCode.SAFETY_PHYSICIAN
PATTERN = "studies/<int:study_id>/safety/signals/runs/"
PAGE = "/studies/{study}/safety/signals/runs/"
RUN_PATTERN = PATTERN + "<int:run_id>/"
RUN_PAGE = PAGE + "{signal_run}/"
API_PATH = "/api/v1/studies/{study_id}/safety/signal-runs"
API_URL = "/api/v1/studies/{study}/safety/signal-runs"
START_FORM = {
    "source": "cases",
    "min_count": "1",
    "min_n": "3",
    "use_evans": "on",
    "prr": "2",
    "chi2": "4",
    "use_eb05": "on",
    "eb05": "2",
    "use_ic025": "on",
    "ic025": "0",
    "products": "Matrix product",
}

PAGES: list = [
    page("GET", PATTERN, S, V, url=PAGE, full=False),
    page("POST", PATTERN, S, E, url=PAGE, data=START_FORM, ok=302),
    page("GET", RUN_PATTERN, S, V, url=RUN_PAGE, full=False),
    page("GET", RUN_PATTERN + "progress/", S, V, url=RUN_PAGE + "progress/", full=False),
    page("GET", RUN_PATTERN + "table.csv", S, V, url=RUN_PAGE + "table.csv", ok=404, full=False),
]

API: list = [
    api("GET", API_PATH, S, V, url=API_URL, full=False),
    api("POST", API_PATH, S, E, url=API_URL, data={"matrix": "not a file"}, ok=422),
    api("GET", API_PATH + "/{run_id}", S, V, url=API_URL + "/{signal_run}", full=False),
    api("GET", API_PATH + "/{run_id}/table", S, V, url=API_URL + "/{signal_run}/table", ok=404, full=False),
]

MODULES: dict = {"safety_signal_runs": safety_signal_runs}
EXEMPT: dict[str, str] = {
    "safety_signal_runs.signal_run_record": (
        "called by the safety.signals job with its results; job_submit checked safety.edit when the run started"
    ),
    "safety_signal_runs.finite": "a pure function",
}


def _start(w, u):
    return safety_signal_runs.signal_run_start(
        actor=u,
        study=w.study,
        source=SignalSource.CASES,
        options={},
        thresholds={},
        products=["Matrix product"],
    )


CASES: list = [Case("safety_signal_runs.signal_run_start", _start, E, PHYSICIAN)]


def world_data(w) -> None:
    """A queued run of the study's cases (see the docstring)."""
    w.ids["signal_run"] = _start(w, w.users[PHYSICIAN]).pk
