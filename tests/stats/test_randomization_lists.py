"""Permuted-block lists: block balance, stratification, reproducibility from the seed, bad input.

No R oracle applies: a list is a random draw, so the tests check the defining properties of permuted blocks
(Rosenberger & Lachin 2016, ch. 3: every block is a permutation of ratio * size / sum(ratio) slots per arm) and
the documented derivation of the random stream, and pin a few lists recorded from this implementation.
"""

import collections
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opencro.stats.randomization import (
    DesignInputError,
    RandomizationList,
    permuted_block_list,
    strata_of,
    stratum_label,
)


@st.composite
def designs(draw: st.DrawFn) -> dict:
    k = draw(st.integers(2, 4))
    ratio = draw(st.lists(st.integers(1, 3), min_size=k, max_size=k))
    multiples = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3, unique=True))
    factors = {f"f{i}": [f"l{j}" for j in range(draw(st.integers(1, 3)))] for i in range(draw(st.integers(0, 2)))}
    return {
        "arms": [f"arm{i}" for i in range(k)],
        "ratio": ratio,
        "block_sizes": [m * sum(ratio) for m in multiples],
        "factors": factors,
        "n_per_stratum": draw(st.integers(1, 40)),
        "seed": draw(st.integers(0, 2**64)),
    }


def _check_stratum(rlist: RandomizationList, stratum: tuple[str, ...], n: int) -> None:
    """The stratum is a concatenation of whole blocks, each a permutation with the ratio's counts."""
    rows = rlist.stratum_rows(stratum)
    total = sum(rlist.ratio)
    assert [r.sequence for r in rows] == list(range(1, len(rows) + 1))
    assert n <= len(rows) < n + max(rlist.block_sizes)
    blocks = [list(group) for _, group in itertools.groupby(rows, key=lambda r: r.block)]
    assert [b[0].block for b in blocks] == list(range(1, len(blocks) + 1))  # consecutive, each contiguous
    for block in blocks:
        size = len(block)
        assert size in rlist.block_sizes
        assert {r.block_size for r in block} == {size}
        counts = collections.Counter(r.arm for r in block)
        assert counts == {arm: w * size // total for arm, w in zip(rlist.arms, rlist.ratio, strict=True)}


@settings(max_examples=60, deadline=None)
@given(designs())
def test_every_stratum_is_whole_balanced_blocks(design):
    rlist = permuted_block_list(**design)
    levels = [tuple(levels) for levels in design["factors"].values()]
    assert rlist.strata == tuple(itertools.product(*levels))
    assert {r.stratum for r in rlist.rows} == set(rlist.strata)
    for stratum in rlist.strata:
        _check_stratum(rlist, stratum, design["n_per_stratum"])
    assert sum(rlist.arm_counts().values()) == len(rlist.rows)


@settings(max_examples=30, deadline=None)
@given(designs())
def test_same_seed_same_list(design):
    assert permuted_block_list(**design) == permuted_block_list(**design)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**64), st.integers(0, 2**64))
def test_different_seed_different_list(seed_a, seed_b):
    # 100 slots in blocks of 4: 6^25 equally likely lists, so two seeds agreeing by chance has probability 6^-25.
    if seed_a == seed_b:
        return
    a = permuted_block_list(["A", "B"], block_sizes=4, n_per_stratum=100, seed=seed_a)
    b = permuted_block_list(["A", "B"], block_sizes=4, n_per_stratum=100, seed=seed_b)
    assert [r.arm for r in a.rows] != [r.arm for r in b.rows]


def test_documented_stream_recipe_reproduces_the_list():
    """Stratum i shuffles with PCG64(SeedSequence(seed).spawn(n_strata)[i]): rejection-sampled integers from raw
    64-bit words and a Fisher-Yates shuffle from the last slot down (the Notes of permuted_block_list)."""
    seed, sizes, ratio, arms = 99, (3, 6), (2, 1), ("T", "C")
    factors = {"site": ["01", "02", "03"]}
    rlist = permuted_block_list(arms, ratio=ratio, block_sizes=sizes, n_per_stratum=20, factors=factors, seed=seed)
    children = np.random.SeedSequence(seed).spawn(3)
    for child, stratum in zip(children, rlist.strata, strict=True):
        bits = np.random.PCG64(child)

        def below(n, bits=bits):
            while True:
                word = int(bits.random_raw())
                if word < 2**64 - 2**64 % n:
                    return word % n

        expected = []
        while len(expected) < 20:
            size = sizes[below(2)]
            block = ["T"] * (2 * size // 3) + ["C"] * (size // 3)
            for i in range(size - 1, 0, -1):
                j = below(i + 1)
                block[i], block[j] = block[j], block[i]
            expected += block
        assert [r.arm for r in rlist.stratum_rows(stratum)] == expected


def test_first_stratum_equals_the_unstratified_list():
    kwargs = {"arms": ["A", "B"], "block_sizes": [2, 4], "n_per_stratum": 30, "seed": 5}
    plain = permuted_block_list(**kwargs)
    stratified = permuted_block_list(**kwargs, factors={"sex": ["F", "M"], "age": ["<65", ">=65"]})
    first = stratified.stratum_rows(("F", "<65"))
    assert [(r.block, r.sequence, r.arm) for r in first] == [(r.block, r.sequence, r.arm) for r in plain.rows]


@pytest.mark.parametrize(
    ("kwargs", "stratum", "arms", "sizes"),
    [
        # Recorded from this implementation (numpy 2.5.5, Python 3.13). A published list must be re-creatable
        # from its seed for ever: PCG64's integer stream is guaranteed stable by numpy, and everything else is
        # exact integer arithmetic, so these must never change.
        (
            {"arms": ["A", "B"], "block_sizes": [2, 4], "n_per_stratum": 16, "seed": 20260101},
            (),
            "BAABABABBAAABBBA",
            [2, 2, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2, 2],
        ),
        (
            {
                "arms": ["P", "L", "H"],
                "ratio": [1, 1, 2],
                "block_sizes": [4, 8],
                "n_per_stratum": 12,
                "factors": {"sex": ["F", "M"]},
                "seed": 7,
            },
            ("M",),
            "HLHPHPHLPHHL",
            [4] * 12,
        ),
    ],
)
def test_recorded_lists_do_not_change(kwargs, stratum, arms, sizes):
    rows = permuted_block_list(**kwargs).stratum_rows(stratum)
    assert "".join(r.arm for r in rows) == arms
    assert [r.block_size for r in rows] == sizes


def test_permutations_within_a_block_are_uniform():
    # 6,000 blocks of A,A,B,B: each of the 6 orders has probability 1/6, count 1,000 with binomial SD
    # sqrt(6000 * 1/6 * 5/6) = 28.9; allow 5 SD.
    rlist = permuted_block_list(["A", "B"], block_sizes=4, n_per_stratum=24_000, seed=11)
    arms = "".join(r.arm for r in rlist.rows)
    orders = collections.Counter(arms[i : i + 4] for i in range(0, len(arms), 4))
    assert len(orders) == 6
    sd = math.sqrt(6000 * (1 / 6) * (5 / 6))
    assert all(abs(count - 1000) < 5 * sd for count in orders.values())


def test_varied_block_sizes_are_drawn_uniformly():
    # Each block's size is 4 or 6 with probability 1/2; over the ~2,000 blocks of 10,000 slots the share of
    # size-4 blocks is within 5 binomial SE of 1/2.
    rlist = permuted_block_list(["A", "B"], block_sizes=[4, 6], n_per_stratum=10_000, seed=3)
    firsts = {}
    for r in rlist.rows:
        firsts.setdefault(r.block, r.block_size)
    sizes = list(firsts.values())
    share = sizes.count(4) / len(sizes)
    assert abs(share - 0.5) < 5 * math.sqrt(0.25 / len(sizes))


def test_n_rounds_up_to_whole_blocks():
    rlist = permuted_block_list(["A", "B", "C"], ratio=[2, 1, 1], block_sizes=8, n_per_stratum=10, seed=1)
    # 10 slots need two blocks of 8: 16 slots, 8 A, 4 B, 4 C.
    assert len(rlist.rows) == 16
    assert rlist.arm_counts() == {"A": 8, "B": 4, "C": 4}


def test_strata_and_labels():
    factors = (("site", ("01", "02")), ("sex", ("F", "M")))
    assert strata_of(factors) == (("01", "F"), ("01", "M"), ("02", "F"), ("02", "M"))
    assert strata_of(()) == ((),)
    assert stratum_label(("01", "F")) == "01|F"
    assert stratum_label(()) == ""


def test_summary_and_as_dict():
    rlist = permuted_block_list(["A", "B"], block_sizes=4, n_per_stratum=8, factors={"sex": ["F", "M"]}, seed=2)
    data = rlist.as_dict(rows=True)
    assert data["n_strata"] == 2 and data["total_slots"] == 16
    first = {"stratum": "F", "levels": ["F"], "blocks": 2, "slots": 8, "arm_counts": {"A": 4, "B": 4}}
    assert data["strata"][0] == first
    assert data["rows"][0]["stratum"] == "F" and data["rows"][0]["sequence"] == 1
    assert data["seed"] == 2 and data["factors"] == {"sex": ["F", "M"]}
    with pytest.raises(DesignInputError) as err:
        rlist.stratum_rows(("X",))
    assert err.value.parameter == "stratum"


def test_no_seed_draws_one_and_reports_it():
    rlist = permuted_block_list(["A", "B"], block_sizes=4, n_per_stratum=8)
    assert isinstance(rlist.seed, int) and rlist.seed >= 0
    again = permuted_block_list(["A", "B"], block_sizes=4, n_per_stratum=8, seed=rlist.seed)
    assert again.rows == rlist.rows


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"arms": []}, "arms"),
        ({"arms": ["A"]}, "arms"),
        ({"arms": ["A", "A"]}, "arms"),
        ({"arms": ["A", ""]}, "arms"),
        ({"arms": "AB"}, "arms"),
        ({"ratio": [1, 0]}, "ratio"),
        ({"ratio": [2, -1]}, "ratio"),
        ({"ratio": [1]}, "ratio"),
        ({"ratio": [1.5, 1]}, "ratio"),
        ({"block_sizes": [5]}, "block_sizes"),
        ({"ratio": [2, 1], "block_sizes": [4]}, "block_sizes"),
        ({"block_sizes": []}, "block_sizes"),
        ({"block_sizes": [0]}, "block_sizes"),
        ({"block_sizes": [4, 4]}, "block_sizes"),
        ({"n_per_stratum": 0}, "n_per_stratum"),
        ({"n_per_stratum": 2.5}, "n_per_stratum"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"factors": {"sex": []}}, "factors"),
        ({"factors": {"sex": ["F", "F"]}}, "factors"),
        ({"factors": {"site": ["a|b"]}}, "factors"),
        ({"factors": {"": ["F"]}}, "factors"),
        ({"factors": ["sex"]}, "factors"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, parameter):
    arguments = {"arms": ["A", "B"], "block_sizes": [4], "n_per_stratum": 8, "seed": 1} | kwargs
    with pytest.raises(DesignInputError) as err:
        permuted_block_list(**arguments)
    assert err.value.parameter == parameter
