"""Every public build file in ../shared/reference imports through the service, or is refused precisely.

Imported builds go through the database and back out as ODM 1.3.2; reading that export gives the
same build again (the round trip the issue asks for, on real files from CDISC, odmlib, OpenClinica
and REDCap).
"""

from pathlib import Path

import pytest

from opencro.edc.build_files import build_odm_bytes, build_read
from opencro.edc.build_rows import build_from_version
from opencro.edc.models import EditCheck, FormDef, ItemDef
from opencro.edc.services.build import build_import
from opencro.formats.errors import FormatError
from opencro.formats.odm.metadata_reader import read_build

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"

# file: (forms, items) when it imports, or a phrase of the rejection and where it points
EXPECTED: dict[str, tuple[int, int] | tuple[str, str]] = {
    "odm/cdisc/MetaData_Dave_1_3_2_new_2006_01_26_extra_languages.xml": (7, 63),
    "odm/cdisc/Hypercholesterolemia_CV_Risk_factors_FH_CRF_1_3_2.xml": (
        "unexpected element <ClinicalData>",
        "line 128",
    ),
    "odm/cdisc-v2/CDASH_1-1_MH_Example_Stroke_LungDisease_IBD_CancerHistory.xml": ("ODM 2.0 is not supported", "line"),
    "odm/cdisc-v2/Chronic_Low_Back_Pain_example.xml": ("ODM 2.0 is not supported", "line"),
    "odm/cdisc-v2/Inclusion_Exclusion_Simple_Workflow.xml": ("ODM 2.0 is not supported", "line"),
    "odm/cdisc-v2/Timing_LZZT_Example_ODM.xml": ("ODM 2.0 is not supported", "line"),
    "odm/odmlib/ae.xml": ("clinical data only", "line 18"),
    "odm/odmlib/ae_test.xml": ("clinical data only", "line 2"),
    "odm/odmlib/dm.xml": ("clinical data only", "line 18"),
    "odm/odmlib/lb.xml": ("clinical data only", "line 18"),
    "odm/odmlib/test_clinical_data_01.xml": ("clinical data only", "line 2"),
    "odm/odmlib/cdash-odm-test-invalid.xml": ("unexpected element <studyName>", "line 14"),
    "odm/odmlib/cdash-odm-test.xml": ("refers to CodeList CL.SEX, which is not defined", "line 301"),
    "odm/odmlib/cdash.odm_updated.xml": (22, 292),
    "odm/odmlib/odm-data-snapshot.xml": (7, 52),
    "odm/odmlib/test_odm_001.xml": ("not well-formed XML", "line 2"),
    "odm/odmlib/test_odm_002.xml": ("refers to FormDef ODM.F.AE, which is not defined", "line 2"),
    "odm/odmlib/test_odm_namespace.xml": ("holds no study build", "line 2"),
    "odm/openclinica/JUNO_DEMO_odm1.3_fullExtract.xml": (20, 311),
    "odm/openclinica/dnotes_extract.xml": (8, 143),
    "odm/openclinica/rules_example.xml": ("not a CDISC ODM file", "line 2"),
    "redcap/doctest_project.xml": (1, 4),
    "redcap/test_long_project.xml": (9, 96),
    "redcap/test_simple_project.xml": (1, 15),
}


def _reference(name: str) -> bytes:
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"reference data absent: ../shared/reference/{name}")
    return path.read_bytes()


def test_every_reference_build_file_is_listed():
    if not REFERENCE.exists():
        pytest.skip("reference data absent: ../shared/reference")
    found = {str(p.relative_to(REFERENCE)) for d in ("odm", "redcap") for p in (REFERENCE / d).rglob("*.xml")}
    assert found == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reference_build_imports_or_is_refused_precisely(world, name):
    data, expected = _reference(name), EXPECTED[name]
    if isinstance(expected[0], str):
        with pytest.raises(FormatError) as exc:
            build_import(actor=None, study=world.study, build=build_read(data, name=name))
        assert any(expected[0] in p.message and p.location.startswith(expected[1]) for p in exc.value.problems), [
            str(p) for p in exc.value.problems[:5]
        ]
        assert not FormDef.objects.exists()
        return
    version = build_import(actor=None, study=world.study, build=build_read(data, name=name), source_name=name)
    assert (
        FormDef.objects.filter(version=version).count(),
        ItemDef.objects.filter(version=version).count(),
    ) == expected
    exported = read_build(build_odm_bytes(version))
    stored = build_from_version(version)
    for kind in ("events", "forms", "item_groups", "items", "code_lists", "conditions", "methods", "arms"):
        assert getattr(exported, kind) == getattr(stored, kind), kind
    assert exported.edit_checks == stored.edit_checks
    assert EditCheck.objects.filter(version=version).count() == len(stored.edit_checks)
