"""Build the next eCTD sequence of the study's US application from what the study holds: the SDTM and ADaM datasets
of its latest submission package (module 5, `m5/datasets/<study>/...`, FDA Study Data Technical Conformance Guide
section 7) and its approved documents filed under an eCTD section (clinical overview, study report, literature).

Lifecycle is worked out against the sequences already in the application's folder (ICH eCTD v3.2.2 Appendix 6):
a file whose target path was sent before with the same MD5 is not sent again, with another MD5 it *replaces* the
latest leaf at that path, otherwise it is *new*. The sequence is validated after it is written and the problems,
if any, kept with it. The folder is `<OPENCRO_VAR_DIR>/ectd/<study>/` unless the caller names one (the CLI's --out).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.analysis.models import PackageStatus, SubmissionPackage
from opencro.analysis.package import study_folder_name
from opencro.analysis.services import package_folder
from opencro.audit.services import audited_save
from opencro.formats.ectd import (
    ApplicantContact,
    LeafSpec,
    UsRegional,
    build_sequence,
    read_sequence,
    validate_sequence,
)
from opencro.formats.ectd.backbone import md5_of
from opencro.regulatory.ectd_folders import next_sequence, sequence_folders
from opencro.regulatory.models import EctdSequence, Submission
from opencro.regulatory.services._access import regulatory_require
from opencro.studies.models import Study

CONTROLLED = "m5-3-5-1-study-reports-of-controlled-clinical-studies-pertinent-to-the-claimed-indication"
# the folder of each section a study document may be filed under (ICH eCTD v3.2.2 Appendix 4)
FOLDERS = {
    "m1-2-cover-letters": "m1/us",
    "m2-5-clinical-overview": "m2/25-clin-over",
    "m2-7-clinical-summary": "m2/27-clin-sum",
    "m2-7-3-summary-of-clinical-efficacy": "m2/27-clin-sum",
    "m2-7-4-summary-of-clinical-safety": "m2/27-clin-sum",
    CONTROLLED: "m5/53-clin-stud-rep/535-rep-effic-safety-stud/5351-stud-rep-contr/{study}",
    "m5-3-7-case-report-forms-and-individual-patient-listings": "m5/53-clin-stud-rep/537-crf-ipl/{study}",
    "m5-4-literature-references": "m5/54-lit-ref",
}
# package path below m5/datasets/<study>/ -> (file pattern, STF file tag)
DATASETS = (
    ("tabulations/sdtm", "*.xpt", "data-tabulation-dataset-sdtm"),
    ("tabulations/sdtm", "define.xml", "data-tabulation-data-definition"),
    ("analysis/adam/datasets", "*.xpt", "analysis-dataset-adam"),
    ("analysis/adam/datasets", "define.xml", "analysis-data-definition"),
)
Step = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Applicant:
    """Who files (FDA Module 1 applicant-info and applicant-contact): the DUNS number, company and a contact."""

    applicant_id: str
    company: str
    contact_name: str
    contact_phone: str
    contact_email: str

    @classmethod
    def configured(cls, study: Study) -> Applicant:
        """From the study's last sequence, else from settings (OPENCRO_ECTD_APPLICANT_*), the company the sponsor."""
        last = EctdSequence.objects.filter(study=study).exclude(regional={}).order_by("-sequence").first()
        if last is not None and last.regional.get("applicant"):
            return cls(**last.regional["applicant"])
        values = getattr(settings, "OPENCRO_ECTD_APPLICANT", {}) or {}
        return cls(
            applicant_id=values.get("id", ""),
            company=values.get("company", "") or study.sponsor,
            contact_name=values.get("contact_name", ""),
            contact_phone=values.get("contact_phone", ""),
            contact_email=values.get("contact_email", ""),
        )


def application_folder(study: Study) -> Path:
    return Path(settings.VAR_DIR) / "ectd" / study_folder_name(study.protocol_number)


def latest_package(study: Study) -> SubmissionPackage | None:
    return SubmissionPackage.objects.filter(study=study, status=PackageStatus.DONE).order_by("-number").first()


def ectd_sequence_build(
    *,
    actor: User | None,
    study: Study,
    applicant: Applicant,
    sequence: str | None = None,
    out: Path | None = None,
    submission: Submission | None = None,
    package: SubmissionPackage | None = None,
    description: str = "",
    on_step: Step | None = None,
) -> EctdSequence:
    """Write the next sequence and record it; FormatError (nothing written) when the input is refused."""
    access = regulatory_require(actor, study)
    package = package or latest_package(study)
    if package is not None and not package.blinded and access is not None and not access.sees_treatment:
        raise PermissionDenied(_("The package holds treatment assignments: building from it needs unblinded access."))
    if submission is not None and submission.study_id != study.pk:
        raise ValidationError({"submission": _("The submission belongs to another study.")})
    number = ectd_regional_require(study, applicant)
    folder = Path(out) if out is not None else application_folder(study)
    sequence = sequence or next_sequence(folder)
    previous = [p for p in sequence_folders(folder) if p.name < sequence]
    step = on_step or (lambda what, done, total: None)
    with tempfile.TemporaryDirectory(prefix="opencro-ectd-") as scratch:
        step(_("Collecting the files"), 0, 3)
        leaves = _leaves(study, package, Path(scratch), previous)
        if not leaves:
            raise ValidationError(
                {"sequence": _("Nothing new to send: no package datasets or approved eCTD documents changed.")}
            )
        regional = UsRegional(
            applicant_id=applicant.applicant_id,
            company_name=applicant.company,
            application_type="ind",
            application_number=number,
            submission_type="original-application",
            submission_sub_type="original" if sequence == "0000" else "amendment",
            sequence=sequence,
            related_sequence="0000" if previous else sequence,
            submission_description=description or f"{study.protocol_number} sequence {sequence}",
            form_type="1571",
            contacts=(
                ApplicantContact(
                    applicant.contact_name, "regulatory", applicant.contact_phone, "fdatnt1", applicant.contact_email
                ),
            ),
        )
        step(_("Writing the sequence"), 1, 3)
        manifest = build_sequence(folder, sequence, leaves, regional, previous)
    step(_("Validating"), 2, 3)
    problems = validate_sequence(folder / sequence, previous)
    record = EctdSequence(
        study=study,
        submission=submission,
        sequence=sequence,
        package=package,
        folder=str(folder / sequence),
        leaves=len(manifest.leaves),
        regional={"applicant": asdict(applicant), "application_number": number},
        manifest=[
            {"id": leaf.leaf_id, "operation": leaf.operation, "path": leaf.path, "title": leaf.title}
            for leaf in manifest.leaves
        ],
        problems=[{"location": p.location, "message": p.message} for p in problems],
        built_by=actor,
        built_at=timezone.now(),
    )
    with transaction.atomic():
        record = audited_save(record, actor=actor, trusted=("study",))
    step(_("Done"), 3, 3)
    return record


def ectd_regional_require(study: Study, applicant: Applicant) -> str:
    """What the US regional backbone (`m1/us/us-regional.xml`, FDA Module 1 v2.3 III.A-B) needs from the study and
    its applicant: the six-digit IND number (application-number), the applicant's DUNS number (applicant-info/id) and
    company name. Checked when a build is asked for (`regulatory.jobs.ectd_build_check`, behind the eCTD page and
    API) and again when it runs, so a build is refused at once rather than failing in its job. Return the application
    number; ValidationError naming each missing value and where to set it otherwise."""
    errors: dict[str, str] = {}
    digits = re.sub(r"\D", "", study.ind_number or "")
    if len(digits) != 6:
        errors["ind_number"] = _(
            "The study has no six-digit IND number, the application number of a US eCTD sequence: set the study's "
            "IND number (ind_number, with PATCH /api/v1/studies/%(study)s)."
        ) % {"study": study.pk}
    if not applicant.applicant_id.strip():
        errors["applicant_id"] = _(
            "The applicant's DUNS number (US regional applicant-info) is not configured: set "
            "OPENCRO_ECTD_APPLICANT_ID in the server's environment (the command line takes --applicant-id)."
        )
    if not applicant.company.strip():
        errors["company"] = _(
            "The applicant's company name is missing: set the study's sponsor (sponsor, with PATCH "
            "/api/v1/studies/%(study)s) or OPENCRO_ECTD_APPLICANT_COMPANY in the server's environment."
        ) % {"study": study.pk}
    if errors:
        raise ValidationError(errors)
    return digits


def _leaves(study: Study, package: SubmissionPackage | None, scratch: Path, previous: list[Path]) -> list[LeafSpec]:
    """Every file to send with its operation against the earlier sequences."""
    sent = _sent(previous)
    slug = study_folder_name(study.protocol_number)
    candidates: list[LeafSpec] = []
    if package is not None:
        root = package_folder(package) / "m5" / "datasets"
        for study_dir in sorted(p for p in root.glob("*") if p.is_dir()):
            for sub, pattern, tag in DATASETS:
                for path in sorted((study_dir / sub).glob(pattern)):
                    target = f"m5/datasets/{slug}/{sub}/{path.name.lower()}"
                    title = f"{path.stem.upper()} ({tag.replace('-', ' ')})"
                    candidates.append(_spec(path, target, title, CONTROLLED, study, tag=tag))
    candidates.extend(_document_leaves(study, scratch, slug))
    leaves = []
    for spec in candidates:
        before = sent.get(spec.target)
        if before is None:
            leaves.append(spec)
        elif before[1] != md5_of(spec.source):
            leaves.append(_replace(spec, before[0]))
    return leaves


def _spec(source: Path, target: str, title: str, section: str, study: Study, *, tag: str | None = None) -> LeafSpec:
    tagged = section.startswith("m5-3-")
    return LeafSpec(
        source=source,
        target=target,
        title=title,
        section=section,
        file_tag=tag or ("study-report-body" if tagged else None),
        study_id=study_folder_name(study.protocol_number) if tagged else None,
        study_title=study.title[:200] if tagged else None,
        attributes={"indication": study.indication} if section.startswith("m5-3-5") else {},
    )


def _replace(spec: LeafSpec, reference: str) -> LeafSpec:
    return LeafSpec(
        source=spec.source,
        target=spec.target,
        title=spec.title,
        section=spec.section,
        operation="replace",
        modified_file=reference,
        file_tag=spec.file_tag,
        study_id=spec.study_id,
        study_title=spec.study_title,
        attributes=spec.attributes,
    )


def _sent(previous: list[Path]) -> dict[str, tuple[str, str]]:
    """Target path -> (modified-file reference, MD5) of the latest leaf still standing at that path."""
    sent: dict[str, tuple[str, str]] = {}
    for folder in previous:
        manifest = read_sequence(folder)
        for leaf in manifest.leaves:
            if leaf.operation == "delete" or not leaf.path or not leaf.checksum:
                continue
            sent[leaf.path] = (manifest.reference(leaf), leaf.checksum)
    return sent


def _document_leaves(study: Study, scratch: Path, slug: str) -> list[LeafSpec]:
    """The latest approved (or final) version of each study document filed under an eCTD section."""
    from opencro.documents.models import Document, VersionStatus
    from opencro.documents.store import document_store

    store = document_store()
    leaves = []
    for document in Document.objects.filter(study=study, level="trial").exclude(ectd_section="").order_by("number"):
        version = (
            document.versions.filter(status__in=(VersionStatus.APPROVED, VersionStatus.FINAL))
            .order_by("-uploaded_at", "-id")
            .first()
        )
        if version is None:
            continue
        folder = FOLDERS.get(document.ectd_section)
        if folder is None:
            message = _("%(doc)s: section %(section)s cannot be built here.")
            raise ValidationError(
                {"ectd_section": message % {"doc": document.number, "section": document.ectd_section}}
            )
        suffix = Path(version.file_name).suffix.lower() or ".pdf"
        name = re.sub(r"[^a-z0-9-]+", "-", f"{document.number}-{document.title}".lower()).strip("-")[:50]
        source = scratch / f"{document.pk}{suffix}"
        source.write_bytes(store.read(version.blob_key))
        section = document.ectd_section
        target = f"{folder.format(study=slug)}/{name}{suffix}"
        leaves.append(_spec(source, target, document.title[:200], section, study))
    return leaves
