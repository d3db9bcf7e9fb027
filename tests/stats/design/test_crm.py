"""Power-model CRM posterior and dose recommendation.

References: (1) brute-force integration with scipy.integrate.quad, written here independently of the grid;
(2) the R package dfcrm 0.2-2.1 (Cheung), whose crm(method = "bayes", model = "empiric") gives E[a | data],
Var[a | data], the plug-in estimate skeleton^exp(E[a]) and its recommended dose, run by
tests/reference/design/dose_crm.R (output dose_crm.json); the same script integrates the posterior mean of p
with R's integrate(). dfcrm could not be installed (no CRAN); the script sources the package's R file. Its first
data set is the example of dfcrm's crm() help page; no worked example of Cheung (2011) was at hand to cite.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, stats

from opencro.stats.design.crm import crm_next_dose, crm_posterior
from opencro.stats.design.errors import DesignInputError

FIXTURE = json.loads((Path(__file__).parents[2] / "reference" / "design" / "dose_crm.json").read_text())
SKELETON = (0.05, 0.12, 0.25, 0.40, 0.55)
DATA = [
    ((0, 0, 0, 0, 0), (0, 0, 0, 0, 0)),
    ((3, 0, 0, 0, 0), (0, 0, 0, 0, 0)),
    ((3, 3, 3, 0, 0), (0, 0, 2, 0, 0)),
    ((3, 0, 0, 0, 0), (3, 0, 0, 0, 0)),
    ((3, 6, 15, 9, 3), (0, 1, 4, 4, 2)),
    ((0, 0, 0, 0, 30), (0, 0, 0, 0, 0)),
    ((30, 0, 0, 0, 0), (30, 0, 0, 0, 0)),
]


def quad_posterior(skeleton, n, y, target, prior_var=1.34):
    """E[a], SD[a], E[p_j], Pr(p_j > target) by adaptive quadrature of prior x likelihood."""

    def density(a: float) -> float:
        log = stats.norm.logpdf(a, 0.0, math.sqrt(prior_var))
        for s, nj, yj in zip(skeleton, n, y, strict=True):
            log_p = math.exp(a) * math.log(s)
            log += yj * log_p + (nj - yj) * math.log(-math.expm1(log_p))
        return math.exp(log)

    # locate the mode so that quad sees the peak
    grid = np.linspace(-12, 12, 1201)
    mode = float(grid[np.argmax([density(a) for a in grid])])
    opts = {"points": [mode], "limit": 400, "epsabs": 1e-14, "epsrel": 1e-12}

    def integral(f) -> float:
        return integrate.quad(lambda a: density(a) * f(a), -15, 15, **opts)[0]

    z = integral(lambda a: 1.0)
    mean = integral(lambda a: a) / z
    sd = math.sqrt(integral(lambda a: (a - mean) ** 2) / z)
    p_mean = [integral(lambda a, s=s: s ** math.exp(a)) / z for s in skeleton]
    overdose = []
    for s in skeleton:
        c = math.log(math.log(target) / math.log(s))
        overdose.append(integrate.quad(density, -15, c, limit=400, epsabs=1e-14, epsrel=1e-12)[0] / z)
    return mean, sd, p_mean, overdose


@pytest.mark.parametrize("n, y", DATA)
def test_posterior_matches_brute_force_quadrature(n, y):
    post = crm_posterior(skeleton=SKELETON, n=n, dlt=y, target=0.25)
    mean, sd, p_mean, overdose = quad_posterior(SKELETON, n, y, 0.25)
    assert post.a_mean == pytest.approx(mean, abs=1e-9)
    assert post.a_sd == pytest.approx(sd, abs=1e-9)
    assert post.p_mean == pytest.approx(p_mean, abs=1e-9)
    assert post.p_overdose == pytest.approx(overdose, abs=1e-7)
    assert post.p_plugin == pytest.approx([s ** math.exp(mean) for s in SKELETON], abs=1e-9)


def test_prior_only():
    post = crm_posterior(skeleton=SKELETON, n=[0] * 5, dlt=[0] * 5)
    assert post.a_mean == pytest.approx(0.0, abs=1e-14)
    assert post.a_sd == pytest.approx(math.sqrt(1.34), abs=1e-10)
    assert post.p_plugin == pytest.approx(SKELETON, abs=1e-14)
    assert post.p_overdose is None
    # E[s^exp(a)] under N(0, 1.34), by Gauss-Hermite with 120 nodes as an independent check
    x, w = np.polynomial.hermite.hermgauss(120)
    a = math.sqrt(2 * 1.34) * x
    expected = [float(w @ (s ** np.exp(a))) / math.sqrt(math.pi) for s in SKELETON]
    assert post.p_mean == pytest.approx(expected, abs=1e-10)


def _counts(case):
    k = len(case["skeleton"])
    n, y = [0] * k, [0] * k
    for level, tox in zip(case["level"], case["tox"], strict=True):
        n[level - 1] += 1
        y[level - 1] += tox
    return n, y


@pytest.mark.parametrize("case", FIXTURE["posterior"], ids=lambda c: f"{c['skeleton']}-{sum(c['tox'])}")
def test_matches_dfcrm(case):
    # dfcrm 0.2-2.1: crm(prior = skeleton, target, tox, level) -> $estimate, $post.var, $ptox, $mtd (1-based);
    # dfcrm integrates with R's integrate() (rel.tol ~1e-4 on paper, ~1e-9 in practice here)
    n, y = _counts(case)
    post = crm_posterior(skeleton=case["skeleton"], n=n, dlt=y)
    assert post.a_mean == pytest.approx(case["a_mean"], abs=1e-7)
    assert post.a_sd**2 == pytest.approx(case["a_var"], abs=1e-7)
    assert post.p_plugin == pytest.approx(case["p_plugin"], abs=1e-7)
    # posterior mean of p: R integrate(..., rel.tol = 1e-12) in dose_crm.R
    assert post.p_mean == pytest.approx(case["p_mean"], abs=1e-10)
    rec = crm_next_dose(skeleton=case["skeleton"], target=case["target"], n=n, dlt=y, estimator="plugin")
    assert rec.dose + 1 == case["mtd_plugin"]


def test_recommendation_uses_posterior_mean_by_default():
    rec = crm_next_dose(skeleton=SKELETON, target=0.25, n=[3, 3, 3, 0, 0], dlt=[0, 0, 2, 0, 0])
    assert rec.estimator == "mean"
    dist = np.abs(np.array(rec.posterior.p_mean) - 0.25)
    assert rec.model_dose == int(np.argmin(dist))


def test_no_skipping_on_escalation():
    # 9 patients without DLT at the lowest dose: the model jumps several levels up
    free = crm_next_dose(skeleton=SKELETON, target=0.25, n=[9, 0, 0, 0, 0], dlt=[0] * 5)
    assert free.model_dose >= 2
    capped = crm_next_dose(skeleton=SKELETON, target=0.25, n=[9, 0, 0, 0, 0], dlt=[0] * 5, current_dose=0)
    assert capped.dose == 1
    assert capped.model_dose == free.model_dose


def test_coherent_escalation_and_free_de_escalation():
    n, y = [3, 3, 6, 0, 0], [0, 0, 1, 0, 0]  # e.g. 0/3 then 1/3 at dose index 2: the model says escalate
    base = crm_next_dose(skeleton=SKELETON, target=0.25, n=n, dlt=y, current_dose=2)
    assert base.model_dose == 3 and base.dose == 3
    held = crm_next_dose(skeleton=SKELETON, target=0.25, n=n, dlt=y, current_dose=2, last_cohort_dlt_rate=1 / 3)
    assert held.dose == 2
    # de-escalation may skip levels
    down = crm_next_dose(skeleton=SKELETON, target=0.25, n=[3, 3, 0, 0, 3], dlt=[0, 0, 0, 0, 3], current_dose=4)
    assert down.dose == down.model_dose < 3


def test_grid_size_converges():
    coarse = crm_posterior(skeleton=SKELETON, n=[3, 6, 15, 9, 3], dlt=[0, 1, 4, 4, 2], grid_size=101)
    fine = crm_posterior(skeleton=SKELETON, n=[3, 6, 15, 9, 3], dlt=[0, 1, 4, 4, 2], grid_size=4001)
    assert coarse.p_mean == pytest.approx(fine.p_mean, abs=1e-9)


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        ({"skeleton": [0.1, 0.1, 0.3]}, "skeleton"),
        ({"skeleton": [0.3, 0.2, 0.4]}, "skeleton"),
        ({"skeleton": [0.0, 0.2, 0.4]}, "skeleton"),
        ({"skeleton": [0.1, 0.2, 1.0]}, "skeleton"),
        ({"n": [3, 3], "dlt": [0, 1]}, "n"),
        ({"n": [3, 3]}, "dlt"),
        ({"dlt": [4, 0, 0]}, "dlt"),
        ({"target": 1.5}, "target"),
        ({"prior_var": 0.0}, "prior_var"),
        ({"estimator": "median"}, "estimator"),
        ({"current_dose": 3}, "current_dose"),
        ({"current_dose": 0, "last_cohort_dlt_rate": 1.5}, "last_cohort_dlt_rate"),
        ({"grid_size": 10}, "grid_size"),
    ],
)
def test_bad_input_is_refused(kwargs, parameter):
    args = {"skeleton": [0.1, 0.2, 0.3], "target": 0.25, "n": [3, 3, 0], "dlt": [0, 1, 0]} | kwargs
    with pytest.raises(DesignInputError) as err:
        crm_next_dose(**args)
    assert err.value.parameter == parameter
