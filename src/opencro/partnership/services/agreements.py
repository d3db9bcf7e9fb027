"""Master services agreement writes: draft, edit while unsigned, terminate. Signing is `signing.contract_sign`."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.models import Organisation, User
from opencro.accounts.permissions import OrgPerm
from opencro.audit.services import audited_save
from opencro.core.text import explanation_required
from opencro.partnership.catalogue import Party
from opencro.partnership.models import AgreementStatus, MasterServicesAgreement
from opencro.partnership.services.parties import REASON_MESSAGE, acting_organisation, acting_party

EDITABLE = ("title", "effective_on", "expires_on", "currency", "payment_terms_days", "governing_law")


def agreement_create(
    *, actor: User, counterparty: Organisation, title: str, effective_on: dt.date, **terms
) -> MasterServicesAgreement:
    """Draft an agreement between the actor's organisation and `counterparty` (a sponsor with a CRO)."""
    access = acting_organisation(actor, OrgPerm.CONTRACT_EDIT)
    unknown = set(terms) - set(EDITABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown agreement term.")})
    own = access.organisation
    if counterparty.kind == own.kind or not counterparty.is_active:
        raise ValidationError({"counterparty": _("Choose an active organisation of the other kind.")})
    sponsor, cro = (own, counterparty) if own.kind == Party.SPONSOR else (counterparty, own)
    with transaction.atomic():
        Organisation.objects.select_for_update(of=("self",)).filter(pk=cro.pk).first()  # one numbering at a time
        number = f"MSA-{MasterServicesAgreement.objects.filter(cro=cro).count() + 1:04d}"
        agreement = MasterServicesAgreement(
            number=number,
            sponsor=sponsor,
            cro=cro,
            title=title.strip(),
            effective_on=effective_on,
            created_by=actor,
            **terms,
        )
        if "currency" in terms:
            agreement.currency = terms["currency"].strip().upper()
        return audited_save(agreement, actor=actor)


def agreement_edit(*, actor: User, agreement: MasterServicesAgreement, **changes) -> MasterServicesAgreement:
    """Change a draft's terms; refused once either party has signed (a signature is bound to what it signed)."""
    acting_party(actor, agreement, OrgPerm.CONTRACT_EDIT)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown agreement term.")})
    with transaction.atomic():
        agreement = MasterServicesAgreement.objects.select_for_update(of=("self",)).get(pk=agreement.pk)
        if agreement.status != AgreementStatus.DRAFT or agreement.signed_by_any:
            raise ValidationError(_("A signed agreement is not edited."))
        for field, value in changes.items():
            setattr(agreement, field, value.strip().upper() if field == "currency" else value)
        return audited_save(agreement, actor=actor, reason="agreement edited")


def agreement_terminate(
    *, actor: User, agreement: MasterServicesAgreement, terminated_on: dt.date, reason: str
) -> MasterServicesAgreement:
    """End an agreement in force (either party, a signatory); its executed work orders must be closed first."""
    acting_party(actor, agreement, OrgPerm.CONTRACT_SIGN)
    reason = explanation_required(reason, field="reason", message=_(REASON_MESSAGE))
    with transaction.atomic():
        agreement = MasterServicesAgreement.objects.select_for_update(of=("self",)).get(pk=agreement.pk)
        if agreement.status != AgreementStatus.ACTIVE:
            raise ValidationError(_("Only an agreement in force is terminated."))
        if terminated_on < agreement.effective_on:
            raise ValidationError({"terminated_on": _("The agreement cannot end before it takes effect.")})
        open_orders = sorted(agreement.work_orders.filter(status="executed").values_list("number", flat=True))
        if open_orders:
            raise ValidationError(
                _("Close its executed work orders first: %(numbers)s.") % {"numbers": ", ".join(open_orders)}
            )
        agreement.status = AgreementStatus.TERMINATED
        agreement.terminated_on, agreement.termination_reason = terminated_on, reason
        return audited_save(agreement, actor=actor, reason=reason)
