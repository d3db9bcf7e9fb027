"""Writes to the pre-screening log: one anonymous line per person considered at a site (no identifiers)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import User
from opencro.audit.services import audited_save
from opencro.studies.dates import site_today
from opencro.studies.models import Site
from opencro.subjects.guards import site_require
from opencro.subjects.models import PrescreeningEntry


def prescreening_log(
    *,
    actor: User | None,
    site: Site,
    logged_on: dt.date,
    source: str,
    outcome: str,
    reason: str = "",
    known: StudyAccess | None = None,
) -> PrescreeningEntry:
    """Log one person considered at `site`: date, where they came from, and the outcome (with its reason)."""
    site_require(actor, site, known=known)
    if logged_on > site_today(site):
        raise ValidationError({"logged_on": _("The date is in the future.")})
    entry = PrescreeningEntry(
        study_id=site.study_id,
        site=site,
        logged_on=logged_on,
        source=source,
        outcome=outcome,
        reason=reason.strip(),
        recorded_by=actor,
    )
    with transaction.atomic():
        return audited_save(entry, actor=actor)
