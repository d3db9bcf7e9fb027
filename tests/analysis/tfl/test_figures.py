"""Mean (SE) over time and forest-plot figures on the hand-made study (conftest.py), and figure spec errors."""

import pandas as pd
import pytest

from opencro.analysis.tfl import SpecError, render, run_output

from .conftest import make_spec, stat

# Scores of population subjects at two visits (VISITN orders them): counted by hand below
SCORES = pd.DataFrame(
    {
        "USUBJID": ["S01", "S02", "S03", "S06", "S07", "S01", "S02", "S06", "S07", "S08"],
        "AVISIT": ["Baseline"] * 5 + ["Week 4"] * 5,
        "VISITN": [0.0] * 5 + [4.0] * 5,
        "AVAL": [10.0, 12.0, 14.0, 9.0, 11.0, 8.0, 10.0, 7.0, 9.0, 11.0],
    }
)


def test_mean_over_time(datasets):
    datasets["ADSC"] = SCORES
    spec = make_spec(
        [],
        type="figure",
        titles=["Figure F-2"],
        figure={
            "kind": "mean_over_time",
            "dataset": "ADSC",
            "variable": "AVAL",
            "visit": "AVISIT",
            "visit_order": "VISITN",
        },
    )
    result = run_output(spec, datasets)
    ard = result.ard
    # A at Baseline: 10, 12, 14 -> mean 12, SD 2, SE 2 / sqrt(3); B at Week 4: 7, 9, 11 -> mean 9
    assert stat(ard, column="A", group2_level="Baseline", stat_name="mean") == pytest.approx(12.0)
    assert stat(ard, column="A", group2_level="Baseline", stat_name="se") == pytest.approx(2 / 3**0.5)
    assert stat(ard, column="B", group2_level="Week 4", stat_name="mean") == pytest.approx(9.0)
    assert stat(ard, column="B", group2_level="Week 4", stat_name="n") == 3
    svg = render(result, "html").decode("utf-8")
    assert "Baseline" in svg and "Week 4" in svg and "<polyline" in svg


def test_forest_plot_of_model_differences(datasets):
    spec = make_spec(
        [],
        type="figure",
        titles=["Figure F-3"],
        figure={
            "kind": "forest",
            "dataset": "ADSL",
            "model": {"response": "AGE", "comparisons": [{"label": "B - A", "pairs": [["B", "A"]]}]},
            "x_label": "Difference in age (years)",
        },
        columns={"variable": "TRT01P", "order": ["A", "B"]},
    )
    result = run_output(spec, datasets)
    # one-way model: difference of means 65 - 66.75 (tests/reference/tfl/handmade.json, R lm)
    assert stat(result.ard, stat_name="diff") == pytest.approx(-1.75)
    assert stat(result.ard, stat_name="ci_low") < -1.75 < stat(result.ard, stat_name="ci_high")
    html = render(result, "html").decode("utf-8")
    assert "B - A" in html and "Difference in age (years)" in html
    assert render(result, "pdf").startswith(b"%PDF")


def test_figure_variable_missing_is_located(datasets):
    spec = make_spec(
        [],
        type="figure",
        titles=["Figure F-4"],
        figure={"kind": "km", "dataset": "ADSL", "time": "AVAL", "censor": "CNSR"},
    )
    with pytest.raises(SpecError, match=r"t-1.yaml: figure.time: AVAL not in ADSL"):
        run_output(spec, datasets)
