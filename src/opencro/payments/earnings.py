"""What each site has earned under its contract, read from the trial's own data: nothing is keyed in twice.

- A **visit** earns its visit fee when it is entered and verified: it has a visit date and pages, every page is
  complete, and none still waits for source data verification (pages the SDV plan leaves out count as verified).
  A visit marked not done earns nothing.
- A **procedure** fee is earned at every earned visit whose schedule of activities holds the procedure (only at its
  visit when the fee names one).
- A **screen failure** earns on the day of the failure (the eligibility confirmation that found the participant not
  eligible, else the screening day), up to the contract's limit (the earliest first).
- A **fixed** fee is earned on its first day (or the contract's signature, if later). A fee added with a past first
  day (an amendment) is earned by the past work it covers, paid or not: it is a new fee.
The fee is the one in force on the day the work was done, so an amendment never reprices the past. Each amount has
the contract's holdback withheld until the holdback is released (close-out); the release pays what was withheld.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from opencro.edc.models import EventData
from opencro.edc.models.data import EventStatus, FormStatus, SdvStatus
from opencro.payments.models import ContractStatus, FeeKind, LineKind, PaymentLine, SiteContract, SiteFee
from opencro.studies.models import ScheduledActivity, Site
from opencro.subjects.screen_failures import screen_failures

CENT = Decimal("0.01")
Key = tuple


@dataclass(frozen=True)
class Earning:
    """One amount a site has earned (not yet necessarily paid), in its contract's currency."""

    contract_id: int
    site_id: int
    kind: str
    description: str
    earned_on: dt.date
    currency: str
    gross: Decimal
    holdback: Decimal
    fee_id: int | None = None
    subject_id: int | None = None
    event_id: int | None = None
    subject_number: str = ""

    @property
    def net(self) -> Decimal:
        return self.gross - self.holdback

    def get_kind_display(self) -> str:
        return str(LineKind(self.kind).label)

    @property
    def key(self) -> Key:
        return earning_key(self.kind, self.contract_id, self.fee_id, self.subject_id, self.event_id)


def earning_key(kind: str, contract_id: int, fee_id: int | None, subject_id: int | None, event_id: int | None) -> Key:
    """What makes an earning payable once (the unique constraints of PaymentLine)."""
    if kind in (LineKind.VISIT, LineKind.PROCEDURE):
        return ("event", fee_id, event_id)
    if kind == LineKind.SCREEN_FAILURE:
        return ("subject", fee_id, subject_id)
    if kind == LineKind.FIXED:
        return ("fixed", fee_id)
    return ("release", contract_id)


def line_key(line: PaymentLine) -> Key:
    return earning_key(line.kind, line.contract_id, line.fee_id, line.subject_id, line.event_id)


def holdback_of(contract: SiteContract, gross: Decimal, as_of: dt.date) -> Decimal:
    released = contract.holdback_released_on is not None and contract.holdback_released_on <= as_of
    if released or not contract.holdback_percent:
        return Decimal("0.00")
    return (gross * contract.holdback_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def earned_visits(study_id: int, site_ids: Iterable[int], as_of: dt.date) -> list[dict]:
    """The study's visits at these sites entered and verified, with a visit date on or before `as_of`."""
    waiting = Q(forms__status=FormStatus.INCOMPLETE) | Q(forms__sdv_status=SdvStatus.REQUIRED)
    return list(
        EventData.objects.filter(study_id=study_id, site_id__in=list(site_ids), visit_date__lte=as_of)
        .exclude(status=EventStatus.NOT_DONE)
        .annotate(pages=Count("forms"), waiting=Count("forms", filter=waiting))
        .filter(pages__gt=0, waiting=0, event_def__visit__isnull=False)
        .order_by("visit_date", "pk")
        .values("pk", "site_id", "subject_id", "subject__number", "visit_date", "event_def__visit_id")
    )


def _fee_on(fees: list[SiteFee], day: dt.date) -> SiteFee | None:
    return next((fee for fee in fees if fee.applies_on(day)), None)


class _Builder:
    """Collects the earnings of a set of contracts as of one day."""

    def __init__(self, contracts: list[SiteContract], as_of: dt.date) -> None:
        self.as_of = as_of
        self.contracts = {c.site_id: c for c in contracts}
        self.out: list[Earning] = []
        fees = SiteFee.objects.filter(contract__in=contracts).select_related("visit", "activity")
        self.by_kind: dict[tuple[int, str], list[SiteFee]] = defaultdict(list)
        for fee in fees.order_by("effective_from", "pk"):
            self.by_kind[(fee.contract_id, fee.kind)].append(fee)

    def add(self, contract: SiteContract, kind: str, fee: SiteFee | None, on: dt.date, text: str, **ids) -> None:
        """Record one earning: a fee's amount with its holdback, or (no fee) a release of `gross`, held back 0."""
        gross = fee.amount if fee is not None else ids.pop("gross")
        self.out.append(
            Earning(
                contract_id=contract.pk,
                site_id=contract.site_id,
                kind=kind,
                description=text,
                earned_on=on,
                currency=contract.currency,
                gross=gross,
                holdback=holdback_of(contract, gross, self.as_of) if fee is not None else Decimal("0.00"),
                fee_id=fee.pk if fee is not None else None,
                **ids,
            )
        )

    def visits(self, study_id: int) -> None:
        scheduled: dict[int, set[int]] = defaultdict(set)
        for visit_id, activity_id in ScheduledActivity.objects.filter(visit__study_id=study_id).values_list(
            "visit_id", "activity_id"
        ):
            scheduled[visit_id].add(activity_id)
        for row in earned_visits(study_id, self.contracts, self.as_of):
            contract, day, visit_id = self.contracts[row["site_id"]], row["visit_date"], row["event_def__visit_id"]
            ids = {"subject_id": row["subject_id"], "event_id": row["pk"], "subject_number": row["subject__number"]}
            visit_fees = [f for f in self.by_kind[(contract.pk, FeeKind.VISIT)] if f.visit_id == visit_id]
            fee = _fee_on(visit_fees, day)
            if fee is not None:
                self.add(contract, LineKind.VISIT, fee, day, f"{row['subject__number']} · {fee.label}", **ids)
            procedures: dict[int, list[SiteFee]] = defaultdict(list)
            for f in self.by_kind[(contract.pk, FeeKind.PROCEDURE)]:
                if f.activity_id in scheduled[visit_id] and f.visit_id in (None, visit_id):
                    procedures[f.activity_id].append(f)
            for group in procedures.values():
                fee = _fee_on(group, day)
                if fee is not None:
                    self.add(contract, LineKind.PROCEDURE, fee, day, f"{row['subject__number']} · {fee.label}", **ids)

    def screen_failures(self, study_id: int) -> None:
        """A fee per screen failure, earned on the day of the failure (`subjects.screen_failures`: the eligibility
        confirmation that found the participant not eligible, else the screening day), in the order the
        failures came, up to the contract's limit."""
        sites = {s.pk: s for s in Site.objects.filter(study_id=study_id)}
        failed = sorted(
            (f for f in screen_failures(study_id, sites) if f.site_id in self.contracts and f.day <= self.as_of),
            key=lambda f: (f.day, f.number),
        )
        counted: dict[int, int] = defaultdict(int)
        for failure in failed:
            contract = self.contracts[failure.site_id]
            counted[failure.site_id] += 1
            limit = contract.screen_failure_limit
            fee = _fee_on(self.by_kind[(contract.pk, FeeKind.SCREEN_FAILURE)], failure.day)
            if fee is None or (limit is not None and counted[failure.site_id] > limit):
                continue
            text = f"{failure.number} · {fee.label}"
            self.add(
                contract,
                LineKind.SCREEN_FAILURE,
                fee,
                failure.day,
                text,
                subject_id=failure.subject_id,
                subject_number=failure.number,
            )

    def fixed(self) -> None:
        for contract in self.contracts.values():
            for fee in self.by_kind[(contract.pk, FeeKind.FIXED)]:
                day = max(fee.effective_from, contract.signed_on)  # not before the contract is signed
                if day <= self.as_of:
                    self.add(contract, LineKind.FIXED, fee, day, fee.label)

    def releases(self, withheld: dict[int, Decimal]) -> None:
        """The release of each released contract's holdback: what its lines withheld, and what is due now."""
        for contract in self.contracts.values():
            day = contract.holdback_released_on
            if day is None or day > self.as_of:
                continue
            total = withheld.get(contract.pk, Decimal(0)) + sum(
                (e.holdback for e in self.out if e.contract_id == contract.pk), Decimal(0)
            )
            total = total.quantize(CENT)  # a database's SUM may carry more places (SQLite: 772.800000000000)
            if total > 0:
                text = str(LineKind.HOLDBACK_RELEASE.label)
                self.add(contract, LineKind.HOLDBACK_RELEASE, None, day, text, gross=total)


def signed_contracts(study_id: int, site_ids: Iterable[int] | None, as_of: dt.date) -> list[SiteContract]:
    contracts = SiteContract.objects.filter(study_id=study_id, status=ContractStatus.SIGNED, signed_on__lte=as_of)
    if site_ids is not None:
        contracts = contracts.filter(site_id__in=list(site_ids))
    return list(contracts.select_related("site"))


def _earned(study_id: int, contracts: list[SiteContract], as_of: dt.date) -> _Builder:
    builder = _Builder(contracts, as_of)
    builder.visits(study_id)
    builder.screen_failures(study_id)
    builder.fixed()
    return builder


def earnings_all(study_id: int, site_ids: Iterable[int] | None, as_of: dt.date) -> list[Earning]:
    """Every amount earned up to `as_of`, paid or not (holdback releases left out: they depend on what was paid)."""
    return _earned(study_id, signed_contracts(study_id, site_ids, as_of), as_of).out


def earnings_due(study_id: int, site_ids: Iterable[int] | None, as_of: dt.date) -> list[Earning]:
    """What is earned up to `as_of` and on no payment run yet, holdback releases included."""
    contracts = signed_contracts(study_id, site_ids, as_of)
    builder = _earned(study_id, contracts, as_of)
    lines = PaymentLine.objects.filter(contract__in=contracts)
    taken = {line_key(line) for line in lines.only("kind", "contract_id", "fee_id", "subject_id", "event_id")}
    builder.out = [e for e in builder.out if e.key not in taken]
    withheld = dict(lines.values_list("contract_id").annotate(total=Sum("holdback")).order_by())
    builder.releases(withheld)
    builder.out = [e for e in builder.out if e.key not in taken]
    return sorted(builder.out, key=lambda e: (e.site_id, e.earned_on, e.description))
