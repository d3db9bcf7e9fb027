"""Site-payment API: site contracts and their fees, each site's statement, what is due, and payment runs (prepare,
approve with the approver's password, export for accounts payable, record the payment, cancel).

Reads need `payment.view` (a site-scoped member sees their sites only); writes `payment.manage`; approval
`payment.approve`. The study is found through the caller's memberships (404), the record through their sites (404),
then the permission is checked (403). Refusals answer 422 naming the field.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.payments import ap_export, selectors
from opencro.payments.earnings import Earning
from opencro.payments.models import PaymentLine, PaymentRun, SiteContract, SiteFee
from opencro.payments.services import contracts as contract_services
from opencro.payments.services import runs as run_services
from opencro.studies.models import Activity, Site, Visit

router = Router(tags=["site payments"])
BASE = "/{study_id}/payments"
CONTRACT = BASE + "/contracts/{contract_id}"
RUN = BASE + "/runs/{run_id}"


class SiteFeeOut(Schema):
    id: int
    kind: str
    label: str
    visit_id: int | None
    activity_id: int | None
    description: str
    amount: Decimal
    effective_from: dt.date
    ended_on: dt.date | None


class SiteContractOut(Schema):
    id: int
    site_id: int
    site_number: str
    currency: str
    payee: str
    payee_reference: str
    holdback_percent: Decimal
    screen_failure_limit: int | None
    status: str
    signed_on: dt.date | None
    holdback_released_on: dt.date | None
    fees: list[SiteFeeOut]


class SiteContractIn(Schema):
    site_id: int
    currency: str = Field(..., max_length=3)
    payee: str = Field(..., max_length=200)
    payee_reference: str = Field(..., max_length=40)
    holdback_percent: Decimal = Decimal(0)
    screen_failure_limit: int | None = Field(None, ge=0)


class SiteContractPatch(Schema):
    reason: str = Field(..., max_length=500)
    currency: str | None = Field(None, max_length=3)
    payee: str | None = Field(None, max_length=200)
    payee_reference: str | None = Field(None, max_length=40)
    holdback_percent: Decimal | None = None
    screen_failure_limit: int | None = Field(None, ge=0)


class SiteContractSignIn(Schema):
    signed_on: dt.date


class SiteFeeIn(Schema):
    kind: str
    amount: Decimal
    effective_from: dt.date
    visit_id: int | None = None
    activity_id: int | None = None
    description: str = Field("", max_length=200)
    ended_on: dt.date | None = None


class SiteFeeEndIn(Schema):
    ended_on: dt.date
    reason: str = Field(..., max_length=500)


class PaymentReasonIn(Schema):
    reason: str = Field(..., max_length=500)


class HoldbackReleaseIn(Schema):
    released_on: dt.date
    reason: str = Field(..., max_length=500)


class EarningOut(Schema):
    site_id: int
    kind: str
    description: str
    earned_on: dt.date
    currency: str
    gross: Decimal
    holdback: Decimal
    net: Decimal
    subject_id: int | None
    event_id: int | None
    fee_id: int | None
    run: str | None = Field(None, description="The payment run holding it; null while it is due")
    run_status: str | None = None


class MoneyOut(Schema):
    currency: str
    gross: Decimal
    holdback: Decimal
    net: Decimal


class StatementOut(Schema):
    contract_id: int
    site_number: str
    as_of: dt.date
    due: list[EarningOut]
    pending: list[EarningOut]
    paid: list[EarningOut]
    due_totals: list[MoneyOut]
    pending_totals: list[MoneyOut]
    paid_totals: list[MoneyOut]
    held_back: dict[str, Decimal]


class DueOut(Schema):
    as_of: dt.date
    items: list[EarningOut]
    totals: list[MoneyOut]


class PaymentRunOut(Schema):
    id: int
    number: str
    cutoff: dt.date
    status: str
    note: str
    created_by: str
    approved_by: str | None
    approved_at: dt.datetime | None
    exported_at: dt.datetime | None
    paid_on: dt.date | None
    payment_reference: str
    totals: list[MoneyOut]
    lines: list[EarningOut]


class PaymentRunIn(Schema):
    cutoff: dt.date
    note: str = Field("", max_length=2000)


class PaymentRunApproveIn(Schema):
    password: str


class PaymentRunPaidIn(Schema):
    paid_on: dt.date
    payment_reference: str = Field(..., max_length=60)


def _cents(value: Decimal) -> Decimal:
    """Two decimals, as stored: a record just saved holds the value as given (5, not 5.00)."""
    return Decimal(value).quantize(Decimal("0.01"))


def _fee(fee: SiteFee) -> dict:
    return {
        "id": fee.pk,
        "kind": fee.kind,
        "label": fee.label,
        "visit_id": fee.visit_id,
        "activity_id": fee.activity_id,
        "description": fee.description,
        "amount": _cents(fee.amount),
        "effective_from": fee.effective_from,
        "ended_on": fee.ended_on,
    }


def _contract(c: SiteContract) -> dict:
    fields = ("currency", "payee", "payee_reference", "screen_failure_limit", "status")
    return {
        "id": c.pk,
        "site_id": c.site_id,
        "site_number": c.site.number,
        **{name: getattr(c, name) for name in fields},
        "holdback_percent": _cents(c.holdback_percent),
        "signed_on": c.signed_on,
        "holdback_released_on": c.holdback_released_on,
        "fees": [_fee(f) for f in c.fees.select_related("visit", "activity")],
    }


def _item(item: Earning | PaymentLine) -> dict:
    run = item.run if isinstance(item, PaymentLine) else None
    return {
        "site_id": item.site_id,
        "kind": item.kind,
        "description": item.description,
        "earned_on": item.earned_on,
        "currency": item.currency,
        "gross": item.gross,
        "holdback": item.holdback,
        "net": item.net,
        "subject_id": item.subject_id,
        "event_id": item.event_id,
        "fee_id": item.fee_id,
        "run": run.number if run else None,
        "run_status": run.status if run else None,
    }


def _money(totals: selectors.Totals) -> list[dict]:
    return [{"currency": c, "gross": g, "holdback": h, "net": n} for c, g, h, n in totals.rows()]


def _run(access: StudyAccess, run: PaymentRun) -> dict:
    lines = list(selectors.run_lines(access, run).select_related("run"))
    return {
        "id": run.pk,
        "number": run.number,
        "cutoff": run.cutoff,
        "status": run.status,
        "note": run.note,
        "created_by": run.created_by.printed_name,
        "approved_by": run.approved_by.printed_name if run.approved_by else None,
        "approved_at": run.approved_at,
        "exported_at": run.exported_at,
        "paid_on": run.paid_on,
        "payment_reference": run.payment_reference,
        "totals": _money(selectors.totals(lines)),
        "lines": [_item(line) for line in lines],
    }


def _found(request, study_id: int, contract_id: int, perm: str) -> tuple[StudyAccess, SiteContract]:
    access = access_study(request.user, study_id)
    contract = selectors.contract_get(access, contract_id)
    return access_check(access, perm), contract


def _run_found(request, study_id: int, run_id: int, perm: str) -> tuple[StudyAccess, PaymentRun]:
    access = access_study(request.user, study_id)
    run = selectors.run_get(access, run_id)
    return access_check(access, perm), run


def _in_study(model, study_id: int, pk: int | None, field: str):
    if pk is None:
        return None
    found = model.objects.filter(study_id=study_id, pk=pk).first()
    if found is None:
        raise ValidationError({field: "No such record in this study."})
    return found


@router.get(BASE + "/contracts", response=list[SiteContractOut], summary="Site contracts with their fees")
def list_contracts(request, study_id: int):
    access = access_check(access_study(request.user, study_id), Perm.PAYMENT_VIEW)
    return [_contract(c) for c in selectors.contract_list(access)]


@router.post(BASE + "/contracts", response={201: SiteContractOut}, summary="Record a site's contract (a draft)")
def post_contract(request, study_id: int, payload: SiteContractIn):
    access = access_check(access_study(request.user, study_id), Perm.PAYMENT_MANAGE)
    site = Site.objects.filter(access.site_filter("pk"), study_id=study_id, pk=payload.site_id).first()
    if site is None:
        raise ValidationError({"site_id": "No such site of yours in this study."})
    data = payload.model_dump(exclude={"site_id"})
    contract = contract_services.site_contract_create(actor=request.user, site=site, known=access, **data)
    return Status(201, _contract(contract))


@router.get(CONTRACT, response=SiteContractOut, summary="A site's contract with its fees")
def get_contract(request, study_id: int, contract_id: int):
    _access, contract = _found(request, study_id, contract_id, Perm.PAYMENT_VIEW)
    return _contract(contract)


@router.patch(CONTRACT, response=SiteContractOut, summary="Change a draft contract's terms")
def patch_contract(request, study_id: int, contract_id: int, payload: SiteContractPatch):
    access, contract = _found(request, study_id, contract_id, Perm.PAYMENT_MANAGE)
    changes = payload.model_dump(exclude_unset=True, exclude={"reason"})
    contract = contract_services.site_contract_edit(
        actor=request.user, contract=contract, reason=payload.reason, known=access, **changes
    )
    return _contract(contract)


@router.post(CONTRACT + "/sign", response=SiteContractOut, summary="Record the day the site's contract was signed")
def post_contract_sign(request, study_id: int, contract_id: int, payload: SiteContractSignIn):
    access, contract = _found(request, study_id, contract_id, Perm.PAYMENT_MANAGE)
    contract = contract_services.site_contract_sign(
        actor=request.user, contract=contract, signed_on=payload.signed_on, known=access
    )
    return _contract(contract)


@router.post(CONTRACT + "/fees", response={201: SiteFeeOut}, summary="Add a fee (an amendment once signed)")
def post_fee(request, study_id: int, contract_id: int, payload: SiteFeeIn):
    access, contract = _found(request, study_id, contract_id, Perm.PAYMENT_MANAGE)
    data = payload.model_dump(exclude={"visit_id", "activity_id"})
    fee = contract_services.site_fee_add(
        actor=request.user,
        contract=contract,
        visit=_in_study(Visit, study_id, payload.visit_id, "visit_id"),
        activity=_in_study(Activity, study_id, payload.activity_id, "activity_id"),
        known=access,
        **data,
    )
    return Status(201, _fee(fee))


@router.post(CONTRACT + "/fees/{fee_id}/end", response=SiteFeeOut, summary="End a fee on its last day")
def post_fee_end(request, study_id: int, contract_id: int, fee_id: int, payload: SiteFeeEndIn):
    access, contract = _found(request, study_id, contract_id, Perm.PAYMENT_MANAGE)
    fee = selectors.fee_get(contract, fee_id)
    fee = contract_services.site_fee_end(actor=request.user, fee=fee, known=access, **payload.model_dump())
    return _fee(fee)


@router.delete(CONTRACT + "/fees/{fee_id}", response={204: None}, summary="Remove a fee of a draft contract")
def delete_fee(request, study_id: int, contract_id: int, fee_id: int, payload: PaymentReasonIn):
    access, contract = _found(request, study_id, contract_id, Perm.PAYMENT_MANAGE)
    fee = selectors.fee_get(contract, fee_id)
    contract_services.site_fee_remove(actor=request.user, fee=fee, reason=payload.reason, known=access)
    return Status(204, None)


@router.post(CONTRACT + "/holdback-release", response=SiteContractOut, summary="Release the site's holdback")
def post_holdback_release(request, study_id: int, contract_id: int, payload: HoldbackReleaseIn):
    access, contract = _found(request, study_id, contract_id, Perm.PAYMENT_MANAGE)
    contract = contract_services.holdback_release(
        actor=request.user, contract=contract, known=access, **payload.model_dump()
    )
    return _contract(contract)


def _as_of(value: dt.date | None) -> dt.date:
    today = timezone.localdate()
    return min(value or today, today)


@router.get(CONTRACT + "/statement", response=StatementOut, summary="What the site has earned: due, on runs, paid")
def get_statement(request, study_id: int, contract_id: int, as_of: dt.date | None = None):
    _access, contract = _found(request, study_id, contract_id, Perm.PAYMENT_VIEW)
    day = _as_of(as_of)
    s = selectors.statement(contract, day)
    return {
        "contract_id": contract.pk,
        "site_number": contract.site.number,
        "as_of": day,
        "due": [_item(e) for e in s.due],
        "pending": [_item(line) for line in s.pending],
        "paid": [_item(line) for line in s.paid],
        "due_totals": _money(s.due_totals),
        "pending_totals": _money(s.pending_totals),
        "paid_totals": _money(s.paid_totals),
        "held_back": s.held_back,
    }


@router.get(BASE + "/due", response=DueOut, summary="What the caller's sites earned up to a day and is on no run")
def get_due(request, study_id: int, as_of: dt.date | None = None):
    access = access_check(access_study(request.user, study_id), Perm.PAYMENT_VIEW)
    day = _as_of(as_of)
    due = selectors.due(access, day)
    return {"as_of": day, "items": [_item(e) for e in due], "totals": _money(selectors.totals(due))}


@router.get(BASE + "/runs", response=list[PaymentRunOut], summary="Payment runs (a site sees its own lines)")
def list_runs(request, study_id: int):
    access = access_check(access_study(request.user, study_id), Perm.PAYMENT_VIEW)
    return [_run(access, run) for run in selectors.run_list(access)]


@router.post(BASE + "/runs", response={201: PaymentRunOut}, summary="Prepare a run of what is due up to a cut-off")
def post_run(request, study_id: int, payload: PaymentRunIn):
    access = access_check(access_study(request.user, study_id), Perm.PAYMENT_MANAGE)
    run = run_services.payment_run_create(
        actor=request.user, study=access.membership.study, known=access, **payload.model_dump()
    )
    return Status(201, _run(access, run))


@router.get(RUN, response=PaymentRunOut, summary="A payment run with its lines")
def get_run(request, study_id: int, run_id: int):
    access, run = _run_found(request, study_id, run_id, Perm.PAYMENT_VIEW)
    return _run(access, run)


@router.post(RUN + "/approve", response=PaymentRunOut, summary="Approve a run (e-signature: the password again)")
def post_run_approve(request, study_id: int, run_id: int, payload: PaymentRunApproveIn):
    access, run = _run_found(request, study_id, run_id, Perm.PAYMENT_APPROVE)
    run = run_services.payment_run_approve(actor=request.user, run=run, password=payload.password, known=access)
    return _run(access, selectors.run_get(access, run.pk))


@router.post(RUN + "/cancel", response=PaymentRunOut, summary="Cancel a draft run: what it held is due again")
def post_run_cancel(request, study_id: int, run_id: int, payload: PaymentReasonIn):
    access, run = _run_found(request, study_id, run_id, Perm.PAYMENT_MANAGE)
    run = run_services.payment_run_cancel(actor=request.user, run=run, reason=payload.reason, known=access)
    return _run(access, run)


@router.post(RUN + "/export", summary="The accounts-payable file (CSV, one voucher per site and currency)")
def post_run_export(request, study_id: int, run_id: int):
    access, run = _run_found(request, study_id, run_id, Perm.PAYMENT_MANAGE)
    run = run_services.payment_run_export(actor=request.user, run=run, known=access)
    return ap_export.csv_response(run)


@router.post(RUN + "/paid", response=PaymentRunOut, summary="Record that accounts payable paid the run")
def post_run_paid(request, study_id: int, run_id: int, payload: PaymentRunPaidIn):
    access, run = _run_found(request, study_id, run_id, Perm.PAYMENT_MANAGE)
    run = run_services.payment_run_paid(actor=request.user, run=run, known=access, **payload.model_dump())
    return _run(access, selectors.run_get(access, run.pk))
