"""Submission package API: the SDTM mapping specification's versions (read, save an edited one, generate one from
the eCRF annotations), the ADaM (`adam`) and output (`tfl`) specifications under `{kind}/specs` (the current ones,
one with its versions, save a version, retire one) and the packages (their manifests and ZIPs).

Everything needs `analysis.run`; an unblinded package also needs `treatment.view`, and a caller without it never
sees one (not listed; 404 by number). A version or package is found first (404), then the permission is checked
(403). A refused specification answers 422 with the located problem under "text". The ADaM and output
specifications live under `{kind}/specs`, not `specs/{kind}`: `specs/{number}` (the mapping's versions) would
take `specs/adam` for a version number. Build a package through the
jobs API: `POST /api/v1/jobs` with `{"name": "analysis.package", "params": {"blinded": true}, "study_id": ...}`.
"""

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.analysis import selectors, services
from opencro.analysis.forms import SPEC_TEXT_MAX
from opencro.analysis.models import AnalysisSpec, MappingSpec, SubmissionPackage
from opencro.analysis.views import (
    analysis_spec_kind,
    analysis_spec_problem,
    analysis_spec_title,
    analysis_spec_version,
    analysis_spec_writer,
    package_zip_response,
    spec_notes,
    spec_problem,
    spec_text,
)
from opencro.api.pagination import LimitOffset

router = Router(tags=["submission package"])
BASE = "/{study_id}/analysis"  # fixed paths (specs/default) are declared before the {number} ones they match


class AnalysisSpecOut(Schema):
    number: int
    origin: str = Field(..., description="default (from the eCRF annotations) or edited")
    note: str
    notes: int = Field(..., description="How many mapping notes (what could not be mapped) the version holds")
    created_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_notes(obj: MappingSpec) -> int:
        return len(spec_notes(obj))

    @staticmethod
    def resolve_created_by(obj: MappingSpec) -> str:
        return obj.created_by.printed_name


class AnalysisSpecDetailOut(AnalysisSpecOut):
    text: str = Field(..., description="The specification as YAML")
    mapping_notes: list[str] = Field(..., description="What the mapping could not map, and why")
    problem: str = Field(..., description="Why the version does not load as a specification (empty when it does)")

    @staticmethod
    def resolve_text(obj: MappingSpec) -> str:
        return spec_text(obj)

    @staticmethod
    def resolve_mapping_notes(obj: MappingSpec) -> list[str]:
        return spec_notes(obj)

    @staticmethod
    def resolve_problem(obj: MappingSpec) -> str:
        return spec_problem(obj)


class AnalysisSpecIn(Schema):
    text: str = Field(..., max_length=SPEC_TEXT_MAX, description="The whole specification, YAML or JSON")
    note: str = Field("", max_length=300, description="What changed, and why")


class AnalysisSpecDefaultIn(Schema):
    note: str = Field("", max_length=300, description="Why this version (send {} for none)")


class AnalysisPackageOut(Schema):
    number: int
    status: str = Field(..., description="running, done or failed")
    blinded: bool = Field(..., description="A dry run on a dummy randomisation (the real arms are not read)")
    data_locked: bool = Field(..., description="Whether the database was locked when the package was built")
    spec_version: int
    requested_by: str
    requested_at: dt.datetime
    finished_at: dt.datetime | None
    files: int
    findings: int | None = Field(..., description="Conformance findings (null until built)")
    error: str

    @staticmethod
    def resolve_spec_version(obj: SubmissionPackage) -> int:
        return obj.spec.number

    @staticmethod
    def resolve_requested_by(obj: SubmissionPackage) -> str:
        return obj.requested_by.printed_name

    @staticmethod
    def resolve_files(obj: SubmissionPackage) -> int:
        return len((obj.manifest or {}).get("files", []))

    @staticmethod
    def resolve_findings(obj: SubmissionPackage) -> int | None:
        findings = (obj.manifest or {}).get("findings")
        return findings.get("total", 0) if findings is not None else None


class AnalysisPackageDetailOut(AnalysisPackageOut):
    manifest: dict[str, Any] = Field(
        ...,
        description="datasets (records, variables), findings (total, by_rule, listed), define_problems, notes, "
        "files (path, bytes, sha256), data_locked, blinded, spec_version",
    )


class AnalysisSpecVersionOut(Schema):
    kind: str = Field(..., description="adam (an ADaM dataset derivation) or tfl (a table, listing or figure)")
    name: str = Field(..., description="The dataset (ADSL) or the output id (14-1.01), as the specification says")
    number: int = Field(..., description="The version")
    title: str = Field(..., description="The dataset's label, or the output's titles after its number")
    note: str
    retired: bool = Field(..., description="A retired version: packages leave the specification out")
    created_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_title(obj: AnalysisSpec) -> str:
        return analysis_spec_title(obj)

    @staticmethod
    def resolve_created_by(obj: AnalysisSpec) -> str:
        return obj.created_by.printed_name


class AnalysisSpecVersionDetailOut(AnalysisSpecVersionOut):
    text: str = Field(..., description="The specification's YAML as written (comments kept)")
    problem: str = Field(..., description="Why the stored text does not check any more (empty when it does)")

    @staticmethod
    def resolve_problem(obj: AnalysisSpec) -> str:
        return analysis_spec_problem(obj)


class AnalysisSpecVersionIn(Schema):
    text: str = Field(
        ..., max_length=SPEC_TEXT_MAX, description="The whole specification (YAML); its name comes from it"
    )
    note: str = Field("", max_length=300, description="What changed, and why")


class AnalysisSpecRetireIn(Schema):
    note: str = Field("", max_length=300, description="Why it is retired (send {} for none)")


def _spec(request, study_id: int, number: int) -> MappingSpec:
    access = access_study(request.user, study_id)
    spec = selectors.spec_get(access, number)
    access_check(access, Perm.ANALYSIS_RUN)
    return spec


def _package(request, study_id: int, number: int) -> SubmissionPackage:
    access = access_study(request.user, study_id)
    package = selectors.package_get(access, number)
    access_check(access, Perm.ANALYSIS_RUN)
    return package


@router.get(BASE + "/specs", response=list[AnalysisSpecOut], summary="Mapping specification versions, newest first")
@paginate(LimitOffset)
def analysis_specs_get(request, study_id: int):
    access = access_study(request.user, study_id, Perm.ANALYSIS_RUN)
    return selectors.spec_list(access)


@router.post(
    BASE + "/specs", response={201: AnalysisSpecDetailOut}, summary="Save an edited specification as a new version"
)
def analysis_spec_post(request, study_id: int, payload: AnalysisSpecIn):
    access = access_study(request.user, study_id, Perm.ANALYSIS_RUN)
    spec = services.mapping_spec_save(
        actor=request.user, study=access.membership.study, text=payload.text, note=payload.note
    )
    return Status(201, selectors.spec_get(access, spec.number))


@router.post(
    BASE + "/specs/default",
    response={201: AnalysisSpecDetailOut},
    summary="Generate a new version from the eCRF's CDASH/SDTM annotations",
)
def analysis_spec_default_post(request, study_id: int, payload: AnalysisSpecDefaultIn):
    access = access_study(request.user, study_id, Perm.ANALYSIS_RUN)
    spec = services.mapping_spec_create_default(actor=request.user, study=access.membership.study, note=payload.note)
    return Status(201, selectors.spec_get(access, spec.number))


@router.get(BASE + "/specs/{number}", response=AnalysisSpecDetailOut, summary="One version, with its YAML")
def analysis_spec_get(request, study_id: int, number: int):
    return _spec(request, study_id, number)


@router.get(BASE + "/packages", response=list[AnalysisPackageOut], summary="Packages you may see, newest first")
@paginate(LimitOffset)
def analysis_packages_get(request, study_id: int):
    access = access_study(request.user, study_id, Perm.ANALYSIS_RUN)
    return selectors.package_list(access)


@router.get(BASE + "/packages/{number}", response=AnalysisPackageDetailOut, summary="One package with its manifest")
def analysis_package_get(request, study_id: int, number: int):
    return _package(request, study_id, number)


@router.get(
    BASE + "/packages/{number}/download",
    response={200: None},
    summary="A built package's folder as a ZIP (eCTD module 5 layout, manifest.json at the top)",
)
def analysis_package_download(request, study_id: int, number: int):
    return package_zip_response(_package(request, study_id, number))


@router.get(
    BASE + "/{kind}/specs",
    response=list[AnalysisSpecVersionOut],
    summary="The current ADaM (adam) or output (tfl) specifications: the newest version of each, retired ones left out",
)
@paginate(LimitOffset)
def analysis_kind_specs_get(request, study_id: int, kind: str):
    kind = analysis_spec_kind(kind)
    access = access_study(request.user, study_id, Perm.ANALYSIS_RUN)
    return selectors.analysis_specs_current(access.membership.study, kind)


@router.post(
    BASE + "/{kind}/specs",
    response={201: AnalysisSpecVersionDetailOut},
    summary="Save an ADaM or output specification as the next version of the one it names",
)
def analysis_kind_spec_post(request, study_id: int, kind: str, payload: AnalysisSpecVersionIn):
    kind = analysis_spec_kind(kind)
    access = access_study(request.user, study_id)
    analysis_spec_writer(request, access)
    version = services.analysis_spec_save(
        actor=request.user, study=access.membership.study, kind=kind, text=payload.text, note=payload.note
    )
    return Status(201, version)


@router.get(
    BASE + "/{kind}/specs/{name}",
    response=AnalysisSpecVersionDetailOut,
    summary="One specification's newest version (retired or not), or `?version=N`, with its YAML",
)
def analysis_kind_spec_get(request, study_id: int, kind: str, name: str, version: int | None = None):
    kind = analysis_spec_kind(kind)
    access = access_study(request.user, study_id)
    versions = selectors.analysis_spec_versions(access, kind, name)
    access_check(access, Perm.ANALYSIS_RUN)
    return analysis_spec_version(versions, version)


@router.get(
    BASE + "/{kind}/specs/{name}/versions",
    response=list[AnalysisSpecVersionOut],
    summary="Every version of one specification, newest first",
)
@paginate(LimitOffset)
def analysis_kind_spec_versions_get(request, study_id: int, kind: str, name: str):
    kind = analysis_spec_kind(kind)
    access = access_study(request.user, study_id)
    versions = selectors.analysis_spec_versions(access, kind, name)
    access_check(access, Perm.ANALYSIS_RUN)
    return versions


@router.post(
    BASE + "/{kind}/specs/{name}/retire",
    response={201: AnalysisSpecVersionDetailOut},
    summary="Retire a specification: a new version, its text unchanged, that packages leave out",
)
def analysis_kind_spec_retire_post(request, study_id: int, kind: str, name: str, payload: AnalysisSpecRetireIn):
    kind = analysis_spec_kind(kind)
    access = access_study(request.user, study_id)
    versions = selectors.analysis_spec_versions(access, kind, name)
    analysis_spec_writer(request, access)
    version = services.analysis_spec_retire(
        actor=request.user, study=access.membership.study, kind=kind, name=versions[0].name, note=payload.note
    )
    return Status(201, version)
