"""Efron's biased coin (Efron 1971, Biometrika 58:403): probabilities by the sign of the imbalance, behaviour
over many allocations, replay, bad input."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencro.stats.randomization import DesignInputError, EfronBiasedCoin, efron_probabilities


@pytest.mark.parametrize(
    ("imbalance", "expected"),
    [
        # D = n_A - n_B. Efron's rule: the arm behind gets p, the arm ahead 1 - p, a fair coin when balanced.
        (-3, (2 / 3, 1 / 3)),
        (-1, (2 / 3, 1 / 3)),
        (0, (0.5, 0.5)),
        (1, (1 / 3, 2 / 3)),
        (5, (1 / 3, 2 / 3)),
    ],
)
def test_probabilities_by_sign(imbalance, expected):
    assert efron_probabilities(imbalance) == pytest.approx(expected, abs=1e-15)


@given(st.integers(-100, 100), st.floats(0.5, 1.0, exclude_min=True))
def test_probabilities_any_p(imbalance, p):
    first, second = efron_probabilities(imbalance, p)
    assert first + second == pytest.approx(1.0)
    behind = first if imbalance < 0 else second
    assert behind == (p if imbalance else 0.5)


def test_each_allocation_uses_the_probabilities_of_its_imbalance():
    coin = EfronBiasedCoin(("T", "C"), seed=8)
    for _ in range(200):
        before = coin.imbalance
        allocation = coin.assign()
        assert allocation.imbalance == before
        assert tuple(allocation.probabilities.values()) == efron_probabilities(before, 2 / 3)
        assert allocation.arm == ("T" if allocation.uniform < allocation.probabilities["T"] else "C")
        assert coin.imbalance == before + (1 if allocation.arm == "T" else -1)


def test_the_arm_behind_is_chosen_two_thirds_of_the_time():
    # 20,000 allocations with p = 2/3: of the steps taken when D != 0, the share going to the arm behind is
    # within 5 binomial standard errors of 2/3.
    coin = EfronBiasedCoin(seed=2026)
    towards = steps = 0
    for _ in range(20_000):
        before = coin.imbalance
        allocation = coin.assign()
        if before:
            steps += 1
            towards += (allocation.arm == "A") == (before < 0)
    assert abs(towards / steps - 2 / 3) < 5 * math.sqrt((2 / 9) / steps)


def test_p_one_gives_pairs():
    coin = EfronBiasedCoin(p=1.0, seed=1)
    for _ in range(100):
        coin.assign()
        assert abs(coin.imbalance) <= 1
    assert coin.imbalance == 0


def test_replay_rebuilds_the_state():
    run = EfronBiasedCoin(seed=77)
    allocations = [run.assign() for _ in range(40)]
    rebuilt = EfronBiasedCoin(seed=77)
    rebuilt.replay([a.arm for a in allocations[:25]], verify=True)
    assert [rebuilt.assign() for _ in range(15)] == allocations[25:]
    assert rebuilt.arm_counts() == run.arm_counts()
    tampered = [a.arm for a in allocations]
    tampered[4] = "B" if tampered[4] == "A" else "A"
    with pytest.raises(DesignInputError) as err:
        EfronBiasedCoin(seed=77).replay(tampered, verify=True)
    assert err.value.parameter == "arm"


def test_recorded_allocations_do_not_change():
    # Recorded from this implementation (numpy 2.5.5): allocations must be re-creatable from the seed.
    coin = EfronBiasedCoin(seed=20260101)
    assert "".join(coin.assign().arm for _ in range(20)) == "BAABABABABBABAAAAABA"
    assert coin.as_dict()["n_allocated"] == 20


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"arms": ("A", "B", "C")}, "arms"),
        ({"arms": ("A",)}, "arms"),
        ({"p": 0.5}, "p"),
        ({"p": 1.2}, "p"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, parameter):
    with pytest.raises(DesignInputError) as err:
        EfronBiasedCoin(**kwargs)
    assert err.value.parameter == parameter
    with pytest.raises(DesignInputError) as err:
        EfronBiasedCoin(seed=1).record("Z")
    assert err.value.parameter == "arm"
    with pytest.raises(DesignInputError) as err:
        efron_probabilities(0.5)
    assert err.value.parameter == "imbalance"


@given(cut=st.integers(0, 40), seed=st.integers(0, 2**32))
def test_restoring_the_coins_state_continues_like_an_uninterrupted_run(cut, seed):
    whole = EfronBiasedCoin(seed=seed)
    expected = [whole.assign().arm for _ in range(40)]
    first = EfronBiasedCoin(seed=seed)
    arms = [first.assign().arm for _ in range(cut)]
    resumed = EfronBiasedCoin(seed=seed)
    resumed.restore(first.state())
    arms += [resumed.assign().arm for _ in range(40 - cut)]
    assert arms == expected
    with pytest.raises(DesignInputError, match="state"):
        resumed.restore({"n": 3, "totals": {"A": 1, "B": 1}})
