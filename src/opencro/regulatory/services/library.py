"""Edits of the authorities library (shared by every study): authorities, their application types and clocks.

The editor needs `regulatory.edit` on the study they work in (every site), as for the site registry: the library
is the CRO's, and each change is audited with its reason.
"""

from django.db import transaction

from opencro.accounts.models import User
from opencro.audit.services import audited_save
from opencro.regulatory.models import ApplicationType, Authority, ClockRule
from opencro.regulatory.services._access import regulatory_require
from opencro.studies.models import Study


def authority_save(*, actor: User | None, study: Study, authority: Authority, reason: str = "") -> Authority:
    """Create or change an authority of the library."""
    regulatory_require(actor, study)
    with transaction.atomic():
        return audited_save(authority, actor=actor, reason=reason)


def application_type_save(
    *, actor: User | None, study: Study, application_type: ApplicationType, reason: str = ""
) -> ApplicationType:
    """Create or change an application type of an authority."""
    regulatory_require(actor, study)
    with transaction.atomic():
        return audited_save(application_type, actor=actor, reason=reason)


def clock_rule_save(*, actor: User | None, study: Study, rule: ClockRule, reason: str = "") -> ClockRule:
    """Create or change a review clock of an application type."""
    regulatory_require(actor, study)
    with transaction.atomic():
        return audited_save(rule, actor=actor, reason=reason)
