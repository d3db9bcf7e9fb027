"""Recording what was registered: the current export kept as sent, with the date, the registry's identifier and the
protocol version it was made from, so later changes can be shown against it; and the registration details the
protocol does not hold (`registration_details_save`), which the exports then carry.

Needs `regulatory.edit` on every site of the study (`regulatory_require`); audited like every write.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.audit.services import audited_save
from opencro.formats.ctgov.registration import EU_CT_NUMBER, NCT_ID
from opencro.regulatory.models import (
    CompletionDateType,
    MaskedRole,
    RegistrationDetails,
    Registry,
    RegistryRecord,
    StopStatus,
)
from opencro.regulatory.registry import selectors
from opencro.regulatory.services._access import regulatory_require
from opencro.rtsm.models import RandomisationScheme
from opencro.studies.dates import site_today
from opencro.studies.models import Study
from opencro.subjects.models import Subject

# What a registry's identifier looks like: an NCT number, or an EU CT number (Regulation (EU) No 536/2014, CTIS).
IDENTIFIERS = {
    Registry.CTGOV: (NCT_ID, "NCT12345678"),
    Registry.EUCTR: (EU_CT_NUMBER, "2024-512345-12-00"),
}


def registry_record_create(
    *, actor: User | None, study: Study, registry: str, registered_on: dt.date, identifier: str = ""
) -> RegistryRecord:
    """Keep the current export of `registry` as registered on `registered_on` (under `identifier`, if given).

    Refused: an unknown registry, a date after today at every site of the study, an identifier not of the
    registry's form, and an export that cannot be prepared (its problems are the message). Problems the registry
    would query are no reason to refuse: the record is what was sent, completed in the registry where needed.
    """
    regulatory_require(actor, study)
    identifier = identifier.strip()
    errors: dict[str, str] = {}
    if registry not in Registry.values:
        raise ValidationError({"registry": _("Unknown registry %(registry)s.") % {"registry": registry}})
    if registered_on > _study_today(study):
        errors["registered_on"] = _("The registration date cannot be in the future.")
    pattern, example = IDENTIFIERS[Registry(registry)]
    if identifier and not pattern.fullmatch(identifier):
        errors["identifier"] = _("Not an identifier of this registry (e.g. %(example)s).") % {"example": example}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = selectors.registry_current(study, registry)
        if current.document is None:
            raise ValidationError(
                {
                    "registry": [
                        _("The export cannot be prepared: %(problem)s") % {"problem": p} for p in current.problems
                    ]
                }
            )
        record = RegistryRecord(
            study=study,
            registry=registry,
            registered_on=registered_on,
            identifier=identifier,
            protocol_version=current.protocol_version,
            payload=current.document,
            recorded_by=actor,
        )
        return audited_save(record, actor=actor)


def registration_details_save(
    *,
    actor: User | None,
    study: Study,
    primary_purpose: str = "",
    who_masked: Sequence[str] = (),
    intervention_model: str = "",
    sex: str = "",
    healthy_volunteers: bool | None = None,
    primary_completion_date: dt.date | None = None,
    primary_completion_type: str = "",
    completion_date: dt.date | None = None,
    completion_type: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_phone_ext: str = "",
    contact_email: str = "",
    backup_name: str = "",
    backup_phone: str = "",
    backup_phone_ext: str = "",
    backup_email: str = "",
    official_name: str = "",
    official_affiliation: str = "",
    official_role: str = "",
    stop_status: str = "",
    why_stopped: str = "",
    reason: str = "",
) -> RegistrationDetails:
    """Set the study's registration details (every field: an empty one is cleared); a change needs a reason.

    Refused, every problem at once: a value outside its choices; a masked role twice, or any for an open-label
    study (an unblinded randomisation scheme); a completion date without its type (actual or anticipated) or a type
    without a date, an actual date after today at every site, a primary completion after the study completion; a
    stopped study without why (a reason without a stop), a study withdrawn although subjects are enrolled; a contact
    without a name, phone and email, a backup without a central contact; an overall official without a name,
    affiliation and role.
    """
    regulatory_require(actor, study)
    text = {
        "primary_purpose": primary_purpose,
        "intervention_model": intervention_model,
        "sex": sex,
        "primary_completion_type": primary_completion_type,
        "completion_type": completion_type,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "contact_phone_ext": contact_phone_ext,
        "contact_email": contact_email,
        "backup_name": backup_name,
        "backup_phone": backup_phone,
        "backup_phone_ext": backup_phone_ext,
        "backup_email": backup_email,
        "official_name": official_name,
        "official_affiliation": official_affiliation,
        "official_role": official_role,
        "stop_status": stop_status,
        "why_stopped": why_stopped,
    }
    values: dict[str, Any] = {name: value.strip() for name, value in text.items()}
    roles = [role.strip() for role in who_masked]
    values.update(
        who_masked=[role for role in MaskedRole.values if role in roles],  # in the v2 order
        healthy_volunteers=healthy_volunteers,
        primary_completion_date=primary_completion_date,
        completion_date=completion_date,
    )
    with transaction.atomic():
        details = RegistrationDetails.objects.select_for_update(of=("self",)).filter(study=study).order_by().first()
        errors = _details_errors(study, values, roles)
        if details is not None and not reason.strip():
            errors["reason"] = [_("A reason for change is required.")]
        details = details or RegistrationDetails(study=study)
        for name, value in values.items():
            setattr(details, name, value)
        try:
            details.clean_fields(exclude=["study"])
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        return audited_save(details, actor=actor, reason=reason.strip())


def _details_errors(study: Study, values: dict[str, Any], roles: list[str]) -> dict[str, list[str]]:
    """What is wrong with registration details taken together (each field's own choices are checked apart)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    unknown = sorted(set(roles) - set(MaskedRole.values))
    if unknown:
        add("who_masked", _("Not a masked role: %(roles)s.") % {"roles": ", ".join(unknown)})
    if len(roles) != len(set(roles)):
        add("who_masked", _("A role is masked once."))
    scheme = RandomisationScheme.objects.filter(study=study).only("blinded").first()
    if roles and scheme is not None and not scheme.blinded:
        add("who_masked", _("The randomisation scheme is not blinded: an open-label study masks no one."))
    today = _study_today(study)
    for prefix in ("primary_completion", "completion"):
        day, kind = values[f"{prefix}_date"], values[f"{prefix}_type"]
        if day is None and kind:
            add(f"{prefix}_date", _("Give the date of this type."))
        if day is not None and not kind:
            add(f"{prefix}_type", _("Say whether the date is actual or anticipated."))
        if day is not None and kind == CompletionDateType.ACTUAL and day > today:
            add(f"{prefix}_date", _("An actual date cannot be in the future."))
    first, last = values["primary_completion_date"], values["completion_date"]
    if first is not None and last is not None and first > last:
        add("completion_date", _("The study completes on or after its primary completion."))
    if values["stop_status"] and not values["why_stopped"]:
        add("why_stopped", _("Say why the study stopped."))
    if values["why_stopped"] and not values["stop_status"]:
        add("stop_status", _("A reason for stopping is given for a stopped study only."))
    if values["stop_status"] == StopStatus.WITHDRAWN:
        enrolled = Subject.objects.filter(study=study, enrolled_on__isnull=False).count()
        if enrolled:
            add(
                "stop_status",
                _("A withdrawn study stopped before its first participant; %(n)d are enrolled (terminated?).")
                % {"n": enrolled},
            )
    for prefix in ("contact", "backup"):
        given = any(values[f"{prefix}_{part}"] for part in ("name", "phone", "phone_ext", "email"))
        for part in ("name", "phone", "email"):
            if given and not values[f"{prefix}_{part}"]:
                add(f"{prefix}_{part}", _("Required for a contact (name, phone and email)."))
    if values["backup_name"] and not values["contact_name"]:
        add("contact_name", _("Give the central contact before its backup."))
    if any(values[f"official_{part}"] for part in ("name", "affiliation", "role")):
        for part in ("name", "affiliation", "role"):
            if not values[f"official_{part}"]:
                add(f"official_{part}", _("Required for the overall official (name, affiliation and role)."))
    return errors


def _study_today(study: Study) -> dt.date:
    """The latest calendar date among the study's sites (no site has reached a later one); the server's without."""
    days = [site_today(site) for site in study.sites.all()]
    return max(days) if days else timezone.localdate()
