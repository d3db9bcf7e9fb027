"""`opencro analysis run`: one specification or a folder, ARD and rendered files written, errors located (exit 2).

The commands are invoked on `analysis.app` directly (the lead mounts it as `opencro analysis`). The data are a
tiny ADSL written as Dataset-JSON by the test; the pilot folder run is skipped when the pilot ADaM is absent.
"""

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from opencro.cli import analysis

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
PILOT_ADAM = ROOT / ".." / "shared" / "reference" / "cdiscpilot01" / "adam"

SPEC = {
    "id": "T-9",
    "titles": ["Table T-9", "Sex by arm"],
    "population": {"dataset": "ADSL", "label": "All"},
    "columns": {"variable": "ARM", "order": ["A", "B"], "total": "Total"},
    "rows": [{"type": "count", "label": "Sex", "variable": "SEX"}],
}


@pytest.fixture
def data(tmp_path) -> Path:
    from opencro.formats.datasetjson import DatasetJson, DatasetJsonColumn, write_dataset_json

    folder = tmp_path / "adam"
    folder.mkdir()
    frame = pd.DataFrame(
        {"USUBJID": ["1", "2", "3", "4", "5"], "ARM": ["A", "A", "B", "B", "B"], "SEX": ["M", "F", "F", "F", "M"]}
    )
    columns = [DatasetJsonColumn(f"IT.ADSL.{n}", n, n, "string", length=8) for n in frame.columns]
    dataset = DatasetJson(name="ADSL", label="Subject level", item_group_oid="IG.ADSL", columns=columns, data=frame)
    write_dataset_json(folder / "adsl.json", dataset)
    return folder


def _write(folder: Path, name: str, document: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_run_one_spec_writes_ard_and_formats(tmp_path, data):
    spec = _write(tmp_path / "specs", "t-9.yaml", SPEC)
    out = tmp_path / "out"
    result = runner.invoke(
        analysis.app, ["run", str(spec), "--data", str(data), "--out", str(out), "--format", "html,rtf"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["T-9.ard.csv", "T-9.ard.json", "T-9.html", "T-9.rtf"]
    ard = pd.read_csv(out / "T-9.ard.csv")
    # B: subjects 3, 4 (F) and 5 (M) -> F 2 of 3 = 67%
    row = ard[(ard["column"] == "B") & (ard["variable_level"] == "F") & (ard["stat_name"] == "n")]
    assert row["formatted"].iloc[0] == "2 ( 67%)"
    assert "T-9:" in result.output


def test_json_output(tmp_path, data):
    spec = _write(tmp_path / "specs", "t-9.yaml", SPEC)
    result = runner.invoke(
        analysis.app, ["run", str(spec), "--data", str(data), "--out", str(tmp_path / "o"), "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["errors"] == []
    assert [o["id"] for o in document["outputs"]] == ["T-9"]
    assert len(document["outputs"][0]["files"]) == 5  # ARD csv + json, rtf, pdf, html


def test_error_is_located_and_exits_2(tmp_path, data):
    bad = dict(SPEC, rows=[{"type": "summary", "label": "Age", "variable": "AGE"}])
    spec = _write(tmp_path / "specs", "bad.yaml", bad)
    result = runner.invoke(analysis.app, ["run", str(spec), "--data", str(data), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "bad.yaml: rows[0].variable: AGE not in ADSL" in result.output


def test_folder_reports_failures_and_writes_the_rest(tmp_path, data):
    folder = tmp_path / "specs"
    _write(folder, "a.yaml", SPEC)
    _write(folder, "b.yaml", dict(SPEC, id="T-10", population={"dataset": "ADXX"}))
    out = tmp_path / "o"
    result = runner.invoke(analysis.app, ["run", str(folder), "--data", str(data), "--out", str(out), "--json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert [o["id"] for o in document["outputs"]] == ["T-9"]
    assert document["errors"] == [f"ADXX: no adxx.xpt, adxx.json or adxx.ndjson in {data}"]


def test_bad_format_and_missing_path(tmp_path, data):
    spec = _write(tmp_path / "specs", "t-9.yaml", SPEC)
    result = runner.invoke(
        analysis.app, ["run", str(spec), "--data", str(data), "--out", str(tmp_path), "--format", "docx"]
    )
    assert result.exit_code == 2 and "--format: docx" in result.output
    result = runner.invoke(
        analysis.app, ["run", str(tmp_path / "none.yaml"), "--data", str(data), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "no such file or folder" in result.output


def test_pilot_folder(tmp_path):
    if not (PILOT_ADAM / "adsl.xpt").exists():
        pytest.skip("CDISC pilot ADaM not found: ../shared/reference/cdiscpilot01/adam (see its README)")
    specs = ROOT / "examples" / "cdiscpilot01" / "tables"
    out = tmp_path / "pilot"
    result = runner.invoke(analysis.app, ["run", str(specs), "--data", str(PILOT_ADAM), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert sorted(o["id"] for o in document["outputs"]) == [
        "14-1", "14-1.01", "14-1.02", "14-1.03", "14-2.01", "14-3.01", "14-3.02", "14-3.11", "14-3.13", "14-5.01",
    ]  # fmt: skip
    assert (out / "14-3.01.pdf").read_bytes().startswith(b"%PDF")
    print(f"\npilot folder via CLI: {document['seconds']:.2f} s")
