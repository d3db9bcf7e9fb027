"""Issue and CAPA services: raising (numbers, calendar, owner, due date, one open issue per signal), each step and its
refusals, site isolation and the audit trail."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.audit.models import AuditRecord
from opencro.monitoring.issues import services
from opencro.monitoring.issues.dates import issue_today
from opencro.monitoring.models import IssueStatus, OversightIssue
from opencro.studies.models import Site
from tests.monitoring.issues.helpers import (
    AUDITOR,
    CHECK,
    CORRECTIVE,
    CRC,
    DM,
    MONITOR,
    PI,
    PM,
    PREVENTIVE,
    REASON,
    ROOT_CAUSE,
    SPONSOR,
    checking,
    closed,
    planned,
    raise_issue,
)

pytestmark = pytest.mark.django_db
OBJECT_TYPE = "monitoring.oversightissue"
# 02:00 UTC on 1 June 2026: still 31 May in Chicago (site A1), already 1 June in Tokyo (site B1)
AT_02_UTC = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def _records(issue: OversightIssue, field: str = "") -> list[AuditRecord]:
    qs = AuditRecord.objects.filter(object_type=OBJECT_TYPE, object_id=str(issue.pk)).order_by("id")
    return list(qs.filter(field=field) if field else qs)


def _error(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_raise_numbers_per_study_and_records_who_and_when(world):
    first = raise_issue(world)
    second = raise_issue(world, site="b", key="kri0001:B1")
    assert (first.number, second.number) == ("ISS-0001", "ISS-0002")
    assert first.status == IssueStatus.OPEN and first.raised_by == world.user(PM) and first.owner == world.user(PM)
    assert first.raised_on == issue_today(world.study.pk, world.site_a)
    created = _records(first)
    assert {r.field for r in created} >= {"number", "title", "source", "owner", "due_on", "status"}
    assert {r.action for r in created} == {"create"} and {r.username for r in created} == {world.user(PM).username}


def test_raised_on_is_today_on_the_sites_calendar(world):
    with mock.patch("django.utils.timezone.now", return_value=AT_02_UTC):
        at_a = raise_issue(world, due=dt.date(2026, 6, 30))
        at_b = raise_issue(world, site="b", due=dt.date(2026, 6, 30))
    assert at_a.raised_on == dt.date(2026, 5, 31)  # Chicago
    assert at_b.raised_on == dt.date(2026, 6, 1)  # Tokyo


def test_a_due_date_in_the_past_is_refused_today_is_not(world):
    with mock.patch("django.utils.timezone.now", return_value=AT_02_UTC):
        with pytest.raises(ValidationError) as exc:
            raise_issue(world, site="b", due=dt.date(2026, 5, 31))  # yesterday in Tokyo
        assert _error(exc) == {"due_on": ["The due date is in the past."]}
        assert raise_issue(world, site="a", due=dt.date(2026, 5, 31)).due_on == dt.date(2026, 5, 31)  # today in Chicago


def test_a_study_wide_issue_has_no_site(world):
    issue = raise_issue(world, site="", owner=SPONSOR)
    assert issue.site is None and issue.owner == world.user(SPONSOR)


@pytest.mark.parametrize("role", [CRC, PI, AUDITOR])
def test_roles_without_issue_manage_may_not_raise(world, role):
    with pytest.raises(PermissionDenied):
        raise_issue(world, actor=role, owner=PM)
    assert not OversightIssue.objects.exists()


def test_an_outsider_may_not_raise(world):
    with pytest.raises(PermissionDenied):
        services.issue_raise(
            actor=world.outsider,
            study=world.study,
            site=world.site_a,
            title="x",
            description="y",
            source="kri",
            owner=world.user(PM),
            due_on=dt.date(2099, 1, 1),
        )


def test_a_site_restricted_member_raises_only_at_their_sites(world):
    assert raise_issue(world, actor=MONITOR).site == world.site_a
    with pytest.raises(PermissionDenied, match="outside your membership"):
        raise_issue(world, actor=MONITOR, site="b")
    with pytest.raises(PermissionDenied, match="study-wide"):
        raise_issue(world, actor=MONITOR, site="")


@pytest.mark.parametrize(
    ("owner", "site", "message"),
    [
        (CRC, "a", "The owner must be a member of the study who may manage issues."),
        (AUDITOR, "a", "The owner must be a member of the study who may manage issues."),
        (MONITOR, "b", "The owner has no access to the issue's site."),
        (MONITOR, "", "The owner has no access to the issue's site."),
    ],
)
def test_the_owner_manages_issues_and_sees_the_site(world, owner, site, message):
    with pytest.raises(ValidationError) as exc:
        raise_issue(world, owner=owner, site=site)
    assert _error(exc) == {"owner": [message]}


def test_an_owner_outside_the_study_or_none_is_refused(world):
    for owner in (world.outsider, None):
        with pytest.raises(ValidationError) as exc:
            services.issue_raise(
                actor=world.user(PM),
                study=world.study,
                site=world.site_a,
                title="Late data entry",
                description="Pages entered late.",
                source="kri",
                owner=owner,
                due_on=dt.date(2099, 1, 1),
            )
        assert list(_error(exc)) == ["owner"]


def test_a_site_of_another_study_and_unknown_sources_are_refused(world):
    other_site = Site.objects.filter(study=world.other_study).first()
    base = {
        "actor": world.user(PM),
        "study": world.study,
        "title": "t",
        "description": "d",
        "owner": world.user(PM),
        "due_on": dt.date(2099, 1, 1),
    }
    with pytest.raises(ValidationError) as exc:
        services.issue_raise(site=other_site, source="kri", **base)
    assert list(_error(exc)) == ["site"]
    with pytest.raises(ValidationError) as exc:
        services.issue_raise(site=world.site_a, source="rumour", **base)
    assert list(_error(exc)) == ["source"]
    with pytest.raises(ValidationError) as exc:
        services.issue_raise(site=world.site_a, source="kri", **(base | {"title": "  "}))
    assert list(_error(exc)) == ["title"]


def test_a_signal_gets_one_open_issue(world):
    first = raise_issue(world, key="kri0001:A1")
    with pytest.raises(ValidationError) as exc:
        raise_issue(world, key="kri0001:A1")
    assert _error(exc) == {"source_key": ["Issue ISS-0001 is already open for this signal."]}
    assert raise_issue(world, key="kri0002:A1").number == "ISS-0002"  # another signal
    assert raise_issue(world, key="").number == "ISS-0003"  # no signal key: never a duplicate
    assert raise_issue(world, key="").number == "ISS-0004"
    closed(world, first)
    assert raise_issue(world, key="kri0001:A1").number == "ISS-0005"  # the signal again, after closing


def test_a_cancelled_issue_frees_its_signal(world):
    first = raise_issue(world, key="qtl:1")
    services.issue_cancel(actor=world.user(PM), issue=first, reason="Raised twice by mistake.")
    assert raise_issue(world, key="qtl:1").status == IssueStatus.OPEN


def test_edit_changes_fields_with_a_reason(world):
    issue = raise_issue(world)
    new_due = issue.due_on + dt.timedelta(days=7)
    edited = services.issue_edit(
        actor=world.user(PM),
        issue=issue,
        title="AE under-reporting at A1",
        description="Fewer AEs than the other sites.",
        owner=world.user(MONITOR),
        due_on=new_due,
        reason=REASON,
    )
    assert (edited.title, edited.owner, edited.due_on) == ("AE under-reporting at A1", world.user(MONITOR), new_due)
    assert {r.reason for r in _records(issue) if r.action == "update"} == {REASON}


def test_edit_needs_a_reason_and_a_valid_owner_and_date(world):
    issue = raise_issue(world)
    kwargs = {"title": issue.title, "description": issue.description, "due_on": issue.due_on}
    with pytest.raises(ValidationError) as exc:
        services.issue_edit(actor=world.user(PM), issue=issue, owner=world.user(PM), reason="short", **kwargs)
    assert _error(exc) == {"reason": ["Write at least 10 characters."]}
    with pytest.raises(ValidationError) as exc:
        services.issue_edit(actor=world.user(PM), issue=issue, owner=world.user(CRC), reason=REASON, **kwargs)
    assert list(_error(exc)) == ["owner"]
    past = kwargs | {"due_on": issue.raised_on - dt.timedelta(days=1)}
    with pytest.raises(ValidationError) as exc:
        services.issue_edit(actor=world.user(PM), issue=issue, owner=world.user(PM), reason=REASON, **past)
    assert _error(exc) == {"due_on": ["The due date is in the past."]}


def test_an_overdue_issue_can_still_be_edited_without_moving_its_date(world):
    issue = raise_issue(world)
    OversightIssue.objects.filter(pk=issue.pk).update(due_on=issue.raised_on - dt.timedelta(days=3))
    issue.refresh_from_db()
    edited = services.issue_edit(
        actor=world.user(PM),
        issue=issue,
        title="Renamed",
        description=issue.description,
        owner=issue.owner,
        due_on=issue.due_on,
        reason=REASON,
    )
    assert edited.title == "Renamed"


def test_plan_records_root_cause_and_actions(world):
    issue = planned(world, raise_issue(world))
    assert issue.status == IssueStatus.PLANNED
    assert (issue.root_cause, issue.corrective_action, issue.preventive_action) == (ROOT_CAUSE, CORRECTIVE, PREVENTIVE)
    assert {r.reason for r in _records(issue, "status")[1:]} == {"Actions planned"}


@pytest.mark.parametrize("field", ["root_cause", "corrective_action", "preventive_action"])
def test_plan_needs_each_part_in_twenty_characters(world, field):
    issue = raise_issue(world)
    texts = {"root_cause": ROOT_CAUSE, "corrective_action": CORRECTIVE, "preventive_action": PREVENTIVE}
    texts[field] = "Too short to say."
    with pytest.raises(ValidationError) as exc:
        services.issue_plan(actor=world.user(PM), issue=issue, **texts)
    assert _error(exc) == {field: ["Write at least 20 characters."]}
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN and issue.root_cause == ""


def test_changing_a_plan_needs_a_reason(world):
    issue = planned(world, raise_issue(world))
    texts = {"root_cause": ROOT_CAUSE, "corrective_action": CORRECTIVE + " Again.", "preventive_action": PREVENTIVE}
    with pytest.raises(ValidationError) as exc:
        services.issue_plan(actor=world.user(PM), issue=issue, **texts)
    assert list(_error(exc)) == ["reason"]
    services.issue_plan(actor=world.user(PM), issue=issue, reason="The retraining slot moved.", **texts)
    assert _records(issue, "corrective_action")[-1].reason == "The retraining slot moved."


def test_implement_moves_to_the_check_with_a_date_between_raising_and_today(world):
    issue = planned(world, raise_issue(world))
    today = issue_today(world.study.pk, world.site_a)
    for wrong in (today + dt.timedelta(days=1), issue.raised_on - dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            services.issue_implement(actor=world.user(PM), issue=issue, implemented_on=wrong)
        assert list(_error(exc)) == ["implemented_on"]
    done = services.issue_implement(actor=world.user(PM), issue=issue)
    assert (done.status, done.implemented_on) == (IssueStatus.CHECKING, today)


def test_an_effective_check_closes_the_issue(world):
    issue = checking(world, raise_issue(world))
    done = services.issue_check(actor=world.user(PM), issue=issue, effectiveness_check=CHECK, effective=True)
    assert (done.status, done.effective, done.closed_on) == (
        IssueStatus.CLOSED,
        True,
        issue_today(world.study.pk, world.site_a),
    )
    assert _records(done, "status")[-1].reason == CHECK


def test_an_ineffective_check_sends_the_issue_back_for_new_actions_and_keeps_the_history(world):
    issue = checking(world, raise_issue(world))
    failed = services.issue_check(
        actor=world.user(PM),
        issue=issue,
        effectiveness_check="Two AEs entered late again after the retraining.",
        effective=False,
    )
    assert (failed.status, failed.effective, failed.implemented_on, failed.closed_on) == (
        IssueStatus.PLANNED,
        False,
        None,
        None,
    )
    # new actions: no reason needed after an ineffective check
    services.issue_plan(
        actor=world.user(PM),
        issue=failed,
        root_cause=ROOT_CAUSE,
        corrective_action="Pair the coordinator with the lead CRC for two visits.",
        preventive_action=PREVENTIVE,
    )
    services.issue_implement(actor=world.user(PM), issue=failed)
    done = services.issue_check(actor=world.user(PM), issue=failed, effectiveness_check=CHECK, effective=True)
    assert done.status == IssueStatus.CLOSED
    assert [r.new_value for r in _records(done, "effectiveness_check") if r.new_value] == [
        "Two AEs entered late again after the retraining.",
        CHECK,
    ]
    assert [r.new_value for r in _records(done, "status")] == [
        "open",
        "planned",
        "checking",
        "planned",
        "checking",
        "closed",
    ]
    assert [r.new_value for r in _records(done, "corrective_action") if r.new_value] == [
        CORRECTIVE,
        "Pair the coordinator with the lead CRC for two visits.",
    ]


def test_the_check_needs_its_text(world):
    issue = checking(world, raise_issue(world))
    with pytest.raises(ValidationError) as exc:
        services.issue_check(actor=world.user(PM), issue=issue, effectiveness_check="fine", effective=True)
    assert list(_error(exc)) == ["effectiveness_check"]


@pytest.mark.parametrize(
    ("state", "refused"),
    [
        ("open", ["implement", "check", "reopen"]),
        ("planned", ["check", "reopen"]),
        ("checking", ["edit", "plan", "implement", "cancel", "reopen"]),
        ("closed", ["edit", "plan", "implement", "check", "cancel"]),
    ],
)
def test_steps_outside_their_statuses_are_refused(world, state, refused):
    issue = raise_issue(world)
    issue = {"open": lambda i: i, "planned": lambda i: planned(world, i), "checking": lambda i: checking(world, i)}.get(
        state, lambda i: closed(world, i)
    )(issue)
    pm = world.user(PM)
    calls = {
        "edit": lambda: services.issue_edit(
            actor=pm, issue=issue, title="t", description="d", owner=pm, due_on=issue.due_on, reason=REASON
        ),
        "plan": lambda: services.issue_plan(
            actor=pm, issue=issue, root_cause=ROOT_CAUSE, corrective_action=CORRECTIVE, preventive_action=PREVENTIVE
        ),
        "implement": lambda: services.issue_implement(actor=pm, issue=issue),
        "check": lambda: services.issue_check(actor=pm, issue=issue, effectiveness_check=CHECK, effective=True),
        "cancel": lambda: services.issue_cancel(actor=pm, issue=issue, reason=REASON),
        "reopen": lambda: services.issue_reopen(actor=pm, issue=issue, reason=REASON),
    }
    for step in refused:
        with pytest.raises(ValidationError) as exc:
            calls[step]()
        assert list(_error(exc)) == ["status"], step
        assert "this step does not apply" in _error(exc)["status"][0]
    issue.refresh_from_db()
    assert issue.status == state


def test_cancel_needs_a_reason(world):
    issue = raise_issue(world)
    with pytest.raises(ValidationError) as exc:
        services.issue_cancel(actor=world.user(PM), issue=issue, reason="dup")
    assert list(_error(exc)) == ["reason"]
    done = services.issue_cancel(actor=world.user(PM), issue=issue, reason="Duplicate of ISS-0002.")
    assert done.status == IssueStatus.CANCELLED
    assert _records(done, "status")[-1].reason == "Duplicate of ISS-0002."


def test_reopen_goes_back_to_planned_or_open(world):
    done = services.issue_reopen(actor=world.user(PM), issue=closed(world, raise_issue(world)), reason=REASON)
    assert (done.status, done.closed_on, done.effective, done.implemented_on) == (IssueStatus.PLANNED, None, None, None)
    assert done.root_cause == ROOT_CAUSE  # the plan is kept
    cancelled = services.issue_cancel(actor=world.user(PM), issue=raise_issue(world), reason=REASON)
    assert services.issue_reopen(actor=world.user(PM), issue=cancelled, reason=REASON).status == IssueStatus.OPEN
    with pytest.raises(ValidationError) as exc:
        services.issue_reopen(actor=world.user(PM), issue=cancelled, reason="")
    assert list(_error(exc)) == ["reason"]


def test_reopen_is_refused_while_another_issue_is_open_for_the_signal(world):
    first = services.issue_cancel(actor=world.user(PM), issue=raise_issue(world, key="k1"), reason=REASON)
    second = raise_issue(world, key="k1")
    with pytest.raises(ValidationError) as exc:
        services.issue_reopen(actor=world.user(PM), issue=first, reason=REASON)
    assert _error(exc) == {"source_key": [f"Issue {second.number} is already open for this signal."]}


def test_a_site_restricted_member_acts_only_at_their_sites(world):
    at_b = raise_issue(world, site="b")
    study_wide = raise_issue(world, site="")
    monitor = world.user(MONITOR)
    for issue in (at_b, study_wide):
        with pytest.raises(PermissionDenied):
            services.issue_plan(
                actor=monitor,
                issue=issue,
                root_cause=ROOT_CAUSE,
                corrective_action=CORRECTIVE,
                preventive_action=PREVENTIVE,
            )
        with pytest.raises(PermissionDenied):
            services.issue_cancel(actor=monitor, issue=issue, reason=REASON)
    at_a = raise_issue(world, owner=MONITOR)
    assert closed(world, at_a, actor=MONITOR).status == IssueStatus.CLOSED


@pytest.mark.parametrize("role", [DM, SPONSOR, MONITOR])
def test_every_role_holding_issue_manage_may_work_an_issue(world, role):
    issue = raise_issue(world, actor=role)
    assert closed(world, issue, actor=role).status == IssueStatus.CLOSED


def test_steps_are_refused_without_issue_manage(world):
    issue = raise_issue(world)
    for role in (AUDITOR, CRC):
        with pytest.raises(PermissionDenied):
            services.issue_cancel(actor=world.user(role), issue=issue, reason=REASON)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN
