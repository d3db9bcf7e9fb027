"""Kaplan-Meier curve, Greenwood SE, pointwise limits, median and its CI, numbers at risk.

Reference: R survival's ``survfit(Surv(time, event) ~ 1, conf.type = ...)`` on
tests/reference/survival/survival_data.csv, run by tests/reference/survival/survival.R; values in
survival.json beside it (the "call" field of each entry is the exact R call). Tolerance: 1e-10 relative for
the curve and its limits (same closed-form arithmetic in double precision); medians are data times or
midpoints of two data times, so they are compared exactly.
"""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opencro.stats.survival import KaplanMeier, SurvivalInputError, kaplan_meier

HERE = Path(__file__).resolve().parents[2] / "reference" / "survival"
FIXTURE = json.loads((HERE / "survival.json").read_text())
DATA = pd.read_csv(HERE / "survival_data.csv")
REL = 1e-10


def _as_float(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@pytest.mark.parametrize("key", sorted(FIXTURE["km"]))
def test_curve_matches_survfit(key):
    arm, conf_type = key.split("|")
    ref = FIXTURE["km"][key]
    rows = DATA if arm == "all" else DATA[DATA.arm == arm]
    km = kaplan_meier(rows.time, rows.event, conf_type=conf_type)
    assert isinstance(km, KaplanMeier)
    assert km.conf_type == conf_type
    np.testing.assert_array_equal(km.times, ref["time"])
    np.testing.assert_array_equal(km.n_at_risk, ref["n_risk"])
    np.testing.assert_array_equal(km.n_events, ref["n_event"])
    np.testing.assert_array_equal(km.n_censored, ref["n_censor"])
    np.testing.assert_allclose(km.survival, ref["surv"], rtol=REL)
    np.testing.assert_allclose(km.se, _as_float(ref["std_err_surv"]), rtol=REL, equal_nan=True)
    np.testing.assert_allclose(km.ci_low, _as_float(ref["lower"]), rtol=REL, equal_nan=True)
    np.testing.assert_allclose(km.ci_high, _as_float(ref["upper"]), rtol=REL, equal_nan=True)


@pytest.mark.parametrize("key", sorted(FIXTURE["km"]))
def test_median_and_interval_match_survfit(key):
    arm, conf_type = key.split("|")
    ref = FIXTURE["km"][key]
    rows = DATA if arm == "all" else DATA[DATA.arm == arm]
    km = kaplan_meier(rows.time, rows.event, conf_type=conf_type)
    assert km.median == ref["median"]
    assert km.median_ci == (ref["median_lcl"], ref["median_ucl"])


@pytest.mark.parametrize("key", [k for k in sorted(FIXTURE["km"]) if k.endswith("|log")])
def test_numbers_at_risk_and_survival_at_times(key):
    arm = key.split("|")[0]
    ref = FIXTURE["km"][key]
    rows = DATA if arm == "all" else DATA[DATA.arm == arm]
    km = kaplan_meier(rows.time, rows.event)
    # summary(fit, times = at, extend = TRUE)$n.risk / $surv
    assert km.at_risk(ref["at"]) == tuple(ref["n_risk_at"])
    np.testing.assert_allclose(km.survival_at(ref["at"]), ref["surv_at"], rtol=REL)


def test_hand_computed_small_curve():
    # times 1, 2+, 3, 3, 4+: S(1) = 4/5, S(3) = 4/5 * (1 - 2/3) = 4/15; Greenwood var(log S) at 3 =
    # 1/(5*4) + 2/(3*1) = 0.7166...
    km = kaplan_meier([1, 2, 3, 3, 4], [1, 0, 1, 1, 0])
    assert km.times == (1.0, 2.0, 3.0, 4.0)
    assert km.n_at_risk == (5, 4, 3, 1)
    assert km.survival == pytest.approx((0.8, 0.8, 4 / 15, 4 / 15))
    assert km.se[2] == pytest.approx(4 / 15 * math.sqrt(1 / 20 + 2 / 3))
    assert km.median == 3.0
    assert km.at_risk([0, 3, 3.5, 10]) == (5, 3, 1, 0)
    assert km.survival_at([0.5, 1, 2.9, 3]) == pytest.approx((1.0, 0.8, 0.8, 4 / 15))


def test_median_midpoint_when_curve_is_exactly_half():
    # 4 subjects, events at 1 and 2 then censored: S = 0.75, 0.5 at t=2 and stays 0.5 -> last point at 0.5:
    # R's findq gives (2 + last time 5) / 2 = 3.5.
    km = kaplan_meier([1, 2, 5, 5], [1, 1, 0, 0])
    assert km.median == 3.5
    # flat at 0.5 from t=2 until the next drop at 4 -> midpoint 3
    km = kaplan_meier([1, 2, 4, 6], [1, 1, 1, 0])
    assert km.median == 3.0


def test_median_none_when_curve_stays_above_half():
    km = kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0])
    assert km.median is None
    assert km.median_ci[1] is None


@pytest.mark.parametrize(
    "time, event, kwargs, parameter",
    [
        ([1, -2, 3], [1, 0, 1], {}, "time"),
        ([1, float("nan"), 3], [1, 0, 1], {}, "time"),
        ([1, 2, 3], [1, 2, 1], {}, "event"),
        ([1, 2, 3], [1, 0], {}, "event"),
        ([], [], {}, "time"),
        ([1, 2, 3], [1, 0, 1], {"conf_type": "logit"}, "conf_type"),
        ([1, 2, 3], [1, 0, 1], {"conf_level": 1.5}, "conf_level"),
    ],
)
def test_bad_input_names_the_argument(time, event, kwargs, parameter):
    with pytest.raises(SurvivalInputError) as info:
        kaplan_meier(time, event, **kwargs)
    assert info.value.parameter == parameter
    assert isinstance(info.value, ValueError)


def test_negative_time_message_gives_the_row():
    with pytest.raises(SurvivalInputError, match="row 1: negative time -2"):
        kaplan_meier([1, -2, 3], [1, 0, 1])
