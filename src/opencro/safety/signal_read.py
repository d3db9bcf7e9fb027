"""Reads of the signal workspace's review side: the study's signals with their latest evidence, one signal's
evidence, steps and signatures, the study's cases reporting its event, and whether the RSI lists it."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signatures_for_many
from opencro.safety.models import (
    CaseEvent,
    CaseVersion,
    SafetyProduct,
    Signal,
    SignalEvidence,
    SignalStatus,
    SignalStep,
)
from opencro.safety.services.content import rsi_in_force

LATEST_FIELDS = ("n", "eb05", "ebgm", "prr", "ic025")
CASES_SHOWN = 200


def signal_access(user: User, study_id: int, perm: str = Perm.SAFETY_VIEW, signal_id: int | None = None):
    """Access for the signal workspace (and the signal `signal_id`, 404 outside the study), then 403 unless the
    member holds `safety.view` and `perm` study-wide. Returns the access, or (access, signal) with `signal_id`."""
    access = access_study(user, study_id)
    signal = signal_get(access, signal_id) if signal_id is not None else None
    access_check(access, Perm.SAFETY_VIEW)
    if access.site_ids is not None:
        raise PermissionDenied(_("The signal workspace is for study-wide safety staff."))
    access_check(access, perm)
    return (access, signal) if signal_id is not None else access


def _latest(field: str) -> Subquery:
    rows = SignalEvidence.objects.filter(signal_id=OuterRef("pk")).order_by("-run__created_at", "-run_id")
    return Subquery(rows.values(field)[:1])


def signal_list(access: StudyAccess, *, status: str = "", q: str = "") -> QuerySet[Signal]:
    """The study's signals, open ones first by due date, each with its latest run's measures (`latest_*`),
    `runs` (how many runs found it) and `renewed` (found again after its last review step)."""
    signals = Signal.objects.filter(study_id=access.membership.study_id).select_related("assignee")
    if status == "open":
        signals = signals.filter(status__in=(SignalStatus.NEW, SignalStatus.REVIEW, SignalStatus.VALIDATED))
    elif status:
        signals = signals.filter(status=status)
    if q.strip():
        signals = signals.filter(Q(product__icontains=q.strip()) | Q(event__icontains=q.strip()))
    annotations = {f"latest_{name}": _latest(name) for name in LATEST_FIELDS}
    signals = signals.annotate(
        **annotations,
        latest_run_at=_latest("run__created_at"),
        runs=Count("evidence", distinct=True),
        last_step_at=Max("steps__at"),
    )
    return signals.order_by(F("due_on").asc(nulls_last=True), "-latest_eb05", "product", "event")


def signal_renewed(signal: Signal) -> bool:
    """Found again by a run after the signal's last review step (a reason to look again)."""
    last_step, last_run = getattr(signal, "last_step_at", None), getattr(signal, "latest_run_at", None)
    return last_step is not None and last_run is not None and last_run > last_step


def signal_status_counts(access: StudyAccess) -> dict[str, int]:
    rows = Signal.objects.filter(study_id=access.membership.study_id).values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(SignalStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def signal_get(access: StudyAccess, signal_id: int) -> Signal:
    """The study's signal (404 for another study's), with the same annotations as the list."""
    try:
        return signal_list(access).select_related("first_run").get(pk=signal_id)
    except Signal.DoesNotExist:
        raise Http404(_("No such signal.")) from None


def signal_evidence(signal: Signal) -> list[SignalEvidence]:
    """Every run's measures of the signal, oldest run first (the trend)."""
    rows = SignalEvidence.objects.filter(signal=signal).select_related("run", "run__created_by")
    return list(rows.order_by("run__created_at", "run_id"))


@dataclass(frozen=True)
class StepRow:
    step: SignalStep
    signatures: list


def signal_steps(signal: Signal) -> list[StepRow]:
    steps = list(SignalStep.objects.filter(signal=signal).select_related("actor").order_by("at", "pk"))
    signed = signatures_for_many(steps)
    return [StepRow(step, signed.get(str(step.pk), [])) for step in steps]


@dataclass(frozen=True)
class CaseMention:
    """A case of the study whose current version reports the signal's event."""

    case_id: int
    number: str
    received_on: dt.date
    term: str
    serious: bool
    unexpected: bool | None


def signal_cases(signal: Signal) -> tuple[list[CaseMention], int]:
    """The study's cases (current versions, duplicates left out) with an event coded to, or reported as, the
    signal's event; at most CASES_SHOWN of them, with the total."""
    versions = CaseVersion.objects.filter(
        study_id=signal.study_id, latest=True, case__duplicate_of__isnull=True
    ).values("pk")
    events = (
        CaseEvent.objects.filter(version_id__in=versions)
        .filter(Q(pt_name__iexact=signal.event) | Q(pt_name="", verbatim__iexact=signal.event))
        .select_related("version", "version__case")
        .order_by("version__case__number", "key")
    )
    total = events.values("version_id").distinct().count()
    seen: dict[int, CaseMention] = {}
    for event in events[: CASES_SHOWN * 4]:
        case = event.version.case
        if case.pk in seen or len(seen) >= CASES_SHOWN:
            continue
        seen[case.pk] = CaseMention(
            case.pk,
            case.number,
            case.initial_received_on,
            event.pt_name or event.verbatim,
            event.serious,
            event.unexpected,
        )
    return list(seen.values()), total


@dataclass(frozen=True)
class RsiListing:
    product: str
    document: str
    listed: bool


def signal_rsi(signal: Signal, *, on: dt.date | None = None) -> list[RsiListing]:
    """For each study product named like the signal's product (name or active ingredient), whether the RSI in
    force on `on` (today) lists the signal's event as expected."""
    name = signal.product.strip()
    products = SafetyProduct.objects.filter(study_id=signal.study_id).filter(
        Q(name__iexact=name) | Q(active_ingredient__iexact=name)
    )
    found = rsi_in_force(signal.study_id, sorted(products.values_list("pk", flat=True)), on or timezone.localdate())
    event = signal.event.casefold()
    return [RsiListing(rsi.product, rsi.label, any(t.pt_name.casefold() == event for t in rsi.terms)) for rsi in found]
