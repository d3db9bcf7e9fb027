"""TMF structure and expectation writes: load the study's artifact list from a TMF Reference Model spreadsheet (or a
sponsor's file plan in its layout), expect its core artifacts by default, and set one expectation.

No copy of the Reference Model ships with OpenCRO (see `opencro/formats/tmf/README.md`): the user loads the
spreadsheet they downloaded from https://www.cdisc.org/tmf. Loading is all or nothing: a file with any problem is
refused with every problem located (`FormatError`), and nothing is written. Each write needs `regulatory.edit`.
"""

import hashlib
import tempfile
from pathlib import Path, PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audit_batch, audited_delete, audited_save
from opencro.documents.models import DocumentLevel, TmfArtifact, TmfExpectation, TmfMilestone, TmfStructure
from opencro.documents.tmf_selectors import tmf_structure_current
from opencro.edc.uploads import max_upload_bytes
from opencro.formats.errors import FormatError, Problem
from opencro.formats.tmf import ReferenceModel, read_reference_model
from opencro.studies.models import Study

SUFFIXES = (".csv", ".xlsx")
# when a default expectation falls due: trial- and country-level records before the trial starts, site-level ones
# before the site's green light (ICH E6(R3) appendix C.1: essential records "before the trial commences")
DEFAULT_MILESTONE = {
    DocumentLevel.TRIAL: TmfMilestone.TRIAL_START,
    DocumentLevel.COUNTRY: TmfMilestone.TRIAL_START,
    DocumentLevel.SITE: TmfMilestone.SITE_ACTIVATION,
}


def _read(file_name: str, content: bytes, version: str | None) -> ReferenceModel:
    suffix = PurePath(file_name or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise FormatError(Problem(file_name or "", _("Load the Reference Model as .xlsx or as CSV UTF-8.")))
    if not content:
        raise FormatError(Problem(file_name, _("The file is empty.")))
    if len(content) > max_upload_bytes():
        raise FormatError(
            Problem(file_name, _("The file is larger than %(mb)d MB.") % {"mb": max_upload_bytes() >> 20})
        )
    with tempfile.TemporaryDirectory(prefix="opencro-tmf-") as folder:
        path = Path(folder) / f"model{suffix}"
        path.write_bytes(content)
        try:
            return read_reference_model(path, version=version)
        except FormatError as exc:  # name the file as the user knows it, not the temporary copy
            raise FormatError(
                [Problem(p.location.replace(str(path), file_name), p.message) for p in exc.problems]
            ) from None


def tmf_structure_load(
    *,
    actor: User | None,
    study: Study,
    file_name: str,
    content: bytes,
    name: str = "",
    version: str | None = None,
    known: StudyAccess | None = None,
) -> TmfStructure:
    """Load a Reference Model spreadsheet as the study's TMF structure (it becomes the one in use), with the
    file's SHA-256. The previous structure's expectations are carried over to the same artifact numbers (numbers
    are never reused across versions: tmfrefmodel.com FAQ); those whose artifact is gone are listed in the
    structure's trail and dropped."""
    if actor is not None:
        access_require(actor, study, Perm.REGULATORY_EDIT, known=known)
    model = _read(file_name, content, version)
    if not model.artifacts:
        raise FormatError(Problem(file_name, _("The file lists no artifact.")))
    with transaction.atomic(), audit_batch():
        Study.objects.select_for_update(of=("self",)).filter(pk=study.pk).first()
        previous = tmf_structure_current(study.pk)
        structure = audited_save(
            TmfStructure(
                study=study,
                name=(name or "").strip() or "TMF Reference Model",
                version=model.version[:40],
                source_file=PurePath(file_name).name[:200],
                sha256=hashlib.sha256(content).hexdigest(),
                loaded_by=actor,
                loaded_at=timezone.now(),
            ),
            actor=actor,
            trusted=("study", "loaded_by"),
        )
        made: dict[str, TmfArtifact] = {}
        for artifact in model.artifacts:
            made[artifact.number] = audited_save(
                TmfArtifact(
                    structure=structure,
                    number=artifact.number,
                    name=artifact.name[:300],
                    zone_number=artifact.zone.number,
                    zone_name=artifact.zone.name[:200],
                    section_number=artifact.section.number,
                    section_name=artifact.section.name[:200],
                    levels=[level for level in DocumentLevel.values if level in artifact.levels],
                    core=artifact.core,
                    definition=artifact.definition,
                    sub_artifacts=list(artifact.sub_artifacts),
                ),
                actor=actor,
                trusted=("structure",),
            )
        if previous is not None:
            _carry_over(actor, study, previous, made)
        return structure


def _carry_over(actor: User | None, study: Study, previous: TmfStructure, made: dict[str, TmfArtifact]) -> None:
    why = "TMF structure reloaded"
    for old in TmfExpectation.objects.filter(study=study, artifact__structure=previous).select_related("artifact"):
        artifact = made.get(old.artifact.number)
        if artifact is not None and old.level in artifact.levels:
            audited_save(
                TmfExpectation(study=study, artifact=artifact, level=old.level, milestone=old.milestone),
                actor=actor,
                trusted=("study", "artifact"),
            )
        audited_delete(old, actor=actor, reason=why if artifact else f"{why}: artifact {old.artifact.number} is gone")


def tmf_expectations_default(
    *, actor: User | None, study: Study, known: StudyAccess | None = None
) -> list[TmfExpectation]:
    """Expect every core artifact of the structure in use at each of its levels (trial and country level due
    before the trial starts, site level before each site's green light); artifacts not core are not expected.
    Expectations already set are kept as they are; return the new ones."""
    if actor is not None:
        access_require(actor, study, Perm.REGULATORY_EDIT, known=known)
    structure = tmf_structure_current(study.pk)
    if structure is None:
        raise ValidationError({"structure": _("Load the TMF structure first.")})
    with transaction.atomic(), audit_batch():
        existing = set(
            TmfExpectation.objects.filter(study=study, artifact__structure=structure).values_list(
                "artifact_id", "level"
            )
        )
        made = []
        for artifact in TmfArtifact.objects.filter(structure=structure, core=True).order_by("number"):
            for level in DocumentLevel.values:
                if level in artifact.levels and (artifact.pk, level) not in existing:
                    expectation = TmfExpectation(
                        study=study, artifact=artifact, level=level, milestone=DEFAULT_MILESTONE[level]
                    )
                    made.append(audited_save(expectation, actor=actor, trusted=("study", "artifact")))
        return made


def tmf_expectation_set(
    *,
    actor: User | None,
    study: Study,
    artifact: TmfArtifact,
    level: str,
    milestone: str,
    reason: str = "",
    known: StudyAccess | None = None,
) -> TmfExpectation | None:
    """Expect `artifact` at `level` by `milestone`, change its milestone, or (with an empty milestone) stop
    expecting it; a change or removal needs a reason. Returns the expectation (None once removed)."""
    if actor is not None:
        access_require(actor, study, Perm.REGULATORY_EDIT, known=known)
    if artifact.structure.study_id != study.pk:
        raise ValidationError({"artifact": _("The artifact belongs to another study's TMF structure.")})
    if level not in artifact.levels:
        raise ValidationError(
            {"level": _("Artifact %(number)s is not filed at this level.") % {"number": artifact.number}}
        )
    if milestone and milestone not in TmfMilestone.values:
        raise ValidationError({"milestone": _("Choose a milestone from the list.")})
    with transaction.atomic():
        found = (
            TmfExpectation.objects.select_for_update(of=("self",))
            .filter(study=study, artifact=artifact, level=level)
            .first()
        )
        reason = (reason or "").strip()
        if found is None:
            if not milestone:
                return None
            made = TmfExpectation(study=study, artifact=artifact, level=level, milestone=milestone)
            return audited_save(made, actor=actor, reason=reason, trusted=("study", "artifact"))
        if not reason:
            raise ValidationError({"reason": _("Say why the expectation changes.")})
        if not milestone:
            audited_delete(found, actor=actor, reason=reason)
            return None
        found.milestone = milestone
        return audited_save(found, actor=actor, reason=reason, trusted=("study", "artifact"))
