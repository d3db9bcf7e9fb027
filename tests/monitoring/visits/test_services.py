"""Monitoring plan and visit writes: each step, its refusals, permissions and site scope, letters and notices."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts import services as accounts
from opencro.accounts.signatures import signatures_for
from opencro.audit.models import AuditRecord
from opencro.edc.models import FormData
from opencro.monitoring.models import MonitoringPlan, OversightIssue, VisitFinding, VisitStatus
from opencro.monitoring.visits import services
from opencro.notices.models import Notice
from opencro.studies.dates import site_today
from opencro.subjects import services as subjects
from tests.conftest import PASSWORD, make_user
from tests.monitoring.visits.helpers import (
    CRC,
    MONITOR,
    PI,
    PM,
    SPONSOR,
    approved,
    days_ago,
    done,
    forms_with_sdv,
    planned,
    submitted,
)

pytestmark = pytest.mark.django_db
D = dt.date


def _issue(w, site, number="ISS-0001") -> OversightIssue:
    return OversightIssue.objects.create(
        study=w.study,
        site=site,
        number=number,
        title="High AE under-reporting",
        description="kri0001 flagged",
        source="kri",
        owner=w.user(PM),
        due_on=D(2026, 12, 31),
        raised_by=w.user(PM),
        raised_on=D(2026, 11, 1),
    )


# the plan


def test_the_plan_is_created_with_the_model_defaults_and_changed_with_a_reason(world):
    plan = services.monitoring_plan_save(actor=world.user(PM), study=world.study, sdv_strategy="100% of consent")
    assert (plan.onsite_interval_weeks, plan.flagged_interval_weeks, plan.report_due_days, plan.flag_level) == (
        8,
        4,
        10,
        2,
    )
    assert plan.sdv_strategy == "100% of consent"
    with pytest.raises(ValidationError) as refused:
        services.monitoring_plan_save(actor=world.user(PM), study=world.study, report_due_days=5)
    assert "reason" in refused.value.message_dict
    plan = services.monitoring_plan_save(
        actor=world.user(PM), study=world.study, report_due_days=5, reason="SOP-MON-004 version 3"
    )
    assert (plan.report_due_days, plan.sdv_strategy) == (5, "100% of consent")  # left out: kept
    assert MonitoringPlan.objects.filter(study=world.study).count() == 1
    change = AuditRecord.objects.get(object_type="monitoring.monitoringplan", field="report_due_days", action="update")
    assert (change.old_value, change.new_value, change.reason) == ("10", "5", "SOP-MON-004 version 3")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"onsite_interval_weeks": 0}, "onsite_interval_weeks"),
        ({"flag_level": 3}, "flag_level"),
        ({"flagged_interval_weeks": 12}, "flagged_interval_weeks"),  # less often than an unflagged site (8)
    ],
)
def test_the_plan_refuses_values_that_make_no_sense(world, values, field):
    with pytest.raises(ValidationError) as refused:
        services.monitoring_plan_save(actor=world.user(PM), study=world.study, **values)
    assert field in refused.value.message_dict


def test_only_risk_managers_edit_the_plan(world):
    with pytest.raises(PermissionDenied):
        services.monitoring_plan_save(actor=world.user(SPONSOR), study=world.study)


# scheduling


def test_visits_are_numbered_per_study_and_may_follow_up_an_issue(world):
    issue = _issue(world, world.site_a)
    first = planned(world, issue=issue, purpose="for_cause")
    second = planned(world, site=world.site_b, visit_type="remote")
    assert [first.number, second.number] == ["MV-0001", "MV-0002"]
    assert (first.status, first.issue, first.purpose, second.monitor) == (
        VisitStatus.PLANNED,
        issue,
        "for_cause",
        world.user(PM),
    )
    fields = set(
        AuditRecord.objects.filter(object_type="monitoring.monitoringvisit", object_id=str(first.pk)).values_list(
            "field", flat=True
        )
    )
    assert {"number", "site", "monitor", "planned_on", "issue", "visit_type"} <= fields


def test_the_monitor_must_manage_visits_at_the_site(world):
    # the monitor's membership is for A1 only; the coordinator does not manage visits; an outsider is no member
    for site, monitor in (
        (world.site_b, world.user(MONITOR)),
        (world.site_a, world.user(CRC)),
        (world.site_a, world.outsider),
    ):
        with pytest.raises(ValidationError) as refused:
            planned(world, site=site, monitor=monitor)
        assert "monitor" in refused.value.message_dict


def test_an_issue_of_another_site_or_study_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        planned(world, issue=_issue(world, world.site_b))
    assert "issue" in refused.value.message_dict
    study_wide = _issue(world, None, "ISS-0002")
    assert planned(world, issue=study_wide).issue == study_wide


def test_a_site_restricted_monitor_schedules_only_at_their_sites(world):
    monitor = world.user(MONITOR)
    assert planned(world, actor=monitor).site == world.site_a
    with pytest.raises(PermissionDenied):
        planned(world, site=world.site_b, monitor=world.user(PM), actor=monitor)


@pytest.mark.parametrize("role", [CRC, PI, SPONSOR])
def test_roles_without_visit_manage_cannot_schedule(world, role):
    with pytest.raises(PermissionDenied):
        planned(world, actor=world.user(role))


# confirmation, rescheduling, cancelling


def test_confirming_writes_the_letter_and_sends_it_to_the_site_staff(world, django_capture_on_commit_callbacks):
    world.user(PI).email, world.user(CRC).email = "pi@alpha.example", "crc@alpha.example"
    for user in (world.user(PI), world.user(CRC)):
        user.save(update_fields=["email"])
    visit = planned(world, planned_on=days_ago(world.site_a, -14))
    with django_capture_on_commit_callbacks(execute=True):
        visit = services.visit_confirm(actor=world.user(MONITOR), visit=visit)
    letter = visit.confirmation_letter
    assert visit.status == VisitStatus.CONFIRMED and visit.confirmed_at is not None
    for text in (
        "MV-0001",
        "Dr A",
        "Alpha Hospital",
        visit.planned_on.isoformat(),
        "Monitor Tester",
        "Consent, eligibility",
    ):
        assert text in letter, text
    assert "source documents" in letter  # on site: what to prepare
    notices = Notice.objects.filter(kind=services.NOTICE_CONFIRMATION)
    # the site's investigator and coordinator (A1), and the monitor; not the B1-less pharmacist, not the PM
    assert {n.user for n in notices} == {world.user(PI), world.user(CRC), world.user(MONITOR)}
    assert all(n.body == letter for n in notices)
    assert sorted(m.to[0] for m in mail.outbox) == ["crc@alpha.example", "pi@alpha.example"]


def test_a_remote_visit_letter_asks_for_remote_access(world):
    visit = planned(world, visit_type="remote", planned_on=site_today(world.site_a))
    visit = services.visit_confirm(actor=world.user(PM), visit=visit)
    assert "Remote access" in visit.confirmation_letter


def test_rescheduling_a_confirmed_visit_needs_a_new_confirmation(world):
    visit = services.visit_confirm(actor=world.user(PM), visit=planned(world, planned_on=days_ago(world.site_a, -7)))
    new_day = days_ago(world.site_a, -30)
    with pytest.raises(ValidationError) as refused:
        services.visit_reschedule(actor=world.user(PM), visit=visit, planned_on=new_day, reason="site")
    assert "reason" in refused.value.message_dict
    visit = services.visit_reschedule(
        actor=world.user(PM), visit=visit, planned_on=new_day, reason="The investigator is at a congress."
    )
    assert (visit.planned_on, visit.status, visit.confirmation_letter, visit.confirmed_at) == (
        new_day,
        VisitStatus.PLANNED,
        "",
        None,
    )
    record = AuditRecord.objects.get(object_type="monitoring.monitoringvisit", field="planned_on", action="update")
    assert record.reason == "The investigator is at a congress."


def test_cancelling_needs_a_reason_and_ends_the_visit(world):
    visit = planned(world)
    with pytest.raises(ValidationError):
        services.visit_cancel(actor=world.user(PM), visit=visit, reason="no")
    visit = services.visit_cancel(actor=world.user(PM), visit=visit, reason="Site closed for renovation works.")
    assert (visit.status, visit.cancel_reason) == (VisitStatus.CANCELLED, "Site closed for renovation works.")
    for step in (
        lambda: services.visit_confirm(actor=world.user(PM), visit=visit),
        lambda: done(world, visit),
        lambda: services.visit_cancel(actor=world.user(PM), visit=visit, reason="Cancelled a second time."),
    ):
        with pytest.raises(ValidationError) as refused:
            step()
        assert "status" in refused.value.message_dict


def test_a_visit_whose_date_has_passed_is_rescheduled_before_it_is_confirmed(world):
    visit = planned(world, planned_on=days_ago(world.site_a, 1))
    with pytest.raises(ValidationError) as refused:
        services.visit_confirm(actor=world.user(PM), visit=visit)
    assert "planned_on" in refused.value.message_dict
    assert services.visit_confirm(
        actor=world.user(PM),
        visit=services.visit_reschedule(
            actor=world.user(PM), visit=visit, planned_on=site_today(world.site_a), reason="Moved to today."
        ),
    ).confirmation_letter


# the report


def test_the_report_stores_the_sites_enrolment_and_sdv_figures_at_that_moment(world):
    failed = subjects.subject_screen(actor=None, site=world.site_a, number="A1-002", screened_on=D(2026, 3, 2))
    subjects.subject_screen_fail(actor=None, subject=failed, reason="HbA1c out of range")
    subjects.subject_screen(actor=None, site=world.site_a, number="A1-003", screened_on=D(2026, 3, 3))
    subjects.subject_screen(actor=None, site=world.site_b, number="B1-002", screened_on=D(2026, 3, 3))
    forms = FormData.objects.filter(site=world.site_a)
    visit = done(world)
    enrolment, sdv = visit.enrolment_status, visit.sdv_summary
    assert (enrolment["screened"], enrolment["enrolled"], enrolment["randomised"]) == (3, 1, 1)  # A1 only
    assert (enrolment["screen_failed"], enrolment["discontinued"]) == (1, 0)
    assert sdv["required"] == forms.filter(sdv_status__in=["required", "verified"]).count()
    assert sdv["done"] == forms.filter(sdv_status="verified").count()
    assert visit.status == VisitStatus.DONE
    assert visit.report_due_on == visit.visited_on + dt.timedelta(days=10)  # the plan's default


def test_sdv_figures_count_required_and_verified_forms(world):
    forms_with_sdv(world, required=3, verified=2)
    visit = done(world)
    assert (visit.sdv_summary["required"], visit.sdv_summary["done"], visit.sdv_summary["percent"]) == (5, 2, 40.0)


def test_the_report_waits_for_the_visit_date_on_the_sites_calendar(world):
    visit = planned(world, planned_on=days_ago(world.site_a, -3))
    with pytest.raises(ValidationError) as refused:
        done(world, visit, visited_on=site_today(world.site_a) + dt.timedelta(days=1))
    assert "visited_on" in refused.value.message_dict
    assert done(world, visit, visited_on=site_today(world.site_a)).visited_on == site_today(world.site_a)


def test_findings_are_added_corrected_and_resolved(world):
    visit = done(world)
    monitor = world.user(MONITOR)
    finding = services.visit_finding_add(
        actor=monitor,
        visit=visit,
        category="consent",
        description="Consent of A1-001 signed on an outdated version.",
        action="Re-consent A1-001 on version 3.",
        due_on=days_ago(world.site_a, -14),
    )
    with pytest.raises(ValidationError) as refused:
        services.visit_finding_add(actor=monitor, visit=visit, category="misc", description="x")
    assert "category" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.visit_finding_add(
            actor=monitor, visit=visit, category="isf", description="x", due_on=visit.visited_on - dt.timedelta(1)
        )
    assert "due_on" in refused.value.message_dict
    finding = services.visit_finding_edit(
        actor=monitor,
        finding=finding,
        category="consent",
        description=finding.description,
        action="Re-consent A1-001 on version 3 at the next visit.",
        due_on=finding.due_on,
        reason="Action made precise",
    )
    assert finding.action.endswith("next visit.")
    finding = services.visit_finding_resolve(actor=monitor, finding=finding)
    assert finding.resolved_on == site_today(world.site_a)
    with pytest.raises(ValidationError):
        services.visit_finding_resolve(actor=monitor, finding=finding)


def test_findings_cannot_change_once_the_report_is_submitted(world):
    visit = done(world)
    finding = services.visit_finding_add(actor=visit.monitor, visit=visit, category="isf", description="Log missing.")
    visit = services.visit_report_submit(actor=visit.monitor, visit=visit, password=PASSWORD)
    finding = VisitFinding.objects.get(pk=finding.pk)
    with pytest.raises(ValidationError) as refused:
        services.visit_finding_edit(
            actor=visit.monitor, finding=finding, category="isf", description="Changed.", action="", due_on=None
        )
    assert "status" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.visit_finding_add(actor=visit.monitor, visit=visit, category="isf", description="Another.")
    # resolving is follow-up, allowed after submission
    assert services.visit_finding_resolve(actor=visit.monitor, finding=finding).resolved_on is not None


# submission, review, approval, follow-up letter


def test_the_monitor_signs_the_report_as_author_when_submitting(world):
    visit = submitted(world)
    assert visit.status == VisitStatus.SUBMITTED and visit.submitted_at is not None
    assert visit.report_due_on == visit.visited_on + dt.timedelta(days=10)
    (signature,) = signatures_for(visit)
    assert (signature.signer, signature.meaning, signature.is_broken) == (world.user(MONITOR), "author", False)


def test_submission_refusals(world):
    visit = planned(world)
    with pytest.raises(ValidationError) as refused:  # no report yet
        services.visit_report_submit(actor=visit.monitor, visit=visit, password=PASSWORD)
    assert "visited_on" in refused.value.message_dict
    visit = done(world, visit)
    with pytest.raises(PermissionDenied):  # wrong password: counted as a failed login, nothing written
        services.visit_report_submit(actor=visit.monitor, visit=visit, password="wrong")
    visit.monitor.refresh_from_db()
    assert visit.monitor.failed_logins == 1
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE


def test_a_returned_report_goes_back_to_its_monitor_with_the_comments(world):
    visit = submitted(world)
    with pytest.raises(PermissionDenied):  # returning needs visit.approve
        services.visit_report_return(actor=world.user(MONITOR), visit=visit, comments="Add the SAE discussion.")
    visit = services.visit_report_return(
        actor=world.user(SPONSOR), visit=visit, comments="Add the discussion of the two SAEs."
    )
    assert (visit.status, visit.review_comments) == (VisitStatus.DONE, "Add the discussion of the two SAEs.")
    visit = services.visit_report_save(
        actor=visit.monitor,
        visit=visit,
        visited_on=visit.visited_on,
        attendees=visit.attendees,
        summary=visit.summary + " Both SAEs were reported within 24 hours.",
        reason="Reviewer's comments",
    )
    visit = services.visit_report_submit(actor=visit.monitor, visit=visit, password=PASSWORD)
    assert visit.status == VisitStatus.SUBMITTED


def test_approval_signs_and_writes_the_follow_up_letter(world):
    visit = done(world)
    due = days_ago(world.site_a, -21)
    for category, text, action in (
        ("safety", "SAE of A1-001 reported on day 3.", "Retrain on the 24-hour rule."),
        ("consent", "Version 2 used after version 3 was approved.", "Re-consent on version 3."),
        ("safety", "AE log not updated.", ""),
    ):
        services.visit_finding_add(
            actor=visit.monitor, visit=visit, category=category, description=text, action=action, due_on=due
        )
    visit = approved(world, visit)
    assert (visit.status, visit.approved_by) == (VisitStatus.APPROVED, world.user(SPONSOR))
    letter = visit.follow_up_letter
    # findings grouped in the categories' order: consent before safety
    assert letter.index("Informed consent") < letter.index("Safety reporting")
    assert letter.index("Re-consent on version 3.") < letter.index("SAE of A1-001")
    assert f"Retrain on the 24-hour rule. (due {due.isoformat()})" in letter
    assert "File the updated delegation log." in letter
    assert "1 screened" in letter


def test_another_monitor_may_complete_and_sign_the_report_but_not_approve_it(world):
    visit = done(world)  # the monitor's visit
    pm = world.user(PM)
    visit = services.visit_report_submit(actor=pm, visit=visit, password=PASSWORD)
    assert [(s.signer, s.meaning) for s in signatures_for(visit)] == [(pm, "author")]
    with pytest.raises(PermissionDenied):
        services.visit_report_approve(actor=pm, visit=visit, password=PASSWORD)
    assert services.visit_report_approve(actor=world.user(SPONSOR), visit=visit, password=PASSWORD).approved_by


def test_a_report_is_not_approved_by_its_author(world):
    pm = world.user(PM)
    visit = submitted(world, monitor=pm)  # the PM monitors and also holds visit.approve
    with pytest.raises(PermissionDenied):
        services.visit_report_approve(actor=pm, visit=visit, password=PASSWORD)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SUBMITTED


def test_approval_refusals(world):
    visit = done(world)
    with pytest.raises(ValidationError) as refused:  # not submitted
        services.visit_report_approve(actor=world.user(SPONSOR), visit=visit, password=PASSWORD)
    assert "status" in refused.value.message_dict
    visit = services.visit_report_submit(actor=visit.monitor, visit=visit, password=PASSWORD)
    with pytest.raises(PermissionDenied):  # the monitor lacks visit.approve
        services.visit_report_approve(actor=world.user(MONITOR), visit=visit, password=PASSWORD)
    with pytest.raises(PermissionDenied):  # wrong password
        services.visit_report_approve(actor=world.user(SPONSOR), visit=visit, password="nope")


def test_the_follow_up_letter_is_sent_once(world, django_capture_on_commit_callbacks):
    visit = approved(world)
    visit = services.visit_follow_up_send(actor=world.user(MONITOR), visit=visit)
    assert visit.follow_up_sent_at is not None
    notices = Notice.objects.filter(kind=services.NOTICE_FOLLOW_UP)
    assert {n.user for n in notices} == {world.user(PI), world.user(CRC), world.user(MONITOR)}
    with pytest.raises(ValidationError):
        services.visit_follow_up_send(actor=world.user(MONITOR), visit=visit)


def test_a_follow_up_letter_waits_for_approval(world):
    with pytest.raises(ValidationError):
        services.visit_follow_up_send(actor=world.user(PM), visit=submitted(world))


def test_a_site_restricted_monitor_cannot_act_on_another_sites_visit(world):
    visit = planned(world, site=world.site_b)
    with pytest.raises(PermissionDenied):
        services.visit_confirm(actor=world.user(MONITOR), visit=visit)
    with pytest.raises(PermissionDenied):
        services.visit_cancel(actor=world.user(MONITOR), visit=visit, reason="Not my site, but try anyway.")


def test_an_inactive_monitor_is_refused_for_a_new_visit(world):
    departed = make_user("departed-cra")
    membership = accounts.membership_grant(
        actor=world.admin, user=departed, study=world.study, role_code="monitor", sites=[world.site_a]
    )
    assert planned(world, monitor=departed).monitor == departed
    accounts.membership_revoke(actor=world.admin, membership=membership, reason="Left the CRO in November.")
    with pytest.raises(ValidationError):
        planned(world, monitor=departed)


def test_cancelling_a_confirmed_visit_tells_the_site(world):
    visit = services.visit_confirm(actor=world.user(PM), visit=planned(world, planned_on=days_ago(world.site_a, -5)))
    services.visit_cancel(actor=world.user(PM), visit=visit, reason="The monitor is ill this week.")
    (notice,) = Notice.objects.filter(kind=services.NOTICE_CANCELLED, user=world.user(PI))
    assert notice.title == f"Monitoring visit MV-0001 on {visit.planned_on.isoformat()} is cancelled"
    assert notice.body.endswith("The monitor is ill this week.")
    # a visit never confirmed was never announced: nothing to withdraw
    services.visit_cancel(actor=world.user(PM), visit=planned(world), reason="Replaced by a remote visit.")
    assert Notice.objects.filter(kind=services.NOTICE_CANCELLED).count() == 3  # PI, CRC and monitor, once
