"""Budget pages: the budget versus actual of a work order (as of a chosen day), its lines while an unsigned draft, cost
entries once executed, the agreement's exchange rates; refusals re-render with the error (200), another
organisation's records are 404, a reader's write 403."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from opencro.partnership.models import BudgetLine, CostEntry, ExchangeRate
from opencro.partnership.services import signing
from tests.conftest import PASSWORD
from tests.partnership.budget_helpers import add_budget, add_cost, add_line, add_rates, execute

pytestmark = pytest.mark.django_db

REASON = "Recorded twice by mistake."
LINE = {
    "service": "monitoring",
    "description": "Close-out visits",
    "unit": "per_monitoring_visit",
    "quantity": "2",
    "unit_price": "1800.00",
    "currency": "eur",
}


def _url(name: str, *args) -> str:
    return reverse(f"partnership:{name}", args=args)


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _cell(html: str, testid: str, line: BudgetLine | None = None) -> str:
    """The text of the cell `testid` (in the row of `line` when given)."""
    scope = html
    if line is not None:
        scope = re.search(rf'<tr data-line="{line.pk}".*?</tr>', html, re.S).group(0)
    return re.search(rf'data-testid="{testid}">(.*?)</td>', scope, re.S).group(1).strip()


def test_the_budget_page_reads_as_of_a_day(partners, client):
    p = partners
    add_rates(p)
    lines = add_budget(p, ("sites", "participants", "japan"))
    client.force_login(p.acme_viewer)
    html = _html(client.get(_url("budget", p.work_order.pk), {"as_of": "2026-06-30"}))
    assert 'data-as-of="2026-06-30"' in html and 'data-service="monitoring"' in html
    # sites: 4 x 2000 EUR at 1.10 = 8,800.00 planned; A1 and B1 active: 2 x 2000 x 1.20 = 4,800.00; 54.5% used
    assert _cell(html, "planned-amount", lines["sites"]) == "8,800.00"
    assert _cell(html, "actual-units", lines["sites"]) == "2"
    assert _cell(html, "actual-amount", lines["sites"]) == "4,800.00"
    assert _cell(html, "percent-used", lines["sites"]) == "54.5%"
    # participants: 10 x 500 = 5,000.00; A1-001 and B1-001 enrolled on 2026-03-10: 1,000.00
    assert _cell(html, "actual-amount", lines["participants"]) == "1,000.00"
    assert _cell(html, "planned-amount", lines["japan"]) == "\u2013"  # no JPY rate: a dash, and said why
    assert 'data-testid="budget-problems"' in html and "JPY" in html
    assert _cell(html, "total-planned") == "13,800.00"  # 8800 + 5000 (the Japanese line unknown)
    assert "incomplete" in html
    assert 'data-testid="line-form"' not in html and 'data-testid="line-edit"' not in html  # a reader changes nothing
    before = _html(client.get(_url("budget", p.work_order.pk), {"as_of": "2026-03-09"}))
    assert _cell(before, "actual-amount", lines["participants"]) == "0.00"
    wrong = _html(client.get(_url("budget", p.work_order.pk), {"as_of": "not a day"}))  # today, the error shown
    assert "Enter a valid date." in wrong


def test_the_budget_is_the_parties_only(partners, world, client):
    p = partners
    url = _url("budget", p.work_order.pk)
    client.force_login(p.borealis_exec)
    assert client.get(url).status_code == 404
    client.force_login(p.delta_contracts)
    assert client.post(_url("budget_line_new", p.work_order.pk), LINE).status_code == 404
    client.force_login(world.admin)  # works for no organisation
    assert client.get(url).status_code == 404
    client.force_login(p.crux_viewer)
    assert client.post(_url("budget_line_new", p.work_order.pk), LINE).status_code == 403
    assert not BudgetLine.objects.exists()


def test_a_drafter_adds_changes_and_removes_lines_of_an_unsigned_draft(partners, client):
    p = partners
    client.force_login(p.crux_contracts)
    html = _html(client.get(_url("budget", p.work_order.pk)))
    assert 'data-testid="line-form"' in html and 'value="monitoring"' in html and 'value="biostatistics"' not in html
    response = client.post(_url("budget_line_new", p.work_order.pk), LINE)
    assert response.status_code == 302 and response["Location"] == _url("budget", p.work_order.pk)
    line = BudgetLine.objects.get()
    assert (line.unit, line.quantity, line.unit_price, line.currency) == (
        "per_monitoring_visit",
        Decimal(2),
        Decimal(1800),
        "EUR",
    )
    refused = _html(client.post(_url("budget_line_new", p.work_order.pk), {**LINE, "quantity": "-1"}))
    assert "Ensure this value is greater than or equal to 0." in refused and BudgetLine.objects.count() == 1
    edit = _url("budget_line_edit", p.work_order.pk, line.pk)
    assert 'value="Close-out visits"' in _html(client.get(edit))
    response = client.post(edit, {**LINE, "quantity": "3"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.quantity == Decimal(3)
    refused = _html(client.post(edit, {**LINE, "currency": "E1"}))
    assert "ISO 4217" in refused
    response = client.post(_url("budget_line_remove", p.work_order.pk, line.pk), {"reason": ""})
    assert response.status_code == 302 and not BudgetLine.objects.exists()


def test_a_signed_draft_refuses_line_changes_beside_the_form(partners, client):
    p = partners
    line = add_line(p, "sites")
    signing.contract_sign(actor=p.acme_exec, record=p.work_order, password=PASSWORD)
    client.force_login(p.crux_contracts)
    html = _html(client.get(_url("budget", p.work_order.pk)))
    assert 'data-testid="line-form"' not in html and 'data-testid="line-edit"' not in html
    refused = _html(client.post(_url("budget_line_new", p.work_order.pk), LINE))
    assert "A signed work order changes only through a change order." in refused
    refused = _html(client.post(_url("budget_line_remove", p.work_order.pk, line.pk), {"reason": REASON}))
    assert "change order" in refused and 'data-testid="line-remove-form"' not in refused
    assert BudgetLine.objects.count() == 1
    client.force_login(p.acme_viewer)
    assert client.get(_url("budget_line_edit", p.work_order.pk, line.pk)).status_code == 403


def test_costs_are_recorded_and_removed_on_an_executed_work_order(partners, client):
    p = partners
    add_rates(p)
    lines = add_budget(p, ("sites", "travel"))
    execute(p)
    client.force_login(p.acme_contracts)
    html = _html(client.get(_url("budget", p.work_order.pk), {"as_of": "2026-06-30"}))
    assert 'data-testid="cost-form"' in html and "Monitors&#x27; travel" in html
    cost = {
        "line": str(lines["travel"].pk),
        "incurred_on": "2026-03-15",
        "quantity": "1",
        "amount": "950.00",
        "currency": "EUR",
        "reference": "INV-1",
        "description": "",
    }
    response = client.post(_url("cost_entry_new", p.work_order.pk), cost)
    assert response.status_code == 302
    entry = CostEntry.objects.get()
    assert (entry.amount, entry.reference, entry.recorded_by) == (Decimal(950), "INV-1", p.acme_contracts)
    html = _html(client.get(_url("budget", p.work_order.pk), {"as_of": "2026-06-30"}))
    assert _cell(html, "actual-amount", lines["travel"]) == "1,045.00"  # 950 EUR x 1.10 on 2026-03-15
    assert "INV-1" in html
    refused = _html(client.post(_url("cost_entry_new", p.work_order.pk), {**cost, "line": str(lines["sites"].pk)}))
    assert "Select a valid choice." in refused  # a counted line takes no cost
    short = _html(client.post(_url("cost_entry_remove", p.work_order.pk, entry.pk), {"reason": "oops"}))
    assert "Give a reason of at least 10 characters." in short and CostEntry.objects.exists()
    response = client.post(_url("cost_entry_remove", p.work_order.pk, entry.pk), {"reason": REASON})
    assert response.status_code == 302 and not CostEntry.objects.exists()


def test_records_under_another_id_are_404(partners, client):
    p = partners
    lines = add_budget(p, ("travel",))
    execute(p)
    entry = add_cost(p, lines["travel"], dt.date(2026, 3, 15), "950.00", "EUR")
    client.force_login(p.crux_contracts)
    assert client.get(_url("budget_line_edit", p.work_order.pk, lines["travel"].pk + 999)).status_code == 404
    assert (
        client.post(_url("cost_entry_remove", p.work_order.pk + 999, entry.pk), {"reason": REASON}).status_code == 404
    )
    assert (
        client.post(_url("cost_entry_remove", p.work_order.pk, entry.pk + 999), {"reason": REASON}).status_code == 404
    )


def test_the_agreement_page_lists_its_rates_and_adds_one(partners, client):
    p = partners
    add_rates(p)
    client.force_login(p.acme_viewer)
    html = _html(client.get(_url("agreement", p.msa.pk)))
    assert 'data-testid="exchange-rates"' in html and 'data-currency="GBP"' in html and "1.25" in html
    assert 'data-testid="rate-form"' not in html
    client.force_login(p.crux_contracts)
    html = _html(client.get(_url("agreement", p.msa.pk)))
    assert 'data-testid="rate-form"' in html
    response = client.post(
        _url("exchange_rates", p.msa.pk), {"currency": "chf", "effective_on": "2026-02-01", "rate": "1.0875"}
    )
    assert response.status_code == 302 and response["Location"] == _url("exchange_rates", p.msa.pk)
    assert ExchangeRate.objects.get(currency="CHF").rate == Decimal("1.0875")
    refused = _html(
        client.post(_url("exchange_rates", p.msa.pk), {"currency": "USD", "effective_on": "2026-02-01", "rate": "1"})
    )
    assert "The agreement&#x27;s own currency needs no exchange rate." in refused
    client.force_login(p.acme_viewer)
    assert (
        client.post(
            _url("exchange_rates", p.msa.pk), {"currency": "SEK", "effective_on": "2026-02-01", "rate": "0.1"}
        ).status_code
        == 403
    )
    client.force_login(p.delta_contracts)
    assert client.get(_url("exchange_rates", p.msa.pk)).status_code == 404


def test_a_rate_is_removed_with_a_reason_on_the_rates_page(partners, client):
    p = partners
    add_rates(p)
    rate = ExchangeRate.objects.get(currency="GBP")
    client.force_login(p.acme_contracts)
    html = _html(client.get(_url("exchange_rates", p.msa.pk)))
    assert 'data-testid="rate-remove-form"' in html
    short = _html(client.post(_url("exchange_rate_remove", p.msa.pk, rate.pk), {"reason": "typo"}))
    assert "Give a reason of at least 10 characters." in short
    response = client.post(_url("exchange_rate_remove", p.msa.pk, rate.pk), {"reason": REASON})
    assert response.status_code == 302 and not ExchangeRate.objects.filter(currency="GBP").exists()


def test_the_work_order_page_sums_up_the_budget(partners, client):
    p = partners
    add_rates(p)
    add_budget(p, ("sites", "setup"))
    client.force_login(p.crux_viewer)
    html = _html(client.get(_url("work_order", p.work_order.pk)))
    assert 'data-testid="budget-summary"' in html and _url("budget", p.work_order.pk) in html
    # 8,800.00 (4 x 2000 EUR at 1.10) + 12,000.00 = 20,800.00 USD
    assert re.search(r'data-testid="budget-planned">20,800.00 USD', html)
    assert re.search(r'data-testid="budget-lines">2<', html)
