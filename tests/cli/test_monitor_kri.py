"""`opencro monitor kri`: the CSV written is the library's result for the file read; bad options exit 2 naming the
option, bad input rows exit 1 naming row and column; on gsm's example data the output matches gsm 2.2.3
(tests/reference/gsm/kri_oracle.json; skipped without ../shared/reference/monitoring/gsm)."""

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from opencro.cli.main import app
from opencro.stats.monitoring import kri_analyse

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
GSM_DATA = ROOT.parent / "shared" / "reference" / "monitoring" / "gsm"
ORACLE = json.loads((ROOT / "tests" / "reference" / "gsm" / "kri_oracle.json").read_text())
COLS = ["--group-col", "site", "--numerator-col", "events", "--denominator-col", "days"]
# Three groups: A 2/10, B 4/10, C 6/20 (p = 0.3; adjusted z = -sqrt(6)/2, +sqrt(6)/2, 0), Z with 0 days (left out)
ROWS = [("A", 1, 4), ("A", 1, 6), ("B", 4, 10), ("C", 6, 20), ("Z", 0, 0)]


def _input(tmp_path: Path, rows=ROWS, header="subject,site,events,days") -> Path:
    path = tmp_path / "subjects.csv"
    lines = [header, *(f"S{i},{g},{n},{d}" for i, (g, n, d) in enumerate(rows, 1))]
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(*args: str, code: int = 0):
    result = runner.invoke(app, ["monitor", "kri", *args])
    assert result.exit_code == code, result.output
    return result


def _fails(*args: str, code: int) -> str:
    result = _run(*args, code=code)
    assert result.stdout == ""
    return " ".join(result.stderr.split())  # rich wraps long messages


def test_csv_out_is_the_library_result(tmp_path):
    source, out = _input(tmp_path), tmp_path / "kri.csv"
    result = _run("--input", str(source), *COLS, "--thresholds", "-1.2,-1,1,1.2", "--out", str(out))
    written = pd.read_csv(out, keep_default_na=True)
    assert list(written.columns) == ["group", "numerator", "denominator", "metric", "score", "flag", "n_subjects"]
    assert written.group.tolist() == ["A", "B", "C"] and written.n_subjects.tolist() == [2, 1, 1]
    assert written.numerator.tolist() == [2, 4, 6] and written.denominator.tolist() == [10, 10, 20]
    assert written.score.tolist() == pytest.approx([-(6**0.5) / 2, 6**0.5 / 2, 0.0], abs=1e-13)
    assert written.flag.tolist() == [-2, 2, 0]
    expected = kri_analyse(["A", "A", "B", "C", "Z"], [1, 1, 4, 6, 0], [4, 6, 10, 20, 0], thresholds=(-1.2, -1, 1, 1.2))
    assert written.score.tolist() == [g.score for g in expected.groups]  # repr round-trips exactly
    assert "5 subjects in 3 groups" in result.stdout and "Left out (denominator 0): Z" in result.stdout


def test_json_summary_and_min_denominator(tmp_path):
    source, out = _input(tmp_path), tmp_path / "kri.csv"
    result = _run(
        "--input", str(source), *COLS, "--type", "binary", "--thresholds", "-1,1", "--min-denominator", "15",
        "--out", str(out), "--json",
    )  # fmt: skip
    summary = json.loads(result.stdout)
    assert summary["flag_counts"] == {"-1": 0, "0": 1, "1": 0, "none": 2}
    assert summary["dispersion"] == pytest.approx(20 / 63, rel=1e-13) and summary["dropped"] == ["Z"]
    assert summary["flagged"] == [] and summary["subjects"] == 5 and summary["groups"] == 3
    written = pd.read_csv(out)
    assert written.score.isna().tolist() == [True, True, False] and written.flag.isna().tolist() == [True, True, False]


def test_fisher_and_poisson_options(tmp_path):
    source, out = _input(tmp_path), tmp_path / "kri.csv"
    fisher = json.loads(
        _run("--input", str(source), *COLS, "--method", "fisher", "--thresholds", "0.01,0.05", "--out", str(out),
             "--json").stdout
    )  # fmt: skip
    assert fisher["method"] == "fisher" and fisher["flags"] == [-2, -1, 0, 1, 2]
    poisson = json.loads(
        _run("--input", str(source), *COLS, "--method", "poisson", "--poisson-exposure", "covariate",
             "--thresholds", "-2,2", "--out", str(out), "--json").stdout
    )  # fmt: skip
    expected = kri_analyse([g for g, _, _ in ROWS], [n for _, n, _ in ROWS], [d for _, _, d in ROWS],
                           method="poisson", thresholds=(-2, 2), poisson_exposure="covariate")  # fmt: skip
    assert poisson["coefficients"] == list(expected.coefficients)
    assert pd.read_csv(out).score.tolist() == [g.score for g in expected.groups]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "bayes"], "--method: must be one of normal, poisson, fisher, identity"),
        (["--type", "count"], "--type: must be binary or rate"),
        (["--thresholds", "3,2"], "--thresholds: must strictly increase; 2 follows 3"),
        (["--thresholds", "-3,x,2,3"], "--thresholds: 'x' is not a number"),
        (["--thresholds", "-3,-2,2"], "give 4 flags for 3 thresholds"),
        (["--method", "fisher"], "--thresholds: fisher takes two p-value thresholds"),
        (["--min-denominator", "-1"], "--min-denominator: must be a number >= 0"),
        (["--poisson-exposure", "slope"], "--poisson-exposure: must be offset or covariate"),
    ],
)
def test_bad_options_exit_2(tmp_path, args, message):
    out = tmp_path / "kri.csv"
    assert message in _fails("--input", str(_input(tmp_path)), *COLS, *args, "--out", str(out), code=2)
    assert not out.exists()


def test_missing_column_exits_2_naming_it(tmp_path):
    source = _input(tmp_path, header="subject,site,events,exposure")
    message = _fails("--input", str(source), *COLS, "--out", str(tmp_path / "kri.csv"), code=2)
    assert "--denominator-col: no column 'days'" in message and "columns: subject, site, events, exposure" in message


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("A", 1, 4), ("B", "x", 6)], "row 2 (line 3), column 'events': 'x' is not a number >= 0"),
        ([("A", 1, 4), ("B", 1, -6)], "row 2 (line 3), column 'days': '-6' is not a number >= 0"),
        ([("A", 1, ""), ("B", 1, 6)], "row 1 (line 2), column 'days': '' is not a number >= 0"),
        ([("A", 1, 4), ("", 1, 6)], "row 2 (line 3), column 'site': no group"),
        ([("A", 0, 0)], "every group's denominator is 0"),
        ([], "no subject rows"),
    ],
)
def test_bad_rows_exit_1_naming_row_and_column(tmp_path, rows, message):
    source, out = _input(tmp_path, rows=rows), tmp_path / "kri.csv"
    assert message in _fails("--input", str(source), *COLS, "--out", str(out), code=1)
    assert not out.exists()


def test_unreadable_input_exits_1(tmp_path):
    message = _fails("--input", str(tmp_path / "absent.csv"), *COLS, "--out", str(tmp_path / "o.csv"), code=1)
    assert "cannot read" in message and "absent.csv" in message


@pytest.mark.parametrize("name", ["analyticsInput", "analyticsInput_country"])
@pytest.mark.parametrize("kri_id", ["kri0001", "kri0005", "kri0006", "poisson", "fisher"])
def test_gsm_example_data_matches_gsm(tmp_path, name, kri_id):
    source = GSM_DATA / f"{name}.csv"
    if not source.exists():
        pytest.skip("reference data ../shared/reference/monitoring/gsm not present")
    metric = next(m for m in ORACLE["datasets"][name]["metrics"] if m["id"] == kri_id)
    out = tmp_path / "kri.csv"
    args = ["--group-col", "GroupID", "--numerator-col", "Numerator", "--denominator-col", "Denominator"]
    args += ["--method", metric["method"], "--type", metric["type"]]
    args += ["--thresholds", ",".join(str(t) for t in metric["thresholds"])]
    args += ["--min-denominator", str(metric["min_denominator"])]
    _run("--input", str(source), *args, "--out", str(out), "--json")
    written = pd.read_csv(out, dtype={"group": str})
    expected = pd.DataFrame(metric["groups"])
    assert written.group.tolist() == expected.group.tolist()
    for column in ("numerator", "denominator", "metric", "score"):
        assert written[column].tolist() == pytest.approx(expected[column].astype(float).tolist(), rel=1e-9, nan_ok=True)
    assert written.flag.fillna(-9).astype(int).tolist() == expected.flag.fillna(-9).astype(int).tolist()
