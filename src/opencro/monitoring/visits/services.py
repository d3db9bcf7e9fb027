"""Monitoring plan and visit writes: plan, schedule, reschedule, confirm (letter), cancel, report, findings, submit
(the monitor signs as author), return or approve (the reviewer signs; follow-up letter), send the follow-up letter.

Writes need `visit.manage` (the plan: `risk.manage`; returning and approving: `visit.approve`); a site-restricted
member acts only at their sites. Each service runs in one transaction, writes through `audited_save`, and refuses a
step the visit's status does not allow. Signing re-checks the password first, outside the transaction, so a wrong
password is counted as a failed login even though nothing is written.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_for, access_require
from opencro.accounts.models import SignatureMeaning, User
from opencro.accounts.permissions import Perm
from opencro.accounts.selectors import site_staff
from opencro.accounts.signatures import signature_apply, signatures_for
from opencro.audit.services import audited_save
from opencro.core.text import explanation_required
from opencro.edc.esign import password_confirm
from opencro.monitoring.models import (
    FindingCategory,
    MonitoringPlan,
    MonitoringVisit,
    OversightIssue,
    VisitFinding,
    VisitPurpose,
    VisitStatus,
    VisitType,
)
from opencro.monitoring.visits import letters
from opencro.monitoring.visits.selectors import STEP_STATUSES, site_figures
from opencro.notices.services import notice_send
from opencro.studies.dates import site_today
from opencro.studies.models import Site, Study

NUMBER_PREFIX = "MV-"
NOTICE_CONFIRMATION = "monitoring.visit_confirmation"
NOTICE_CANCELLED = "monitoring.visit_cancelled"
NOTICE_FOLLOW_UP = "monitoring.visit_follow_up"
EXPLANATION = "Say why in at least %(n)d characters."
TRUSTED = ("study", "site", "monitor", "issue", "approved_by")
PLAN_FIELDS = (
    "onsite_interval_weeks",
    "remote_interval_weeks",
    "flagged_interval_weeks",
    "central_interval_weeks",
    "report_due_days",
    "letter_due_days",
    "flag_level",
)


def _require(
    actor: User | None, study_id: int, site_id: int | None, perm: str, known: StudyAccess | None
) -> StudyAccess | None:
    """`perm` on the study and (given a site) a membership at the site; the actor's access (None: the system)."""
    if actor is None:
        return None
    access = access_require(actor, study_id, perm, known=known)
    if site_id is not None and access.site_ids is not None and site_id not in access.site_ids:
        raise PermissionDenied(_("This site is outside your membership."))
    return access


def monitoring_plan_save(
    *,
    actor: User | None,
    study: Study,
    onsite_interval_weeks: int | None = None,
    remote_interval_weeks: int | None = None,
    flagged_interval_weeks: int | None = None,
    central_interval_weeks: int | None = None,
    report_due_days: int | None = None,
    letter_due_days: int | None = None,
    flag_level: int | None = None,
    sdv_strategy: str | None = None,
    notes: str | None = None,
    reason: str = "",
    known: StudyAccess | None = None,
) -> MonitoringPlan:
    """Create the study's monitoring plan (values left out take the model's defaults) or change it (with a reason;
    values left out are kept)."""
    _require(actor, study.pk, None, Perm.RISK_MANAGE, known)
    given = {
        "onsite_interval_weeks": onsite_interval_weeks,
        "remote_interval_weeks": remote_interval_weeks,
        "flagged_interval_weeks": flagged_interval_weeks,
        "central_interval_weeks": central_interval_weeks,
        "report_due_days": report_due_days,
        "letter_due_days": letter_due_days,
        "flag_level": flag_level,
        "sdv_strategy": sdv_strategy,
        "notes": notes,
    }
    with transaction.atomic():
        plan = MonitoringPlan.objects.select_for_update(of=("self",)).filter(study=study).first()
        creating = plan is None
        plan = plan or MonitoringPlan(study=study)
        for name, value in given.items():
            if value is not None:
                setattr(plan, name, value.strip() if isinstance(value, str) else value)
        errors = _plan_errors(plan)
        if not creating and not reason.strip():
            errors["reason"] = _("Say why the plan changes.")
        if errors:
            raise ValidationError(errors)
        return audited_save(plan, actor=actor, reason=reason.strip(), trusted=("study",))


def _plan_errors(plan: MonitoringPlan) -> dict[str, str]:
    errors = {}
    for name in PLAN_FIELDS:
        if getattr(plan, name) < 1 or getattr(plan, name) > 365:
            errors[name] = _("Give a whole number from 1 to 365.")
    if plan.flag_level not in (1, 2):
        errors["flag_level"] = _("The flag level is 1 (amber) or 2 (red).")
    if "flagged_interval_weeks" not in errors and plan.flagged_interval_weeks > plan.onsite_interval_weeks:
        errors["flagged_interval_weeks"] = _("A flagged site is visited at least as often as the others.")
    return errors


def _monitor_check(study_id: int, site: Site, monitor: User) -> None:
    """The monitor is an active member holding visit.manage at the site."""
    access = access_for(monitor, study_id)
    if access is None or not access.can(Perm.VISIT_MANAGE):
        raise ValidationError({"monitor": _("The monitor must be a member of the study who manages visits.")})
    if access.site_ids is not None and site.pk not in access.site_ids:
        raise ValidationError({"monitor": _("The monitor's membership does not cover this site.")})


def _issue_check(site: Site, issue: OversightIssue | None) -> None:
    if issue is not None and (issue.study_id != site.study_id or issue.site_id not in (None, site.pk)):
        raise ValidationError({"issue": _("The issue belongs to another study or site.")})


def _choice(value: str, choices: list[str], field: str) -> str:
    if value not in choices:
        raise ValidationError({field: _("Choose from the list.")})
    return value


def _study_locked(study_id: int) -> None:
    Study.objects.select_for_update(of=("self",)).filter(pk=study_id).first()  # one numbering at a time


def visit_schedule(
    *,
    actor: User | None,
    site: Site,
    visit_type: str,
    monitor: User,
    planned_on: dt.date,
    purpose: str = VisitPurpose.ROUTINE,
    agenda: str = "",
    issue: OversightIssue | None = None,
    known: StudyAccess | None = None,
) -> MonitoringVisit:
    """Plan a visit of `site` by `monitor` (a member holding visit.manage there) on `planned_on`, optionally to follow
    up an issue of the same study and site; numbered MV-0001... per study."""
    _require(actor, site.study_id, site.pk, Perm.VISIT_MANAGE, known)
    _monitor_check(site.study_id, site, monitor)
    _issue_check(site, issue)
    visit = MonitoringVisit(
        study_id=site.study_id,
        site=site,
        visit_type=_choice(visit_type, VisitType.values, "visit_type"),
        purpose=_choice(purpose, VisitPurpose.values, "purpose"),
        monitor=monitor,
        planned_on=planned_on,
        agenda=(agenda or "").strip(),
        issue=issue,
    )
    with transaction.atomic():
        _study_locked(site.study_id)
        visit.number = f"{NUMBER_PREFIX}{MonitoringVisit.objects.filter(study_id=site.study_id).count() + 1:04d}"
        return audited_save(visit, actor=actor, trusted=TRUSTED)


def _locked(visit: MonitoringVisit, step: str) -> MonitoringVisit:
    """The visit, locked, if `step` applies to its status (selectors.STEP_STATUSES)."""
    visit = (
        MonitoringVisit.objects.select_for_update(of=("self",))
        .select_related("site", "study", "monitor")
        .get(pk=visit.pk)
    )
    if visit.status not in STEP_STATUSES[step]:
        raise ValidationError(
            {
                "status": _("Visit %(number)s is %(status)s: this step does not apply.")
                % {"number": visit.number, "status": visit.get_status_display().lower()}
            }
        )
    return visit


def visit_reschedule(
    *,
    actor: User | None,
    visit: MonitoringVisit,
    planned_on: dt.date,
    reason: str,
    monitor: User | None = None,
    agenda: str | None = None,
    known: StudyAccess | None = None,
) -> MonitoringVisit:
    """Move a visit not yet done to another date (or monitor, or agenda); a confirmed visit goes back to planned, to
    be confirmed again with a new letter."""
    _require(actor, visit.study_id, visit.site_id, Perm.VISIT_MANAGE, known)
    reason = explanation_required(reason, field="reason", message=_(EXPLANATION))
    with transaction.atomic():
        visit = _locked(visit, "reschedule")
        moved = planned_on != visit.planned_on
        if monitor is not None and monitor.pk != visit.monitor_id:
            _monitor_check(visit.study_id, visit.site, monitor)
            visit.monitor, moved = monitor, True
        if agenda is not None:
            visit.agenda = agenda.strip()
        if moved:
            visit.confirmation_letter, visit.confirmed_at = "", None
            visit.status = VisitStatus.PLANNED
        visit.planned_on = planned_on
        return audited_save(visit, actor=actor, reason=reason, trusted=TRUSTED)


def _send(visit: MonitoringVisit, kind: str, title: Callable[[User], str], body: str) -> None:
    """Notify the site's staff and the visit's monitor (titles in each reader's language; the letter as written)."""
    notice_send(
        users=[*site_staff(visit.study_id, [visit.site_id]), visit.monitor],
        study=visit.study,
        kind=kind,
        title=title,
        body=body,
    )


def visit_confirm(*, actor: User | None, visit: MonitoringVisit, known: StudyAccess | None = None) -> MonitoringVisit:
    """Write the confirmation letter from the visit's details, store it with the time it is sent, and send it to
    the site's staff (in-app notice and e-mail). Confirming again re-sends an updated letter; a visit whose date has
    passed at the site is rescheduled first."""
    _require(actor, visit.study_id, visit.site_id, Perm.VISIT_MANAGE, known)
    with transaction.atomic():
        visit = _locked(visit, "confirm")
        if visit.planned_on < site_today(visit.site):
            raise ValidationError({"planned_on": _("The visit date has passed at the site: reschedule it first.")})
        visit.confirmation_letter = letters.confirmation_letter(visit)
        visit.confirmed_at = timezone.now()
        visit.status = VisitStatus.CONFIRMED
        audited_save(visit, actor=actor, reason="confirmation letter sent", trusted=TRUSTED)
        names = {"number": visit.number, "day": visit.planned_on.isoformat()}
        _send(
            visit,
            NOTICE_CONFIRMATION,
            lambda _reader: _("Monitoring visit %(number)s on %(day)s: confirmation") % names,
            visit.confirmation_letter,
        )
        return visit


def visit_cancel(
    *, actor: User | None, visit: MonitoringVisit, reason: str, known: StudyAccess | None = None
) -> MonitoringVisit:
    """Cancel a visit not yet done, with the reason; the site is told when it had been sent a confirmation."""
    _require(actor, visit.study_id, visit.site_id, Perm.VISIT_MANAGE, known)
    reason = explanation_required(reason, field="reason", message=_(EXPLANATION))
    if len(reason) > MonitoringVisit._meta.get_field("cancel_reason").max_length:
        raise ValidationError({"reason": _("Say it in at most 200 characters.")})
    with transaction.atomic():
        visit = _locked(visit, "cancel")
        visit.cancel_reason, visit.status = reason, VisitStatus.CANCELLED
        audited_save(visit, actor=actor, reason=reason, trusted=TRUSTED)
        if visit.confirmed_at is not None:
            names = {"number": visit.number, "day": visit.planned_on.isoformat()}
            title = _("Monitoring visit %(number)s on %(day)s is cancelled") % names
            _send(
                visit,
                NOTICE_CANCELLED,
                lambda _reader: _("Monitoring visit %(number)s on %(day)s is cancelled") % names,
                f"{title}.\n{reason}",
            )
        return visit


def visit_report_save(
    *,
    actor: User | None,
    visit: MonitoringVisit,
    visited_on: dt.date,
    attendees: str,
    summary: str,
    actions: str = "",
    reason: str = "",
    known: StudyAccess | None = None,
) -> MonitoringVisit:
    """Write (or correct, until it is submitted) the report of a visit that took place: the enrolment status and the
    SDV figures are computed now from the site's data and stored with it; the report falls due `report_due_days`
    after the visit."""
    _require(actor, visit.study_id, visit.site_id, Perm.VISIT_MANAGE, known)
    with transaction.atomic():
        visit = _locked(visit, "report")
        if visited_on > site_today(visit.site):
            raise ValidationError({"visited_on": _("The visit date is in the future at the site.")})
        plan = MonitoringPlan.objects.filter(study_id=visit.study_id).first() or MonitoringPlan()
        first = visit.status != VisitStatus.DONE
        visit.visited_on = visited_on
        visit.report_due_on = visited_on + dt.timedelta(days=plan.report_due_days)
        visit.attendees, visit.summary, visit.actions = attendees.strip(), summary.strip(), (actions or "").strip()
        visit.enrolment_status, visit.sdv_summary = site_figures(visit.site)
        visit.status = VisitStatus.DONE
        why = reason.strip() or ("visit report started" if first else "visit report saved")
        return audited_save(visit, actor=actor, reason=why, trusted=TRUSTED)


def _finding_values(category: str, description: str) -> tuple[str, str]:
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Describe the finding.")})
    return _choice(category, FindingCategory.values, "category"), description


def visit_finding_add(
    *,
    actor: User | None,
    visit: MonitoringVisit,
    category: str,
    description: str,
    action: str = "",
    due_on: dt.date | None = None,
    known: StudyAccess | None = None,
) -> VisitFinding:
    """Add a finding to a report being written: its category, what was found, the action and when it is due."""
    _require(actor, visit.study_id, visit.site_id, Perm.VISIT_MANAGE, known)
    category, description = _finding_values(category, description)
    with transaction.atomic():
        visit = _locked(visit, "finding")
        _due_check(visit, due_on)
        finding = VisitFinding(
            visit=visit, category=category, description=description, action=(action or "").strip(), due_on=due_on
        )
        return audited_save(finding, actor=actor, trusted=("visit",))


def _due_check(visit: MonitoringVisit, due_on: dt.date | None) -> None:
    if due_on is not None and visit.visited_on is not None and due_on < visit.visited_on:
        raise ValidationError({"due_on": _("An action cannot be due before the visit.")})


def _finding_locked(finding: VisitFinding, step: str) -> VisitFinding:
    visit = _locked(finding.visit, step)
    finding = VisitFinding.objects.select_for_update(of=("self",)).get(pk=finding.pk)
    finding.visit = visit
    return finding


def visit_finding_edit(
    *,
    actor: User | None,
    finding: VisitFinding,
    category: str,
    description: str,
    action: str,
    due_on: dt.date | None,
    reason: str = "",
    known: StudyAccess | None = None,
) -> VisitFinding:
    """Correct a finding while its report is being written (not once submitted)."""
    visit = finding.visit
    _require(actor, visit.study_id, visit.site_id, Perm.VISIT_MANAGE, known)
    category, description = _finding_values(category, description)
    with transaction.atomic():
        finding = _finding_locked(finding, "finding")
        _due_check(finding.visit, due_on)
        finding.category, finding.description = category, description
        finding.action, finding.due_on = (action or "").strip(), due_on
        return audited_save(finding, actor=actor, reason=reason.strip() or "finding corrected", trusted=("visit",))


def visit_finding_resolve(
    *,
    actor: User | None,
    finding: VisitFinding,
    resolved_on: dt.date | None = None,
    known: StudyAccess | None = None,
) -> VisitFinding:
    """Record that the site resolved a finding (default: today at the site), after the visit took place."""
    visit = finding.visit
    _require(actor, visit.study_id, visit.site_id, Perm.VISIT_MANAGE, known)
    with transaction.atomic():
        finding = _finding_locked(finding, "resolve")
        visit = finding.visit
        if finding.resolved_on is not None:
            raise ValidationError({"resolved_on": _("The finding is already resolved.")})
        today = site_today(visit.site)
        resolved_on = resolved_on or today
        if resolved_on > today or (visit.visited_on and resolved_on < visit.visited_on):
            raise ValidationError({"resolved_on": _("The date must fall between the visit and today at the site.")})
        finding.resolved_on = resolved_on
        return audited_save(finding, actor=actor, reason="finding resolved", trusted=("visit",))


def visit_report_submit(
    *, actor: User, visit: MonitoringVisit, password: str, known: StudyAccess | None = None
) -> MonitoringVisit:
    """Submit the report for review, signed by the actor as its author (password re-checked): normally the visit's
    monitor, or another monitor of the site who completes the report (a monitor who left, for one); the signature
    names who answers for it."""
    _require(actor, visit.study_id, visit.site_id, Perm.VISIT_MANAGE, known)
    _ready(visit)
    password_confirm(actor, password)
    with transaction.atomic():
        visit = _locked(visit, "submit")
        _ready(visit)
        plan = MonitoringPlan.objects.filter(study_id=visit.study_id).first() or MonitoringPlan()
        visit.submitted_at = timezone.now()
        visit.report_due_on = visit.visited_on + dt.timedelta(days=plan.report_due_days)
        visit.status = VisitStatus.SUBMITTED
        visit.findings_digest = findings_digest(visit)
        audited_save(visit, actor=actor, reason="report submitted", trusted=TRUSTED)
        signature_apply(actor=actor, password=password, instance=visit, meaning=SignatureMeaning.AUTHOR)
        return visit


def findings_digest(visit: MonitoringVisit) -> str:
    """SHA-256 of the visit's findings as the report states them, in order: what the signatures bind them by."""
    rows = [
        [f.category, f.description, f.action, f.due_on.isoformat() if f.due_on else ""]
        for f in VisitFinding.objects.filter(visit=visit).order_by("id")
    ]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def _ready(visit: MonitoringVisit) -> None:
    errors = {}
    if visit.visited_on is None:
        errors["visited_on"] = _("Record the visit date.")
    if not visit.attendees.strip():
        errors["attendees"] = _("Say who attended.")
    if not visit.summary.strip():
        errors["summary"] = _("Write the summary.")
    if errors:
        raise ValidationError(errors)


def visit_report_return(
    *, actor: User | None, visit: MonitoringVisit, comments: str, known: StudyAccess | None = None
) -> MonitoringVisit:
    """Send a submitted report back to its monitor with the reviewer's comments (it is written again)."""
    _require(actor, visit.study_id, visit.site_id, Perm.VISIT_APPROVE, known)
    comments = explanation_required(comments, field="comments", message=_(EXPLANATION))
    with transaction.atomic():
        visit = _locked(visit, "return")
        visit.review_comments, visit.status = comments, VisitStatus.DONE
        return audited_save(visit, actor=actor, reason=comments, trusted=TRUSTED)


def visit_report_approve(
    *, actor: User, visit: MonitoringVisit, password: str, known: StudyAccess | None = None
) -> MonitoringVisit:
    """Approve a submitted report with the reviewer's signature (neither the visit's monitor nor the report's
    signing author) and write the follow-up letter: the findings by category with their actions and due dates."""
    _require(actor, visit.study_id, visit.site_id, Perm.VISIT_APPROVE, known)
    if actor.pk == visit.monitor_id or _author_ids(visit) & {actor.pk}:
        raise PermissionDenied(_("A report is approved by someone other than its author."))
    password_confirm(actor, password)
    with transaction.atomic():
        visit = _locked(visit, "approve")
        if not any(s.meaning == SignatureMeaning.AUTHOR and not s.is_broken for s in signatures_for(visit)):
            raise ValidationError({"status": _("The report carries no valid author signature; return it.")})
        findings = list(VisitFinding.objects.filter(visit=visit).order_by("id"))
        visit.approved_by, visit.approved_at = actor, timezone.now()
        visit.status = VisitStatus.APPROVED
        visit.follow_up_letter = letters.follow_up_letter(visit, findings, actor)
        audited_save(visit, actor=actor, reason="report approved", trusted=TRUSTED)
        signature_apply(actor=actor, password=password, instance=visit, meaning=SignatureMeaning.APPROVE)
        return visit


def _author_ids(visit: MonitoringVisit) -> set[int]:
    return {s.signer_id for s in signatures_for(visit) if s.meaning == SignatureMeaning.AUTHOR and not s.is_broken}


def visit_follow_up_send(
    *, actor: User | None, visit: MonitoringVisit, known: StudyAccess | None = None
) -> MonitoringVisit:
    """Send the follow-up letter of an approved report to the site's staff (in-app notice and e-mail), once."""
    _require(actor, visit.study_id, visit.site_id, Perm.VISIT_MANAGE, known)
    with transaction.atomic():
        visit = _locked(visit, "follow_up")
        if visit.follow_up_sent_at is not None:
            raise ValidationError({"status": _("The follow-up letter was already sent.")})
        visit.follow_up_sent_at = timezone.now()
        audited_save(visit, actor=actor, reason="follow-up letter sent", trusted=TRUSTED)
        _send(
            visit,
            NOTICE_FOLLOW_UP,
            lambda _reader: _("Monitoring visit %(number)s: follow-up letter") % {"number": visit.number},
            visit.follow_up_letter,
        )
        return visit
