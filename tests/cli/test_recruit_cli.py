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


def _study(nct: str, enrolled: int, sites: int, start: str, end: str, phase: str = "PHASE3", kind="INTERVENTIONAL"):
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct, "briefTitle": f"Trial {nct}"},
            "statusModule": {
                "overallStatus": "COMPLETED",
                "startDateStruct": {"date": start, "type": "ACTUAL"},
                "primaryCompletionDateStruct": {"date": end, "type": "ACTUAL"},
            },
            "designModule": {
                "studyType": kind,
                "phases": [phase],
                "enrollmentInfo": {"count": enrolled, "type": "ACTUAL"},
            },
            "conditionsModule": {"conditions": ["Psoriasis" if enrolled % 2 else "Asthma"]},
            "contactsLocationsModule": {
                "locations": [{"facility": f"Site {i}", "city": "X", "country": "Spain"} for i in range(sites)]
            },
        }
    }


def test_prior_fits_the_trials_that_pass_the_filters_once_each(tmp_path):
    from opencro.stats.recruitment import PastTrial, fit_rate_prior

    studies = [
        _study("NCT00000001", 120, 10, "2020-01-01", "2021-01-01"),
        _study("NCT00000002", 45, 12, "2019-03-01", "2020-09-01"),
        _study("NCT00000003", 301, 20, "2018-01-15", "2019-07-15"),
        _study("NCT00000004", 80, 4, "2017-01-01", "2018-01-01", phase="PHASE1"),
        _study("NCT00000005", 500, 1, "2017-01-01", "2017-06-01", kind="OBSERVATIONAL"),
    ]
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"studies": studies}))
    again = tmp_path / "again.json"
    again.write_text(json.dumps(studies[0]))  # the same trial in a second file counts once
    result = runner.invoke(app, ["recruit", "prior", str(page), str(again), "--phase", "PHASE3", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["skipped"] == {"NCT00000004": "another phase", "NCT00000005": "not INTERVENTIONAL"}
    from opencro.formats.ctgov import read_trials

    records = [r for r in read_trials(page) if r.nct_id in ("NCT00000001", "NCT00000002", "NCT00000003")]
    expected = fit_rate_prior([PastTrial(r.enrollment, len(r.facilities), r.recruitment_months) for r in records])
    assert data["trials"] == 3
    assert data["shape"] == expected.prior.shape and data["rate"] == expected.prior.rate
    psoriasis = runner.invoke(app, ["recruit", "prior", str(page), "--condition", "psoriasis", "--any", "--json"])
    assert json.loads(psoriasis.stdout)["skipped"]["NCT00000001"] == "no condition matching 'psoriasis'"


def test_prior_names_a_bad_file_and_too_few_trials(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = runner.invoke(app, ["recruit", "prior", str(broken)])
    assert result.exit_code == 1 and "broken.json" in result.stderr
    one = tmp_path / "one.json"
    one.write_text(json.dumps(_study("NCT00000009", 50, 5, "2020-01-01", "2021-01-01")))
    few = runner.invoke(app, ["recruit", "prior", str(one)])
    assert few.exit_code == 2 and "FILES: needs at least 2 past trials" in few.stderr


def test_a_plan_of_sites_uses_each_sites_start_and_record(tmp_path):
    from opencro.stats.recruitment import RatePrior, SitePlan, forecast, rate_posterior

    plan = tmp_path / "sites.csv"
    plan.write_text("site,country,start_month,recruited,months_active\n101,ES,0,12,6\n102,ES,0,1,6\n201,FR,3,,\n")
    args = ["recruit", "forecast", "--target", "60", "--plan", str(plan), "--rate-shape", "1.5", "--rate-rate", "3"]
    result = runner.invoke(app, [*args, "--seed", "4", "--n-sims", "3000", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    prior = RatePrior(1.5, 3.0)
    sites = [
        SitePlan(rate_posterior(prior, 12, 6.0), 0.0, "ES"),
        SitePlan(rate_posterior(prior, 1, 6.0), 0.0, "ES"),
        SitePlan(prior, 3.0, "FR"),
    ]
    expected = forecast(sites, 60, n_sims=3000, seed=4).as_dict()
    assert data["time_to_target"] == expected["time_to_target"] and data["sites"] == 3
    assert data["closed_form"] is None  # sites opening later or with their own record: no closed form


def test_a_bad_plan_is_refused_with_its_row_and_column(tmp_path):
    plan = tmp_path / "sites.csv"
    common = ["recruit", "forecast", "--target", "60", "--rate-shape", "1.5", "--rate-rate", "3"]
    for body, message in (
        ("site,start_month\n101,soon\n", "sites.csv, row 2, column start_month: 'soon' is not a number"),
        ("site,recruited,months_active\n101,4,\n", "sites.csv, row 2, column recruited: give recruited and"),
        ("site,recruited,months_active\n101,2.5,3\n", "row 2, column recruited: must be a whole number"),
        ("number\n101\n", "needs a header with the columns"),
    ):
        plan.write_text(body)
        result = runner.invoke(app, [*common, "--plan", str(plan)])
        assert result.exit_code == 2 and message in " ".join(result.stderr.split()), (body, result.stderr)
    both = runner.invoke(app, [*common, "--plan", str(plan), "--sites", "3"])
    neither = runner.invoke(app, common)
    assert both.exit_code == neither.exit_code == 2 and "--sites/--plan" in neither.stderr


def test_what_if_more_sites_open_later_is_the_same_seed_with_the_sites_added():
    from opencro.stats.recruitment import RatePrior, SitePlan, add_sites, forecast

    data = _json("--add-sites", "10", "--add-at", "3", "--add-country", "PL", "--seed", "8", "--n-sims", "3000")
    prior = RatePrior(1.5, 3.0)
    more = add_sites([SitePlan(prior)] * 20, 10, prior, 3.0, "PL")
    expected = forecast(more, 200, n_sims=3000, seed=8).as_dict()
    assert data["what_if"]["time_to_target"] == expected["time_to_target"]
    assert (data["what_if"]["added_sites"], data["what_if"]["start_month"]) == (10, 3.0)
    assert data["what_if"]["time_to_target"]["median"] < data["time_to_target"]["median"]
    assert _json("--seed", "8", "--n-sims", "3000")["what_if"] is None
    late = runner.invoke(app, [*ARGS, "--add-sites", "2", "--add-at", "-1"])
    assert late.exit_code == 2 and "--add-at:" in late.stderr
