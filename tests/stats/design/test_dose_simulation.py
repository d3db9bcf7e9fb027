"""Monte Carlo operating characteristics of the 3+3, BOIN and CRM designs.

References: the exact 3+3 answer (three_plus_three_oc, itself checked against Lin & Shih 2001); the R package
BOIN 2.7.2's get.oc and dfcrm 0.2-2.1's crmsim (plug-in CRM), run by tests/reference/design/dose_boin.R and
dose_crm.R with R's own random numbers, so agreement is within Monte Carlo error: every comparison allows
4 combined standard errors. No published BOIN operating-characteristics table was at hand to cite; the R
package is the reference.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from opencro.stats.design.dose_simulation import simulate_boin, simulate_crm, simulate_three_plus_three
from opencro.stats.design.errors import DesignInputError
from opencro.stats.design.three_plus_three import three_plus_three_oc

REF = Path(__file__).parents[2] / "reference" / "design"
BOIN_OC = json.loads((REF / "dose_boin.json").read_text())["oc"]
CRM_OC = json.loads((REF / "dose_crm.json").read_text())["oc"]
Z = 4.0


def close(got: float, expected: float, se: float) -> bool:
    return abs(got - expected) <= Z * se + 1e-12


@pytest.mark.parametrize("de_escalation", [True, False])
@pytest.mark.parametrize("tox", [(0.05, 0.10, 0.20, 0.30, 0.50), (0.15, 0.30, 0.45, 0.60)])
def test_three_plus_three_simulation_agrees_with_exact(tox, de_escalation):
    sims = 20_000
    sim = simulate_three_plus_three(tox, n_sims=sims, seed=20240601, de_escalation=de_escalation)
    exact = three_plus_three_oc(tox, de_escalation=de_escalation)
    for got, p in zip((*sim.p_select, sim.p_none), (*exact.p_select, exact.p_none), strict=True):
        assert close(got, p, math.sqrt(p * (1 - p) / sims))
    for j in range(len(tox)):
        assert close(sim.mean_n[j], exact.expected_n[j], sim.se_n[j])
        assert close(sim.mean_dlt[j], exact.expected_dlt[j], sim.se_dlt[j])
    assert close(sim.mean_total_n, exact.expected_total_n, sim.sd_total_n / math.sqrt(sims))
    p0 = exact.p_stop_first_dose
    assert close(sim.p_stopped_early, p0, math.sqrt(p0 * (1 - p0) / sims))
    assert sum(sim.p_select) + sim.p_none == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("case", BOIN_OC, ids=lambda c: f"{c['p_true']}-{c['ncohort']}")
def test_boin_agrees_with_boin_get_oc(case):
    # BOIN 2.7.2: get.oc(target, p.true, ncohort, cohortsize = 3, n.earlystop, startdose, extrasafe,
    # ntrial = 10000, seed = 6) -> $selpercent, $npatients, $ntox, $totaln, $percentstop
    sims, ref = 20_000, case["ntrial"]
    sim = simulate_boin(
        case["p_true"],
        target=case["target"],
        n_sims=sims,
        seed=7,
        cohort_size=case["cohortsize"],
        max_n=case["cohortsize"] * case["ncohort"],
        start_dose=case["startdose"] - 1,
        extrasafe=case["extrasafe"],
        n_earlystop=None if case["n_earlystop"] >= 100 else case["n_earlystop"],
    )
    both = 1 / sims + 1 / ref
    for got, pct in zip(sim.p_select, case["selpercent"], strict=True):
        assert close(got, pct / 100, math.sqrt(got * (1 - got) * both))
    assert close(sim.p_none, case["percentstop"] / 100, math.sqrt(sim.p_none * (1 - sim.p_none) * both))
    scale = math.sqrt(1 + sims / ref)  # R's standard error from ours: same SD, fewer trials
    for j in range(len(case["p_true"])):
        assert close(sim.mean_n[j], case["npatients"][j], sim.se_n[j] * scale)
        assert close(sim.mean_dlt[j], case["ntox"][j], sim.se_dlt[j] * scale)
    assert close(sim.mean_total_n, case["totaln"], sim.sd_total_n / math.sqrt(sims) * scale)


@pytest.mark.parametrize("case", CRM_OC, ids=lambda c: f"{c['p_true']}")
def test_plugin_crm_agrees_with_dfcrm_crmsim(case):
    # dfcrm 0.2-2.1: crmsim(PI, prior = skeleton, target, n, x0, nsim = 5000, mcohort = 3, restrict = TRUE,
    # seed = 1009) -> $MTD, $level, $tox
    sims, ref = 20_000, case["nsim"]
    sim = simulate_crm(
        case["p_true"],
        skeleton=case["skeleton"],
        target=case["target"],
        n_sims=sims,
        seed=11,
        cohort_size=case["cohort_size"],
        max_n=case["n"],
        start_dose=case["x0"] - 1,
        estimator="plugin",
    )
    both = 1 / sims + 1 / ref
    for got, p in zip(sim.p_select, case["selection"], strict=True):
        assert close(got, p, math.sqrt(max(got * (1 - got), 1 / sims) * both))
    scale = math.sqrt(1 + sims / ref)
    for j in range(len(case["p_true"])):
        assert close(sim.mean_n[j], case["npatients"][j], sim.se_n[j] * scale)
        assert close(sim.mean_dlt[j], case["ntox"][j], sim.se_dlt[j] * scale)
    assert sim.p_none == 0.0 and sim.p_stopped_early == 0.0
    assert sim.mean_total_n == case["n"]


def test_boin_invariants_and_reproducibility():
    tox = (0.05, 0.15, 0.3, 0.45, 0.6)
    calls: list[tuple[int, int]] = []
    a = simulate_boin(tox, target=0.3, n_sims=5000, seed=3, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(2000, 5000), (4000, 5000), (5000, 5000)]
    assert a == simulate_boin(tox, target=0.3, n_sims=5000, seed=3)
    assert a != simulate_boin(tox, target=0.3, n_sims=5000, seed=4)
    assert sum(a.p_select) + a.p_none == pytest.approx(1.0, abs=1e-12)
    assert a.mean_total_n <= 36
    assert a.p_select.index(max(a.p_select)) == 2
    assert a.as_dict()["settings"]["lambda_e"] == pytest.approx(0.2365, abs=1e-4)
    # n_earlystop = 12 stops trials once 12 patients sit at a converged dose
    early = simulate_boin(tox, target=0.3, n_sims=5000, seed=3, n_earlystop=12)
    assert early.mean_total_n < a.mean_total_n
    assert early.p_stopped_early > 0.5


def test_boin_overly_toxic_truth_stops():
    sim = simulate_boin((0.7, 0.8, 0.9), target=0.3, n_sims=4000, seed=5)
    assert sim.p_none > 0.95
    assert sim.p_stopped_early > 0.95
    assert sim.mean_n[0] < 9  # elimination at 3/3, 4/6, 5/9 ... stops most trials within 3 cohorts
    # the dose above an eliminated one is never tried; start dose 2 is used for the first cohort
    high = simulate_boin((0.01, 0.02, 0.9), target=0.3, n_sims=2000, seed=5, start_dose=2, max_n=12)
    assert high.mean_n[2] >= 3.0


def test_crm_safety_stop_and_estimators():
    toxic = (0.6, 0.7, 0.8, 0.9)
    skel = (0.1, 0.2, 0.3, 0.4)
    without = simulate_crm(toxic, skeleton=skel, target=0.25, n_sims=2000, seed=1, max_n=24)
    assert without.p_none == 0.0 and without.p_select[0] > 0.99
    with_stop = simulate_crm(toxic, skeleton=skel, target=0.25, n_sims=2000, seed=1, max_n=24, stop_overdose=0.9)
    assert with_stop.p_none > 0.9
    assert with_stop.p_stopped_early > 0.9
    assert with_stop.mean_total_n < 12
    fine = simulate_crm((0.05, 0.1, 0.25, 0.4), skeleton=skel, target=0.25, n_sims=2000, seed=1, grid_size=801)
    coarse = simulate_crm((0.05, 0.1, 0.25, 0.4), skeleton=skel, target=0.25, n_sims=2000, seed=1)
    assert fine.p_select == coarse.p_select  # the default 201-node grid makes the same decisions


def test_crm_no_skipping():
    # whatever the data, the k-th cohort can be at most at dose start + k - 1
    sim = simulate_crm((0.0, 0.0, 0.0, 0.0, 0.0), skeleton=(0.05, 0.1, 0.2, 0.3, 0.4), target=0.3, n_sims=500,
                       seed=2, max_n=9)  # fmt: skip
    assert sim.mean_n == (3.0, 3.0, 3.0, 0.0, 0.0)


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        ({"max_n": 35}, "max_n"),
        ({"max_n": 2}, "max_n"),
        ({"cohort_size": 0}, "cohort_size"),
        ({"start_dose": 5}, "start_dose"),
        ({"start_dose": -1}, "start_dose"),
        ({"n_sims": 0}, "n_sims"),
        ({"seed": -3}, "seed"),
        ({"target": 1.2}, "target"),
        ({"phi1": 0.35}, "phi1"),
        ({"phi2": 0.2}, "phi2"),
        ({"true_tox": (0.1, 0.3, 0.2, 0.4, 0.5)}, "true_tox"),
        ({"true_tox": (0.1, 0.3, 0.4, 0.5, 1.1)}, "true_tox"),
        ({"n_earlystop": 0}, "n_earlystop"),
    ],
)
def test_boin_bad_input(kwargs, parameter):
    args = {"true_tox": (0.05, 0.15, 0.3, 0.45, 0.6), "target": 0.3, "n_sims": 10} | kwargs
    with pytest.raises(DesignInputError) as err:
        simulate_boin(args.pop("true_tox"), **args)
    assert err.value.parameter == parameter


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        ({"skeleton": (0.1, 0.2, 0.3)}, "skeleton"),
        ({"skeleton": (0.1, 0.3, 0.2, 0.4)}, "skeleton"),
        ({"estimator": "mode"}, "estimator"),
        ({"stop_overdose": 1.0}, "stop_overdose"),
        ({"prior_var": -1.0}, "prior_var"),
        ({"grid_size": 5}, "grid_size"),
    ],
)
def test_crm_bad_input(kwargs, parameter):
    args = {"skeleton": (0.1, 0.2, 0.3, 0.4), "target": 0.25, "n_sims": 10} | kwargs
    with pytest.raises(DesignInputError) as err:
        simulate_crm((0.05, 0.1, 0.25, 0.4), **args)
    assert err.value.parameter == parameter


def test_three_plus_three_bad_input():
    with pytest.raises(DesignInputError) as err:
        simulate_three_plus_three((0.2, 0.1))
    assert err.value.parameter == "true_tox"
    with pytest.raises(DesignInputError) as err:
        simulate_three_plus_three((0.1, 0.2), n_sims=True)
    assert err.value.parameter == "n_sims"


def test_as_dict_round_numbers():
    sim = simulate_three_plus_three((0.1, 0.2), n_sims=100, seed=1)
    d = sim.as_dict()
    assert d["design"] == "3+3"
    assert d["mean_total_n"] == pytest.approx(sum(d["mean_n"]))
    assert np.isclose(sum(d["p_select"]) + d["p_none"], 1.0)
