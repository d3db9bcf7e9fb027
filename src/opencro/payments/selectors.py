"""Reads of site payments, always through the caller's access: a site-scoped member (investigator, coordinator,
monitor) sees only their sites' contracts and, on a payment run, only their sites' lines."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.payments.earnings import Earning, earnings_all, earnings_due, line_key
from opencro.payments.models import LineKind, PaymentLine, PaymentRun, RunStatus, SiteContract, SiteFee
from opencro.studies.models import Site


def contract_list(access: StudyAccess) -> QuerySet[SiteContract]:
    study_id = access.membership.study_id
    return SiteContract.objects.filter(access.site_filter(), study_id=study_id).select_related("site")


def contract_get(access: StudyAccess, contract_id: int) -> SiteContract:
    contract = contract_list(access).filter(pk=contract_id).first()
    if contract is None:
        raise Http404(_("No such site contract."))
    return contract


def fee_get(contract: SiteContract, fee_id: int) -> SiteFee:
    fee = contract.fees.filter(pk=fee_id).select_related("visit", "activity").first()
    if fee is None:
        raise Http404(_("No such fee."))
    return fee


def sites_without_contract(access: StudyAccess) -> QuerySet[Site]:
    sites = Site.objects.filter(access.site_filter("pk"), study_id=access.membership.study_id)
    return sites.filter(payment_contract__isnull=True).order_by("number")


def run_list(access: StudyAccess) -> QuerySet[PaymentRun]:
    """The study's payment runs; a site-scoped member sees those that pay one of their sites."""
    runs = PaymentRun.objects.filter(study_id=access.membership.study_id)
    if access.site_ids is not None:
        runs = runs.filter(lines__site_id__in=access.site_ids).distinct()
    return runs.select_related("created_by", "approved_by").order_by("-number")


def run_get(access: StudyAccess, run_id: int) -> PaymentRun:
    run = run_list(access).filter(pk=run_id).select_related("created_by", "approved_by").first()
    if run is None:
        raise Http404(_("No such payment run."))
    return run


def run_lines(access: StudyAccess, run: PaymentRun) -> QuerySet[PaymentLine]:
    return run.lines.filter(access.site_filter()).select_related("site", "contract").order_by("site__number", "pk")


@dataclass
class Totals:
    """Sums of gross, holdback and net per currency (amounts in different currencies are never added)."""

    gross: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    holdback: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    net: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def add(self, item: Earning | PaymentLine) -> None:
        self.gross[item.currency] += item.gross
        self.holdback[item.currency] += item.holdback
        self.net[item.currency] += item.net

    @property
    def currencies(self) -> list[str]:
        return sorted(self.gross)

    def rows(self) -> list[tuple[str, Decimal, Decimal, Decimal]]:
        return [(c, self.gross[c], self.holdback[c], self.net[c]) for c in self.currencies]


def totals(items) -> Totals:
    out = Totals()
    for item in items:
        out.add(item)
    return out


@dataclass(frozen=True)
class SiteGroup:
    """One site's share of a run or of what is due."""

    site: Site
    items: list
    totals: Totals


def by_site(items, sites: dict[int, Site]) -> list[SiteGroup]:
    grouped: dict[int, list] = defaultdict(list)
    for item in items:
        grouped[item.site_id].append(item)
    ordered = sorted(grouped, key=lambda site_id: sites[site_id].number)
    return [SiteGroup(site=sites[s], items=grouped[s], totals=totals(grouped[s])) for s in ordered]


def due(access: StudyAccess, as_of: dt.date) -> list[Earning]:
    """What the caller's sites have earned up to `as_of` and is on no payment run yet."""
    return earnings_due(access.membership.study_id, access.site_ids, as_of)


def stale_lines(run: PaymentRun) -> list[PaymentLine]:
    """The run's lines that its cut-off no longer earns (a page reopened, an SDV undone, a status corrected)."""
    earned = {e.key for e in earnings_all(run.study_id, None, run.cutoff)}
    lines = run.lines.exclude(kind=LineKind.HOLDBACK_RELEASE).select_related("site")
    return [line for line in lines if line_key(line) not in earned]


@dataclass(frozen=True)
class Statement:
    """What one site has earned: due now (on no run), on runs not yet paid, paid."""

    contract: SiteContract
    due: list[Earning]
    pending: list[PaymentLine]
    paid: list[PaymentLine]
    due_totals: Totals
    pending_totals: Totals
    paid_totals: Totals
    held_back: dict[str, Decimal]  # withheld by the lines so far, less what a release has paid out


def statement(contract: SiteContract, as_of: dt.date) -> Statement:
    """A site's statement as of a day (its contract found through the caller's access already)."""
    earned = earnings_due(contract.study_id, [contract.site_id], as_of)
    lines = list(
        contract.lines.exclude(run__status=RunStatus.CANCELLED).select_related("run").order_by("earned_on", "pk")
    )
    pending = [line for line in lines if line.run.status != RunStatus.PAID]
    paid = [line for line in lines if line.run.status == RunStatus.PAID]
    held_back: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        held_back[line.currency] += -line.gross if line.kind == LineKind.HOLDBACK_RELEASE else line.holdback
    return Statement(
        contract=contract,
        due=earned,
        pending=pending,
        paid=paid,
        due_totals=totals(earned),
        pending_totals=totals(pending),
        paid_totals=totals(paid),
        held_back=dict(held_back),
    )
