"""opencro.stats.csm building blocks: the digit rule, weekdays, merged moments, row hashes, BH on the log scale,
the two passes over the source, and input errors. Expected values are worked by hand beside each assertion."""

import numpy as np
import pytest
from scipy import stats

from opencro.stats.csm import CsmChunk, CsmInputError, benjamini_hochberg_log, monitor_sites, terminal_digits
from opencro.stats.csm.dates import weekdays
from opencro.stats.csm.digits import digits_at_precision
from opencro.stats.csm.duplicates import duplicate_counts, row_hashes
from opencro.stats.csm.moments import Moments, group_moments
from opencro.stats.csm.pvalues import LOG_TINY


def test_terminal_digit_is_the_last_recorded_decimal():
    decimals, digit = terminal_digits(np.array([72.5, 73.0, 120, -4.25, 0.1 + 0.2, np.nan, 1 / 3]))
    assert decimals.tolist() == [1, 0, 0, 2, 1, -1, 6]
    assert digit.tolist() == [5, 3, 0, 5, 3, -1, 3]  # 1/3 taken at 6 decimals: 0.333333


def test_values_with_fewer_decimals_end_in_zero_at_the_variable_precision():
    # one site, one variable: 72.5 (1 decimal), 72.55 (2 decimals), 73 (0): precision 2, digits 0, 5, 0
    counts = np.zeros((1, 1, 7, 10), dtype=np.int64)
    for value in (72.5, 72.55, 73.0):
        k, d = terminal_digits(np.array([value]))
        counts[0, 0, k[0], d[0]] += 1
    table, precision = digits_at_precision(counts)
    assert precision.tolist() == [2]
    assert table[0, 0].tolist() == [2, 0, 0, 0, 0, 1, 0, 0, 0, 0]


def test_weekdays_monday_zero_to_sunday_six():
    days = np.array(["2025-01-06", "2025-01-11", "2025-01-12", "1970-01-01", "NaT"], dtype="datetime64[D]")
    assert weekdays(days.astype(np.int64)).tolist() == [0, 5, 6, 3, -1]  # Mon, Sat, Sun, Thu, missing


def test_merged_moments_equal_numpy_over_the_whole_data():
    rng = np.random.default_rng(1)
    x = rng.normal(1e6, 0.01, (300, 2))  # far from zero, small spread: the sum-of-squares formula would fail
    x[rng.random(x.shape) < 0.1] = np.nan
    codes = rng.integers(0, 3, 300)
    total = Moments.zeros((3, 2))
    for lo in range(0, 300, 70):
        groups, block = group_moments(codes[lo : lo + 70], x[lo : lo + 70])
        total.merge_at(groups, block)
    for g in range(3):
        for j in range(2):
            values = x[codes == g, j]
            values = values[~np.isnan(values)]
            assert total.n[g, j] == len(values)
            assert total.mean[g, j] == pytest.approx(values.mean(), rel=1e-14)
            assert total.variance[g, j] == pytest.approx(values.var(ddof=1), rel=1e-9)
    rest = total.rest()
    values = x[codes != 0, 1]
    values = values[~np.isnan(values)]
    assert rest.variance[0, 1] == pytest.approx(values.var(ddof=1), rel=1e-8)


def test_row_hashes_equal_exactly_for_equal_rows():
    rows = np.array([[1.0, np.nan, 0.0], [1.0, np.nan, -0.0], [1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [np.nan] * 3])
    hashes, any_value = row_hashes(rows)
    assert hashes[0] == hashes[1]  # NaN equals NaN, -0.0 equals 0.0
    assert len({hashes[0], hashes[2], hashes[3]}) == 3  # swapped values differ
    assert any_value.tolist() == [True, True, True, True, False]


def test_duplicates_are_counted_within_a_site_only():
    hashes = np.array([5, 5, 5, 7, 5, 7], dtype=np.uint64)
    sites = np.array([0, 0, 0, 0, 1, 1], dtype=np.int32)
    records, duplicates = duplicate_counts(sites, hashes, 2)
    assert records.tolist() == [4, 2] and duplicates.tolist() == [2, 0]  # site 1's 5 repeats site 0's: not counted


def test_benjamini_hochberg_on_logs_matches_the_definition():
    p = np.array([0.01, 0.04, 0.03, 0.2])
    # sorted 0.01, 0.03, 0.04, 0.2; m p / i = 0.04, 0.06, 0.0533, 0.2; running minimum from the top
    q = np.exp(benjamini_hochberg_log(np.log(p)))
    np.testing.assert_allclose(q, [0.04, 0.16 / 3, 0.16 / 3, 0.2], rtol=1e-14)
    tiny = benjamini_hochberg_log(np.array([-2000.0, -1000.0, np.log(0.5)]))
    assert tiny[0] < tiny[1] < tiny[2] == pytest.approx(np.log(0.5))  # below the smallest double, still ordered


def _two_sites(n: int = 10):
    rng = np.random.default_rng(3)
    sites = np.repeat(["A", "B"], n)
    return sites, rng.normal(0, 1, (2 * n, 2)).round(2)


def test_the_source_is_read_twice_or_once_without_the_multivariate_test():
    sites, values = _two_sites()
    calls = []

    def source():
        calls.append(1)
        return [CsmChunk(sites, values)]

    with_mv = monitor_sites(source, variables=("x", "y"))
    assert len(calls) == 2 and with_mv.multivariate.rank == 2
    calls.clear()
    without = monitor_sites(source, variables=("x", "y"), multivariate=False)
    assert len(calls) == 1 and without.multivariate is None
    assert {t.test for t in without.tests} == {"digits", "variance", "mean", "duplicates"}


def test_a_constant_site_gets_the_smallest_p_value_not_an_error():
    sites, values = _two_sites()
    values[:10, 0] = 1.5
    result = monitor_sites(lambda: [CsmChunk(sites, values)], variables=("x", "y"), multivariate=False)
    variance = next(t for t in result.tests if (t.site, t.test, t.variable) == ("A", "variance", "x"))
    assert variance.statistic == 0 and variance.direction == "low"
    assert variance.log10_pvalue == pytest.approx(LOG_TINY / np.log(10))


def test_welch_p_value_equals_scipy():
    sites, values = _two_sites(12)
    result = monitor_sites(lambda: [CsmChunk(sites, values)], variables=("x", "y"), multivariate=False)
    mean = next(t for t in result.tests if (t.site, t.test, t.variable) == ("A", "mean", "y"))
    expected = stats.ttest_ind(values[:12, 1], values[12:, 1], equal_var=False)
    assert mean.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert mean.pvalue == pytest.approx(expected.pvalue, rel=1e-10)


@pytest.mark.parametrize(
    ("chunk", "kwargs", "parameter"),
    [
        (CsmChunk(np.array(["A", "B"]), np.zeros((2, 3))), {}, "values"),
        (CsmChunk(np.array(["A"]), np.zeros((2, 2))), {}, "sites"),
        (CsmChunk(np.array(["A", "B"]), np.array([[1.0, np.inf], [0.0, 1.0]])), {}, "values"),
        (CsmChunk(np.array(["A", "B"]), np.zeros((2, 2))), {"date_columns": ("visit",)}, "dates"),
        (CsmChunk(np.array(["A", "A"]), np.zeros((2, 2))), {}, "sites"),
        (CsmChunk(np.array(["A", "B"]), np.zeros((2, 2))), {"fdr": 1.5}, "fdr"),
        (CsmChunk(np.array(["A", "B"]), np.zeros((2, 2))), {"variables": ("x", "x")}, "variables"),
    ],
)
def test_bad_input_names_the_argument(chunk, kwargs, parameter):
    arguments = {"variables": ("x", "y"), **kwargs}
    with pytest.raises(CsmInputError) as caught:
        monitor_sites(lambda: [chunk], **arguments)
    assert caught.value.parameter == parameter


def test_a_source_that_changes_between_passes_is_rejected():
    sites, values = _two_sites()
    passes = iter([[CsmChunk(sites, values)], [CsmChunk(sites[:-1], values[:-1])]])
    with pytest.raises(CsmInputError, match="second pass read 19 records"):
        monitor_sites(lambda: next(passes), variables=("x", "y"))


def test_huge_and_unrounded_values_have_a_defined_digit():
    decimals, digit = terminal_digits(np.array([1.5e10 + 7, 2.0**60, 0.1234567, 1e-9]))
    assert decimals.tolist() == [0, 0, 6, 0]  # 1e-9 rounds to 0 at six decimals
    assert digit.tolist() == [7, 6, 7, 0]  # 2^60 = 1152921504606846976; 0.1234567 -> 0.123457
