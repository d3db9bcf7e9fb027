"""ancova and dose_response_test against R (tests/reference/tables/tables.R, input ancova.csv).

R: options(contrasts = c("contr.sum", "contr.poly")); lm(CHG ~ TRT + SITE + BASE); car::Anova(fit, type = 3);
emmeans(fit, ~TRT, weights = ...); contrast(em, method = <list of pairs>, adjust = "none").
"""

import numpy as np
import pandas as pd
import pytest

from opencro.stats.tables import AncovaResult, TableStatisticsError, ancova, dose_response_test
from tests.stats.tables.oracle import load_csv, load_json

REL = 1e-8
ORDER = ["Placebo", "Low", "High"]
PAIRS = [
    ("Low", "Placebo"),
    ("High", "Placebo"),
    ("High", "Low"),
    ("Placebo", "Low"),
    ("Placebo", "High"),
    ("Low", "High"),
]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return load_csv("ancova.csv")


def compare(result: AncovaResult, want: dict) -> None:
    assert result.n == want["n"]
    assert result.residual_df == want["residual_df"]
    assert result.sigma == pytest.approx(want["sigma"], rel=REL)
    assert [e.term for e in result.effects] == [e["term"] for e in want["effects"]]
    for got, exp in zip(result.effects, want["effects"], strict=True):
        assert got.df == exp["df"]
        assert got.sum_sq == pytest.approx(exp["sum_sq"], rel=REL)
        assert got.statistic == pytest.approx(exp["statistic"], rel=REL)
        assert got.pvalue == pytest.approx(exp["pvalue"], rel=REL)
    assert [m.level for m in result.lsmeans] == [m["level"] for m in want["lsmeans"]]
    for got, exp in zip(result.lsmeans, want["lsmeans"], strict=True):
        for field in ("estimate", "se", "df", "ci_low", "ci_high"):
            assert getattr(got, field) == pytest.approx(exp[field], rel=REL), (got.level, field)
    by_label = {c["label"]: c for c in want["comparisons"]}
    for got in result.comparisons:
        exp = by_label[got.label]
        for field in ("estimate", "se", "df", "statistic", "pvalue", "ci_low", "ci_high"):
            assert getattr(got, field) == pytest.approx(exp[field], rel=REL), (got.label, field)


@pytest.mark.parametrize("weighting", ["equal", "proportional"])
def test_ancova_matches_r(data: pd.DataFrame, weighting: str) -> None:
    result = ancova(
        data,
        response="CHG",
        treatment="TRT",
        covariates=["BASE"],
        factors=["SITE"],
        comparisons=PAIRS,
        weighting=weighting,
        treatment_order=ORDER,
    )
    compare(result, load_json("tables.json")["ancova"][weighting])
    assert result.weighting == weighting
    assert len(result.comparisons) == 6


def test_one_way_anova_matches_r(data: pd.DataFrame) -> None:
    result = ancova(data, response="CHG", treatment="TRT", comparisons=PAIRS, treatment_order=ORDER)
    compare(result, load_json("tables.json")["ancova"]["anova_one_way"])
    assert result.method.startswith("ANOVA")


def test_two_way_anova_matches_r(data: pd.DataFrame) -> None:
    result = ancova(data, response="CHG", treatment="TRT", factors=["SITE"], comparisons=PAIRS, treatment_order=ORDER)
    compare(result, load_json("tables.json")["ancova"]["anova_two_way_equal"])


def test_one_way_anova_p_equals_scipy(data: pd.DataFrame) -> None:
    from scipy import stats

    kept = data.dropna(subset=["CHG"])
    groups = [kept.loc[kept["TRT"] == t, "CHG"] for t in ORDER]
    result = ancova(data, response="CHG", treatment="TRT")
    assert result.effects[0].pvalue == pytest.approx(stats.f_oneway(*groups).pvalue, rel=1e-10)


def test_default_comparisons_are_all_pairs_in_order(data: pd.DataFrame) -> None:
    result = ancova(data, response="CHG", treatment="TRT", covariates=["BASE"], treatment_order=ORDER)
    assert [c.label for c in result.comparisons] == ["Placebo - Low", "Placebo - High", "Low - High"]


def test_default_order_is_sorted(data: pd.DataFrame) -> None:
    result = ancova(data, response="CHG", treatment="TRT")
    assert [m.level for m in result.lsmeans] == ["High", "Low", "Placebo"]


def test_differences_do_not_depend_on_weighting(data: pd.DataFrame) -> None:
    kwargs = {"response": "CHG", "treatment": "TRT", "covariates": ["BASE"], "factors": ["SITE"]}
    equal = ancova(data, **kwargs, weighting="equal")
    proportional = ancova(data, **kwargs, weighting="proportional")
    for a, b in zip(equal.comparisons, proportional.comparisons, strict=True):
        assert a.estimate == pytest.approx(b.estimate, rel=1e-12)


def test_dose_response_matches_r(data: pd.DataFrame) -> None:
    # R: car::Anova(lm(CHG ~ DOSE + SITE + BASE), type = 3)["DOSE", ]
    want = load_json("tables.json")["ancova"]["dose_response"]
    result = dose_response_test(data, response="CHG", dose="DOSE", covariates=["BASE"], factors=["SITE"])
    assert result.statistic == pytest.approx(want["statistic"], rel=REL)
    assert result.statistic == pytest.approx(want["t"] ** 2, rel=REL)
    assert result.df == want["df"]
    assert result.df_denominator == want["df_denominator"]
    assert result.pvalue == pytest.approx(want["pvalue"], rel=REL)


def test_confidence_level_follows_alpha(data: pd.DataFrame) -> None:
    wide = ancova(data, response="CHG", treatment="TRT", alpha=0.01)
    narrow = ancova(data, response="CHG", treatment="TRT", alpha=0.10)
    assert wide.lsmeans[0].ci_high - wide.lsmeans[0].ci_low > narrow.lsmeans[0].ci_high - narrow.lsmeans[0].ci_low


# ---- errors ---------------------------------------------------------------------------------------------


def test_empty_treatment_group_is_refused(data: pd.DataFrame) -> None:
    without_high = data[data["TRT"] != "High"]
    with pytest.raises(TableStatisticsError, match=r"TRT: level\(s\) \['High'\] have no complete observation"):
        ancova(without_high, response="CHG", treatment="TRT", treatment_order=ORDER)


def test_group_with_only_missing_response_is_refused(data: pd.DataFrame) -> None:
    blanked = data.copy()
    blanked.loc[blanked["TRT"] == "Low", "CHG"] = np.nan
    with pytest.raises(TableStatisticsError, match=r"\['Low'\] have no complete observation"):
        ancova(blanked, response="CHG", treatment="TRT", treatment_order=ORDER)


def test_order_missing_a_level_is_refused(data: pd.DataFrame) -> None:
    with pytest.raises(TableStatisticsError, match=r"treatment_order: leaves out level\(s\) \['High'\]"):
        ancova(data, response="CHG", treatment="TRT", treatment_order=["Placebo", "Low"])


def test_single_treatment_is_refused(data: pd.DataFrame) -> None:
    with pytest.raises(TableStatisticsError, match="TRT: needs at least two levels"):
        ancova(data[data["TRT"] == "Low"], response="CHG", treatment="TRT")


def test_confounded_factor_is_refused(data: pd.DataFrame) -> None:
    confounded = data.assign(ARMSITE=data["TRT"].map({"Placebo": "P", "Low": "L", "High": "H"}))
    with pytest.raises(TableStatisticsError, match="ARMSITE: the design is singular"):
        ancova(confounded, response="CHG", treatment="TRT", factors=["ARMSITE"])


def test_collinear_covariate_is_refused(data: pd.DataFrame) -> None:
    collinear = data.assign(BASE2=2 * data["BASE"] + 1)
    with pytest.raises(TableStatisticsError, match="BASE2: the design is singular"):
        ancova(collinear, response="CHG", treatment="TRT", covariates=["BASE", "BASE2"])


def test_constant_covariate_is_refused(data: pd.DataFrame) -> None:
    with pytest.raises(TableStatisticsError, match="K: is constant"):
        ancova(data.assign(K=1.0), response="CHG", treatment="TRT", covariates=["K"])


def test_no_residual_df_is_refused() -> None:
    frame = pd.DataFrame({"y": [1.0, 2.0, 3.0], "t": ["a", "b", "c"]})
    with pytest.raises(TableStatisticsError, match="cannot fit 3 model parameters"):
        ancova(frame, response="y", treatment="t")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"response": "NOPE"}, "NOPE: no such column"),
        ({"response": "SITE"}, "SITE: must be numeric"),
        ({"weighting": "cells"}, "weighting: must be"),
        ({"alpha": 1.5}, "alpha: must lie"),
        ({"comparisons": [("Low", "Nope")]}, "comparisons: level 'Nope'"),
    ],
)
def test_bad_arguments(data: pd.DataFrame, kwargs: dict, message: str) -> None:
    arguments = {"response": "CHG", "treatment": "TRT"} | kwargs
    with pytest.raises(TableStatisticsError, match=message):
        ancova(data, **arguments)


def test_dose_must_vary(data: pd.DataFrame) -> None:
    with pytest.raises(TableStatisticsError, match="DOSE: is constant"):
        dose_response_test(data[data["TRT"] == "Low"], response="CHG", dose="DOSE")
