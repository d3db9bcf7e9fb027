"""Number formatting as the pilot report prints it: SAS-style rounding, "n (%)", p-values."""

import pytest

from opencro.analysis.tfl.formatting import (
    data_precision,
    decimals_for,
    fmt_count_pct,
    fmt_number,
    fmt_percent,
    fmt_pvalue,
)


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (42.65, 1, "42.7"),  # half away from zero (SAS ROUND), not Python's half-even 42.6
        (2.5, 0, "3"),
        (-2.5, 0, "-3"),
        (-0.04, 1, "0.0"),  # no negative zero
        (0.125, 2, "0.13"),
        (75.20930232558139, 1, "75.2"),
        (None, 1, ""),
        (float("nan"), 2, ""),
    ],
)
def test_fmt_number(value, decimals, expected):
    assert fmt_number(value, decimals) == expected


@pytest.mark.parametrize(
    ("n", "denominator", "decimals", "options", "expected"),
    [
        (79, 86, 0, {}, "79 ( 92%)"),  # 14-1.01 Efficacy, Placebo
        (86, 86, 0, {}, "86 (100%)"),
        (2, 86, 1, {}, "2 ( 2.3%)"),  # 14-5.01 Sinus bradycardia, Placebo
        (65, 86, 1, {}, "65 (75.6%)"),
        (0, 86, 0, {}, "0"),  # zero counts print as a bare 0 (14-2.01, 14-3.13)
        (0, 86, 0, {"zero_percent": True}, "0 (  0%)"),  # 14-1.02 Missing
        (1, 254, 0, {"small_percent": True}, "1 ( <1%)"),  # 14-2.01 Race Other, Total
        (1, 254, 0, {}, "1 (  0%)"),
        (3, 0, 0, {}, "3"),
    ],
)
def test_fmt_count_pct(n, denominator, decimals, options, expected):
    assert fmt_count_pct(n, denominator, decimals, **options) == expected


def test_fmt_percent_unpadded():
    assert fmt_percent(1, 3, 1, pad=False) == "33.3"


@pytest.mark.parametrize(
    ("p", "decimals", "flag", "expected"),
    [
        (0.00001, 4, None, "<.0001"),
        (0.0004, 3, None, "<.001"),
        (0.32808, 4, None, "0.3281"),
        (0.5934, 4, None, "0.5934"),
        (1.0, 3, None, ">.99"),
        (0.9996, 3, None, ">.99"),
        (0.007, 3, 0.15, "0.007*"),
        (0.2, 3, 0.15, "0.200"),
        (None, 3, None, ""),
    ],
)
def test_fmt_pvalue(p, decimals, flag, expected):
    assert fmt_pvalue(p, decimals, flag_below=flag) == expected


def test_precision_and_default_decimals():
    assert data_precision([1.0, 2.5, 3.25]) == 2
    assert data_precision([60.0, 72.0]) == 0
    assert decimals_for("mean", None, 1) == 2
    assert decimals_for("sd", None, 1) == 3
    assert decimals_for("min", None, 1) == 1
    assert decimals_for("mean", "+2", 1) == 3
    assert decimals_for("mean", 4, 1) == 4
    assert decimals_for("n", 3, 1) == 0
