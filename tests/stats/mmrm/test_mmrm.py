"""MMRM (unstructured covariance, REML, Satterthwaite and Kenward-Roger df) against nlme::gls, emmeans, pbkrtest.

Reference: tests/reference/mmrm/mmrm.R on mmrm_data.csv beside it (150 subjects, 3 arms, 4 visits, dropout),
values in mmrm.json: nlme::gls(chg ~ trt * visit + base [+ sex], correlation = corSymm(form = ~ as.integer(visit)
| subject), weights = varIdent(form = ~ 1 | visit), method = "REML"); logLik(fit); getVarCov(fit); emmeans(fit,
~ trt | visit) estimates and SEs and contrast(..., list("Low - Placebo", "High - Placebo", "High - Low")).

emmeans' own mode = "satterthwaite" is not usable for corSymm fits (it falls back to a random-perturbation
approximation), so the script computes Satterthwaite df from the gradient of Var(L b) and the inverse REML
information: (a) "df_numderiv_hessian" with numDeriv::hessian of the REML log-likelihood (checked equal to
logLik(fit) at the estimate) in nlme's parameterisation; (b) "df" with nlme's own fit$apVar.

Tolerances and why:
- REML log-likelihood 1e-6 absolute; estimates 2e-5 absolute, SEs 1e-4 relative, covariance 1e-4 relative:
  nlme's optimiser stops about 1e-5 (relative) from the optimum in the covariance parameters (our
  log-likelihood is 5e-8 higher than nlme's), and the fixed effects move with them.
- df 1e-4 relative against (a): the df are invariant to the covariance parameterisation, and both sides use
  accurate second derivatives; what remains is the same optimiser difference.
- df 1e-2 relative against (b): nlme's apVar comes from a coarse finite-difference Hessian (fdHess), which
  moves the df by up to 0.6% on these data.
- Kenward-Roger ("kenward_roger" in the JSON): pbkrtest via emmeans(lmer.df = "kenward-roger") on the equivalent
  lme4 fit (see the script for why it is equivalent); 1e-6 relative (see the test).
- CI limits and p-values are checked against limits rebuilt from R's estimates, SEs and df (a) at 1e-4 relative
  (p-values 1e-3), and against R's apVar-based limits at 5e-4 absolute.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from opencro.stats.mmrm import MmrmComparison, MmrmError, MmrmLSMean, MmrmResult, mmrm

HERE = Path(__file__).resolve().parents[2] / "reference" / "mmrm"
FIXTURE = json.loads((HERE / "mmrm.json").read_text())
DATA = pd.read_csv(HERE / "mmrm_data.csv")
VISITS = ["Week 2", "Week 4", "Week 8", "Week 12"]
ARMS = ["Placebo", "Low", "High"]
PAIRS = [("Low", "Placebo"), ("High", "Placebo"), ("High", "Low")]


def _fit(factors=(), **kwargs) -> MmrmResult:
    options = {
        "response": "chg",
        "subject": "subject",
        "visit": "visit",
        "treatment": "trt",
        "covariates": ["base"],
        "factors": list(factors),
        "visit_order": VISITS,
        "treatment_order": ARMS,
        "comparisons": PAIRS,
    }
    options.update(kwargs)
    return mmrm(DATA, **options)


@pytest.fixture(scope="module", params=["base", "with_sex"])
def case(request):
    fit = _fit(factors=["sex"] if request.param == "with_sex" else [])
    return fit, FIXTURE[request.param]


def test_reml_loglik_and_covariance(case):
    fit, ref = case
    assert fit.converged
    assert fit.reml_loglik == pytest.approx(ref["reml_loglik"], abs=1e-6)
    np.testing.assert_allclose(np.array(fit.covariance), np.array(ref["covariance"]), rtol=1e-4)
    assert fit.visits == tuple(VISITS)
    assert fit.df_method == "satterthwaite"
    assert [name for name, _, _ in fit.fixed_effects] == list(ref["coef"])
    # the intercept carries the baseline slope times the baseline mean (about 30), hence the relative part
    np.testing.assert_allclose([b for _, b, _ in fit.fixed_effects], list(ref["coef"].values()), rtol=1e-5, atol=2e-5)


def test_lsmeans(case):
    fit, ref = case
    r = ref["lsmeans"]
    assert all(isinstance(m, MmrmLSMean) for m in fit.lsmeans)
    assert [(m.visit, m.level) for m in fit.lsmeans] == list(zip(r["visit"], r["trt"], strict=True))
    np.testing.assert_allclose([m.estimate for m in fit.lsmeans], r["emmean"], atol=2e-5)
    np.testing.assert_allclose([m.se for m in fit.lsmeans], r["se"], rtol=1e-4)
    np.testing.assert_allclose([m.df for m in fit.lsmeans], r["df_numderiv_hessian"], rtol=1e-4)
    np.testing.assert_allclose([m.df for m in fit.lsmeans], r["df"], rtol=1e-2)
    # R's limits use the apVar df (b): check them loosely, and tightly against limits rebuilt with df (a)
    np.testing.assert_allclose([m.ci_low for m in fit.lsmeans], r["lower"], atol=5e-4)
    np.testing.assert_allclose([m.ci_high for m in fit.lsmeans], r["upper"], atol=5e-4)
    q = stats.t.ppf(0.975, np.array(r["df_numderiv_hessian"]))
    emmean, se = np.array(r["emmean"]), np.array(r["se"])
    np.testing.assert_allclose([m.ci_low for m in fit.lsmeans], emmean - q * se, rtol=1e-4, atol=2e-5)
    np.testing.assert_allclose([m.ci_high for m in fit.lsmeans], emmean + q * se, rtol=1e-4, atol=2e-5)


def test_comparisons(case):
    fit, ref = case
    r = ref["contrasts"]
    assert all(isinstance(c, MmrmComparison) for c in fit.comparisons)
    assert [(c.visit, c.label) for c in fit.comparisons] == list(zip(r["visit"], r["label"], strict=True))
    np.testing.assert_allclose([c.estimate for c in fit.comparisons], r["estimate"], atol=2e-5)
    np.testing.assert_allclose([c.se for c in fit.comparisons], r["se"], rtol=1e-4)
    np.testing.assert_allclose([c.df for c in fit.comparisons], r["df_numderiv_hessian"], rtol=1e-4)
    np.testing.assert_allclose([c.df for c in fit.comparisons], r["df"], rtol=1e-2)
    np.testing.assert_allclose([c.statistic for c in fit.comparisons], r["t"], rtol=1e-4, atol=1e-4)
    # the R p-values and limits use the apVar df (b); recompute them here with R's numDeriv df (a) to compare
    df_a = np.array(r["df_numderiv_hessian"])
    t = np.array(r["t"])
    np.testing.assert_allclose([c.pvalue for c in fit.comparisons], 2 * stats.t.sf(np.abs(t), df_a), rtol=1e-3)
    q = stats.t.ppf(0.975, df_a)
    np.testing.assert_allclose(
        [c.ci_low for c in fit.comparisons], np.array(r["estimate"]) - q * np.array(r["se"]), rtol=1e-4, atol=2e-5
    )


def test_default_comparisons_are_against_the_first_level():
    fit = _fit(comparisons=())
    assert [c.label for c in fit.comparisons[:2]] == ["Low - Placebo", "High - Placebo"]
    assert (fit.comparisons[0].level, fit.comparisons[0].reference_level) == ("Low", "Placebo")


def test_alpha_changes_interval_width():
    wide = _fit(alpha=0.01)
    narrow = _fit()
    assert wide.lsmeans[0].estimate == pytest.approx(narrow.lsmeans[0].estimate)
    assert wide.lsmeans[0].ci_high - wide.lsmeans[0].ci_low > narrow.lsmeans[0].ci_high - narrow.lsmeans[0].ci_low


def test_complete_data_without_covariates_gives_cell_means():
    # With every subject observed at every visit and only treatment * visit, GLS is OLS per cell whatever the
    # covariance, so the LS means are the raw cell means (Searle, Speed & Milliken 1980).
    complete = DATA.groupby("subject").filter(lambda g: len(g) == 4)
    fit = mmrm(
        complete,
        response="chg",
        subject="subject",
        visit="visit",
        treatment="trt",
        visit_order=VISITS,
        treatment_order=ARMS,
    )
    means = complete.groupby(["visit", "trt"]).chg.mean()
    for m in fit.lsmeans:
        assert m.estimate == pytest.approx(means[(m.visit, m.level)], abs=1e-8)
    # Satterthwaite df of a cell mean: n_subjects - 3 arms per visit-specific variance (exact for complete data)
    assert fit.lsmeans[0].df == pytest.approx(complete.subject.nunique() - 3, rel=1e-4)


@pytest.fixture(scope="module", params=["base", "with_sex"])
def kr_case(request):
    fit = _fit(factors=["sex"] if request.param == "with_sex" else [], df_method="kenward-roger")
    return fit, FIXTURE["kenward_roger"][request.param]


def test_kenward_roger_lsmeans(kr_case):
    # lme4 reaches the same REML optimum to 1e-9 in the log-likelihood (nlme stops earlier), so the
    # tolerances here are tight: 1e-6 relative for SEs and df, 1e-6 absolute for estimates.
    fit, ref = kr_case
    r = ref["lsmeans"]
    assert fit.df_method == "kenward-roger"
    assert fit.reml_loglik == pytest.approx(ref["reml_loglik"], abs=1e-7)
    np.testing.assert_allclose(np.array(fit.covariance), np.array(ref["covariance"]), rtol=1e-5)
    assert [(m.visit, m.level) for m in fit.lsmeans] == list(zip(r["visit"], r["trt"], strict=True))
    np.testing.assert_allclose([m.estimate for m in fit.lsmeans], r["emmean"], atol=1e-6)
    np.testing.assert_allclose([m.se for m in fit.lsmeans], r["se"], rtol=1e-6)
    np.testing.assert_allclose([m.df for m in fit.lsmeans], r["df"], rtol=1e-6)
    np.testing.assert_allclose([m.ci_low for m in fit.lsmeans], r["lower"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose([m.ci_high for m in fit.lsmeans], r["upper"], rtol=1e-6, atol=1e-6)


def test_kenward_roger_comparisons(kr_case):
    fit, ref = kr_case
    r = ref["contrasts"]
    assert [(c.visit, c.label) for c in fit.comparisons] == list(zip(r["visit"], r["label"], strict=True))
    np.testing.assert_allclose([c.estimate for c in fit.comparisons], r["estimate"], atol=1e-6)
    np.testing.assert_allclose([c.se for c in fit.comparisons], r["se"], rtol=1e-6)
    np.testing.assert_allclose([c.df for c in fit.comparisons], r["df"], rtol=1e-6)
    np.testing.assert_allclose([c.statistic for c in fit.comparisons], r["t"], rtol=1e-6)
    np.testing.assert_allclose([c.pvalue for c in fit.comparisons], r["p"], rtol=1e-5)
    np.testing.assert_allclose([c.ci_low for c in fit.comparisons], r["lower"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose([c.ci_high for c in fit.comparisons], r["upper"], rtol=1e-6, atol=1e-6)


def test_kenward_roger_inflates_the_standard_errors():
    satterthwaite = _fit()
    kenward_roger = _fit(df_method="kenward-roger")
    assert all(k.se > s.se for k, s in zip(kenward_roger.lsmeans, satterthwaite.lsmeans, strict=True))
    assert kenward_roger.lsmeans[0].estimate == satterthwaite.lsmeans[0].estimate


def test_unknown_df_method_is_refused():
    with pytest.raises(MmrmError, match="must be one of") as info:
        _fit(df_method="between-within")
    assert info.value.parameter == "df_method"


@pytest.mark.parametrize(
    "change, kwargs, parameter, message",
    [
        (None, {"response": "nope"}, "response", "no column 'nope'"),
        (None, {"covariates": ["nope"]}, "nope", "no such column"),
        (None, {"visit_order": ["Week 2", "Week 4", "Week 8"]}, "visit_order", "does not list"),
        (None, {"comparisons": [("High", "Medium")]}, "comparisons", "'Medium' is not a treatment level"),
        (None, {"alpha": 0}, "alpha", "between 0 and 1"),
        ("single_arm", {"treatment_order": None, "comparisons": ()}, "trt", "at least two"),
        ("missing_base", {}, "base", "missing value"),
        ("duplicate", {}, "subject", "more than one value"),
        ("empty_cell", {}, "data", "rank deficient"),
        ("text_covariate", {}, "base", "must be numeric"),
    ],
)
def test_bad_input(change, kwargs, parameter, message):
    data = DATA.copy()
    if change == "single_arm":
        data["trt"] = "Placebo"
    elif change == "missing_base":
        data.loc[7, "base"] = np.nan
    elif change == "duplicate":
        data = pd.concat([data, data.iloc[[0]]])
    elif change == "empty_cell":
        data = data[~((data.trt == "High") & (data.visit == "Week 12"))]
    elif change == "text_covariate":
        data["base"] = data["base"].astype(str) + "kg"
    options = {
        "response": "chg",
        "subject": "subject",
        "visit": "visit",
        "treatment": "trt",
        "covariates": ["base"],
        "visit_order": VISITS,
        "treatment_order": ARMS,
        "comparisons": PAIRS,
    }
    options.update(kwargs)
    with pytest.raises(MmrmError, match=message) as info:
        mmrm(data, **options)
    assert info.value.parameter == parameter
    assert isinstance(info.value, ValueError)


def test_covariance_not_estimable_is_an_error():
    # one observation per arm at the last visit: its variance is fitted away, REML has no strict maximum
    data = DATA[DATA.trt != "Low"]
    last = data[data.visit == "Week 12"].groupby("trt").head(1).index
    data = data[(data.visit != "Week 12") | data.index.isin(last)]
    with pytest.raises(MmrmError, match=r"not identifiable|did not converge") as info:
        mmrm(
            data,
            response="chg",
            subject="subject",
            visit="visit",
            treatment="trt",
            visit_order=VISITS,
            treatment_order=["Placebo", "High"],
        )
    assert info.value.parameter == "covariance"
