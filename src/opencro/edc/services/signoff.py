"""Investigator sign-off of a casebook (e-signed), and breaking it when the signed data change.

ICH E6(R3) 2.12, 21 CFR 11.50/11.70/11.200. The signature hashes the casebook's audited content,
which includes `data_digest` (edc.signoff.casebook_digest); while a casebook holds a valid
signature every data change refreshes the digest, which marks the signature broken, visibly and audited.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import Signature, SignatureMeaning, User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audited_save
from opencro.edc.esign import password_confirm, signature_record, signatures_break, signatures_valid
from opencro.edc.models import Casebook, FormData
from opencro.edc.signoff import casebook_digest
from opencro.subjects.models import Subject

SIGNOFF_MEANINGS = (SignatureMeaning.APPROVE, SignatureMeaning.REVIEW)


def casebook_signoff(
    *, actor: User, subject: Subject, password: str, meaning: str = SignatureMeaning.APPROVE
) -> Signature:
    """Sign the subject's casebook as investigator after re-entering the password."""
    access = access_require(actor, subject.study, Perm.SIGNOFF)
    if access.site_ids is not None and subject.site_id not in access.site_ids:
        raise PermissionDenied(_("This site is outside your membership."))
    if meaning not in SIGNOFF_MEANINGS:
        raise ValidationError({"meaning": _("A casebook is signed to approve or as reviewed.")})
    casebook = Casebook.objects.filter(subject=subject).first()
    if casebook is None or not FormData.objects.filter(subject=subject).exists():
        raise ValidationError({"casebook": _("This casebook holds no data to sign yet.")})
    password_confirm(actor, password)
    with transaction.atomic():
        casebook = Casebook.objects.select_for_update(of=("self",)).get(pk=casebook.pk)
        _digest_store(casebook, actor=actor, reason="casebook signed off")
        return signature_record(actor=actor, instance=casebook, meaning=meaning)


def _digest_store(casebook: Casebook, *, actor: User | None, reason: str) -> list[Signature]:
    """Store the current digest; break (audited, with the site) every signature it no longer matches."""
    digest = casebook_digest(casebook.subject_id)
    if digest == casebook.data_digest:
        return []
    casebook.data_digest = digest
    broken = signatures_break(casebook, actor=actor, reason="signed data changed")
    audited_save(casebook, actor=actor, reason=reason)
    return broken


def casebook_data_changed(
    *, actor: User | None, subject: Subject, reason: str = "", casebook: Casebook | None = None
) -> list[Signature]:
    """After a data change: if the casebook is signed, refresh its digest and break what no longer matches.

    Runs inside the data-entry services (which checked permission); costs one query when unsigned
    (two when the caller does not pass the casebook it already holds).
    """
    casebook = casebook or Casebook.objects.filter(subject=subject).first()
    if casebook is None or not signatures_valid(casebook):
        return []
    return _digest_store(casebook, actor=actor, reason=reason.strip() or "data changed after sign-off")
