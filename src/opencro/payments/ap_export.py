"""The accounts-payable export of an approved payment run: one voucher per site and currency, in CSV.

Columns follow what an AP import (SAP, Oracle Payables, NetSuite vendor bills) asks for: the supplier number, the
invoice reference (run and site, unique), the invoice date (the approval day), the currency and the net amount,
with the payee's name and a description for the person who checks it. Gross and holdback are given for
reconciliation. Amounts are written with a point and two decimals, whatever the reader's language. A text cell that
a spreadsheet would read as a formula (=, +, -, @) is prefixed with an apostrophe (OWASP, CSV injection).
"""

import csv
import io
from collections import defaultdict
from decimal import Decimal

from django.http import HttpResponse

from opencro.payments.models import PaymentLine, PaymentRun

FORMULA = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    "supplier_number",
    "payee",
    "invoice_reference",
    "invoice_date",
    "currency",
    "net_amount",
    "gross_amount",
    "holdback_amount",
    "lines",
    "description",
)


def vouchers(run: PaymentRun) -> list[dict[str, str]]:
    """The run's vouchers: one per site and currency, in site order."""
    groups: dict[tuple[int, str], list[PaymentLine]] = defaultdict(list)
    lines = run.lines.select_related("site", "contract").order_by("site__number", "pk")
    for line in lines:
        groups[(line.site_id, line.currency)].append(line)
    day = run.approved_at.date().isoformat() if run.approved_at else ""
    rows = []
    for (_site, currency), group in groups.items():
        first = group[0]
        rows.append(
            {
                "supplier_number": _text(first.contract.payee_reference),
                "payee": _text(first.contract.payee),
                "invoice_reference": _text(f"{run.study.protocol_number}-{run.number}-{first.site.number}"),
                "invoice_date": day,
                "currency": currency,
                "net_amount": _amount(sum((line.net for line in group), Decimal(0))),
                "gross_amount": _amount(sum((line.gross for line in group), Decimal(0))),
                "holdback_amount": _amount(sum((line.holdback for line in group), Decimal(0))),
                "lines": str(len(group)),
                "description": _text(
                    f"{run.study.protocol_number} site {first.site.number} to {run.cutoff.isoformat()}"
                ),
            }
        )
    return rows


def _text(value: str) -> str:
    return "'" + value if value[:1] in FORMULA else value


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):.2f}"


def vouchers_csv(run: PaymentRun) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(vouchers(run))
    return buffer.getvalue()


def csv_response(run: PaymentRun) -> HttpResponse:
    """The file as a download named after the study and the run."""
    response = HttpResponse(vouchers_csv(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{run.study.protocol_number}-{run.number}-ap.csv"'
    return response
