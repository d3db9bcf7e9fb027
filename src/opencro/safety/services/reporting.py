"""Expedited reporting: the rule sets a study follows, the due dates kept on each version, submissions and
acknowledgements."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audit_batch, audited_delete, audited_save
from opencro.formats.errors import FormatError
from opencro.safety.clocks import DueReport
from opencro.safety.facts import case_clock, default_rule_set_documents
from opencro.safety.models import (
    CaseSubmission,
    CaseVersion,
    ReportingRuleSet,
    StudyRuleSet,
    SubmissionFormat,
    VersionState,
)
from opencro.safety.rulesets import parse_rule_set
from opencro.safety.services.common import safety_require
from opencro.studies.models import Study


def rule_sets_install() -> list[ReportingRuleSet]:
    """Store (or refresh) the built-in rule sets shipped in `safety/default_rulesets/` (system, idempotent)."""
    stored = []
    with transaction.atomic(), audit_batch():
        for document in default_rule_set_documents():
            record = ReportingRuleSet.objects.filter(study=None, code=document["code"]).first()
            if record is None:
                record = ReportingRuleSet(code=document["code"])
            elif record.document == document:
                stored.append(record)
                continue
            record.name, record.document = document["name"], document
            stored.append(audited_save(record, actor=None, reason="built-in rule set updated"))
    return stored


def rule_set_save(*, actor: User | None, study: Study, document: dict, reason: str = "") -> ReportingRuleSet:
    """Add or change one of the study's own rule sets (another regulator, an ethics committee's rules).

    The document is parsed and checked first: a rule set with any located problem is refused whole.
    """
    if actor is not None:
        access_require(actor, study, Perm.SAFETY_EDIT)
    try:
        rule_set = parse_rule_set(document)
    except FormatError as exc:
        raise ValidationError({"document": [str(p) for p in exc.problems]}) from None
    if ReportingRuleSet.objects.filter(study=None, code=rule_set.code).exists():
        raise ValidationError(
            {"code": _("%(code)s is a built-in rule set; choose another code.") % {"code": rule_set.code}}
        )
    record = ReportingRuleSet.objects.filter(study=study, code=rule_set.code).first() or ReportingRuleSet(
        study=study, code=rule_set.code
    )
    record.name, record.document = rule_set.name, document
    with transaction.atomic(), audit_batch():
        return audited_save(record, actor=actor, reason=reason)


def study_rule_sets_set(*, actor: User | None, study: Study, codes: list[str], reason: str = "") -> list[str]:
    """Choose the rule sets a study follows (built-in ones and the study's own); returns the codes in force."""
    if actor is not None:
        access_require(actor, study, Perm.SAFETY_EDIT)
    records = {r.code: r for r in ReportingRuleSet.objects.filter(Q(study=study) | Q(study=None), code__in=codes)}
    unknown = sorted(set(codes) - set(records))
    if unknown:
        raise ValidationError({"codes": _("Unknown rule sets: %(c)s.") % {"c": ", ".join(unknown)}})
    current = {link.rule_set.code: link for link in StudyRuleSet.objects.filter(study=study).select_related("rule_set")}
    with transaction.atomic(), audit_batch():
        for code in sorted(set(records) - set(current)):
            audited_save(StudyRuleSet(study=study, rule_set=records[code]), actor=actor)
        for code in sorted(set(current) - set(records)):
            audited_delete(current[code], actor=actor, reason=reason or "rule set no longer followed")
        for version in CaseVersion.objects.filter(study=study, frozen_at=None).select_related("case"):
            version_due_refresh(version)
    return sorted(records)


def _submitted(version: CaseVersion) -> set[tuple[str, str, str, str]]:
    return {
        (s.rule_set, s.rule, s.recipient, s.kind)
        for s in CaseSubmission.objects.filter(version__case_id=version.case_id, version__number=version.number)
    }


def due_key(due: DueReport) -> tuple[str, str, str, str]:
    return (due.rule_set, due.rule, due.recipient, due.kind)


def version_due_refresh(version: CaseVersion) -> dt.date | None:
    """Keep `next_due_on` (the worklist's sort key) equal to the earliest unsubmitted report due for the version."""
    result = case_clock(version.case)
    done = _submitted(version)
    pending = [d.due_on for d in result.reports if d.version == version.number and due_key(d) not in done]
    next_due = min(pending, default=None)
    if next_due != version.next_due_on:
        CaseVersion.objects.filter(pk=version.pk).update(next_due_on=next_due)
        version.next_due_on = next_due
    return next_due


def submission_record(
    *,
    actor: User | None,
    version: CaseVersion,
    rule_set: str,
    rule: str,
    recipient: str,
    kind: str,
    submitted_on: dt.date,
    fmt: str = SubmissionFormat.E2B,
    message_id: str = "",
    payload: str = "",
) -> CaseSubmission:
    """Record a report sent for an approved version; the version is frozen from now on."""
    safety_require(actor, version.case.study_id, version.case.site_id)
    if version.state not in (VersionState.APPROVED, VersionState.REPORTED):
        raise ValidationError({"version": _("Approve the version before reporting it.")})
    if submitted_on > timezone.localdate():
        raise ValidationError({"submitted_on": _("A submission date cannot be in the future.")})
    if submitted_on < version.received_on:
        raise ValidationError({"submitted_on": _("A report cannot be sent before the information was received.")})
    due = next(
        (
            d
            for d in case_clock(version.case).reports
            if d.version == version.number and due_key(d) == (rule_set, rule, recipient, kind)
        ),
        None,
    )
    if due is None:
        raise ValidationError({"rule": _("No such report is due for this version.")})
    if fmt not in SubmissionFormat.values:
        raise ValidationError({"fmt": _("Unknown format.")})
    with transaction.atomic(), audit_batch():
        submission = audited_save(
            CaseSubmission(
                version=version,
                rule_set=rule_set,
                rule=rule,
                recipient=recipient,
                kind=kind,
                due_on=due.due_on,
                submitted_on=submitted_on,
                submitted_by=actor,
                fmt=fmt,
                message_id=message_id,
                payload=payload,
            ),
            actor=actor,
            trusted=("version",),
        )
        if not version.frozen or version.state != VersionState.REPORTED:
            version.frozen_at = version.frozen_at or timezone.now()
            version.state = VersionState.REPORTED
            audited_save(version, actor=actor, reason="reported")
        version_due_refresh(version)
    return submission


def submission_ack_record(
    *,
    actor: User | None,
    submission: CaseSubmission,
    batch_code: str,
    case_code: str,
    received_on: dt.date,
    text: str = "",
) -> CaseSubmission:
    """Record the recipient's acknowledgement (ICH ACK: AA/AE/AR for the batch, CA/CR for the case)."""
    safety_require(actor, submission.version.case.study_id, submission.version.case.site_id)
    if batch_code not in ("AA", "AE", "AR") or case_code not in ("CA", "CR", ""):
        raise ValidationError(
            {"ack": _("Acknowledgement codes are AA, AE or AR for the batch and CA or CR for the case.")}
        )
    if received_on < submission.submitted_on:
        raise ValidationError({"received_on": _("An acknowledgement cannot precede the submission.")})
    submission.ack_batch_code, submission.ack_code = batch_code, case_code
    submission.ack_received_on, submission.ack_text = received_on, text[:20000]
    with transaction.atomic(), audit_batch():
        return audited_save(submission, actor=actor, reason="acknowledgement received")
