"""The shared world plus what designs need: draft protocol versions of the study and of the other study."""

import datetime as dt

import pytest
from django.utils import translation

from opencro.accounts.permissions import RoleCode
from opencro.design.services import design_save
from opencro.studies import services as studies
from opencro.studies.models import ProtocolVersion

STAT = RoleCode.BIOSTATISTICIAN
MEANS = {"delta": 5, "sd": 10}  # the rest at their defaults: alpha 0.05 two-sided, power 0.8, t-test


@pytest.fixture(autouse=True)
def _english():
    """Start every test in English: a request in another language leaves it active in the thread."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def design_world(world):
    """`world` with draft protocol version 2.0 and approved 1.0 on T-001, draft 1.0 on T-002."""
    save = studies.protocol_item_save
    world.draft = save(actor=None, instance=ProtocolVersion(study=world.study, version="2.0"))
    world.approved = save(
        actor=None,
        instance=ProtocolVersion(
            study=world.study, version="1.0", effective_date=dt.date(2026, 1, 1), status="approved"
        ),
    )
    world.other_draft = save(actor=None, instance=ProtocolVersion(study=world.other_study, version="1.0"))
    world.stat = world.user(STAT)
    return world


def saved(world, name: str = "Primary", kind: str = "means", inputs: dict | None = None, **kw):
    """A draft design of T-001 saved by the biostatistician."""
    return design_save(
        actor=world.user(STAT), study=world.study, name=name, kind=kind, inputs=inputs or dict(MEANS), **kw
    )
