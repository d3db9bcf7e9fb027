"""E-signatures on site-level EDC records (casebook sign-off, unlocks): the same signature as
`accounts.signatures`, with the audit records carrying the record's site.

21 CFR 11.50 (printed name, date and time, meaning), 11.70 (bound to the record), 11.200(a)
(re-authentication with the password at each signing). `accounts.signatures.signature_apply` writes
its audit records without a site, so a reader restricted to other sites would see "casebook
B1-001 signed"; these helpers pass the record's site, and are called by services that have already
checked the signer's permission.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts import services as account_services
from opencro.accounts.models import Signature, SignatureMeaning, User
from opencro.accounts.signatures import content_hash
from opencro.audit.models import AuditAction
from opencro.audit.services import audit_event, object_type_of


def password_confirm(actor: User, password: str) -> None:
    """Re-authenticate the signer; a wrong password counts as a failed login (and can lock the account).

    Call it outside the caller's transaction: the failure record must survive the refusal.
    """
    if actor.is_locked or not actor.check_password(password or ""):
        account_services.login_failure_record(username=actor.username)
        raise PermissionDenied(_("The password is not correct; the signature was not applied."))


def signature_record(*, actor: User, instance: models.Model, meaning: str) -> Signature:
    """Bind a signature to the instance's content as it is now; audited with the record's study and site."""
    study_id, site_id = instance.audit_scope()
    signature = Signature.objects.create(
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        study_id=study_id,
        signer=actor,
        printed_name=actor.printed_name,
        meaning=meaning,
        signed_at=timezone.now(),
        content_hash=content_hash(instance),
    )
    audit_event(
        actor=actor,
        action=AuditAction.SIGN,
        object_type=object_type_of(instance),
        object_id=instance.pk,
        object_repr=str(instance),
        study_id=study_id,
        site_id=site_id,
        changes={"signature": (None, f"{signature.printed_name}: {SignatureMeaning(meaning).label}")},
    )
    return signature


def signatures_valid(instance: models.Model) -> list[Signature]:
    ct = ContentType.objects.get_for_model(instance)
    qs = Signature.objects.filter(content_type=ct, object_id=str(instance.pk), broken_at__isnull=True)
    return list(qs.select_related("signer"))


def signatures_break(instance: models.Model, *, actor: User | None, reason: str) -> list[Signature]:
    """Mark broken every valid signature whose hash no longer matches the instance (as changed in memory).

    Called before the change is saved, so that `audited_save`'s own recheck finds nothing left to
    break and every record of the break carries the site.
    """
    current = content_hash(instance)
    study_id, site_id = instance.audit_scope()
    broken = []
    for signature in signatures_valid(instance):
        if signature.content_hash == current:
            continue
        signature.broken_at = timezone.now()
        signature.save(update_fields=["broken_at"])
        audit_event(
            actor=actor,
            action=AuditAction.SIGNATURE_BROKEN,
            object_type=object_type_of(instance),
            object_id=instance.pk,
            object_repr=str(instance),
            study_id=study_id,
            site_id=site_id,
            changes={"signature": (str(signature), None)},
            reason=reason,
        )
        broken.append(signature)
    return broken
