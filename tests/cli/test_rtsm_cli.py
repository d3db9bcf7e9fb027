"""`opencro rtsm`: generate-list writes the library's list byte for byte, check-list finds every problem, bad
options exit 2 naming the option. Commands are invoked on `rtsm.app` (the lead mounts it as `opencro rtsm`)."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opencro.cli import rtsm
from opencro.stats.randomization import list_to_csv, permuted_block_list, read_list_csv

runner = CliRunner()
STRATA = ["--strata", "site=01,02,03", "--strata", "sex=F,M"]
FACTORS = {"site": ["01", "02", "03"], "sex": ["F", "M"]}


def _generate(path: Path, *extra: str, seed: str = "42") -> str:
    args = ["generate-list", "--arms", "A,B", "--block-sizes", "4,6", *STRATA, "--n", "20", "--seed", seed]
    result = runner.invoke(rtsm.app, [*args, "--out", str(path), *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def _fails(*args: str, code: int = 2) -> str:
    result = runner.invoke(rtsm.app, list(args))
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    return " ".join(result.stderr.split())  # rich wraps long messages


def test_generate_writes_the_library_list(tmp_path):
    path = tmp_path / "list.csv"
    stdout = _generate(path)
    expected = permuted_block_list(["A", "B"], block_sizes=[4, 6], n_per_stratum=20, factors=FACTORS, seed=42)
    assert path.read_text() == list_to_csv(expected)
    assert path.read_text().splitlines()[0] == "stratum,block,sequence,arm"
    assert "01|F" in stdout and "Total" in stdout and hashlib.sha256(path.read_bytes()).hexdigest() in stdout


def test_same_seed_gives_a_byte_identical_file(tmp_path):
    _generate(tmp_path / "a.csv")
    _generate(tmp_path / "b.csv")
    _generate(tmp_path / "c.csv", seed="43")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "c.csv").read_bytes()


def test_json_summary(tmp_path):
    path = tmp_path / "list.csv"
    args = ["--ratio", "2,1,1", "--block-sizes", "4,8", "--strata", "sex=F,M", "--n", "10", "--seed", "5"]
    result = runner.invoke(rtsm.app, ["generate-list", "--arms", "P,L,H", *args, "--out", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert summary["file"] == str(path)
    assert summary["n_strata"] == 2 and [s["stratum"] for s in summary["strata"]] == ["F", "M"]
    rows = path.read_text().splitlines()[1:]
    for entry in summary["strata"]:
        mine = [row.split(",") for row in rows if row.split(",")[0] == entry["stratum"]]
        assert entry["slots"] == len(mine) >= 10
        assert entry["arm_counts"] == {arm: sum(r[3] == arm for r in mine) for arm in ("P", "L", "H")}
        # 2:1:1 in whole blocks: P is half of every stratum.
        assert entry["arm_counts"]["P"] == entry["slots"] // 2
    assert summary["arm_counts"] == {arm: sum(s["arm_counts"][arm] for s in summary["strata"]) for arm in "PLH"}
    assert summary["seed"] == 5 and summary["ratio"] == [2, 1, 1] and summary["block_sizes"] == [4, 8]


def test_refuses_to_overwrite_without_force(tmp_path):
    path = tmp_path / "list.csv"
    _generate(path)
    args = ["generate-list", "--arms", "A,B", "--block-sizes", "4", "--n", "4", "--seed", "1", "--out", str(path)]
    assert "--out" in _fails(*args) and "--force" in _fails(*args)
    result = runner.invoke(rtsm.app, [*args, "--force"])
    assert result.exit_code == 0, result.output
    assert len(path.read_text().splitlines()) == 5


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--arms", "A", "--block-sizes", "4"], "--arms"),
        (["--arms", "A,,B", "--block-sizes", "4"], "--arms"),
        (["--arms", "A,B", "--block-sizes", "5"], "--block-sizes"),
        (["--arms", "A,B", "--block-sizes", "four"], "--block-sizes"),
        (["--arms", "A,B", "--ratio", "2,1", "--block-sizes", "4"], "--block-sizes"),
        (["--arms", "A,B", "--ratio", "1,0", "--block-sizes", "4"], "--ratio"),
        (["--arms", "A,B", "--ratio", "1,-1", "--block-sizes", "4"], "--ratio"),
        (["--arms", "A,B", "--ratio", "1.5,1", "--block-sizes", "4"], "--ratio"),
        (["--arms", "A,B", "--block-sizes", "4", "--strata", "site"], "--strata"),
        (["--arms", "A,B", "--block-sizes", "4", "--strata", "site=01", "--strata", "site=02"], "--strata"),
        (["--arms", "A,B", "--block-sizes", "4", "--strata", "site=01,01"], "--strata"),
        (["--arms", "A,B", "--block-sizes", "4", "--strata", "site=a|b"], "--strata"),
    ],
)
def test_bad_options_exit_2_naming_the_option(tmp_path, args, option):
    stderr = _fails("generate-list", *args, "--n", "8", "--seed", "1", "--out", str(tmp_path / "x.csv"))
    assert f"{option}:" in stderr
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(("n", "seed", "option"), [("0", "1", "--n"), ("8", "-1", "--seed")])
def test_bad_numbers_exit_2(tmp_path, n, seed, option):
    args = ["--arms", "A,B", "--block-sizes", "4", "--n", n, "--seed", seed, "--out", str(tmp_path / "x.csv")]
    assert f"{option}:" in _fails("generate-list", *args)


def test_unwritable_out_exits_2(tmp_path):
    args = ["--arms", "A,B", "--block-sizes", "4", "--n", "4", "--seed", "1"]
    assert "--out: cannot write" in _fails("generate-list", *args, "--out", str(tmp_path / "no" / "x.csv"))


def test_check_list_accepts_a_generated_list(tmp_path):
    path = tmp_path / "list.csv"
    _generate(path)
    result = runner.invoke(rtsm.app, ["check-list", str(path), "--arms", "A,B", *STRATA, "--block-sizes", "4,6"])
    assert result.exit_code == 0, result.output
    assert "a valid list" in result.stdout
    result = runner.invoke(rtsm.app, ["check-list", str(path), "--arms", "A,B", *STRATA, "--json"])
    summary = json.loads(result.stdout)
    assert summary["valid"] is True and summary["problems"] == []
    assert summary["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert summary["total_slots"] == len(read_list_csv(path.read_text(), ["A", "B"], factors=FACTORS).rows)


def test_check_list_reports_every_problem_with_its_row(tmp_path):
    path = tmp_path / "list.csv"
    _generate(path)
    lines = path.read_text().splitlines()
    stratum, block, sequence, arm = lines[2].split(",")
    lines[2] = ",".join([stratum, block, sequence, "Z"])  # row 3: unknown arm
    stratum, block, sequence, arm = lines[5].split(",")
    lines[5] = ",".join([stratum, block, "1", arm])  # row 6: repeats sequence 1, so sequence 5 is missing
    lines.append("04|F,1,1,A")  # an undeclared site
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(rtsm.app, ["check-list", str(path), "--arms", "A,B", *STRATA, "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["valid"] is False
    located = [(p["row"], p["column"]) for p in report["problems"]]
    assert (3, "arm") in located and (6, "sequence") in located and (None, "sequence") in located
    assert (len(lines), "stratum") in located
    result = runner.invoke(rtsm.app, ["check-list", str(path), "--arms", "A,B", *STRATA])
    assert result.exit_code == 1
    assert f"{len(report['problems'])} problem(s)" in result.stdout and "unknown arm 'Z'" in result.stdout


def test_check_list_against_the_wrong_declaration(tmp_path):
    path = tmp_path / "list.csv"
    _generate(path)
    declared = ["--strata", "site=01,02", "--strata", "sex=F,M"]
    result = runner.invoke(rtsm.app, ["check-list", str(path), "--arms", "A,B", *declared, "--json"])
    assert result.exit_code == 1
    messages = [p["message"] for p in json.loads(result.stdout)["problems"]]
    assert sum("'03' is not a level of site (01, 02)" in m for m in messages) == 2  # strata 03|F and 03|M
    result = runner.invoke(rtsm.app, ["check-list", str(path), "--arms", "A,B", "--strata", "site=01,02,03", "--json"])
    messages = [p["message"] for p in json.loads(result.stdout)["problems"]]
    assert any("stratum '01|F' has 2 level(s); expected 1" in m for m in messages)


def test_check_list_bad_file_exits_2(tmp_path):
    assert "FILE: cannot read" in _fails("check-list", str(tmp_path / "none.csv"), "--arms", "A,B")
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"stratum,block,sequence,arm\n\xe9,1,1,A\n")
    assert "not UTF-8" in _fails("check-list", str(path), "--arms", "A,B")
    path.write_text("stratum,block,sequence,arm\n,1,1,A\n,1,2,B\n")
    assert "--ratio:" in _fails("check-list", str(path), "--arms", "A,B", "--ratio", "0,1")
    assert "--block-sizes:" in _fails("check-list", str(path), "--arms", "A,B", "--block-sizes", "3")


def test_no_django_and_no_numpy_until_a_command_runs(tmp_path):
    code = (
        "import sys, json\n"
        "from opencro.cli import rtsm\n"
        "before = {'django': 'django' in sys.modules, 'numpy': 'numpy' in sys.modules}\n"
        "from typer.testing import CliRunner\n"
        "args = ['generate-list', '--arms', 'A,B', '--block-sizes', '4', '--n', '4', '--seed', '1', '--json',\n"
        f"        '--out', {str(tmp_path / 'x.csv')!r}]\n"
        "r = CliRunner().invoke(rtsm.app, args)\n"
        "print(json.dumps({'before': before, 'django_after': 'django' in sys.modules, 'code': r.exit_code}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state == {"before": {"django": False, "numpy": False}, "django_after": False, "code": 0}


def test_help():
    for command in ([], ["generate-list"], ["check-list"]):
        result = runner.invoke(rtsm.app, [*command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
