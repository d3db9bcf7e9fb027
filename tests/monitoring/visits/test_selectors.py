"""Reads of visits: filters, scope, overdue reports and letters on each site's calendar, and the per-site schedule
driven by the plan and the latest KRI snapshot."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from opencro.accounts.access import access_for
from opencro.monitoring.models import KriResult, KriSnapshot, MonitoringPlan, VisitStatus
from opencro.monitoring.visits import selectors, services
from opencro.studies.dates import site_today
from tests.monitoring.visits.helpers import MONITOR, PM, SPONSOR, approved, days_ago, done, planned, submitted

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def _access(w, role):
    return access_for(w.user(role), w.study.pk)


def test_the_list_filters_and_keeps_to_the_readers_sites(world):
    a = planned(world)
    b = planned(world, site=world.site_b, visit_type="remote")
    pm, monitor = _access(world, PM), _access(world, MONITOR)
    assert list(selectors.visit_list(pm)) == [b, a]  # latest planned first: B1 (Tokyo) is never behind A1
    assert list(selectors.visit_list(monitor)) == [a]
    assert list(selectors.visit_list(pm, visit_type="remote")) == [b]
    assert list(selectors.visit_list(pm, site_id=world.site_a.pk)) == [a]
    assert list(selectors.visit_list(pm, monitor_id=world.user(PM).pk)) == [b]
    assert list(selectors.visit_list(pm, status=VisitStatus.CONFIRMED)) == []
    with pytest.raises(Http404):
        selectors.visit_get(monitor, b.pk)
    assert selectors.visit_get(pm, b.pk) == b


def test_a_planned_visit_not_reported_is_overdue_from_its_planned_date(world):
    old = planned(world, planned_on=days_ago(world.site_a, 12))  # due 10 days after: 2 days late
    recent = planned(world, planned_on=days_ago(world.site_a, 3))
    late = selectors.visits_overdue(_access(world, PM))
    assert set(late) == {old.pk}
    assert (late[old.pk].what, late[old.pk].days) == ("report", 2)
    assert [v.pk for v in selectors.visit_list(_access(world, PM), overdue=True)] == [old.pk]
    assert [v.pk for v in selectors.visit_list(_access(world, PM), overdue=False)] == [recent.pk]


def test_a_submitted_report_is_no_longer_overdue(world):
    visit = submitted(world, planned_on=days_ago(world.site_a, 30))
    assert selectors.visits_overdue(_access(world, PM)) == {}
    assert visit.report_due_on == visit.visited_on + dt.timedelta(days=10)


def test_the_plan_sets_the_report_due_days(world):
    MonitoringPlan.objects.create(study=world.study, report_due_days=3)
    visit = done(world, planned_on=days_ago(world.site_a, 5))
    assert visit.report_due_on == visit.visited_on + dt.timedelta(days=3)
    assert selectors.visits_overdue(_access(world, PM))[visit.pk].days == 2


def test_overdue_is_counted_on_each_sites_own_calendar(world):
    """The same due date, the same instant: 03:00 UTC is still the evening before in Chicago (UTC-6 in November)
    and already noon the next day in Tokyo (UTC+9). A1's report is not late yet; B1's is one day late."""
    a = done(world, planned_on=days_ago(world.site_a, 20))
    b = done(world, site=world.site_b, planned_on=days_ago(world.site_b, 20))
    plan = selectors.monitoring_plan(world.study.pk)
    due = a.report_due_on
    b.report_due_on = due  # align both on one due date (the sites' "today" may differ as the test runs)
    b.site = world.site_b
    instant = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(3, 0), tzinfo=UTC)
    assert site_today(world.site_a, instant) == due
    assert site_today(world.site_b, instant) == due + dt.timedelta(days=1)
    assert selectors.visit_overdue(a, plan, instant) is None
    late = selectors.visit_overdue(b, plan, instant)
    assert (late.what, late.due_on, late.days) == ("report", due, 1)
    # eighteen hours later it is the day after the due date in Chicago too
    later = instant + dt.timedelta(hours=18)
    assert selectors.visit_overdue(a, plan, later).days == 1
    assert selectors.visit_overdue(b, plan, later).days == 2


def test_a_follow_up_letter_not_sent_is_overdue_after_the_plans_days(world):
    visit = approved(world)
    plan = selectors.monitoring_plan(world.study.pk)
    approved_day = site_today(world.site_a, visit.approved_at)
    on_time = dt.datetime.combine(approved_day + dt.timedelta(days=5), dt.time(12), tzinfo=UTC)
    late = dt.datetime.combine(approved_day + dt.timedelta(days=7), dt.time(12), tzinfo=UTC)
    assert selectors.visit_overdue(visit, plan, on_time) is None
    found = selectors.visit_overdue(visit, plan, late)
    assert (found.what, found.due_on) == ("letter", approved_day + dt.timedelta(days=5))
    visit = services.visit_follow_up_send(actor=world.user(PM), visit=visit)
    assert selectors.visit_overdue(visit, plan, late) is None


def _kri(w, *, cut_on, flags: dict) -> KriSnapshot:
    snapshot = KriSnapshot.objects.create(study=w.study, cut_on=cut_on, created_at=timezone.now())
    for site, (code, flag) in flags.items():
        KriResult.objects.create(
            snapshot=snapshot,
            kri_code=code,
            level="site",
            group=site.number,
            site=site,
            numerator=1,
            denominator=10,
            flag=flag,
        )
    return snapshot


def _row(rows, site):
    return next(r for r in rows if r.site == site)


def test_sites_never_visited_are_due_now_once_they_have_participants(world):
    rows = selectors.site_schedule(_access(world, PM))
    a = _row(rows, world.site_a)
    assert (a.participants, a.last_onsite, a.next_due, a.due_now) == (1, None, site_today(world.site_a), True)
    assert "no on-site visit yet" in a.reason


def test_the_next_visit_is_due_after_the_interval_or_sooner_when_kri_flagged(world):
    a = done(world, planned_on=days_ago(world.site_a, 14))
    b = done(world, site=world.site_b, planned_on=days_ago(world.site_b, 14))
    pm = _access(world, PM)
    rows = selectors.site_schedule(pm)
    assert _row(rows, world.site_a).next_due == a.visited_on + dt.timedelta(weeks=8)
    assert not _row(rows, world.site_a).due_now
    # the older snapshot flags A1; the latest flags B1 at +2 and A1 only at +1 (below the plan's level 2)
    _kri(world, cut_on=dt.date(2026, 10, 1), flags={world.site_a: ("kri0001", 2)})
    _kri(world, cut_on=dt.date(2026, 11, 1), flags={world.site_b: ("kri0003", -2), world.site_a: ("kri0001", 1)})
    rows = selectors.site_schedule(pm)
    row_a, row_b = _row(rows, world.site_a), _row(rows, world.site_b)
    assert (row_a.flags, row_a.interval_weeks) == ([], 8)
    assert (row_b.flags, row_b.interval_weeks) == (["kri0003 -2"], 4)
    assert row_b.next_due == b.visited_on + dt.timedelta(weeks=4)
    assert "kri0003 -2" in row_b.reason and "2026-11-01" in row_b.reason
    # at flag level 1, A1's amber flag raises its frequency too
    MonitoringPlan.objects.create(study=world.study, flag_level=1)
    row_a = _row(selectors.site_schedule(pm), world.site_a)
    assert (row_a.flags, row_a.next_due) == (["kri0001 +1"], a.visited_on + dt.timedelta(weeks=4))


def test_a_site_restricted_reader_sees_only_their_sites_schedule(world):
    rows = selectors.site_schedule(_access(world, MONITOR))
    assert [r.site for r in rows] == [world.site_a]


def test_only_remote_visits_do_not_count_as_on_site(world):
    done(world, visit_type="remote", planned_on=days_ago(world.site_a, 3))
    row = _row(selectors.site_schedule(_access(world, PM)), world.site_a)
    assert (row.last_onsite, row.due_now) == (None, True)


def test_monitor_choices_hold_visit_manage_at_the_site(world):
    pm = _access(world, PM)
    at_b = {m.user for m in selectors.monitor_choices(pm, world.site_b)}
    at_a = {m.user for m in selectors.monitor_choices(pm, world.site_a)}
    assert world.user(MONITOR) in at_a and world.user(MONITOR) not in at_b
    assert world.user(PM) in at_b and world.user(SPONSOR) not in at_a
