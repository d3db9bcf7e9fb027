"""Give a site its green light the way the rules ask, as the system: the fixtures' and tests' shortcut."""

import datetime as dt

from django.db import transaction

from opencro.audit.services import audit_batch
from opencro.startup import services as startup
from opencro.startup.models import REQUIRED_DOCUMENTS, MilestoneKind, StaffRole
from opencro.studies.models import ProtocolVersion, Site

COUNTRY_APPROVALS = (MilestoneKind.REGULATORY_APPROVAL, MilestoneKind.CENTRAL_ETHICS_APPROVAL)
SITE_STEPS = (MilestoneKind.CDA_SIGNED, MilestoneKind.CONTRACT_SIGNED, MilestoneKind.INITIATION_VISIT)


def prepare(site: Site, on: dt.date, *, version: ProtocolVersion | None = None) -> None:
    """Record, dated `on`, everything the green light needs: approvals, agreements, documents, SIV, training."""
    for kind in COUNTRY_APPROVALS:
        startup.country_milestone_set(actor=None, country=site.country, kind=kind, actual_on=on, reason="start-up")
    for kind in SITE_STEPS:
        startup.site_milestone_set(actor=None, site=site, kind=kind, actual_on=on, reason="start-up")
    for kind in REQUIRED_DOCUMENTS:
        startup.document_record(actor=None, site=site, kind=kind, received_on=on, approved_on=on)
    startup.training_record(
        actor=None,
        site=site,
        staff_name=site.principal_investigator,
        role=StaffRole.PRINCIPAL_INVESTIGATOR,
        trained_on=on,
        protocol_version=version,
    )


def activate(site: Site, on: dt.date, *, version: ProtocolVersion | None = None) -> Site:
    """Prepare the site and give it its green light on `on`; return the active site (one audit append)."""
    with transaction.atomic(), audit_batch():
        prepare(site, on, version=version)
        return startup.green_light_give(actor=None, site=site, on=on)
