"""Feasibility statistics: Marshall's shrinkage by hand, the streaming aggregator against a naive one, scoring."""

import math
import random
from collections import defaultdict

import numpy as np
import pytest

from opencro.stats.feasibility import (
    Component,
    HistoryAggregator,
    QuestionRule,
    competition_fraction,
    question_points,
    ratio_fraction,
    shrink_rates,
    weighted_score,
)


def test_shrinkage_by_hand():
    """K = 30, 2, 0 over T = 10, 4, 2 months in one group.

    m = 32 / 16 = 2; r = 3, 0.5, 0; s2 = (10*1 + 4*2.25 + 2*4) / 16 = 27/16; v = 27/16 - 2 / (16/3) = 1.3125;
    C = v / (v + m/T) = 0.8677686, 0.7241379, 0.5675676; shrunk = m + C (r - m) = 2.8677686, 0.9137931, 0.8648649,
    which is the Gamma(m^2/v, m/v) posterior mean (a + K) / (b + T): (3.047619 + 30) / (1.523810 + 10) = 2.8677686.
    """
    shrunk, mean, variance = shrink_rates(np.array([30.0, 2, 0]), np.array([10.0, 4, 2]), np.array([0, 0, 0]), 1)
    assert mean[0] == pytest.approx(2.0)
    assert variance[0] == pytest.approx(1.3125)
    assert shrunk == pytest.approx([2.8677686, 0.9137931, 0.8648649], rel=1e-6)
    a, b = 4 / 1.3125, 2 / 1.3125
    assert shrunk[0] == pytest.approx((a + 30) / (b + 10))


def test_no_overdispersion_pulls_every_rate_to_the_mean():
    """K = 10, 2, 0 over T = 10, 4, 2: s2 = 0.125 < m / mean T = 0.140625, so v = 0 and all rates are m = 0.75."""
    shrunk, _mean, variance = shrink_rates(np.array([10.0, 2, 0]), np.array([10.0, 4, 2]), np.zeros(3, int), 1)
    assert variance[0] == 0.0
    assert shrunk == pytest.approx([0.75, 0.75, 0.75])


def test_groups_shrink_separately_and_unexposed_units_get_the_group_mean():
    k, t, g = np.array([30.0, 2, 0, 5, 7]), np.array([10.0, 4, 2, 0, 7]), np.array([0, 0, 0, 1, 1])
    shrunk, mean, _variance = shrink_rates(k, t, g, 3)
    assert shrunk[:3] == pytest.approx([2.8677686, 0.9137931, 0.8648649], rel=1e-6)
    assert mean[1] == pytest.approx(1.0)  # the unit without exposure does not count
    assert shrunk[3:] == pytest.approx([1.0, 1.0])
    assert math.isnan(mean[2])


def _naive(rows):
    """Every row kept in memory, sums per facility and country in plain Python."""
    k, t, n_rows, rated, country, city = (
        defaultdict(float),
        defaultdict(float),
        defaultdict(int),
        defaultdict(int),
        {},
        {},
    )
    competing_country, competing_city = defaultdict(set), defaultdict(set)
    for key, c, place, share, months, comp, trial in rows:
        country.setdefault(key, c)
        city.setdefault(key, place)
        n_rows[key] += 1
        if not (math.isnan(share) or math.isnan(months)) and months > 0:
            k[key] += share
            t[key] += months
            rated[key] += 1
        if comp:
            competing_country[c].add(trial)
            competing_city[(c, place.casefold())].add(trial)
    return k, t, n_rows, rated, country, competing_country, competing_city


def test_streaming_aggregation_equals_the_naive_sums_whatever_the_chunks():
    rng = random.Random(11)
    countries = ["France", "Spain", "Japan"]
    rows = []
    for trial in range(400):
        sites = rng.randint(1, 6)
        enrolled = rng.choice([float("nan"), rng.randint(0, 300)])
        months = rng.choice([float("nan"), 0.0, rng.uniform(1, 40)])
        competing = rng.random() < 0.2
        for _ in range(sites):
            key = f"f{rng.randint(0, 150)}"
            rows.append((key, countries[hash(key) % 3], f"City{int(key[1:]) % 7}", enrolled / sites, months,
                         competing, trial))  # fmt: skip
    k, t, n_rows, rated, country, competing_country, competing_city = _naive(rows)
    for chunk in (1, 7, 1000, len(rows)):
        agg = HistoryAggregator()
        for start in range(0, len(rows), chunk):
            part = list(zip(*rows[start : start + chunk], strict=True))
            agg.add(part[0], part[1], part[2], np.array(part[3]), np.array(part[4]), part[5], part[6])
        history = agg.finish()
        assert agg.rows == len(rows)
        for key in k.keys() | n_rows.keys():
            got = history.facility(key)
            assert got.trials == n_rows[key] and got.rate_trials == rated[key]
            assert got.recruited == pytest.approx(k[key]) and got.months == pytest.approx(t[key])
            assert got.country == country[key]
        for name in countries:
            assert history.country(name).competing_trials == len(competing_country[name])
        for (name, place), trials in competing_city.items():
            assert history.competing(name, place.upper()) == len(trials)
        # shrinkage and medians as computed from the naive sums
        keys = sorted(k, key=lambda key: history.keys.index(key))
        groups = np.array([history.countries.index(country[key]) for key in keys])
        expected, _m, _v = shrink_rates(np.array([k[x] for x in keys]), np.array([t[x] for x in keys]), groups, 3)
        got = [history.facility(x).shrunk_rate for x in keys]
        assert [g for g, x in zip(got, keys, strict=True) if t[x] > 0] == pytest.approx(
            [e for e, x in zip(expected, keys, strict=True) if t[x] > 0]
        )
        assert all(g is None for g, x in zip(got, keys, strict=True) if t[x] <= 0)  # no exposure: no rate
        for c, name in enumerate(history.countries):
            exposed = [expected[i] for i, key in enumerate(keys) if groups[i] == c and t[key] > 0]
            assert history.country(name).median_rate == pytest.approx(float(np.median(exposed)))
            assert history.country(name).facilities == len(exposed)


def test_unknown_facility_and_country():
    history = HistoryAggregator().finish()
    assert history.facility("nowhere") is None
    assert history.country("Atlantis").median_rate is None
    assert history.top_facilities("Atlantis") == []


def test_chunk_columns_must_agree_and_competing_rows_need_trials():
    agg = HistoryAggregator()
    with pytest.raises(ValueError, match="same length"):
        agg.add(["a"], ["France"], ["Lyon", "Paris"], [1.0], [1.0])
    with pytest.raises(ValueError, match="trial ids"):
        agg.add(["a"], ["France"], ["Lyon"], [1.0], [1.0], [True])


@pytest.mark.parametrize(
    ("rule", "value", "points"),
    [
        (QuestionRule("yes_no"), "yes", 1.0),
        (QuestionRule("yes_no"), "no", 0.0),
        (QuestionRule("yes_no", yes_is_good=False), "no", 1.0),
        (QuestionRule("number", threshold=10), "5", 0.5),
        (QuestionRule("number", threshold=10), "25", 1.0),
        (QuestionRule("number", threshold=10), "-3", 0.0),
        (QuestionRule("number"), "3", 1.0),
        (QuestionRule("number", threshold=10), "many", 0.0),
        (QuestionRule("choice", choices=(("none", 0.0), ("some", 0.5))), "some", 0.5),
        (QuestionRule("choice", choices=(("none", 0.0), ("some", 0.5))), "other", 0.0),
        (QuestionRule("yes_no"), None, 0.0),
    ],
)
def test_question_points(rule, value, points):
    assert question_points(rule, value) == points


def test_weighted_score_by_hand_and_neutral_components():
    """(40 * 0.75 + 20 * 0.5 (no data: neutral) + 40 * 0) / 100 = 40."""
    score = weighted_score(
        [Component("a", 40, 0.75, ""), Component("b", 20, None, "no data"), Component("c", 40, 0.0, "")]
    )
    assert score.total == pytest.approx(40.0)
    assert weighted_score([]).total == 0.0
    with pytest.raises(ValueError):
        weighted_score([Component("a", 1, 1.5, "")])
    with pytest.raises(ValueError):
        weighted_score([Component("a", -1, 0.5, "")])


def test_ratio_and_competition_fractions():
    assert ratio_fraction(1.0, 1.0, higher_is_better=True) == 0.5
    assert ratio_fraction(3.0, 1.0, higher_is_better=True) == 1.0
    assert ratio_fraction(0.5, 1.0, higher_is_better=False) == 0.75
    assert ratio_fraction(3.0, 1.0, higher_is_better=False) == 0.0
    assert ratio_fraction(None, 1.0, higher_is_better=True) is None
    assert ratio_fraction(1.0, 0.0, higher_is_better=True) is None
    assert [competition_fraction(n) for n in (0, 1, 3)] == [1.0, 0.5, 0.25]
    with pytest.raises(ValueError):
        competition_fraction(-1)
