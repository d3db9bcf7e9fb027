"""KRIs against gsm 2.2.3's own functions (commit a9691d96; R 4.2.2): tests/reference/gsm/kri_oracle.R wrote
kri_oracle.json with Transform_Rate -> Analyze_NormalApprox / Analyze_Poisson / Analyze_Fisher / Analyze_Identity
-> Flag -> Summarize(nMinDenominator) and the *_PredictBounds funnels.

The synthetic input is stored in the JSON, so that part always runs. gsm's example data (analyticsInput.csv,
analyticsInput_country.csv, every metric of reportingMetrics.csv) is read from ../shared/reference/monitoring/gsm
and skipped when absent. "poisson_gsm" is gsm's own Poisson fit, which has a log(denominator) slope (see
opencro.stats.monitoring.poisson_fit); "poisson" is the offset model, glm(N ~ offset(log(D))) in the same script;
the Fisher flags follow gsm 1.9.2's Flag_Fisher, in base R there.

Tolerances: 1e-12 relative (or absolute below 1) wherever the arithmetic is closed-form; 1e-9 for the Poisson
fits, where R's glm stops IRLS at a relative deviance change of 1e-8 (gsm) or 1e-13 (the offset model).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opencro.stats.monitoring import kri_analyse, kri_funnel

ROOT = Path(__file__).resolve().parents[2]
ORACLE = json.loads((ROOT / "tests" / "reference" / "gsm" / "kri_oracle.json").read_text())
GSM_DATA = ROOT.parent / "shared" / "reference" / "monitoring" / "gsm"
REFERENCE_SETS = ("analyticsInput", "analyticsInput_country")


def _inputs(name: str):
    if name == "synthetic":
        data = ORACLE["datasets"]["synthetic"]["input"]
        return data["group"], data["numerator"], data["denominator"]
    path = GSM_DATA / f"{name}.csv"
    if not path.exists():
        pytest.skip("reference data ../shared/reference/monitoring/gsm not present")
    frame = pd.read_csv(path)
    return frame.GroupID.astype(str), frame.Numerator, frame.Denominator


def _cases(name: str):
    return [pytest.param(name, m, id=f"{name}-{m['id']}") for m in ORACLE["datasets"][name]["metrics"]]


def _run(name: str, metric: dict):
    method, exposure = metric["method"], "offset"
    if method == "poisson_gsm":
        method, exposure = "poisson", "covariate"
    return kri_analyse(
        *_inputs(name),
        method=method,
        outcome_type=metric["type"],
        thresholds=metric["thresholds"],
        min_denominator=metric["min_denominator"],
        poisson_exposure=exposure,
    )


def _tolerance(metric: dict) -> float:
    return 1e-9 if metric["method"].startswith("poisson") else 1e-12


def _close(actual, expected, tol):
    actual = np.array([np.nan if v is None else v for v in actual], dtype=float)
    expected = np.array([np.nan if v is None else v for v in expected], dtype=float)
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
    ok = ~np.isnan(expected)
    scale = np.maximum(1.0, np.abs(expected[ok]))
    assert np.max(np.abs(actual[ok] - expected[ok]) / scale, initial=0.0) <= tol


def _check_groups(name: str, metric: dict) -> None:
    result = _run(name, metric)
    expected = metric["groups"]
    assert [g.group for g in result.groups] == expected["group"]
    for column in ("numerator", "denominator", "metric", "score"):
        _close([getattr(g, column) for g in result.groups], expected[column], _tolerance(metric))
    assert [g.flag for g in result.groups] == expected["flag"]
    if metric["factor"] is not None:
        assert result.dispersion == pytest.approx(metric["factor"], rel=1e-12)
        assert result.overall_metric == pytest.approx(metric["overall_metric"], rel=1e-13)
    if metric["intercept"] is not None:
        assert result.coefficients[0] == pytest.approx(metric["intercept"], rel=_tolerance(metric))
        if metric["slope"] is not None:
            assert result.coefficients[1] == pytest.approx(metric["slope"], rel=_tolerance(metric))
    bounds = ORACLE["datasets"][name]["bounds"].get(metric.get("bounds_key"))
    if bounds is not None:
        _check_bounds(result, bounds, _tolerance(metric))


def _check_bounds(result, bounds: dict, tol: float) -> None:
    threshold = np.asarray(bounds["threshold"], dtype=float)
    funnel = kri_funnel(result)
    # gsm leaves out points without a limit; a threshold can lose them all (a negative lower limit everywhere)
    assert sorted(line.threshold for line in funnel.lines if line.denominator.size) == sorted(set(threshold.tolist()))
    for line in funnel.lines:
        mask = threshold == line.threshold
        _close(line.denominator, np.asarray(bounds["denominator"])[mask], 1e-12)
        _close(line.numerator, np.asarray(bounds["numerator"], dtype=float)[mask], tol)


def test_oracle_provenance():
    assert ORACLE["gsm_version"] == "2.2.3"
    assert ORACLE["gsm_commit"] == "a9691d96b2c6a5d0777ac14312c6257ad7de4e23"


@pytest.mark.parametrize(("name", "metric"), _cases("synthetic"))
def test_synthetic_against_gsm(name, metric):
    _check_groups(name, metric)


def test_synthetic_oracle_shape():
    # group E (denominator 0) is dropped by gsm and here; F (denominator 18 < 30) is unscored
    metric = ORACLE["datasets"]["synthetic"]["metrics"][0]
    assert metric["groups"]["group"] == ["A", "B", "C", "D", "F", "G"]
    assert metric["groups"]["score"][4] is None and metric["groups"]["flag"][2] == 2
    assert _run("synthetic", metric).dropped == ("E",)


@pytest.mark.parametrize(("name", "metric"), [case for name in REFERENCE_SETS for case in _cases(name)])
def test_gsm_example_data_against_gsm(name, metric):
    _check_groups(name, metric)


def test_reporting_metrics_cover_all_twelve_kris():
    path = GSM_DATA / "reportingMetrics.csv"
    if not path.exists():
        pytest.skip("reference data ../shared/reference/monitoring/gsm not present")
    metrics = pd.read_csv(path)
    oracle = {m["id"]: m for m in ORACLE["datasets"]["analyticsInput"]["metrics"]}
    assert len(metrics) == 12
    for row in metrics.itertuples():
        assert oracle[row.ID]["type"] == row.AnalysisType
        assert oracle[row.ID]["thresholds"] == [float(t) for t in row.Threshold.split(",")]
        assert oracle[row.ID]["min_denominator"] == row.nMinDenominator
