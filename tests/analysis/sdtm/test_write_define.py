"""Files written (XPT read back with pyreadstat, Dataset-JSON with the project's reader); Define-XML from the specs."""

from __future__ import annotations

import math

import pandas as pd
import pyreadstat
import pytest

from opencro.analysis.sdtm import SdtmError, build_study, define_from_specs, write_domains
from opencro.formats.datasetjson import read_dataset_json
from opencro.formats.definexml import check_define, read_define, write_define
from tests.analysis.sdtm import study


@pytest.fixture(scope="module")
def built():
    return build_study(study.spec(), study.inputs())


def test_xpt_files_read_back_with_every_variable_and_label(built, tmp_path):
    paths = write_domains(built.domains, tmp_path, ("xpt",), metadata=built.metadata)
    assert sorted(p.name for p in paths) == sorted(f"{n.lower()}.xpt" for n in built.domains)
    for name, frame in built.domains.items():
        data, meta = pyreadstat.read_xport(str(tmp_path / f"{name.lower()}.xpt"))
        assert meta.table_name == name
        assert list(data.columns) == list(frame.columns), name
        labels = built.metadata[name].variables
        expected = {v.name: v.label for v in labels}
        assert dict(zip(meta.column_names, meta.column_labels, strict=True)) == {c: expected[c] for c in frame.columns}
        assert meta.file_label == frame.attrs["label"]
        for column in frame.columns:
            got, want = data[column].tolist(), frame[column].tolist()
            if built.metadata[name].variable(column).type == "Num":
                assert [None if math.isnan(x) else x for x in got] == [None if pd.isna(x) else x for x in want], column
            else:
                assert [x or None for x in got] == want, (name, column)


def test_xpt_lengths_fitted(built, tmp_path):
    write_domains({"AE": built.domains["AE"]}, tmp_path, ("xpt",), metadata=built.metadata)
    _, meta = pyreadstat.read_xport(str(tmp_path / "ae.xpt"), metadataonly=True)
    assert meta.variable_storage_width["AETERM"] == len("Headache")
    assert meta.variable_storage_width["AESEQ"] == 8


def test_dataset_json_read_back(built, tmp_path):
    write_domains(built.domains, tmp_path, ("json",), metadata=built.metadata)
    vs = read_dataset_json(tmp_path / "vs.json")
    assert vs.name == "VS" and vs.label == "Vital Signs"
    assert [c.name for c in vs.columns] == list(built.domains["VS"].columns)
    types = {c.name: c.data_type for c in vs.columns}
    assert (types["VSSEQ"], types["VSSTRESN"], types["VSDTC"]) == ("integer", "double", "string")
    assert vs.data["VSORRES"].tolist()[:3] == ["85", None, "80"]


def test_values_over_200_bytes_refused_located(built, tmp_path):
    ae = built.domains["AE"].copy()
    ae.attrs = built.domains["AE"].attrs
    ae.loc[0, "AETERM"] = "x" * 201
    with pytest.raises(SdtmError) as error:
        write_domains({"AE": ae}, tmp_path, ("xpt",), metadata=built.metadata)
    assert "AETERM" in str(error.value)


@pytest.fixture(scope="module")
def define(built):
    inputs = study.inputs()
    return define_from_specs(
        study.spec(),
        built.domains,
        built.metadata,
        "OPC-301",
        study_description="A trial of drug in heart failure",
        codelists=inputs.codelists,
        item_meta=inputs.item_meta,
        created="2026-11-27T03:00:00",
    )


def test_define_passes_the_projects_checks(define):
    assert check_define(define) == []
    written = write_define(define)
    assert read_define(written) == define


def test_define_datasets_keys_and_classes(define, built):
    groups = {g.name: g for g in define.item_groups}
    assert set(groups) == set(built.domains)
    vs = groups["VS"]
    assert vs.item_class.name == "FINDINGS" and vs.leaf.href == "vs.xpt"
    keys = [(r.item_oid, r.key_sequence) for r in vs.item_refs if r.key_sequence]
    assert keys == [
        ("IT.VS.STUDYID", 1),
        ("IT.VS.USUBJID", 2),
        ("IT.VS.VSTESTCD", 3),
        ("IT.VS.VISITNUM", 4),
        ("IT.VS.VSDTC", 5),
    ]
    assert groups["TS"].is_reference_data is True
    assert groups["DM"].repeating is False


def test_define_origins_and_methods(define):
    items = {i.oid: i for i in define.items}
    aeterm = items["IT.AE.AETERM"].origins[0]
    assert aeterm.type == "Collected" and aeterm.document_refs[0].pages[0].page_refs == "20"
    assert items["IT.AE.AEENTPT"].origins[0].type == "Assigned"
    assert items["IT.TA.ETCD"].origins[0].type == "Protocol"
    assert items["IT.AE.AESEQ"].origins[0].type == "Derived"
    refs = {r.item_oid: r for g in define.item_groups for r in g.item_refs}
    methods = {x.oid: x for x in define.methods}
    assert methods[refs["IT.AE.AEDECOD"].method_oid].description[0].text == "Coded with MedDRA 27.0."
    assert "RFSTDTC" in methods[refs["IT.VS.VSDY"].method_oid].description[0].text


def test_define_value_level_metadata_for_tests(define):
    items = {i.oid: i for i in define.items}
    assert items["IT.VS.VSORRES"].value_list_oid == "VL.VS.VSORRES"
    value_list = next(v for v in define.value_lists if v.oid == "VL.VS.VSORRES")
    assert [r.item_oid for r in value_list.item_refs] == [
        "IT.VS.VSORRES.SYSBP",
        "IT.VS.VSORRES.DIABP",
        "IT.VS.VSORRES.TEMP",
    ]
    where = {w.oid: w for w in define.where_clauses}["WC.VS.VSTESTCD.SYSBP"]
    assert (where.range_checks[0].item_oid, where.range_checks[0].comparator, where.range_checks[0].check_values) == (
        "IT.VS.VSTESTCD",
        "EQ",
        ("SYSBP",),
    )
    sysbp = items["IT.VS.VSORRES.SYSBP"]
    assert sysbp.description[0].text == "Systolic Blood Pressure (mmHg)"
    assert (sysbp.data_type, sysbp.length) == ("integer", 3)
    assert (items["IT.VS.VSORRES.TEMP"].data_type, items["IT.VS.VSORRES.TEMP"].significant_digits) == ("float", 1)


def test_define_code_lists(define):
    lists = {c.oid: c for c in define.code_lists}
    sex = lists["CL.SEX"]
    assert [i.coded_value for i in sex.enumerated_items] == ["F", "M"]
    assert sex.aliases[0].name == "C66731"
    assert [(i.coded_value, i.decode[0].text) for i in lists["CL.VSTESTCD"].code_list_items] == [
        ("SYSBP", "Systolic Blood Pressure"),
        ("DIABP", "Diastolic Blood Pressure"),
        ("TEMP", "Temperature"),
    ]
    items = {i.oid: i for i in define.items}
    assert items["IT.DM.SEX"].code_list_oid == "CL.SEX"
    assert items["IT.AE.AESEV"].code_list_oid == "CL.AESEV"
