"""KRI scores and flags (opencro.stats.monitoring) on examples small enough to work by hand.

The gsm oracle comparisons are in test_monitoring_gsm_oracle.py.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opencro.stats.monitoring import (
    KriDefinition,
    KriInputError,
    flag_fisher,
    flag_scores,
    kri_analyse,
    kri_funnel,
    kri_run,
    parse_thresholds,
    poisson_fit,
)

# Three groups of one subject each: A 2/10, B 4/10, C 6/20, so p = 12/40 = 0.3.
# Rate: z0 = (m - p) / sqrt(p / D) = -1/sqrt(3), +1/sqrt(3), 0; phi = mean(z0^2) = 2/9;
# adjusted z = z0 / sqrt(phi) = -+3/sqrt(6) = -+sqrt(6)/2.
# Binary: z0 = (m - p) / sqrt(p(1-p)/D) = -+0.1/sqrt(0.021), phi = 2 * 0.01 / 0.021 / 3 = 20/63, and z0 / sqrt(phi)
# is again -+sqrt(6)/2 (phi absorbs the variance's constant factor).
HAND = (["A", "B", "C"], [2, 4, 6], [10, 10, 20])


def _by_group(result):
    return {g.group: g for g in result.groups}


@pytest.mark.parametrize(("outcome_type", "phi"), [("rate", 2 / 9), ("binary", 20 / 63)])
def test_normal_by_hand(outcome_type, phi):
    result = kri_analyse(*HAND, method="normal", outcome_type=outcome_type, thresholds=(-1.2, -1, 1, 1.2))
    groups = _by_group(result)
    assert result.overall_metric == pytest.approx(0.3, rel=1e-15)
    assert result.dispersion == pytest.approx(phi, rel=1e-13)
    assert groups["A"].score == pytest.approx(-math.sqrt(6) / 2, rel=1e-13)
    assert groups["B"].score == pytest.approx(math.sqrt(6) / 2, rel=1e-13)
    assert groups["C"].score == pytest.approx(0.0, abs=1e-15)
    assert [groups[g].flag for g in "ABC"] == [-2, 2, 0]  # |z| = 1.2247 >= 1.2
    assert groups["C"].metric == 0.3 and groups["C"].numerator == 6 and groups["C"].n_subjects == 1


def test_subjects_are_summed_per_group():
    result = kri_analyse(["B", "A", "B", "A"], [1, 2, 3, 0], [5, 10, 5, 10], method="identity", thresholds=(0.1, 0.3))
    a, b = result.groups
    assert (a.group, a.n_subjects, a.numerator, a.denominator, a.metric) == ("A", 2, 2.0, 20.0, 0.1)
    assert (b.group, b.n_subjects, b.numerator, b.denominator, b.metric) == ("B", 2, 4.0, 10.0, 0.4)
    assert (a.score, a.flag, b.score, b.flag) == (0.1, 0, 0.4, 1)  # 0.1 <= 0.1 < 0.3: the middle interval


def test_flags_are_closed_on_the_left():
    # gsm's Flag: cut(score, c(-Inf, -3, -2, 2, 3, Inf), right = FALSE) -> [-Inf,-3) [-3,-2) [-2,2) [2,3) [3,Inf)
    scores = np.array([-3.5, -3.0, -2.5, -2.0, 0.0, 2.0, 2.5, 3.0, 7.0, np.nan])
    flags = flag_scores(scores, (-3, -2, 2, 3), (-2, -1, 0, 1, 2))
    assert flags.tolist() == [-2, -1, -1, 0, 0, 1, 1, 2, 2, -9]


def test_min_denominator_keeps_the_group_in_the_fit_but_unscored():
    full = kri_analyse(*HAND, method="normal", thresholds=(-3, -2, 2, 3))
    limited = kri_analyse(*HAND, method="normal", thresholds=(-3, -2, 2, 3), min_denominator=15)
    assert limited.dispersion == full.dispersion
    a_full, a_limited = _by_group(full)["A"], _by_group(limited)["A"]
    assert a_limited.score is None and a_limited.flag is None and a_limited.metric == a_full.metric == 0.2
    assert _by_group(limited)["C"].score == _by_group(full)["C"].score


def test_zero_denominator_groups_are_dropped():
    result = kri_analyse(["A", "B", "Z"], [1, 2, 0], [10, 10, 0], method="normal")
    assert [g.group for g in result.groups] == ["A", "B"] and result.dropped == ("Z",)
    assert result.overall_metric == pytest.approx(0.15)


def test_no_events_gives_zero_scores():
    result = kri_analyse(["A", "B"], [0, 0], [10, 30], method="normal", outcome_type="binary")
    assert [g.score for g in result.groups] == [0.0, 0.0] and result.dispersion == 0.0
    assert [g.flag for g in result.groups] == [0, 0]


def test_poisson_offset_by_hand():
    # N = (0, 5), D = (10, 10): rate 0.25, mu = 2.5 each. Deviance residuals: y = 0 -> -sqrt(2 mu) = -sqrt(5);
    # y = 5 -> sqrt(2 (5 log 2 - 2.5)) = sqrt(10 log 2 - 5).
    residuals, mu, (b0, b1) = poisson_fit(np.array([0.0, 5.0]), np.array([10.0, 10.0]))
    assert mu.tolist() == [2.5, 2.5] and b0 == pytest.approx(math.log(0.25)) and b1 == 1.0
    assert residuals[0] == pytest.approx(-math.sqrt(5), rel=1e-15)
    assert residuals[1] == pytest.approx(math.sqrt(10 * math.log(2) - 5), rel=1e-15)


def test_poisson_covariate_fit_solves_the_score_equations():
    n = np.array([3.0, 8.0, 20.0, 7.0, 41.0])
    d = np.array([50.0, 90.0, 400.0, 120.0, 600.0])
    residuals, mu, (b0, b1) = poisson_fit(n, d, "covariate")
    x = np.log(d)
    assert np.sum(n - mu) == pytest.approx(0, abs=1e-10) and np.sum((n - mu) * x) == pytest.approx(0, abs=1e-9)
    assert mu == pytest.approx(np.exp(b0 + b1 * x), rel=1e-14)
    unit = np.where(n > 0, n * np.log(n / mu), 0) - (n - mu)
    assert residuals == pytest.approx(np.sign(n - mu) * np.sqrt(2 * unit), rel=1e-12)


def test_fisher_by_hand():
    # A: 3 of 3, B: 0 of 3 -> the table [[3, 0], [0, 3]]: P(X = 3) = P(X = 0) = 1 / C(6, 3) = 1/20, and the
    # other two tables are more likely, so the two-sided p-value is 2/20 = 0.1 for each group.
    result = kri_analyse(["A", "B"], [3, 0], [3, 3], method="fisher", outcome_type="binary", thresholds=(0.05, 0.2))
    a, b = result.groups
    assert a.score == pytest.approx(0.1, rel=1e-14) and b.score == pytest.approx(0.1, rel=1e-14)
    assert (a.flag, b.flag) == (1, -1)
    strict = kri_analyse(["A", "B"], [3, 0], [3, 3], method="fisher", thresholds=(0.01, 0.05))
    assert [g.flag for g in strict.groups] == [0, 0]


def test_fisher_flag_levels_and_signs():
    p = np.array([0.001, 0.001, 0.03, 0.03, 0.5, np.nan])
    n = np.array([9.0, 1.0, 9.0, 1.0, 5.0, 5.0])
    d = np.full(6, 20.0)
    assert flag_fisher(p, n, d, (0.01, 0.05)).tolist() == [2, -2, 1, -1, 0, -9]


def test_fisher_single_group_has_no_score():
    (only,) = kri_analyse(["A", "A"], [1, 2], [5, 5], method="fisher", thresholds=(0.01, 0.05)).groups
    assert only.score is None and only.flag is None


def test_fisher_refuses_more_events_than_denominator():
    with pytest.raises(KriInputError, match="numerator <= denominator"):
        kri_analyse(["A", "B"], [30, 2], [10, 10], method="fisher", thresholds=(0.01, 0.05))


def test_normal_funnel_solves_back():
    result = kri_analyse(*HAND, method="normal", outcome_type="binary", thresholds=(-3, -2, 2, 3))
    funnel = kri_funnel(result)
    assert [line.threshold for line in funnel.lines] == [-3, -2, 2, 3, 0]
    p, phi = result.overall_metric, result.dispersion
    for line in funnel.lines:
        z = (line.metric - p) / np.sqrt(phi * p * (1 - p) / line.denominator)
        assert z == pytest.approx(np.full(z.size, line.threshold), abs=1e-12)
        assert np.all(line.numerator >= 0) and np.all(line.denominator > 0)
    # gsm's grid: min(D) - step .. max(D) + step by step = (20 - 10) / 250, 253 points
    assert funnel.lines[-1].denominator.size == 253
    assert funnel.lines[-1].denominator[0] == pytest.approx(10 - 0.04) and funnel.lines[-1].denominator[-1] == 20.04


def test_poisson_funnel_solves_back():
    result = kri_analyse(["A", "B", "C", "D"], [2, 30, 12, 9], [40, 300, 150, 90], method="poisson", thresholds=(-2, 2))
    funnel = kri_funnel(result)
    rate = 53 / 580
    for line in funnel.lines:
        mu = line.denominator * rate
        y = line.numerator
        if line.threshold == 0:
            assert y == pytest.approx(mu, rel=1e-14)
            continue
        dev = np.sign(y - mu) * np.sqrt(2 * (y * np.log(y / mu) - (y - mu)))
        assert dev == pytest.approx(np.full(y.size, line.threshold), abs=1e-9)
    lower = funnel.lines[0]
    # no lower limit where t^2 >= 2 mu (a count of 0 is then within the limit): D <= 2 / rate
    assert lower.denominator.min() > 2 / rate and funnel.lines[1].denominator.size == 253


def test_funnel_on_a_given_grid():
    result = kri_analyse(*HAND, method="normal", thresholds=(-2, 2))
    line = kri_funnel(result, (3,), denominators=[10, 40]).lines[0]
    assert line.threshold == 3 and line.denominator.tolist() == [10, 40]
    assert line.metric == pytest.approx(0.3 + 3 * np.sqrt(2 / 9 * 0.3 / np.array([10, 40])))


def test_funnel_needs_normal_or_poisson():
    result = kri_analyse(*HAND, method="identity", thresholds=(0.1, 0.2))
    with pytest.raises(KriInputError, match="normal and poisson"):
        kri_funnel(result)


GSM_META = {  # gsm's tests/testthat/testdata/metrics/kri0001.yaml, meta block
    "Type": "Analysis",
    "ID": "kri0001",
    "GroupLevel": "Site",
    "Abbreviation": "AE",
    "Metric": "Adverse Event Rate",
    "Numerator": "ae_count",
    "Denominator": "days",
    "Model": "Normal Approximation",
    "Score": "Adjusted Z-Score",
    "AnalysisType": "rate",
    "Threshold": "-2,-1,2,3",
    "nMinDenominator": 30,
}


def test_definition_from_gsm_meta_and_run():
    definition = KriDefinition.from_mapping(GSM_META)
    assert definition == KriDefinition(
        numerator="ae_count",
        denominator="days",
        method="normal",
        outcome_type="rate",
        thresholds=(-2.0, -1.0, 2.0, 3.0),
        min_denominator=30.0,
        id="kri0001",
        name="Adverse Event Rate",
    )
    data = {"site": ["A", "B", "C"], "ae_count": [2, 4, 12], "days": [10, 10, 40]}  # p = 18/60 = C's metric
    result = kri_run(GSM_META, data, group_column="site")
    assert result.thresholds == (-2, -1, 2, 3) and all(g.score is None for g in result.groups[:2])
    assert result.groups[2].score == pytest.approx(0.0, abs=1e-15) and result.groups[2].flag == 0
    with pytest.raises(KriInputError, match="denominator: no column 'days'"):
        kri_run(GSM_META, {"site": ["A"], "ae_count": [1]}, group_column="site")


def test_definition_snake_case():
    definition = KriDefinition.from_mapping(
        {"numerator": "q", "denominator": "dp", "method": "poisson", "thresholds": [-7, -5, 5, 7]}
    )
    assert (definition.method, definition.thresholds, definition.min_denominator) == ("poisson", (-7, -5, 5, 7), None)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"numerator": "a", "denominator": "b", "treshold": "1,2"}, "treshold: is not a KRI definition key"),
        ({"numerator": "a"}, "denominator: needs the name of a column"),
        ({"numerator": "a", "denominator": "b", "Threshold": "-2,x,2"}, "'x' is not a number"),
        ({"numerator": "a", "denominator": "b", "Threshold": "2,-2"}, "must strictly increase"),
        ({"numerator": "a", "denominator": "b", "Model": "Bayes"}, "method: must be one of"),
        ({"numerator": "a", "denominator": "b", "method": "fisher", "thresholds": "-2,2"}, "two p-value thresholds"),
        ({"numerator": "a", "denominator": "b", "thresholds": "1,2,3"}, "give 4 flags for 3 thresholds"),
        ({"numerator": "a", "denominator": "b", "type": "count"}, "must be binary or rate"),
        ({"numerator": "a", "denominator": "b", "nMinDenominator": "many"}, "min_denominator: must be a number"),
    ],
)
def test_definition_errors(mapping, message):
    with pytest.raises(KriInputError, match=message):
        KriDefinition.from_mapping(mapping)


def test_explicit_flags_for_three_thresholds():
    result = kri_analyse(*HAND, method="identity", thresholds=(0.25, 0.35, 0.5), flags=(0, 1, 2, 3))
    assert [g.flag for g in result.groups] == [0, 2, 1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((["A"], [-1], [10]), "numerator: value -1.0 at subject 1"),
        ((["A", "B"], [1, 2], [10, float("nan")]), "denominator: value nan at subject 2"),
        ((["A", "B"], [1], [10, 3]), "one value per subject"),
        ((["A"], [0], [0]), "every group's denominator is 0"),
        (([], [], []), "no subjects"),
        ((np.array(["A", None], dtype=object), [1, 2], [3, 4]), "a subject has no group"),
        ((np.array(["A", 1.5], dtype=object), [1, 2], [3, 4]), "all text or all numbers"),
    ],
)
def test_input_errors(args, message):
    with pytest.raises(KriInputError, match=message):
        kri_analyse(*args, method="normal")


def test_parse_thresholds():
    assert parse_thresholds(" -3, -2,2 ,3") == (-3, -2, 2, 3)
    with pytest.raises(KriInputError, match="must be finite"):
        parse_thresholds("1,inf")


def test_flag_counts():
    result = kri_analyse(*HAND, method="identity", thresholds=(0.25, 0.35), min_denominator=15)
    assert result.flag_counts() == {"-1": 0, "0": 1, "1": 0, "none": 2}


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 20), st.integers(1, 40)).map(
            lambda t: (t[0], min(t[1], t[2]), t[2])
        ),
        min_size=2,
        max_size=30,
    ),
    st.randoms(use_true_random=False),
)
def test_scores_do_not_depend_on_subject_order(rows, rnd):
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    for method, thresholds in (("normal", (-2, 2)), ("poisson", (-2, 2)), ("fisher", (0.01, 0.05))):
        one = kri_analyse(*zip(*rows, strict=True), method=method, thresholds=thresholds)
        two = kri_analyse(*zip(*shuffled, strict=True), method=method, thresholds=thresholds)
        assert [g.group for g in one.groups] == [g.group for g in two.groups]
        for a, b in zip(one.groups, two.groups, strict=True):
            assert a.flag == b.flag or (a.score is not None and b.score is not None)
            if a.score is not None:
                assert b.score == pytest.approx(a.score, rel=1e-9, abs=1e-12)
