"""The demo's site payments: a signed contract per active site in its own currency, PR-001 paid, PR-002 sent to
accounts payable, November's earnings due; every line is an earning the EDC data still supports."""

import datetime as dt
from decimal import Decimal

import pytest

from opencro.demo.payments import CURRENCIES, HOLDBACK, VISIT_FEES
from opencro.payments.earnings import earnings_all, earnings_due, line_key
from opencro.payments.models import LineKind, PaymentLine, PaymentRun, RunStatus, SiteContract
from opencro.studies.models import Site

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 28)


def test_every_active_site_has_a_signed_contract_in_its_currency(demo):
    contracts = SiteContract.objects.filter(study=demo).select_related("site__country")
    active = Site.objects.filter(study=demo, activated_on__isnull=False)
    assert {c.site_id for c in contracts} == set(active.values_list("pk", flat=True))
    for contract in contracts:
        assert contract.status == "signed" and contract.holdback_percent == HOLDBACK
        assert contract.currency == CURRENCIES[contract.site.country.code][0]
        assert contract.fees.filter(kind="visit").count() == len(VISIT_FEES)
    assert {c.currency for c in contracts} == {"USD", "EUR", "JPY", "INR", "BRL"}


def test_the_runs_and_what_is_due(demo):
    runs = {r.number: r for r in PaymentRun.objects.filter(study=demo)}
    assert (runs["PR-001"].status, runs["PR-001"].cutoff) == (RunStatus.PAID, dt.date(2026, 8, 31))
    assert (runs["PR-002"].status, runs["PR-002"].cutoff) == (RunStatus.EXPORTED, dt.date(2026, 10, 31))
    assert runs["PR-001"].approved_by.username == "sponsor" and runs["PR-001"].created_by.username == "pm"
    for run in runs.values():
        lines = run.lines.all()
        assert lines and all(line.earned_on <= run.cutoff for line in lines)
        assert all(line.holdback == (line.gross * HOLDBACK / 100).quantize(Decimal("0.01")) for line in lines)
    due = earnings_due(demo.pk, None, TODAY)
    assert due and all(e.earned_on > dt.date(2026, 10, 31) for e in due if e.kind == LineKind.VISIT)


def test_every_paid_line_is_still_earned(demo):
    earned = {e.key for e in earnings_all(demo.pk, None, TODAY)}
    lines = PaymentLine.objects.filter(run__study=demo)
    assert lines.exists() and all(line_key(line) in earned for line in lines)
