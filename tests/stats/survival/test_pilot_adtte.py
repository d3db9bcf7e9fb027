"""CDISC Pilot 01 ADTTE, time to first dermatologic event (PARAMCD TTDE; AVAL days, event = 1 - CNSR) by TRTA.

Reference: tests/reference/survival/survival.R reads ../shared/reference/cdiscpilot01/adam/adtte.xpt with
haven::read_xpt and writes pilot_adtte.json: survfit medians and CIs ("log" and "log-log"), summary(fit,
times = at, extend = TRUE)$n.risk and $surv, survdiff chi-square and p, coxph(Surv(AVAL, 1 - CNSR) ~ TRTA).
Skips when the reference data is absent.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opencro.stats.survival import cox_ph, kaplan_meier, logrank_test

REPO = Path(__file__).resolve().parents[3]
XPT = REPO / ".." / "shared" / "reference" / "cdiscpilot01" / "adam" / "adtte.xpt"
FIXTURE = json.loads((REPO / "tests" / "reference" / "survival" / "pilot_adtte.json").read_text())


@pytest.fixture(scope="module")
def ttde() -> pd.DataFrame:
    if not XPT.exists():
        pytest.skip("CDISC Pilot 01 ADTTE not found: ../shared/reference/cdiscpilot01/adam/adtte.xpt (see its README)")
    data = pd.read_sas(XPT, format="xport", encoding="utf-8")
    data = data[data.PARAMCD == "TTDE"].copy()
    data["EVENT"] = 1 - data.CNSR.astype(int)
    return data


@pytest.mark.parametrize("arm", sorted(FIXTURE["km"]))
def test_km_by_arm(ttde, arm):
    ref = FIXTURE["km"][arm]
    rows = ttde[ttde["TRTA"].eq(arm)]
    assert (len(rows), int(rows.EVENT.sum())) == (ref["n"], ref["events"])
    km = kaplan_meier(rows.AVAL, rows.EVENT)
    assert km.median == ref["median"]
    assert km.median_ci == (ref["median_lcl"], ref["median_ucl"])
    assert km.at_risk(ref["at"]) == tuple(ref["n_risk_at"])
    np.testing.assert_allclose(km.survival_at(ref["at"]), ref["surv_at"], rtol=1e-10)
    km_ll = kaplan_meier(rows.AVAL, rows.EVENT, conf_type="log-log")
    assert km_ll.median_ci == (ref["median_lcl_loglog"], ref["median_ucl_loglog"])


def test_logrank(ttde):
    result = logrank_test(ttde.AVAL, ttde.EVENT, ttde.TRTA)
    assert result.statistic == pytest.approx(FIXTURE["logrank_three"]["chisq"], rel=1e-10)
    assert result.pvalue == pytest.approx(FIXTURE["logrank_three"]["pvalue"], rel=1e-9)
    two = ttde[ttde.TRTA.isin(["Placebo", "Xanomeline High Dose"])]
    result = logrank_test(two.AVAL, two.EVENT, two.TRTA)
    assert result.statistic == pytest.approx(FIXTURE["logrank_placebo_high"]["chisq"], rel=1e-10)
    assert result.pvalue == pytest.approx(FIXTURE["logrank_placebo_high"]["pvalue"], rel=1e-9)


def test_cox(ttde):
    ref = FIXTURE["cox"]
    fit = cox_ph(ttde, time="AVAL", event="EVENT", covariates=["TRTA"])
    assert [t.term for t in fit.terms] == ref["terms"]
    np.testing.assert_allclose([t.hazard_ratio for t in fit.terms], ref["hr"], rtol=1e-7)
    np.testing.assert_allclose([t.se for t in fit.terms], ref["se"], rtol=1e-7)
    assert fit.likelihood_ratio.statistic == pytest.approx(ref["lr"][0], rel=1e-6)
    assert fit.score.statistic == pytest.approx(ref["score"][0], rel=1e-6)
