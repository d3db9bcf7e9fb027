"""Loading specifications: every error names the file, the dataset, the variable and the parameter."""

from pathlib import Path

import pytest

from opencro.analysis.adam import KINDS, SpecError, load_spec, spec_from_mapping
from opencro.core.logic import Compare

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "cdiscpilot01" / "adam"


def _spec(variables, **top):
    data = {
        "dataset": "ADSL",
        "label": "Subject-Level Analysis Dataset",
        "keys": ["USUBJID"],
        "base": {"source": "DM"},
        "variables": [
            {"name": "USUBJID", "label": "Subject", "type": "text", "derivation": {"kind": "copy"}},
            *variables,
        ],
        **top,
    }
    return spec_from_mapping(data, origin="adsl.yaml")


def _var(name="AGEGR1", type_="text", **derivation):
    return {"name": name, "label": "A label", "type": type_, "derivation": derivation}


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        (
            _var(kind="categorize", variable="AGE", cuts=[65, 65], labels=["a", "b", "c"]),
            "adsl.yaml: dataset ADSL: variable AGEGR1: categorize: cut points must increase",
        ),
        (
            _var(kind="categorize", variable="AGE", cuts=[65], labels=["a", "b", "c"]),
            "variable AGEGR1: categorize: labels: 2 labels are needed for 1 cut points, not 3",
        ),
        (_var(kind="bin"), "variable AGEGR1: derivation: unknown kind 'bin'"),
        (_var(kind="map", variable="AGE"), "variable AGEGR1: map: parameter values is required"),
        (
            _var(kind="map", variable="AGE", values={1: "a"}, colour="red"),
            "variable AGEGR1: map: unknown parameter colour",
        ),
        (_var(kind="flag", condition="[AGE] >= "), "variable AGEGR1: flag: condition: unexpected end of expression"),
        (
            _var(kind="flag", condition="__import__('os')"),
            "variable AGEGR1: flag: condition: unknown function '__import__'",
        ),
        (_var(kind="copy", variable="age"), "variable AGEGR1: copy: variable: a name of capitals"),
        (_var(kind="date", variable="AESTDTC", impute_day="middle"), "date: impute_day: one of none, first, last"),
        (_var(kind="aggregate", source="QS", function="sum"), "aggregate: parameter value is required for sum"),
        (_var(kind="companion", of="NOPE", role="flag"), "companion: of: NOPE must be declared before this variable"),
        (_var(kind="companion", of="USUBJID", role="flag"), "companion: role: copy of USUBJID has no output 'flag'"),
        (_var(type_="char", kind="copy"), "variable AGEGR1: type: one of text, integer, float, date is required"),
        ({**_var(kind="copy"), "digits": 1}, "variable AGEGR1: digits: only a float variable is rounded"),
        ({**_var(kind="copy"), "label": "x" * 41}, "variable AGEGR1: label: at most 40 characters"),
        ({**_var(kind="copy"), "colour": 1}, "variable AGEGR1: unknown entry colour"),
        ({"label": "x", "type": "text"}, "variable 2: name: a name of capitals"),
        (
            _var(kind="time_to_event", events=[{"source": "ADAE", "date": "ASTDT"}], censors=[{"source": "ADSL"}]),
            "variable AGEGR1: time_to_event: events 1: description is required",
        ),
        (
            _var(
                kind="analysis_visit",
                day="ADY",
                by=["USUBJID"],
                windows=[
                    {"visit": "Week 2", "number": 2, "low": 2, "high": 20, "target": 14},
                    {"visit": "Week 4", "number": 4, "low": 20, "high": 40, "target": 28},
                ],
            ),
            "analysis_visit: windows 'Week 2' and 'Week 4' overlap",
        ),
        (
            _var(
                kind="analysis_visit",
                day="ADY",
                by=["USUBJID"],
                windows=[{"visit": "W", "number": 2, "low": 9, "high": 3, "target": 5}],
            ),
            "analysis_visit: windows 1: low 9 is above high 3",
        ),
        (
            _var(kind="analysis_visit", day="ADY", by=["USUBJID"], windows=[{"visit": "W", "number": 2, "target": 5}]),
            "analysis_visit: windows 1: low or high is required",
        ),
    ],
)
def test_errors_are_located(variable, message):
    with pytest.raises(SpecError) as caught:
        _spec([variable])
    assert message in str(caught.value)
    assert str(caught.value).startswith("adsl.yaml: dataset ADSL: ")


def test_dataset_level_errors():
    with pytest.raises(SpecError, match=r"adsl.yaml: dataset ADSL: key SUBJID is not a kept variable"):
        _spec([], keys=["SUBJID"])
    with pytest.raises(SpecError, match="variable USUBJID: declared twice"):
        _spec([_var(name="USUBJID", kind="copy")])
    with pytest.raises(SpecError, match=r"adsl.yaml: dataset ADSL: base: filter: unexpected"):
        _spec([], base={"source": "DM", "filter": "[ARMCD] <>"})
    with pytest.raises(SpecError, match=r"adsl.yaml: unknown entry colour"):
        _spec([], colour="red")
    with pytest.raises(SpecError, match=r"adsl.yaml: dataset: a name"):
        spec_from_mapping({"dataset": "adsl"}, origin="adsl.yaml")


def test_yaml_errors_name_the_file_and_line(tmp_path):
    path = tmp_path / "adae.yaml"
    path.write_text("dataset: ADAE\nlabel: [unclosed\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"adae.yaml: line \d+: not valid YAML"):
        load_spec(path)
    with pytest.raises(SpecError, match=r"missing.yaml: cannot read"):
        load_spec(tmp_path / "missing.yaml")


def test_expressions_are_parsed_at_load():
    spec = _spec([_var(name="OLDFL", kind="flag", condition="[AGE] >= 65")])
    assert isinstance(spec.variable("OLDFL").derivation.get("condition"), Compare)


@pytest.mark.parametrize("name", ["adsl", "adae", "adtte", "adqsadas", "adqscibc"])
def test_the_pilot_specs_load(name):
    spec = load_spec(EXAMPLES / f"{name}.yaml")
    assert spec.name == name.upper()
    assert all(v.derivation.kind in KINDS for v in spec.variables)
    assert all(len(v.label) <= 40 for v in spec.variables)
