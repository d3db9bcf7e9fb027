"""`opencro safety signals`: the file written is the library's table for the input read; FAERS extracts are read
with their versions and roles; bad options exit 2 naming the option, unreadable input exits 1 with located
problems and writes nothing. Commands are invoked on `safety.app` (mounted as `opencro safety`)."""

import json
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from tests.formats.faers.helpers import EXPECTED_SUSPECT, write_quarter
from typer.testing import CliRunner

from opencro.cli import safety
from opencro.formats.faers import read_faers, read_report_table
from opencro.stats.signals import COLUMNS, detect_signals

runner = CliRunner()
CAERS = Path("/work/shared/reference/signals/caers.csv")

# Ten reports worked by hand: A-X in reports 1-3, A-Y in 4, B-X in 5, B-Y in 6-10.
# For (A, X): a = 3, n_A = 4, n_X = 4, N = 10, so b = 1, c = 1, d = 5;
# expected = n_A n_X / N = 1.6; PRR = (a/(a+b)) / (c/(c+d)) = (3/4)/(1/6) = 4.5; ROR = ad/(bc) = 15.
ROWS = [(1, "A", "X"), (2, "A", "X"), (3, "A", "X"), (4, "A", "Y"), (5, "B", "X")]
ROWS += [(r, "B", "Y") for r in range(6, 11)]
SEX = {r: "F" if r in {1, 2, 3, 5} else "M" for r in range(1, 11)}  # a stratum that changes E
ARGS = ["--report-col", "case", "--product-col", "drug", "--event-col", "ae"]


def _input(tmp_path: Path) -> Path:
    path = tmp_path / "reports.csv"
    lines = ["case,drug,ae,sex", *(f"{r},{p},{e},{SEX[r]}" for r, p, e in ROWS)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(*args: str, code: int = 0):
    result = runner.invoke(safety.app, ["signals", *args])
    assert result.exit_code == code, result.output
    return result


def _fails(*args: str, code: int = 2) -> str:
    result = _run(*args, code=code)
    assert result.stdout == ""
    return " ".join(result.stderr.split())  # rich wraps long messages


def test_csv_in_csv_out_is_the_library_table(tmp_path):
    source, out = _input(tmp_path), tmp_path / "signals.csv"
    result = _run("--input", str(source), *ARGS, "--out", str(out))
    written = pd.read_csv(out)
    assert list(written.columns) == list(COLUMNS)
    expected = detect_signals(read_report_table(source, report_col="case", product_col="drug", event_col="ae"))
    pd.testing.assert_frame_equal(written, expected.table.reset_index(drop=True), check_dtype=False)
    ax = written.set_index(["product", "event"]).loc[("A", "X")]
    assert ax["n"] == 3 and ax["expected"] == pytest.approx(1.6)
    assert ax["prr"] == pytest.approx(4.5) and ax["ror"] == pytest.approx(15.0)
    assert "10 reports, 4 product-event pairs" in result.stdout and "Top 4 pairs by EB05" in result.stdout


def test_parquet_out_strata_and_min_count(tmp_path):
    source, out = _input(tmp_path), tmp_path / "signals.parquet"
    _run("--input", str(source), *ARGS, "--strata-col", "sex", "--min-count", "2", "--out", str(out))
    written = pd.read_parquet(out)
    frame = read_report_table(source, report_col="case", product_col="drug", event_col="ae", strata_col="sex")
    library = detect_signals(frame, strata_col="stratum", min_count=2).table.reset_index(drop=True)
    pd.testing.assert_frame_equal(written, library, check_dtype=False)
    # n >= 2 keeps A-X (3) and B-Y (5). Stratified E = sum over sex of n_i,s n_j,s / N_s (unstratified 1.6 and 3.6):
    # A-X: F (reports 1,2,3,5) 3 * 4 / 4 = 3.0, M (4,6-10) 1 * 0 / 6 = 0 -> 3.0;
    # B-Y: F 1 * 0 / 4 = 0, M 5 * 6 / 6 = 5.0 -> 5.0.
    assert list(zip(written["product"], written["event"], written["n"], strict=True)) == [("A", "X", 3), ("B", "Y", 5)]
    assert list(written["expected"]) == pytest.approx([3.0, 5.0])


def test_json_prior_and_counts(tmp_path):
    out = tmp_path / "s.csv"
    result = _run("--input", str(_input(tmp_path)), *ARGS, "--min-count", "2", "--out", str(out), "--json")
    summary = json.loads(result.stdout)
    assert set(summary["prior"]) >= {"alpha1", "beta1", "alpha2", "beta2", "p", "loglik", "converged"}
    assert (summary["reports"], summary["pairs"], summary["rows"]) == (10, 4, 2)
    assert summary["out"] == str(out) and summary["format"] == "csv" and summary["faers"] is None
    assert len(pd.read_csv(out)) == 2


def test_faers_suspects_by_default_and_roles(tmp_path):
    quarter, out = write_quarter(tmp_path / "q"), tmp_path / "faers.csv"
    summary = json.loads(_run("--faers", str(quarter), "--out", str(out), "--json").stdout)
    written = pd.read_csv(out)
    pairs = {(p, e) for _, p, e in EXPECTED_SUSPECT}
    assert set(zip(written["product"], written["event"], strict=True)) == pairs
    assert summary["reports"] == 3 and summary["faers"]["superseded"] == 1
    library = detect_signals(read_faers(quarter).table).table.reset_index(drop=True)
    pd.testing.assert_frame_equal(written, library, check_dtype=False)
    _run("--faers", str(quarter), "--roles", "PS,SS,C", "--out", str(out), "--force")
    assert "OMEPRAZOLE" in set(pd.read_csv(out)["product"])


def test_faers_several_sources_prod_ai_and_sex_strata(tmp_path):
    q1 = write_quarter(tmp_path / "q1")
    q2 = write_quarter(tmp_path / "q2", tag="24Q2")
    out = tmp_path / "faers.parquet"
    args = ["--faers", str(q1), "--faers", str(q2), "--prod-ai", "--strata-col", "sex", "--out", str(out), "--json"]
    summary = json.loads(_run(*args).stdout)
    assert summary["faers"]["quarters"] == ["2024Q1", "2024Q2"] and summary["faers"]["product_field"] == "prod_ai"
    assert summary["reports"] == 3  # the same cases in both quarters count once
    assert "WARFARIN SODIUM" in set(pd.read_parquet(out)["product"])


def test_option_errors(tmp_path):
    source, out = str(_input(tmp_path)), str(tmp_path / "s.csv")
    quarter = str(write_quarter(tmp_path / "q"))
    assert "--input/--faers" in _fails("--out", out)
    assert "--input/--faers" in _fails("--input", source, "--faers", quarter, "--out", out)
    assert "--out" in _fails("--input", source, *ARGS, "--out", str(tmp_path / "s.xlsx"))
    assert "--roles: XX is not a role code" in _fails("--faers", quarter, "--roles", "PS,XX", "--out", out)
    assert "--report-col: applies to --input" in _fails("--faers", quarter, "--report-col", "id", "--out", out)
    assert "--prod-ai: applies to --faers only" in _fails("--input", source, "--prod-ai", "--out", out)
    _run("--input", source, *ARGS, "--out", out)
    assert "--force" in _fails("--input", source, *ARGS, "--out", out)
    assert not (tmp_path / "s.xlsx").exists()


def test_unreadable_input_lists_problems_and_writes_nothing(tmp_path):
    source, out = _input(tmp_path), tmp_path / "s.csv"
    message = _fails("--input", str(source), "--report-col", "id", "--out", str(out), code=1)
    assert (
        "reports.csv line 1: no column 'id'" in message and "3 problem(s); nothing was written" in message
    )  # id, product, event
    (tmp_path / "bad.csv").write_text("report,product,event\n1,A,X\n2,A\n")
    message = _fails("--input", str(tmp_path / "bad.csv"), "--out", str(out), code=1)
    assert "bad.csv line 3: has 2 fields, the header has 3" in message
    quarter = write_quarter(tmp_path / "q")
    (quarter / "ASCII" / "REAC24Q1.txt").write_text("primaryid$caseid$term\n1001$100$Rash\n")
    assert "REAC24Q1.txt line 1: no column 'pt'" in _fails("--faers", str(quarter), "--out", str(out), code=1)
    assert not out.exists()


def test_caers_reference_data(tmp_path):
    if not CAERS.is_file():
        pytest.skip(f"CAERS reference data not present: {CAERS}")
    out = tmp_path / "caers.parquet"
    args = ["--input", str(CAERS), "--report-col", "id", "--product-col", "var1", "--event-col", "var2"]
    summary = json.loads(_run(*args, "--min-count", "2", "--out", str(out), "--json").stdout)
    # /work/shared/reference/README.md: 20,156 product-event rows from 3,356 reports.
    assert summary["reports"] == 3356 and isinstance(summary["prior"]["converged"], bool)
    written = pd.read_parquet(out)
    assert len(written) == summary["rows"] and (written["n"] >= 2).all()
    frame = read_report_table(CAERS, report_col="id", product_col="var1", event_col="var2")
    assert len(written) == int((frame.groupby(["product", "event"])["report"].nunique() >= 2).sum())


def test_progress_is_reported_while_reading_and_computing(tmp_path, monkeypatch):
    seen: list[tuple[str, float]] = []

    class Recorder:
        progress = None

        def callback(self, prefix: str = ""):
            return lambda text, fraction: seen.append((prefix + text, fraction))

    @contextmanager
    def recording():
        yield Recorder()

    monkeypatch.setattr(safety, "_bar", recording)
    _run("--faers", str(write_quarter(tmp_path / "q")), "--out", str(tmp_path / "s.csv"))
    stages = [text for text, _ in seen]
    assert stages[0] == "Reading DEMO24Q1.txt" and "Reading REAC24Q1.txt" in stages
    assert any(text.startswith("Computing: ") for text in stages)
    assert all(0.0 <= fraction <= 1.0 for _, fraction in seen)
