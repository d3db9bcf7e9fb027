"""Exact QTL intervals against R's binom.test and poisson.test (tests/reference/qtl/qtl_oracle.R), and the status."""

import json
from pathlib import Path

import pytest

from opencro.stats.qtl import clopper_pearson, poisson_exact, qtl_estimate

ORACLE = json.loads((Path(__file__).parents[1] / "reference" / "qtl" / "qtl_oracle.json").read_text())


@pytest.mark.parametrize("row", ORACLE["binomial"], ids=lambda r: f"{r['x']}/{r['n']}")
def test_clopper_pearson_matches_binom_test(row):
    lower, upper = clopper_pearson(row["x"], row["n"])
    assert lower == pytest.approx(row["lower"], abs=1e-12)
    assert upper == pytest.approx(row["upper"], abs=1e-12)


@pytest.mark.parametrize("row", ORACLE["poisson"], ids=lambda r: f"{r['x']}/{r['t']}")
def test_poisson_exact_matches_poisson_test(row):
    lower, upper = poisson_exact(row["x"], row["t"])
    assert lower == pytest.approx(row["lower"], rel=1e-10, abs=1e-14)
    assert upper == pytest.approx(row["upper"], rel=1e-10)


def test_status_signal_when_only_the_estimate_crosses():
    # 7/40 = 0.175 > 0.15, but the lower bound 0.073 is not
    result = qtl_estimate(7, 40, limit=0.15, distribution="binomial")
    assert result.status == "signal"
    assert result.estimate == pytest.approx(0.175)


def test_status_breach_when_the_lower_bound_crosses():
    # 45/300 = 0.15; lower bound 0.112 > 0.10
    result = qtl_estimate(45, 300, limit=0.10, distribution="binomial")
    assert result.status == "breach"
    assert result.lower > 0.10


def test_status_within_and_lower_direction():
    assert qtl_estimate(3, 250, limit=0.05, distribution="binomial").status == "within"
    # a lower limit: too few is the risk; 3/250 upper bound 0.035 < 0.05: breach
    assert qtl_estimate(3, 250, limit=0.05, distribution="binomial", direction="lower").status == "breach"


def test_rate_status_and_empty_denominator():
    result = qtl_estimate(12, 30.5, limit=0.25, distribution="poisson")
    assert result.status == "signal"  # 0.393 > 0.25 but lower 0.203 is not
    empty = qtl_estimate(0, 0, limit=0.1, distribution="binomial")
    assert (empty.estimate, empty.status) == (None, "within")


def test_bad_counts_are_refused():
    with pytest.raises(ValueError, match="0 <= x <= n"):
        clopper_pearson(5, 3)
    with pytest.raises(ValueError, match="exposure > 0"):
        poisson_exact(1, 0)
