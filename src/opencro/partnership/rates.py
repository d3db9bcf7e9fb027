"""Money in an agreement's currency: the exchange rate in force on a day, and amounts converted at it.

An agreement's `ExchangeRate` rows say what one unit of a currency is worth in the agreement's currency from a date
on; the rate of a day is the one with the latest `effective_on` on or before it. Only the direction recorded is
used: a rate from EUR into an agreement's USD says nothing about converting USD under an agreement in EUR, so no
inverse is ever guessed. Converted amounts are rounded to the cent, half to even (banker's rounding, so a column of
conversions carries no upward drift).

`rate_on` and `money_convert` convert one amount; `RateBook` loads an agreement's rates once and converts many.
"""

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opencro.partnership.models import ExchangeRate, MasterServicesAgreement

CENT = Decimal("0.01")
ONE = Decimal(1)
PRECISION = 60  # digits: a 14-digit amount times an 18-digit rate is exact before it is rounded to the cent


class RateMissing(ValidationError):
    """No exchange rate of `currency` is in force on `day` under the agreement."""

    def __init__(self, agreement: MasterServicesAgreement, currency: str, day: dt.date) -> None:
        message = _("No exchange rate from %(currency)s into %(base)s on %(day)s: add one to agreement %(number)s.") % {
            "currency": currency,
            "base": agreement.currency,
            "day": day.isoformat(),
            "number": agreement.number,
        }
        super().__init__(message, code="rate_missing")
        self.currency, self.day = currency, day


def _normal(currency: str) -> str:
    return currency.strip().upper()


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def rate_on(agreement: MasterServicesAgreement, currency: str, day: dt.date) -> Decimal:
    """Units of the agreement's currency for one unit of `currency` on `day` (1 for the agreement's own currency);
    RateMissing when no rate of `currency` took effect on or before `day`."""
    currency = _normal(currency)
    if currency == agreement.currency:
        return ONE
    found = (
        ExchangeRate.objects.filter(agreement=agreement, currency=currency, effective_on__lte=day)
        .order_by("-effective_on")
        .values_list("rate", flat=True)
        .first()
    )
    if found is None:
        raise RateMissing(agreement, currency, day)
    return found


def _converted(amount: Decimal, rate: Decimal) -> Decimal:
    with localcontext(prec=PRECISION):
        return _round(amount * rate)


def money_convert(*, agreement: MasterServicesAgreement, amount: Decimal, currency: str, on: dt.date) -> Decimal:
    """`amount` of `currency` in the agreement's currency at the rate in force `on`, to the cent (half to even)."""
    return _converted(amount, rate_on(agreement, currency, on))


class RateBook:
    """An agreement's exchange rates, read in one query, for converting many amounts (a budget, a payment run)."""

    def __init__(self, agreement: MasterServicesAgreement) -> None:
        self.agreement = agreement
        self.currency = agreement.currency
        days: dict[str, list[dt.date]] = defaultdict(list)
        rates: dict[str, list[Decimal]] = defaultdict(list)
        rows = ExchangeRate.objects.filter(agreement=agreement).order_by("currency", "effective_on")
        for currency, effective_on, rate in rows.values_list("currency", "effective_on", "rate"):
            days[currency].append(effective_on)
            rates[currency].append(rate)
        self._days, self._rates = dict(days), dict(rates)

    def rate(self, currency: str, on: dt.date) -> Decimal:
        """As `rate_on`, without a query."""
        currency = _normal(currency)
        if currency == self.currency:
            return ONE
        index = bisect_right(self._days.get(currency, []), on)
        if index == 0:
            raise RateMissing(self.agreement, currency, on)
        return self._rates[currency][index - 1]

    def convert(self, amount: Decimal, currency: str, on: dt.date) -> Decimal:
        """As `money_convert`, without a query."""
        return _converted(amount, self.rate(currency, on))
