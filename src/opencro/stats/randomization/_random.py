"""The random draws behind every randomisation method: PCG64 integer streams keyed by seed and position.

Stream `index` of a seed is the PCG64 bit generator seeded with ``SeedSequence(seed, spawn_key=(index,))``, which
is exactly ``SeedSequence(seed).spawn(n)[index]`` - the generator ``numpy.random.Generator(PCG64(...))`` wraps.
Only its raw 64-bit words are used: numpy guarantees that "a fixed seed will always produce the same random
integer stream" for PCG64 (its docstring, Compatibility Guarantee), whereas `Generator` methods such as
`integers`, `permutation` and `random` may change between numpy releases (numpy's random compatibility policy,
NEP 19). Integers below n are drawn from the raw words by rejection and shuffles are Fisher-Yates on those
integers, in exact Python integer arithmetic, so a list or an allocation depends on the seed and the arguments
only: it is the same on every platform and numpy version.
"""

from collections.abc import MutableSequence, Sequence

import numpy as np

_WORD = 1 << 64
_UNIT = 2.0**-53


def stream(seed: int, index: int) -> np.random.PCG64:
    """The PCG64 generator of stream `index` (>= 0) of `seed`."""
    return np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(index,)))


def below(bits: np.random.PCG64, n: int) -> int:
    """A uniform integer in [0, n) from raw 64-bit words (rejection sampling, no modulo bias)."""
    limit = _WORD - _WORD % n
    while True:
        word = int(bits.random_raw())
        if word < limit:
            return word % n


def shuffle(items: MutableSequence[str], bits: np.random.PCG64) -> None:
    """Fisher-Yates shuffle in place: for i from the last index down to 1, swap item i with item below(i + 1)."""
    for i in range(len(items) - 1, 0, -1):
        j = below(bits, i + 1)
        items[i], items[j] = items[j], items[i]


def unit(bits: np.random.PCG64) -> float:
    """A uniform number in [0, 1) on the 2**-53 grid: the top 53 bits of one raw word."""
    return (int(bits.random_raw()) >> 11) * _UNIT


def pick(probabilities: Sequence[float], u: float) -> int:
    """The index whose cumulative-probability interval holds u (indices with probability 0 are never picked)."""
    total = 0.0
    last = 0
    for i, p in enumerate(probabilities):
        if p <= 0.0:
            continue
        total += p
        last = i
        if u < total:
            return i
    return last  # u at or above a cumulative sum rounded just below 1
