"""Safety API: the signal workspace's review side — the study's signals, one signal with its evidence and review
log, the review steps (validate, not validate and close are e-signed: a wrong password is a 403) and triage.

Study-wide holders of `safety.view` read (a site-restricted member gets 403); `safety.edit` writes.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from opencro.accounts.permissions import Perm
from opencro.api.pagination import LimitOffset
from opencro.safety.models import Signal, SignalEvidence
from opencro.safety.services.signals import moves_open, signal_move, signal_reviewers, signal_triage
from opencro.safety.signal_read import (
    LATEST_FIELDS,
    signal_access,
    signal_cases,
    signal_evidence,
    signal_get,
    signal_list,
    signal_renewed,
    signal_rsi,
    signal_steps,
)
from opencro.stats.signals import COLUMNS

router = Router(tags=["safety"])
BASE = "/{study_id}/safety/signals"
MEASURES = COLUMNS[2:]  # n and every measure, as the signal table names them


class SafetySignalOut(Schema):
    id: int
    product: str
    event: str
    status: str
    decision: str
    priority: str
    assignee: str | None
    detected_on: dt.date
    validated_on: dt.date | None
    due_on: dt.date | None
    closed_on: dt.date | None
    first_run_id: int
    runs: int
    renewed: bool
    latest: dict[str, float | None]


class SafetySignalEvidenceOut(Schema):
    run_id: int
    run_at: dt.datetime
    source: str
    measures: dict[str, float | None]
    criteria: list[str]


class SafetySignalStepOut(Schema):
    from_status: str
    to_status: str
    decision: str
    rationale: str
    actor: str
    at: dt.datetime
    signatures: list[str]


class SafetySignalRsiOut(Schema):
    product: str
    document: str
    listed: bool


class SafetySignalDetailOut(SafetySignalOut):
    next_steps: list[str]
    evidence: list[SafetySignalEvidenceOut]
    steps: list[SafetySignalStepOut]
    rsi: list[SafetySignalRsiOut]
    cases: list[str]
    cases_total: int


class SafetySignalFilter(Schema):
    status: str = ""
    q: str = ""


class SafetySignalStepIn(Schema):
    move: str
    rationale: str
    decision: str = ""
    password: str = ""


class SafetySignalTriageIn(Schema):
    priority: str = ""
    due_on: dt.date | None = None
    assignee_id: int | None = None


def _signal(signal: Signal) -> dict:
    return {
        "id": signal.pk,
        "product": signal.product,
        "event": signal.event,
        "status": signal.status,
        "decision": signal.decision,
        "priority": signal.priority,
        "assignee": signal.assignee.get_username() if signal.assignee else None,
        "detected_on": signal.detected_on,
        "validated_on": signal.validated_on,
        "due_on": signal.due_on,
        "closed_on": signal.closed_on,
        "first_run_id": signal.first_run_id,
        "runs": signal.runs,
        "renewed": signal_renewed(signal),
        "latest": {name: getattr(signal, f"latest_{name}") for name in LATEST_FIELDS},
    }


def _evidence(e: SignalEvidence) -> dict:
    return {
        "run_id": e.run_id,
        "run_at": e.run.created_at,
        "source": e.run.source_name or e.run.source,
        "measures": {name: getattr(e, name) for name in MEASURES},
        "criteria": list(e.criteria or []),
    }


def _detail(signal: Signal) -> dict:
    cases, total = signal_cases(signal)
    steps = [
        {
            "from_status": row.step.from_status,
            "to_status": row.step.to_status,
            "decision": row.step.decision,
            "rationale": row.step.rationale,
            "actor": row.step.actor.get_username(),
            "at": row.step.at,
            "signatures": [str(sig) for sig in row.signatures],
        }
        for row in signal_steps(signal)
    ]
    return {
        **_signal(signal),
        "next_steps": [move.code for move in moves_open(signal)],
        "evidence": [_evidence(e) for e in signal_evidence(signal)],
        "steps": steps,
        "rsi": [{"product": r.product, "document": r.document, "listed": r.listed} for r in signal_rsi(signal)],
        "cases": [c.number for c in cases],
        "cases_total": total,
    }


@router.get(BASE, response=list[SafetySignalOut], summary="The study's signals")
@paginate(LimitOffset)
def signals_list(request, study_id: int, filters: Query[SafetySignalFilter]):
    """`status`: open (new, under validation or validated), one status, or empty for all; `q` searches product and
    event. Open signals first by assessment due date, then by the latest EB05."""
    access = signal_access(request.user, study_id)
    status = "" if filters.status == "all" else filters.status
    return [_signal(signal) for signal in signal_list(access, status=status, q=filters.q[:100])]


@router.get(BASE + "/{signal_id}", response=SafetySignalDetailOut, summary="One signal with its evidence")
def signal_read(request, study_id: int, signal_id: int):
    _access, signal = signal_access(request.user, study_id, signal_id=signal_id)
    return _detail(signal)


@router.post(BASE + "/{signal_id}/steps", response=SafetySignalDetailOut, summary="Take a review step")
def signal_step(request, study_id: int, signal_id: int, payload: SafetySignalStepIn):
    """`move`: start, validate, dismiss (not validated), close (with `decision`), reopen. Validate, dismiss and close
    are signed: `password` re-authenticates (a wrong one is a 403 and changes nothing)."""
    access, signal = signal_access(request.user, study_id, Perm.SAFETY_EDIT, signal_id)
    signal_move(
        actor=request.user,
        signal=signal,
        move=payload.move,
        rationale=payload.rationale,
        decision=payload.decision,
        password=payload.password,
    )
    return _detail(signal_get(access, signal_id))


@router.patch(BASE + "/{signal_id}", response=SafetySignalDetailOut, summary="Triage: priority, due date, assignee")
def signal_update(request, study_id: int, signal_id: int, payload: SafetySignalTriageIn):
    """Every field is set as sent (an omitted one is cleared); the assignee is a study-wide safety reviewer."""
    access, signal = signal_access(request.user, study_id, Perm.SAFETY_EDIT, signal_id)
    assignee = None
    if payload.assignee_id is not None:
        assignee = next((u for u in signal_reviewers(study_id) if u.pk == payload.assignee_id), None)
        if assignee is None:
            raise ValidationError({"assignee_id": _("The assignee must be a study-wide member who reviews safety.")})
    signal_triage(
        actor=request.user, signal=signal, priority=payload.priority, due_on=payload.due_on, assignee=assignee
    )
    return _detail(signal_get(access, signal_id))
