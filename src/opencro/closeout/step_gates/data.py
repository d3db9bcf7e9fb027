"""The data steps' gates: the last participant's last visit, the database lock, the unblinding, the analysis
package and the clinical study report."""

import hashlib
import json
from collections import Counter

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opencro.analysis.models import PackageStatus, SubmissionPackage
from opencro.closeout.gate_lines import DETAIL_LIMIT, Found, GateLine, Item, Selection, iso, limited
from opencro.closeout.models import CloseoutStep
from opencro.closeout.step_gates.common import StudyData, lock_line
from opencro.closeout.steps import StepKey
from opencro.documents.models import DocumentLevel, DocumentVersion, VersionStatus
from opencro.edc.checklist import lock_checklist
from opencro.partnership.milestones import enrolment_target
from opencro.partnership.models import MilestoneKind
from opencro.rtsm.models import EmergencyUnblinding
from opencro.subjects.models import Subject, SubjectStatus, TreatmentAssignment

CSR_WORDS = ("clinical study report", "csr")
CURRENT = (VersionStatus.APPROVED, VersionStatus.FINAL)


def lplv_gate(d: StudyData, record: CloseoutStep | None, selection: Selection | None) -> Found:
    subjects = Subject.objects.filter(study=d.study)
    counts = Counter(dict(subjects.values_list("status").annotate(n=Count("pk")).order_by()))
    lines = []
    for status, key, label, text in (
        (
            SubjectStatus.SCREENING,
            "screening",
            _("No participant is still in screening"),
            lambda n: ngettext(
                "%(n)d participant is still in screening.", "%(n)d participants are still in screening.", n
            ),
        ),
        (
            SubjectStatus.ENROLLED,
            "on_study",
            _("Every enrolled participant has completed or withdrawn"),
            lambda n: ngettext("%(n)d participant is still on study.", "%(n)d participants are still on study.", n),
        ),
    ):
        n = counts[status]
        rows = subjects.filter(status=status).order_by("number").values_list("number", "site_id", "site__number")
        items = [Item(f"{number} ({site})", site_id=site_id) for number, site_id, site in rows[:DETAIL_LIMIT]]
        lines.append(GateLine(key, label, n == 0, text(n) % {"n": n} if n else "", limited(items)))
    lpi, lplv = d.actuals[MilestoneKind.LAST_PARTICIPANT_IN], d.actuals[MilestoneKind.LAST_PARTICIPANT_LAST_VISIT]
    if lpi is not None:
        over = _("Last participant in on %(day)s.") % {"day": lpi.isoformat()}
    else:
        target = enrolment_target(d.study)
        enrolled = counts[SubjectStatus.ENROLLED] + counts[SubjectStatus.COMPLETED] + counts[SubjectStatus.WITHDRAWN]
        over = (
            _("%(n)d enrolled of a target of %(target)d, and the study is not in follow-up.")
            % {"n": enrolled, "target": target}
            if target
            else _("No enrolment target: move the study to follow-up when enrolment has ended.")
        )
    lines.append(GateLine("enrolment_over", _("Enrolment is over"), lpi is not None, over))
    visit_text = _("Last visit on %(day)s.") % {"day": lplv.isoformat()} if lplv else _("No dated visit to count.")
    lines.append(GateLine("last_visit", _("The last participant's last visit is dated"), lplv is not None, visit_text))
    if record is not None and lplv is not None and record.facts.get("lplv") != lplv.isoformat():
        lines.append(
            GateLine(
                "as_signed",
                _("The last visit is the one signed"),
                False,
                _("Signed: %(signed)s; the data now give %(now)s.")
                % {"signed": record.facts.get("lplv"), "now": lplv.isoformat()},
            )
        )
    facts = {
        "lpi": iso(lpi),
        "lplv": iso(lplv),
        "enrolled": counts[SubjectStatus.ENROLLED] + counts[SubjectStatus.COMPLETED] + counts[SubjectStatus.WITHDRAWN],
        "completed": counts[SubjectStatus.COMPLETED],
        "withdrawn": counts[SubjectStatus.WITHDRAWN],
        "screen_failed": counts[SubjectStatus.SCREEN_FAILED],
    }
    return Found(lines, facts)


def database_lock_gate(d: StudyData, record: CloseoutStep | None, selection: Selection | None) -> Found:
    lock = d.lock
    lines = [lock_line(d, record)]
    checklist_label = _("The database-lock checklist is clear")
    if lock is None:
        problems = lock_checklist(d.study).problems()
        lines.append(GateLine("checklist", checklist_label, not problems, "; ".join(problems)))
        return Found(lines)
    lines.append(GateLine("checklist", checklist_label, True, _("It was clear when the database was locked.")))
    facts = {
        "lock_id": lock.pk,
        "locked_at": iso(lock.set_at),
        "locked_by": lock.set_by.printed_name if lock.set_by else "",
        "lock_reason": lock.reason,
    }
    return Found(lines, facts)


def unblinding_gate(d: StudyData, record: CloseoutStep | None, selection: Selection | None) -> Found:
    assigned = TreatmentAssignment.objects.filter(subject__study=d.study).count()
    emergencies = EmergencyUnblinding.objects.filter(subject__study=d.study).count()
    lines = [
        lock_line(d, record),
        GateLine(
            "randomised",
            _("Participants randomised"),
            True,
            ngettext(
                "%(n)d participant randomised; %(e)d emergency unblinding during the trial.",
                "%(n)d participants randomised; %(e)d emergency unblindings during the trial.",
                assigned,
            )
            % {"n": assigned, "e": emergencies},
            info=True,
        ),
    ]
    facts = {
        "lock_id": d.lock.pk if d.lock else None,
        "unblinded_on": d.today.isoformat(),
        "randomised": assigned,
        "emergency_unblindings": emergencies,
    }
    return Found(lines, facts)


def _package_lines(d: StudyData, package: SubmissionPackage) -> list[GateLine]:
    lock = d.lock
    on_lock = package.data_locked and lock is not None and package.requested_at >= lock.set_at
    return [
        GateLine(
            "built",
            _("The package is built"),
            package.status == PackageStatus.DONE,
            package.get_status_display() + (f": {package.error[:200]}" if package.error else ""),
        ),
        GateLine(
            "unblinded",
            _("It holds the real treatment arms (not a blinded dry run)"),
            not package.blinded,
            _("A blinded dry run.") if package.blinded else "",
        ),
        GateLine(
            "on_lock",
            _("It was built on the database lock in force"),
            on_lock,
            "" if on_lock else _("Built on data that were not locked, or before the lock now in force."),
        ),
    ]


def analysis_package_gate(d: StudyData, record: CloseoutStep | None, selection: Selection | None) -> Found:
    if selection is not None:
        package = selection.package
    elif record is not None:
        package = record.package
    else:
        candidates = list(SubmissionPackage.objects.filter(study=d.study).order_by("-number")[:20])
        package = next(
            (p for p in candidates if all(line.holds for line in _package_lines(d, p))),
            next((p for p in candidates if not p.blinded), candidates[0] if candidates else None),
        )
    label = _("An analysis package is chosen")
    if package is None:
        return Found([GateLine("chosen", label, False, _("No package built yet: build one on the package page."))])
    built = timezone.localdate(package.finished_at).isoformat() if package.finished_at else "-"
    chosen = GateLine("chosen", label, True, _("Package %(n)d, built %(day)s.") % {"n": package.number, "day": built})
    manifest = json.dumps(package.manifest, sort_keys=True, default=str).encode()
    facts = {
        "package_id": package.pk,
        "package": package.number,
        "built_at": iso(package.finished_at),
        "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
        "datasets": len(package.manifest.get("datasets", {})),
        "files": len(package.manifest.get("files", [])),
    }
    return Found([chosen, *_package_lines(d, package)], facts, package=package)


def csr_candidates(study_id: int):
    """Approved versions of the study's trial-level documents, newest first: the report is one of them."""
    return (
        DocumentVersion.objects.filter(
            document__study_id=study_id, document__level=DocumentLevel.TRIAL, status=VersionStatus.APPROVED
        )
        .select_related("document__artifact")
        .order_by("-approved_at", "-pk")
    )


def _looks_like_csr(version: DocumentVersion) -> bool:
    doc = version.document
    words = " ".join((doc.title, doc.artifact.name if doc.artifact_id else "")).casefold()
    return any(w in words for w in CSR_WORDS) or doc.ectd_section.startswith("m5-3-5")


def version_text(v: DocumentVersion) -> str:
    return f"{v.document.number} v{v.version} {v.document.title}"


def csr_gate(d: StudyData, record: CloseoutStep | None, selection: Selection | None) -> Found:
    appendices: tuple = ()
    if selection is not None:
        version, appendices = selection.document_version, tuple(selection.appendices)
    elif record is not None:
        version = record.document_version
        appendices = tuple(
            DocumentVersion.objects.filter(pk__in=record.appendices).select_related("document").order_by("pk")
        )
    else:
        version = next((v for v in csr_candidates(d.study.pk)[:50] if _looks_like_csr(v)), None)
    label = _("A clinical study report version is chosen")
    if version is None:
        detail = _("No approved clinical study report found: have it reviewed and approved in Documents.")
        return Found([GateLine("chosen", label, False, detail)])
    analysis = d.signed(StepKey.ANALYSIS_PACKAGE)
    package = analysis.package if analysis is not None else None
    after = (
        package is not None
        and package.finished_at is not None
        and version.approved_at is not None
        and version.approved_at >= package.finished_at
    )
    if package is None:
        after_text = _("Sign the analysis package first.")
    elif after:
        after_text = _("Package %(n)d.") % {"n": package.number}
    else:
        after_text = _("Approved before package %(n)d was built.") % {"n": package.number}
    lines = [
        GateLine("chosen", label, True, version_text(version)),
        GateLine(
            "approved",
            _("The version is approved and current"),
            version.status == VersionStatus.APPROVED,
            version.get_status_display(),
        ),
        GateLine("after_package", _("It was approved after the analysis package was built"), after, after_text),
    ]
    if record is not None and len(appendices) != len(record.appendices):
        lines.append(GateLine("appendices", _("Every appendix is approved or final"), False, _("An appendix is gone.")))
    elif appendices:
        stale = [Item(version_text(v)) for v in appendices if v.status not in CURRENT]
        lines.append(
            GateLine(
                "appendices",
                _("Every appendix is approved or final"),
                not stale,
                ngettext("%(n)d appendix.", "%(n)d appendices.", len(appendices)) % {"n": len(appendices)},
                limited(stale),
            )
        )
    facts = {
        "version_id": version.pk,
        "document": version.document.number,
        "title": version.document.title,
        "version": version.version,
        "sha256": version.sha256,
        "approved_at": iso(version.approved_at),
        "package": package.number if package is not None else None,
        "appendices": [
            {"id": v.pk, "document": v.document.number, "version": v.version, "sha256": v.sha256} for v in appendices
        ],
    }
    return Found(lines, facts, document_version=version, appendices=appendices)
