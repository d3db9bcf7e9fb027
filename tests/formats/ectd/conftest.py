"""Two FDA eCTD sequences for one IND: 0000 new, 0001 replacing the clinical overview and deleting a reference."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from opencro.formats.ectd import ApplicantContact, LeafSpec, UsRegional, build_sequence
from opencro.formats.ectd.model import SequenceManifest

CSR_DIR = "m5/53-clin-stud-rep/535-rep-effic-safety-stud/5351-stud-rep-contr/opc-301"
CONTROLLED = "m5-3-5-1-study-reports-of-controlled-clinical-studies-pertinent-to-the-claimed-indication"
INDICATION = {"indication": "hypertension"}


def regional(sequence: str, sub_type: str = "original") -> UsRegional:
    """An IND (application type `ind`, FDA Module 1 spec v2.3 III.B.1) filed by a made-up sponsor."""
    return UsRegional(
        applicant_id="123456789",
        company_name="OpenCRO Test Sponsor",
        application_type="ind",
        application_number="123456",
        submission_type="original-application",
        submission_sub_type=sub_type,
        sequence=sequence,
        related_sequence="0000",
        submission_description="Test submission",
        form_type="1571",
        contacts=(ApplicantContact("Ada Lovelace", "regulatory", "+1 555 0100", "fdatnt1", "ada@example.org"),),
    )


def source(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def first_leaves(src: Path) -> list[LeafSpec]:
    return [
        LeafSpec(source(src, "cover.pdf", b"%PDF cover 0000"), "m1/us/cover.pdf", "Cover letter", "m1-2-cover-letters"),
        LeafSpec(
            source(src, "overview.pdf", b"%PDF overview v1"),
            "m2/25-clin-over/clinical-overview.pdf",
            "Clinical overview",
            "m2-5-clinical-overview",
            leaf_id="clin-over",
        ),
        LeafSpec(
            source(src, "csr.pdf", b"%PDF csr"),
            f"{CSR_DIR}/csr-body.pdf",
            "OPC-301 study report body",
            CONTROLLED,
            file_tag="study-report-body",
            study_id="opc-301",
            study_title="OPC-301 phase 3",
            attributes=INDICATION,
        ),
        LeafSpec(
            source(src, "dm.xpt", b"HEADER RECORD dm"),
            "m5/datasets/opc-301/tabulations/sdtm/dm.xpt",
            "DM dataset",
            CONTROLLED,
            file_tag="data-tabulation-dataset-sdtm",
            study_id="opc-301",
            attributes=INDICATION,
        ),
        LeafSpec(
            source(src, "define.xml", b"<ODM/>"),
            "m5/datasets/opc-301/tabulations/sdtm/define.xml",
            "SDTM define.xml",
            CONTROLLED,
            file_tag="data-tabulation-data-definition",
            study_id="opc-301",
            attributes=INDICATION,
        ),
        LeafSpec(
            source(src, "adsl.xpt", b"HEADER RECORD adsl"),
            "m5/datasets/opc-301/analysis/adam/datasets/adsl.xpt",
            "ADSL dataset",
            CONTROLLED,
            file_tag="analysis-dataset-adam",
            study_id="opc-301",
            attributes=INDICATION,
        ),
        LeafSpec(
            source(src, "ref.pdf", b"%PDF reference"),
            "m5/54-lit-ref/ref-smith-2020.pdf",
            "Smith 2020",
            "m5-4-literature-references",
            leaf_id="lit-1",
        ),
    ]


def second_leaves(src: Path) -> list[LeafSpec]:
    return [
        LeafSpec(
            source(src, "overview2.pdf", b"%PDF overview v2"),
            "m2/25-clin-over/clinical-overview.pdf",
            "Clinical overview (updated)",
            "m2-5-clinical-overview",
            operation="replace",
            modified_file="../0000/index.xml#clin-over",
        ),
        LeafSpec(
            None,
            "",
            "Smith 2020",
            "m5-4-literature-references",
            operation="delete",
            modified_file="../0000/index.xml#lit-1",
        ),
    ]


@dataclass(frozen=True)
class Built:
    out: Path
    src: Path
    first: SequenceManifest
    second: SequenceManifest


@pytest.fixture
def built(tmp_path: Path) -> Built:
    src = tmp_path / "src"
    src.mkdir()
    out = tmp_path / "ectd"
    first = build_sequence(out, "0000", first_leaves(src), regional("0000"))
    second = build_sequence(out, "0001", second_leaves(src), regional("0001", "amendment"), previous=[out / "0000"])
    return Built(out, src, first, second)
