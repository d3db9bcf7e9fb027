"""Pocock-Simon minimisation: dynamic allocation balancing the marginal counts of several factors at once."""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from opencro.stats.design.errors import DesignInputError, check_positive
from opencro.stats.randomization import _random
from opencro.stats.randomization._checks import (
    check_arms,
    check_factors,
    check_probability_above,
    check_ratio,
    check_seed,
)
from opencro.stats.randomization.lists import Factors

METHODS = ("range", "variance", "sd")
METHOD = "Pocock-Simon minimisation with Han-Enas-McEntegart biased-coin probabilities"
REFERENCE = (
    "Pocock SJ, Simon R (1975). Sequential treatment assignment with balancing for prognostic factors in the "
    "controlled clinical trial. Biometrics 31:103-115. doi:10.2307/2529712; Taves DR (1974). Minimization: a new "
    "method of assigning patients to treatment and control groups. Clin Pharmacol Ther 15:443-453. "
    "doi:10.1002/cpt1974155443; Han B, Enas NH, McEntegart D (2009). Randomization by minimization for "
    "unbalanced treatment allocation. Stat Med 28:3329-3346. doi:10.1002/sim.3710"
)
_TIE = 1e-9  # relative tolerance under which two total imbalances count as tied


@dataclass(frozen=True)
class Allocation:
    """One minimisation allocation.

    `sequence` is the allocation's position (1-based) among all allocations of the `Minimisation`; `levels`
    the subject's factor levels. `scores[k]` is the weighted total imbalance G_k the allocation would leave if
    the subject went to arm k; `preferred` lists the arms with the least G (several when tied);
    `probabilities[k]` is the probability arm k was given with; `uniform` is the draw in [0, 1) that chose `arm`
    (kept so an auditor can re-derive the choice from the probabilities).
    """

    sequence: int
    arm: str
    levels: dict[str, str]
    scores: dict[str, float]
    probabilities: dict[str, float]
    preferred: tuple[str, ...]
    uniform: float

    def as_dict(self) -> dict[str, object]:
        return {
            "sequence": self.sequence,
            "arm": self.arm,
            "levels": dict(self.levels),
            "scores": dict(self.scores),
            "probabilities": dict(self.probabilities),
            "preferred": list(self.preferred),
            "uniform": self.uniform,
        }


@dataclass(frozen=True)
class Scores:
    """What minimisation would do for a subject, without allocating: total imbalance per arm, the preferred
    arms and the allocation probabilities (see `Allocation`)."""

    scores: dict[str, float]
    probabilities: dict[str, float]
    preferred: tuple[str, ...]


def biased_coin_probabilities(ratio: Sequence[int], p_best: float) -> tuple[tuple[float, ...], ...]:
    """Han-Enas-McEntegart biased-coin probabilities: row j gives P(arm k) when arm j alone is preferred.

    With R = sum(r) and r_min the smallest weight, the preferred arm j gets
    ``p_j = 1 - (R - r_j) / (R - r_min) * (1 - p_best)`` and each other arm k gets
    ``r_k / (R - r_j) * (1 - p_j)``. An arm with the smallest weight is preferred with p_best; with equal
    weights every arm is, and the rest is split equally: "best arm with p_best, else random among the others".
    Averaging the rows with weights r_j / R gives back the ratio r_k / R exactly.

    References
    ----------
    Han B, Enas NH, McEntegart D (2009). Randomization by minimization for unbalanced treatment allocation.
    Statistics in Medicine 28(27):3329-3346. doi:10.1002/sim.3710
    """
    total = sum(ratio)
    smallest = min(ratio)
    rows = []
    for j, weight in enumerate(ratio):
        p_j = 1.0 - (total - weight) / (total - smallest) * (1.0 - p_best)
        rows.append(tuple(p_j if k == j else r_k / (total - weight) * (1.0 - p_j) for k, r_k in enumerate(ratio)))
    return tuple(rows)


class Minimisation:
    """Pocock-Simon minimisation, allocating one subject at a time; state rebuildable from stored allocations.

    Parameters
    ----------
    arms : sequence of str
        Arm names, at least two.
    ratio : sequence of int, optional
        Allocation ratio, one positive whole weight per arm; equal by default.
    factors : mapping of str to sequence of str
        Minimisation factors, ``{name: levels}`` (required, at least one), e.g. site, sex, age band.
    weights : mapping of str to float, optional
        Positive weight per factor in the total imbalance; 1 for a factor not named.
    method : {"range", "variance", "sd"}
        Imbalance measure D across arms of the ratio-adjusted counts: range (max - min), sample variance
        (divisor K - 1) or standard deviation.
    p_best : float
        Probability of the arm with the least imbalance (for unequal ratios: of an arm with the smallest
        weight; see Notes), in (1/K, 1] for K arms. 1 makes allocation deterministic except for ties.
    seed : int, optional
        Non-negative seed; None draws fresh entropy, kept in `seed` so it can be stored.

    Notes
    -----
    For a new subject with level x_i of factor i, and each candidate arm k, let n_ij be the number of earlier
    subjects with level x_i of factor i on arm j, plus one if j = k. The factor's imbalance is
    ``d_ik = D(n_i1 / r_1, ..., n_iK / r_K)`` and the total ``G_k = sum_i w_i d_ik`` (Pocock & Simon 1975;
    Taves 1974 for the two-arm range/sum form). Dividing counts by the ratio weights is the adjustment for
    unequal allocation of Han, Enas & McEntegart (2009): counts in the target ratio have no imbalance.

    The arms with the least G are preferred. One of them is chosen at random with probability proportional to
    its ratio weight (a tie), and the allocation is then drawn with Han et al.'s biased-coin probabilities for
    that arm (`biased_coin_probabilities`): the preferred arm j with ``p_j = 1 - (R - r_j)/(R - r_min) (1 -
    p_best)``, each other arm k with ``r_k/(R - r_j) (1 - p_j)``. For equal ratios this is "the best arm with
    p_best, else at random among the others", not Pocock & Simon's rank-based p_k scheme. With all arms tied
    the probabilities are exactly the ratio; with unequal ratios the scheme keeps each arm's preferred
    probability above its share, so the allocation ratio holds over the trial (naive minimisation with one
    p_best for every arm drifts towards the arms with small weights; Han et al. 2009).

    Randomness and replay: allocation number s (1-based) draws one uniform number from stream s - 1 of the
    seed (``SeedSequence(seed).spawn(...)[s - 1]``, see `opencro.stats.randomization._random`), whatever
    happened before. So the state is fully described by the settings, the seed and the allocations so far:
    `record` (or `replay`) stored allocations into a fresh `Minimisation` with the same settings and seed, and
    the next `assign` gives what an uninterrupted run would have given.

    References
    ----------
    Pocock SJ, Simon R (1975). Sequential treatment assignment with balancing for prognostic factors in the
    controlled clinical trial. Biometrics 31(1):103-115. doi:10.2307/2529712

    Taves DR (1974). Minimization: a new method of assigning patients to treatment and control groups. Clinical
    Pharmacology and Therapeutics 15(5):443-453. doi:10.1002/cpt1974155443

    Han B, Enas NH, McEntegart D (2009). Randomization by minimization for unbalanced treatment allocation.
    Statistics in Medicine 28(27):3329-3346. doi:10.1002/sim.3710
    """

    method_name = METHOD
    reference = REFERENCE

    def __init__(
        self,
        arms: Sequence[str],
        ratio: Sequence[int] | None = None,
        factors: Mapping[str, Sequence[str]] | None = None,
        weights: Mapping[str, float] | None = None,
        method: str = "range",
        p_best: float = 0.8,
        seed: int | None = None,
    ) -> None:
        self.arms = check_arms(arms)
        self.ratio = check_ratio(ratio, len(self.arms))
        self.factors = check_factors(factors, required=True)
        self.weights = _check_weights(weights, self.factors)
        if method not in METHODS:
            raise DesignInputError("method", f"must be one of {', '.join(METHODS)}, not {method!r}")
        self.method = method
        k = len(self.arms)
        self.p_best = check_probability_above("p_best", p_best, 1.0 / k, f"for {k} arms")
        self.seed = check_seed(seed)
        self._coin = biased_coin_probabilities(self.ratio, self.p_best)
        lcm = math.lcm(*self.ratio)
        self._lcm = lcm
        self._scale = tuple(lcm // r for r in self.ratio)  # counts * scale = counts / ratio * lcm, whole numbers
        self._arm_index = {arm: j for j, arm in enumerate(self.arms)}
        self._level_index = [{level: i for i, level in enumerate(levels)} for _, levels in self.factors]
        self._counts = [[[0] * k for _ in levels] for _, levels in self.factors]
        self._totals = [0] * k
        self._n = 0

    # ------------------------------------------------------------------------------------------------ state

    @property
    def n_allocated(self) -> int:
        return self._n

    def arm_counts(self) -> dict[str, int]:
        """Subjects allocated per arm so far."""
        return dict(zip(self.arms, self._totals, strict=True))

    def level_counts(self, factor: str) -> dict[str, dict[str, int]]:
        """Subjects per arm at each level of one factor."""
        names = [name for name, _ in self.factors]
        if factor not in names:
            raise DesignInputError("factor", f"unknown factor {factor!r}; the factors are {', '.join(names)}")
        i = names.index(factor)
        return {
            level: dict(zip(self.arms, counts, strict=True))
            for level, counts in zip(self.factors[i][1], self._counts[i], strict=True)
        }

    def max_imbalance(self) -> float:
        """The largest range, over every level of every factor, of the ratio-adjusted counts n_j / r_j."""
        worst = 0
        for factor in self._counts:
            for counts in factor:
                adjusted = [c * s for c, s in zip(counts, self._scale, strict=True)]
                worst = max(worst, max(adjusted) - min(adjusted))
        return worst / self._lcm

    def as_dict(self) -> dict[str, object]:
        """The settings and seed to store beside the allocations so the state can be rebuilt."""
        return {
            "method": self.method_name,
            "arms": list(self.arms),
            "ratio": list(self.ratio),
            "factors": {name: list(levels) for name, levels in self.factors},
            "weights": dict(zip((name for name, _ in self.factors), self.weights, strict=True)),
            "imbalance": self.method,
            "p_best": self.p_best,
            "seed": self.seed,
            "n_allocated": self._n,
            "arm_counts": self.arm_counts(),
            "reference": self.reference,
        }

    # ------------------------------------------------------------------------------------------------ allocation

    def scores(self, levels: Mapping[str, str]) -> Scores:
        """The total imbalance per arm, the preferred arms and the probabilities for a subject, allocating nothing."""
        indices = self._indices(levels)
        totals = self._imbalances(indices)
        best = min(totals)
        tied = [j for j, g in enumerate(totals) if g - best <= _TIE * max(1.0, abs(best))]
        tied_weight = sum(self.ratio[j] for j in tied)
        probabilities = [
            sum(self.ratio[j] / tied_weight * self._coin[j][k] for j in tied) for k in range(len(self.arms))
        ]
        return Scores(
            scores=dict(zip(self.arms, totals, strict=True)),
            probabilities=dict(zip(self.arms, probabilities, strict=True)),
            preferred=tuple(self.arms[j] for j in tied),
        )

    def assign(self, levels: Mapping[str, str]) -> Allocation:
        """Allocate the next subject, with factor levels `levels` ({factor: level}), and record it."""
        allocation = self._next(levels)
        self._add(self._indices(levels), self._arm_index[allocation.arm])
        return allocation

    def record(self, levels: Mapping[str, str], arm: str, *, verify: bool = False) -> None:
        """Add an allocation made earlier (read back from storage) to the state, drawing nothing.

        With `verify`, refuse (DesignInputError naming `arm`) an arm other than the one this seed and state
        give at this position: a check that stored allocations were made by these settings, unaltered.
        """
        if arm not in self._arm_index:
            raise DesignInputError("arm", f"unknown arm {arm!r}; the arms are {', '.join(self.arms)}")
        indices = self._indices(levels)
        if verify:
            expected = self._next(levels).arm
            if expected != arm:
                raise DesignInputError(
                    "arm",
                    f"allocation {self._n + 1} is recorded as {arm!r} but these settings and seed give {expected!r}",
                )
        self._add(indices, self._arm_index[arm])

    def state(self) -> dict[str, object]:
        """The counts that decide the next allocation, as plain data: {"n", "totals": {arm: n},
        "levels": {factor: {level: {arm: n}}}}. Stored beside the allocations, `restore` rebuilds the
        allocator in O(levels x arms) instead of replaying every allocation."""
        return {
            "n": self._n,
            "totals": self.arm_counts(),
            "levels": {name: self.level_counts(name) for name, _ in self.factors},
        }

    def restore(self, state: Mapping[str, object]) -> None:
        """Set the counts from `state()` of an allocator with these settings; the next `assign` then equals
        the one after replaying the same allocations (the draw depends only on the seed and n).

        Raises DesignInputError ("state") when it does not fit: other arms, factors or levels, negative
        counts, or counts that do not add up to n for every factor.
        """
        try:
            n = int(state["n"])  # type: ignore[call-overload]
            totals = [int(state["totals"][arm]) for arm in self.arms]  # type: ignore[index]
            counts = [
                [[int(state["levels"][name][level][arm]) for arm in self.arms] for level in levels]  # type: ignore[index]
                for name, levels in self.factors
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise DesignInputError("state", f"does not fit these arms, factors and levels ({exc!r})") from None
        if n < 0 or sum(totals) != n or min(totals, default=0) < 0:
            raise DesignInputError("state", f"arm totals {totals} do not add up to n = {n}")
        for (name, _levels), factor in zip(self.factors, counts, strict=True):
            per_arm = [sum(level[j] for level in factor) for j in range(len(self.arms))]
            if per_arm != totals or any(c < 0 for level in factor for c in level):
                raise DesignInputError("state", f"the counts of factor {name!r} do not add up to the arm totals")
        self._counts, self._totals, self._n = counts, totals, n

    def replay(self, history: Iterable[tuple[Mapping[str, str], str]], *, verify: bool = False) -> None:
        """`record` each (levels, arm) of `history`, in allocation order."""
        for levels, arm in history:
            self.record(levels, arm, verify=verify)

    # ------------------------------------------------------------------------------------------------ internals

    def _next(self, levels: Mapping[str, str]) -> Allocation:
        result = self.scores(levels)
        u = _random.unit(_random.stream(self.seed, self._n))
        chosen = _random.pick(list(result.probabilities.values()), u)
        return Allocation(
            sequence=self._n + 1,
            arm=self.arms[chosen],
            levels={name: levels[name] for name, _ in self.factors},
            scores=result.scores,
            probabilities=result.probabilities,
            preferred=result.preferred,
            uniform=u,
        )

    def _add(self, indices: list[int], arm: int) -> None:
        for factor, level in zip(self._counts, indices, strict=True):
            factor[level][arm] += 1
        self._totals[arm] += 1
        self._n += 1

    def _indices(self, levels: Mapping[str, str]) -> list[int]:
        if not isinstance(levels, Mapping):
            raise DesignInputError("levels", f"must map each factor to the subject's level, not {levels!r}")
        names = [name for name, _ in self.factors]
        extra = [str(name) for name in levels if name not in names]
        if extra:
            message = f"unknown factor(s) {', '.join(extra)}; the factors are {', '.join(names)}"
            raise DesignInputError("levels", message)
        indices = []
        for (name, choices), index in zip(self.factors, self._level_index, strict=True):
            if name not in levels:
                raise DesignInputError("levels", f"no level given for factor {name!r}")
            level = levels[name]
            if level not in index:
                raise DesignInputError(
                    "levels", f"{name}: unknown level {level!r}; the levels are {', '.join(choices)}"
                )
            indices.append(index[level])
        return indices

    def _imbalances(self, indices: list[int]) -> list[float]:
        """G_k for each candidate arm k, from whole-number adjusted counts (n_j * lcm / r_j) for exact ties."""
        k = len(self.arms)
        totals = [0.0] * k
        for factor, level, weight in zip(self._counts, indices, self.weights, strict=True):
            base = [c * s for c, s in zip(factor[level], self._scale, strict=True)]
            for candidate in range(k):
                adjusted = base.copy()
                adjusted[candidate] += self._scale[candidate]
                totals[candidate] += weight * self._spread(adjusted)
        return totals

    def _spread(self, adjusted: list[int]) -> float:
        """D of the adjusted counts, in units of counts / ratio."""
        if self.method == "range":
            return (max(adjusted) - min(adjusted)) / self._lcm
        k = len(adjusted)
        numerator = k * sum(a * a for a in adjusted) - sum(adjusted) ** 2  # k (k - 1) lcm^2 var, exactly
        variance = numerator / (k * (k - 1) * self._lcm * self._lcm)
        return variance if self.method == "variance" else math.sqrt(variance)


def _check_weights(weights: Mapping[str, float] | None, factors: Factors) -> list[float]:
    names = [name for name, _ in factors]
    if weights is None:
        return [1.0] * len(names)
    if not isinstance(weights, Mapping):
        raise DesignInputError("weights", f"must map factor names to positive weights, not {weights!r}")
    unknown = [str(name) for name in weights if name not in names]
    if unknown:
        raise DesignInputError("weights", f"unknown factor(s) {', '.join(unknown)}; the factors are {', '.join(names)}")
    checked = []
    for name in names:
        try:
            checked.append(check_positive("weights", weights.get(name, 1.0)))
        except DesignInputError as exc:
            raise DesignInputError("weights", f"{name}: {exc.message}") from None
    return checked
