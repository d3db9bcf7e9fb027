"""cmh_test against R (tests/reference/tables/tables.R, inputs cmh.csv).

General association: R ``mantelhaen.test(correct = FALSE)``. Correlation and row mean scores: R has no built-in;
the oracle computes them with a literal matrix transcription of Landis, Heyman & Koch (1978) in tables.R
(``landis()``), itself checked there against mantelhaen.test, against Q_CS = (n - 1) r^2 and against
kruskal.test for rank-score row means in one stratum.
"""

import pandas as pd
import pytest

from opencro.stats.tables import TableStatisticsError, cmh_test
from tests.stats.tables.oracle import load_csv, load_json

REL = 1e-9


def expected(key: str) -> dict:
    return load_json("tables.json")["cmh"][key]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return load_csv("cmh.csv")


def check(result, want: dict) -> None:
    assert result.statistic == pytest.approx(want["statistic"], rel=REL)
    assert result.df == want["df"]
    if "pvalue" in want:
        assert result.pvalue == pytest.approx(want["pvalue"], rel=1e-8)


def test_general_matches_mantelhaen(data: pd.DataFrame) -> None:
    # R: mantelhaen.test(table(TRT, RESP, STRATUM), correct = FALSE)
    result = cmh_test(data, row="TRT", column="RESP", strata="STRATUM", statistic="general")
    check(result, expected("general_mantelhaen"))
    check(result, expected("general_landis"))
    assert result.method == "Cochran-Mantel-Haenszel test (general association) stratified by STRATUM"


def test_general_2x2xk_matches_mantelhaen(data: pd.DataFrame) -> None:
    # R: mantelhaen.test(table(TRT, EVENT, STRATUM), correct = FALSE) on Placebo and High only
    two = data[data["TRT"].isin(["Placebo", "High"])]
    check(cmh_test(two, row="TRT", column="EVENT", strata="STRATUM"), expected("general_2x2xK_mantelhaen"))


def test_general_one_stratum_is_scaled_pearson(data: pd.DataFrame) -> None:
    # R: (n - 1) / n * chisq.test(table(TRT, RESP), correct = FALSE)$statistic
    check(cmh_test(data, row="TRT", column="RESP"), expected("general_unstratified_pearson"))


@pytest.mark.parametrize("scores", ["table", "rank", "ridit", "modridit"])
def test_row_means_matches_landis(data: pd.DataFrame, scores: str) -> None:
    # R: landis(TRT, RESP, STRATUM, "row_means", scores) in tables.R
    result = cmh_test(data, row="TRT", column="RESP", strata="STRATUM", statistic="row_means", scores=scores)
    check(result, expected(f"row_means_{scores}"))


def test_row_means_rank_one_stratum_is_kruskal_wallis(data: pd.DataFrame) -> None:
    # R: kruskal.test(RESP ~ factor(TRT))$statistic (tie-corrected H)
    result = cmh_test(data, row="TRT", column="RESP", statistic="row_means", scores="rank")
    assert result.statistic == pytest.approx(expected("row_means_rank_unstratified_kruskal"), rel=REL)


@pytest.mark.parametrize("scores", ["table", "rank"])
def test_correlation_matches_landis(data: pd.DataFrame, scores: str) -> None:
    # R: landis(DOSE, RESP, STRATUM, "correlation", scores); dose 0/54/81 as row table scores
    result = cmh_test(data, row="DOSE", column="RESP", strata="STRATUM", statistic="correlation", scores=scores)
    check(result, expected(f"correlation_{scores}"))


def test_correlation_one_stratum_is_n_minus_1_r_squared(data: pd.DataFrame) -> None:
    # R: (nrow(cm) - 1) * cor(DOSE, RESP)^2
    result = cmh_test(data, row="DOSE", column="RESP", statistic="correlation")
    assert result.statistic == pytest.approx(expected("correlation_unstratified_identity"), rel=REL)


def test_missing_values_are_left_out(data: pd.DataFrame) -> None:
    with_missing = data.copy()
    with_missing.loc[[0, 5], "RESP"] = None
    with_missing.loc[[7], "STRATUM"] = None
    result = cmh_test(with_missing, row="TRT", column="RESP", strata="STRATUM", statistic="row_means")
    assert result == cmh_test(
        data.drop(index=[0, 5, 7]), row="TRT", column="RESP", strata="STRATUM", statistic="row_means"
    )


def test_stratum_missing_a_treatment_still_counts(data: pd.DataFrame) -> None:
    # A stratum in which one arm has no subject contributes through the other arms (as SAS does).
    part = data[~((data["STRATUM"] == "C") & (data["TRT"] == "High"))]
    result = cmh_test(part, row="TRT", column="RESP", strata="STRATUM", statistic="row_means")
    assert result.df == 2 and 0.0 < result.pvalue < 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"statistic": "pearson"}, "statistic: must be one of"),
        ({"scores": "logrank"}, "scores: must be one of"),
        ({"strata": "SITE"}, "SITE: no such column"),
        ({"strata": "TRT"}, "must differ"),
    ],
)
def test_bad_options(data: pd.DataFrame, kwargs: dict, message: str) -> None:
    with pytest.raises(TableStatisticsError, match=message):
        cmh_test(data, row="TRT", column="RESP", **kwargs)


def test_single_level_is_refused(data: pd.DataFrame) -> None:
    with pytest.raises(TableStatisticsError, match="TRT: needs at least two levels"):
        cmh_test(data[data["TRT"] == "Low"], row="TRT", column="RESP", strata="STRATUM")


def test_singleton_strata_only_is_refused() -> None:
    frame = pd.DataFrame({"t": ["a", "b", "a"], "y": [1, 2, 2], "s": [1, 2, 3]})
    with pytest.raises(TableStatisticsError, match="no stratum has two or more subjects"):
        cmh_test(frame, row="t", column="y", strata="s")


def test_singular_variance_is_refused() -> None:
    # Within every stratum the response is constant, so nothing varies under the null.
    frame = pd.DataFrame({"t": ["a", "b"] * 4, "y": [1, 1, 1, 1, 2, 2, 2, 2], "s": [1, 1, 1, 1, 2, 2, 2, 2]})
    with pytest.raises(TableStatisticsError, match="variance matrix is singular"):
        cmh_test(frame, row="t", column="y", strata="s")


def test_blank_text_is_missing(data: pd.DataFrame) -> None:
    # SAS writes a missing character value as blanks.
    blanked = data.copy()
    blanked.loc[[3, 9], "TRT"] = "  "
    result = cmh_test(blanked, row="TRT", column="RESP", strata="STRATUM")
    assert result == cmh_test(data.drop(index=[3, 9]), row="TRT", column="RESP", strata="STRATUM")


def test_text_levels_get_level_numbers_as_table_scores(data: pd.DataFrame) -> None:
    # As SAS: a character response "1".."5" is scored 1..5 by level number; as numbers 10..50 by value. The row
    # mean scores statistic is invariant to a linear change of scores, so both equal the numeric 1..5 result.
    numeric = cmh_test(data, row="TRT", column="RESP", strata="STRATUM", statistic="row_means")
    text = data.assign(RESP=data["RESP"].map(lambda v: f"level {v}"))
    scaled = data.assign(RESP=10 * data["RESP"])
    for frame in (text, scaled):
        result = cmh_test(frame, row="TRT", column="RESP", strata="STRATUM", statistic="row_means")
        assert result.statistic == pytest.approx(numeric.statistic, rel=1e-12)
    squared = data.assign(RESP=data["RESP"] ** 2)
    assert cmh_test(squared, row="TRT", column="RESP", strata="STRATUM", statistic="row_means").statistic != (
        pytest.approx(numeric.statistic, rel=1e-6)
    )
