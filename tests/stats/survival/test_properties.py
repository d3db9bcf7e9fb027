"""Properties that hold for any data: the Kaplan-Meier curve never rises and its limits bracket it; the log-rank
statistic does not depend on how groups are labelled; a Cox model of one binary covariate has a score test equal
to the log-rank statistic under Breslow ties without tied event times (Cox 1972, section 7)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opencro.stats.survival import cox_ph, kaplan_meier, logrank_test

samples = st.lists(
    st.tuples(st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=1), st.booleans()),
    min_size=4,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(samples, st.sampled_from(["log", "log-log", "plain"]))
def test_curve_is_monotone_and_bracketed(rows, conf_type):
    time = [r[0] for r in rows]
    event = [r[1] for r in rows]
    km = kaplan_meier(time, event, conf_type=conf_type)
    s = np.array(km.survival)
    assert np.all(np.diff(s) <= 1e-15)
    assert np.all((s >= 0) & (s <= 1))
    low, high = np.array(km.ci_low), np.array(km.ci_high)
    defined = np.isfinite(low) & np.isfinite(high)
    assert np.all(low[defined] <= s[defined] + 1e-12)
    assert np.all(high[defined] >= s[defined] - 1e-12)
    assert list(km.n_at_risk) == sorted(km.n_at_risk, reverse=True)
    assert km.n_at_risk[0] == len(rows)
    assert sum(km.n_events) == sum(event)
    if km.median is not None:
        assert km.survival_at([km.median])[0] <= 0.5 + 1e-12


@settings(max_examples=60, deadline=None)
@given(samples)
def test_logrank_ignores_labels(rows):
    time = [r[0] for r in rows]
    event = [r[1] for r in rows]
    group = ["x" if r[2] else "y" for r in rows]
    if len(set(group)) < 2 or not any(event):
        return
    a = logrank_test(time, event, group)
    b = logrank_test(time, event, ["z" if g == "x" else "a" for g in group])
    assert a.statistic == pytest.approx(b.statistic, rel=1e-9, abs=1e-12)


def test_cox_score_test_equals_logrank_without_ties():
    rng = np.random.default_rng(3)
    n = 60
    data = pd.DataFrame(
        {
            "time": rng.permutation(np.arange(1, n + 1)).astype(float),
            "event": rng.integers(0, 2, n),
            "arm": rng.choice(["A", "B"], n),
        }
    )
    fit = cox_ph(data, time="time", event="event", covariates=["arm"], ties="breslow")
    logrank = logrank_test(data.time, data.event, data.arm)
    assert fit.score.statistic == pytest.approx(logrank.statistic, rel=1e-10)
