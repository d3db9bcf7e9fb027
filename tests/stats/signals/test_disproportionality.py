"""PRR, ROR, Yates' chi-square and Evans' rule on hand-computed 2x2 tables."""

import math

import numpy as np
import pytest

from opencro.stats.signals import (
    chi_square_yates,
    evans_signal,
    proportional_reporting_ratio,
    reporting_odds_ratio,
)

Z975 = 1.959963984540054  # qnorm(0.975)


def test_prr_and_ror_by_hand():
    # a = 20, b = 80, c = 100, d = 9800: n = 20, n_i. = a + b = 100, n_.j = a + c = 120, n.. = 10000
    # PRR = (20/100) / (100/9900) = 19.8; se^2 = 1/20 - 1/100 + 1/100 - 1/9900 (Evans et al. 2001)
    # ROR = 20 * 9800 / (80 * 100) = 24.5; se^2 = 1/20 + 1/80 + 1/100 + 1/9800 (van Puijenbroek et al. 2002)
    prr = proportional_reporting_ratio([20], [100], [120], 10000)
    assert prr.estimate[0] == pytest.approx(19.8, rel=1e-14)
    se = math.sqrt(1 / 20 - 1 / 100 + 1 / 100 - 1 / 9900)
    assert prr.lower[0] == pytest.approx(19.8 * math.exp(-Z975 * se), rel=1e-14)
    assert prr.upper[0] == pytest.approx(19.8 * math.exp(Z975 * se), rel=1e-14)
    ror = reporting_odds_ratio([20], [100], [120], 10000)
    assert ror.estimate[0] == pytest.approx(24.5, rel=1e-14)
    se = math.sqrt(1 / 20 + 1 / 80 + 1 / 100 + 1 / 9800)
    assert (ror.lower[0], ror.upper[0]) == pytest.approx(
        (24.5 * math.exp(-Z975 * se), 24.5 * math.exp(Z975 * se)), rel=1e-14
    )
    # the interval in numbers: se = sqrt(0.07260204) = 0.2694476..., 24.5 * exp(-+1.96 se) = 14.44814..., 41.54515...
    assert (ror.lower[0], ror.upper[0]) == pytest.approx((14.44814, 41.54515), abs=1e-5)


def test_chi_square_with_yates_correction_by_hand_and_r():
    # n..(|ad - bc| - n../2)^2 / ((a+b)(c+d)(a+c)(b+d)) = 10000 * (188000 - 5000)^2 / (100 * 9900 * 120 * 9880)
    # = 285.317752...; R: chisq.test(matrix(c(20, 80, 100, 9800), 2, byrow = TRUE), correct = TRUE)
    # -> X-squared = 285.317752423 (tests/reference/signals/two_by_two.R)
    by_hand = 10000 * (20 * 9800 - 80 * 100 - 5000) ** 2 / (100 * 9900 * 120 * 9880)
    chi2 = chi_square_yates([20, 3, 5], [100, 50, 5], [120, 15, 12], np.array([10000, 10000, 1000]))
    assert chi2[0] == pytest.approx(by_hand, rel=1e-14)
    # R, same script: (3, 47, 12, 9938) -> 78.9207261478 ; (5, 0, 7, 988) -> 334.221715867
    np.testing.assert_allclose(chi2, [285.317752423, 78.9207261478, 334.221715867], rtol=1e-11)


def test_evans_rule_needs_all_three_conditions():
    # PRR >= 2, chi2 >= 4, n >= 3 (Evans, Waller & Davis 2001)
    assert list(evans_signal([19.8, 1.9, 5.0, 5.0], [285.3, 285.3, 3.9, 10.0], [20, 20, 20, 2])) == [
        True,
        False,
        False,
        False,
    ]


def test_empty_cells_give_infinite_ratios_not_corrections():
    # a = 5, b = 0, c = 7, d = 988: PRR = (5/5) / (7/995) = 142.142857...; ROR = 5 * 988 / (0 * 7) = inf
    prr = proportional_reporting_ratio([5], [5], [12], 1000)
    assert prr.estimate[0] == pytest.approx(995 / 7, rel=1e-14)
    assert math.isinf(reporting_odds_ratio([5], [5], [12], 1000).estimate[0])
    # c = 0 (event only with this product): PRR = inf
    assert math.isinf(proportional_reporting_ratio([4], [10], [4], 1000).estimate[0])


def test_other_levels_widen_the_interval():
    narrow = proportional_reporting_ratio([20], [100], [120], 10000, level=0.90)
    wide = proportional_reporting_ratio([20], [100], [120], 10000, level=0.99)
    assert wide.lower[0] < narrow.lower[0] < 19.8 < narrow.upper[0] < wide.upper[0]
