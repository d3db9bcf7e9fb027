"""A follow-up world: the shared study with a build scheduling six visits, and helpers to enrol and visit."""

import dataclasses
import datetime as dt

import pytest

from opencro.edc.services.build import build_import
from opencro.edc.services.entry import event_open
from opencro.edc.spec import spec_cache_clear
from opencro.followup.backends import ConsoleBackend
from opencro.formats import build as b
from opencro.subjects import services as subjects
from tests.edc.builds import small_build

# (oid, name, day, window before, window after)
SCHEDULE = (
    ("SE.D1", "Day 1", 1, 0, 0),
    ("SE.W2", "Week 2", 15, 2, 2),
    ("SE.W4", "Week 4", 29, 3, 3),
    ("SE.W8", "Week 8", 57, 3, 3),
    ("SE.W12", "Week 12", 85, 5, 5),
)


def followup_build() -> b.StudyBuild:
    """The EDC tests' small build with a visit schedule: screening (day -14), five visits, an AE log."""
    base = small_build()
    events = [
        b.StudyEventDef("SE.SCR", "Screening", forms=[b.FormRef("F.DM", True)], day_offset=-14),
        *(
            b.StudyEventDef(
                oid, name, forms=[b.FormRef("F.VS", True)], day_offset=day, window_before=lo, window_after=hi
            )
            for oid, name, day, lo, hi in SCHEDULE
        ),
        b.StudyEventDef("SE.AE", "Adverse events", type="Common", forms=[b.FormRef("F.AE")]),
    ]
    protocol = [b.StudyEventRef(e.oid, order=n) for n, e in enumerate(events)]
    return dataclasses.replace(base, events=events, protocol=protocol)


@pytest.fixture(autouse=True)
def _console_outbox():
    ConsoleBackend.outbox.clear()
    yield
    ConsoleBackend.outbox.clear()


@pytest.fixture
def fu(world):
    """The shared world with the follow-up build published on T-001."""
    spec_cache_clear()
    world.version = build_import(actor=None, study=world.study, build=followup_build())
    return world


def enrol(site, number: str, enrolled_on: dt.date):
    subject = subjects.subject_screen(
        actor=None, site=site, number=number, screened_on=enrolled_on - dt.timedelta(days=7), sex="F"
    )
    return subjects.subject_enrol(actor=None, subject=subject, enrolled_on=enrolled_on)


def visit(subject, oid: str, on: dt.date | None):
    """Open a visit of the subject's casebook, with its date (None: started without a date)."""
    return event_open(actor=None, subject=subject, event_oid=oid, visit_date=on)
