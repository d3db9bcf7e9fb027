# ruff: noqa: RUF001 - parameter labels use the statistician's notation: Greek letters, multiplication and minus signs.
"""The registry of design kinds: for each, the library function it calls, its parameters (type, default,
help, unit) and the key figures its result contributes to a comparison.

An explicit dict, `KINDS`, names every kind; nothing is discovered. Parameter names are the design
library's keyword arguments, so the API and the CLI speak the same names, except the starting dose of a
dose-escalation design, which is given as a level (`start_level`, 1 = the lowest dose) as the CLI takes it;
the library's 0-based index is derived from it.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext_lazy as _

from opencro.design.models import DesignKind
from opencro.design.params import BOOL, CHOICE, DASH, FLOAT, FLOATS, INT, Label, Param
from opencro.stats.design import boin as boin_lib
from opencro.stats.design import crm as crm_lib
from opencro.stats.design.counts import NULL_VARIANCES, counts_negative_binomial, counts_negative_binomial_power
from opencro.stats.design.dose_simulation import simulate_boin, simulate_crm
from opencro.stats.design.errors import DesignInputError
from opencro.stats.design.group_sequential import group_sequential
from opencro.stats.design.means import means_two_sample, means_two_sample_power
from opencro.stats.design.proportions import proportions_two_sample, proportions_two_sample_power
from opencro.stats.design.spending import SPENDING_FUNCTIONS
from opencro.stats.design.survival import SUBJECTS_METHODS, survival_sample_size, survival_sample_size_power
from opencro.stats.design.three_plus_three import three_plus_three_oc

Inputs = dict[str, Any]
Result = dict[str, Any]


@dataclass(frozen=True)
class Figure:
    """One key figure of a computed design: `value` compares designs, `text` is what a reader sees."""

    key: str
    label: Label
    value: Any
    text: str


@dataclass(frozen=True)
class Kind:
    """A design kind: its parameters, the call into the library, its key figures and its chart.

    `power_at(inputs, n_total)` is the power with `n_total` randomised subjects (sample-size kinds only);
    `chart` is "power", "boundaries" or "selection".
    """

    code: str
    label: Label
    summary: Label
    params: tuple[Param, ...]
    compute: Callable[[Inputs], Result]
    figures: Callable[[Inputs, Result], list[Figure]]
    chart: str
    power_at: Callable[[Inputs, float], float] | None = None

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


# ------------------------------------------------------------------------------------------ formatting


def _count(value: float | None) -> str:
    return DASH if value is None else f"{value:,.0f}"


def _real(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else f"{value:,.{digits}f}"


def _prob(value: float | None) -> str:
    return DASH if value is None else f"{value:.3f}"


def plain(value: Any) -> Any:
    """A library answer as JSON both databases store: no NaN or infinity (None), no numpy types, lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ---------------------------------------------------------------------------------- shared parameters


def _alpha(default: float = 0.05) -> Param:
    return Param(
        "alpha",
        _("Significance level α"),
        FLOAT,
        default,
        _("Type I error; split between both tails when the test is two-sided."),
    )


POWER = Param("power", _("Power"), FLOAT, 0.8, _("Probability of rejecting H0 when the alternative is true."))
SIDES = Param("sides", _("Sides"), CHOICE, 2, choices=((1, _("one-sided")), (2, _("two-sided"))))
DROPOUT = Param(
    "dropout",
    _("Dropout"),
    FLOAT,
    0.0,
    _("Fraction of randomised subjects without the endpoint; sizes are divided by 1 − dropout."),
)
RATIO_CONTROL = Param("ratio", _("Allocation ratio"), FLOAT, 1.0, _("Control subjects per experimental subject."))
RATIO_EXPERIMENTAL = Param("ratio", _("Allocation ratio"), FLOAT, 1.0, _("Experimental subjects per control subject."))
TRUE_TOX = Param(
    "true_tox",
    _("True DLT probabilities"),
    FLOATS,
    [0.05, 0.1, 0.2, 0.3, 0.45],
    _("The scenario: one probability per dose, lowest dose first, separated by commas."),
    max_items=12,
)
TARGET = Param("target", _("Target DLT probability"), FLOAT, 0.3, _("The toxicity rate the MTD should have."))
COHORT = Param("cohort_size", _("Cohort size"), INT, 3, unit=_("patients"), minimum=1, maximum=12)
MAX_N = Param(
    "max_n",
    _("Maximum sample size"),
    INT,
    36,
    _("A multiple of the cohort size."),
    _("patients"),
    minimum=1,
    maximum=150,
)
START_LEVEL = Param("start_level", _("Starting dose level"), INT, 1, _("1 is the lowest dose."), minimum=1, maximum=12)
SEED = Param(
    "seed",
    _("Random seed"),
    INT,
    2026,
    _("The same seed gives the same simulated trials, so a saved design can be recomputed exactly."),
    minimum=0,
    maximum=2**31 - 1,
)


def _sims(maximum: int) -> Param:
    return Param(
        "n_sims",
        _("Simulated trials"),
        INT,
        2000,
        _("More trials give smaller Monte Carlo error and take longer."),
        minimum=100,
        maximum=maximum,
    )


def _args(inputs: Inputs, params: tuple[Param, ...], *names: str) -> dict[str, Any]:
    """The keyword arguments of a library call: the named parameters, or all of them."""
    wanted = names or tuple(p.name for p in params)
    return {name: inputs[name] for name in wanted}


def _arms(inputs: Inputs, n_total: float, *, evaluable: bool) -> tuple[float, float]:
    """(n1, n2) of `n_total` randomised subjects split by the allocation ratio n2/n1 (less dropout)."""
    ratio = inputs["ratio"]
    kept = 1.0 - inputs.get("dropout", 0.0) if evaluable else 1.0
    return n_total / (1.0 + ratio) * kept, n_total * ratio / (1.0 + ratio) * kept


def _size_figures(inputs: Inputs, result: Result) -> list[Figure]:
    per_arm = " / ".join(str(n) for n in result["n_per_arm"])
    figures = [
        Figure("n_total", _("N total"), result["n_total"], _count(result["n_total"])),
        Figure("n_per_arm", _("N per arm"), per_arm, per_arm),
        Figure("power", _("Power achieved"), result["power"], _prob(result["power"])),
    ]
    if result.get("events") is not None:
        figures.append(Figure("events", _("Events"), result["events"], _count(result["events"])))
    duration = (result.get("details") or {}).get("study_duration")
    if duration is not None:
        figures.append(Figure("study_duration", _("Study duration"), duration, _real(duration)))
    figures.append(Figure("method", _("Method"), result["method"], result["method"]))
    return figures


# --------------------------------------------------------------------------------------------- means

MEANS_PARAMS = (
    Param("delta", _("Difference in means"), FLOAT, 5.0, _("True difference, experimental minus control.")),
    Param("sd", _("Standard deviation"), FLOAT, 10.0, _("Common within-arm standard deviation.")),
    _alpha(),
    POWER,
    SIDES,
    RATIO_CONTROL,
    Param("test", _("Test"), CHOICE, "t", choices=(("t", _("t-test")), ("z", _("z-test (normal)")))),
    Param(
        "hypothesis",
        _("Hypothesis"),
        CHOICE,
        "superiority",
        _("Non-inferiority and equivalence are one-sided tests at level α."),
        choices=(
            ("superiority", _("superiority")),
            ("noninferiority", _("non-inferiority")),
            ("equivalence", _("equivalence")),
        ),
    ),
    Param("margin", _("Margin"), FLOAT, 0.0, _("Non-inferiority or equivalence margin; 0 for superiority.")),
    DROPOUT,
    Param(
        "baseline_correlation",
        _("Baseline correlation"),
        FLOAT,
        0.0,
        _("Correlation of baseline and outcome for an ANCOVA; 0 for an unadjusted comparison."),
    ),
)
_MEANS_TEST = ("delta", "sd", "alpha", "sides", "test", "margin", "hypothesis", "baseline_correlation")


def _means_power(inputs: Inputs, n_total: float) -> float:
    n1, n2 = _arms(inputs, n_total, evaluable=True)
    return means_two_sample_power(n1=n1, n2=n2, **_args(inputs, MEANS_PARAMS, *_MEANS_TEST))


# --------------------------------------------------------------------------------------- proportions

PROPORTIONS_PARAMS = (
    Param("p1", _("Response rate, experimental"), FLOAT, 0.4, _("Anticipated proportion with the outcome.")),
    Param("p2", _("Response rate, control"), FLOAT, 0.25, _("Anticipated proportion with the outcome.")),
    _alpha(),
    POWER,
    SIDES,
    RATIO_CONTROL,
    Param(
        "method",
        _("Method"),
        CHOICE,
        "normal",
        choices=(
            ("normal", _("z-test, pooled variance")),
            ("normal-cc", _("z-test with continuity correction")),
            ("arcsine", _("arcsine (Cohen's h)")),
            ("fm", _("Farrington-Manning (non-inferiority)")),
        ),
    ),
    Param("margin", _("Margin"), FLOAT, 0.0, _("Non-inferiority margin for the risk difference; 0 for superiority.")),
    DROPOUT,
)
_PROPORTIONS_TEST = ("p1", "p2", "alpha", "sides", "method", "margin")


def _proportions_power(inputs: Inputs, n_total: float) -> float:
    n1, n2 = _arms(inputs, n_total, evaluable=True)
    return proportions_two_sample_power(n1=n1, n2=n2, **_args(inputs, PROPORTIONS_PARAMS, *_PROPORTIONS_TEST))


# ------------------------------------------------------------------------------------------ survival

TIME = _("time units")
SURVIVAL_PARAMS = (
    Param(
        "hr",
        _("Hazard ratio"),
        FLOAT,
        0.7,
        _("Experimental over control; give it with one arm's median."),
        optional=True,
    ),
    Param("median1", _("Median, control"), FLOAT, 12.0, unit=TIME, optional=True),
    Param("median2", _("Median, experimental"), FLOAT, None, unit=TIME, optional=True),
    Param("lambda1", _("Hazard, control"), FLOAT, None, _("Instead of the median."), _("per time unit"), optional=True),
    Param(
        "lambda2",
        _("Hazard, experimental"),
        FLOAT,
        None,
        _("Instead of the median."),
        _("per time unit"),
        optional=True,
    ),
    Param("accrual_time", _("Accrual period"), FLOAT, 24.0, _("Subjects enter uniformly over it."), TIME),
    Param("followup_time", _("Follow-up after accrual"), FLOAT, 12.0, unit=TIME),
    Param(
        "dropout_rate",
        _("Dropout hazard"),
        FLOAT,
        0.0,
        _("Exponential hazard of loss to follow-up, the same in both arms."),
        _("per time unit"),
    ),
    _alpha(),
    POWER,
    SIDES,
    RATIO_EXPERIMENTAL,
    Param(
        "method",
        _("Method"),
        CHOICE,
        "schoenfeld",
        choices=tuple(
            zip(
                SUBJECTS_METHODS,
                (_("Schoenfeld"), _("Freedman"), _("Lachin-Foulkes"), _("Lachin-Foulkes, log hazard ratio")),
                strict=True,
            )
        ),
    ),
)
_SURVIVAL_TEST = (
    "hr",
    "lambda1",
    "lambda2",
    "median1",
    "median2",
    "accrual_time",
    "followup_time",
    "dropout_rate",
    "alpha",
    "sides",
    "method",
)


def _survival_power(inputs: Inputs, n_total: float) -> float:
    n1, n2 = _arms(inputs, n_total, evaluable=False)
    return survival_sample_size_power(n1=n1, n2=n2, **_args(inputs, SURVIVAL_PARAMS, *_SURVIVAL_TEST))


# -------------------------------------------------------------------------------------------- counts

COUNTS_PARAMS = (
    Param("rate1", _("Event rate, control"), FLOAT, 1.0, unit=_("events per time unit")),
    Param("rate2", _("Event rate, experimental"), FLOAT, 0.7, unit=_("events per time unit")),
    Param("dispersion", _("Dispersion"), FLOAT, 0.5, _("Negative binomial k, Var = μ + kμ²; 0 for Poisson counts.")),
    Param("exposure", _("Exposure per subject"), FLOAT, 1.0, unit=TIME),
    _alpha(),
    POWER,
    SIDES,
    RATIO_EXPERIMENTAL,
    DROPOUT,
    Param(
        "null_variance",
        _("Variance under H0"),
        CHOICE,
        "alternative",
        choices=tuple(
            zip(NULL_VARIANCES, (_("from the alternative"), _("pooled rate"), _("control rate")), strict=True)
        ),
    ),
)
_COUNTS_TEST = ("rate1", "rate2", "dispersion", "exposure", "alpha", "sides", "null_variance")


def _counts_power(inputs: Inputs, n_total: float) -> float:
    n1, n2 = _arms(inputs, n_total, evaluable=True)
    return counts_negative_binomial_power(n1=n1, n2=n2, **_args(inputs, COUNTS_PARAMS, *_COUNTS_TEST))


# ---------------------------------------------------------------------------------- group-sequential

SPENDING_LABELS = {
    "of": _("O'Brien-Fleming"),
    "pocock": _("Pocock"),
    "hp": _("Haybittle-Peto"),
    "asof": _("Lan-DeMets, O'Brien-Fleming type"),
    "asp": _("Lan-DeMets, Pocock type"),
    "kd": _("Kim-DeMets (power)"),
    "hsd": _("Hwang-Shih-DeCani"),
}
GSD_PARAMS = (
    Param("k", _("Looks"), INT, 3, _("Number of analyses, the final one included."), minimum=1, maximum=20),
    _alpha(0.025),
    Param("beta", _("Type II error β"), FLOAT, 0.2, _("Power is 1 − β.")),
    Param("sides", _("Sides"), CHOICE, 1, choices=((1, _("one-sided")), (2, _("two-sided")))),
    Param(
        "spending",
        _("Boundaries"),
        CHOICE,
        "asof",
        choices=tuple((code, SPENDING_LABELS[code]) for code in ("of", "pocock", "hp", "asof", "asp", "kd", "hsd")),
    ),
    Param("gamma", _("Hwang-Shih-DeCani γ"), FLOAT, None, optional=True),
    Param("rho", _("Kim-DeMets ρ"), FLOAT, None, optional=True),
    Param(
        "info_rates",
        _("Information rates"),
        FLOATS,
        None,
        _("Increasing, ending at 1; equally spaced when empty."),
        optional=True,
    ),
    Param(
        "futility",
        _("Futility"),
        CHOICE,
        "none",
        _("One-sided spending designs only."),
        choices=(("none", _("none")), ("binding", _("binding")), ("nonbinding", _("non-binding"))),
    ),
    Param(
        "beta_spending",
        _("β spending"),
        CHOICE,
        None,
        choices=tuple((code, SPENDING_LABELS[code]) for code in SPENDING_FUNCTIONS),
        optional=True,
    ),
    Param("beta_gamma", _("β spending γ"), FLOAT, None, optional=True),
    Param("beta_rho", _("β spending ρ"), FLOAT, None, optional=True),
    Param("haybittle_z", _("Haybittle-Peto interim z"), FLOAT, 3.0),
    Param(
        "n_fixed",
        _("Fixed-design N"),
        INT,
        None,
        _("Total size of the same trial without interim looks; gives the maximum and expected N."),
        _("subjects"),
        optional=True,
        minimum=1,
        maximum=10**7,
    ),
)


def _gsd(inputs: Inputs) -> Result:
    args = {p.name: inputs[p.name] for p in GSD_PARAMS if p.name != "n_fixed"}
    args["info_rates"] = inputs["info_rates"] or None
    result = group_sequential(**args).as_dict()
    n_fixed = inputs["n_fixed"]
    if n_fixed:
        n_max = math.ceil(n_fixed * result["inflation_factor"] - 1e-9)
        result["sample_size"] = {
            "n_fixed": n_fixed,
            "n_max": n_max,
            "n_per_look": [math.ceil(n_max * t - 1e-9) for t in result["info_rates"]],
            "expected_n_h0": n_fixed * result["expected_n_h0"],
            "expected_n_h1": n_fixed * result["expected_n_h1"],
        }
    return result


def _gsd_figures(inputs: Inputs, result: Result) -> list[Figure]:
    final = result["upper"][-1]
    figures = [
        Figure("looks", _("Looks"), result["k"], str(result["k"])),
        Figure("power", _("Power achieved"), result["power"], _prob(result["power"])),
        Figure(
            "inflation_factor", _("Inflation factor"), result["inflation_factor"], f"{result['inflation_factor']:.4f}"
        ),
        Figure("expected_h0", _("E[N] under H0 (× fixed)"), result["expected_n_h0"], f"{result['expected_n_h0']:.3f}"),
        Figure("expected_h1", _("E[N] under H1 (× fixed)"), result["expected_n_h1"], f"{result['expected_n_h1']:.3f}"),
        Figure("final_boundary", _("Final z boundary"), final, _real(final, 3)),
    ]
    size = result.get("sample_size")
    if size:
        figures += [
            Figure("n_total", _("N total"), size["n_max"], _count(size["n_max"])),
            Figure("expected_n_h0", _("E[N] under H0"), size["expected_n_h0"], _real(size["expected_n_h0"])),
            Figure("expected_n_h1", _("E[N] under H1"), size["expected_n_h1"], _real(size["expected_n_h1"])),
        ]
    figures.append(Figure("method", _("Method"), result["method"], result["method"]))
    return figures


# ------------------------------------------------------------------------------------ dose escalation

BOIN_PARAMS = (
    TARGET,
    TRUE_TOX,
    COHORT,
    MAX_N,
    START_LEVEL,
    Param("phi1", _("Highest sub-therapeutic rate φ1"), FLOAT, None, _("0.6 × target when empty."), optional=True),
    Param("phi2", _("Lowest overly toxic rate φ2"), FLOAT, None, _("1.4 × target when empty."), optional=True),
    Param("cutoff_eli", _("Elimination cut-off"), FLOAT, 0.95, _("Eliminate a dose when Pr(p > target) exceeds it.")),
    Param("extrasafe", _("Extra safety stop"), BOOL, False, _("Stop sooner when the lowest dose is too toxic.")),
    Param("offset", _("Extra safety offset"), FLOAT, 0.05),
    Param(
        "n_earlystop",
        _("Early stop at"),
        INT,
        None,
        _("Stop once a dose has this many patients."),
        _("patients"),
        optional=True,
        minimum=1,
        maximum=150,
    ),
    _sims(20_000),
    SEED,
)
CRM_PARAMS = (
    TARGET,
    Param(
        "skeleton",
        _("Skeleton"),
        FLOATS,
        [0.05, 0.12, 0.25, 0.4, 0.55],
        _("Prior guesses of the DLT probabilities, strictly increasing, one per dose."),
        max_items=12,
    ),
    TRUE_TOX,
    COHORT,
    MAX_N,
    START_LEVEL,
    Param("prior_var", _("Prior variance of a"), FLOAT, crm_lib.PRIOR_VAR),
    Param(
        "estimator",
        _("Estimator"),
        CHOICE,
        "mean",
        choices=(("mean", _("posterior mean")), ("plugin", _("plug-in"))),
    ),
    Param("coherent", _("Coherent escalation"), BOOL, True, _("No escalation after a cohort at or above the target.")),
    Param(
        "stop_overdose",
        _("Overdose stop"),
        FLOAT,
        None,
        _("Stop when Pr(lowest dose above target) exceeds it; empty for no stop."),
        optional=True,
    ),
    _sims(10_000),
    SEED,
)
THREE_PLUS_THREE_PARAMS = (
    TRUE_TOX,
    Param(
        "de_escalation",
        _("De-escalation"),
        BOOL,
        True,
        _("The MTD needs 6 patients: treat 3 more at the dose below when it has only 3."),
    ),
    Param(
        "target",
        _("Target DLT probability"),
        FLOAT,
        0.3,
        _("Only names the correct dose in the key figures; the 3+3 rules do not use it."),
    ),
)


def _start_dose(inputs: Inputs) -> int:
    """The library's 0-based starting dose from the 1-based level the statistician gives."""
    doses = len(inputs["true_tox"])
    if inputs["start_level"] > doses:
        raise DesignInputError("start_level", f"must be a dose level in 1..{doses}, not {inputs['start_level']}")
    return inputs["start_level"] - 1


def _boin(inputs: Inputs) -> Result:
    shared = _args(inputs, BOIN_PARAMS, "target", "phi1", "phi2", "cohort_size", "cutoff_eli", "extrasafe", "offset")
    table = boin_lib.boin_decision_table(max_n=inputs["max_n"], **shared)
    oc = simulate_boin(
        inputs["true_tox"],
        max_n=inputs["max_n"],
        start_dose=_start_dose(inputs),
        **shared,
        **_args(inputs, BOIN_PARAMS, "n_sims", "seed", "n_earlystop"),
    )
    return {
        "method": "BOIN design, operating characteristics by simulation",
        "boundaries": table.as_dict(),
        "oc": {**oc.as_dict(), "se_select": list(oc.se_select)},
        "reference": boin_lib.REFERENCE,
    }


def _crm(inputs: Inputs) -> Result:
    names = ("skeleton", "target", "n_sims", "seed", "cohort_size", "max_n", "prior_var")
    oc = simulate_crm(
        inputs["true_tox"],
        start_dose=_start_dose(inputs),
        **_args(inputs, CRM_PARAMS, *names, "estimator", "coherent", "stop_overdose"),
    )
    return {
        "method": "CRM (one-parameter power model), operating characteristics by simulation",
        "oc": {**oc.as_dict(), "se_select": list(oc.se_select)},
        "reference": crm_lib.REFERENCE,
    }


def _three_plus_three(inputs: Inputs) -> Result:
    oc = three_plus_three_oc(inputs["true_tox"], de_escalation=inputs["de_escalation"])
    return {**oc.as_dict(), "method": "3+3 design, exact operating characteristics"}


def dose_summary(result: Result) -> dict[str, Any]:
    """The per-dose operating characteristics of any dose kind, under one set of names."""
    oc = result.get("oc", result)
    return {
        "true_tox": oc["true_tox"],
        "p_select": oc["p_select"],
        "p_none": oc["p_none"],
        "n": oc.get("mean_n", oc.get("expected_n")),
        "dlt": oc.get("mean_dlt", oc.get("expected_dlt")),
        "total_n": oc.get("mean_total_n", oc.get("expected_total_n")),
        "total_dlt": oc.get("mean_total_dlt", oc.get("expected_total_dlt")),
        "se_select": oc.get("se_select"),
    }


def target_dose(true_tox: list[float], target: float) -> int:
    """The dose whose true DLT probability is closest to the target (the lowest on a tie)."""
    return min(range(len(true_tox)), key=lambda j: (abs(true_tox[j] - target), j))


def _dose_figures(inputs: Inputs, result: Result) -> list[Figure]:
    dose = dose_summary(result)
    correct = dose["p_select"][target_dose(dose["true_tox"], inputs["target"])]
    figures = []
    boundaries = result.get("boundaries")
    if boundaries:
        figures += [
            Figure("lambda_e", _("Escalation boundary λe"), boundaries["lambda_e"], f"{boundaries['lambda_e']:.4f}"),
            Figure("lambda_d", _("De-escalation boundary λd"), boundaries["lambda_d"], f"{boundaries['lambda_d']:.4f}"),
        ]
    figures += [
        Figure("pcs", _("P(select the target dose)"), correct, _prob(correct)),
        Figure("p_none", _("P(no dose selected)"), dose["p_none"], _prob(dose["p_none"])),
        Figure("expected_n", _("Expected N"), dose["total_n"], _real(dose["total_n"])),
        Figure("expected_dlt", _("Expected DLTs"), dose["total_dlt"], _real(dose["total_dlt"])),
        Figure("method", _("Method"), result["method"], result["method"]),
    ]
    return figures


def _library(function: Callable[..., Any], params: tuple[Param, ...]) -> Callable[[Inputs], Result]:
    """Call `function` with every parameter as a keyword argument; its answer's as_dict()."""

    def compute(inputs: Inputs) -> Result:
        return function(**_args(inputs, params)).as_dict()

    return compute


KINDS: dict[str, Kind] = {
    DesignKind.MEANS: Kind(
        DesignKind.MEANS,
        DesignKind.MEANS.label,
        _("Sample size to compare two means (t or z test)."),
        MEANS_PARAMS,
        _library(means_two_sample, MEANS_PARAMS),
        _size_figures,
        "power",
        _means_power,
    ),
    DesignKind.PROPORTIONS: Kind(
        DesignKind.PROPORTIONS,
        DesignKind.PROPORTIONS.label,
        _("Sample size to compare two proportions."),
        PROPORTIONS_PARAMS,
        _library(proportions_two_sample, PROPORTIONS_PARAMS),
        _size_figures,
        "power",
        _proportions_power,
    ),
    DesignKind.SURVIVAL: Kind(
        DesignKind.SURVIVAL,
        DesignKind.SURVIVAL.label,
        _("Events and subjects for a log-rank test under exponential survival."),
        SURVIVAL_PARAMS,
        _library(survival_sample_size, SURVIVAL_PARAMS),
        _size_figures,
        "power",
        _survival_power,
    ),
    DesignKind.COUNTS: Kind(
        DesignKind.COUNTS,
        DesignKind.COUNTS.label,
        _("Sample size to compare two Poisson or negative binomial event rates."),
        COUNTS_PARAMS,
        _library(counts_negative_binomial, COUNTS_PARAMS),
        _size_figures,
        "power",
        _counts_power,
    ),
    DesignKind.GSD: Kind(
        DesignKind.GSD,
        DesignKind.GSD.label,
        _("Efficacy and futility boundaries, inflation factor and expected size of a group-sequential design."),
        GSD_PARAMS,
        _gsd,
        _gsd_figures,
        "boundaries",
    ),
    DesignKind.BOIN: Kind(
        DesignKind.BOIN,
        DesignKind.BOIN.label,
        _("Bayesian optimal interval dose escalation: boundaries and simulated operating characteristics."),
        BOIN_PARAMS,
        _boin,
        _dose_figures,
        "selection",
    ),
    DesignKind.CRM: Kind(
        DesignKind.CRM,
        DesignKind.CRM.label,
        _("Continual reassessment method: simulated operating characteristics."),
        CRM_PARAMS,
        _crm,
        _dose_figures,
        "selection",
    ),
    DesignKind.THREE_PLUS_THREE: Kind(
        DesignKind.THREE_PLUS_THREE,
        DesignKind.THREE_PLUS_THREE.label,
        _("The classical 3+3 rule: exact operating characteristics."),
        THREE_PLUS_THREE_PARAMS,
        _three_plus_three,
        _dose_figures,
        "selection",
    ),
}
