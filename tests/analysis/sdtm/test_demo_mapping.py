"""The default spec read from the demo CRF's annotations, applied to demo-shaped item values end to end."""

from __future__ import annotations

import pandas as pd
import pytest

from opencro.analysis.sdtm import SdtmInputs, build_study, check_domains, default_spec, define_from_specs
from opencro.formats.definexml import check_define
from tests.analysis.sdtm import study
from tests.analysis.sdtm.test_spec import demo_frames

S1 = "OPC-301-001"


def demo_items() -> pd.DataFrame:
    rows = []

    def add(event, visitnum, visit, date, form, group, repeat, values):
        for oid, value in values.items():
            rows.append((S1, event, visitnum, visit, date, form, 1, group, repeat, oid, value))

    add(
        "SE.SCR",
        1.0,
        "SCREENING",
        "2026-03-01",
        "F.DM",
        "IG.DM",
        1,
        {"IT.BRTHDAT": "1960-05", "IT.SEX": "F", "IT.RACE": "5", "IT.ETHNIC": "NOT HISPANIC OR LATINO"},
    )
    add(
        "SE.BL",
        2.0,
        "BASELINE",
        "2026-03-10",
        "F.VS",
        "IG.VS",
        1,
        {"IT.SYSBP": "128", "IT.DIABP": "82", "IT.TEMP": "36.7", "IT.BMI": "24.1"},
    )
    add("SE.BL", 2.0, "BASELINE", "2026-03-10", "F.LB", "IG.LB", 1, {"IT.LBDAT": "2026-03-10"})
    add("SE.BL", 2.0, "BASELINE", "2026-03-10", "F.LB", "IG.LB.HAEM", 1, {"IT.HGB": "12.9", "IT.PLT": "240"})
    add(
        "SE.LOG",
        None,
        None,
        None,
        "F.AE",
        "IG.AE",
        1,
        {
            "IT.AETERM": "Dyspnoea",
            "IT.AESTDAT": "2026-03-15",
            "IT.AEONGO": "Y",
            "IT.AESEV": "MODERATE",
            "IT.AESER": "Y",
            "IT.AESCRIT": "HOSP",
            "IT.AEREL": "POSSIBLY RELATED",
            "IT.AEACN": "DOSE NOT CHANGED",
        },
    )
    add(
        "SE.LOG",
        None,
        None,
        None,
        "F.CM",
        "IG.CM",
        1,
        {"IT.CMTRT": "Furosemide", "IT.CMDOSE": "40", "IT.CMSTDAT": "2025"},
    )
    return pd.DataFrame(rows, columns=study.items().columns)


@pytest.fixture(scope="module")
def demo():
    item_meta, group_meta, codelists = demo_frames()
    spec = default_spec(item_meta, group_meta, codelists, study_id="OPC-301")
    inputs = SdtmInputs(
        subjects=study.subjects().iloc[:1],
        items=demo_items(),
        item_meta=item_meta,
        group_meta=group_meta,
        codelists=codelists,
        subject_elements=study.subject_elements().iloc[:2],
        protocol=study.protocol(),
    )
    return spec, inputs, build_study(spec, inputs)


def test_demo_records(demo):
    _, _, result = demo
    vs = result.domains["VS"]
    assert vs[["VSTESTCD", "VSORRES", "VSORRESU", "VSDY"]].values.tolist() == [
        ["BMI", "24.1", "kg/m2", 1.0],
        ["DIABP", "82", "mmHg", 1.0],
        ["SYSBP", "128", "mmHg", 1.0],
        ["TEMP", "36.7", "C", 1.0],
    ]
    lb = result.domains["LB"]
    assert lb[["LBTESTCD", "LBORRES", "LBORRESU", "LBDTC"]].values.tolist() == [
        ["HGB", "12.9", "g/dL", "2026-03-10"],
        ["PLT", "240", "10^9/L", "2026-03-10"],
    ]
    ae = result.domains["AE"].iloc[0]
    assert ae[["AETERM", "AESHOSP", "AESDTH", "AEENRTPT", "AEENTPT", "AESTDY", "AESPID"]].tolist() == [
        "Dyspnoea",
        "Y",
        "N",
        "ONGOING",
        "END OF STUDY",
        6.0,
        "1",
    ]
    assert result.domains["CM"].iloc[0][["CMTRT", "CMDOSE", "CMSTDTC"]].tolist() == ["Furosemide", 40.0, "2025"]
    assert result.domains["DM"].iloc[0][["SEX", "RACE", "BRTHDTC"]].tolist() == ["F", "WHITE", "1960-05"]


def test_demo_checks_report_only_the_uncoded_term(demo):
    _, _, result = demo
    found = check_domains(result.domains, result.metadata)
    assert [(f.rule, f.domain, f.variable, f.row) for f in found] == [("SD0002", "AE", "AEDECOD", 1)]


def test_demo_define_passes_checks(demo):
    spec, inputs, result = demo
    document = define_from_specs(
        spec,
        result.domains,
        result.metadata,
        "OPC-301",
        codelists=inputs.codelists,
        item_meta=inputs.item_meta,
        created="2026-11-27T03:00:00",
    )
    assert check_define(document) == []
    items = {i.oid: i for i in document.items}
    assert items["IT.AE.AEREL"].code_list_oid == "CL.AE.AEREL"
