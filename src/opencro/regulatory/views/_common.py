"""What the regulatory pages share: finding a submission through the reader's scope, the clock a list row shows,
and the labels of clock states."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.regulatory import selectors
from opencro.regulatory.clocks import ClockState
from opencro.regulatory.models import Submission

STATE_LABELS = {
    "running": _("running"),
    "met": _("met"),
    "overdue": _("overdue"),
    "elapsed": _("elapsed: may proceed"),
    "lapsed": _("lapsed"),
}
STATE_CSS = {"running": "", "met": "ok", "overdue": "warn", "elapsed": "ok", "lapsed": "warn"}
OPEN_STATES = ("overdue", "lapsed", "running", "elapsed")


@dataclass(frozen=True)
class ClockRow:
    """A clock as a page shows it: its state in words and the badge class."""

    clock: ClockState
    label: str
    css: str


def clock_row(clock: ClockState) -> ClockRow:
    return ClockRow(clock, str(STATE_LABELS.get(clock.state, clock.state)), STATE_CSS.get(clock.state, ""))


def next_clock(clocks: list[ClockState]) -> ClockState | None:
    """The clock a list row shows: the earliest end among those not met (overdue ones first)."""
    pending = [c for c in clocks if c.state in OPEN_STATES]
    return min(pending, key=lambda c: (OPEN_STATES.index(c.state) > 1, c.ends), default=None)


def reader(request: HttpRequest, study_id: int) -> StudyAccess:
    return access_study(request.user, study_id, Perm.REGULATORY_VIEW)


def found(request: HttpRequest, study_id: int, submission_id: int, perm: str) -> tuple[StudyAccess, Submission]:
    """The submission within the reader's scope (404 otherwise), then regulatory.view and `perm` (403 without)."""
    access = access_study(request.user, study_id)
    submission = selectors.submission_get(access, submission_id)
    access_check(access, Perm.REGULATORY_VIEW)
    return access_check(access, perm), submission
