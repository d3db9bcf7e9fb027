"""Reads of the analysis app: specification versions and packages, scoped to what the reader may see.

Everything here needs `analysis.run`; an unblinded package (real arms) also needs `treatment.view`: a blinded
reader does not see it listed, and fetching it by number is a 404, as for another study's package.
"""

from django.db.models import QuerySet
from django.http import Http404

from opencro.accounts.access import StudyAccess
from opencro.accounts.permissions import Perm
from opencro.analysis.models import AnalysisSpec, MappingSpec, SubmissionPackage
from opencro.studies.models import Study


def spec_current(study: Study) -> MappingSpec | None:
    """The newest version of the study's mapping specification."""
    return MappingSpec.objects.filter(study=study).order_by("-number").first()


def analysis_specs_current(study: Study, kind: str) -> list[AnalysisSpec]:
    """The newest version of each ADaM (`adam`) or output (`tfl`) specification of the study, by name; a name
    whose newest version is retired is left out."""
    newest: dict[str, AnalysisSpec] = {}
    versions = AnalysisSpec.objects.filter(study=study, kind=kind).select_related("created_by")
    for version in versions.order_by("name", "-number"):
        newest.setdefault(version.name, version)
    return [version for version in newest.values() if not version.retired]


def analysis_spec_list(access: StudyAccess, kind: str) -> QuerySet[AnalysisSpec]:
    """Every version of the study's specifications of one kind, newest first per name."""
    return AnalysisSpec.objects.filter(study_id=access.membership.study_id, kind=kind).select_related("created_by")


def analysis_spec_versions(access: StudyAccess, kind: str, name: str) -> list[AnalysisSpec]:
    """Every version of one specification, newest first; 404 when the study has none of that name."""
    versions = list(analysis_spec_list(access, kind).filter(name=name).order_by("-number"))
    if not versions:
        raise Http404("No such specification.")
    return versions


def spec_list(access: StudyAccess) -> QuerySet[MappingSpec]:
    return MappingSpec.objects.filter(study_id=access.membership.study_id).select_related("created_by")


def spec_get(access: StudyAccess, number: int) -> MappingSpec:
    spec = spec_list(access).filter(number=number).first()
    if spec is None:
        raise Http404("No such specification version.")
    return spec


def package_list(access: StudyAccess) -> QuerySet[SubmissionPackage]:
    """The study's packages the reader may see: blinded ones always, unblinded ones with `treatment.view`."""
    packages = SubmissionPackage.objects.filter(study_id=access.membership.study_id).select_related(
        "spec", "requested_by"
    )
    if not access.can(Perm.TREATMENT_VIEW):
        packages = packages.filter(blinded=True)
    return packages


def package_get(access: StudyAccess, number: int) -> SubmissionPackage:
    package = package_list(access).filter(number=number).first()
    if package is None:
        raise Http404("No such package.")
    return package
