"""The close-out checklist: every step with its gate evaluated on the data now, its dependencies, and its state.

A step is **ready** when every line of its gate holds and every step it waits for is signed (and still holds);
**not ready** otherwise. Once signed it stays **signed** while that remains true, and **no longer holds** when it
stops (a lock released, a site reopened, a report superseded, a step it waits for no longer holding): shown as a
warning, and the step may be signed again once it holds. Nothing here writes; the services sign what this finds.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opencro.closeout.gate_lines import GateLine, Selection
from opencro.closeout.models import Closeout, CloseoutStep
from opencro.closeout.step_gates import GATES, StudyData
from opencro.closeout.steps import STEPS, StepDef, StepKey
from opencro.studies.models import Study


class StepState(models.TextChoices):
    WAITING = "waiting", gettext_lazy("Not ready")
    READY = "ready", gettext_lazy("Ready to sign")
    SIGNED = "signed", gettext_lazy("Signed")
    LAPSED = "lapsed", gettext_lazy("No longer holds")


BADGES = {StepState.WAITING: "", StepState.READY: "amber", StepState.SIGNED: "ok", StepState.LAPSED: "warn"}


@dataclass(frozen=True)
class StepStatus:
    """One step of the checklist as of now."""

    definition: StepDef
    state: str
    lines: tuple[GateLine, ...]
    waiting_for: tuple[str, ...]  # steps it waits for that are not signed, or no longer hold
    facts: dict[str, Any]  # what signing now records (the record's own facts are on `record`)
    record: CloseoutStep | None
    package: Any = None
    document_version: Any = None
    appendices: tuple = ()

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def label(self) -> str:
        return self.definition.label

    @property
    def state_label(self) -> str:
        return str(StepState(self.state).label)

    @property
    def badge(self) -> str:
        return BADGES[self.state]

    @property
    def holds(self) -> bool:
        return _holds(self.lines)

    @property
    def signable(self) -> bool:
        """Ready now: a first signature, or a new one for a step that no longer holds but would again."""
        return self.holds and not self.waiting_for and self.state != StepState.SIGNED

    def refusals(self) -> list[str]:
        """Why the step cannot be signed now, one sentence per reason (empty when it can)."""
        if self.state == StepState.SIGNED:
            return [_("This step is signed and still holds.")]
        reasons = []
        if self.waiting_for:
            names = ", ".join(str(StepKey(k).label) for k in self.waiting_for)
            reasons.append(_("Sign these steps first (or again): %(steps)s.") % {"steps": names})
        failing = [line for line in self.lines if not line.info and not line.holds]
        if failing:
            parts = [f"{line.label} ({line.detail.rstrip('.')})" if line.detail else line.label for line in failing]
            reasons.append(_("Not ready: %(what)s.") % {"what": "; ".join(parts)})
        return reasons


@dataclass(frozen=True)
class Checklist:
    """A study's close-out as of now: the close-out record (None before it starts) and each step's status."""

    study: Study
    closeout: Closeout | None
    steps: tuple[StepStatus, ...]
    today: dt.date

    def step(self, key: str) -> StepStatus:
        return next(s for s in self.steps if s.key == key)

    @property
    def started(self) -> bool:
        return self.closeout is not None

    @property
    def signed_count(self) -> int:
        return sum(1 for s in self.steps if s.state == StepState.SIGNED)

    @property
    def lapsed(self) -> list[StepStatus]:
        return [s for s in self.steps if s.state == StepState.LAPSED]

    @property
    def approved(self) -> bool:
        """The sponsor approved it (whatever holds since)."""
        return self.step(StepKey.APPROVAL).record is not None


def _holds(lines) -> bool:
    return all(line.holds for line in lines if not line.info)


def step_records(closeout: Closeout | None) -> dict[str, CloseoutStep]:
    if closeout is None:
        return {}
    rows = closeout.steps.select_related("signed_by", "package", "document_version__document")
    return {row.step: row for row in rows}


def checklist_compute(
    study: Study,
    closeout: Closeout | None,
    *,
    selection: Selection | None = None,
    today: dt.date | None = None,
) -> Checklist:
    """Every step's gate on the study's data now. `selection`: a step about to be signed with what the signer chose;
    that step is evaluated afresh, as if unsigned, on the choice."""
    records = step_records(closeout)
    data = StudyData(study, closeout, records, today or timezone.localdate())
    states: dict[str, str] = {}
    steps = []
    for definition in STEPS:
        signing = selection is not None and selection.step == definition.key
        record = None if signing else records.get(definition.key)
        found = GATES[definition.key](data, record, selection if signing else None)
        waiting = tuple(k for k in definition.after if states[k] != StepState.SIGNED)
        holds = _holds(found.lines)
        if record is not None:
            state = StepState.SIGNED if holds and not waiting else StepState.LAPSED
        else:
            state = StepState.READY if holds and not waiting else StepState.WAITING
        signed = records.get(definition.key)
        if signing and signed is not None and not waiting and _holds(GATES[definition.key](data, signed, None).lines):
            state = StepState.SIGNED  # signed and still holding: not signed again
        states[definition.key] = state
        steps.append(
            StepStatus(
                definition=definition,
                state=state,
                lines=tuple(found.lines),
                waiting_for=waiting,
                facts=found.facts,
                record=records.get(definition.key),
                package=found.package,
                document_version=found.document_version,
                appendices=tuple(found.appendices),
            )
        )
    return Checklist(study=study, closeout=closeout, steps=tuple(steps), today=data.today)
