"""The shrunk information component and its gamma credibility limits (Noren et al. 2006, 2013)."""

import math

import numpy as np
import pytest

from opencro.stats.signals import SignalInputError, information_component

# R (tests/reference/signals/two_by_two.R): log2((n + 0.5)/(E + 0.5)) and log2(qgamma(p, n + 0.5, 1)/(E + 0.5))
R_VALUES = [  # n, E, IC, IC025, IC975
    (0, 0.2, -0.485426827170242, -10.4773146429771, 1.84337695416593),
    (1, 0.05, 1.44745897697122, -2.34976829139013, 3.08721649809388),
    (3, 0.4, 1.95935801550265, -0.0910853403392641, 3.15315356933187),
    (20, 5, 1.89812038598079, 1.19675115980282, 2.46087530170466),
    (150, 60, 1.31475643948511, 1.0745412760394, 1.53627681916602),
]


def test_ic_by_hand():
    # n = 20, E = 100 * 120 / 10000 = 1.2: IC = log2(20.5 / 1.7) = log2(12.0588...) = 3.592017...
    result = information_component([20], [1.2])
    assert result.ic[0] == pytest.approx(math.log2(20.5 / 1.7), rel=1e-15)
    assert result.ic[0] == pytest.approx(3.592017, abs=1e-6)


def test_credibility_limits_match_r_qgamma():
    n, e, ic, lo, hi = (np.array(col) for col in zip(*R_VALUES, strict=True))
    result = information_component(n, e)
    np.testing.assert_allclose(result.ic, ic, rtol=1e-13)
    np.testing.assert_allclose(result.lower, lo, rtol=1e-12)
    np.testing.assert_allclose(result.upper, hi, rtol=1e-12)


def test_limits_agree_with_the_published_closed_form_approximation():
    # Noren, Hopstadius & Bate (2013), SMMR 22:57-69: IC025 ~ IC - 3.3 (n + 1/2)^(-1/2) - 2 (n + 1/2)^(-3/2),
    # IC975 ~ IC + 2.4 (n + 1/2)^(-1/2) - 0.5 (n + 1/2)^(-3/2); an approximation, so to a few hundredths for n >= 3
    n = np.array([3, 5, 10, 30, 100, 1000])
    result = information_component(n, np.full(n.shape, 2.0))
    s = n + 0.5
    np.testing.assert_allclose(result.lower, result.ic - 3.3 * s**-0.5 - 2 * s**-1.5, atol=0.05)
    np.testing.assert_allclose(result.upper, result.ic + 2.4 * s**-0.5 - 0.5 * s**-1.5, atol=0.05)


def test_negative_or_fractional_counts_are_refused():
    with pytest.raises(SignalInputError, match="n"):
        information_component([1.5], [1.0])
