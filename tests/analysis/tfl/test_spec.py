"""Loading output specifications: a valid one parses; every error names the file and the place in it."""

from pathlib import Path

import pytest

from opencro.analysis.tfl import SpecError, load_spec, parse_spec
from opencro.analysis.tfl.spec import CountBlock, MmrmBlock, ModelBlock, SummaryBlock

PILOT = Path(__file__).resolve().parents[3] / "examples" / "cdiscpilot01" / "tables"

BASE = {
    "id": "T-1",
    "titles": ["Table T-1"],
    "population": {"dataset": "adsl", "filter": "[SAFFL] = 'Y'"},
    "columns": {"variable": "TRT01P"},
    "rows": [{"type": "count", "variable": "SEX"}],
}


def _with(**changes):
    document = dict(BASE.items())
    document.update(changes)
    return document


def _error(document) -> str:
    with pytest.raises(SpecError) as info:
        parse_spec(document, source="t.yaml")
    return str(info.value)


def test_minimal_spec_parses_with_defaults():
    spec = parse_spec(_with(), source="t.yaml")
    assert spec.id == "T-1"
    assert spec.kind == "table"
    assert spec.population.dataset == "ADSL"  # upper-cased
    block = spec.rows[0]
    assert isinstance(block, CountBlock)
    assert (block.variable, block.denominator, block.pct_decimals, block.where) == ("SEX", "population", 0, "rows[0]")


def test_every_pilot_spec_loads():
    names = sorted(p.name for p in PILOT.glob("*.yaml"))
    assert names == [
        "14-1.01.yaml", "14-1.02.yaml", "14-1.03.yaml", "14-1.yaml", "14-2.01.yaml", "14-3.01.yaml", "14-3.02.yaml",
        "14-3.11.yaml", "14-3.13.yaml", "14-5.01.yaml",
    ]  # fmt: skip
    specs = {p.stem: load_spec(p) for p in PILOT.glob("*.yaml")}
    assert isinstance(specs["14-3.01"].rows[-1], ModelBlock)
    assert isinstance(specs["14-3.11"].rows[0], MmrmBlock)
    assert specs["14-3.11"].rows[0].df == "kenward-roger"
    assert isinstance(specs["14-2.01"].rows[0], SummaryBlock)
    assert specs["14-1"].figure.kind == "km"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (_with(rows=[{"type": "count", "variable": "SEX", "colour": 1}]), "t.yaml: rows[0].colour: unknown key"),
        (_with(rows=[{"type": "count"}]), "t.yaml: rows[0]: a count block needs a variable or conditions"),
        (
            _with(rows=[{"type": "pie"}]),
            "t.yaml: rows[0].type: 'pie' is not one of: count, summary, model, mmrm, cox, test",
        ),
        (_with(rows=[{"type": "summary"}]), "t.yaml: rows[0].variable: is required"),
        (
            _with(rows=[{"type": "count", "variable": "SEX", "filter": "[A] = = 'Y'"}]),
            "t.yaml: rows[0].filter: not a valid expression",
        ),
        (
            _with(rows=[{"type": "summary", "variable": "AGE", "stats": [["Mean", "{average}"]]}]),
            "t.yaml: rows[0].stats[0]: unknown statistic {average}",
        ),
        (
            _with(rows=[{"type": "summary", "variable": "AGE", "decimals": {"mean": "two"}}]),
            'rows[0].decimals.mean: expected a number of decimals (0-8) or "+k"',
        ),
        (
            _with(rows=[{"type": "count", "variable": "SEX", "test": {"method": "t-test"}}]),
            "t.yaml: rows[0].test.method: 't-test' is not one of",
        ),
        (_with(rows=[]), "t.yaml: rows: a table needs a non-empty list of row blocks"),
        (_with(titles=[]), "t.yaml: titles: at least one title line is required"),
        ({k: v for k, v in BASE.items() if k != "population"}, "t.yaml: population: is required"),
        (_with(columns={"order": ["A"]}), "t.yaml: columns.variable: is required"),
        (_with(type="figure", figure={"kind": "km", "dataset": "ADTTE"}), "figure: a Kaplan-Meier figure needs"),
        (["not", "a", "mapping"], "t.yaml: expected a mapping, found list"),
        (
            _with(rows=[{"type": "model", "response": "CHG", "alpha": 2}]),
            "t.yaml: rows[0].alpha: must lie between 0 and 1",
        ),
    ],
)
def test_errors_are_located(document, expected):
    assert expected in _error(document)


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: T-1\ntitles: [unclosed\n", encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert str(info.value).startswith("broken.yaml: line ")
    assert "not valid YAML" in str(info.value)


def test_missing_file_is_a_spec_error(tmp_path):
    with pytest.raises(SpecError, match=r"nothere\.yaml: cannot read"):
        load_spec(tmp_path / "nothere.yaml")
