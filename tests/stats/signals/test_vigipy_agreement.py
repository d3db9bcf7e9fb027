"""Independent implementation check: vigipy on the same small database, for the measures defined alike.

vigipy works on a table of pair counts and takes every margin as a sum of cells (n.. = all cells), whereas
OpenCRO counts distinct reports (openEBGM's processRaw). The two agree when every report names one product and
one event, which is the input used here. Where definitions differ:

- vigipy applies a Haldane-Anscombe +0.5 to every cell of a table with an empty cell; OpenCRO does not (the input
  has no empty cells among the compared pairs, checked below);
- vigipy's BCPNN IC is the Dirichlet-posterior expectation of log2(p11 / (p1. p.1)) (Noren et al. 2006 exact
  form), not the shrunk log2((n + 0.5)/(E + 0.5)): not compared;
- vigipy's GPS prior fit truncates the mixture as a whole at zero, openEBGM and OpenCRO each component: the fitted
  priors differ, so the posterior scores are compared given OpenCRO's prior (``prior_param``); vigipy's quantile
  bisection stops at |F(x) - q| < 1e-5, hence the tolerance on EB05/EB95.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from opencro.stats.signals import detect_signals, posterior_weight

vigipy = pytest.importorskip("vigipy")
from vigipy import gps, prr, ror  # noqa: E402
from vigipy.utils import convert  # noqa: E402


@pytest.fixture(scope="module")
def both():
    rng = np.random.default_rng(5)
    m = 6000
    product = rng.choice(8, m, p=np.array([30, 20, 15, 10, 10, 7, 5, 3]) / 100)
    event = rng.choice(10, m, p=np.array([25, 18, 14, 11, 9, 8, 6, 4, 3, 2]) / 100)
    event[(product == 6) & (rng.random(m) < 0.4)] = 9  # a planted signal
    rows = pd.DataFrame(
        {"report": np.arange(m), "product": [f"d{p}" for p in product], "event": [f"e{e}" for e in event]}
    )
    ours = detect_signals(rows).table.set_index(["product", "event"])
    counts = rows.groupby(["product", "event"]).size().reset_index(name="count")
    container = convert(counts, product_label="product", ae_label="event", count_label="count")
    return rows, ours, container


def _vigipy_table(result) -> pd.DataFrame:
    return result.all_signals.set_index(["Product", "Adverse Event"])


def test_no_empty_cells_in_the_compared_tables(both):
    rows, ours, _ = both
    n_p = rows.groupby("product").size()
    n_e = rows.groupby("event").size()
    b = n_p.loc[ours.index.get_level_values(0)].to_numpy() - ours.n.to_numpy()
    c = n_e.loc[ours.index.get_level_values(1)].to_numpy() - ours.n.to_numpy()
    assert (b > 0).all() and (c > 0).all() and len(ours) == 80


def test_prr_and_its_interval_agree(both):
    _, ours, container = both
    theirs = _vigipy_table(prr(container, min_events=1)).loc[ours.index]
    np.testing.assert_allclose(ours.expected, theirs["Expected Count"], rtol=1e-12)
    np.testing.assert_allclose(ours.prr, theirs["PRR"], rtol=1e-12)
    np.testing.assert_allclose(ours.prr_lower, theirs["CI Lower"], rtol=1e-12)
    np.testing.assert_allclose(ours.prr_upper, theirs["CI Upper"], rtol=1e-12)


def test_ror_and_its_interval_agree(both):
    _, ours, container = both
    theirs = _vigipy_table(ror(container, min_events=1)).loc[ours.index]
    np.testing.assert_allclose(ours.ror, theirs["ROR"], rtol=1e-12)
    np.testing.assert_allclose(ours.ror_lower, theirs["CI Lower"], rtol=1e-12)
    np.testing.assert_allclose(ours.ror_upper, theirs["CI Upper"], rtol=1e-12)


def test_gps_scores_agree_given_the_same_prior(both):
    rows, ours, container = both
    prior = detect_signals(rows).prior
    theirs = _vigipy_table(gps(container, min_events=1, prior_param=list(prior.theta()))).loc[ours.index]
    np.testing.assert_allclose(ours.ebgm, theirs["EBGM"], rtol=1e-9)
    # vigipy stops its bisection at |F(x) - q| < 1e-5: its quantiles must meet that under our posterior
    a1, b1, a2, b2, _ = prior.theta()
    n, e = ours.n.to_numpy(), ours.expected.to_numpy()
    qn = posterior_weight(prior.theta(), n, e)
    for column, q in (("LowerBound", 0.05), ("UpperBound", 0.95)):
        x = theirs[column].to_numpy()
        cdf = qn * stats.gamma.cdf(x, a1 + n, scale=1 / (b1 + e)) + (1 - qn) * stats.gamma.cdf(
            x, a2 + n, scale=1 / (b2 + e)
        )
        assert np.max(np.abs(cdf - q)) < 1e-5
    np.testing.assert_allclose(ours.eb05, theirs["LowerBound"], rtol=5e-4)
    np.testing.assert_allclose(ours.eb95, theirs["UpperBound"], rtol=5e-4)
