"""Writes of the analysis app: specification versions (SDTM mapping, ADaM, outputs) and submission packages.

All need `analysis.run` (biostatisticians, blinded or not). A package with the real treatment arms also needs
`treatment.view` (the unblinded statistician): a blinded biostatistician's package is always a dry run on a dummy
randomisation (`sources.dummy_arm`), every output marked so. Every saved specification is a new version; a package is
recorded when it starts and again when it ends, with its manifest or its error, each step in its own transaction.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.analysis.models import (
    AnalysisSpec,
    AnalysisSpecKind,
    MappingSpec,
    PackageStatus,
    SpecOrigin,
    SubmissionPackage,
)
from opencro.analysis.sdtm.errors import SdtmError
from opencro.analysis.sdtm.spec_io import dump_spec, spec_from_dict
from opencro.analysis.selectors import analysis_specs_current, spec_current
from opencro.analysis.sources import study_sources
from opencro.audit.services import audited_save
from opencro.edc.locks import active_locks
from opencro.edc.models import LockLevel, LockState
from opencro.studies.models import Study

Step = Callable[[str, int, int], None]  # (what, done, total)


def _require(actor: User | None, study: Study, perm: str = Perm.ANALYSIS_RUN) -> None:
    """`perm` on the study, through a study-wide membership: analysis datasets hold every site's data."""
    if actor is None:
        return
    access = access_require(actor, study, perm)
    if access.site_ids is not None:
        raise PermissionDenied(_("Analysis datasets hold every site's data: your membership is limited to some sites."))


def package_permission(actor: User | None, study: Study, *, blinded: bool) -> None:
    """May `actor` build (or start) a package: `analysis.run` study-wide, and `treatment.view` unless blinded."""
    _require(actor, study)
    if not blinded:
        _require(actor, study, Perm.TREATMENT_VIEW)


def _next_number(model, study: Study) -> int:
    return (model.objects.filter(study=study).aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def mapping_spec_create_default(*, actor: User | None, study: Study, note: str = "") -> MappingSpec:
    """Generate a mapping specification from the eCRF's CDASH/SDTM annotations as a new version."""
    from opencro.analysis.sdtm.default_spec import default_spec

    _require(actor, study)
    Study.objects.select_for_update(of=("self",)).filter(pk=study.pk).first()
    sources = study_sources(study, blinded=True)
    spec = default_spec(sources.item_meta, sources.group_meta, sources.codelists, study_id=study.protocol_number)
    content = spec_to_content(spec)
    try:
        spec_from_dict(content, where="the generated specification")
    except SdtmError as exc:
        raise ValidationError(str(exc)) from None
    return _save_version(actor, study, content, SpecOrigin.DEFAULT, note)


@transaction.atomic
def mapping_spec_save(*, actor: User | None, study: Study, text: str, note: str = "") -> MappingSpec:
    """Save an edited specification (YAML or JSON text) as a new version; every problem is reported, located,
    and nothing is saved when there is one."""
    _require(actor, study)
    data = _yaml(text, "specification")
    try:
        spec = spec_from_dict(data, where="specification")
    except SdtmError as exc:
        raise ValidationError({"text": str(exc)}) from None
    Study.objects.select_for_update(of=("self",)).filter(pk=study.pk).first()
    return _save_version(actor, study, spec_to_content(spec), SpecOrigin.EDITED, note)


def _yaml(text: str, source: str):
    """The parsed YAML (or JSON) text; ValidationError({"text": "<source>: line L, column C: problem"}) when it is
    not YAML."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}: line {mark.line + 1}, column {mark.column + 1}: " if mark else f"{source}: "
        raise ValidationError({"text": where + str(getattr(exc, "problem", exc))}) from None


def analysis_spec_check(kind: str, text: str, *, source: str = "specification"):
    """Parse and check an ADaM (`adam`) or output (`tfl`) specification; ValidationError({"text": located}) when it
    is not one. Returns the parsed specification."""
    from opencro.analysis.adam.errors import AdamError
    from opencro.analysis.adam.spec import spec_from_mapping
    from opencro.analysis.tfl.errors import TflError
    from opencro.analysis.tfl.spec import parse_spec

    data = _yaml(text, source)
    try:
        if kind == AnalysisSpecKind.ADAM:
            return spec_from_mapping(data, origin=source)
        if kind == AnalysisSpecKind.TFL:
            return parse_spec(data, source=source)
    except (AdamError, TflError) as exc:
        raise ValidationError({"text": str(exc)}) from None
    raise ValidationError({"kind": _("Unknown kind of specification: %(kind)s") % {"kind": kind}})


def analysis_spec_name(kind: str, spec) -> str:
    """What a specification is called: its dataset (ADSL) or its output id (14-1.01)."""
    return spec.name if kind == AnalysisSpecKind.ADAM else spec.id


@transaction.atomic
def spec_writer_check(actor: User | None, study: Study) -> None:
    """May `actor` write specifications: `analysis.run` through a study-wide membership (refused before any text is
    read, so a refused writer learns no more than a 403)."""
    _require(actor, study)


@transaction.atomic
def analysis_spec_save(
    *,
    actor: User | None,
    study: Study,
    kind: str,
    text: str,
    note: str = "",
    retired: bool = False,
    name: str | None = None,
    new: bool = False,
) -> AnalysisSpec:
    """Save an ADaM or output specification (YAML) as the next version of the one it names; nothing is saved when it
    does not parse and check. `name`: the specification being edited (a text naming another is refused, since the
    name comes from the text); `new`: a first version (refused when a specification of that name is in use)."""
    _require(actor, study)
    written = analysis_spec_name(kind, analysis_spec_check(kind, text))
    what = _("dataset") if kind == AnalysisSpecKind.ADAM else _("output id")
    if name is not None and written != name:
        raise ValidationError(
            {
                "text": _(
                    "This text names the %(what)s %(written)s, not %(name)s: a specification's name comes from its "
                    "text. Keep %(name)s here, or write %(written)s as a new specification."
                )
                % {"what": what, "written": written, "name": name}
            }
        )
    Study.objects.select_for_update(of=("self",)).filter(pk=study.pk).first()
    if new and any(v.name == written for v in analysis_specs_current(study, kind)):
        raise ValidationError(
            {"text": _("%(name)s already exists: edit it to save a new version of it.") % {"name": written}}
        )
    return _save_spec_version(actor, study, kind, written, text, note, retired)


@transaction.atomic
def analysis_spec_retire(*, actor: User | None, study: Study, kind: str, name: str, note: str = "") -> AnalysisSpec:
    """Retire a specification: its newest text again as a new version marked retired, which packages leave out."""
    _require(actor, study)
    Study.objects.select_for_update(of=("self",)).filter(pk=study.pk).first()
    newest = AnalysisSpec.objects.filter(study=study, kind=kind, name=name).order_by("-number").first()
    if newest is None:
        raise ValidationError(_("There is no specification %(name)s.") % {"name": name})
    if newest.retired:
        raise ValidationError(_("%(name)s is retired already.") % {"name": name})
    return _save_spec_version(actor, study, kind, name, newest.text, note or _("Retired"), True)


def _save_spec_version(
    actor: User | None, study: Study, kind: str, name: str, text: str, note: str, retired: bool
) -> AnalysisSpec:
    versions = AnalysisSpec.objects.filter(study=study, kind=kind, name=name)
    version = AnalysisSpec(
        study=study,
        kind=kind,
        name=name,
        number=(versions.aggregate(n=Max("number"))["n"] or 0) + 1,
        text=text,
        note=note[:300],
        retired=retired,
        created_by=actor or _system_user(),
        created_at=timezone.now(),
    )
    return audited_save(version, actor=actor)


def spec_to_content(spec) -> dict:
    """The specification as the JSON the version stores (the same document the YAML view shows)."""
    import json

    return json.loads(dump_spec(spec, fmt="json"))


def _save_version(actor: User | None, study: Study, content: dict, origin: str, note: str) -> MappingSpec:
    version = MappingSpec(
        study=study,
        number=_next_number(MappingSpec, study),
        origin=origin,
        content=content,
        note=note[:300],
        created_by=actor or _system_user(),
        created_at=timezone.now(),
    )
    return audited_save(version, actor=actor)


def _system_user() -> User:
    """The user the command line acts as when it records who asked (the first superuser)."""
    user = User.objects.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        raise ValidationError(_("Create an administrator first (opencro createuser): packages record who built them."))
    return user


def data_locked(study: Study) -> bool:
    """Whether the whole study's data are locked (an active study-level lock)."""
    return active_locks(study.pk).filter(level=LockLevel.STUDY, state=LockState.LOCKED).exists()


def packages_root() -> Path:
    return Path(settings.VAR_DIR) / "packages"


def package_folder(package: SubmissionPackage) -> Path:
    return packages_root() / str(package.study_id) / str(package.number)


def package_start(*, actor: User | None, study: Study, blinded: bool) -> SubmissionPackage:
    """Record a package about to be built (status building), with the current specification (made from the
    annotations if the study has none yet)."""
    package_permission(actor, study, blinded=blinded)
    with transaction.atomic():
        Study.objects.select_for_update(of=("self",)).filter(pk=study.pk).first()
        spec = spec_current(study)
    if spec is None:
        spec = mapping_spec_create_default(actor=actor, study=study, note=_("made for the first package"))
    with transaction.atomic():
        Study.objects.select_for_update(of=("self",)).filter(pk=study.pk).first()
        package = SubmissionPackage(
            study=study,
            number=_next_number(SubmissionPackage, study),
            spec=spec,
            blinded=blinded,
            data_locked=data_locked(study),
            requested_by=actor or _system_user(),
            requested_at=timezone.now(),
        )
        return audited_save(package, actor=actor)


def package_build(*, actor: User | None, package: SubmissionPackage, on_step: Step | None = None) -> SubmissionPackage:
    """Build a started package into its folder and record the outcome (its manifest, or the error)."""
    from opencro.analysis.package import PackageFailure, build_package
    from opencro.analysis.sdtm.spec_io import spec_from_dict as load

    package_permission(actor, package.study, blinded=package.blinded)
    if package.status != PackageStatus.RUNNING:
        raise ValidationError(_("This package has already been built."))
    study = package.study
    folder = package_folder(package)
    shutil.rmtree(folder, ignore_errors=True)
    adam = analysis_specs_current(study, AnalysisSpecKind.ADAM)
    outputs = analysis_specs_current(study, AnalysisSpecKind.TFL)
    try:
        sources = study_sources(study, blinded=package.blinded)
        manifest = build_package(
            sources,
            load(package.spec.content, where=f"mapping specification v{package.spec.number}"),
            folder,
            study_name=study.protocol_number,
            description=study.title,
            adam=[analysis_spec_check(v.kind, v.text, source=f"{v.name} v{v.number}") for v in adam],
            outputs=[analysis_spec_check(v.kind, v.text, source=f"{v.name} v{v.number}") for v in outputs],
            dummy_randomisation=package.blinded,
            on_step=on_step,
        )
    except (PackageFailure, SdtmError, ValidationError) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return _finish(actor, package, status=PackageStatus.FAILED, error=message)
    except Exception as exc:  # a defect, not a refusal: recorded as failed (never left building), then raised
        _finish(actor, package, status=PackageStatus.FAILED, error=f"internal error: {type(exc).__name__}: {exc}")
        raise
    manifest["data_locked"] = package.data_locked
    manifest["blinded"] = package.blinded
    manifest["spec_version"] = package.spec.number
    manifest["analysis_specs"] = {v.name: v.number for v in [*adam, *outputs]}
    return _finish(actor, package, status=PackageStatus.DONE, manifest=manifest)


@transaction.atomic
def _finish(actor: User | None, package: SubmissionPackage, *, status: str, manifest=None, error: str = ""):
    package.status = status
    package.finished_at = timezone.now()
    package.manifest = manifest or {}
    package.error = error[:5000]
    return audited_save(
        package, actor=actor, reason=_("Package built") if status == PackageStatus.DONE else error[:200]
    )
