"""E-signatures (21 CFR 11.50, 11.70, 11.200): re-authenticate, bind to content, detect change.

A signature stores SHA-256 of the signed object's audited content. Whenever `audited_save`
changes the object, `signatures_recheck` recomputes that hash and marks every signature whose
hash no longer matches as broken, writing an audit record for each.
"""

import hashlib
import json

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts import services as account_services
from opencro.accounts.models import Signature, SignatureMeaning, User
from opencro.accounts.permissions import Perm
from opencro.audit.models import AuditAction
from opencro.audit.services import audit_event, audited_values, object_type_of


def content_hash(instance: models.Model) -> str:
    """Hash what a signature is bound to: the object's audited values, less its workflow fields.

    A model lists in `signature_exclude` the fields that record the signing workflow itself
    (such as an approval status), so that approving a document does not break its author's signature.
    """
    exclude = set(getattr(instance, "signature_exclude", ()))
    values = {k: v for k, v in audited_values(instance).items() if k not in exclude}
    payload = {"type": object_type_of(instance), "id": str(instance.pk), "values": values}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def signature_apply(
    *, actor: User, password: str, instance: models.Model, meaning: str, authorised: bool = False
) -> Signature:
    """Sign `instance` as `actor` after checking their password again; audited.

    The actor needs esign.sign on the record's study, unless the caller has already `authorised` them by another rule
    (a contract is signed for an organisation, by people who need not be members of the study).
    """
    from opencro.accounts.access import access_require

    study_id, site_id = instance.audit_scope()
    if study_id is not None and not authorised:
        from opencro.studies.models import Study

        access_require(actor, Study.objects.get(pk=study_id), Perm.SIGN)
    if meaning not in SignatureMeaning.values:
        raise ValidationError({"meaning": _("Unknown signature meaning.")})
    if actor.is_locked or not actor.check_password(password):
        account_services.login_failure_record(username=actor.username)
        raise PermissionDenied(_("The password is not correct; the signature was not applied."))
    with transaction.atomic():
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


def signatures_for_many(instances: list[models.Model]) -> dict[str, list[Signature]]:
    """Signatures of several objects of one model in one query: {str(pk): [signature, ...]}."""
    if not instances:
        return {}
    ct = ContentType.objects.get_for_model(instances[0])
    ids = [str(i.pk) for i in instances]
    found: dict[str, list[Signature]] = {pk: [] for pk in ids}
    for signature in Signature.objects.filter(content_type=ct, object_id__in=ids).select_related("signer"):
        found[signature.object_id].append(signature)
    return found


def signatures_for(instance: models.Model) -> list[Signature]:
    ct = ContentType.objects.get_for_model(instance)
    return list(Signature.objects.filter(content_type=ct, object_id=str(instance.pk)).select_related("signer"))


def signatures_recheck(instance: models.Model, *, actor: User | None) -> list[Signature]:
    """Mark signatures broken whose bound content changed; return those newly broken."""
    ct = ContentType.objects.get_for_model(instance)
    current = content_hash(instance)
    broken = []
    for signature in Signature.objects.filter(content_type=ct, object_id=str(instance.pk), broken_at__isnull=True):
        if signature.content_hash == current:
            continue
        signature.broken_at = timezone.now()
        signature.save(update_fields=["broken_at"])
        study_id, site_id = instance.audit_scope()
        audit_event(
            actor=actor,
            action=AuditAction.SIGNATURE_BROKEN,
            object_type=object_type_of(instance),
            object_id=instance.pk,
            object_repr=str(instance),
            study_id=study_id,
            site_id=site_id,
            changes={"signature": (str(signature), None)},
            reason="signed content changed",  # audit text stays English, whatever the UI language
        )
        broken.append(signature)
    return broken
