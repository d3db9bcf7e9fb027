"""Hypothesis properties that hold for any input: ordering of limits, symmetry of the ROR, invariances."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from opencro.stats.signals import (
    eb_scores,
    information_component,
    proportional_reporting_ratio,
    reporting_odds_ratio,
)

positive = st.floats(0.05, 20.0)
thetas = st.tuples(positive, positive, positive, positive, st.floats(0.01, 0.99))
points = st.lists(st.tuples(st.integers(0, 500), st.floats(0.001, 300.0)), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(theta=thetas, pairs=points)
def test_eb05_below_ebgm_below_eb95(theta, pairs):
    n, e = (np.array(col) for col in zip(*pairs, strict=True))
    scores = eb_scores(theta, n, e)
    assert np.all(scores.eb05 <= scores.ebgm * (1 + 1e-12))
    assert np.all(scores.ebgm <= scores.eb95 * (1 + 1e-12))
    assert np.all(scores.eb05 > 0) and np.all(np.isfinite(scores.eb95))


@settings(max_examples=200, deadline=None)
@given(pairs=points)
def test_ic_limits_bracket_the_ic(pairs):
    n, e = (np.array(col) for col in zip(*pairs, strict=True))
    ic = information_component(n, e)
    assert np.all(ic.lower < ic.ic) and np.all(ic.ic < ic.upper)


tables = st.tuples(st.integers(1, 400), st.integers(1, 400), st.integers(1, 400), st.integers(1, 5000))


@settings(max_examples=300, deadline=None)
@given(cells=tables)
def test_ror_is_symmetric_in_product_and_event_and_intervals_bracket(cells):
    a, b, c, d = cells
    total = a + b + c + d
    one = reporting_odds_ratio([a], [a + b], [a + c], total)
    swapped = reporting_odds_ratio([a], [a + c], [a + b], total)  # transposed table: same odds ratio
    np.testing.assert_allclose(
        [one.estimate[0], one.lower[0], one.upper[0]], [swapped.estimate[0], swapped.lower[0], swapped.upper[0]]
    )
    prr = proportional_reporting_ratio([a], [a + b], [a + c], total)
    assert one.lower[0] < one.estimate[0] < one.upper[0]
    assert prr.lower[0] < prr.estimate[0] < prr.upper[0]


@settings(max_examples=200, deadline=None)
@given(cells=tables, k=st.integers(2, 50))
def test_prr_and_ror_do_not_change_when_every_cell_is_scaled(cells, k):
    a, b, c, d = cells
    base = proportional_reporting_ratio([a], [a + b], [a + c], a + b + c + d).estimate[0]
    scaled = proportional_reporting_ratio([k * a], [k * (a + b)], [k * (a + c)], k * (a + b + c + d)).estimate[0]
    assert np.isclose(base, scaled, rtol=1e-12)
    r1 = reporting_odds_ratio([a], [a + b], [a + c], a + b + c + d).estimate[0]
    r2 = reporting_odds_ratio([k * a], [k * (a + b)], [k * (a + c)], k * (a + b + c + d)).estimate[0]
    assert np.isclose(r1, r2, rtol=1e-12)
