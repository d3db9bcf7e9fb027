"""Security-sweep rows for the signal workspace's review side (see tests/security/extensions.py).

World (`world_data`): a finished detection run and one new signal `{signal}` (with its evidence) of the study.
The pages and routes are study-wide only: the A1 investigator and other site-restricted roles get 403 even with
safety.view, which a row's single `perm` cannot state, so the rows are baseline rows (`full=False`, as DSUR's);
tests/safety/test_signals.py::test_every_role_reads_the_workspace_as_its_permissions_say sweeps every default role
over every route instead. The review services are full cases (safety.edit; only the safety physician holds it).
"""

from django.utils import timezone

from opencro.accounts.permissions import Perm, RoleCode
from opencro.safety.models import Signal, SignalEvidence, SignalRun, SignalSource
from opencro.safety.services import signals as safety_signals
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S, E = Access.STUDY, Perm.SAFETY_EDIT
PHYSICIAN = RoleCode.SAFETY_PHYSICIAN
PATTERN = "studies/<int:study_id>/safety/signals/"
PAGE = "/studies/{study}/safety/signals/"
API_PATH = "/api/v1/studies/{study_id}/safety/signals"
API_URL = "/api/v1/studies/{study}/safety/signals"
STEP = {"move": "start", "rationale": "matrix: review started"}

PAGES: list = [
    page("GET", PATTERN, S, url=PAGE, full=False),
    page("GET", PATTERN + "<int:signal_id>/", S, url=PAGE + "{signal}/", full=False),
    page("POST", PATTERN + "<int:signal_id>/step/", S, E, url=PAGE + "{signal}/step/", data=STEP, ok=302, full=False),
    page(
        "POST",
        PATTERN + "<int:signal_id>/triage/",
        S,
        E,
        url=PAGE + "{signal}/triage/",
        data={"priority": "high"},
        ok=302,
        full=False,
    ),
]
API: list = [
    api("GET", API_PATH, S, url=API_URL, full=False),
    api("GET", API_PATH + "/{signal_id}", S, url=API_URL + "/{signal}", full=False),
    api("POST", API_PATH + "/{signal_id}/steps", S, E, url=API_URL + "/{signal}/steps", data=STEP, full=False),
    api("PATCH", API_PATH + "/{signal_id}", S, E, url=API_URL + "/{signal}", data={"priority": "low"}, full=False),
]
MODULES: dict = {"safety_signals": safety_signals}
EXEMPT: dict[str, str] = {
    "safety_signals.moves_open": "a read: the steps a signal can take",
    "safety_signals.signal_reviewers": "a read: the study's study-wide safety reviewers",
    "safety_signals.signal_require": "the check itself (signal_move and signal_triage call it)",
}


def _signal(w) -> Signal:
    return Signal.objects.get(pk=w.ids["signal"])


CASES: list = [
    Case(
        "safety_signals.signal_move",
        lambda w, u: safety_signals.signal_move(
            actor=u, signal=_signal(w), move="start", rationale="matrix: review started"
        ),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_signals.signal_triage",
        lambda w, u: safety_signals.signal_triage(
            actor=u, signal=_signal(w), priority="high", due_on=None, assignee=None
        ),
        E,
        PHYSICIAN,
    ),
]


def world_data(w) -> None:
    """A finished run that found one pair, and its new signal."""
    physician = w.user(PHYSICIAN)
    run = SignalRun.objects.create(
        study=w.study,
        source=SignalSource.TABLE,
        source_name="matrix.csv",
        thresholds={"min_n": 3, "eb05": 2.0},
        created_by=physician,
        reports=100,
        pairs=20,
        candidates=1,
        finished_at=timezone.now(),
    )
    signal = Signal.objects.create(
        study=w.study, product="Matrix product", event="Nausea", detected_on=timezone.localdate(), first_run=run
    )
    SignalEvidence.objects.create(signal=signal, run=run, n=5, ebgm=3.0, eb05=2.1, eb95=4.0, criteria=["eb05"])
    w.ids["signal"] = signal.pk
