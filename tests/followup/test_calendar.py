"""The visit calendar on crafted data: every state, site scoping, and a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencro.accounts.access import access_for
from opencro.accounts.permissions import RoleCode
from opencro.audit.services import audited_save
from opencro.edc.models.data import EventStatus
from opencro.edc.selectors import casebook_grid
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.followup.selectors import calendar_visits, visits_by_subject
from opencro.followup.visits import VisitState
from tests.followup.conftest import enrol, visit

pytestmark = pytest.mark.django_db

D = dt.date
DAY1 = D(2026, 9, 1)  # targets: SCR 08-18, D1 09-01, W2 09-15 (±2), W4 09-29 (±3), W8 10-27 (±3), W12 11-24 (±5)


def _states(subject, today):
    return {v.event_oid: v.state for v in visits_by_subject([subject], today)[subject.pk]}


def _crafted(fu):
    p = enrol(fu.site_a, "A1-101", DAY1)
    visit(p, "SE.SCR", D(2026, 8, 18))
    visit(p, "SE.D1", D(2026, 9, 1))
    visit(p, "SE.W2", D(2026, 9, 19))  # two days after its window: late
    return p


def test_states_on_crafted_data(fu):
    p = _crafted(fu)
    assert _states(p, D(2026, 10, 5)) == {
        "SE.D1": VisitState.DONE,
        "SE.W2": VisitState.LATE,
        "SE.W4": VisitState.OVERDUE,
        "SE.W8": VisitState.UPCOMING,
        "SE.W12": VisitState.UPCOMING,
    }
    later = _states(p, D(2026, 10, 25))
    assert later["SE.W8"] == VisitState.DUE and later["SE.W12"] == VisitState.UPCOMING


def test_targets_and_windows_agree_with_the_casebook_grid(fu):
    p = _crafted(fu)
    grid = {r.event_def.oid: (r.target, r.window) for r in casebook_grid(p, fu.version) if r.target}
    assert grid.pop("SE.SCR")[0] == D(2026, 8, 18)  # before Day 1: screening, not follow-up
    mine = {v.event_oid: (v.target, v.window) for v in visits_by_subject([p], D(2026, 10, 5))[p.pk]}
    assert mine == grid
    assert mine["SE.W4"] == (D(2026, 9, 29), (D(2026, 9, 26), D(2026, 10, 2)))
    assert "SE.AE" not in mine and "SE.SCR" not in mine  # a log; a visit before Day 1


def test_form_data_without_a_date_is_done_and_a_visit_recorded_not_done_is_missed(fu):
    p = _crafted(fu)
    form_save(actor=None, subject=p, event_oid="SE.W4", form_oid="F.VS", entries=[ItemEntry("IT.WEIGHT", "70")])
    event = visit(p, "SE.W8", None)
    event.status, event.not_done_reason = EventStatus.NOT_DONE, "participant in hospital"
    audited_save(event, actor=None, reason="visit not done")
    states = _states(p, D(2026, 11, 5))
    assert states["SE.W4"] == VisitState.DONE and states["SE.W8"] == VisitState.MISSED


def test_visits_after_the_end_of_follow_up_are_not_expected(fu):
    from opencro.followup.services import disposition_record

    p = _crafted(fu)
    disposition_record(actor=None, subject=p, outcome="completed", disposition_on=D(2026, 9, 20))
    states = _states(p, D(2026, 11, 26))
    assert states["SE.W4"] == VisitState.ENDED and states["SE.W12"] == VisitState.ENDED
    assert states["SE.W2"] == VisitState.LATE


def test_calendar_range_carries_overdue_visits_and_filters_by_state(fu):
    p = _crafted(fu)
    access = access_for(fu.user(RoleCode.PROJECT_MANAGER), fu.study.pk)
    today = D(2026, 10, 20)
    week = calendar_visits(access, today=today, start=D(2026, 10, 19), end=D(2026, 11, 1))
    mine = [(v.event_oid, v.state) for v in week if v.subject == p]
    assert mine == [("SE.W4", VisitState.OVERDUE), ("SE.W8", VisitState.UPCOMING)]
    overdue = calendar_visits(access, today=today, states=["overdue"])
    assert {(v.subject.number, v.event_oid) for v in overdue} >= {("A1-101", "SE.W4")}
    assert all(v.state == VisitState.OVERDUE for v in overdue)


def test_site_restricted_readers_see_their_sites_only(fu):
    enrol(fu.site_a, "A1-101", DAY1)
    enrol(fu.site_b, "B1-101", DAY1)
    coordinator = access_for(fu.user(RoleCode.STUDY_COORDINATOR), fu.study.pk)  # site A1 only
    numbers = {v.subject.number for v in calendar_visits(coordinator, today=D(2026, 10, 5))}
    assert numbers == {"A1-001", "A1-101"}


def test_the_calendar_reads_in_a_fixed_number_of_queries(fu):
    subjects = [enrol(fu.site_a, f"A1-1{n:02d}", DAY1) for n in range(6)]
    for s in subjects:
        visit(s, "SE.D1", DAY1)

    def count(group) -> int:
        with CaptureQueriesContext(connection) as ctx:
            visits_by_subject(group, D(2026, 10, 5))
        return len(ctx.captured_queries)

    assert count(subjects[:1]) == count(subjects) <= 8
