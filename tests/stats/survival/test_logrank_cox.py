"""Log-rank test and Cox proportional-hazards regression against R's survdiff and coxph.

Reference: tests/reference/survival/survival.R on survival_data.csv beside it; values in survival.json (each
entry's "call" is the exact R call). Tolerances: log-rank 1e-10 relative (closed form); Cox 1e-7 relative
(both sides iterate Newton-Raphson to convergence: R stops at a relative log-likelihood change of 1e-9,
this code at 1e-11, so coefficients agree to about 1e-8).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opencro.stats.survival import CoxResult, SurvivalInputError, cox_ph, logrank_test
from opencro.stats.tables.results import TestResult

HERE = Path(__file__).resolve().parents[2] / "reference" / "survival"
FIXTURE = json.loads((HERE / "survival.json").read_text())
DATA = pd.read_csv(HERE / "survival_data.csv")
COX_REL = 1e-7


def test_logrank_two_groups():
    ref = FIXTURE["logrank"]["two_groups"]
    rows = DATA[DATA.arm.isin(["A", "B"])]
    result = logrank_test(rows.time, rows.event, rows.arm)
    assert isinstance(result, TestResult)
    assert result.statistic == pytest.approx(ref["chisq"], rel=1e-10)
    assert result.df == ref["df"] == 1
    assert result.pvalue == pytest.approx(ref["pvalue"], rel=1e-9)


def test_logrank_three_groups():
    ref = FIXTURE["logrank"]["three_groups"]
    result = logrank_test(DATA.time, DATA.event, DATA.arm)
    assert result.statistic == pytest.approx(ref["chisq"], rel=1e-10)
    assert result.df == 2
    assert result.pvalue == pytest.approx(ref["pvalue"], rel=1e-9)


def test_logrank_stratified():
    ref = FIXTURE["logrank"]["three_groups_strata"]
    result = logrank_test(DATA.time, DATA.event, DATA.arm, strata=DATA.stratum)
    assert result.statistic == pytest.approx(ref["chisq"], rel=1e-10)
    assert result.pvalue == pytest.approx(ref["pvalue"], rel=1e-9)
    assert "stratified" in result.method
    # stratifying changes the statistic (the test can tell the two apart)
    assert result.statistic != pytest.approx(FIXTURE["logrank"]["three_groups"]["chisq"], rel=1e-3)


def test_logrank_bad_input():
    with pytest.raises(SurvivalInputError, match="at least two groups") as info:
        logrank_test([1, 2, 3], [1, 1, 0], ["A", "A", "A"])
    assert info.value.parameter == "group"
    with pytest.raises(SurvivalInputError, match="no events"):
        logrank_test([1, 2, 3], [0, 0, 0], ["A", "B", "A"])
    with pytest.raises(SurvivalInputError, match="negative"):
        logrank_test([1, -2, 3], [1, 1, 0], ["A", "B", "A"])
    with pytest.raises(SurvivalInputError, match="row 1: missing"):
        logrank_test([1, 2, 3], [1, 1, 0], ["A", None, "A"])


COX_CASES = {
    "arm_age_efron": ({"covariates": ["arm", "age"], "ties": "efron"}),
    "arm_age_breslow": ({"covariates": ["arm", "age"], "ties": "breslow"}),
    "arm_strata_efron": ({"covariates": ["arm"], "strata": "stratum", "ties": "efron"}),
    "arm_strata_breslow": ({"covariates": ["arm"], "strata": "stratum", "ties": "breslow"}),
    "arm_refB_efron": ({"covariates": ["arm"], "reference": {"arm": "B"}}),
}


@pytest.mark.parametrize("key", sorted(COX_CASES))
def test_cox_matches_coxph(key):
    ref = FIXTURE["cox"][key]
    fit = cox_ph(DATA, time="time", event="event", **COX_CASES[key])
    assert isinstance(fit, CoxResult)
    assert [t.term for t in fit.terms] == ref["terms"]
    np.testing.assert_allclose([t.coef for t in fit.terms], ref["coef"], rtol=COX_REL)
    np.testing.assert_allclose([t.se for t in fit.terms], ref["se"], rtol=COX_REL)
    np.testing.assert_allclose([t.hazard_ratio for t in fit.terms], ref["hr"], rtol=COX_REL)
    np.testing.assert_allclose([t.ci_low for t in fit.terms], ref["lower"], rtol=COX_REL)
    np.testing.assert_allclose([t.ci_high for t in fit.terms], ref["upper"], rtol=COX_REL)
    np.testing.assert_allclose([t.statistic for t in fit.terms], ref["z"], rtol=COX_REL)
    np.testing.assert_allclose([t.pvalue for t in fit.terms], ref["p"], rtol=1e-6)
    assert fit.loglik_null == pytest.approx(ref["loglik"][0], rel=1e-10)
    assert fit.loglik == pytest.approx(ref["loglik"][1], rel=1e-9)
    assert (fit.n, fit.n_events) == (ref["n"], ref["nevent"])
    # summary(coxph)$waldtest / $logtest / $sctest: statistic, df, p
    for ours, theirs in ((fit.wald, ref["wald"]), (fit.likelihood_ratio, ref["lr"]), (fit.score, ref["score"])):
        assert ours.statistic == pytest.approx(theirs[0], rel=1e-6)
        assert ours.df == theirs[1]
        assert ours.pvalue == pytest.approx(theirs[2], rel=1e-5)


def test_cox_terms_name_their_levels():
    fit = cox_ph(DATA, time="time", event="event", covariates=["arm", "age"])
    arm_b = fit.terms[0]
    assert (arm_b.variable, arm_b.level, arm_b.reference_level) == ("arm", "B", "A")
    assert (fit.terms[2].variable, fit.terms[2].level) == ("age", None)


def test_cox_efron_and_breslow_differ_with_ties():
    efron = cox_ph(DATA, time="time", event="event", covariates=["arm"], ties="efron")
    breslow = cox_ph(DATA, time="time", event="event", covariates=["arm"], ties="breslow")
    assert efron.terms[0].coef != pytest.approx(breslow.terms[0].coef, rel=1e-4)


@pytest.mark.parametrize(
    "change, kwargs, parameter, message",
    [
        (None, {"covariates": ["nope"]}, "nope", "no such column"),
        (None, {"covariates": ["arm"], "ties": "exact"}, "ties", "must be one of"),
        (None, {"covariates": ["arm"], "reference": {"arm": "Z"}}, "reference", "not a level"),
        (None, {"covariates": []}, "covariates", "at least one"),
        ("no_events", {"covariates": ["arm"]}, "event", "no events"),
        ("negative", {"covariates": ["arm"]}, "time", "negative"),
        ("single_arm", {"covariates": ["arm"]}, "arm", "single level"),
        ("missing_age", {"covariates": ["age"]}, "age", "missing"),
        ("no_events_in_c", {"covariates": ["arm"]}, "armC", "diverges"),
    ],
)
def test_cox_bad_input(change, kwargs, parameter, message):
    data = DATA.copy()
    if change == "no_events":
        data["event"] = 0
    elif change == "negative":
        data.loc[3, "time"] = -1
    elif change == "single_arm":
        data["arm"] = "A"
    elif change == "missing_age":
        data["age"] = data["age"].astype(float)
        data.loc[5, "age"] = np.nan
    elif change == "no_events_in_c":
        data.loc[data.arm == "C", "event"] = 0
    with pytest.raises(SurvivalInputError, match=message) as info:
        cox_ph(data, time="time", event="event", **kwargs)
    assert info.value.parameter == parameter
