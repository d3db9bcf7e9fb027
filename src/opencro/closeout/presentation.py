"""The checklist for people and programs: the facts a signature recorded as labelled rows (pages), and the whole
checklist as plain data (the API and `opencro closeout status --json`), limited to what the reader may see."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy as pgettext

from opencro.closeout.gate_lines import GateLine
from opencro.closeout.gates import Checklist, StepStatus
from opencro.closeout.retention import RetentionRuleCode
from opencro.closeout.steps import StepKey
from opencro.studies.models import StudyStatus

FACT_LABELS = {
    "lpi": _("Last participant in"),
    "lplv": _("Last participant, last visit"),
    "enrolled": _("Enrolled"),
    "completed": _("Completed"),
    "withdrawn": _("Withdrawn"),
    "screen_failed": _("Screen failures"),
    "locked_at": _("Locked at"),
    "locked_by": _("Locked by"),
    "lock_reason": _("Reason for the lock"),
    "unblinded_on": _("Unblinded on"),
    "randomised": _("Participants randomised"),
    "emergency_unblindings": _("Emergency unblindings"),
    "package": _("Analysis package"),
    "built_at": _("Built at"),
    "manifest_sha256": _("Manifest SHA-256"),
    "datasets": _("Datasets"),
    "files": _("Files"),
    "document": _("Document"),
    "title": _("Title"),
    "version": _("Version"),
    "sha256": _("SHA-256"),
    "approved_at": _("Approved at"),
    "contracts": _("Signed site contracts"),
    "runs_paid": _("Payment runs paid"),
    "last_paid_on": _("Last paid on"),
    "holdbacks_released": _("Holdbacks released"),
    "as_of": _("As of"),
    "structure": _("TMF structure"),
    "expected": _("Expected documents"),
    "present": _("Filed"),
    "filed": _("Documents filed"),
    "qc_passed": _("Passed QC"),
    "tmf_location": _("TMF archive"),
    "tmf_reference": _("Archive reference"),
    "tmf_archived_on": _("Archived on"),
    "tmf_sha256": _("SHA-256 of the archived copy"),
    "retention_rule": _("Retention rule"),
    "retention_basis_on": _("Retention counted from"),
    "retention_years": _("Years"),
    "retention_until": _("Kept until"),
    "previous_status": _("Status before the approval"),
}


def _shown(key: str, value) -> str:
    if key == "retention_rule" and value in RetentionRuleCode.values:
        return str(RetentionRuleCode(value).label)
    if key == "previous_status" and value in StudyStatus.values:
        return str(StudyStatus(value).label)
    return str(value)


def fact_rows(facts: dict) -> list[tuple[str, str]]:
    """The scalar facts with a label, in the table's order (ids and digests the pages do not need left out)."""
    shown = [key for key in FACT_LABELS if facts.get(key) not in (None, "")]
    return [(str(FACT_LABELS[key]), _shown(key, facts[key])) for key in shown]


def detail_rows(facts: dict) -> list[tuple[str, str]]:
    """The facts' lists as rows: one per site (close-out visit, or ISF archive), appendix, or step signed before."""
    rows = []
    for site in facts.get("sites", []):
        parts = [
            _("visit %(n)s") % {"n": site["visit"]} if site.get("visit") else "",
            _("visited %(d)s") % {"d": site["visited_on"]} if site.get("visited_on") else "",
            _("approved %(d)s") % {"d": site["approved_on"]} if site.get("approved_on") else "",
            str(pgettext("site", "closed") if site["closed"] else pgettext("site", "not closed"))
            if "closed" in site
            else "",
            site.get("location", ""),
            site.get("reference", ""),
            _("archived %(d)s") % {"d": site["archived_on"]} if site.get("archived_on") else "",
        ]
        rows.append((_("Site %(n)s") % {"n": site["site"]}, " · ".join(p for p in parts if p)))
    for appendix in facts.get("appendices", []):
        rows.append((str(_("Appendix")), f"{appendix['document']} v{appendix['version']} · {appendix['sha256'][:12]}…"))
    for key, signed in facts.get("steps", {}).items():
        label = str(StepKey(key).label) if key in StepKey.values else key
        rows.append((label, f"{signed['signed_by']} · {signed['signed_at'][:16].replace('T', ' ')}"))
    return rows


def _line(line: GateLine) -> dict:
    return {
        "key": line.key,
        "label": line.label,
        "holds": line.holds,
        "info": line.info,
        "detail": line.detail,
        "items": [item.text for item in line.items],
    }


def step_data(status: StepStatus, lines: tuple[GateLine, ...], facts: dict, signers: list[str]) -> dict:
    record = status.record
    return {
        "key": status.key,
        "number": status.definition.number,
        "label": status.label,
        "purpose": str(status.definition.purpose),
        "permission": status.definition.perm,
        "signed_by_roles": signers,
        "after": list(status.definition.after),
        "state": status.state,
        "state_label": status.state_label,
        "waiting_for": list(status.waiting_for),
        "gate": [_line(line) for line in lines],
        "signed_by": record.signed_by.printed_name if record else None,
        "signed_at": record.signed_at.isoformat() if record else None,
        "note": record.note if record else "",
        "facts": facts,
    }


def checklist_data(checklist: Checklist, views: list | None = None) -> dict:
    """The checklist as plain data; `views`: the steps as a reader sees them (selectors.step_views), else every
    detail (the system's own reading, on the command line)."""
    closeout = checklist.closeout
    if views is None:
        steps = [step_data(s, s.lines, s.record.facts if s.record else {}, []) for s in checklist.steps]
    else:
        steps = [step_data(v.status, v.lines, v.facts, v.signers) for v in views]
    return {
        "study": checklist.study.protocol_number,
        "study_status": checklist.study.status,
        "as_of": checklist.today.isoformat(),
        "started": closeout is not None,
        "started_by": closeout.started_by.printed_name if closeout else None,
        "started_at": closeout.started_at.isoformat() if closeout else None,
        "target_on": closeout.target_on.isoformat() if closeout and closeout.target_on else None,
        "signed": checklist.signed_count,
        "approved": checklist.approved,
        "steps": steps,
    }
