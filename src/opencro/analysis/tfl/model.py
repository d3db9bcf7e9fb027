"""Model blocks: an ANCOVA's LS means, pairwise differences (SE, CI, p-value) and a dose-response test.

The model is fitted by `opencro.stats.tables.ancova` on the block's records (one per subject) with the
treatment of the population as the factor; the dose-response test by `dose_response_test` with the dose as a
continuous variable. Each difference is printed in the column of its first level, as the pilot's efficacy
tables do ("Xan Low - Placebo" under Xanomeline Low Dose).
"""

from opencro.analysis.tfl.context import Context
from opencro.analysis.tfl.errors import SpecError
from opencro.analysis.tfl.formatting import fmt_number, fmt_pvalue
from opencro.analysis.tfl.spec_model import ModelBlock


def model_block(ctx: Context, block: ModelBlock) -> None:
    """Fit the block's ANCOVA and write its rows (LS means, dose response, comparison groups) and ARD."""
    from opencro.stats.tables.errors import TableStatisticsError
    from opencro.stats.tables.linear_models import ancova, dose_response_test

    needed = (("response", block.response), ("dose", block.dose))
    needed += tuple(("covariates", c) for c in block.covariates) + tuple(("factors", f) for f in block.factors)
    frame = ctx.records(block, needed)
    pairs = [pair for group in block.comparisons for pair in group.pairs]
    for pair in pairs:
        for level in pair:
            if level not in ctx.levels:
                raise SpecError(ctx.where(block, "comparisons"), f"{level!r} is not a treatment level")
    try:
        fit = ancova(
            frame,
            response=block.response,
            treatment=ctx.treatment,
            covariates=block.covariates,
            factors=block.factors,
            comparisons=pairs,
            alpha=block.alpha,
            weighting=block.weighting,
            treatment_order=ctx.levels,
        )
        dose = None
        if block.dose:
            dose = dose_response_test(
                frame, response=block.response, dose=block.dose, covariates=block.covariates, factors=block.factors
            )
    except TableStatisticsError as exc:
        raise SpecError(ctx.where(block, exc.parameter), f"the model cannot be fitted: {exc.message}") from None
    ctx.add_footnote(block.footnote or fit.method)
    if block.label:
        ctx.new_row(block.label)
    indent = 1 if block.label else 0
    conf = f"{round(100 * (1 - block.alpha))}%"
    if block.lsmeans:
        row = ctx.new_row("LS Mean (SE)", indent)
        for lsmean in fit.lsmeans:
            text = f"{fmt_number(lsmean.estimate, block.decimals)} ({fmt_number(lsmean.se, block.se_decimals)})"
            for name, value in (("lsmean", lsmean.estimate), ("lsmean_se", lsmean.se)):
                ctx.ard.add(
                    row=row,
                    column=lsmean.level,
                    row_label="LS Mean (SE)",
                    group1_level=lsmean.level,
                    variable=block.response,
                    stat_name=name,
                    stat=value,
                    formatted=text,
                    method=fit.method,
                )
    if dose is not None:
        if block.lsmeans:
            ctx.blank_row()
        row = ctx.new_row(block.dose_label, indent)
        ctx.ard.add(
            row=row,
            column=ctx.levels[-1],
            row_label=block.dose_label,
            variable=block.response,
            stat_name="pvalue",
            stat=dose.pvalue,
            formatted=fmt_pvalue(dose.pvalue, block.p_decimals),
            stat_label="p-value (dose response)",
            method=dose.method,
        )
        if not block.footnote:
            ctx.add_footnote(dose.method)
    by_label = {comparison.label: comparison for comparison in fit.comparisons}
    for group in block.comparisons:
        ctx.blank_row()
        p_row = ctx.new_row(group.label, indent)
        diff_row = ctx.new_row("Diff of LS Means (SE)", indent + 1)
        ci_row = ctx.new_row(f"{conf} CI", indent + 1)
        for a, b in group.pairs:
            comparison = by_label.get(f"{a} - {b}") or fit.comparisons[pairs.index((a, b))]
            common = {"column": a, "group1_level": a, "variable": block.response, "method": fit.method}
            label = f"{a} - {b}"
            ctx.ard.add(
                row=p_row,
                row_label=group.label,
                stat_name="pvalue",
                stat=comparison.pvalue,
                formatted=fmt_pvalue(comparison.pvalue, block.p_decimals),
                variable_level=label,
                **common,
            )
            diff_text = (
                f"{fmt_number(comparison.estimate, block.decimals)} ({fmt_number(comparison.se, block.se_decimals)})"
            )
            for name, value in (("diff", comparison.estimate), ("diff_se", comparison.se)):
                ctx.ard.add(
                    row=diff_row,
                    row_label="Diff of LS Means (SE)",
                    stat_name=name,
                    stat=value,
                    formatted=diff_text,
                    variable_level=label,
                    **common,
                )
            ci_text = (
                f"({fmt_number(comparison.ci_low, block.decimals)};{fmt_number(comparison.ci_high, block.decimals)})"
            )
            for name, value in (("ci_low", comparison.ci_low), ("ci_high", comparison.ci_high)):
                ctx.ard.add(
                    row=ci_row,
                    row_label=f"{conf} CI",
                    stat_name=name,
                    stat=value,
                    formatted=ci_text,
                    variable_level=label,
                    **common,
                )
    if block.blank_after:
        ctx.blank_row()
