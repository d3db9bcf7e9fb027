"""Recording a site's contract and its fees, signing it, amending fees and releasing the holdback.

Every write needs `payment.manage` on the study and the site within the caller's sites. A draft contract is edited
freely; once signed (the date the clinical trial agreement was signed) its terms stand: fees are amended by ending
one and adding its successor, never by changing an amount that has been earned.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audited_delete, audited_save
from opencro.payments.models import ContractStatus, FeeKind, SiteContract, SiteFee
from opencro.studies.models import Activity, Site, Visit

EDITABLE = ("currency", "payee", "payee_reference", "holdback_percent", "screen_failure_limit")


def _require(actor: User, study_id: int, site_id: int, known: StudyAccess | None) -> None:
    access = access_require(actor, study_id, Perm.PAYMENT_MANAGE, known=known)
    if access.site_ids is not None and site_id not in access.site_ids:
        raise ValidationError({"site": _("The site is not one of yours.")})


def _locked(contract: SiteContract) -> SiteContract:
    return SiteContract.objects.select_for_update(of=("self",)).select_related("site").get(pk=contract.pk)


def site_contract_create(
    *,
    actor: User,
    site: Site,
    currency: str,
    payee: str,
    payee_reference: str,
    holdback_percent: Decimal = Decimal(0),
    screen_failure_limit: int | None = None,
    known: StudyAccess | None = None,
) -> SiteContract:
    """Record the money terms of a site's contract as a draft; a site has one contract."""
    _require(actor, site.study_id, site.pk, known)
    with transaction.atomic():
        if SiteContract.objects.filter(site=site).exists():
            raise ValidationError({"site": _("This site already has a contract.")})
        contract = SiteContract(
            study_id=site.study_id,
            site=site,
            currency=(currency or "").strip().upper(),
            payee=payee,
            payee_reference=payee_reference,
            holdback_percent=holdback_percent,
            screen_failure_limit=screen_failure_limit,
        )
        return audited_save(contract, actor=actor)


def site_contract_edit(
    *, actor: User, contract: SiteContract, reason: str, known: StudyAccess | None = None, **changes
) -> SiteContract:
    """Change a draft contract's terms (currency, payee, supplier number, holdback, screen-failure limit)."""
    _require(actor, contract.study_id, contract.site_id, known)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    with transaction.atomic():
        contract = _locked(contract)
        if contract.status != ContractStatus.DRAFT:
            raise ValidationError(_("A signed contract's terms stand; amend its fees instead."))
        for name, value in changes.items():
            setattr(contract, name, (value or "").strip().upper() if name == "currency" else value)
        return audited_save(contract, actor=actor, reason=reason)


def site_contract_sign(
    *, actor: User, contract: SiteContract, signed_on: dt.date, known: StudyAccess | None = None
) -> SiteContract:
    """Record that the site's contract was signed on `signed_on`; from then its fees are earned."""
    _require(actor, contract.study_id, contract.site_id, known)
    with transaction.atomic():
        contract = _locked(contract)
        if contract.status != ContractStatus.DRAFT:
            raise ValidationError(_("The contract is already signed."))
        if not contract.fees.exists():
            raise ValidationError(_("Add the contract's fees before recording its signature."))
        if signed_on is None or signed_on > timezone.localdate():
            raise ValidationError({"signed_on": _("Give the signature date; it cannot be in the future.")})
        contract.status, contract.signed_on = ContractStatus.SIGNED, signed_on
        return audited_save(contract, actor=actor, reason="contract signed")


def _overlaps(fee: SiteFee) -> bool:
    """Whether another fee for the same thing is in force on any day this one is."""
    if fee.kind == FeeKind.FIXED:
        return False
    same = SiteFee.objects.filter(
        contract_id=fee.contract_id, kind=fee.kind, visit_id=fee.visit_id, activity_id=fee.activity_id
    ).exclude(pk=fee.pk)
    far = dt.date.max
    return any(
        other.effective_from <= (fee.ended_on or far) and fee.effective_from <= (other.ended_on or far)
        for other in same
    )


def site_fee_add(
    *,
    actor: User,
    contract: SiteContract,
    kind: str,
    amount: Decimal,
    effective_from: dt.date,
    visit: Visit | None = None,
    activity: Activity | None = None,
    description: str = "",
    ended_on: dt.date | None = None,
    known: StudyAccess | None = None,
) -> SiteFee:
    """Add a fee to a contract (an amendment, once it is signed: the fee applies from `effective_from`)."""
    _require(actor, contract.study_id, contract.site_id, known)
    with transaction.atomic():
        contract = _locked(contract)
        fee = SiteFee(
            contract=contract,
            kind=kind,
            amount=amount,
            effective_from=effective_from,
            visit=visit,
            activity=activity,
            description=description.strip(),
            ended_on=ended_on,
        )
        fee.full_clean()
        if _overlaps(fee):
            raise ValidationError(
                {"effective_from": _("Another fee for the same thing applies on some of these days.")}
            )
        reason = "" if contract.status == ContractStatus.DRAFT else "contract amended"
        return audited_save(fee, actor=actor, reason=reason)


def site_fee_end(
    *, actor: User, fee: SiteFee, ended_on: dt.date, reason: str, known: StudyAccess | None = None
) -> SiteFee:
    """End a fee on `ended_on` (its last day); work already paid at this price must fall on or before it."""
    contract = fee.contract
    _require(actor, contract.study_id, contract.site_id, known)
    with transaction.atomic():
        _locked(contract)
        fee = SiteFee.objects.select_for_update(of=("self",)).get(pk=fee.pk)
        if fee.lines.filter(earned_on__gt=ended_on).exists():
            raise ValidationError({"ended_on": _("Work after this day was already paid at this fee.")})
        fee.ended_on = ended_on
        if ended_on >= fee.effective_from and _overlaps(fee):
            raise ValidationError({"ended_on": _("Another fee for the same thing applies on some of these days.")})
        return audited_save(fee, actor=actor, reason=reason)


def site_fee_remove(*, actor: User, fee: SiteFee, reason: str, known: StudyAccess | None = None) -> None:
    """Remove a fee of a draft contract (a signed contract's fees are ended, not removed)."""
    contract = fee.contract
    _require(actor, contract.study_id, contract.site_id, known)
    with transaction.atomic():
        contract = _locked(contract)
        if contract.status != ContractStatus.DRAFT:
            raise ValidationError(_("A signed contract's fee is ended, not removed."))
        audited_delete(fee, actor=actor, reason=reason)


def holdback_release(
    *, actor: User, contract: SiteContract, released_on: dt.date, reason: str, known: StudyAccess | None = None
) -> SiteContract:
    """Release the site's holdback (at its close-out): the next payment run pays what was withheld, and later
    earnings are paid whole."""
    _require(actor, contract.study_id, contract.site_id, known)
    with transaction.atomic():
        contract = _locked(contract)
        if contract.status != ContractStatus.SIGNED:
            raise ValidationError(_("Only a signed contract holds anything back."))
        if contract.holdback_released_on is not None:
            raise ValidationError(_("The holdback was already released."))
        contract.holdback_released_on = released_on
        return audited_save(contract, actor=actor, reason=reason)
