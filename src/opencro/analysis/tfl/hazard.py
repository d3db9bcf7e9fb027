"""Cox proportional-hazards blocks: hazard ratios of the treatment columns with their Wald interval and test.

`hazard_ratios` fits `opencro.stats.survival.cox_ph` on one record per subject (the time, the event as
1 - censor, the population's treatment as a categorical covariate, optional covariates and strata) once per
reference level, so that each comparison (level, reference) is the coefficient of `level` in a model of every
treatment column with `reference` as its baseline, as R's ``coxph(Surv(time, event) ~ relevel(trt, ref))``.
The table block (`cox_block`) and the Kaplan-Meier figure's `hazard_ratio` option both use it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from opencro.analysis.tfl.context import Context
from opencro.analysis.tfl.errors import SpecError
from opencro.analysis.tfl.formatting import fmt_number, fmt_pvalue
from opencro.analysis.tfl.repeated import check_levels, comparison_groups
from opencro.analysis.tfl.spec_model import CoxBlock
from opencro.stats.survival import CoxTerm


@dataclass(frozen=True)
class HazardRatios:
    """The fitted terms by (level, reference), the method sentence, subjects and events analysed."""

    terms: dict[tuple[str, str], CoxTerm]
    method: str
    n: int
    n_events: int


def event_frame(frame: pd.DataFrame, time: str, censor: str, where: str) -> pd.DataFrame:
    """`frame` with numeric `__time` and `__event` (1 - censor); a located error on missing values."""
    t = pd.to_numeric(frame[time], errors="coerce")
    c = pd.to_numeric(frame[censor], errors="coerce")
    if t.isna().any() or c.isna().any():
        raise SpecError(where, f"{time} or {censor} has missing or non-numeric values")
    return frame.assign(__time=t, __event=(1 - c).astype(int))


def method_text(ties: str, strata: str | None, covariates: Sequence[str]) -> str:
    """The method sentence, e.g. "Cox proportional hazards model, stratified by SITEGR1; Efron ties; Wald ..."."""
    text = "Cox proportional hazards model of the treatment"
    if covariates:
        text += f" adjusted for {', '.join(covariates)}"
    if strata:
        text += f", stratified by {strata}"
    return f"{text}; {ties.capitalize()} ties; hazard ratio with Wald confidence interval and Wald test"


def hazard_ratios(
    frame: pd.DataFrame,
    *,
    treatment: str,
    levels: Sequence[str],
    pairs: Sequence[tuple[str, str]],
    covariates: Sequence[str] = (),
    strata: str | None = None,
    ties: str = "efron",
    alpha: float = 0.05,
    where: Callable[[str], str],
) -> HazardRatios:
    """Hazard ratio of each pair (level, reference) from a Cox model of `__time`/`__event` on the treatment.

    `where(key)` gives the location of a specification key for error messages (covariates, strata, ...).

    References
    ----------
    Cox DR (1972). Regression models and life-tables. Journal of the Royal Statistical Society, Series B
    34(2):187-220. doi:10.1111/j.2517-6161.1972.tb00899.x
    Efron B (1977). The efficiency of Cox's likelihood function for censored data. Journal of the American
    Statistical Association 72(359):557-565. doi:10.1080/01621459.1977.10479927
    """
    from opencro.stats.survival import SurvivalInputError, cox_ph

    data = frame[frame[treatment].isin(levels)]
    terms: dict[tuple[str, str], CoxTerm] = {}
    n = n_events = 0
    for reference in dict.fromkeys(b for _, b in pairs):
        try:
            fit = cox_ph(
                data,
                time="__time",
                event="__event",
                covariates=[treatment, *covariates],
                strata=strata,
                ties=ties,
                reference={treatment: reference},
                conf_level=1 - alpha,
            )
        except SurvivalInputError as exc:
            key = {treatment: "comparisons", "__time": "time", "__event": "censor", strata: "strata"}.get(
                exc.parameter, "covariates" if exc.parameter in covariates else "time"
            )
            raise SpecError(where(key), f"the Cox model cannot be fitted: {exc.message}") from None
        n, n_events = fit.n, fit.n_events
        for term in fit.terms:
            if term.variable == treatment:
                terms[(str(term.level), reference)] = term
    return HazardRatios(terms, method_text(ties, strata, covariates), n, n_events)


def cox_block(ctx: Context, block: CoxBlock) -> None:
    """Fit the block's Cox model and write, per comparison group, the hazard ratio, its CI and p-value rows.

    References
    ----------
    Cox DR (1972). Regression models and life-tables. Journal of the Royal Statistical Society, Series B
    34(2):187-220. doi:10.1111/j.2517-6161.1972.tb00899.x
    """
    needed = (("time", block.time), ("censor", block.censor), ("strata", block.strata))
    needed += tuple(("covariates", c) for c in block.covariates)
    frame = ctx.records(block, needed)
    frame = event_frame(frame, block.time, block.censor, ctx.where(block, "time"))
    subjects = frame[ctx.subject]
    if subjects.duplicated().any():
        raise SpecError(
            ctx.where(block, "filter"),
            f"{subjects[subjects.duplicated()].iloc[0]} has more than one record: a Cox model needs one per subject",
        )
    groups = comparison_groups(ctx, block.comparisons)
    pairs = check_levels(ctx, block, groups)
    fit = hazard_ratios(
        frame, treatment=ctx.treatment, levels=ctx.levels, pairs=pairs, covariates=block.covariates,
        strata=block.strata, ties=block.ties, alpha=block.alpha, where=lambda key: ctx.where(block, key),
    )  # fmt: skip
    ctx.add_footnote(block.footnote or fit.method)
    conf = f"{round(100 * (1 - block.alpha))}% CI"
    base = 0
    if block.label:
        ctx.new_row(block.label)
        base = 1
    for number, group in enumerate(groups):
        if number:
            ctx.blank_row()
        indent = base
        if group.label:
            ctx.new_row(group.label, base)
            indent = base + 1
        hr_row = ctx.new_row(block.hr_label, indent)
        ci_row = ctx.new_row(conf, indent)
        p_row = ctx.new_row("p-value", indent)
        for a, b in group.pairs:
            term = fit.terms[(a, b)]
            common = {
                "column": a, "group1_level": a, "variable": block.time, "variable_level": f"{a} vs {b}",
                "method": fit.method,
            }  # fmt: skip
            hr_text = fmt_number(term.hazard_ratio, block.decimals)
            for name, value in (("hr", term.hazard_ratio), ("coef", term.coef), ("coef_se", term.se)):
                ctx.ard.add(
                    row=hr_row, row_label=block.hr_label, stat_name=name, stat=value, formatted=hr_text, **common
                )
            ci_text = f"({fmt_number(term.ci_low, block.decimals)};{fmt_number(term.ci_high, block.decimals)})"
            for name, value in (("hr_ci_low", term.ci_low), ("hr_ci_high", term.ci_high)):
                ctx.ard.add(row=ci_row, row_label=conf, stat_name=name, stat=value, formatted=ci_text, **common)
            p_text = fmt_pvalue(term.pvalue, block.p_decimals)
            ctx.ard.add(
                row=p_row, row_label="p-value", stat_name="pvalue", stat=term.pvalue, formatted=p_text, **common
            )
    if block.blank_after:
        ctx.blank_row()
