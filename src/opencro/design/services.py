"""Design writes: save a computed design, adopt one into a draft protocol version (e-signed), delete a draft.

`design_compute` is the one road into the design library: it reads the submitted parameters, calls the
kind's library function and turns a `DesignInputError` into a ValidationError keyed by the parameter it
names, so pages show it beside the field and the API answers 422 naming it. Saving computes again: a
result sent by a client is never stored.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import SignatureMeaning, User
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signature_apply
from opencro.audit.services import audited_delete, audited_save
from opencro.design.kinds import KINDS, plain
from opencro.design.models import Design, DesignStatus
from opencro.design.params import MISSING, ParamError
from opencro.edc.esign import password_confirm
from opencro.stats.design.errors import DesignInputError
from opencro.studies.models import ProtocolVersion, ProtocolVersionStatus, Study


@dataclass(frozen=True)
class Computed:
    """A computed design: its kind, every parameter as the library took it (defaults filled), the answer."""

    kind: str
    inputs: dict[str, Any]
    result: dict[str, Any]


def design_compute(kind: str, inputs: dict[str, Any]) -> Computed:
    """Read `inputs` for `kind` and compute the design; nothing is written.

    Raises ValidationError keyed by parameter name: a value that is not of its type, an unknown
    parameter, or the library's refusal (DesignInputError names the parameter).
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationError({"kind": _("Unknown design kind.")})
    if not isinstance(inputs, dict):
        raise ValidationError({"inputs": _("Give the parameters as an object.")})
    errors: dict[str, str] = {}
    unknown = sorted(set(inputs) - {p.name for p in spec.params})
    for name in unknown:
        errors[str(name)[:100]] = _("Unknown parameter.")
    values: dict[str, Any] = {}
    for param in spec.params:
        try:
            values[param.name] = param.parse(inputs.get(param.name, MISSING))
        except ParamError as exc:
            errors[param.name] = exc.message
    if errors:
        raise ValidationError(errors)
    try:
        result = spec.compute(values)
    except DesignInputError as exc:
        raise ValidationError({exc.parameter: exc.message}) from None
    except (ValueError, ArithmeticError) as exc:
        message = _("The design could not be computed: %(error)s") % {"error": exc}
        raise ValidationError({NON_FIELD_ERRORS: message}) from None
    return Computed(kind=str(spec.code), inputs=plain(values), result=plain(result))


def design_save(
    *, actor: User | None, study: Study, name: str, kind: str, inputs: dict[str, Any], notes: str = ""
) -> Design:
    """Compute the design from `inputs` and save it as a draft of `study` (statisticians; audited)."""
    if actor is not None:
        access_require(actor, study, Perm.ANALYSIS_RUN)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the design a name.")})
    computed = design_compute(kind, inputs)
    design = Design(
        study=study,
        name=name,
        kind=computed.kind,
        inputs=computed.inputs,
        result=computed.result,
        notes=(notes or "").strip(),
        created_by=actor,
        created_at=timezone.now(),
    )
    with transaction.atomic():
        return audited_save(design, actor=actor)


def design_adopt(
    *, actor: User, design: Design, protocol_version: ProtocolVersion, password: str, reason: str = ""
) -> Design:
    """Adopt a draft design into a draft protocol version of its study, signed by the statistician.

    The study's previously adopted design becomes superseded (audited). The password is checked
    before anything is written, so a wrong one is recorded as a failed login and can lock the account.
    """
    access_require(actor, design.study_id, Perm.ANALYSIS_RUN)
    access_require(actor, design.study_id, Perm.SIGN)
    if protocol_version.study_id != design.study_id:
        raise ValidationError({"protocol_version": _("The protocol version belongs to another study.")})
    if protocol_version.status != ProtocolVersionStatus.DRAFT:
        raise ValidationError({"protocol_version": _("A design is adopted into a draft protocol version only.")})
    if not design.is_draft:
        raise ValidationError({"status": _("Only a draft design can be adopted.")})
    password_confirm(actor, password)
    why = reason.strip() or f"adopted into protocol version {protocol_version.version}"  # audit text stays English
    with transaction.atomic():
        design = Design.objects.select_for_update(of=("self",)).get(pk=design.pk)
        if not design.is_draft:
            raise ValidationError({"status": _("Only a draft design can be adopted.")})
        for older in Design.objects.select_for_update(of=("self",)).filter(
            study_id=design.study_id, status=DesignStatus.ADOPTED
        ):
            older.status = DesignStatus.SUPERSEDED
            audited_save(older, actor=actor, reason=f"superseded by design {design.name}")
        design.status = DesignStatus.ADOPTED
        design.protocol_version = protocol_version
        design.adopted_at = timezone.now()
        audited_save(design, actor=actor, reason=why)
        signature_apply(actor=actor, password=password, instance=design, meaning=SignatureMeaning.APPROVE)
    return design


def design_delete(*, actor: User, design: Design, reason: str) -> None:
    """Delete a draft design with the reason (an adopted or superseded design stays on record)."""
    access_require(actor, design.study_id, Perm.ANALYSIS_RUN)
    with transaction.atomic():
        stored = Design.objects.select_for_update(of=("self",)).get(pk=design.pk)
        if not stored.is_draft:
            raise ValidationError({"status": _("Only a draft design can be deleted.")})
        audited_delete(stored, actor=actor, reason=reason)
