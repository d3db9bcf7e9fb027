"""Exact operating characteristics of the classical 3+3 dose-escalation design (no simulation).

Dose indices are 0-based throughout the dose-finding modules: dose level ``j + 1`` of a protocol is index ``j``.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from opencro.stats.design.errors import DesignInputError, check_finite

COHORT = 3
REFERENCE = (
    "Storer BE (1989) Biometrics 45:925-937; Lin Y, Shih WJ (2001) Biostatistics 2:203-215, "
    "doi:10.1093/biostatistics/2.2.203"
)


def check_toxicity_probabilities(name: str, values: Sequence[float], *, strictly: bool = False) -> tuple[float, ...]:
    """Refuse toxicity probabilities that are not in [0, 1] (or (0, 1) when `strictly`) and non-decreasing.

    `strictly=True` is for a CRM skeleton: values strictly inside (0, 1) and strictly increasing.
    """
    try:
        raw = list(values)
    except TypeError:
        raise DesignInputError(name, f"must be a sequence of probabilities, not {values!r}") from None
    if not raw:
        raise DesignInputError(name, "needs at least one dose")
    probs = tuple(check_finite(name, v) for v in raw)
    for j, p in enumerate(probs):
        if strictly and not 0.0 < p < 1.0:
            raise DesignInputError(name, f"dose {j + 1}: must lie strictly between 0 and 1, not {p:g}")
        if not 0.0 <= p <= 1.0:
            raise DesignInputError(name, f"dose {j + 1}: must lie in [0, 1], not {p:g}")
    for j in range(1, len(probs)):
        if probs[j] < probs[j - 1] or (strictly and probs[j] == probs[j - 1]):
            kind = "strictly increasing" if strictly else "non-decreasing"
            raise DesignInputError(name, f"must be {kind}; dose {j + 1} ({probs[j]:g}) follows {probs[j - 1]:g}")
    return probs


@dataclass(frozen=True)
class ThreePlusThreeOC:
    """Exact operating characteristics of a 3+3 design for one set of true toxicity probabilities.

    `p_select[j]` is the probability that dose index j is declared the MTD, `p_none` that no dose is (every
    dose too toxic); they sum to 1. `p_stop_first_dose` is the probability that escalation stops at the
    lowest dose (>= 2 DLTs in its first 3 or 6 patients). `expected_n[j]` and `expected_dlt[j]` are the
    expected numbers of patients treated and of DLTs at dose j.
    """

    true_tox: tuple[float, ...]
    de_escalation: bool
    p_select: tuple[float, ...]
    p_none: float
    p_stop_first_dose: float
    expected_n: tuple[float, ...]
    expected_dlt: tuple[float, ...]
    reference: str = REFERENCE

    @property
    def expected_total_n(self) -> float:
        return float(sum(self.expected_n))

    @property
    def expected_total_dlt(self) -> float:
        return float(sum(self.expected_dlt))

    def as_dict(self) -> dict[str, object]:
        return {
            "design": "3+3",
            "true_tox": list(self.true_tox),
            "de_escalation": self.de_escalation,
            "p_select": list(self.p_select),
            "p_none": self.p_none,
            "p_stop_first_dose": self.p_stop_first_dose,
            "expected_n": list(self.expected_n),
            "expected_dlt": list(self.expected_dlt),
            "expected_total_n": self.expected_total_n,
            "expected_total_dlt": self.expected_total_dlt,
            "reference": self.reference,
        }


def _binom3(p: float) -> tuple[float, float, float, float]:
    q = 1.0 - p
    return q**3, 3 * p * q**2, 3 * p**2 * q, p**3


def three_plus_three_oc(true_tox: Sequence[float], *, de_escalation: bool = True) -> ThreePlusThreeOC:
    """Exact operating characteristics of the classical 3+3 design by enumerating cohort outcomes.

    Parameters
    ----------
    true_tox : sequence of float
        True DLT probability of each dose, in [0, 1] and non-decreasing, lowest dose first.
    de_escalation : bool
        True (default): the MTD must have 6 patients. When escalation stops at dose k, dose k-1 is declared
        the MTD if it already has 6 patients; if it has only 3, 3 more are treated there and it is the MTD
        when at most 1 of its 6 had a DLT, otherwise the same check moves down to dose k-2, and so on
        (Lin & Shih's "A+B design with dose de-escalation", A = B = 3). False: dose k-1 is declared the MTD
        whatever its number of patients (their design "without dose de-escalation").

    Returns
    -------
    ThreePlusThreeOC
        Selection probabilities, P(no dose selected), P(escalation stops at the first dose), and expected
        patients and DLTs per dose.

    Notes
    -----
    Rules at the current dose (Storer 1989; Lin & Shih 2001 with A = B = 3, C = D = E = 1): treat 3 patients;
    0/3 DLTs: escalate; 1/3: treat 3 more, escalate if at most 1/6, otherwise stop; >= 2/3: stop. Escalation
    past the highest dose ends the trial with the highest dose selected (no extra patients), which is the
    convention of Lin & Shih's formula P(MTD = n) = prod_j (P0_j + Q0_j). Patients' DLTs are independent
    Bernoulli draws with the dose's true probability. Probabilities are computed from products of
    binomial terms, which is exact: each dose's outcome is independent of the others given that it is reached.

    References
    ----------
    Storer BE (1989). Design and analysis of phase I clinical trials. Biometrics 45(3):925-937.
    Lin Y, Shih WJ (2001). Statistical properties of the traditional algorithm-based designs for phase I
    cancer clinical trials. Biostatistics 2(2):203-215. doi:10.1093/biostatistics/2.2.203
    """
    probs = check_toxicity_probabilities("true_tox", true_tox)
    k = len(probs)
    b = [_binom3(p) for p in probs]
    # pass3[j]: 0/3 (3 patients), pass6[j]: 1/3 then 0/3 (6 patients); passed[j]: escalate past dose j.
    pass3 = [bj[0] for bj in b]
    pass6 = [bj[1] * bj[0] for bj in b]
    passed = [pass3[j] + pass6[j] for j in range(k)]
    reach = [math.prod(passed[:j]) for j in range(k + 1)]  # reach[k]: cleared the highest dose
    stop_at = [reach[j] * (1.0 - passed[j]) for j in range(k)]  # escalation stops at dose j

    p_select = [0.0] * k
    p_none = 0.0
    expected_n = [reach[j] * COHORT * (1.0 + b[j][1]) for j in range(k)]
    expected_dlt = [reach[j] * COHORT * probs[j] * (1.0 + b[j][1]) for j in range(k)]
    p_select[k - 1] += reach[k]
    p_none += stop_at[0]
    for stop in range(1, k):
        if not de_escalation:
            p_select[stop - 1] += stop_at[stop]
            continue
        # Walk down from dose stop-1. `chain` is the joint probability that escalation failed at `stop` and
        # that every dose between j and `stop` had 3 patients (0/3) and then >= 2 DLTs in 3 more.
        chain = 1.0 - passed[stop]
        for j in range(stop - 1, -1, -1):
            lower = reach[j] * chain  # doses below j passed escalation; j's own state is split below
            extra_fail = b[j][2] + b[j][3]
            p_select[j] += lower * (pass6[j] + pass3[j] * (1.0 - extra_fail))
            expected_n[j] += COHORT * lower * pass3[j]
            expected_dlt[j] += COHORT * probs[j] * lower * pass3[j]
            chain *= pass3[j] * extra_fail
        p_none += chain
    return ThreePlusThreeOC(
        true_tox=probs,
        de_escalation=de_escalation,
        p_select=tuple(p_select),
        p_none=p_none,
        p_stop_first_dose=stop_at[0],
        expected_n=tuple(expected_n),
        expected_dlt=tuple(expected_dlt),
    )
