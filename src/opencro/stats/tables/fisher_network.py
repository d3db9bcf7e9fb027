"""The exact two-sided p-value of Fisher's test in an r x c table by a network algorithm (Mehta & Patel 1983).

Tables with the observed margins are built one row at a time (the stages, rows sorted by total); a node is the
multiset of column totals still to fill, and the weight of a partial table is the product of 1 / n_ij! over its
cells, so that a whole table has probability ``exp(constant + sum of log weights)``. At each node the paths that
arrive are grouped by their "past" (log weight so far). For every past, bounds on the best and worst completion
decide at once whether every table through the node counts (then their summed probability has a closed form),
none does, or the past must be carried to the next stage. Equal pasts are merged with their multiplicity.
"""

import math

import numpy as np
from scipy.special import gammaln, logsumexp

from opencro.stats.tables.errors import TableStatisticsError

#: R's fisher.test counts a table as "as or less likely" when its probability is <= p_observed * (1 + 1e-7).
RELATIVE_TOLERANCE = 1e-7
#: Partial tables expanded at once (bounds memory to a few tens of MB).
_CHUNK = 1_000_000


def _even_allocation(total: int, caps: list[int]) -> list[int]:
    """Spread `total` over cells with capacities `caps` as evenly as possible (water filling)."""
    order = sorted(range(len(caps)), key=caps.__getitem__)
    out = [0] * len(caps)
    left, cells = total, len(caps)
    for position, index in enumerate(order):
        share, extra = divmod(left, cells - position)
        if caps[index] <= share:
            out[index] = caps[index]
            left -= caps[index]
            continue
        rest = order[position:]
        for k, j in enumerate(rest):
            out[j] = share + (1 if k < extra else 0)
        return out
    return out


def _greedy_allocation(total: int, caps: list[int]) -> list[int]:
    """Fill the largest capacities first: the most uneven allocation (it majorizes every other)."""
    out = [0] * len(caps)
    left = total
    for index in sorted(range(len(caps)), key=caps.__getitem__, reverse=True):
        out[index] = min(caps[index], left)
        left -= out[index]
    return out


class _Network:
    def __init__(self, counts: np.ndarray, work_limit: int) -> None:
        self.rows = sorted((int(v) for v in counts.sum(axis=1)), reverse=True)
        self.columns = tuple(sorted(int(v) for v in counts.sum(axis=0)))
        self.n = sum(self.rows)
        self.shape = counts.shape
        self.log_factorial = gammaln(np.arange(self.n + 1, dtype=float) + 1.0)
        lf = self.log_factorial
        self.constant = float(lf[self.rows].sum() + lf[list(self.columns)].sum() - lf[self.n])
        observed = self.constant - float(lf[counts.ravel()].sum())
        self.threshold = observed + math.log1p(RELATIVE_TOLERANCE)
        self.radix = self.n + 1
        if len(self.columns) * math.log2(self.radix) > 62:
            self._too_large()
        self.work_limit = work_limit
        self.work = 0

    def _too_large(self) -> None:
        r, c = self.shape
        raise TableStatisticsError(
            "table",
            f"too large for the exact r x c test ({r} x {c}, n = {self.n}): more than {self.work_limit:,} partial "
            "tables to enumerate; use the chi-square test or a Monte Carlo p-value",
        )

    def _lf(self, values: list[int]) -> float:
        return float(sum(self.log_factorial[v] for v in values))

    def bounds(self, stage: int, node: tuple[int, ...]) -> tuple[float, float, float]:
        """Upper and lower bounds of the best and worst completion's log weight, and the log of their sum.

        Relaxing the column totals (each remaining row alone) or the row totals (each column alone) gives
        bounds; the tighter of the two is used. With one row left both are exact; with two left every
        completion is enumerated. The sum over completions of prod 1/n_ij! is M! / (prod R_i! prod C_j!).
        """
        rows = self.rows[stage:]
        caps = list(node)
        total = float(self.log_factorial[sum(caps)]) - self._lf(rows) - self._lf(caps)
        if len(rows) == 2:  # exact: every completion is one filling of the next row
            weights, _, remaining = self.fills(rows[0], node)
            complete = weights - self.log_factorial[remaining].sum(axis=1)
            return float(complete.max()), float(complete.min()), total
        best = min(
            -sum(self._lf(_even_allocation(r, caps)) for r in rows),
            -sum(self._lf(_even_allocation(c, rows)) for c in caps),
        )
        worst = max(
            -sum(self._lf(_greedy_allocation(r, caps)) for r in rows),
            -sum(self._lf(_greedy_allocation(c, rows)) for c in caps),
        )
        return best, worst, total

    def fills(self, total: int, node: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every filling of a row of `total` under the capacities `node`: log weight, next node's key and totals."""
        caps = np.asarray(node, dtype=np.int64)
        c = len(caps)
        room_after = np.concatenate([np.cumsum(caps[::-1])[::-1][1:], [0]])
        partial = np.zeros((1, 0), dtype=np.int64)
        sums = np.zeros(1, dtype=np.int64)
        for j in range(c - 1):
            low = np.maximum(0, total - sums - room_after[j])
            high = np.minimum(caps[j], total - sums)
            width = np.maximum(high - low + 1, 0)
            repeat = np.repeat(np.arange(len(sums)), width)
            offsets = np.arange(int(width.sum())) - np.repeat(np.cumsum(width) - width, width)
            values = low[repeat] + offsets
            partial = np.column_stack([partial[repeat], values])
            sums = sums[repeat] + values
            self.work += len(sums)
        last = total - sums
        fill = np.column_stack([partial, last])
        weights = -self.log_factorial[fill].sum(axis=1)
        remaining = np.sort(caps[None, :] - fill, axis=1)
        keys = remaining @ (self.radix ** np.arange(c, dtype=np.int64))
        return weights, keys, remaining

    def decode(self, key: int) -> tuple[int, ...]:
        out = []
        for _ in range(len(self.columns)):
            key, digit = divmod(key, self.radix)
            out.append(int(digit))
        return tuple(out)

    def pvalue(self) -> float:
        start = int(np.asarray(self.columns, dtype=np.int64) @ (self.radix ** np.arange(len(self.columns))))
        if self.constant + self.bounds(0, self.columns)[0] <= self.threshold:
            return 1.0
        # per open node: the pasts (log weight so far, rounded to 1e-9, used for decisions) and the log of the
        # summed weight of all partial tables merged into each past (exact, used for the p-value)
        frontier: dict[int, tuple[np.ndarray, np.ndarray]] = {start: (np.zeros(1), np.zeros(1))}
        accepted: list[float] = []
        for stage, row_total in enumerate(self.rows[:-1]):
            cache: dict[int, tuple[float, float, float]] = {}
            keys_out: list[np.ndarray] = []
            pasts_out: list[np.ndarray] = []
            masses_out: list[np.ndarray] = []
            for key, (past, mass) in frontier.items():
                weights, next_keys, _ = self.fills(row_total, self.decode(key))
                for next_key in np.unique(next_keys):
                    if int(next_key) not in cache:
                        cache[int(next_key)] = self.bounds(stage + 1, self.decode(int(next_key)))
                bounds = np.array([cache[int(k)] for k in next_keys])
                best, worst, total = bounds[:, 0], bounds[:, 1], bounds[:, 2]
                self.work += len(past) * len(weights)
                if self.work > self.work_limit:
                    self._too_large()
                step = max(1, _CHUNK // len(weights))
                for begin in range(0, len(past), step):
                    values = past[begin : begin + step, None] + weights[None, :]
                    masses = mass[begin : begin + step, None] + weights[None, :]
                    take = values + (self.constant + best)[None, :] <= self.threshold
                    if take.any():
                        accepted.append(float(logsumexp((masses + total[None, :])[take])) + self.constant)
                    open_ = ~take & (values + (self.constant + worst)[None, :] <= self.threshold)
                    if open_.any():
                        pasts_out.append(values[open_])
                        masses_out.append(masses[open_])
                        keys_out.append(np.broadcast_to(next_keys[None, :], values.shape)[open_])
            if not pasts_out:
                break
            frontier = self._merge(np.concatenate(keys_out), np.concatenate(pasts_out), np.concatenate(masses_out))
        if not accepted:
            return 0.0
        return float(np.exp(logsumexp(accepted)))

    @staticmethod
    def _merge(keys: np.ndarray, pasts: np.ndarray, masses: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Group paths by next node and merge equal pasts (to 1e-9 in log weight), adding up their weights."""
        rounded = np.round(pasts, 9)
        order = np.lexsort((rounded, keys))
        keys, rounded, masses = keys[order], rounded[order], masses[order]
        new_group = np.ones(len(keys), dtype=bool)
        new_group[1:] = (keys[1:] != keys[:-1]) | (rounded[1:] != rounded[:-1])
        starts = np.flatnonzero(new_group)
        group_keys, group_pasts = keys[starts], rounded[starts]
        top = np.maximum.reduceat(masses, starts)
        group_masses = top + np.log(
            np.add.reduceat(np.exp(masses - np.repeat(top, np.diff(np.r_[starts, len(keys)]))), starts)
        )
        node_starts = np.flatnonzero(np.r_[True, group_keys[1:] != group_keys[:-1]])
        node_ends = np.r_[node_starts[1:], len(group_keys)]
        return {
            int(group_keys[a]): (group_pasts[a:b], group_masses[a:b])
            for a, b in zip(node_starts, node_ends, strict=True)
        }


def fisher_network_pvalue(counts: np.ndarray, work_limit: int) -> float:
    """Two-sided exact p-value of Fisher's test for an r x c table, by a network algorithm.

    Parameters
    ----------
    counts : numpy.ndarray of int
        A checked table of counts (no empty row or column), with no more columns than rows (the columns are the
        nodes' dimension, so fewer is faster).
    work_limit : int
        Most partial tables to generate before refusing the table as too large.

    Returns
    -------
    float
        The total probability, under the multivariate hypergeometric law given both margins, of the tables whose
        probability is at most the observed one times 1 + 1e-7 (R's ``fisher.test`` tolerance).

    Raises
    ------
    TableStatisticsError
        When more than `work_limit` partial tables would be needed.

    Notes
    -----
    Exact: the bounds at a node only decide the paths whose fate is certain (all completions count, or none
    does), and partial tables are merged only when their log weights agree to 1e-9 (decisions) while their
    weights are summed exactly (p-value). The bounds are those of relaxing either margin, exact when one or two
    rows remain; Mehta & Patel's own longest/shortest path bounds are tighter, so some large tables that R's
    FEXACT handles are refused here.

    References
    ----------
    .. [1] Mehta, C. R., & Patel, N. R. (1983). A network algorithm for performing Fisher's exact test in r x c
       contingency tables. Journal of the American Statistical Association, 78(382), 427-434.
       https://doi.org/10.1080/01621459.1983.10477989
    .. [2] Mehta, C. R., & Patel, N. R. (1986). Algorithm 643: FEXACT, a FORTRAN subroutine for Fisher's exact
       test on unordered r x c contingency tables. ACM Transactions on Mathematical Software, 12(2), 154-161.
       https://doi.org/10.1145/6497.214326
    """
    return min(1.0, _Network(counts, work_limit).pvalue())
