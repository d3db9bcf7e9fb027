"""Efron's biased coin: two-arm allocation that favours the arm behind."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from opencro.stats.design.errors import DesignInputError
from opencro.stats.randomization import _random
from opencro.stats.randomization._checks import check_arms, check_probability_above, check_seed

METHOD = "Efron's biased coin design"
REFERENCE = (
    "Efron B (1971). Forcing a sequential experiment to be balanced. Biometrika 58:403-417. doi:10.1093/biomet/58.3.403"
)


def efron_probabilities(imbalance: int, p: float = 2 / 3) -> tuple[float, float]:
    """P(first arm), P(second arm) given the imbalance D = n_first - n_second before the allocation.

    D < 0 (first arm behind): (p, 1 - p); D > 0: (1 - p, p); D = 0: (1/2, 1/2). `p` must lie in (1/2, 1].

    References
    ----------
    Efron B (1971). Forcing a sequential experiment to be balanced. Biometrika 58(3):403-417.
    doi:10.1093/biomet/58.3.403
    """
    p = check_probability_above("p", p, 0.5, "for Efron's coin")
    if isinstance(imbalance, bool) or not isinstance(imbalance, int):
        raise DesignInputError("imbalance", f"must be a whole number, not {imbalance!r}")
    if imbalance < 0:
        return p, 1.0 - p
    if imbalance > 0:
        return 1.0 - p, p
    return 0.5, 0.5


@dataclass(frozen=True)
class CoinAllocation:
    """One biased-coin allocation: its position (1-based), the arm, the imbalance D = n_first - n_second before
    it, the probabilities it was drawn with and the uniform draw in [0, 1) that chose the arm."""

    sequence: int
    arm: str
    imbalance: int
    probabilities: dict[str, float]
    uniform: float

    def as_dict(self) -> dict[str, object]:
        return {
            "sequence": self.sequence,
            "arm": self.arm,
            "imbalance": self.imbalance,
            "probabilities": dict(self.probabilities),
            "uniform": self.uniform,
        }


class EfronBiasedCoin:
    """Efron's biased coin for two arms, one allocation at a time; state rebuildable from stored allocations.

    Parameters
    ----------
    arms : sequence of str
        Exactly two arm names; the imbalance is D = n(arms[0]) - n(arms[1]).
    p : float
        Probability of the arm that is behind, in (1/2, 1]; Efron's 2/3 by default. 1/2 would be complete
        randomisation; 1 gives permuted blocks of two (a fair toss, then the other arm).
    seed : int, optional
        Non-negative seed; None draws fresh entropy, kept in `seed`.

    Notes
    -----
    Allocation 1:1 only. For stratified use, keep one coin per stratum (with its own seed). As for
    `Minimisation`, allocation number s draws one uniform number from stream s - 1 of the seed, so `record` or
    `replay` of stored allocations rebuilds the state and the next `assign` matches an uninterrupted run.

    References
    ----------
    Efron B (1971). Forcing a sequential experiment to be balanced. Biometrika 58(3):403-417.
    doi:10.1093/biomet/58.3.403
    """

    method_name = METHOD
    reference = REFERENCE

    def __init__(self, arms: Sequence[str] = ("A", "B"), p: float = 2 / 3, *, seed: int | None = None) -> None:
        self.arms = check_arms(arms)
        if len(self.arms) != 2:
            raise DesignInputError("arms", f"Efron's coin needs exactly two arms, not {len(self.arms)}")
        self.p = check_probability_above("p", p, 0.5, "for Efron's coin")
        self.seed = check_seed(seed)
        self._counts = [0, 0]

    @property
    def n_allocated(self) -> int:
        return sum(self._counts)

    @property
    def imbalance(self) -> int:
        """D = n(first arm) - n(second arm) so far."""
        return self._counts[0] - self._counts[1]

    def arm_counts(self) -> dict[str, int]:
        return dict(zip(self.arms, self._counts, strict=True))

    def assign(self) -> CoinAllocation:
        """Allocate the next subject and record it."""
        allocation = self._next()
        self._counts[self.arms.index(allocation.arm)] += 1
        return allocation

    def record(self, arm: str, *, verify: bool = False) -> None:
        """Add an earlier allocation to the state; with `verify`, refuse an arm this seed would not have given."""
        if arm not in self.arms:
            raise DesignInputError("arm", f"unknown arm {arm!r}; the arms are {', '.join(self.arms)}")
        if verify:
            expected = self._next().arm
            if expected != arm:
                raise DesignInputError(
                    "arm",
                    f"allocation {self.n_allocated + 1} is recorded as {arm!r} but this seed gives {expected!r}",
                )
        self._counts[self.arms.index(arm)] += 1

    def state(self) -> dict[str, object]:
        """The counts that decide the next allocation: {"n", "totals": {arm: n}} (see `restore`)."""
        return {"n": self.n_allocated, "totals": self.arm_counts()}

    def restore(self, state: Mapping[str, object]) -> None:
        """Set the counts from `state()`; the next `assign` equals the one after replaying the allocations."""
        try:
            totals = [int(state["totals"][arm]) for arm in self.arms]  # type: ignore[index]
            n = int(state["n"])  # type: ignore[call-overload]
        except (KeyError, TypeError, ValueError) as exc:
            raise DesignInputError("state", f"does not fit these arms ({exc!r})") from None
        if sum(totals) != n or min(totals) < 0:
            raise DesignInputError("state", f"arm totals {totals} do not add up to n = {n}")
        self._counts = totals

    def replay(self, history: Iterable[str], *, verify: bool = False) -> None:
        """`record` each arm of `history`, in allocation order."""
        for arm in history:
            self.record(arm, verify=verify)

    def as_dict(self) -> dict[str, object]:
        return {
            "method": self.method_name,
            "arms": list(self.arms),
            "p": self.p,
            "seed": self.seed,
            "n_allocated": self.n_allocated,
            "arm_counts": self.arm_counts(),
            "reference": self.reference,
        }

    def _next(self) -> CoinAllocation:
        imbalance = self.imbalance
        probabilities = efron_probabilities(imbalance, self.p)
        u = _random.unit(_random.stream(self.seed, self.n_allocated))
        return CoinAllocation(
            sequence=self.n_allocated + 1,
            arm=self.arms[_random.pick(probabilities, u)],
            imbalance=imbalance,
            probabilities=dict(zip(self.arms, probabilities, strict=True)),
            uniform=u,
        )
