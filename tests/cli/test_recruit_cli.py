"""`opencro recruit forecast`: the Monte Carlo forecast beside the closed form, as a table or JSON."""

import json

from typer.testing import CliRunner

from opencro.cli.main import app
from opencro.stats.recruitment import RatePrior, count_by_time, time_to_target

runner = CliRunner()
ARGS = ["recruit", "forecast", "--target", "200", "--sites", "20", "--rate-shape", "1.5", "--rate-rate", "3"]


def _json(*extra: str) -> dict:
    result = runner.invoke(app, [*ARGS, *extra, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_gives_the_times_and_the_horizon_counts_close_to_the_closed_form():
    data = _json("--months-horizon", "12", "--n-sims", "40000", "--seed", "3")
    closed = time_to_target(RatePrior(1.5, 3.0), 20, 200)
    assert set(data["time_to_target"]) >= {"mean", "median", "p05", "p95"}
    assert set(data["expected_by_horizon"]) >= {"mean", "p05", "p95"}
    simulated = data["time_to_target"]
    assert abs(simulated["median"] - closed.median) / closed.median < 0.01
    assert abs(simulated["p95"] - closed.quantile(0.95)) / closed.quantile(0.95) < 0.02
    assert data["closed_form"]["time_to_target"]["mean"] == closed.mean
    counts = count_by_time(RatePrior(1.5, 3.0), 20, 12.0)
    assert abs(data["expected_by_horizon"]["mean"] - counts.mean) / counts.mean < 0.01
    assert data["expected_by_horizon"]["p05"] <= counts.mean <= data["expected_by_horizon"]["p95"]


def test_the_same_seed_gives_the_same_answer_and_no_horizon_gives_null():
    first, second = _json("--seed", "11", "--n-sims", "2000"), _json("--seed", "11", "--n-sims", "2000")
    assert first == second and first["expected_by_horizon"] is None
    assert _json("--seed", "12", "--n-sims", "2000")["time_to_target"] != first["time_to_target"]


def test_the_table_shows_simulated_and_closed_form_rows():
    result = runner.invoke(app, [*ARGS, "--months-horizon", "12", "--seed", "1", "--n-sims", "5000"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.split()[:1] == ["simulated"] for line in lines)
    assert any(line.split()[:2] == ["closed", "form"] for line in lines)
    assert "Recruits by month 12" in result.stdout


def test_bad_input_exits_2_naming_the_option():
    for extra, option in (
        (["--rate-shape", "0"], "--rate-shape"),
        (["--rate-rate", "-2"], "--rate-rate"),
        (["--sites", "0"], "--sites"),
        (["--months-horizon", "0"], "--months-horizon"),
        (["--n-sims", "0"], "--n-sims"),
        (["--target", "-1"], "--target"),
    ):
        result = runner.invoke(app, [*ARGS, *extra])
        assert result.exit_code == 2 and f"{option}:" in result.stderr, (extra, result.output)
