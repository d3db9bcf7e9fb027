"""Operating characteristics of the 3+3, BOIN and CRM dose-escalation designs by vectorised Monte Carlo.

All trials of a batch advance together: state arrays of shape (trials, doses), one cohort per step, binomial
cohort outcomes drawn from one seeded `numpy.random.Generator`. Dose indices are 0-based.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from opencro.stats.design import boin as boin_mod
from opencro.stats.design import crm as crm_mod
from opencro.stats.design.boin import check_int
from opencro.stats.design.errors import DesignInputError, check_open_unit, check_positive
from opencro.stats.design.three_plus_three import REFERENCE as TPT_REFERENCE
from opencro.stats.design.three_plus_three import check_toxicity_probabilities

BATCH = 2000  # trials simulated together; fixed so that a seed gives the same answer whatever the caller
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DoseSimulationOC:
    """Simulated operating characteristics of a dose-escalation design.

    `p_select[j]`: fraction of trials selecting dose j as the MTD; `p_none`: fraction selecting no dose (they
    sum to 1). `mean_n[j]`, `mean_dlt[j]`: mean patients and DLTs at dose j per trial, with Monte Carlo
    standard errors `se_n`, `se_dlt`; `sd_total_n` is the SD of a trial's total sample size.
    `p_stopped_early`: BOIN and CRM, fraction of trials that ended before `max_n` patients (safety stop or
    BOIN's n_earlystop); 3+3, fraction whose escalation stopped at the first dose. `settings` records the
    design parameters used.
    """

    design: str
    true_tox: tuple[float, ...]
    n_sims: int
    seed: int | None
    p_select: tuple[float, ...]
    p_none: float
    mean_n: tuple[float, ...]
    mean_dlt: tuple[float, ...]
    se_n: tuple[float, ...]
    se_dlt: tuple[float, ...]
    sd_total_n: float
    p_stopped_early: float
    reference: str
    settings: dict[str, object] = field(default_factory=dict)

    @property
    def mean_total_n(self) -> float:
        return float(sum(self.mean_n))

    @property
    def mean_total_dlt(self) -> float:
        return float(sum(self.mean_dlt))

    @property
    def se_select(self) -> tuple[float, ...]:
        """Monte Carlo standard error of each selection probability."""
        return tuple(math.sqrt(p * (1 - p) / self.n_sims) for p in self.p_select)

    def as_dict(self) -> dict[str, object]:
        return {
            "design": self.design,
            "true_tox": list(self.true_tox),
            "n_sims": self.n_sims,
            "seed": self.seed,
            "p_select": list(self.p_select),
            "p_none": self.p_none,
            "mean_n": list(self.mean_n),
            "mean_dlt": list(self.mean_dlt),
            "mean_total_n": self.mean_total_n,
            "mean_total_dlt": self.mean_total_dlt,
            "p_stopped_early": self.p_stopped_early,
            "settings": dict(self.settings),
            "reference": self.reference,
        }


class _Tally:
    """Accumulates per-trial outcomes over batches."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.trials = 0
        self.selected = np.zeros(k + 1)  # last slot: no dose
        self.sum_n = np.zeros(k)
        self.sum_n2 = np.zeros(k)
        self.sum_y = np.zeros(k)
        self.sum_y2 = np.zeros(k)
        self.sum_total = 0.0
        self.sum_total2 = 0.0
        self.early = 0

    def add(self, chosen: np.ndarray, n: np.ndarray, y: np.ndarray, early: np.ndarray) -> None:
        self.trials += chosen.size
        self.selected += np.bincount(np.where(chosen < 0, self.k, chosen), minlength=self.k + 1)
        self.sum_n += n.sum(axis=0)
        self.sum_n2 += (n.astype(float) ** 2).sum(axis=0)
        self.sum_y += y.sum(axis=0)
        self.sum_y2 += (y.astype(float) ** 2).sum(axis=0)
        total = n.sum(axis=1).astype(float)
        self.sum_total += total.sum()
        self.sum_total2 += (total**2).sum()
        self.early += int(early.sum())

    def result(
        self, design: str, true_tox: tuple[float, ...], seed: int | None, reference: str, settings: dict[str, object]
    ) -> DoseSimulationOC:
        m = self.trials

        def se(s: np.ndarray, s2: np.ndarray) -> tuple[float, ...]:
            var = np.maximum(s2 / m - (s / m) ** 2, 0.0) * m / max(m - 1, 1)
            return tuple(float(v) for v in np.sqrt(var / m))

        mean_total = self.sum_total / m
        var_total = max(self.sum_total2 / m - mean_total**2, 0.0) * m / max(m - 1, 1)
        return DoseSimulationOC(
            design=design,
            true_tox=true_tox,
            n_sims=m,
            seed=seed,
            p_select=tuple(float(v) for v in self.selected[: self.k] / m),
            p_none=float(self.selected[self.k] / m),
            mean_n=tuple(float(v) for v in self.sum_n / m),
            mean_dlt=tuple(float(v) for v in self.sum_y / m),
            se_n=se(self.sum_n, self.sum_n2),
            se_dlt=se(self.sum_y, self.sum_y2),
            sd_total_n=math.sqrt(var_total),
            p_stopped_early=self.early / m,
            reference=reference,
            settings=settings,
        )


def _check_run(n_sims: int, seed: int | None) -> tuple[int, int | None]:
    n_sims = check_int("n_sims", n_sims, 1)
    if seed is not None:
        seed = check_int("seed", seed, 0)
    return n_sims, seed


def _check_trial(k: int, cohort_size: int, max_n: int, start_dose: int) -> tuple[int, int, int]:
    cohort_size = check_int("cohort_size", cohort_size, 1)
    max_n = check_int("max_n", max_n, cohort_size)
    if max_n % cohort_size:
        raise DesignInputError("max_n", f"must be a multiple of cohort_size ({cohort_size}), not {max_n}")
    start_dose = check_int("start_dose", start_dose, 0)
    if start_dose >= k:
        raise DesignInputError("start_dose", f"must be a dose index in 0..{k - 1}, not {start_dose}")
    return cohort_size, max_n, start_dose


def _batches(n_sims: int) -> list[int]:
    return [min(BATCH, n_sims - done) for done in range(0, n_sims, BATCH)]


def simulate_three_plus_three(
    true_tox: Sequence[float],
    *,
    n_sims: int = 10_000,
    seed: int | None = None,
    de_escalation: bool = True,
    progress: Progress | None = None,
) -> DoseSimulationOC:
    """Simulate the classical 3+3 design (cohorts of 3, starting at the lowest dose).

    Parameters
    ----------
    true_tox : sequence of float
        True DLT probabilities, in [0, 1] and non-decreasing.
    n_sims, seed :
        Number of simulated trials and seed of the numpy Generator (None: fresh entropy).
    de_escalation : bool
        The MTD rule of `three_plus_three.three_plus_three_oc`.
    progress : callable, optional
        Called as progress(trials_done, n_sims) after each batch.

    Returns
    -------
    DoseSimulationOC

    Notes
    -----
    Each trial draws the first cohort, the expansion cohort and the de-escalation cohort of every dose up
    front (independent Binomial(3, p_j)) and plays the rules on them; cohorts the rules never reach are
    discarded, which leaves the distribution of every trial unchanged. The exact answer is
    `three_plus_three_oc`; this simulation is its independent check.

    References
    ----------
    Storer BE (1989). Design and analysis of phase I clinical trials. Biometrics 45(3):925-937.
    Lin Y, Shih WJ (2001). Statistical properties of the traditional algorithm-based designs for phase I
    cancer clinical trials. Biostatistics 2(2):203-215. doi:10.1093/biostatistics/2.2.203
    """
    probs = check_toxicity_probabilities("true_tox", true_tox)
    n_sims, seed = _check_run(n_sims, seed)
    k = len(probs)
    p = np.asarray(probs)
    rng = np.random.default_rng(seed)
    tally = _Tally(k)
    for size in _batches(n_sims):
        first, second, extra = (rng.binomial(3, p, size=(size, k)) for _ in range(3))
        expand = first == 1
        passed = (first == 0) | (expand & (second == 0))
        stop = np.where(passed.all(axis=1), k, np.argmax(~passed, axis=1))
        treated = np.arange(k)[None, :] <= stop[:, None]
        n = np.where(treated, 3 + 3 * expand, 0)
        y = np.where(treated, first + np.where(expand, second, 0), 0)
        chosen = np.where(stop == k, k - 1, stop - 1)
        if de_escalation:
            rows = np.arange(size)
            pending = (stop > 0) & (stop < k)
            cur = stop - 1
            while pending.any():
                r = rows[pending]
                c = cur[r]
                six = expand[r, c]
                chosen[r[six]] = c[six]
                r3, c3 = r[~six], c[~six]
                n[r3, c3] += 3
                y[r3, c3] += extra[r3, c3]
                ok = extra[r3, c3] <= 1
                chosen[r3[ok]] = c3[ok]
                down = r3[~ok]
                cur[down] -= 1
                chosen[down[cur[down] < 0]] = -1
                pending[:] = False
                pending[down[cur[down] >= 0]] = True
        tally.add(chosen, n, y, stop == 0)
        if progress is not None:
            progress(tally.trials, n_sims)
    return tally.result("3+3", probs, seed, TPT_REFERENCE, {"de_escalation": de_escalation, "cohort_size": 3})


@dataclass
class _Trials:
    """A batch of simulated dose-escalation trials, one row each: patients and DLTs per dose, current dose,
    whether the trial still enrols, and whether it stopped for safety."""

    n: np.ndarray
    y: np.ndarray
    d: np.ndarray
    active: np.ndarray
    safety: np.ndarray

    @classmethod
    def start(cls, size: int, k: int, start_dose: int) -> "_Trials":
        return cls(
            np.zeros((size, k), dtype=np.int64),
            np.zeros((size, k), dtype=np.int64),
            np.full(size, start_dose),
            np.ones(size, dtype=bool),
            np.zeros(size, dtype=bool),
        )


def _cohorts(rng: np.random.Generator, p: np.ndarray, trials: _Trials, cohort_size: int, n_cohorts: int):
    """Treat one cohort at the current dose in every enrolling trial; after each cohort but the last, yield
    (indices of those trials, their doses, their DLTs) for the design to choose the next dose."""
    for cohort in range(n_cohorts):
        idx = np.flatnonzero(trials.active)
        if idx.size == 0:
            return
        dd = trials.d[idx]
        tox = rng.binomial(cohort_size, p[dd])
        trials.n[idx, dd] += cohort_size
        trials.y[idx, dd] += tox
        if cohort == n_cohorts - 1:
            return
        yield idx, dd, tox


def simulate_boin(
    true_tox: Sequence[float],
    *,
    target: float,
    n_sims: int = 10_000,
    seed: int | None = None,
    cohort_size: int = 3,
    max_n: int = 36,
    start_dose: int = 0,
    phi1: float | None = None,
    phi2: float | None = None,
    cutoff_eli: float = 0.95,
    extrasafe: bool = False,
    offset: float = 0.05,
    n_earlystop: int | None = None,
    progress: Progress | None = None,
) -> DoseSimulationOC:
    """Simulate the BOIN design, vectorised over trials with decisions looked up in the decision table.

    Parameters
    ----------
    true_tox : sequence of float
        True DLT probabilities, in [0, 1] and non-decreasing.
    target, phi1, phi2, cutoff_eli, extrasafe, offset :
        As in `boin.boin_decision_table`.
    n_sims, seed :
        Number of simulated trials and seed of the numpy Generator (None: fresh entropy).
    cohort_size, max_n, start_dose :
        Cohort size, maximum sample size (a multiple of the cohort size) and 0-based starting dose.
    n_earlystop : int, optional
        Stop and select the MTD once the current dose has this many patients and the table says stay (or the
        move is impossible), as BOIN's `n.earlystop`; None never stops this way.
    progress : callable, optional
        Called as progress(trials_done, n_sims) after each batch.

    Returns
    -------
    DoseSimulationOC

    Notes
    -----
    Follows the R package BOIN's `get.oc` (version 2.7.2): after each cohort but the last, the current dose
    and all higher ones are eliminated if the DLT count reaches the elimination count (the trial stops with
    no MTD when the lowest dose is eliminated; with `extrasafe`, also when the lowest dose has Pr(p > target)
    > cutoff_eli - offset, checked where an elimination count exists for that n); otherwise escalate if the
    count is <= the escalation count and the next dose is not eliminated, de-escalate if >= the
    de-escalation count, else stay. At the end the MTD is chosen by `boin.boin_select_mtd`, which re-applies
    the elimination rule to the final data. DLTs are independent Bernoulli draws.

    References
    ----------
    Liu S, Yuan Y (2015). Bayesian optimal interval designs for phase I clinical trials. Journal of the Royal
    Statistical Society: Series C 64(3):507-523. doi:10.1111/rssc.12089
    Yuan Y, Hess KR, Hilsenbeck SG, Gilbert MR (2016). Bayesian optimal interval design: a simple and
    well-performing design for phase I oncology trials. Clinical Cancer Research 22(17):4291-4301.
    doi:10.1158/1078-0432.CCR-16-0592
    """
    probs = check_toxicity_probabilities("true_tox", true_tox)
    n_sims, seed = _check_run(n_sims, seed)
    k = len(probs)
    cohort_size, max_n, start_dose = _check_trial(k, cohort_size, max_n, start_dose)
    table = boin_mod.boin_decision_table(
        target=target, phi1=phi1, phi2=phi2, cohort_size=cohort_size, max_n=max_n,
        cutoff_eli=cutoff_eli, extrasafe=extrasafe, offset=offset,
    )  # fmt: skip
    nes = max_n + 1 if n_earlystop is None else check_int("n_earlystop", n_earlystop, 1)
    bounds = boin_mod.boin_boundaries(target=target, phi1=phi1, phi2=phi2)
    arrays = boin_mod.boundary_arrays(bounds, max_n, table.cutoff_eli, offset if extrasafe else None)
    be, bd, bel = arrays["escalate"], arrays["deescalate"], arrays["eliminate"]
    bstop = arrays.get("stop")
    p = np.asarray(probs)
    n_cohorts = max_n // cohort_size
    rng = np.random.default_rng(seed)
    tally = _Tally(k)
    for size in _batches(n_sims):
        trials = _Trials.start(size, k, start_dose)
        n, y, d, active, safety = trials.n, trials.y, trials.d, trials.active, trials.safety
        elim_from = np.full(size, k)
        for idx, dd, _tox in _cohorts(rng, p, trials, cohort_size, n_cohorts):
            nd, yd = n[idx, dd], y[idx, dd]
            eliminated = yd >= bel[nd]
            elim_from[idx[eliminated]] = np.minimum(elim_from[idx[eliminated]], dd[eliminated])
            stop_now = eliminated & (dd == 0)
            if bstop is not None:
                stop_now |= (dd == 0) & (bel[nd] <= max_n) & (yd >= bstop[nd])
            next_open = (dd < k - 1) & (elim_from[idx] > dd + 1)
            stay = (yd > be[nd]) & (yd < bd[nd])
            converged = (nd >= nes) & (stay | ((dd == 0) & (yd >= bd[nd])) | (~next_open & (yd <= be[nd])))
            safety[idx[stop_now]] = True
            active[idx[stop_now | converged]] = False
            up = (yd <= be[nd]) & next_open
            down = (yd >= bd[nd]) & (dd > 0)
            d[idx] = np.where(up, dd + 1, np.where(down, dd - 1, dd))
        chosen, _, _ = boin_mod.select_mtd_matrix(n, y, target=table.target, eliminate=bel, stop=bstop)
        chosen[safety] = -1
        tally.add(chosen, n, y, n.sum(axis=1) < max_n)
        if progress is not None:
            progress(tally.trials, n_sims)
    settings = {
        "target": table.target,
        "phi1": table.phi1,
        "phi2": table.phi2,
        "lambda_e": table.lambda_e,
        "lambda_d": table.lambda_d,
        "cohort_size": cohort_size,
        "max_n": max_n,
        "start_dose": start_dose,
        "cutoff_eli": table.cutoff_eli,
        "extrasafe": extrasafe,
        "offset": offset,
        "n_earlystop": n_earlystop,
    }
    return tally.result("BOIN", probs, seed, boin_mod.REFERENCE, settings)


def simulate_crm(
    true_tox: Sequence[float],
    *,
    skeleton: Sequence[float],
    target: float,
    n_sims: int = 10_000,
    seed: int | None = None,
    cohort_size: int = 3,
    max_n: int = 36,
    start_dose: int = 0,
    prior_var: float = crm_mod.PRIOR_VAR,
    estimator: crm_mod.Estimator = "mean",
    coherent: bool = True,
    stop_overdose: float | None = None,
    grid_size: int = 201,
    progress: Progress | None = None,
) -> DoseSimulationOC:
    """Simulate the power-model CRM, vectorised over trials (one posterior per trial and cohort).

    Parameters
    ----------
    true_tox : sequence of float
        True DLT probabilities, in [0, 1] and non-decreasing.
    skeleton, target, prior_var, estimator :
        As in `crm.crm_next_dose`.
    n_sims, seed :
        Number of simulated trials and seed of the numpy Generator (None: fresh entropy).
    cohort_size, max_n, start_dose :
        Cohort size, maximum sample size (a multiple of the cohort size) and 0-based starting dose.
    coherent : bool
        Forbid escalation after a cohort whose DLT rate is >= target (Cheung 2005); escalation never skips.
    stop_overdose : float, optional
        Stop with no MTD when Pr(p_lowest > target | data) > stop_overdose and the lowest dose has >= 3
        patients, checked after every cohort and on the final data; None (default, as dfcrm) never stops.
    grid_size : int
        Quadrature nodes over a (the trapezoid rule on a is already exact to ~1e-12 at 201, see tests).
    progress : callable, optional
        Called as progress(trials_done, n_sims) after each batch.

    Returns
    -------
    DoseSimulationOC

    Notes
    -----
    As dfcrm's `crmsim(restrict = TRUE)` with `mcohort = cohort_size`: the first cohort gets `start_dose`;
    each later cohort gets the dose whose estimate is closest to the target, capped at one level above the
    last dose (and at the last dose after a cohort with DLT rate >= target when `coherent`); after `max_n`
    patients the MTD is the unrestricted model choice on all data. DLTs are independent Bernoulli draws.

    References
    ----------
    O'Quigley J, Pepe M, Fisher L (1990). Continual reassessment method: a practical design for phase 1
    clinical trials in cancer. Biometrics 46(1):33-48. doi:10.2307/2531628
    Cheung YK (2005). Coherence principles in dose-finding studies. Biometrika 92(4):863-873.
    doi:10.1093/biomet/92.4.863
    Cheung YK (2011). Dose Finding by the Continual Reassessment Method. Chapman & Hall/CRC, Boca Raton.
    doi:10.1201/b10783
    """
    probs = check_toxicity_probabilities("true_tox", true_tox)
    skel = check_toxicity_probabilities("skeleton", skeleton, strictly=True)
    if len(skel) != len(probs):
        raise DesignInputError("skeleton", f"must have one value per dose ({len(probs)}), not {len(skel)}")
    target = check_open_unit("target", target)
    n_sims, seed = _check_run(n_sims, seed)
    k = len(probs)
    cohort_size, max_n, start_dose = _check_trial(k, cohort_size, max_n, start_dose)
    prior_var = check_positive("prior_var", prior_var)
    if estimator not in ("mean", "plugin"):
        raise DesignInputError("estimator", f"must be 'mean' or 'plugin', not {estimator!r}")
    if stop_overdose is not None:
        stop_overdose = check_open_unit("stop_overdose", stop_overdose)
    grid_size = check_int("grid_size", grid_size, 51)
    grid = crm_mod.make_grid(skel, prior_var, grid_size)
    skel_arr = np.asarray(skel)
    p = np.asarray(probs)
    n_cohorts = max_n // cohort_size
    rng = np.random.default_rng(seed)
    tally = _Tally(k)

    def model_dose(n: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w, log_norm = crm_mod.posterior_weights(grid, n, y)
        # posterior mean of p_j, or dfcrm's plug-in skeleton_j ** exp(E[a])
        est = w @ grid.p.T if estimator == "mean" else skel_arr[None, :] ** np.exp(w @ grid.a)[:, None]
        too_toxic = np.zeros(n.shape[0], dtype=bool)
        if stop_overdose is not None:
            too_toxic = (n[:, 0] >= 3) & (crm_mod.overdose_matrix(grid, n, y, target, log_norm, 0) > stop_overdose)
        return crm_mod.closest_dose(est, target), too_toxic

    for size in _batches(n_sims):
        trials = _Trials.start(size, k, start_dose)
        n, y, d, active, safety = trials.n, trials.y, trials.d, trials.active, trials.safety
        for idx, dd, tox in _cohorts(rng, p, trials, cohort_size, n_cohorts):
            rec, too_toxic = model_dose(n[idx].astype(float), y[idx].astype(float))
            block = (tox / cohort_size >= target) if coherent else np.zeros(idx.size, dtype=bool)
            d[idx] = crm_mod.restrict_dose(rec, dd, block)
            safety[idx[too_toxic]] = True
            active[idx[too_toxic]] = False
        chosen, too_toxic = model_dose(n.astype(float), y.astype(float))
        safety |= too_toxic
        chosen[safety] = -1
        tally.add(chosen, n, y, n.sum(axis=1) < max_n)
        if progress is not None:
            progress(tally.trials, n_sims)
    settings = {
        "target": target,
        "skeleton": list(skel),
        "prior_var": prior_var,
        "estimator": estimator,
        "coherent": coherent,
        "stop_overdose": stop_overdose,
        "cohort_size": cohort_size,
        "max_n": max_n,
        "start_dose": start_dose,
        "grid_size": grid_size,
    }
    return tally.result("CRM", probs, seed, crm_mod.REFERENCE, settings)
