"""Pre-generated randomisation lists: stratified permuted blocks with fixed or randomly varied block sizes."""

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from opencro.stats.design.errors import DesignInputError
from opencro.stats.randomization import _random
from opencro.stats.randomization._checks import (
    STRATUM_SEPARATOR,
    check_arms,
    check_count,
    check_factors,
    check_ratio,
    check_seed,
)

Stratum = tuple[str, ...]
Factors = tuple[tuple[str, tuple[str, ...]], ...]

METHOD = "Stratified permuted-block randomisation"
REFERENCE = (
    "Rosenberger WF, Lachin JM (2016). Randomization in Clinical Trials: Theory and Practice, 2nd ed., ch. 3. "
    "Wiley. doi:10.1002/9781118742112; Matts JP, Lachin JM (1988). Properties of permuted-block randomization "
    "in clinical trials. Controlled Clinical Trials 9:327-344. doi:10.1016/0197-2456(88)90047-5"
)


@dataclass(frozen=True)
class ListRow:
    """One slot of a list: its stratum (one level name per factor, in factor order; () when unstratified), the
    block it belongs to (1, 2, ... within the stratum), its sequence number within the stratum (1, 2, ...,
    consecutive), the size of its block and the arm it allocates."""

    stratum: Stratum
    block: int
    sequence: int
    block_size: int
    arm: str


def strata_of(factors: Factors) -> tuple[Stratum, ...]:
    """Every stratum: the Cartesian product of the factor levels, first factor varying slowest; ((),) if none."""
    return tuple(itertools.product(*(levels for _, levels in factors)))


def stratum_label(stratum: Sequence[str]) -> str:
    """The stratum as written in the CSV format: its level names joined with "|" ("" when unstratified)."""
    return STRATUM_SEPARATOR.join(stratum)


@dataclass(frozen=True)
class RandomizationList:
    """A randomisation list: its rows, stratum by stratum in `strata` order, each stratum in sequence order.

    `factors` pairs each factor name with its levels (declared order); `block_sizes` are the sizes the list was
    generated from (for an imported list, the sizes found in it). `seed` and `n_per_stratum` are None for an
    imported list. Every block is complete: its arm counts are the ratio times block size / sum(ratio).
    """

    arms: tuple[str, ...]
    ratio: tuple[int, ...]
    factors: Factors
    block_sizes: tuple[int, ...]
    rows: tuple[ListRow, ...]
    seed: int | None = None
    n_per_stratum: int | None = None
    method: str = METHOD
    reference: str = REFERENCE
    _by_stratum: dict[Stratum, tuple[ListRow, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        groups: dict[Stratum, list[ListRow]] = {stratum: [] for stratum in self.strata}
        for row in self.rows:
            groups.setdefault(row.stratum, []).append(row)
        object.__setattr__(self, "_by_stratum", {stratum: tuple(rows) for stratum, rows in groups.items()})

    @property
    def strata(self) -> tuple[Stratum, ...]:
        return strata_of(self.factors)

    @property
    def factor_levels(self) -> dict[str, tuple[str, ...]]:
        return dict(self.factors)

    def stratum_rows(self, stratum: Sequence[str]) -> tuple[ListRow, ...]:
        """The rows of one stratum, in sequence order."""
        key = tuple(stratum)
        if key not in self._by_stratum:
            raise DesignInputError("stratum", f"{stratum_label(key)!r} is not a stratum of this list")
        return self._by_stratum[key]

    def arm_counts(self, stratum: Sequence[str] | None = None) -> dict[str, int]:
        """Slots per arm in one stratum, or in the whole list when `stratum` is None."""
        rows = self.rows if stratum is None else self.stratum_rows(stratum)
        counts = dict.fromkeys(self.arms, 0)
        for row in rows:
            counts[row.arm] += 1
        return counts

    def summary(self) -> list[dict[str, object]]:
        """Per stratum: its label, levels, number of blocks and slots, and slots per arm."""
        return [
            {
                "stratum": stratum_label(stratum),
                "levels": list(stratum),
                "blocks": rows[-1].block if rows else 0,
                "slots": len(rows),
                "arm_counts": self.arm_counts(stratum),
            }
            for stratum, rows in self._by_stratum.items()
        ]

    def as_dict(self, *, rows: bool = False) -> dict[str, object]:
        """The list's settings and per-stratum summary (and every row when `rows`), ready for JSON."""
        out: dict[str, object] = {
            "method": self.method,
            "arms": list(self.arms),
            "ratio": list(self.ratio),
            "factors": {name: list(levels) for name, levels in self.factors},
            "block_sizes": list(self.block_sizes),
            "seed": self.seed,
            "n_per_stratum": self.n_per_stratum,
            "n_strata": len(self._by_stratum),
            "total_slots": len(self.rows),
            "arm_counts": self.arm_counts(),
            "strata": self.summary(),
            "reference": self.reference,
        }
        if rows:
            out["rows"] = [
                {
                    "stratum": stratum_label(r.stratum),
                    "block": r.block,
                    "sequence": r.sequence,
                    "block_size": r.block_size,
                    "arm": r.arm,
                }
                for r in self.rows
            ]
        return out


def check_block_sizes(block_sizes: object, ratio: Sequence[int]) -> tuple[int, ...]:
    """Distinct whole block sizes, each a multiple of sum(ratio) (so every block holds the ratio exactly)."""
    if isinstance(block_sizes, int) and not isinstance(block_sizes, bool):
        block_sizes = (block_sizes,)
    if isinstance(block_sizes, str) or not isinstance(block_sizes, Sequence) or not block_sizes:
        raise DesignInputError("block_sizes", f"must be a non-empty sequence of whole numbers, not {block_sizes!r}")
    total = sum(ratio)
    sizes = tuple(check_count("block_sizes", size) for size in block_sizes)
    for size in sizes:
        if size % total:
            ratio_text = ":".join(str(r) for r in ratio)
            raise DesignInputError(
                "block_sizes", f"{size} is not a multiple of {total}, the sum of the ratio {ratio_text}"
            )
    if len(set(sizes)) != len(sizes):
        raise DesignInputError("block_sizes", f"sizes must be distinct, not {', '.join(map(str, sizes))}")
    return sizes


def permuted_block_list(
    arms: Sequence[str],
    *,
    block_sizes: Sequence[int] | int,
    n_per_stratum: int,
    ratio: Sequence[int] | None = None,
    factors: Mapping[str, Sequence[str]] | None = None,
    seed: int | None = None,
) -> RandomizationList:
    """Generate a stratified permuted-block randomisation list.

    Parameters
    ----------
    arms : sequence of str
        Arm names, at least two, distinct.
    block_sizes : sequence of int or int
        Allowed block sizes, each a multiple of ``sum(ratio)``. One size gives fixed blocks; several give
        randomly varied blocks, each block's size drawn uniformly from them (with replacement).
    n_per_stratum : int
        Slots wanted per stratum: whole blocks are generated until a stratum holds at least this many, so a
        stratum may hold up to ``max(block_sizes) - 1`` more.
    ratio : sequence of int, optional
        Allocation ratio, one positive whole weight per arm (2:1 is ``(2, 1)``); equal allocation by default.
    factors : mapping of str to sequence of str, optional
        Stratification factors, ``{name: levels}``. The strata are the Cartesian product of the levels (first
        factor varying slowest); one list is generated per stratum. None or {} gives one unstratified list.
    seed : int, optional
        Non-negative seed; None draws fresh entropy, reported in the result's `seed`.

    Returns
    -------
    RandomizationList
        Rows stratum by stratum, each stratum with blocks 1, 2, ... and sequence numbers 1, 2, ...

    Raises
    ------
    DesignInputError
        For bad input, naming the parameter (arms, ratio, block_sizes, n_per_stratum, factors, seed).

    Notes
    -----
    A block of size b holds ``b * r_j / sum(r)`` slots of arm j in a uniformly random order (a random
    permutation of the block's multiset), so the arm counts of a stratum return to the ratio at the end of every
    block (with 1:1 allocation the difference between arms never exceeds half the largest block). Block sizes
    that vary at random make the end of a block harder to guess, reducing selection bias in unmasked trials
    (Rosenberger & Lachin 2016, ch. 3; Matts & Lachin 1988).

    Reproducibility: the same seed and arguments give the same list on every run, platform and numpy version.
    Stratum i (0-based, in `strata_of` order) draws from its own PCG64 stream seeded with
    ``SeedSequence(seed).spawn(n_strata)[i]``; within a stratum each block first draws its size (only when
    there are several sizes) and then shuffles its slots, using only PCG64's raw integer stream (see
    `opencro.stats.randomization._random`). A stratum's list therefore depends on its position in the product,
    not on how many strata follow it; the first stratum's list equals the unstratified list for the same seed.

    References
    ----------
    Rosenberger WF, Lachin JM (2016). Randomization in Clinical Trials: Theory and Practice, 2nd ed., ch. 3.
    Wiley. doi:10.1002/9781118742112

    Matts JP, Lachin JM (1988). Properties of permuted-block randomization in clinical trials. Controlled
    Clinical Trials 9(4):327-344. doi:10.1016/0197-2456(88)90047-5
    """
    arm_names = check_arms(arms)
    weights = check_ratio(ratio, len(arm_names))
    sizes = check_block_sizes(block_sizes, weights)
    n = check_count("n_per_stratum", n_per_stratum)
    checked_factors = check_factors(factors)
    seed_value = check_seed(seed)
    total = sum(weights)
    rows: list[ListRow] = []
    for index, stratum in enumerate(strata_of(checked_factors)):
        bits = _random.stream(seed_value, index)
        sequence = 0
        block = 0
        while sequence < n:
            size = sizes[_random.below(bits, len(sizes))] if len(sizes) > 1 else sizes[0]
            slots = [arm for arm, weight in zip(arm_names, weights, strict=True) for _ in range(weight * size // total)]
            _random.shuffle(slots, bits)
            block += 1
            for arm in slots:
                sequence += 1
                rows.append(ListRow(stratum=stratum, block=block, sequence=sequence, block_size=size, arm=arm))
    return RandomizationList(
        arms=arm_names,
        ratio=weights,
        factors=checked_factors,
        block_sizes=sizes,
        rows=tuple(rows),
        seed=seed_value,
        n_per_stratum=n,
    )
