"""Mixed model for repeated measures: unstructured covariance, REML, LS means with Satterthwaite or KR df."""

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from opencro.stats.mmrm.design import MmrmDesign, build_design
from opencro.stats.mmrm.errors import MmrmError
from opencro.stats.mmrm.kenward_roger import kenward_roger
from opencro.stats.mmrm.reml import RemlFit, RemlProblem
from opencro.stats.mmrm.results import MmrmComparison, MmrmLSMean, MmrmResult

DF_METHODS = ("satterthwaite", "kenward-roger")


def mmrm(
    data: pd.DataFrame,
    *,
    response: str,
    subject: str,
    visit: str,
    treatment: str,
    covariates: Sequence[str] = (),
    factors: Sequence[str] = (),
    visit_order: Sequence[str] | None = None,
    comparisons: Sequence[tuple[str, str]] = (),
    df_method: Literal["satterthwaite", "kenward-roger"] = "satterthwaite",
    alpha: float = 0.05,
    treatment_order: Sequence[str] | None = None,
    covariate_by_visit: Sequence[str] = (),
) -> MmrmResult:
    """Fit an MMRM and report LS means and treatment comparisons at each visit.

    Parameters
    ----------
    data : pandas.DataFrame
        Long data, one row per subject and visit. Rows with a missing response are left out (missing at
        random); other missing values are errors.
    response, subject, visit, treatment : str
        Columns: the outcome (e.g. change from baseline), subject identifier, visit and treatment group.
    covariates : sequence of str
        Numeric covariates (e.g. the baseline value), each with one slope.
    factors : sequence of str
        Categorical covariates (e.g. a stratification factor), treatment coded.
    visit_order : sequence of str, optional
        Visits in time order; default the sorted distinct visits (sort "Week 2" < "Week 12" yourself).
    comparisons : sequence of (str, str)
        Pairs (a, b) estimated as a - b at every visit. Default: every treatment level against the first.
    df_method : {"satterthwaite", "kenward-roger"}
        Denominator degrees of freedom and, for Kenward-Roger, the adjusted standard errors (see Notes).
    alpha : float
        Two-sided level: intervals have coverage 1 - alpha.
    treatment_order : sequence of str, optional
        Treatment levels, the reference (control) first; default category order or sorted.
    covariate_by_visit : sequence of str
        Covariates (also listed in `covariates`) that get a separate slope at each visit (covariate * visit).

    Returns
    -------
    MmrmResult
        LS means per treatment and visit, the comparisons, the estimated covariance matrix over the visits,
        the REML log-likelihood.

    Raises
    ------
    MmrmError
        On a missing column or value, duplicate subject-visit rows, fewer than two treatments, a rank-deficient
        design, an unknown level in a comparison, or an optimisation that does not converge.

    Notes
    -----
    Fixed effects are treatment, visit, treatment-by-visit, the covariates and factors (and
    covariate-by-visit if asked). Errors within a subject are multivariate normal with an unstructured
    covariance over the visits, estimated by restricted maximum likelihood (Cholesky parameterisation,
    BFGS then Newton steps); fixed effects are generalised least squares given that covariance. Missing
    visits are ignorable under missing at random.

    LS means follow emmeans: covariates at their mean over the analysed observations, factor levels weighted
    equally. With ``df_method="satterthwaite"`` the standard error of a linear function c' beta is the
    model-based (c' W c)^1/2, W the GLS covariance of the fixed effects, and its degrees of freedom are
    Satterthwaite's 2 (c' W c)^2 / (g' I^-1 g), g the gradient of c' W c in the covariance parameters and I the
    observed REML information (minus the numerical Hessian of the REML log-likelihood), as SAS PROC MIXED
    DDFM=SATTERTHWAITE. With ``df_method="kenward-roger"`` the standard error comes from the Kenward-Roger
    adjusted covariance Phi_A (which corrects W for the estimation of the covariance) and the df from their
    F approximation, in the linear parameterisation of the unstructured matrix (one parameter per entry), as
    SAS PROC MIXED TYPE=UN DDFM=KR and R's pbkrtest.

    The REML log-likelihood is -1/2 [(N - p) log(2 pi) + log|V| + log|X' V^-1 X| + r' V^-1 r], the value
    nlme::gls(method = "REML") reports as logLik().

    References
    ----------
    Mallinckrodt CH, Lane PW, Schnell D, Peng Y, Mancuso JP (2008). Recommendations for the primary analysis of
    continuous endpoints in longitudinal clinical trials. Drug Information Journal 42(4):303-319.
    doi:10.1177/009286150804200402
    Patterson HD, Thompson R (1971). Recovery of inter-block information when block sizes are unequal.
    Biometrika 58(3):545-554. doi:10.1093/biomet/58.3.545
    Satterthwaite FE (1946). An approximate distribution of estimates of variance components. Biometrics
    Bulletin 2(6):110-114. doi:10.2307/3002019
    Kenward MG, Roger JH (1997). Small sample inference for fixed effects from restricted maximum likelihood.
    Biometrics 53(3):983-997. doi:10.2307/2533558
    Halekoh U, Hojsgaard S (2014). A Kenward-Roger approximation and parametric bootstrap methods for tests in
    linear mixed models - the R package pbkrtest. Journal of Statistical Software 59(9):1-32.
    doi:10.18637/jss.v059.i09
    Searle SR, Speed FM, Milliken GA (1980). Population marginal means in the linear model: an alternative to
    least squares means. The American Statistician 34(4):216-221. doi:10.1080/00031305.1980.10483031
    """
    if df_method not in DF_METHODS:
        raise MmrmError("df_method", f"must be one of {', '.join(DF_METHODS)}, not {df_method!r}")
    if not isinstance(alpha, int | float) or not 0.0 < alpha < 1.0:
        raise MmrmError("alpha", f"must lie strictly between 0 and 1, not {alpha!r}")
    design = build_design(
        data,
        response=response,
        subject=subject,
        visit=visit,
        treatment=treatment,
        covariates=covariates,
        factors=factors,
        covariate_by_visit=covariate_by_visit,
        visit_order=visit_order,
        treatment_order=treatment_order,
    )
    pairs = _comparisons(comparisons, design.treatments)
    problem = RemlProblem(design.x, design.y, design.subject_codes, design.visit_codes, len(design.visits))
    fit = problem.fit(problem.theta_from_sigma(_starting_covariance(design)))
    information_inverse = np.linalg.inv(fit.information)
    adjusted = kenward_roger(problem, fit) if df_method == "kenward-roger" else None

    def infer(c: np.ndarray) -> tuple[float, float, float]:
        if adjusted is not None:
            se = float(np.sqrt(c @ adjusted.adjusted_covariance @ c))
            return float(c @ fit.beta), se, adjusted.df(c)
        variance = float(c @ fit.beta_covariance @ c)
        g = problem.variance_gradient(fit.theta, fit.beta_covariance, c)
        df = 2.0 * variance**2 / float(g @ information_inverse @ g)
        return float(c @ fit.beta), float(np.sqrt(variance)), df

    lsmeans = []
    for v in design.visits:
        for level in design.treatments:
            estimate, se, df = infer(design.lsmean_rows[(v, level)])
            q = float(stats.t.ppf(1.0 - alpha / 2.0, df))
            lsmeans.append(MmrmLSMean(v, level, estimate, se, df, estimate - q * se, estimate + q * se))
    results = []
    for v in design.visits:
        for a, b in pairs:
            estimate, se, df = infer(design.lsmean_rows[(v, a)] - design.lsmean_rows[(v, b)])
            q = float(stats.t.ppf(1.0 - alpha / 2.0, df))
            t = estimate / se
            results.append(
                MmrmComparison(
                    visit=v,
                    label=f"{a} - {b}",
                    estimate=estimate,
                    se=se,
                    df=df,
                    statistic=t,
                    pvalue=float(2.0 * stats.t.sf(abs(t), df)),
                    ci_low=estimate - q * se,
                    ci_high=estimate + q * se,
                    level=a,
                    reference_level=b,
                )
            )
    return MmrmResult(
        lsmeans=tuple(lsmeans),
        comparisons=tuple(results),
        covariance=tuple(tuple(float(x) for x in row) for row in fit.sigma),
        visits=design.visits,
        df_method=df_method,
        reml_loglik=fit.reml_loglik,
        converged=True,
        method=_method_sentence(design, covariates, factors, covariate_by_visit, df_method),
        n_subjects=design.n_subjects,
        n_observations=int(design.y.size),
        fixed_effects=_fixed_effects(design, fit),
    )


def _comparisons(comparisons: Sequence[tuple[str, str]], treatments: tuple[str, ...]) -> list[tuple[str, str]]:
    if not comparisons:
        return [(level, treatments[0]) for level in treatments[1:]]
    out = []
    for pair in comparisons:
        if len(pair) != 2:
            raise MmrmError("comparisons", f"each comparison is a pair (a, b) for a - b, not {pair!r}")
        a, b = (str(v) for v in pair)
        for level in (a, b):
            if level not in treatments:
                raise MmrmError("comparisons", f"{level!r} is not a treatment level ({', '.join(treatments)})")
        if a == b:
            raise MmrmError("comparisons", f"compares {a!r} with itself")
        out.append((a, b))
    return out


def _starting_covariance(design: MmrmDesign) -> np.ndarray:
    """Covariance of ordinary least-squares residuals by visit (pairwise complete), shrunk to be positive definite."""
    beta, *_ = np.linalg.lstsq(design.x, design.y, rcond=None)
    residual = design.y - design.x @ beta
    wide = np.full((design.n_subjects, len(design.visits)), np.nan)
    wide[design.subject_codes, design.visit_codes] = residual
    frame = pd.DataFrame(wide)
    covariance = frame.cov(min_periods=3).to_numpy()
    overall = float(np.var(residual)) or 1.0
    with np.errstate(invalid="ignore"):
        variances = np.nanvar(wide, axis=0)
    variances = np.where(np.isfinite(variances) & (variances > 1e-6 * overall), variances, overall)
    covariance = np.where(np.isfinite(covariance), covariance, 0.0)
    np.fill_diagonal(covariance, variances)
    scale = np.sqrt(np.outer(variances, variances))
    for shrink in (1.0, 0.8, 0.5, 0.2, 0.0):
        candidate = shrink * covariance + (1.0 - shrink) * np.diag(variances)
        candidate = np.where(np.eye(len(variances)) == 1, candidate, np.clip(candidate, -0.95 * scale, 0.95 * scale))
        if np.linalg.eigvalsh(candidate).min() > 1e-8 * variances.max():
            return candidate
    raise MmrmError("covariance", "could not find a positive definite starting covariance")


def _fixed_effects(design: MmrmDesign, fit: RemlFit) -> tuple[tuple[str, float, float], ...]:
    se = np.sqrt(np.diag(fit.beta_covariance))
    return tuple((name, float(b), float(s)) for name, b, s in zip(design.names, fit.beta, se, strict=True))


def _method_sentence(
    design: MmrmDesign,
    covariates: Sequence[str],
    factors: Sequence[str],
    covariate_by_visit: Sequence[str],
    df_method: str,
) -> str:
    terms = ["treatment", "visit", "treatment-by-visit", *covariates, *factors]
    terms += [f"{c}-by-visit" for c in covariate_by_visit]
    return (
        f"MMRM with fixed effects {', '.join(terms)}; unstructured covariance over {len(design.visits)} visits "
        "estimated by REML; "
        + (
            "Kenward-Roger adjusted standard errors and degrees of freedom"
            if df_method == "kenward-roger"
            else "Satterthwaite degrees of freedom"
        )
    )
