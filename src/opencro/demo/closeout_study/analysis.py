"""OPC-204's analysis, through the analysis services: the biostatistician's SDTM mapping (the eCRF's annotations as
reviewed for OPC-301, `demo.analysis_specs.reviewed_mapping`), an ADSL and a disposition table (`analysis/`), written
with the statistical analysis plan; after the lock, the unblinded statistician builds the submission package with the
real treatment arms, synchronously (what the `analysis.package` job runs)."""

from importlib import resources

import yaml

from opencro.accounts.models import User
from opencro.analysis.models import PackageStatus, SubmissionPackage
from opencro.analysis.services import (
    analysis_spec_save,
    mapping_spec_create_default,
    mapping_spec_save,
    package_build,
    package_start,
)
from opencro.demo.analysis_specs import FOLDERS, reviewed_mapping
from opencro.demo.clock import afternoon, demo_clock
from opencro.demo.closeout_study import data
from opencro.studies.models import Study

SAP_DAY = data.D(2025, 8, 15)


def specs_write(study: Study) -> None:
    statistician = User.objects.get(username="stat")
    root = resources.files("opencro.demo.closeout_study") / "analysis"
    with demo_clock(afternoon(SAP_DAY)):
        default = mapping_spec_create_default(actor=statistician, study=study, note="from the eCRF annotations")
        text = yaml.safe_dump(reviewed_mapping(default.content), sort_keys=False, allow_unicode=True)
        mapping_spec_save(actor=statistician, study=study, text=text, note="reviewed: DS from the end-of-study form")
        for kind, folder in FOLDERS.items():
            for entry in sorted((root / folder).iterdir(), key=lambda e: e.name):
                if entry.name.endswith(".yaml"):
                    note = f"closeout_study/{entry.name}"
                    analysis_spec_save(actor=statistician, study=study, kind=kind, text=entry.read_text(), note=note)


def package_unblinded(study: Study) -> SubmissionPackage:
    """The package on the locked database, with the real arms; refused loudly if it fails."""
    ustat = User.objects.get(username="ustat")
    with demo_clock(afternoon(data.PACKAGE_BUILT)):
        package = package_build(actor=ustat, package=package_start(actor=ustat, study=study, blinded=False))
    if package.status != PackageStatus.DONE:
        raise RuntimeError(f"{data.PROTOCOL} package {package.number} failed: {package.error}")
    return package
