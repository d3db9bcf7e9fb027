"""Each conformance rule passes on the built study and fails, located, on a dataset broken on purpose."""

from __future__ import annotations

import pandas as pd
import pytest

from opencro.analysis.sdtm import build_study, check_domains
from tests.analysis.sdtm import study


@pytest.fixture(scope="module")
def built():
    return build_study(study.spec(), study.inputs())


def findings_of(domains, metadata, rule):
    return [f for f in check_domains(domains, metadata) if f.rule == rule]


def broken(built, name, change):
    domains = dict(built.domains)
    frame = domains[name].copy()
    frame.attrs = dict(built.domains[name].attrs)
    domains[name] = change(frame)
    return domains


def test_built_study_passes_every_rule(built):
    assert check_domains(built.domains, built.metadata) == []


def test_sd0001_required_variable_absent(built):
    domains = broken(built, "AE", lambda f: f.drop(columns=["AETERM"]))
    found = findings_of(domains, built.metadata, "SD0001")
    assert [(f.domain, f.variable) for f in found] == [("AE", "AETERM")]


def test_sd0002_required_variable_null_located(built):
    def change(frame):
        frame.loc[1, "AETERM"] = None
        return frame

    found = findings_of(broken(built, "AE", change), built.metadata, "SD0002")
    assert [(f.domain, f.variable, f.row, f.usubjid, f.seq) for f in found] == [("AE", "AETERM", 2, "OPC-301-001", 2.0)]


def test_sd0003_expected_variable_absent(built):
    found = findings_of(broken(built, "VS", lambda f: f.drop(columns=["VSORRESU"])), built.metadata, "SD0003")
    assert [(f.domain, f.variable) for f in found] == [("VS", "VSORRESU")]


def test_sd0004_iso8601_dates(built):
    def change(frame):
        frame.loc[0, "AESTDTC"] = "03/2026"
        return frame

    found = findings_of(broken(built, "AE", change), built.metadata, "SD0004")
    assert [(f.variable, f.row, f.seq) for f in found] == [("AESTDTC", 1, 1.0)]
    assert "'03/2026'" in found[0].message


def test_sd0005_duplicate_seq(built):
    def change(frame):
        frame.loc[1, "AESEQ"] = 1.0
        return frame

    found = findings_of(broken(built, "AE", change), built.metadata, "SD0005")
    assert [(f.domain, f.row, f.usubjid) for f in found] == [("AE", 2, "OPC-301-001")]


def test_sd0005_duplicate_trial_design_key(built):
    domains = broken(built, "TA", lambda f: pd.concat([f, f.iloc[[0]]], ignore_index=True))
    found = findings_of(domains, built.metadata, "SD0005")
    assert [(f.domain, f.row) for f in found] == [("TA", 5)]


@pytest.mark.parametrize(
    ("name", "variable", "value"),
    [
        ("DM", "SEX", "Female"),
        ("DM", "RACE", "Caucasian"),
        ("DM", "ETHNIC", "LATINO"),
        ("DM", "AGEU", "YRS"),
        ("AE", "AESEV", "GRADE 3"),
        ("AE", "AESER", "YES"),
        ("AE", "AEACN", "STOPPED"),
    ],
)
def test_sd0006_controlled_terms(built, name, variable, value):
    def change(frame):
        frame.loc[0, variable] = value
        return frame

    found = findings_of(broken(built, name, change), built.metadata, "SD0006")
    assert [(f.domain, f.variable, f.row) for f in found] == [(name, variable, 1)]
    assert repr(value) in found[0].message


def test_sd0006_outcome_and_extra_terms(built):
    def change(frame):
        frame["AEOUT"] = ["RECOVERED/RESOLVED", "RESOLVED"]
        return frame

    domains = broken(built, "AE", change)
    metadata = dict(built.metadata)
    found = [f for f in check_domains(domains, metadata) if f.rule == "SD0006"]
    assert [(f.variable, f.row) for f in found] == [("AEOUT", 2)]
    extended = check_domains(domains, metadata, extra_terms={"OUT": ("RESOLVED",)})
    assert not [f for f in extended if f.rule == "SD0006"]


def test_sd0007_sd0008_names_and_labels(built):
    def change(frame):
        frame["AENONSTANDARD"] = "x"
        frame.attrs = {**frame.attrs, "labels": {**frame.attrs["labels"], "AESEV": "S" * 41}}
        return frame

    found = check_domains(broken(built, "AE", change), built.metadata)
    assert [(f.rule, f.variable) for f in found if f.rule in ("SD0007", "SD0008")] == [
        ("SD0008", "AESEV"),
        ("SD0007", "AENONSTANDARD"),
    ]


def test_sd0009_character_value_longer_than_200(built):
    def change(frame):
        frame.loc[0, "AETERM"] = "x" * 201
        return frame

    found = findings_of(broken(built, "AE", change), built.metadata, "SD0009")
    assert [(f.variable, f.row) for f in found] == [("AETERM", 1)]


def test_sd0010_sd0011_study_days(built):
    def change(frame):
        frame.loc[1, "AESTDY"] = 0.0  # the day before RFSTDTC: -1, never 0
        frame.loc[0, "AEENDY"] = 10.0  # 2026-03-20 is day 11
        return frame

    found = check_domains(broken(built, "AE", change), built.metadata)
    assert [(f.rule, f.variable, f.row) for f in found if f.rule in ("SD0010", "SD0011")] == [
        ("SD0010", "AESTDY", 2),
        ("SD0011", "AEENDY", 1),
    ]


def test_sd0012_subject_not_in_dm(built):
    def change(frame):
        frame.loc[0, "USUBJID"] = "OPC-301-999"
        return frame

    found = findings_of(broken(built, "CM", change), built.metadata, "SD0012")
    assert [(f.domain, f.usubjid) for f in found] == [("CM", "OPC-301-999")]


def test_sd0013_supp_parent_missing(built):
    def change(frame):
        frame.loc[0, "IDVARVAL"] = "7"
        return frame

    found = findings_of(broken(built, "SUPPAE", change), built.metadata, "SD0013")
    assert [(f.domain, f.row, f.usubjid) for f in found] == [("SUPPAE", 1, "OPC-301-001")]
    found = findings_of(broken(built, "RELREC", change), built.metadata, "SD0013")
    assert [(f.domain, f.row) for f in found] == [("RELREC", 1)]


def test_limit_summarises_the_rest(built):
    def change(frame):
        frame["VSTESTCD"] = None
        return frame

    found = [f for f in check_domains(broken(built, "VS", change), built.metadata, limit=2) if f.rule == "SD0002"]
    assert [f.row for f in found] == [1, 2, None]
    assert found[-1].message == "10 more rows like the above are not listed"
    assert str(found[0]) == "SD0002 VS, VSTESTCD, row 1, USUBJID OPC-301-001, SEQ 1: the required variable is null"
