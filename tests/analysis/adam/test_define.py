"""Define-XML 2.1 of ADaM datasets from their specifications: classes, keys, origins, methods, code lists.

Hand-made specifications over small frames need no reference data; the CDISC Pilot 01 ADSL, ADAE
and ADTTE (examples/cdiscpilot01/adam, derived from ../shared/reference/cdiscpilot01/sdtm as
test_pilot_reproduction.py does) are described as a whole and checked with `check_define`. The
expected lengths below are counted from the frames written in this file; the expected classes,
origins and texts follow Define-XML 2.1 (2019) sections 4-5 and the ADaM IG v1.1 as the module says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from opencro.analysis.adam import KINDS, derive, load_spec, spec_from_mapping
from opencro.analysis.adam.define import (
    ADSL_CLASS,
    BDS_CLASS,
    OCCDS_CLASS,
    OTHER_CLASS,
    TTE_SUBCLASS,
    DefineError,
    dataset_class,
    define_from_adam,
    method_description,
)
from opencro.formats.definexml import DefineDocument, check_define, read_define, write_define

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT / ".." / "shared" / "reference" / "cdiscpilot01"
SPECS = ROOT / "examples" / "cdiscpilot01" / "adam"
CREATED = "2026-11-27T04:00:00"


def _var(name: str, kind: str, type_: str = "text", *, keep: bool = True, **params: Any) -> dict[str, Any]:
    entry = {"name": name, "label": name.title(), "type": type_, "derivation": {"kind": kind, **params}}
    if not keep:
        entry["keep"] = False
    return entry


def _spec(name: str, variables: list[dict[str, Any]], *, keys: tuple[str, ...] = ("USUBJID",), **base: Any):
    return spec_from_mapping(
        {
            "dataset": name,
            "label": f"{name} test dataset",
            "keys": list(keys),
            "base": base or {"source": "DM"},
            "variables": variables,
        },
        origin=f"{name.lower()}.yaml",
    )


USUBJID = _var("USUBJID", "copy")


def _item(doc: DefineDocument, dataset: str, name: str):
    return next(i for i in doc.items if i.oid == f"IT.{dataset}.{name}")


def _ref(doc: DefineDocument, dataset: str, name: str):
    group = next(g for g in doc.item_groups if g.name == dataset)
    return next(r for r in group.item_refs if r.item_oid == f"IT.{dataset}.{name}")


def _method(doc: DefineDocument, oid: str | None) -> str:
    assert oid is not None
    return next(x for x in doc.methods if x.oid == oid).description[0].text


def _code_list(doc: DefineDocument, oid: str | None):
    return next(c for c in doc.code_lists if c.oid == oid)


# --- hand-made ADSL and ADAE ------------------------------------------------------------------------

DM = pd.DataFrame(
    {
        "USUBJID": ["S-1", "S-10", "S-2"],
        "AGE": [50, 70, 85],
        "ARM": ["Placebo", "Drug", "Drug"],
        "RFSTDTC": ["2024-01-05", "2024-02-10", ""],
    }
)
AE = pd.DataFrame(
    {
        "USUBJID": ["S-1", "S-1", "S-10"],
        "AESEQ": [1, 2, 1],
        "AETERM": ["HEADACHE", "NAUSEA", "RASH"],
        "AESTDTC": ["2024-01-07", "2024-02", "2024-03-01"],
    }
)
ADSL_SPEC = _spec(
    "ADSL",
    [
        {**USUBJID, "length": 11},
        _var("AGE", "copy", "integer"),
        _var("TRT01P", "copy", variable="ARM"),
        _var("TRT01PN", "map", "integer", variable="TRT01P", values={"Placebo": 0, "Drug": 1}),
        _var("AGEGR1N", "categorize", "integer", variable="AGE", cuts=[65, 81], labels=[1, 2, 3]),
        _var("SAFFL", "flag", condition="[AGE] >= 18 and not isblank([TRTSDT])", otherwise="N"),
        _var("TRTSDT", "date", "date", variable="RFSTDTC"),
        {**_var("AGETHIRD", "expression", "float", expression="[AGE] / 3"), "digits": 2},
    ],
)
ADAE_SPEC = _spec(
    "ADAE",
    [
        USUBJID,
        _var("AETERM", "copy"),
        {**_var("AESEQ", "copy", "integer"), "label": "Sequence Number"},
        _var("TRTP", "copy", source="ADSL", variable="TRT01P"),
        _var("TRTPN", "copy", "integer", source="ADSL", variable="TRT01PN"),
        _var("ASTDT", "date", "date", variable="AESTDTC", impute_day="first"),
        _var("ASTDTF", "companion", of="ASTDT", role="flag"),
    ],
    keys=("USUBJID", "AESEQ"),
    source="AE",
    within="ADSL",
)


@pytest.fixture(scope="module")
def small():
    adsl = derive(ADSL_SPEC, {"DM": DM})
    adae = derive(ADAE_SPEC, {"AE": AE}, parents={"ADSL": adsl})
    frames = {"ADSL": adsl, "ADAE": adae}
    doc = define_from_adam([ADSL_SPEC, ADAE_SPEC], frames, "TEST-01", study_description="A test study", created=CREATED)
    return doc, frames


def test_small_document_is_consistent_and_round_trips(small):
    doc, _ = small
    assert check_define(doc) == []
    assert read_define(write_define(doc)) == doc
    assert (doc.study_name, doc.study_description, doc.protocol_name) == ("TEST-01", "A test study", "TEST-01")
    assert doc.creation_datetime == CREATED
    assert [s.name for s in doc.standards] == ["ADaMIG"]


def test_item_group_attributes(small):
    doc, _ = small
    adsl, adae = doc.item_groups
    assert (adsl.name, adae.name) == ("ADSL", "ADAE")
    assert adsl.item_class is not None and adsl.item_class.name == ADSL_CLASS
    assert adae.item_class is not None and adae.item_class.name == OCCDS_CLASS  # AETERM is a --TERM variable
    assert (adsl.repeating, adae.repeating) == (False, True)
    for group in (adsl, adae):
        assert group.purpose == "Analysis"
        assert group.is_reference_data is False
        assert group.domain is None
        assert group.leaf is not None and group.leaf.href == f"{group.name.lower()}.xpt"
        assert group.archive_location_id == group.leaf.id
    assert adsl.structure == "One record per subject"
    assert adae.structure == "One record per subject per sequence number"  # AESEQ's label, in lower case
    assert adae.description[0].text == "ADAE test dataset"


def test_key_sequence_follows_the_keys_not_the_variable_order(small):
    doc, _ = small
    # ADAE keys: USUBJID, AESEQ; AETERM sits between them in the variables.
    assert _ref(doc, "ADAE", "USUBJID").key_sequence == 1
    assert _ref(doc, "ADAE", "AETERM").key_sequence is None
    assert _ref(doc, "ADAE", "AESEQ").key_sequence == 2
    assert [r.order_number for r in doc.item_groups[1].item_refs] == list(range(1, 8))
    assert _ref(doc, "ADAE", "AESEQ").mandatory and not _ref(doc, "ADAE", "AETERM").mandatory


def test_copies_are_predecessors_naming_domain_or_parent(small):
    doc, _ = small
    cases = {
        ("ADSL", "AGE"): "DM.AGE",
        ("ADSL", "TRT01P"): "DM.ARM",
        ("ADAE", "AETERM"): "AE.AETERM",
        ("ADAE", "TRTP"): "ADSL.TRT01P",
        ("ADAE", "TRTPN"): "ADSL.TRT01PN",
    }
    for (dataset, name), predecessor in cases.items():
        (origin,) = _item(doc, dataset, name).origins
        assert (origin.type, origin.description[0].text) == ("Predecessor", predecessor)
        assert _ref(doc, dataset, name).method_oid is None


def test_derived_variables_have_a_method_in_words(small):
    doc, _ = small
    expected = {
        "TRT01PN": ("Computation", "Mapped from TRT01P: 'Placebo' -> 0; 'Drug' -> 1; other values -> blank."),
        "AGEGR1N": (
            "Computation",
            "Categorised from AGE (cut points 65, 81; a value equal to a cut point goes to the upper group): "
            "AGE < 65 -> 1; 65 <= AGE < 81 -> 2; AGE >= 81 -> 3; blank when AGE is blank.",
        ),
        "SAFFL": ("Computation", "Y when [AGE] >= 18 and not isblank([TRTSDT]), else 'N'."),
        "TRTSDT": ("Computation", "Date of RFSTDTC (ISO 8601); no day imputed; blank when not a valid date."),
    }
    for name, (kind, text) in expected.items():
        (origin,) = _item(doc, "ADSL", name).origins
        assert origin.type == "Derived"
        ref = _ref(doc, "ADSL", name)
        assert ref.method_oid == f"MT.ADSL.{name}"
        method = next(x for x in doc.methods if x.oid == ref.method_oid)
        assert (method.type, method.description[0].text) == (kind, text)
    # A date derivation that imputes is an Imputation method (Define-XML 2.1 MethodDef Type).
    assert next(x for x in doc.methods if x.oid == "MT.ADAE.ASTDT").type == "Imputation"


def test_data_types_lengths_and_formats_from_the_data(small):
    doc, frames = small
    usubjid = _item(doc, "ADSL", "USUBJID")
    # "S-10" is the longest USUBJID of DM above: 4 bytes, though the spec declares 11.
    assert (usubjid.data_type, usubjid.length) == ("text", 4)
    assert (_item(doc, "ADSL", "AGE").data_type, _item(doc, "ADSL", "AGE").length) == ("integer", 2)  # 50, 70, 85
    trtsdt = _item(doc, "ADSL", "TRTSDT")
    assert (trtsdt.data_type, trtsdt.length, trtsdt.display_format) == ("date", None, "DATE9.")
    third = _item(doc, "ADSL", "AGETHIRD")
    # 50/3, 70/3, 85/3 rounded to 2 digits: 16.67, 23.33, 28.33 -> 5 characters.
    assert frames["ADSL"]["AGETHIRD"].tolist() == [16.67, 23.33, 28.33]
    assert (third.data_type, third.length, third.significant_digits) == ("float", 5, 2)
    assert _item(doc, "ADAE", "ASTDTF").length == 1  # "D" on the partial 2024-02


def test_code_lists_hold_the_values_a_derivation_can_give(small):
    doc, _ = small
    trt = _code_list(doc, _item(doc, "ADSL", "TRT01PN").code_list_oid)
    assert trt.data_type == "integer"
    assert [(i.coded_value, i.decode[0].text) for i in trt.code_list_items] == [("0", "Placebo"), ("1", "Drug")]
    groups = _code_list(doc, _item(doc, "ADSL", "AGEGR1N").code_list_oid)
    assert [(i.coded_value, i.decode[0].text) for i in groups.code_list_items] == [
        ("1", "AGE < 65"),
        ("2", "65 <= AGE < 81"),
        ("3", "AGE >= 81"),
    ]
    saffl = _code_list(doc, _item(doc, "ADSL", "SAFFL").code_list_oid)
    assert [i.coded_value for i in saffl.enumerated_items] == ["Y", "N"]
    flag = _code_list(doc, _item(doc, "ADAE", "ASTDTF").code_list_oid)
    assert [(i.coded_value, i.decode[0].text) for i in flag.code_list_items] == [("D", "Day imputed")]
    # Copies of a parent's coded variable refer to the parent's list; plain copies and dates have none.
    assert _item(doc, "ADAE", "TRTPN").code_list_oid == "CL.ADSL.TRT01PN"
    assert _item(doc, "ADSL", "AGE").code_list_oid is None
    assert _item(doc, "ADSL", "TRTSDT").code_list_oid is None
    assert {c.oid for c in doc.code_lists} == {i.code_list_oid for i in doc.items if i.code_list_oid}


def test_missing_dataset_or_columns_are_located_errors(small):
    _, frames = small
    with pytest.raises(DefineError, match=r"adae\.yaml: dataset ADAE: no data given"):
        define_from_adam([ADSL_SPEC, ADAE_SPEC], {"ADSL": frames["ADSL"]}, "TEST-01")
    with pytest.raises(DefineError, match=r"dataset ADSL: variables AGE of the specification are not in the data"):
        define_from_adam([ADSL_SPEC], {"ADSL": frames["ADSL"].drop(columns="AGE")}, "TEST-01")
    with pytest.raises(DefineError, match=r"columns EXTRA of the data are not kept variables"):
        define_from_adam([ADSL_SPEC], {"ADSL": frames["ADSL"].assign(EXTRA=1)}, "TEST-01")
    with pytest.raises(DefineError, match="ADSL are specified more than once"):
        define_from_adam([ADSL_SPEC, ADSL_SPEC], frames, "TEST-01")
    with pytest.raises(DefineError, match="no dataset specification"):
        define_from_adam([], frames, "TEST-01")


# --- class decision ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "keys", "expected", "sub_classes"),
    [
        ([USUBJID, _var("AGE", "copy", "integer")], ("USUBJID",), ADSL_CLASS, ()),
        ([_var("STUDYID", "copy"), USUBJID], ("STUDYID", "USUBJID"), ADSL_CLASS, ()),
        (
            [USUBJID, _var("PARAMCD", "constant", value="WEIGHT"), _var("AVAL", "copy", "float")],
            ("USUBJID", "PARAMCD"),
            BDS_CLASS,
            (),
        ),
        # One parameter per subject is still a BDS dataset, not subject-level.
        ([USUBJID, _var("PARAMCD", "constant", value="X"), _var("AVALC", "copy")], ("USUBJID",), BDS_CLASS, ()),
        (
            [
                USUBJID,
                _var("PARAMCD", "constant", value="TTE"),
                _var("AVAL", "copy", "integer"),
                _var("CNSR", "constant", "integer", value=1),
            ],
            ("USUBJID", "PARAMCD"),
            BDS_CLASS,
            (TTE_SUBCLASS,),
        ),
        ([USUBJID, _var("CMSEQ", "copy", "integer"), _var("CMDECOD", "copy")], ("USUBJID", "CMSEQ"), OCCDS_CLASS, ()),
        ([USUBJID, _var("XXSEQ", "copy", "integer"), _var("XXORRES", "copy")], ("USUBJID", "XXSEQ"), OTHER_CLASS, ()),
        # PARAMCD without an analysis value is not BDS.
        ([USUBJID, _var("PARAMCD", "copy"), _var("XXSEQ", "copy", "integer")], ("USUBJID", "XXSEQ"), OTHER_CLASS, ()),
    ],
)
def test_dataset_class_from_the_spec(variables, keys, expected, sub_classes):
    klass = dataset_class(_spec("ADXX", variables, keys=keys))
    assert klass.name == expected
    assert tuple(s.name for s in klass.sub_classes) == sub_classes


def test_bds_structure_in_words():
    spec = _spec(
        "ADVS",
        [USUBJID, _var("PARAMCD", "copy"), _var("AVISIT", "copy"), _var("AVAL", "copy", "float")],
        keys=("USUBJID", "PARAMCD", "AVISIT"),
        source="VS",
    )
    frame = pd.DataFrame({"USUBJID": ["S-1"], "PARAMCD": ["WEIGHT"], "AVISIT": ["Week 1"], "AVAL": [70.5]})
    doc = define_from_adam([spec], {"ADVS": frame}, "TEST-01", created=CREATED)
    (group,) = doc.item_groups
    assert group.structure == "One record per subject per parameter per analysis visit"
    assert check_define(doc) == []
    aval = _item(doc, "ADVS", "AVAL")
    assert (aval.data_type, aval.length, aval.significant_digits) == ("float", 4, 1)  # "70.5"


# --- one description per derivation kind ---------------------------------------------------------------

ADT = _var(
    "ADT",
    "time_to_event",
    "date",
    events=[{"source": "ADAE", "date": "ASTDT", "filter": "[AESER] = 'Y'", "description": "Serious AE"}],
    censors=[{"source": "ADSL", "date": "LSTALVDT", "description": "Last known alive"}],
)
VISIT = _var(
    "AVISIT",
    "analysis_visit",
    day="ADY",
    by=["USUBJID", "PARAMCD"],
    windows=[
        {"visit": "Baseline", "number": 0, "high": 1, "target": 1},
        {"visit": "Week 2", "number": 2, "low": 2, "high": 21, "target": 14},
    ],
)
KIND_CASES: list[tuple[str, list[dict[str, Any]], str]] = [
    (
        "map",
        [_var("TRTPN", "map", "integer", variable="TRTP", values={"Placebo": 0, "Drug": 1})],
        "Mapped from TRTP: 'Placebo' -> 0; 'Drug' -> 1; other values -> blank.",
    ),
    (
        "categorize",
        [_var("AGEGR", "categorize", variable="AGE", cuts=[65], labels=["LOW", "HIGH"], closed="right")],
        "Categorised from AGE (cut points 65; a value equal to a cut point goes to the lower group): "
        "AGE <= 65 -> 'LOW'; AGE > 65 -> 'HIGH'; blank when AGE is blank.",
    ),
    (
        "flag",
        [_var("ITTFL", "flag", condition="[AGE] >= 18 and [ARMCD] <> 'SCRNFAIL'", otherwise="N")],
        "Y when [AGE] >= 18 and [ARMCD] <> 'SCRNFAIL', else 'N'.",
    ),
    (
        "expression",
        [_var("BMI", "expression", "float", expression="[WEIGHT] / ([HEIGHT] / 100) ^ 2")],
        "Computed as [WEIGHT] / ([HEIGHT] / 100) ^ 2.",
    ),
    ("constant", [_var("PARAMCD", "constant", value="TTDE")], "Set to 'TTDE' on every record."),
    (
        "date",
        [_var("ASTDT", "date", "date", variable="AESTDTC", impute_day="first", impute_month="first")],
        "Date of AESTDTC (ISO 8601); a missing day imputed as the first day of the month; a missing month imputed "
        "as the first month of the year; blank when not a valid date.",
    ),
    (
        "study_day",
        [_var("ASTDY", "study_day", "integer", date="ASTDT", reference="TRTSDT")],
        "Relative day of ASTDT from TRTSDT: ASTDT - TRTSDT + 1 on or after TRTSDT, ASTDT - TRTSDT before (no day 0).",
    ),
    (
        "duration",
        [_var("TRTDURW", "duration", "float", start="TRTSDT", end="TRTEDT", unit="weeks")],
        "Duration in weeks: (TRTEDT - TRTSDT + 1 day), divided by 7; blank when either date is blank.",
    ),
    (
        "first",
        [
            _var(
                "WEIGHTBL",
                "first",
                "float",
                source="VS",
                filter="[VSTESTCD] = 'WEIGHT'",
                value="[VSSTRESN]",
                order=["VSDTC"],
            )
        ],
        "Value of [VSSTRESN] on the first record of VS per USUBJID where [VSTESTCD] = 'WEIGHT' in order of VSDTC; "
        "blank when there is none.",
    ),
    (
        "last",
        [_var("LASTEX", "last", source="EX", value="[EXENDTC]")],
        "Value of [EXENDTC] on the last record of EX per USUBJID in the source's record order; "
        "blank when there is none.",
    ),
    (
        "aggregate",
        [_var("NSAE", "aggregate", "integer", source="AE", filter="[AESER] = 'Y'", function="count")],
        "Number of the records of AE per USUBJID where [AESER] = 'Y'; 0 when there are none.",
    ),
    (
        "first_occurrence",
        [_var("AOCCPFL", "first_occurrence", by=["USUBJID", "AEDECOD"], order=["ASTDT"], filter="[TRTEMFL] = 'Y'")],
        "Y on the first record per USUBJID, AEDECOD in order of ASTDT among the records where [TRTEMFL] = 'Y', "
        "else blank.",
    ),
    (
        "treatment_emergent",
        [
            _var(
                "TRTEMFL",
                "treatment_emergent",
                start="ASTDT",
                treatment_start="TRTSDT",
                treatment_end="TRTEDT",
                window=30,
                otherwise="N",
            )
        ],
        "Y when ASTDT is on or after TRTSDT and on or before TRTEDT + 30 days; a record with ASTDT blank (and TRTSDT "
        "known) is Y; otherwise 'N'.",
    ),
    (
        "baseline",
        [_var("BASE", "baseline", "float", value="AVAL", flag="ABLFL", by=["USUBJID", "PARAMCD"])],
        "Value of AVAL on the baseline record (ABLFL = 'Y') of each USUBJID, PARAMCD group, on every record of the "
        "group.",
    ),
    (
        "change",
        [_var("CHG", "change", "float", value="AVAL", baseline="BASE")],
        "AVAL - BASE; blank when either is blank.",
    ),
    (
        "pct_change",
        [_var("PCHG", "pct_change", "float", value="AVAL", baseline="BASE", baseline_flag="ABLFL")],
        "100 * (AVAL - BASE) / BASE; blank when either is blank or 0; blank on the baseline record (ABLFL = 'Y').",
    ),
    (
        "analysis_visit",
        [VISIT],
        "Analysis visit from the window holding ADY: 'Baseline' (number 0) for ADY <= 1, target 1; 'Week 2' "
        "(number 2) for 2 <= ADY <= 21, target 14; blank outside every window. Per USUBJID, PARAMCD and window, the "
        "record nearest the target day is the analysed one (a tie goes to the earlier day).",
    ),
    (
        "locf",
        [
            _var(
                "DTYPE",
                "locf",
                by=["USUBJID", "PARAMCD"],
                visit="AVISITN",
                visits={2: "Week 2"},
                label="AVISIT",
                filter="[ANL01FL] = 'Y'",
            )
        ],
        "'LOCF' on records added per USUBJID, PARAMCD for each of the visits AVISITN = 2 (Week 2) without a record "
        "where [ANL01FL] = 'Y': a copy of the last such record at an earlier visit, with AVISITN and AVISIT set to "
        "the missed visit; blank on observed records.",
    ),
    (
        "time_to_event",
        [ADT],
        "Per USUBJID: the earliest event date from ADAE.ASTDT where [AESER] = 'Y' (Serious AE); when there is no "
        "event, the censoring date from the first of ADSL.LSTALVDT (Last known alive) (censor 1) that has one.",
    ),
    (
        "companion",
        [ADT, _var("CNSR", "companion", "integer", of="ADT", role="censor")],
        "Filled by the derivation of ADT: 0 when ADT is an event date, else the censoring source's censor value.",
    ),
]


@pytest.mark.parametrize(("kind", "variables", "text"), KIND_CASES, ids=[c[0] for c in KIND_CASES])
def test_method_description_of_each_kind(kind, variables, text):
    spec = _spec("ADXX", [USUBJID, *variables])
    variable = spec.variables[-1]
    assert variable.derivation.kind == kind
    assert method_description(spec, variable) == text


def test_every_kind_but_copy_is_described():
    assert {kind for kind, _, _ in KIND_CASES} == set(KINDS) - {"copy"}


def test_working_variables_are_described_with_the_variable_that_reads_them():
    spec = _spec(
        "ADSL",
        [
            USUBJID,
            _var("NVIS8", "aggregate", "integer", keep=False, source="SV", function="count", filter="[VISITNUM] = 8"),
            _var("COMP8FL", "flag", condition="[NVIS8] > 0", otherwise="N"),
        ],
    )
    assert method_description(spec, spec.variable("COMP8FL")) == (
        "Y when [NVIS8] > 0, else 'N'. NVIS8 (working variable, not kept): Number of the records of SV per USUBJID "
        "where [VISITNUM] = 8; 0 when there are none."
    )


def test_every_derived_kind_gives_a_derived_origin_with_a_method():
    # Frames are written by hand with the kept columns; the document does not re-derive them.
    for kind, variables, _ in KIND_CASES:
        spec = _spec("ADXX", [USUBJID, *variables])
        frame = pd.DataFrame({v.name: pd.Series([None], dtype=object) for v in spec.kept})
        doc = define_from_adam([spec], {"ADXX": frame}, "TEST-01", created=CREATED)
        assert check_define(doc) == [], kind
        for variable in spec.kept[1:]:
            (origin,) = _item(doc, "ADXX", variable.name).origins
            assert origin.type == "Derived", kind
            assert _ref(doc, "ADXX", variable.name).method_oid == f"MT.ADXX.{variable.name}", kind


# --- CDISC Pilot 01 --------------------------------------------------------------------------------------

PILOT_DOMAINS = ("DM", "AE", "DS", "EX", "MH", "QS", "SC", "SUPPDS", "SV", "VS")


@pytest.fixture(scope="module")
def pilot():
    if not (REFERENCE / "sdtm" / "dm.xpt").exists():
        pytest.skip("CDISC pilot reference data not found: ../shared/reference/cdiscpilot01 (see its README)")
    pyreadstat = pytest.importorskip("pyreadstat")
    sdtm = {name: pyreadstat.read_xport(str(REFERENCE / "sdtm" / f"{name.lower()}.xpt"))[0] for name in PILOT_DOMAINS}
    specs = [load_spec(SPECS / f"{name}.yaml") for name in ("adsl", "adae", "adtte")]
    adsl = derive(specs[0], sdtm)
    adae = derive(specs[1], sdtm, parents={"ADSL": adsl})
    adtte = derive(specs[2], sdtm, parents={"ADSL": adsl, "ADAE": adae})
    frames = {"ADSL": adsl, "ADAE": adae, "ADTTE": adtte}
    doc = define_from_adam(specs, frames, "CDISCPILOT01", protocol_name="CDISCPILOT01", created=CREATED)
    return doc, specs, frames


def test_pilot_document_is_consistent_and_round_trips(pilot):
    doc, _, _ = pilot
    assert check_define(doc) == []
    assert read_define(write_define(doc)) == doc


def test_pilot_classes(pilot):
    doc, _, _ = pilot
    classes = {g.name: (g.item_class.name, tuple(s.name for s in g.item_class.sub_classes)) for g in doc.item_groups}
    assert classes == {
        "ADSL": (ADSL_CLASS, ()),
        "ADAE": (OCCDS_CLASS, ()),
        "ADTTE": (BDS_CLASS, (TTE_SUBCLASS,)),
    }
    assert [g.leaf.href for g in doc.item_groups] == ["adsl.xpt", "adae.xpt", "adtte.xpt"]


def test_pilot_key_sequence_from_the_spec_keys(pilot):
    doc, specs, _ = pilot
    for spec, group in zip(specs, doc.item_groups, strict=True):
        keyed = sorted((r.key_sequence, r.item_oid) for r in group.item_refs if r.key_sequence is not None)
        assert [oid for _, oid in keyed] == [f"IT.{spec.name}.{k}" for k in spec.keys]
    # The last group is ADTTE, keys [USUBJID, PARAMCD] in examples/cdiscpilot01/adam/adtte.yaml.
    assert [oid.split(".")[-1] for _, oid in keyed] == ["USUBJID", "PARAMCD"]


def test_pilot_origins(pilot):
    doc, specs, frames = pilot
    for spec in specs:
        assert [i.name for i in doc.items if i.oid.startswith(f"IT.{spec.name}.")] == list(frames[spec.name].columns)
        for variable in spec.kept:
            (origin,) = _item(doc, spec.name, variable.name).origins
            ref = _ref(doc, spec.name, variable.name)
            if variable.derivation.kind == "copy":
                assert origin.type == "Predecessor"
                assert ref.method_oid is None
            else:
                assert origin.type == "Derived"
                assert _method(doc, ref.method_oid)
    # Spot checks against the specs: ADSL.AGE copies DM.AGE, ADAE.TRTA copies ADSL.TRT01A, ADTTE.TRTP ADSL.TRT01P.
    predecessors = {
        ("ADSL", "AGE"): "DM.AGE",
        ("ADSL", "TRT01P"): "DM.ARM",
        ("ADAE", "TRTA"): "ADSL.TRT01A",
        ("ADAE", "AEDECOD"): "AE.AEDECOD",
        ("ADTTE", "TRTP"): "ADSL.TRT01P",
    }
    for (dataset, name), text in predecessors.items():
        assert _item(doc, dataset, name).origins[0].description[0].text == text
    assert _method(doc, _ref(doc, "ADSL", "AGEGR1N").method_oid) == (
        "Categorised from AGE (cut points 65, 81; a value equal to a cut point goes to the upper group): "
        "AGE < 65 -> 1; 65 <= AGE < 81 -> 2; AGE >= 81 -> 3; blank when AGE is blank."
    )
    assert _method(doc, _ref(doc, "ADSL", "SAFFL").method_oid) == (
        "Y when [ITTFL] = 'Y' and not isblank([TRTSDT]), else 'N'."
    )
    # TRTEDT reads the working variable LASTEXEN, which is described with it.
    assert "LASTEXEN (working variable, not kept): Value of [EXENDTC] on the last record of EX" in _method(
        doc, _ref(doc, "ADSL", "TRTEDT").method_oid
    )


def test_pilot_code_lists(pilot):
    doc, _, _ = pilot
    trt = _code_list(doc, _item(doc, "ADSL", "TRT01PN").code_list_oid)
    # adsl.yaml TRT01PN: {Placebo: 0, Xanomeline Low Dose: 54, Xanomeline High Dose: 81}.
    assert [(i.coded_value, i.decode[0].text) for i in trt.code_list_items] == [
        ("0", "Placebo"),
        ("54", "Xanomeline Low Dose"),
        ("81", "Xanomeline High Dose"),
    ]
    assert _item(doc, "ADAE", "AGEGR1").code_list_oid == "CL.ADSL.AGEGR1"
    cnsr = _code_list(doc, _item(doc, "ADTTE", "CNSR").code_list_oid)
    # adtte.yaml: the event "Dematologic Event Occured" (the pilot's spelling), censored at "Study Completion Date".
    assert [(i.coded_value, i.decode[0].text) for i in cnsr.code_list_items] == [
        ("0", "Event: Dematologic Event Occured"),
        ("1", "Censored: Study Completion Date"),
    ]


def test_pilot_text_lengths_are_the_longest_values(pilot):
    doc, specs, frames = pilot
    for spec in specs:
        frame = frames[spec.name]
        for variable in spec.kept:
            if variable.type == "text":
                values = [str(v) for v in frame[variable.name] if isinstance(v, str) and v]
                longest = max((len(v.encode("utf-8")) for v in values), default=variable.length or 1)
                assert _item(doc, spec.name, variable.name).length == longest, (spec.name, variable.name)
