"""Issue and CAPA writes: raise, edit, plan, implement, check effectiveness, cancel, reopen.

An issue is raised from a signal (a KRI flag, a QTL breach, a deviation trend, an audit finding...) or by hand, with an
owner and a due date; it then moves open -> planned (root cause, corrective and preventive actions) -> checking (the
actions implemented) -> closed when the effectiveness check finds them effective, or back to planned for new actions
when it does not (ICH E6(R3) 3.10.1, 3.11.4; ICH Q10 3.2.2). `ISSUE_STEP_STATUSES` says which step applies to which
status. Writes need `issue.manage`; a site-restricted member acts only at their sites (never on a study-wide issue).
Each service runs in one transaction and writes through `audited_save`, so every step, including each check that
sent the issue back, stays on the audit trail.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_for, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audited_save
from opencro.core.text import explanation_required
from opencro.monitoring.issues.dates import issue_today
from opencro.monitoring.models import ISSUE_STEP_STATUSES, IssueSource, IssueStatus, OversightIssue
from opencro.studies.models import Site, Study

NUMBER_PREFIX = "ISS-"
ACTION_MIN_LENGTH = 20  # characters: a root cause or an action is a sentence, not a word
EXPLAIN_MESSAGE = "Write at least %(n)d characters."
DONE_STATUSES = (IssueStatus.CLOSED, IssueStatus.CANCELLED)
TRUSTED = ("study", "site", "owner", "raised_by")


def _require(actor: User, study_id: int, site_id: int | None, known: StudyAccess | None) -> StudyAccess:
    """`issue.manage` on the study, and the issue's site among the actor's (a study-wide one: every site)."""
    access = access_require(actor, study_id, Perm.ISSUE_MANAGE, known=known)
    if access.site_ids is not None and (site_id is None or site_id not in access.site_ids):
        if site_id is None:
            raise PermissionDenied(_("A study-wide issue is for members who see every site."))
        raise PermissionDenied(_("This site is outside your membership."))
    return access


def _owner(owner: User | None, study_id: int, site_id: int | None) -> User:
    """The owner: an active member holding issue.manage who sees the issue's site (a study-wide one: every site)."""
    access = access_for(owner, study_id) if owner is not None else None
    if access is None or not access.can(Perm.ISSUE_MANAGE):
        raise ValidationError({"owner": _("The owner must be a member of the study who may manage issues.")})
    if access.site_ids is not None and (site_id is None or site_id not in access.site_ids):
        raise ValidationError({"owner": _("The owner has no access to the issue's site.")})
    return owner


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _due(due_on: dt.date | None, today: dt.date) -> dt.date:
    if due_on is None:
        raise ValidationError({"due_on": _("Give the due date.")})
    if due_on < today:
        raise ValidationError({"due_on": _("The due date is in the past.")})
    return due_on


def _source(source: str) -> str:
    if source not in IssueSource.values:
        raise ValidationError({"source": _("Choose the signal the issue comes from.")})
    return source


def _open_with_key(study_id: int, source_key: str, exclude: int | None = None) -> None:
    """Refuse a second open issue for one signal (the caller holds the study's lock)."""
    if not source_key:
        return
    found = OversightIssue.objects.filter(study_id=study_id, source_key=source_key).exclude(status__in=DONE_STATUSES)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    number = found.order_by("id").values_list("number", flat=True).first()
    if number is not None:
        raise ValidationError(
            {"source_key": _("Issue %(number)s is already open for this signal.") % {"number": number}}
        )


def _number(study_id: int) -> str:
    """The study's next issue number, ISS-0001 ... (the caller holds the study's lock; none is ever deleted)."""
    return f"{NUMBER_PREFIX}{OversightIssue.objects.filter(study_id=study_id).count() + 1:04d}"


def _study_locked(study_id: int) -> None:
    Study.objects.select_for_update(of=("self",)).filter(pk=study_id).first()  # one numbering at a time


def issue_raise(
    *,
    actor: User,
    study: Study,
    site: Site | None = None,
    title: str,
    description: str,
    source: str,
    source_detail: str = "",
    source_key: str = "",
    owner: User | None,
    due_on: dt.date,
    known: StudyAccess | None = None,
) -> OversightIssue:
    """Open an issue at `site` (or study-wide), raised today on its calendar; one open issue per `source_key`."""
    _require(actor, study.pk, site.pk if site is not None else None, known)
    if site is not None and site.study_id != study.pk:
        raise ValidationError({"site": _("The site is not one of this study's.")})
    today = issue_today(study.pk, site)
    issue = OversightIssue(
        study=study,
        site=site,
        title=_text(title, "title", _("Give the issue a title.")),
        description=_text(description, "description", _("Describe the issue.")),
        source=_source(source),
        source_detail=(source_detail or "").strip(),
        source_key=(source_key or "").strip(),
        owner=_owner(owner, study.pk, site.pk if site is not None else None),
        due_on=_due(due_on, today),
        raised_by=actor,
        raised_on=today,
    )
    with transaction.atomic():
        _study_locked(study.pk)
        _open_with_key(study.pk, issue.source_key)
        issue.number = _number(study.pk)
        return audited_save(issue, actor=actor, trusted=TRUSTED)


def _locked(issue: OversightIssue, step: str) -> OversightIssue:
    """The issue, locked, if `step` applies to its status (ISSUE_STEP_STATUSES)."""
    issue = OversightIssue.objects.select_for_update(of=("self",)).select_related("site").get(pk=issue.pk)
    if issue.status not in ISSUE_STEP_STATUSES[step]:
        raise ValidationError(
            {
                "status": _("Issue %(number)s is %(status)s: this step does not apply.")
                % {"number": issue.number, "status": issue.get_status_display().lower()}
            }
        )
    return issue


def _explained(text: str, field: str, minimum: int = ACTION_MIN_LENGTH) -> str:
    return explanation_required(text, field=field, message=_(EXPLAIN_MESSAGE), minimum=minimum)


def issue_edit(
    *,
    actor: User,
    issue: OversightIssue,
    title: str,
    description: str,
    owner: User | None,
    due_on: dt.date,
    reason: str,
    known: StudyAccess | None = None,
) -> OversightIssue:
    """Correct an open or planned issue: title, description, owner, due date (a new due date is not in the past)."""
    _require(actor, issue.study_id, issue.site_id, known)
    reason = explanation_required(reason, field="reason", message=_(EXPLAIN_MESSAGE))
    with transaction.atomic():
        issue = _locked(issue, "edit")
        issue.title = _text(title, "title", _("Give the issue a title."))
        issue.description = _text(description, "description", _("Describe the issue."))
        issue.owner = _owner(owner, issue.study_id, issue.site_id)
        if due_on != issue.due_on:
            issue.due_on = _due(due_on, issue_today(issue.study_id, issue.site))
        return audited_save(issue, actor=actor, reason=reason, trusted=TRUSTED)


def issue_plan(
    *,
    actor: User,
    issue: OversightIssue,
    root_cause: str,
    corrective_action: str,
    preventive_action: str,
    reason: str = "",
    known: StudyAccess | None = None,
) -> OversightIssue:
    """Record the root cause and the corrective and preventive actions; a planned issue may be planned again (the
    change needs a reason; after an ineffective check the check's outcome is the reason when none is given)."""
    _require(actor, issue.study_id, issue.site_id, known)
    with transaction.atomic():
        issue = _locked(issue, "plan")
        texts = {
            "root_cause": root_cause,
            "corrective_action": corrective_action,
            "preventive_action": preventive_action,
        }
        errors: dict[str, list[str]] = {}
        for field, text in texts.items():
            try:
                setattr(issue, field, _explained(text, field))
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)  # every missing part at once
        if issue.status == IssueStatus.PLANNED and issue.effective is not False:
            why = explanation_required(reason, field="reason", message=_(EXPLAIN_MESSAGE))
        elif issue.status == IssueStatus.PLANNED:
            why = (reason or "").strip() or _("New actions after an ineffective check")
        else:
            why = (reason or "").strip() or _("Actions planned")
        issue.status = IssueStatus.PLANNED
        return audited_save(issue, actor=actor, reason=why, trusted=TRUSTED)


def issue_implement(
    *, actor: User, issue: OversightIssue, implemented_on: dt.date | None = None, known: StudyAccess | None = None
) -> OversightIssue:
    """Record that the planned actions were implemented (default: today); the effectiveness check is next."""
    _require(actor, issue.study_id, issue.site_id, known)
    with transaction.atomic():
        issue = _locked(issue, "implement")
        today = issue_today(issue.study_id, issue.site)
        implemented_on = implemented_on or today
        if implemented_on > today or implemented_on < issue.raised_on:
            raise ValidationError(
                {"implemented_on": _("The date must fall between the day the issue was raised and today.")}
            )
        issue.implemented_on = implemented_on
        issue.status = IssueStatus.CHECKING
        return audited_save(issue, actor=actor, reason=_("Actions implemented"), trusted=TRUSTED)


def issue_check(
    *,
    actor: User,
    issue: OversightIssue,
    effectiveness_check: str,
    effective: bool,
    known: StudyAccess | None = None,
) -> OversightIssue:
    """Record the effectiveness check: effective closes the issue today; not effective sends it back to planned for
    new actions (the check and the actions it judged stay on the audit trail)."""
    _require(actor, issue.study_id, issue.site_id, known)
    with transaction.atomic():
        issue = _locked(issue, "check")
        issue.effectiveness_check = _explained(effectiveness_check, "effectiveness_check")
        issue.effective = bool(effective)
        if issue.effective:
            issue.status = IssueStatus.CLOSED
            issue.closed_on = max(issue_today(issue.study_id, issue.site), issue.implemented_on or issue.raised_on)
        else:
            issue.status = IssueStatus.PLANNED
            issue.implemented_on = None
        return audited_save(issue, actor=actor, reason=issue.effectiveness_check, trusted=TRUSTED)


def issue_cancel(
    *, actor: User, issue: OversightIssue, reason: str, known: StudyAccess | None = None
) -> OversightIssue:
    """Cancel an open or planned issue (raised in error, or merged into another), and say why."""
    _require(actor, issue.study_id, issue.site_id, known)
    reason = explanation_required(reason, field="reason", message=_(EXPLAIN_MESSAGE))
    with transaction.atomic():
        issue = _locked(issue, "cancel")
        issue.status = IssueStatus.CANCELLED
        return audited_save(issue, actor=actor, reason=reason, trusted=TRUSTED)


def issue_reopen(
    *, actor: User, issue: OversightIssue, reason: str, known: StudyAccess | None = None
) -> OversightIssue:
    """Reopen a closed or cancelled issue: back to planned when it has actions (to implement and check again), else
    to open; refused while another issue is open for the same signal."""
    _require(actor, issue.study_id, issue.site_id, known)
    reason = explanation_required(reason, field="reason", message=_(EXPLAIN_MESSAGE))
    with transaction.atomic():
        _study_locked(issue.study_id)
        issue = _locked(issue, "reopen")
        _open_with_key(issue.study_id, issue.source_key, exclude=issue.pk)
        issue.status = IssueStatus.PLANNED if issue.corrective_action else IssueStatus.OPEN
        issue.implemented_on, issue.effective, issue.closed_on = None, None, None
        return audited_save(issue, actor=actor, reason=reason, trusted=TRUSTED)
