"""Issue reads: filters, the reader's sites, the steps offered, overdue on each site's calendar, counts per site, the
open issue of each signal, the history and the linked visits."""

import datetime as dt
from unittest import mock

import pytest
from django.http import Http404

from opencro.accounts.access import access_for
from opencro.audit.services import audited_save
from opencro.monitoring.issues import selectors, services
from opencro.monitoring.issues.selectors import IssueCounts
from opencro.monitoring.models import MonitoringVisit
from tests.monitoring.issues.helpers import (
    AUDITOR,
    CHECK,
    DM,
    MONITOR,
    PM,
    REASON,
    checking,
    closed,
    make_overdue,
    planned,
    raise_issue,
)

pytestmark = pytest.mark.django_db
AT_02_UTC = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # 31 May in Chicago (A1), 1 June in Tokyo (B1)


def _access(w, role=PM):
    return access_for(w.user(role), w.study.pk)


def _numbers(qs) -> list[str]:
    return [i.number for i in qs]


def test_list_filters(world):
    a = raise_issue(world, title="Late data entry", source="kri")
    b = raise_issue(world, site="b", source="qtl", owner=DM, title="Discontinuations above the QTL")
    c = make_overdue(planned(world, raise_issue(world, site="", source="audit", title="Audit: TMF gaps")))
    access = _access(world)
    # newest raised first: site B's today (Tokyo) is a day ahead of the others from 15:00 UTC
    newest_first = sorted((a, b, c), key=lambda issue: (issue.raised_on, issue.pk), reverse=True)
    assert _numbers(selectors.issue_list(access)) == [issue.number for issue in newest_first]
    assert _numbers(selectors.issue_list(access, site_id=world.site_b.pk)) == [b.number]
    assert _numbers(selectors.issue_list(access, status="planned")) == [c.number]
    assert _numbers(selectors.issue_list(access, source="kri")) == [a.number]
    assert _numbers(selectors.issue_list(access, owner_id=world.user(DM).pk)) == [b.number]
    assert _numbers(selectors.issue_list(access, overdue=True)) == [c.number]
    assert _numbers(selectors.issue_list(access, overdue=False)) == [i.number for i in newest_first if i != c]
    assert _numbers(selectors.issue_list(access, search="qtl")) == [b.number]
    assert _numbers(selectors.issue_list(access, search="kri0001")) == [issue.number for issue in newest_first]


def test_a_site_restricted_reader_sees_their_sites_only(world):
    a = raise_issue(world)
    b = raise_issue(world, site="b")
    study_wide = raise_issue(world, site="")
    access = _access(world, MONITOR)
    assert _numbers(selectors.issue_list(access)) == [a.number]
    assert selectors.issue_get(access, a.pk) == a
    for hidden in (b, study_wide):
        with pytest.raises(Http404):
            selectors.issue_get(access, hidden.pk)
    with pytest.raises(Http404):
        selectors.issue_get(access_for(world.outsider, world.other_study.pk), a.pk)


def test_steps_follow_the_status_and_the_permission(world):
    issue = raise_issue(world)
    pm = _access(world)
    assert selectors.issue_steps(pm, issue) == {"edit", "plan", "cancel"}
    assert selectors.issue_steps(pm, planned(world, issue)) == {"edit", "plan", "implement", "cancel"}
    assert selectors.issue_steps(pm, services.issue_implement(actor=world.user(PM), issue=issue)) == {"check"}
    done = services.issue_check(actor=world.user(PM), issue=issue, effectiveness_check=CHECK, effective=True)
    assert selectors.issue_steps(pm, done) == {"reopen"}
    assert selectors.issue_steps(_access(world, AUDITOR), done) == set()


def test_overdue_is_counted_on_each_sites_calendar(world):
    with mock.patch("django.utils.timezone.now", return_value=AT_02_UTC):
        at_a = raise_issue(world, due=dt.date(2026, 5, 31))  # today in Chicago
        at_b = raise_issue(world, site="b", due=dt.date(2026, 6, 1))  # today in Tokyo
    later = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)  # 1 June 05:00 in Chicago, 19:00 in Tokyo
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert selectors.issue_is_overdue(at_a) and not selectors.issue_is_overdue(at_b)
        assert _numbers(selectors.issue_list(_access(world), overdue=True)) == [at_a.number]
        assert selectors.issues_overdue_ids(_access(world), [at_a, at_b]) == {at_a.pk}
    with mock.patch("django.utils.timezone.now", return_value=AT_02_UTC):
        assert not selectors.issue_is_overdue(at_a)
        assert _numbers(selectors.issue_list(_access(world), overdue=True)) == []


def test_closed_and_cancelled_issues_are_never_overdue(world):
    done = make_overdue(closed(world, raise_issue(world)))
    cancelled = services.issue_cancel(actor=world.user(PM), issue=raise_issue(world), reason=REASON)
    cancelled = make_overdue(cancelled)
    assert not selectors.issue_is_overdue(done) and not selectors.issue_is_overdue(cancelled)
    assert _numbers(selectors.issue_list(_access(world), overdue=True)) == []


def test_counts_by_site_for_the_dashboard(world):
    make_overdue(raise_issue(world))
    raise_issue(world)
    closed(world, raise_issue(world))
    make_overdue(checking(world, raise_issue(world, site="b")))
    raise_issue(world, site="")
    counts = selectors.issue_counts_by_site(_access(world))
    assert counts == {
        world.site_a.pk: IssueCounts(open=2, overdue=1),
        world.site_b.pk: IssueCounts(open=1, overdue=1),
        None: IssueCounts(open=1, overdue=0),
    }
    assert selectors.issue_counts_by_site(_access(world, MONITOR)) == {world.site_a.pk: IssueCounts(2, 1)}


def test_issues_for_keys_gives_the_open_issue_of_each_signal(world):
    old = closed(world, raise_issue(world, key="kri1:A1"))
    current = raise_issue(world, key="kri1:A1")
    at_b = raise_issue(world, site="b", key="kri1:B1")
    found = selectors.issues_for_keys(_access(world), ["kri1:A1", "kri1:B1", "kri2:A1", ""])
    assert found == {"kri1:A1": current, "kri1:B1": at_b}
    assert old.pk != current.pk
    assert selectors.issues_for_keys(_access(world, MONITOR), ["kri1:A1", "kri1:B1"]) == {"kri1:A1": current}
    assert selectors.issues_for_keys(_access(world), []) == {}


def test_history_has_one_entry_per_step(world):
    issue = closed(world, raise_issue(world))
    history = selectors.issue_history(_access(world), issue)
    assert [h.action for h in history] == ["Create", "Update", "Update", "Update"]
    assert [h.reason for h in history] == ["", "Actions planned", "Actions implemented", CHECK]
    assert {f: new for f, _old, new in history[-1].changes}["status"] == "closed"
    assert {h.username for h in history} == {world.user(PM).username}


def test_visits_linked_to_the_issue_are_listed_at_the_readers_sites(world):
    issue = raise_issue(world, site="")
    for site, number in ((world.site_a, "MV-0001"), (world.site_b, "MV-0002")):
        audited_save(
            MonitoringVisit(
                study=world.study,
                site=site,
                number=number,
                visit_type="onsite",
                purpose="for_cause",
                monitor=world.user(MONITOR),
                planned_on=dt.date(2026, 7, 1),
                issue=issue,
            ),
            actor=None,
        )
    assert [v.number for v in selectors.issue_visits(_access(world), issue)] == ["MV-0001", "MV-0002"]
    assert [v.number for v in selectors.issue_visits(_access(world, MONITOR), issue)] == ["MV-0001"]


def test_owner_choices_hold_issue_managers_only(world):
    names = {m.user.username for m in selectors.issue_owner_choices(_access(world))}
    assert names == {world.user(r).username for r in (PM, MONITOR, DM, "sponsor_oversight")}
