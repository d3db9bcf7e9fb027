"""Protocol deviation writes: report, correct, classify (important or not), reject, close, reopen, detect.

Site staff, monitors and data reviewers report (`deviation.report`); the sponsor's reviewers (`deviation.review`:
project manager, monitor) confirm and classify with a rationale, or reject what is not a deviation, and close
confirmed ones with the corrective and preventive action. A site-restricted member acts only at their sites. Each
service runs in one transaction and writes through `audited_save`; detection writes every new finding of one run
in one transaction too.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audit_batch, audited_save
from opencro.core.text import explanation_required
from opencro.monitoring.models import (
    STEP_STATUSES,
    Deviation,
    DeviationCategory,
    DeviationSource,
    DeviationStatus,
)
from opencro.monitoring.rules import findings_for
from opencro.studies.dates import site_today
from opencro.studies.models import Site, Study
from opencro.subjects.models import Subject

NUMBER_PREFIX = "PD-"
RATIONALE_MESSAGE = "Give the rationale in at least %(n)d characters."


def _require(
    actor: User | None, study_id: int, site_id: int, perm: str, known: StudyAccess | None
) -> StudyAccess | None:
    """`perm` on the study and a membership at the site; the actor's access (None: the system)."""
    if actor is None:
        return None
    access = access_require(actor, study_id, perm, known=known)
    if access.site_ids is not None and site_id not in access.site_ids:
        raise PermissionDenied(_("This site is outside your membership."))
    return access


def _dates(site: Site, occurred_on: dt.date, identified_on: dt.date) -> None:
    today = site_today(site)
    if occurred_on > today:
        raise ValidationError({"occurred_on": _("The date is in the future.")})
    if identified_on > today:
        raise ValidationError({"identified_on": _("The date is in the future.")})
    if identified_on < occurred_on:
        raise ValidationError({"identified_on": _("A deviation cannot be identified before it occurred.")})


def _category(category: str) -> str:
    if category not in DeviationCategory.values:
        raise ValidationError({"category": _("Choose a category from the list.")})
    return category


def _description(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"description": _("Describe what happened.")})
    return text


def _default_source(access: StudyAccess | None) -> str:
    """Who found it, when the reporter does not say: site staff, monitoring, data review (the system too)."""
    if access is None:
        return DeviationSource.DATA_REVIEW
    if access.can(Perm.DATA_ENTER):
        return DeviationSource.SITE
    return DeviationSource.MONITORING if access.can(Perm.SDV) else DeviationSource.DATA_REVIEW


def _number(n: int) -> str:
    return f"{NUMBER_PREFIX}{n:04d}"


def _number_next(study_id: int) -> str:
    """The study's next deviation number, PD-0001 ... (the caller holds the study's lock; none is ever deleted)."""
    return _number(Deviation.objects.filter(study_id=study_id).count() + 1)


def _study_locked(study_id: int) -> None:
    Study.objects.select_for_update(of=("self",)).filter(pk=study_id).first()  # one numbering at a time


def deviation_report(
    *,
    actor: User | None,
    site: Site,
    category: str,
    description: str,
    occurred_on: dt.date,
    identified_on: dt.date | None = None,
    subject: Subject | None = None,
    source: str = "",
    known: StudyAccess | None = None,
) -> Deviation:
    """Record a deviation at `site` (of `subject`, or of the site as a whole); it awaits review."""
    access = _require(actor, site.study_id, site.pk, Perm.DEVIATION_REPORT, known)
    if subject is not None and subject.site_id != site.pk:
        raise ValidationError({"subject": _("The participant is not at this site.")})
    if source == DeviationSource.RULE or (source and source not in DeviationSource.values):
        raise ValidationError({"source": _("Choose who found the deviation: the site, monitoring or data review.")})
    identified_on = identified_on or site_today(site)
    _dates(site, occurred_on, identified_on)
    deviation = Deviation(
        study_id=site.study_id,
        site=site,
        subject=subject,
        category=_category(category),
        description=_description(description),
        occurred_on=occurred_on,
        identified_on=identified_on,
        source=source or _default_source(access),
        reported_by=actor,
    )
    with transaction.atomic():
        _study_locked(site.study_id)
        deviation.number = _number_next(site.study_id)
        return audited_save(deviation, actor=actor, trusted=("study", "site", "subject"))


def _locked(deviation: Deviation, step: str) -> Deviation:
    """The deviation, locked, if `step` applies to its status (STEP_STATUSES)."""
    deviation = Deviation.objects.select_for_update(of=("self",)).select_related("site").get(pk=deviation.pk)
    if deviation.status not in STEP_STATUSES[step]:
        raise ValidationError(
            {
                "status": _("Deviation %(number)s is %(status)s: this step does not apply.")
                % {"number": deviation.number, "status": deviation.get_status_display().lower()}
            }
        )
    return deviation


def deviation_update(
    *,
    actor: User | None,
    deviation: Deviation,
    category: str,
    description: str,
    occurred_on: dt.date,
    identified_on: dt.date,
    reason: str,
    known: StudyAccess | None = None,
) -> Deviation:
    """Correct a deviation still awaiting review (a reason is required, as for any change)."""
    _require(actor, deviation.study_id, deviation.site_id, Perm.DEVIATION_REPORT, known)
    with transaction.atomic():
        deviation = _locked(deviation, "edit")
        _dates(deviation.site, occurred_on, identified_on)
        deviation.category = _category(category)
        deviation.description = _description(description)
        deviation.occurred_on, deviation.identified_on = occurred_on, identified_on
        return audited_save(deviation, actor=actor, reason=reason, trusted=("study", "site", "subject"))


def _reviewed(deviation: Deviation, actor: User | None, rationale: str) -> None:
    deviation.rationale = explanation_required(rationale, field="rationale", message=_(RATIONALE_MESSAGE))
    deviation.reviewed_by = actor
    deviation.reviewed_at = timezone.now()


def deviation_classify(
    *,
    actor: User | None,
    deviation: Deviation,
    important: bool,
    rationale: str,
    category: str = "",
    reason: str = "",
    known: StudyAccess | None = None,
) -> Deviation:
    """Confirm a deviation and classify it as important or not (ICH E3), with the rationale; a confirmed one may be
    classified again (the change is on the audit trail with `reason`, or the rationale when no reason is given)."""
    _require(actor, deviation.study_id, deviation.site_id, Perm.DEVIATION_REVIEW, known)
    with transaction.atomic():
        deviation = _locked(deviation, "classify")
        _reviewed(deviation, actor, rationale)
        deviation.important = bool(important)
        if category:
            deviation.category = _category(category)
        deviation.status = DeviationStatus.CONFIRMED
        why = reason.strip() or deviation.rationale
        return audited_save(deviation, actor=actor, reason=why, trusted=("study", "site", "subject"))


def deviation_reject(
    *, actor: User | None, deviation: Deviation, rationale: str, known: StudyAccess | None = None
) -> Deviation:
    """Record that what was reported or detected is not a deviation, and why."""
    _require(actor, deviation.study_id, deviation.site_id, Perm.DEVIATION_REVIEW, known)
    with transaction.atomic():
        deviation = _locked(deviation, "reject")
        _reviewed(deviation, actor, rationale)
        deviation.important = None
        deviation.status = DeviationStatus.REJECTED
        return audited_save(deviation, actor=actor, reason=deviation.rationale, trusted=("study", "site", "subject"))


def deviation_close(
    *,
    actor: User | None,
    deviation: Deviation,
    corrective_action: str,
    closed_on: dt.date | None = None,
    known: StudyAccess | None = None,
) -> Deviation:
    """Close a confirmed deviation; an important one needs its corrective and preventive action stated."""
    _require(actor, deviation.study_id, deviation.site_id, Perm.DEVIATION_REVIEW, known)
    with transaction.atomic():
        deviation = _locked(deviation, "close")
        action = (corrective_action or "").strip()
        if deviation.important and not action:
            raise ValidationError(
                {"corrective_action": _("An important deviation is closed with its corrective and preventive action.")}
            )
        closed_on = closed_on or site_today(deviation.site)
        if closed_on > site_today(deviation.site) or closed_on < deviation.identified_on:
            raise ValidationError({"closed_on": _("The closing date must fall between identification and today.")})
        deviation.corrective_action, deviation.closed_on = action, closed_on
        deviation.status = DeviationStatus.CLOSED
        return audited_save(deviation, actor=actor, reason=action or _("closed"), trusted=("study", "site", "subject"))


def deviation_reopen(
    *, actor: User | None, deviation: Deviation, reason: str, known: StudyAccess | None = None
) -> Deviation:
    """Send a closed or rejected deviation back to review (its classification is kept until it is reviewed)."""
    _require(actor, deviation.study_id, deviation.site_id, Perm.DEVIATION_REVIEW, known)
    reason = explanation_required(reason, field="reason", message=_(RATIONALE_MESSAGE))
    with transaction.atomic():
        deviation = _locked(deviation, "reopen")
        deviation.status = DeviationStatus.CONFIRMED if deviation.important is not None else DeviationStatus.OPEN
        deviation.closed_on = None
        return audited_save(deviation, actor=actor, reason=reason, trusted=("study", "site", "subject"))


@dataclass(frozen=True)
class Detection:
    """What one detection run did: findings seen, deviations created (new findings only)."""

    found: int
    created: tuple[Deviation, ...]


def deviations_detect(
    *, actor: User | None, study: Study, today: dt.date | None = None, known: StudyAccess | None = None
) -> Detection:
    """Run the deviation rules over the study's participants (a site-restricted reviewer: at their sites) and
    record each new finding as a deviation awaiting review, all in one transaction."""
    site_ids: frozenset[int] | None = None
    if actor is not None:
        site_ids = access_require(actor, study, Perm.DEVIATION_REVIEW, known=known).site_ids
    subjects = Subject.objects.filter(study=study).select_related("site")
    if site_ids is not None:
        subjects = subjects.filter(site_id__in=site_ids)
    findings = findings_for(subjects, today=today or timezone.localdate())
    created: list[Deviation] = []
    with transaction.atomic(), audit_batch():
        _study_locked(study.pk)
        known_keys = set(
            Deviation.objects.filter(study=study, rule_key__in=[f.key for f in findings]).values_list(
                "rule_key", flat=True
            )
        )
        sites = {s.pk: s for s in Site.objects.filter(study=study)}
        count = Deviation.objects.filter(study=study).count()
        for finding in findings:
            if finding.key in known_keys:
                continue
            count += 1
            deviation = Deviation(
                study=study,
                site=sites[finding.site_id],
                subject_id=finding.subject_id,
                number=_number(count),
                category=finding.category,
                description=finding.description,
                occurred_on=finding.occurred_on,
                identified_on=max(finding.occurred_on, today or site_today(sites[finding.site_id])),
                source=DeviationSource.RULE,
                rule=finding.rule,
                rule_key=finding.key,
            )
            created.append(
                audited_save(deviation, actor=actor, trusted=("study", "site", "subject"), unique_checked=True)
            )
    return Detection(len(findings), tuple(created))
