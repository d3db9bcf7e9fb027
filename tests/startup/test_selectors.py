"""The start-up reads: planned against actual, cycle times and their medians, blockers, site scope."""

import datetime as dt

import pytest
from django.http import Http404

from opencro.accounts.access import access_for
from opencro.accounts.permissions import RoleCode
from opencro.startup import selectors
from opencro.startup import services as startup
from opencro.startup.models import MilestoneKind
from tests.startup.activation import prepare
from tests.startup.conftest import DAY

pytestmark = pytest.mark.django_db


def _access(world, role=RoleCode.PROJECT_MANAGER):
    return access_for(world.user(role), world.study.pk)


def _select(site, planned: dt.date, actual: dt.date | None) -> None:
    startup.site_milestone_set(
        actor=None, site=site, kind=MilestoneKind.SITE_SELECTED, planned_on=planned, actual_on=actual
    )


def test_cycle_times_and_their_medians(world, fresh_site):
    _select(world.site_a, dt.date(2025, 11, 1), dt.date(2025, 11, 1))  # 61 days to 2026-01-01
    _select(world.site_b, dt.date(2025, 12, 1), dt.date(2025, 12, 11))  # 21 days, 10 days late
    _select(fresh_site, dt.date(2026, 1, 5), dt.date(2026, 1, 10))
    prepare(fresh_site, DAY)
    startup.green_light_give(actor=None, site=fresh_site, on=DAY)  # 23 days
    board = selectors.startup_dashboard(_access(world))
    cycles = {s.site.number: s.cycle_days for s in board.sites}
    assert cycles == {"A1": 61, "B1": 21, "C1": 23}
    assert board.median_cycle_days == 23.0  # middle of 21, 23, 61
    by_country = {c.country.code: c.median_cycle_days for c in board.countries}
    assert by_country == {"US": 61.0, "JP": 21.0, "DE": 23.0}
    b1 = next(s for s in board.sites if s.site.number == "B1")
    selected = next(m for m in b1.milestones if m.kind == MilestoneKind.SITE_SELECTED)
    assert (selected.days_late, selected.late) == (10, True)
    assert board.active == 3
    assert board.late_milestones == 2  # B1's and C1's selection


def test_open_milestones_past_their_plan_are_overdue(fresh_site, world):
    startup.site_milestone_set(
        actor=None, site=fresh_site, kind=MilestoneKind.CONTRACT_SIGNED, planned_on=dt.date(2026, 3, 1)
    )
    startup.site_milestone_set(
        actor=None, site=fresh_site, kind=MilestoneKind.INITIATION_VISIT, planned_on=dt.date.today() + dt.timedelta(30)
    )
    c1 = next(s for s in selectors.startup_dashboard(_access(world)).sites if s.site.number == "C1")
    rows = {m.kind: m for m in c1.milestones}
    assert rows[MilestoneKind.CONTRACT_SIGNED].late and not rows[MilestoneKind.CONTRACT_SIGNED].done
    assert rows[MilestoneKind.CONTRACT_SIGNED].days_late == (c1.today - dt.date(2026, 3, 1)).days
    assert rows[MilestoneKind.INITIATION_VISIT].days_late is None  # not yet due


def test_blockers_are_the_rule_of_the_service(fresh_site, world):
    file = selectors.site_startup_file(_access(world), fresh_site.pk)
    assert {b.field for b in file.startup.blockers} >= {MilestoneKind.REGULATORY_APPROVAL, "training"}
    prepare(fresh_site, DAY)
    file = selectors.site_startup_file(_access(world), fresh_site.pk)
    assert file.startup.blockers == []
    assert [d.kind for d in file.documents] and [t.staff_name for t in file.training] == ["Dr C"]
    active = selectors.site_startup_file(_access(world), world.site_a.pk)
    assert active.startup.blockers == []  # given: nothing blocks any more


def test_site_restricted_roles_see_their_sites_only(world, fresh_site):
    board = selectors.startup_dashboard(_access(world, RoleCode.MONITOR))
    assert [s.site.number for s in board.sites] == ["A1"]
    assert [c.country.code for c in board.countries] == ["US"]
    with pytest.raises(Http404):
        selectors.site_startup_file(_access(world, RoleCode.MONITOR), world.site_b.pk)
