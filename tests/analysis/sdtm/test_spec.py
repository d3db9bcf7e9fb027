"""The mapping specification as data: YAML/JSON round trip, located errors, the default spec from annotations."""

from __future__ import annotations

import pandas as pd
import pytest

from opencro.analysis.sdtm import SpecError, default_spec, dump_spec, load_spec
from opencro.demo.crf.codelists import code_lists
from opencro.demo.crf.forms import collect
from tests.analysis.sdtm import study

EXAMPLE = """
study_id: OPC-301
domains:
  - domain: VS
    domain_class: findings
    sources: [IG.VS]
    variables:
      - {name: VSDTC, item: "@VISIT_DATE"}
    tests:
      - {testcd: SYSBP, test: Systolic Blood Pressure, item: IT.SYSBP, orresu: mmHg, constants: {VSPOS: SITTING}}
  - domain: AE
    domain_class: events
    sources: [IG.AE]
    variables:
      - {name: AETERM, item: IT.AETERM, pages: ["20"]}
      - {name: AESEV, item: IT.AESEV}
      - {name: AEENTPT, origin: assigned, value: END OF STUDY}
    supp:
      - {qnam: AETRTEM, qlabel: Treatment Emergent Flag, item: IT.AETRTEM}
relations:
  - {left: AE, right: VS, on: [[AESPID, VSSPID]]}
"""


def test_yaml_example_loads():
    spec = load_spec(EXAMPLE, name="spec.yaml")
    vs = spec.domain("VS")
    assert vs.tests[0].constants == {"VSPOS": "SITTING"}
    assert spec.domain("AE").rule("AEENTPT").value == "END OF STUDY"
    assert spec.relations[0].on == (("AESPID", "VSSPID"),)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_round_trip(fmt):
    spec = study.spec()
    assert load_spec(dump_spec(spec, fmt)) == spec


def test_dump_leaves_defaults_out():
    text = dump_spec(load_spec(EXAMPLE))
    assert "decode" not in text and "factor" not in text
    assert "stat_when" not in text


def test_errors_are_located():
    bad = EXAMPLE.replace("orresu: mmHg", "unit: mmHg").replace("origin: assigned", "origin: guessed")
    bad = bad.replace("domain_class: events", "domain_class: event")
    with pytest.raises(SpecError) as error:
        load_spec(bad, name="spec.yaml")
    messages = [str(p) for p in error.value.problems]
    assert any(m.startswith("spec.yaml, domains[1] (VS), tests[1] (SYSBP): unknown key 'unit'") for m in messages)
    assert any("domains[2] (AE)" in m and "domain_class: 'event' is not one of" in m for m in messages)
    assert any(
        "domains[2] (AE), variables[3] (AEENTPT)" in m and "origin: 'guessed' is not one of" in m for m in messages
    )


def test_missing_required_key_and_yaml_syntax():
    with pytest.raises(SpecError) as error:
        load_spec("study_id: X\ndomains:\n  - domain: AE\n", name="s.yaml")
    assert "s.yaml, domains[1] (AE): missing required key 'domain_class'" in str(error.value)
    with pytest.raises(SpecError) as error:
        load_spec("study_id: [unclosed\n", name="s.yaml")
    assert "s.yaml, line" in str(error.value)


def test_relation_to_unknown_domain_rejected():
    with pytest.raises(SpecError, match="relates domain VS, which the spec does not build"):
        load_spec(
            EXAMPLE.replace("  - domain: VS\n    domain_class: findings", "  - domain: EG\n    domain_class: findings")
        )


def demo_frames():
    """item_meta, group_meta and codelists shaped as the lead produces them, from the demo study's CRF."""
    collector = collect()
    group_of = {ref.item_oid: g.oid for g in collector.groups for ref in g.items}
    rows = []
    for item in collector.items:
        sdtm = next((a.name for a in item.aliases if a.context == "SDTM"), "")
        rows.append(
            {
                "ITEM_OID": item.oid,
                "ITEM_NAME": item.name,
                "DATA_TYPE": str(item.data_type),
                "LENGTH": item.length,
                "UNITS": item.units[0] if item.units else "",
                "QUESTION": item.question.get("en", ""),
                "SDS_VAR_NAME": item.sds_var_name,
                "CODELIST_OID": item.code_list_oid,
                "ANNOTATION": sdtm,
                "GROUP_OID": group_of[item.oid],
            }
        )
    item_meta = pd.DataFrame(rows).drop_duplicates("ITEM_OID")
    group_meta = pd.DataFrame(
        {"GROUP_OID": [g.oid for g in collector.groups], "DOMAIN": [g.domain for g in collector.groups]}
    )
    codes = [
        {"CODELIST_OID": cl.oid, "CODED_VALUE": it.coded_value, "DECODE": it.decode.get("en", "")}
        for cl in code_lists()
        for it in cl.items
    ]
    return item_meta, group_meta, pd.DataFrame(codes)


@pytest.fixture(scope="module")
def demo_spec():
    item_meta, group_meta, codelists = demo_frames()
    return default_spec(item_meta, group_meta, codelists, study_id="OPC-301")


def test_default_spec_findings_tests_from_annotations(demo_spec):
    vs = demo_spec.domain("VS")
    assert vs.domain_class == "findings" and vs.sources == ("IG.VS",)
    sysbp = next(t for t in vs.tests if t.testcd == "SYSBP")
    assert (sysbp.item, sysbp.orresu) == ("IT.SYSBP", "mmHg")
    assert [t.testcd for t in vs.tests] == ["SYSBP", "DIABP", "PULSE", "TEMP", "WEIGHT", "HEIGHT", "BMI"]
    assert vs.rule("VSDTC").item == "@VISIT_DATE"
    lb = demo_spec.domain("LB")
    assert set(lb.sources) == {"IG.LB", "IG.LB.HAEM", "IG.LB.CHEM", "IG.BNP"}
    assert lb.rule("LBDTC").item == "IT.LBDAT"
    qs = demo_spec.domain("QS")
    kccq = next(t for t in qs.tests if t.testcd == "KCCQ_PL")
    assert kccq.constants == {"QSCAT": "KCCQ"}


def test_default_spec_events_and_flags(demo_spec):
    ae = demo_spec.domain("AE")
    assert ae.domain_class == "events"
    assert ae.rule("AESTDTC").item == "IT.AESTDAT"
    assert ae.rule("AESHOSP").flag_of == "HOSP" and ae.rule("AESMIE").flag_of == "MIE"
    assert ae.rule("AEENRTPT").values == {"Y": "ONGOING", "N": ""}
    assert ae.rule("AEENTPT").value == "END OF STUDY"
    assert demo_spec.domain("CM").domain_class == "interventions"


def test_default_spec_ct_mapping(demo_spec):
    dm = demo_spec.domain("DM")
    assert dm.rule("RACE").values == {
        "1": "AMERICAN INDIAN OR ALASKA NATIVE",
        "2": "ASIAN",
        "3": "BLACK OR AFRICAN AMERICAN",
        "4": "NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER",
        "5": "WHITE",
        "6": "NOT REPORTED",
    }
    assert dm.rule("SEX").values == {}  # F and M are already submission values


def test_default_spec_notes_what_it_could_not_map(demo_spec):
    notes = "\n".join(demo_spec.notes)
    assert "IT.IEYN: not mapped: not submitted" in notes
    assert "IT.DACOMPL: not mapped: ADaM" in notes
    assert "IT.KCCQ_SCORE: not mapped" in notes  # QSSTRESN, not an --ORRES test annotation
    assert "IT.ICDAT: not mapped: its target DM.RFICDTC comes from the subjects frame" in notes
    assert "IT.DARETDAT: not mapped: DA.DADTC is already filled from IT.DADSPDAT" in notes
    assert "AEDECOD" in notes


def test_default_spec_round_trips(demo_spec):
    assert load_spec(dump_spec(demo_spec)) == demo_spec
