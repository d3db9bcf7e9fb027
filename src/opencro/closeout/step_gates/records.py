"""The records' gates: the TMF reconciled, the archives recorded, and the sponsor's approval."""

import copy
import hashlib
import json

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opencro.closeout.gate_lines import Found, GateLine, Item, Selection, iso, limited
from opencro.closeout.models import Closeout, CloseoutStep
from opencro.closeout.retention import RULES
from opencro.closeout.step_gates.common import StudyData, site_item
from opencro.closeout.step_gates.data import version_text
from opencro.closeout.steps import StepKey
from opencro.documents.tmf_selectors import tmf_completeness, tmf_expectation_list
from opencro.studies.models import Site, StudyStatus


def tmf_gate(d: StudyData, record: CloseoutStep | None, selection: Selection | None) -> Found:
    """Measured as if the study were closed (`tmf_completeness` counts the close-out expectations only then): at
    reconciliation the close-out artifacts are due."""
    as_closed = copy.copy(d.study)
    as_closed.status = StudyStatus.CLOSED
    tmf = tmf_completeness(None, as_closed, on=d.today)
    expected = tmf_expectation_list(d.study.pk).count()
    structure = tmf.structure
    lines = [
        GateLine(
            "structure",
            _("A TMF structure with expected artifacts is in use"),
            structure is not None and expected > 0,
            (f"{structure.name} {structure.version}".strip() + " · " if structure else "")
            + ngettext("%(n)d expectation.", "%(n)d expectations.", expected) % {"n": expected},
        )
    ]
    study_metrics = tmf.study.metrics
    completeness = study_metrics.completeness
    missing: list[Item] = [Item(f"{n} {name}") for n, name in tmf.study.missing]
    for row in tmf.countries:
        missing += [Item(f"{row.label}: {n} {name}", country_id=row.country.pk) for n, name in row.missing]
    for row in tmf.sites:
        missing += [Item(f"{row.site.number}: {n} {name}", site_id=row.site.pk) for n, name in row.missing]
    absent = completeness.denominator - completeness.numerator
    lines.append(
        GateLine(
            "complete",
            _("Every expected artifact is filed, close-out artifacts included"),
            completeness.denominator > 0 and absent == 0,
            ngettext("%(n)d of %(e)d expected document missing.", "%(n)d of %(e)d expected documents missing.", absent)
            % {"n": absent, "e": completeness.denominator}
            if absent
            else (
                _("%(e)d expected, all filed.") % {"e": completeness.denominator}
                if completeness.denominator
                else _("Nothing is expected: set the TMF's expectations.")
            ),
            limited(missing),
        )
    )
    pending = study_metrics.qc_pending
    lines.append(
        GateLine(
            "qc",
            _("No filed document waits for its quality check"),
            pending == 0,
            ngettext("%(n)d document awaits QC.", "%(n)d documents await QC.", pending) % {"n": pending}
            if pending
            else "",
        )
    )
    csr = d.signed(StepKey.CSR)
    version = csr.document_version if csr is not None else None
    filed_text = _("Sign the clinical study report first.") if version is None else version_text(version)
    lines.append(
        GateLine(
            "csr_filed",
            _("The clinical study report is filed in the TMF"),
            version is not None and version.filed_at is not None,
            filed_text,
        )
    )
    facts = {
        "as_of": d.today.isoformat(),
        "structure": f"{structure.name} {structure.version}".strip() if structure else "",
        "expected": completeness.denominator,
        "present": completeness.numerator,
        "filed": study_metrics.quality.denominator,
        "qc_passed": study_metrics.quality.numerator,
    }
    return Found(lines, facts)


def archive_details(closeout: Closeout | None, sites: list[Site]) -> dict:
    """The archive details as the archiving step signs them (JSON), with their digest."""
    if closeout is None:
        return {}
    kept = {a.site_id: a for a in closeout.site_archives.all()}
    details = {
        "tmf_location": closeout.tmf_location,
        "tmf_reference": closeout.tmf_reference,
        "tmf_archived_on": iso(closeout.tmf_archived_on),
        "tmf_sha256": closeout.tmf_sha256,
        "retention_rule": closeout.retention_rule,
        "retention_basis_on": iso(closeout.retention_basis_on),
        "retention_years": closeout.retention_years,
        "retention_until": iso(closeout.retention_until),
        "sites": [
            {
                "site_id": s.pk,
                "site": s.number,
                "location": kept[s.pk].location,
                "reference": kept[s.pk].reference,
                "archived_on": iso(kept[s.pk].archived_on),
            }
            for s in sites
            if s.pk in kept
        ],
    }
    digest = hashlib.sha256(json.dumps(details, sort_keys=True).encode()).hexdigest()
    return {**details, "digest": digest}


def archiving_gate(d: StudyData, record: CloseoutStep | None, selection: Selection | None) -> Found:
    c = d.closeout
    details = archive_details(c, d.sites)
    recorded = {row["site_id"] for row in details.get("sites", [])}
    without = [s for s in d.started_sites if s.pk not in recorded]
    tmf_ok = c is not None and bool(c.tmf_location) and c.tmf_archived_on is not None
    if c is None:
        tmf_text = _("Start the close-out first.")
    elif tmf_ok:
        tmf_text = " · ".join(p for p in (c.tmf_location, c.tmf_reference, iso(c.tmf_archived_on)) if p)
    else:
        tmf_text = _("Not recorded yet.")
    rule = RULES.get(c.retention_rule) if c is not None else None
    lines = [
        GateLine("tmf_archive", _("The sponsor's TMF archive is recorded"), tmf_ok, tmf_text),
        GateLine(
            "site_archives",
            _("Every site's investigator site file archive is recorded"),
            c is not None and not without,
            ngettext("%(n)d site without its ISF archive.", "%(n)d sites without their ISF archive.", len(without))
            % {"n": len(without)}
            if without
            else "",
            limited([site_item(s) for s in without]),
        ),
        GateLine(
            "retention",
            _("The retention period is set"),
            c is not None and c.retention_until is not None,
            _("Kept until %(day)s (%(rule)s).") % {"day": c.retention_until.isoformat(), "rule": rule.citation}
            if c is not None and c.retention_until is not None and rule is not None
            else _("Not set yet."),
        ),
    ]
    if record is not None and record.facts.get("digest") != details.get("digest"):
        lines.append(
            GateLine("as_signed", _("The archive details are as signed"), False, _("Changed since the signature."))
        )
    return Found(lines, details)


def approval_gate(d: StudyData, record: CloseoutStep | None, selection: Selection | None) -> Found:
    study = d.study
    if study.status == StudyStatus.CLOSED:
        status_text = _("The study is closed.")
    else:
        status_text = _("Status now: %(status)s; approving the close-out closes the study.") % {
            "status": study.get_status_display()
        }
    lines = [GateLine("status", _("The study's status"), True, status_text, info=True)]
    facts = {
        "previous_status": study.status,
        "steps": {
            key: {"signed_by": r.signed_by.printed_name, "signed_at": iso(r.signed_at)}
            for key, r in d.records.items()
            if key != StepKey.APPROVAL
        },
    }
    return Found(lines, facts)
