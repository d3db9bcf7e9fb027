"""OPC-204's site payments, through the payment services: each site's contract (a fee per visit, a screen failure, a
start-up fee, 10 % held back until close-out) signed the day its start-up contract was, a run after the last visit and
a last one after the close-out visits, when each site's holdback was released; every run prepared by the project
manager, approved by the sponsor's oversight lead, sent to accounts payable and paid.

The German site's fees are the US grid in euros rounded to whole tens, so every holdback is a whole amount: on SQLite a
sum of decimals comes back as a float (`payments.earnings` sums what the lines withheld), and a release of, say,
772.8 would come back as 772.800000000000, which a payment line refuses (12 digits at most)."""

import datetime as dt
from decimal import Decimal

from opencro.accounts.models import User
from opencro.demo import data as demo_data
from opencro.demo.clock import afternoon, demo_clock
from opencro.demo.closeout_study import data
from opencro.payments.models import FeeKind, SiteContract
from opencro.payments.services import contracts, runs
from opencro.studies.models import Site, Study, Visit

TENS = Decimal("1E1")  # the fees are whole tens of the contract's currency


def _fees(visits: dict[str, Visit]) -> list[tuple[str, int, dict]]:
    """(kind, US dollars, what the fee is for)."""
    fees = [(FeeKind.VISIT, usd, {"visit": visits[code]}) for code, usd in data.VISIT_FEES.items()]
    fees.append((FeeKind.SCREEN_FAILURE, data.SCREEN_FAILURE_FEE, {}))
    fees.append((FeeKind.FIXED, data.STARTUP_FEE, {"description": "Start-up fee (site initiation)"}))
    return fees


def contracts_sign(pm: User, study: Study) -> None:
    visits = {v.code: v for v in Visit.objects.filter(study=study)}
    for site in Site.objects.filter(study=study).select_related("country").order_by("number"):
        currency, rate = data.CURRENCIES[site.country.code]
        signed = data.SITE_HISTORY[site.number][3]
        with demo_clock(afternoon(signed)):
            contract = contracts.site_contract_create(
                actor=pm,
                site=site,
                currency=currency,
                payee=f"{site.institution} — research account",
                payee_reference=f"SUP-204-{site.number}",
                holdback_percent=Decimal(data.HOLDBACK),
                screen_failure_limit=2,
            )
            for kind, usd, what in _fees(visits):
                amount = (Decimal(usd) * Decimal(rate)).quantize(TENS)
                contracts.site_fee_add(
                    actor=pm, contract=contract, kind=kind, amount=amount, effective_from=signed, **what
                )
            contracts.site_contract_sign(actor=pm, contract=contract, signed_on=signed)


def run_pay(study: Study, run_dates: tuple) -> None:
    """One run from preparation to payment, each step on its day."""
    pm, sponsor = User.objects.get(username="pm"), User.objects.get(username="sponsor")
    cutoff, prepared, approved, exported, paid, reference = run_dates
    with demo_clock(afternoon(prepared)):
        run = runs.payment_run_create(actor=pm, study=study, cutoff=cutoff, note=f"Run to {cutoff:%d %B %Y}.")
    with demo_clock(afternoon(approved)):
        run = runs.payment_run_approve(actor=sponsor, run=run, password=demo_data.DEMO_PASSWORD)
    with demo_clock(afternoon(exported)):
        run = runs.payment_run_export(actor=pm, run=run)
    with demo_clock(afternoon(paid)):
        runs.payment_run_paid(actor=pm, run=run, paid_on=paid, payment_reference=reference)


def holdback_release(pm: User, site: Site, day: dt.date) -> None:
    """The site closed out: what its contract held back is paid with the next run."""
    with demo_clock(afternoon(day)):
        contracts.holdback_release(
            actor=pm, contract=SiteContract.objects.get(site=site), released_on=day, reason="site closed out"
        )
