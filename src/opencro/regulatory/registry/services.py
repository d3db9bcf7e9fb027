"""Recording what was registered: the current export kept as sent, with the date, the registry's identifier and the
protocol version it was made from, so later changes can be shown against it.

Needs `regulatory.edit` on every site of the study (`regulatory_require`); audited like every write.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.audit.services import audited_save
from opencro.formats.ctgov.registration import EU_CT_NUMBER, NCT_ID
from opencro.regulatory.models import Registry, RegistryRecord
from opencro.regulatory.registry import selectors
from opencro.regulatory.services._access import regulatory_require
from opencro.studies.dates import site_today
from opencro.studies.models import Study

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


def _study_today(study: Study) -> dt.date:
    """The latest calendar date among the study's sites (no site has reached a later one); the server's without."""
    days = [site_today(site) for site in study.sites.all()]
    return max(days) if days else timezone.localdate()
