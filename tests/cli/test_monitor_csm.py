"""`opencro monitor csm`: the ranking written is the library's for the file read (planted sites first, with their
tests); --json prints the result; default variables are the numeric columns; bad cells are rejected with row, line
and column and nothing is written; bad options exit 2 naming the option. Invoked on `opencro.cli.main.app`."""

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.stats.test_monitoring_csm_planted import PLANTED, SEED, VARIABLES, study
from typer.testing import CliRunner

from opencro.cli.main import app
from opencro.stats.csm import CsmChunk, monitor_sites

runner = CliRunner()
BASE = ["monitor", "csm", "--site-col", "site"]


def _planted_csv(tmp_path: Path) -> Path:
    sites, values, dates = study(SEED)
    frame = pd.DataFrame(values, columns=VARIABLES)
    frame.insert(0, "site", sites)
    frame.insert(1, "subject", [f"P{i:05d}" for i in range(len(sites))])
    frame.insert(2, "arm", np.where(np.arange(len(sites)) % 2, "A", "B"))  # text: never a default variable
    frame["visit"] = dates[:, 0].astype(str)
    path = tmp_path / "records.csv"
    frame.to_csv(path, index=False)
    return path


def _run(*args: str, code: int = 0):
    result = runner.invoke(app, [*BASE, *args])
    assert result.exit_code == code, result.output
    return result


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_ranking_written_is_the_library_result_with_planted_sites_first(tmp_path):
    source, out = _planted_csv(tmp_path), tmp_path / "ranking.csv"
    args = ["--input", str(source), "--subject-col", "subject", "--date-col", "visit", "--out", str(out)]
    result = _run(*args, "--chunk-rows", "333")
    rows = _rows(out)
    assert list(rows[0]) == [
        "rank",
        "site",
        "score",
        "n_records",
        "n_subjects",
        "n_tests",
        "n_significant",
        "site_pvalue",
        "site_qvalue",
        "flagged",
        "top_tests",
    ]
    assert {row["site"] for row in rows[:4]} == set(PLANTED)
    assert all(row["flagged"] == "true" for row in rows[:4]) and all(row["flagged"] == "false" for row in rows[4:])
    by_site = {row["site"]: row for row in rows}
    assert by_site["S15"]["top_tests"].startswith("weekday visit: excess of Sunday")
    assert by_site["S11"]["top_tests"].startswith("duplicates: excess")
    assert by_site["S07"]["top_tests"].startswith("digits ")
    assert by_site["S03"]["n_significant"] == "7" and by_site["S03"]["n_subjects"] == "40"
    sites, values, dates = study(SEED)
    expected = monitor_sites(
        lambda: [CsmChunk(sites, values, dates=dates)], variables=VARIABLES, date_columns=("visit",)
    )
    assert [row["site"] for row in rows] == [s.site for s in expected.sites]
    for row, site in zip(rows, expected.sites, strict=True):
        assert float(row["score"]) == pytest.approx(site.score, rel=1e-5)
    assert "4 site(s) flagged at FDR 0.05" in " ".join(result.stdout.split())


def test_json_prints_the_whole_result(tmp_path):
    source, out = _planted_csv(tmp_path), tmp_path / "ranking.csv"
    result = _run("--input", str(source), "--date-col", "visit", "--out", str(out), "--json", "--fdr", "0.01")
    data = json.loads(result.stdout)
    assert data["fdr"] == 0.01 and data["n_sites"] == 40 and data["n_records"] == 1600
    assert data["variables"] == list(VARIABLES)  # subject and arm are not numeric
    assert data["sites"][0]["site"] in PLANTED and data["sites"][0]["top"][0]["pvalue"] > 0
    assert data["multivariate"] == {"n_complete": 1600, "rank": 5, "excluded": []}
    assert sorted(data["reference_excluded"]) == sorted(PLANTED)
    assert len(_rows(out)) == 40


def test_all_sites_reference_skips_the_second_round(tmp_path):
    source, out = _planted_csv(tmp_path), tmp_path / "ranking.csv"
    result = _run("--input", str(source), "--date-col", "visit", "--out", str(out), "--json", "--all-sites-reference")
    data = json.loads(result.stdout)
    assert data["reference_excluded"] == []
    sites, values, dates = study(SEED)
    expected = monitor_sites(
        lambda: [CsmChunk(sites, values, dates=dates)],
        variables=VARIABLES,
        date_columns=("visit",),
        clean_reference=False,
    )
    assert [s["score"] for s in data["sites"]] == pytest.approx([s.score for s in expected.sites], rel=1e-12)


def test_bad_cells_are_listed_with_row_line_and_column_and_nothing_is_written(tmp_path):
    source, out = _planted_csv(tmp_path), tmp_path / "ranking.csv"
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    frame.loc[699, "hb"] = "12,5"  # after the first block, which decides the default variables
    frame.loc[1200, "visit"] = "2025-02-30"
    frame.loc[1500, "site"] = ""
    frame.to_csv(source, index=False)
    result = _run("--input", str(source), "--date-col", "visit", "--out", str(out), "--chunk-rows", "500", code=1)
    errors = " ".join(result.stderr.split())
    assert "row 700 (line 701), column 'hb': '12,5' is not a number" in errors
    assert "row 1201 (line 1202), column 'visit': '2025-02-30' is not a date (YYYY-MM-DD)" in errors
    assert "row 1501 (line 1502), column 'site': '' is not a site" in errors
    assert "rejected with 3 bad cell(s); nothing was written" in errors
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--site-col", "centre"], "--site-col"),
        (["--date-col", "when"], "--date-col"),
        (["--variables", "sbp,weight"], "--variables"),
        (["--variables", "sbp,visit", "--date-col", "visit"], "--variables"),
        (["--fdr", "1.5"], "--fdr"),
        (["--top", "0"], "--top"),
    ],
)
def test_bad_options_exit_2_naming_the_option(tmp_path, args, option):
    source, out = _planted_csv(tmp_path), tmp_path / "ranking.csv"
    result = runner.invoke(
        app, ["monitor", "csm", "--site-col", "site", "--input", str(source), "--out", str(out), *args]
    )
    assert result.exit_code == 2, result.output
    assert f"{option}:" in result.stderr and not out.exists()


def test_output_must_be_csv(tmp_path):
    result = _run("--input", str(_planted_csv(tmp_path)), "--out", str(tmp_path / "ranking.txt"), code=2)
    assert "--out: ranking.txt must end in .csv" in result.stderr


def test_one_site_only_fails_with_a_message(tmp_path):
    source = tmp_path / "one.csv"
    source.write_text("site,x\nA,1.5\nA,2.5\nA,3.0\n")
    result = _run("--input", str(source), "--out", str(tmp_path / "r.csv"), code=1)
    assert "need at least two sites" in " ".join(result.stderr.split())


def test_a_ragged_line_fails_with_its_line_number(tmp_path):
    source = tmp_path / "ragged.csv"
    source.write_text("site,x\nA,1.5\nB,2.5\nA,3.0,7\n")
    for named in ([], ["--variables", "x"]):  # default variables read the first block; named ones the passes
        result = _run("--input", str(source), "--out", str(tmp_path / "r.csv"), *named, code=1)
        message = " ".join(result.stderr.split())
        assert "Expected 2 fields in line 4, saw 3" in message and "nothing was written" in message
        assert not (tmp_path / "r.csv").exists()


def test_missing_markers_are_missing_and_infinity_is_not_a_number(tmp_path):
    lines = ["site,x,y"] + [f"{'AB'[i % 2]},{i}.5,{i % 7}" for i in range(20)]
    lines[3] = "B,NA,1"
    lines[4] = "A,,N/A"
    source = tmp_path / "small.csv"
    source.write_text("\n".join(lines) + "\n")
    result = _run("--input", str(source), "--out", str(tmp_path / "r.csv"), "--json")
    assert json.loads(result.stdout)["variables"] == ["x", "y"]
    lines[5] = "B,inf,2"
    source.write_text("\n".join(lines) + "\n")
    result = _run("--input", str(source), "--out", str(tmp_path / "r.csv"), "--variables", "x,y", code=1)
    assert "row 5 (line 6), column 'x': 'inf' is not a number" in " ".join(result.stderr.split())
