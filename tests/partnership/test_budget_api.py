"""Budget API as a client uses it: exchange rates, budget lines, cost entries and the budget versus actual; 422 with
the field named, 404 outside the parties, 403 without `contract.edit`."""

import datetime as dt
from decimal import Decimal

import pytest

from opencro.partnership.models import BudgetLine, CostEntry, ExchangeRate
from tests.partnership.budget_helpers import add_budget, add_cost, add_rates, execute

pytestmark = pytest.mark.django_db

API = "/api/v1/partners"
REASON = "Recorded twice by mistake."
LINE = {
    "service": "data_management",
    "description": "Query management",
    "unit": "per_visit",
    "quantity": "120",
    "unit_price": "12.50",
    "currency": "GBP",
}


def _call(client, user, method: str, url: str, body: dict | None = None):
    client.force_login(user)
    send = getattr(client, method)
    if body is None:
        return send(API + url)
    return send(API + url, body, content_type="application/json")


def _ok(response, status: int = 200):
    assert response.status_code == status, response.content
    return response.json() if status != 204 else None


def _fields(response) -> list[str]:
    """The input fields a 422 names: the services' `errors`, or the schema's `detail` locations."""
    assert response.status_code == 422, response.content
    body = response.json()
    if "errors" in body:
        return sorted(body["errors"])
    return sorted(str(error["loc"][-1]) for error in body["detail"])


def test_exchange_rates(partners, client):
    p = partners
    url = f"/agreements/{p.msa.pk}/exchange-rates"
    made = _ok(
        _call(client, p.acme_contracts, "post", url, {"currency": "eur", "effective_on": "2026-01-01", "rate": "1.1"}),
        201,
    )
    assert (made["currency"], made["base_currency"], made["rate"], made["effective_on"]) == (
        "EUR",
        "USD",
        "1.10000000",
        "2026-01-01",
    )
    assert made["created_by"] == p.acme_contracts.printed_name
    listed = _ok(_call(client, p.crux_viewer, "get", url))
    assert [(r["currency"], r["rate"]) for r in listed] == [("EUR", "1.10000000")]
    assert _fields(
        _call(client, p.acme_contracts, "post", url, {"currency": "USD", "effective_on": "2026-01-01", "rate": "2"})
    ) == ["currency"]
    assert _fields(
        _call(client, p.acme_contracts, "post", url, {"currency": "EUR", "effective_on": "2026-01-01", "rate": "1.2"})
    ) == ["effective_on"]
    assert _fields(
        _call(client, p.acme_contracts, "post", url, {"currency": "EUR", "effective_on": "2026-02-01", "rate": "0"})
    ) == ["rate"]
    assert _fields(
        _call(client, p.acme_contracts, "post", url, {"currency": "EURO", "effective_on": "2026-02-01", "rate": "1"})
    ) == ["currency"]
    assert (
        _call(
            client, p.acme_viewer, "post", url, {"currency": "GBP", "effective_on": "2026-02-01", "rate": "1"}
        ).status_code
        == 403
    )
    assert _call(client, p.borealis_contracts, "get", url).status_code == 404
    one = f"{url}/{made['id']}"
    assert _fields(_call(client, p.crux_contracts, "delete", one + "?reason=short")) == ["reason"]
    assert _call(client, p.crux_viewer, "delete", one + "?reason=" + REASON).status_code == 403
    assert _call(client, p.delta_contracts, "delete", one + "?reason=" + REASON).status_code == 404
    _ok(_call(client, p.crux_contracts, "delete", one + "?reason=" + REASON), 204)
    assert not ExchangeRate.objects.exists()


def test_budget_lines_of_an_unsigned_draft(partners, client):
    p = partners
    url = f"/work-orders/{p.work_order.pk}/budget-lines"
    made = _ok(_call(client, p.crux_contracts, "post", url, LINE), 201)
    assert (made["unit"], made["quantity"], made["unit_price"], made["currency"], made["work_order_id"]) == (
        "per_visit",
        "120.00",
        "12.50",
        "GBP",
        p.work_order.pk,
    )
    assert _fields(_call(client, p.crux_contracts, "post", url, {**LINE, "service": "biostatistics"})) == ["service"]
    assert _fields(_call(client, p.crux_contracts, "post", url, {**LINE, "unit": "per_week"})) == ["unit"]
    assert _fields(_call(client, p.crux_contracts, "post", url, {**LINE, "quantity": "-1"})) == ["quantity"]
    assert _fields(_call(client, p.crux_contracts, "post", url, {**LINE, "unit_price": "1.005"})) == ["unit_price"]
    assert _call(client, p.crux_exec, "post", url, LINE).status_code == 403
    assert _call(client, p.borealis_contracts, "post", url, LINE).status_code == 404
    one = f"{url}/{made['id']}"
    changed = _ok(_call(client, p.acme_contracts, "patch", one, {"quantity": "150", "description": None}))
    assert (changed["quantity"], changed["description"]) == ("150.00", "Query management")  # null: kept
    assert [x["id"] for x in _ok(_call(client, p.acme_viewer, "get", url))] == [made["id"]]
    assert _call(client, p.acme_viewer, "patch", one, {"quantity": "1"}).status_code == 403
    assert _call(client, p.acme_contracts, "patch", f"{url}/{made['id'] + 999}", {"quantity": "1"}).status_code == 404
    _ok(_call(client, p.acme_contracts, "delete", one), 204)
    assert not BudgetLine.objects.exists()


def test_a_signed_work_orders_lines_are_refused(partners, client):
    p = partners
    add_budget(p, ("sites",))
    execute(p)
    line = BudgetLine.objects.get()
    url = f"/work-orders/{p.work_order.pk}/budget-lines"
    response = _call(client, p.crux_contracts, "post", url, LINE)
    assert response.status_code == 422 and "change order" in str(response.json()["errors"])
    assert _call(client, p.crux_contracts, "patch", f"{url}/{line.pk}", {"quantity": "1"}).status_code == 422
    assert _call(client, p.crux_contracts, "delete", f"{url}/{line.pk}").status_code == 422
    line.refresh_from_db()
    assert line.quantity == Decimal(4)


def test_cost_entries_and_the_budget(partners, client):
    p = partners
    add_rates(p)
    lines = add_budget(p, ("sites", "travel", "japan"))
    url = f"/work-orders/{p.work_order.pk}/cost-entries"
    body = {"line_id": lines["travel"].pk, "incurred_on": "2026-07-10", "amount": "1010.00", "currency": "EUR"}
    response = _call(client, p.crux_contracts, "post", url, body)
    assert response.status_code == 422 and "executed" in str(response.json()["errors"])
    execute(p)
    made = _ok(_call(client, p.crux_contracts, "post", url, {**body, "reference": "INV-2"}), 201)
    assert (made["quantity"], made["amount"], made["currency"], made["reference"]) == (
        "1.00",
        "1010.00",
        "EUR",
        "INV-2",
    )
    assert _fields(_call(client, p.crux_contracts, "post", url, {**body, "line_id": lines["sites"].pk})) == ["line_id"]
    assert _fields(_call(client, p.crux_contracts, "post", url, {**body, "line_id": 2**40})) == ["line_id"]
    assert _fields(_call(client, p.crux_contracts, "post", url, {**body, "amount": "-5"})) == ["amount"]
    assert _call(client, p.acme_exec, "post", url, body).status_code == 403

    report = _ok(_call(client, p.acme_viewer, "get", f"/work-orders/{p.work_order.pk}/budget?as_of=2026-07-31"))
    assert (report["currency"], report["as_of"], report["planned_on"]) == ("USD", "2026-07-31", "2026-01-01")
    (monitoring, data) = report["services"]
    sites, travel = monitoring["lines"]
    # sites: 4 x 2000 EUR x 1.10 = 8800.00 planned; A1, B1 active x 2000 x 1.20 (2026-07-31) = 4800.00
    assert (sites["planned_amount"], sites["actual_units"], sites["actual_amount"], sites["percent_used"]) == (
        "8800.00",
        "2.00",
        "4800.00",
        "54.5",
    )
    # travel: 3300.00 planned; 1010 EUR x 1.20 (2026-07-10) = 1212.00; 3300 - 1212 = 2088.00
    assert (travel["actual_units"], travel["actual_amount"], travel["variance"]) == ("1.00", "1212.00", "2088.00")
    # monitoring: 8800 + 3300 = 12100.00; 4800 + 1212 = 6012.00; 6088.00 left; 49.7% used
    assert (monitoring["planned_amount"], monitoring["actual_amount"], monitoring["variance"]) == (
        "12100.00",
        "6012.00",
        "6088.00",
    )
    assert monitoring["percent_used"] == "49.7" and monitoring["complete"] is True
    (japan,) = data["lines"]
    assert japan["planned_amount"] is None and japan["problems"] and data["complete"] is False
    assert report["total"] == {
        "planned_amount": "12100.00",
        "actual_amount": "6012.00",
        "variance": None,
        "percent_used": None,
        "complete": False,
    }
    assert report["problems"] == japan["problems"]
    assert _fields(_call(client, p.acme_viewer, "get", f"/work-orders/{p.work_order.pk}/budget?as_of=someday")) == [
        "as_of"
    ]
    assert _call(client, p.delta_exec, "get", f"/work-orders/{p.work_order.pk}/budget").status_code == 404
    today = _ok(_call(client, p.acme_viewer, "get", f"/work-orders/{p.work_order.pk}/budget"))
    assert today["as_of"] == dt.datetime.now(dt.UTC).date().isoformat()  # today in the reader's zone (UTC)

    listed = _ok(_call(client, p.acme_viewer, "get", url))
    assert [(c["id"], c["line_id"]) for c in listed] == [(made["id"], lines["travel"].pk)]
    one = f"{url}/{made['id']}"
    assert _fields(_call(client, p.acme_contracts, "delete", one + "?reason=")) == ["reason"]
    assert _call(client, p.acme_viewer, "delete", one + "?reason=" + REASON).status_code == 403
    _ok(_call(client, p.acme_contracts, "delete", one + "?reason=" + REASON), 204)
    assert not CostEntry.objects.exists()
    assert _call(client, p.acme_contracts, "delete", one + "?reason=" + REASON).status_code == 404


def test_costs_of_a_line_enter_the_budget_at_their_own_day(partners, client):
    p = partners
    add_rates(p)
    lines = add_budget(p, ("travel",))
    execute(p)
    add_cost(p, lines["travel"], dt.date(2026, 3, 15), "950.00", "EUR")  # x 1.10 = 1045.00
    add_cost(p, lines["travel"], dt.date(2026, 7, 10), "1010.00", "EUR")  # x 1.20 = 1212.00
    url = f"/work-orders/{p.work_order.pk}/budget?as_of=2026-12-31"
    (travel,) = _ok(_call(client, p.crux_viewer, "get", url))["services"][0]["lines"]
    assert (travel["actual_units"], travel["actual_amount"]) == ("2.00", "2257.00")  # 1045 + 1212
