"""describe() against R: mean, sd, and quantile(type = 2) (SAS QNTLDEF=5), from tests/reference/tables/tables.R."""

import math

import pytest

from opencro.stats.tables import Description, TableStatisticsError, describe
from opencro.stats.tables.descriptive import sas_quantile
from tests.stats.tables.oracle import load_csv, load_json

REL = 1e-12


@pytest.mark.parametrize("group", ["a", "b", "c", "d", "e"])
def test_describe_matches_r(group: str) -> None:
    # R: mean(v), sd(v), sd(v)/sqrt(n), quantile(v, c(.25, .5, .75), type = 2), min, max (tables.R "describe")
    expected = load_json("tables.json")["describe"][group]
    data = load_csv("describe.csv")
    result = describe(data.loc[data["GROUP"] == group, "VALUE"])
    assert result.n == expected["n"]
    for field in ("mean", "sd", "se", "median", "q1", "q3", "min", "max"):
        want = expected[field]
        got = getattr(result, field)
        if want is None:
            assert got is None, field
        else:
            assert got == pytest.approx(want, rel=REL), field


def test_quartiles_average_at_exact_positions() -> None:
    # n = 8: n * 0.25 = 2 exactly, so SAS definition 5 averages x(2) and x(3): (2 + 3) / 2; q3 averages x(6), x(7).
    result = describe([8, 7, 6, 5, 4, 3, 2, 1])
    assert (result.q1, result.median, result.q3) == (2.5, 4.5, 6.5)
    # n = 7: n * 0.25 = 1.75, so q1 = x(2) = 2 (R type 7 would give 2.5).
    assert describe([1, 2, 3, 4, 5, 6, 7]).q1 == 2.0


def test_missing_values_are_ignored() -> None:
    assert describe([None, float("nan"), 4.0, 6.0]) == describe([4.0, 6.0])
    assert describe([None, float("nan")]) == Description(
        n=0, mean=None, sd=None, se=None, median=None, q1=None, q3=None, min=None, max=None
    )


def test_one_value_has_no_sd() -> None:
    result = describe([3.0])
    assert (result.n, result.mean, result.sd, result.se, result.median) == (1, 3.0, None, None, 3.0)


def test_se_is_sd_over_root_n() -> None:
    result = describe([1.0, 2.0, 4.0, 8.0])
    assert result.se == pytest.approx(result.sd / math.sqrt(4), rel=1e-15)


@pytest.mark.parametrize(
    ("bad", "message"), [(["a", 1.0], "values: item 0 is not a number"), ([1.0, float("inf")], "item 1 is infinite")]
)
def test_bad_values_are_refused(bad: list, message: str) -> None:
    with pytest.raises(TableStatisticsError, match=message):
        describe(bad)


def test_quantile_probability_out_of_range() -> None:
    import numpy as np

    with pytest.raises(TableStatisticsError, match="p: must lie in"):
        sas_quantile(np.array([1.0, 2.0]), 1.5)
