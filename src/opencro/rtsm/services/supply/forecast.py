"""Resupply arithmetic, pure: stock, schedule and enrolment in, kits to ship per kit type out (no Django).

The rules (one site, one kit type k of arm a, horizon H days):

- usable stock U_k: kits available at the site that will still be dispensable when a shipment placed today
  would arrive; in transit T_k: kits of k in requested or shipped shipments to the site;
- demand D_a over the horizon = the kits due at the dispensing visits of randomised subjects whose window is
  open within the horizon and that were not yet dispensed (S_a), plus the expected kits of subjects not yet
  randomised: N * r_a * K, where N = rate * H / 30.4375 new subjects (rate per month: the study's
  `enrolment_per_site_month`, or the site's own once it randomised 3 subjects), capped by the site's
  remaining target, r_a the arm's share of the allocation ratio, and
  K = sum over dispensing visits v of kits_v * max(0, H - o_v) / H, o_v = visit day - 1: a subject
  randomised uniformly in the horizon reaches visit v within it with probability max(0, H - o_v) / H;
  the expected kits of new subjects are rounded up per arm;
- the demand of an arm is carried by its first kit type (the caller lists the arm's kit types with a site
  supply level first, then by code; an arm usually has one kit type);
- with minimum m_k and maximum M_k (0 and 0 when the site has no level): when U_k + T_k < m_k the line is
  below its buffer (trigger "minimum"); otherwise when U_k + T_k < D_k + m_k demand will eat into the
  buffer (trigger "forecast"). Either way the shipment tops the line up to D_k + M_k:
  quantity = D_k + max(M_k, m_k) - U_k - T_k.

Expected arrivals under a constant enrolment rate are the Poisson-process mean (rate x time); see e.g.
Anisimov V.V. & Fedorov V.V. (2007), "Modelling, prediction and adaptive adjustment of recruitment in
multicentre trials", Statistics in Medicine 26(27):4958-4975, doi:10.1002/sim.2956. The top-up to a
maximum is the classic (s, S) inventory policy (Scarf H., 1960, "The optimality of (S, s) policies in the
dynamic inventory problem", in Mathematical Methods in the Social Sciences, Stanford University Press).
"""

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

DAYS_PER_MONTH = 365.25 / 12
OBSERVED_RATE_AFTER = 3  # randomised subjects from which a site's own enrolment rate is used


@dataclass(frozen=True)
class StockLine:
    """One kit type at one site: what is there, what is coming, and its buffer."""

    kit_type: Hashable
    arm: Hashable
    usable: int
    in_transit: int
    minimum: int = 0
    maximum: int = 0


@dataclass(frozen=True)
class DispensingPlan:
    """A scheduled dispensing visit: days after Day 1 (visit day - 1) and kits handed out."""

    offset: int
    kits: int


@dataclass(frozen=True)
class LineOrder:
    """The resupply answer for one line: its stock and demand, and what to ship (0: nothing)."""

    kit_type: Hashable
    stock: int
    demand: int
    minimum: int
    target: int
    quantity: int
    trigger: str  # "minimum", "forecast" or ""


def site_enrolment_rate(
    randomised: int, days_since_first: int, default_per_month: float, *, after: int = OBSERVED_RATE_AFTER
) -> float:
    """Expected randomisations per month: the site's own rate once it randomised `after` subjects.

    The observed rate is subjects / months since the site's first randomisation, with at least one month
    in the denominator (three subjects in a week are not a rate of twelve a month).
    """
    if randomised >= after:
        return randomised / max(days_since_first / DAYS_PER_MONTH, 1.0)
    return default_per_month


def expected_new_subjects(rate_per_month: float, horizon_days: int, remaining: int | None = None) -> float:
    """Subjects expected to be randomised at the site within the horizon (capped by its remaining target)."""
    expected = max(rate_per_month, 0.0) * max(horizon_days, 0) / DAYS_PER_MONTH
    return expected if remaining is None else min(expected, max(remaining, 0))


def kits_per_new_subject(horizon_days: int, visits: Sequence[DispensingPlan]) -> float:
    """Kits a subject randomised at a uniformly random day of the horizon needs within it."""
    if horizon_days <= 0:
        return 0.0
    return sum(v.kits * max(0, horizon_days - v.offset) / horizon_days for v in visits if v.offset >= 0)


def arm_demand(
    *,
    scheduled: Mapping[Hashable, int],
    ratios: Mapping[Hashable, int],
    new_subjects: float,
    per_subject: float,
) -> dict[Hashable, int]:
    """Kits needed per arm over the horizon: due for randomised subjects plus expected for new ones (rounded up)."""
    total_ratio = sum(ratios.values())
    demand = {}
    for arm in set(scheduled) | set(ratios):
        share = ratios.get(arm, 0) / total_ratio if total_ratio else 0.0
        expected = new_subjects * share * per_subject
        demand[arm] = scheduled.get(arm, 0) + math.ceil(round(expected, 9))  # 2.0000000001 is 2, not 3
    return demand


def line_orders(lines: Sequence[StockLine], demand: Mapping[Hashable, int]) -> list[LineOrder]:
    """Apply the buffer and forecast rules to each line (an arm's demand goes to its first line)."""
    carried: set[Hashable] = set()
    orders = []
    for line in lines:
        line_demand = 0
        if line.arm not in carried:
            carried.add(line.arm)
            line_demand = demand.get(line.arm, 0)
        stock = line.usable + line.in_transit
        target = line_demand + max(line.maximum, line.minimum)
        if stock < line.minimum:
            trigger = "minimum"
        elif stock < line_demand + line.minimum:
            trigger = "forecast"
        else:
            trigger = ""
        quantity = max(target - stock, 0) if trigger else 0
        orders.append(LineOrder(line.kit_type, stock, line_demand, line.minimum, target, quantity, trigger))
    return orders
