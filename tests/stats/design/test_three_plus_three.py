"""Exact 3+3 operating characteristics against Lin & Shih's closed forms and a brute-force enumeration.

Lin Y, Shih WJ (2001) Biostatistics 2:203-215 (doi:10.1093/biostatistics/2.2.203), section 2, give the A+B
design's probabilities with binomial terms b(k; m, p). With A = B = 3, C = D = E = 1 (the 3+3):
P0_j = b(0; 3), Q0_j = b(1; 3) b(0; 3), Q*_j = b(0; 3) [b(0; 3) + b(1; 3)], Q2_j = b(0; 3) P(Bin(3) >= 2);
without de-escalation P(MTD = i) = (1 - P0_{i+1} - Q0_{i+1}) prod_{j<=i} (P0_j + Q0_j); with de-escalation
P(MTD = i) = sum_{k>i} (Q0_i + Q*_i)(1 - P0_k - Q0_k) prod_{i<j<k} Q2_j prod_{j<i} (P0_j + Q0_j) and
P(MTD = n) = prod_j (P0_j + Q0_j) in both. The brute-force check plays the rules on every cohort outcome.
"""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opencro.stats.design.errors import DesignInputError
from opencro.stats.design.three_plus_three import three_plus_three_oc

TOL = 1e-12
SCENARIOS = [
    (0.05, 0.10, 0.20, 0.30, 0.50),
    (0.10, 0.25, 0.40, 0.55),
    (0.02, 0.04, 0.08, 0.15, 0.25, 0.40),
    (0.3,),
    (0.0, 0.0, 1.0),
    (0.5, 0.6, 0.7),
]


def b(k: int, p: float, m: int = 3) -> float:
    return math.comb(m, k) * p**k * (1 - p) ** (m - k)


def lin_shih_select(tox: tuple[float, ...], de_escalation: bool) -> list[float]:
    """P(MTD = dose i), i = 0 (none), 1..n, transcribed from Lin & Shih (2001) section 2 (1-based doses)."""
    n = len(tox)
    p = (None, *tox)
    p0 = [0.0] + [b(0, p[j]) for j in range(1, n + 1)] + [0.0]
    q0 = [0.0] + [b(1, p[j]) * b(0, p[j]) for j in range(1, n + 1)] + [0.0]
    qstar = [0.0] + [b(0, p[j]) * (b(0, p[j]) + b(1, p[j])) for j in range(1, n + 1)]
    q2 = [0.0] + [b(0, p[j]) * (b(2, p[j]) + b(3, p[j])) for j in range(1, n + 1)]
    passed = [p0[j] + q0[j] for j in range(n + 2)]
    out = []
    for i in range(n + 1):
        below = math.prod(passed[1:i])
        if i == n:
            out.append(math.prod(passed[1 : n + 1]))
        elif not de_escalation:
            out.append((1 - passed[i + 1]) * below * (passed[i] if i else 1.0))
        elif i == 0:
            out.append(0.0)
        else:
            total = 0.0
            for k in range(i + 1, n + 1):
                total += (q0[i] + qstar[i]) * (1 - passed[k]) * math.prod(q2[i + 1 : k]) * below
            out.append(total)
    if de_escalation:
        out[0] = 1.0 - sum(out[1:])
    return out


def lin_shih_expected_n(tox: tuple[float, ...]) -> list[float]:
    """E(N_j) without de-escalation: n_ij given MTD = i, summed over P(MTD = i) (Lin & Shih section 2.1):
    n_ij = (3 P0_j + 6 Q0_j)/(P0_j + Q0_j) for j <= i, n_ij = (3 b(>=2) + 6 b(1)(1 - b(0)))/(1 - P0_j - Q0_j)
    for j = i + 1, and 0 above."""
    n = len(tox)
    sel = lin_shih_select(tox, de_escalation=False)
    out = []
    for j in range(1, n + 1):
        p = tox[j - 1]
        p0, q0 = b(0, p), b(1, p) * b(0, p)
        passed = p0 + q0
        fail = 1 - passed
        at_pass = (3 * p0 + 6 * q0) / passed if passed > 0 else 0.0
        at_fail = (3 * (b(2, p) + b(3, p)) + 6 * b(1, p) * (1 - b(0, p))) / fail if fail > 0 else 0.0
        out.append(sum(sel[i] * at_pass for i in range(j, n + 1)) + sel[j - 1] * at_fail)
    return out


def brute_force(tox: tuple[float, ...], de_escalation: bool) -> dict[str, list[float]]:
    """Play the 3+3 rules on every combination of cohort outcomes, weighting each path by its probability."""
    k = len(tox)
    acc = {"select": [0.0] * (k + 1), "n": [0.0] * k, "y": [0.0] * k}

    def record(mtd: int | None, n: list[int], y: list[int], prob: float) -> None:
        acc["select"][k if mtd is None else mtd] += prob
        for j in range(k):
            acc["n"][j] += prob * n[j]
            acc["y"][j] += prob * y[j]

    def add(v: list[int], j: int, x: int) -> list[int]:
        w = list(v)
        w[j] += x
        return w

    def de_escalate(j: int, n: list[int], y: list[int], prob: float) -> None:
        if j < 0:
            record(None, n, y, prob)
        elif n[j] >= 6:
            record(j, n, y, prob)
        else:
            for w in range(4):
                n2, y2, p2 = add(n, j, 3), add(y, j, w), prob * b(w, tox[j])
                if y2[j] <= 1:
                    record(j, n2, y2, p2)
                else:
                    de_escalate(j - 1, n2, y2, p2)

    def stopped(d: int, n: list[int], y: list[int], prob: float) -> None:
        if de_escalation:
            de_escalate(d - 1, n, y, prob)
        else:
            record(d - 1 if d > 0 else None, n, y, prob)

    def escalate(d: int, n: list[int], y: list[int], prob: float) -> None:
        if d == k:
            record(k - 1, n, y, prob)
            return
        for x in range(4):
            n1, y1, p1 = add(n, d, 3), add(y, d, x), prob * b(x, tox[d])
            if x == 0:
                escalate(d + 1, n1, y1, p1)
            elif x == 1:
                for z in range(4):
                    n2, y2, p2 = add(n1, d, 3), add(y1, d, z), p1 * b(z, tox[d])
                    (escalate if z == 0 else stopped)(d + 1 if z == 0 else d, n2, y2, p2)
            else:
                stopped(d, n1, y1, p1)

    escalate(0, [0] * k, [0] * k, 1.0)
    return acc


@pytest.mark.parametrize("de_escalation", [True, False])
@pytest.mark.parametrize("tox", SCENARIOS)
def test_selection_matches_lin_shih(tox, de_escalation):
    oc = three_plus_three_oc(tox, de_escalation=de_escalation)
    expected = lin_shih_select(tox, de_escalation)
    assert oc.p_none == pytest.approx(expected[0], abs=TOL)
    assert oc.p_select == pytest.approx(expected[1:], abs=TOL)


@pytest.mark.parametrize("tox", SCENARIOS)
def test_expected_n_without_de_escalation_matches_lin_shih(tox):
    oc = three_plus_three_oc(tox, de_escalation=False)
    assert oc.expected_n == pytest.approx(lin_shih_expected_n(tox), abs=TOL)


@pytest.mark.parametrize("de_escalation", [True, False])
@pytest.mark.parametrize("tox", SCENARIOS)
def test_everything_matches_brute_force_enumeration(tox, de_escalation):
    oc = three_plus_three_oc(tox, de_escalation=de_escalation)
    brute = brute_force(tox, de_escalation)
    assert oc.p_select == pytest.approx(brute["select"][:-1], abs=TOL)
    assert oc.p_none == pytest.approx(brute["select"][-1], abs=TOL)
    assert oc.expected_n == pytest.approx(brute["n"], abs=TOL)
    assert oc.expected_dlt == pytest.approx(brute["y"], abs=TOL)
    assert oc.expected_total_n == pytest.approx(sum(brute["n"]), abs=TOL)


@given(
    st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=4).map(lambda v: tuple(sorted(v))),
    st.booleans(),
)
@settings(max_examples=60, deadline=None)
def test_property_probabilities_and_brute_force(tox, de_escalation):
    oc = three_plus_three_oc(tox, de_escalation=de_escalation)
    assert all(-1e-15 <= p <= 1 + 1e-15 for p in (*oc.p_select, oc.p_none))
    assert sum(oc.p_select) + oc.p_none == pytest.approx(1.0, abs=1e-12)
    brute = brute_force(tox, de_escalation)
    assert oc.p_select == pytest.approx(brute["select"][:-1], abs=1e-12)
    assert oc.expected_n == pytest.approx(brute["n"], abs=1e-12)


def test_single_dose_passes_with_storer_probability():
    # Escalation past a dose: (1 - p)^3 + 3 p (1 - p)^2 (1 - p)^3 = (1 - p)^3 + 3 p (1 - p)^5 (Storer 1989).
    for p in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
        oc = three_plus_three_oc([p], de_escalation=False)
        assert oc.p_select[0] == pytest.approx((1 - p) ** 3 + 3 * p * (1 - p) ** 5, abs=TOL)
    # the familiar rounded figures: 0.91, 0.71, 0.49, 0.31, 0.17, 0.08 for p = 0.1..0.6
    rounded = [round(three_plus_three_oc([p]).p_select[0], 2) for p in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)]
    assert rounded == [0.91, 0.71, 0.49, 0.31, 0.17, 0.08]


def test_degenerate_truths():
    safe = three_plus_three_oc([0.0, 0.0, 0.0])
    assert safe.p_select == (0.0, 0.0, 1.0)
    assert safe.expected_n == (3.0, 3.0, 3.0)
    assert safe.expected_total_dlt == 0.0
    toxic = three_plus_three_oc([1.0, 1.0])
    assert toxic.p_none == 1.0
    assert toxic.p_stop_first_dose == 1.0
    assert toxic.expected_n == (3.0, 0.0)
    assert toxic.expected_dlt == (3.0, 0.0)
    # dose 2 always toxic: with de-escalation dose 1 must reach 6 patients before it is declared the MTD
    oc = three_plus_three_oc([0.0, 1.0], de_escalation=True)
    assert oc.p_select == (1.0, 0.0)
    assert oc.expected_n == (6.0, 3.0)
    assert three_plus_three_oc([0.0, 1.0], de_escalation=False).expected_n == (3.0, 3.0)


def test_as_dict_keys():
    d = three_plus_three_oc([0.1, 0.3]).as_dict()
    assert d["design"] == "3+3"
    assert d["expected_total_n"] == pytest.approx(sum(d["expected_n"]))


@pytest.mark.parametrize(
    "tox, message",
    [
        ([], "at least one dose"),
        ([0.1, -0.1], "dose 2"),
        ([0.1, 1.2], "dose 2"),
        ([0.3, 0.2], "non-decreasing"),
        ([0.1, float("nan")], "finite"),
        ("abc", "finite"),
    ],
)
def test_bad_true_tox_is_refused(tox, message):
    with pytest.raises(DesignInputError, match=message) as err:
        three_plus_three_oc(tox)
    assert err.value.parameter == "true_tox"
