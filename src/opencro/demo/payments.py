"""OPC-301's site payments: each active site's contract (its currency, its fees per visit, echocardiogram and screen
failure, a start-up fee, 10 % held back until close-out), and two payment runs, recorded through the services on the
days they happened. What the paid run cost is entered on the work order's pass-through budget line.

The fees are earned from the demo's own EDC data (a visit once all its pages are complete; the demo's SDV plan
verifies nothing beyond that). PR-001 (earned to 31 August) was approved by the sponsor's oversight lead and paid in
September; PR-002 (to 31 October) was approved and sent to accounts payable, and waits for the payment; what sites
earned in November is due, for the next run.
"""

import datetime as dt
from decimal import Decimal

from opencro.accounts.models import User
from opencro.demo import data
from opencro.demo.clock import afternoon, demo_clock
from opencro.partnership.catalogue import BudgetUnit
from opencro.partnership.models import BudgetLine
from opencro.partnership.services import budgets
from opencro.payments.models import FeeKind, PaymentRun
from opencro.payments.selectors import totals
from opencro.payments.services import contracts, runs
from opencro.startup.models import MilestoneKind, StartupMilestone
from opencro.studies.models import Activity, Site, Study, Visit

D = dt.date
# country: currency and what one US dollar of the grid is worth there (fees are rounded to whole units)
CURRENCIES = {
    "US": ("USD", Decimal(1)),
    "DE": ("EUR", Decimal("0.92")),
    "ES": ("EUR", Decimal("0.85")),
    "JP": ("JPY", Decimal(150)),
    "IN": ("INR", Decimal(30)),
    "BR": ("BRL", Decimal("3.2")),
}
# the US grid, in US dollars: per visit, the echocardiogram wherever scheduled, a screen failure, the start-up fee
VISIT_FEES = {
    "V1": 650,
    "V2": 1100,
    "V3": 350,
    "V4": 450,
    "V5": 900,
    "V6": 900,
    "V7": 600,
    "V8": 1200,
    "V9": 400,
}
ECHO_FEE, SCREEN_FAILURE_FEE, STARTUP_FEE = 480, 400, 5000
SCREEN_FAILURES_PAID = 3
HOLDBACK = Decimal(10)
FALLBACK_SIGNED = D(2026, 4, 15)
RUNS = [  # cut-off, prepared, approved, exported, paid (and its reference)
    (D(2026, 8, 31), D(2026, 9, 3), D(2026, 9, 5), D(2026, 9, 7), (D(2026, 9, 21), "AP-2026-0921-OPC")),
    (D(2026, 10, 31), D(2026, 11, 3), D(2026, 11, 5), D(2026, 11, 6), None),
]


def _price(usd: int, rate: Decimal) -> Decimal:
    return (Decimal(usd) * rate).quantize(Decimal(1))


def _signed_on(site: Site) -> dt.date:
    milestone = StartupMilestone.objects.filter(site=site, kind=MilestoneKind.CONTRACT_SIGNED).first()
    return (milestone.actual_on if milestone and milestone.actual_on else None) or FALLBACK_SIGNED


def _contract(pm: User, site: Site, visits: dict[str, Visit], echo: Activity) -> None:
    currency, rate = CURRENCIES[site.country.code]
    signed = _signed_on(site)
    with demo_clock(afternoon(signed)):
        contract = contracts.site_contract_create(
            actor=pm,
            site=site,
            currency=currency,
            payee=f"{site.institution} — research account",
            payee_reference=f"SUP-{site.number}",
            holdback_percent=HOLDBACK,
            screen_failure_limit=SCREEN_FAILURES_PAID,
        )

        def fee(kind: str, usd: int, **kw) -> None:
            contracts.site_fee_add(
                actor=pm, contract=contract, kind=kind, amount=_price(usd, rate), effective_from=signed, **kw
            )

        for code, usd in VISIT_FEES.items():
            fee(FeeKind.VISIT, usd, visit=visits[code])
        fee(FeeKind.PROCEDURE, ECHO_FEE, activity=echo)
        fee(FeeKind.SCREEN_FAILURE, SCREEN_FAILURE_FEE)
        fee(FeeKind.FIXED, STARTUP_FEE, description="Start-up fee (site initiation)")
        contracts.site_contract_sign(actor=pm, contract=contract, signed_on=signed)


def load_payments(study: Study) -> None:
    pm, approver = User.objects.get(username="pm"), User.objects.get(username="sponsor")
    visits = {v.code: v for v in Visit.objects.filter(study=study)}
    echo = Activity.objects.get(study=study, code="ECHO")
    for site in Site.objects.filter(study=study, activated_on__isnull=False).select_related("country"):
        _contract(pm, site, visits, echo)
    for cutoff, prepared, approved, exported, paid in RUNS:
        with demo_clock(afternoon(prepared)):
            run = runs.payment_run_create(actor=pm, study=study, cutoff=cutoff, note=f"Monthly run to {cutoff:%d %B}.")
        with demo_clock(afternoon(approved)):
            run = runs.payment_run_approve(actor=approver, run=run, password=data.DEMO_PASSWORD)
        with demo_clock(afternoon(exported)):
            run = runs.payment_run_export(actor=pm, run=run)
        if paid is not None:
            with demo_clock(afternoon(paid[0])):
                run = runs.payment_run_paid(actor=pm, run=run, paid_on=paid[0], payment_reference=paid[1])
                _cost_entries(pm, study, run)


def _cost_entries(pm: User, study: Study, run: PaymentRun) -> None:
    """What a paid run cost, per currency, on the work order's pass-through line for investigator grants."""
    line = BudgetLine.objects.get(work_order__study=study, unit=BudgetUnit.PASS_THROUGH)
    for currency, _gross, _held, net in totals(run.lines.all()).rows():
        budgets.cost_entry_add(
            actor=pm,
            line=line,
            incurred_on=run.paid_on,
            amount=net,
            currency=currency,
            reference=f"{run.number} {run.payment_reference}",
            description=f"Site payments earned to {run.cutoff:%d %B %Y}",
        )
