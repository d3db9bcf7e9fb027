"""Exchange rates: the latest rate in force wins, no inverse is guessed, a missing rate names the currency and the day,
amounts round to the cent half to even, and the batch reader converts many amounts in one query."""

import datetime as dt
from decimal import Decimal

import pytest

from opencro.partnership.rates import RateBook, RateMissing, money_convert, rate_on
from opencro.partnership.services import agreements, budgets, signing
from tests.conftest import PASSWORD
from tests.partnership.budget_helpers import add_rates
from tests.partnership.conftest import START

pytestmark = pytest.mark.django_db


def test_the_latest_rate_on_or_before_the_day_wins(partners):
    add_rates(partners)  # EUR 1.10 from 2025-12-01, 1.20 from 2026-06-01
    msa = partners.msa
    assert rate_on(msa, "EUR", dt.date(2025, 12, 1)) == Decimal("1.10")
    assert rate_on(msa, "EUR", dt.date(2026, 5, 31)) == Decimal("1.10")
    assert rate_on(msa, "EUR", dt.date(2026, 6, 1)) == Decimal("1.20")  # its first day
    assert rate_on(msa, "eur", dt.date(2030, 1, 1)) == Decimal("1.20")  # in force until another takes effect
    assert rate_on(msa, "USD", dt.date(1990, 1, 1)) == Decimal(1)  # the agreement's own currency


def test_a_missing_rate_names_the_currency_and_the_day(partners):
    add_rates(partners)
    with pytest.raises(RateMissing) as raised:
        rate_on(partners.msa, "EUR", dt.date(2025, 11, 30))  # before the first EUR rate
    assert "EUR" in raised.value.messages[0] and "2025-11-30" in raised.value.messages[0]
    assert (raised.value.currency, raised.value.day) == ("EUR", dt.date(2025, 11, 30))
    with pytest.raises(RateMissing, match=r"JPY .*2026-03-01"):
        money_convert(agreement=partners.msa, amount=Decimal(100), currency="JPY", on=dt.date(2026, 3, 1))


def test_no_inverse_is_guessed(partners):
    """MSA-0001 (USD) knows EUR -> USD; an agreement in EUR between the same parties does not learn USD -> EUR."""
    p = partners
    add_rates(p)
    in_euros = agreements.agreement_create(
        actor=p.crux_contracts, counterparty=p.acme, title="European services", effective_on=START, currency="EUR"
    )
    signing.contract_sign(actor=p.crux_exec, record=in_euros, password=PASSWORD)
    in_euros = signing.contract_sign(actor=p.acme_exec, record=in_euros, password=PASSWORD)
    with pytest.raises(RateMissing):
        rate_on(in_euros, "USD", dt.date(2026, 7, 1))
    with pytest.raises(RateMissing):
        RateBook(in_euros).convert(Decimal(100), "USD", dt.date(2026, 7, 1))
    budgets.exchange_rate_add(
        actor=p.acme_contracts, agreement=in_euros, currency="USD", effective_on=START, rate=Decimal("0.9")
    )
    assert rate_on(in_euros, "USD", dt.date(2026, 7, 1)) == Decimal("0.9")  # what was recorded, not 1 / 1.20
    assert rate_on(p.msa, "EUR", dt.date(2026, 7, 1)) == Decimal("1.20")  # the other agreement's rate is its own


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        ("0.125", "1", "0.12"),  # half to even: 0.125 -> 0.12 (2 is even)
        ("0.135", "1", "0.14"),  # 0.135 -> 0.14 (4 is even)
        ("226.50", "1.25", "283.12"),  # 283.125 -> 283.12
        ("226.70", "1.25", "283.38"),  # 283.375 -> 283.38
        ("100.00", "0.33333333", "33.33"),  # 33.333333 -> 33.33
        ("999999999999.99", "1.23456789", "1234567889999.99"),  # 1234567889999.98765...: the largest amount, exact
    ],
)
def test_amounts_are_rounded_to_the_cent_half_to_even(partners, amount, rate, expected):
    budgets.exchange_rate_add(
        actor=partners.crux_contracts, agreement=partners.msa, currency="CHF", effective_on=START, rate=Decimal(rate)
    )
    day = dt.date(2026, 2, 1)
    converted = money_convert(agreement=partners.msa, amount=Decimal(amount), currency="CHF", on=day)
    assert converted == Decimal(expected) and converted.as_tuple().exponent == -2
    assert RateBook(partners.msa).convert(Decimal(amount), "CHF", day) == Decimal(expected)


def test_the_agreements_own_currency_is_rounded_too(partners):
    assert money_convert(agreement=partners.msa, amount=Decimal("10.005"), currency="USD", on=START) == Decimal("10.00")


def test_the_rate_book_reads_once_and_agrees_with_rate_on(partners, django_assert_num_queries):
    add_rates(partners)
    days = [dt.date(2025, 12, 1) + dt.timedelta(days=n) for n in range(0, 400, 7)]
    with django_assert_num_queries(1):
        book = RateBook(partners.msa)
        converted = [book.convert(Decimal("1000.00"), "EUR", day) for day in days]
        gbp = book.rate("GBP", dt.date(2026, 1, 1))
    assert converted == [
        money_convert(agreement=partners.msa, amount=Decimal("1000.00"), currency="EUR", on=d) for d in days
    ]
    assert set(converted) == {Decimal("1100.00"), Decimal("1200.00")} and gbp == Decimal("1.25")
    with pytest.raises(RateMissing, match="GBP"):
        book.rate("GBP", dt.date(2025, 12, 31))
