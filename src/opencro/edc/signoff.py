"""Investigator sign-off reads: the digest a casebook signature is bound to, and the sign-off state.

ICH E6(R3) 2.12 (the investigator's attestation of the data reported) and 21 CFR 11.70 (a signature
linked to its record so that it cannot be transferred to other content). The digest covers every
value and not-done reason of the subject and every visit date and status, in a stable order; it is
stored on the casebook, whose audited content the signature hashes.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType

from opencro.accounts.models import Signature
from opencro.edc.models import Casebook, EventData, FormData, ItemData


def casebook_digest(subject_id: int) -> str:
    """SHA-256 over the subject's clinical data, independent of row order and database."""
    lines = [
        json.dumps(["item", *row], default=str)
        for row in ItemData.objects.filter(form__subject_id=subject_id).values_list(
            "form__event__event_oid",
            "form__event__repeat_key",
            "form__form_oid",
            "form__repeat_key",
            "item_def__oid",
            "group_repeat",
            "value",
            "not_done_reason",
        )
    ]
    lines += [
        json.dumps(["event", *row], default=str)
        for row in EventData.objects.filter(subject_id=subject_id).values_list(
            "event_oid", "repeat_key", "visit_date", "status", "not_done_reason"
        )
    ]
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()


@dataclass
class SignoffState:
    """What the casebook's sign-off panel shows."""

    casebook: Casebook | None
    signatures: list[Signature] = field(default_factory=list)
    can_sign: bool = False

    @property
    def valid(self) -> list[Signature]:
        return [s for s in self.signatures if not s.is_broken]

    @property
    def broken(self) -> list[Signature]:
        return [s for s in self.signatures if s.is_broken]

    @property
    def status(self) -> str:
        """empty (no data yet), signed, broken (signed once, changed since), unsigned."""
        if self.casebook is None:
            return "empty"
        if self.valid:
            return "signed"
        return "broken" if self.broken else "unsigned"


def casebook_signatures(casebook: Casebook) -> list[Signature]:
    ct = ContentType.objects.get_for_model(Casebook)
    qs = Signature.objects.filter(content_type=ct, object_id=str(casebook.pk)).select_related("signer")
    return list(qs.order_by("-signed_at", "-id"))


def signoff_state(subject, *, can_sign: bool = False) -> SignoffState:
    casebook = Casebook.objects.filter(subject=subject).first()
    if casebook is None or not FormData.objects.filter(subject=subject).exists():
        return SignoffState(None, can_sign=False)
    return SignoffState(casebook, casebook_signatures(casebook), can_sign)


def signed_casebook_ids(study_id: int) -> set[int]:
    """Casebooks of the study holding at least one valid signature."""
    ct = ContentType.objects.get_for_model(Casebook)
    ids = Signature.objects.filter(content_type=ct, study_id=study_id, broken_at__isnull=True).values_list(
        "object_id", flat=True
    )
    return {int(pk) for pk in ids}
