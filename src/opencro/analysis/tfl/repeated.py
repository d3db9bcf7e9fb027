"""Repeated-measures blocks: an MMRM's LS means and treatment differences (SE, CI, p-value) at each visit.

The model is fitted by `opencro.stats.mmrm.mmrm` on the block's records (one per subject and visit) with the
population's treatment: treatment, visit and treatment-by-visit, the covariates and factors (and covariate-by-visit
terms if asked), an unstructured covariance over the visits estimated by REML, and Satterthwaite or Kenward-Roger
degrees of freedom. Rows are written per visit (every visit, or the ones the specification lists); each difference
is printed in the column of its first level, as the model block does.
"""

import re

import pandas as pd

from opencro.analysis.tfl.context import Context, as_text
from opencro.analysis.tfl.errors import SpecError
from opencro.analysis.tfl.formatting import fmt_number, fmt_pvalue
from opencro.analysis.tfl.spec_model import ComparisonGroup, MmrmBlock

DF_NAMES = {"satterthwaite": "Satterthwaite", "kenward-roger": "Kenward-Roger"}


def method_text(df: str) -> str:
    """The short method written to the ARD, e.g. "MMRM, unstructured covariance, REML, Kenward-Roger df"."""
    return f"MMRM, unstructured covariance, REML, {DF_NAMES[df]} df"


def comparison_groups(ctx: Context, groups: tuple[ComparisonGroup, ...]) -> tuple[ComparisonGroup, ...]:
    """The specification's comparison groups, or one group of every level against the first."""
    if groups:
        return groups
    return (ComparisonGroup("", tuple((level, ctx.levels[0]) for level in ctx.levels[1:])),)


def check_levels(ctx: Context, block, groups: tuple[ComparisonGroup, ...]) -> list[tuple[str, str]]:
    """Every pair of the groups, each level checked against the treatment columns (located error otherwise)."""
    pairs = [pair for group in groups for pair in group.pairs]
    for pair in pairs:
        for level in pair:
            if level not in ctx.levels:
                raise SpecError(
                    ctx.where(block, "comparisons"),
                    f"{level!r} is not a treatment level ({', '.join(ctx.levels)})",
                )
        if pair[0] == pair[1]:
            raise SpecError(ctx.where(block, "comparisons"), f"compares {pair[0]!r} with itself")
    return pairs


def _natural(text: str) -> list[object]:
    """Sort key reading digit runs as numbers: "Week 8" before "Week 16"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _visit_order(ctx: Context, block: MmrmBlock, frame: pd.DataFrame) -> tuple[str, ...]:
    present = list(dict.fromkeys(frame["__visit"]))
    if block.visit_levels:
        for index, visit in enumerate(block.visit_levels):
            if visit not in present:
                raise SpecError(
                    ctx.where(block, f"visit_order[{index}]"),
                    f"{visit!r} is not a value of {block.visit} in the block's records (values: {', '.join(present)})",
                )
        return tuple(v for v in block.visit_levels)
    if block.visit_order:
        position = pd.to_numeric(frame[block.visit_order], errors="coerce")
        if position.isna().any():
            raise SpecError(ctx.where(block, "visit_order"), f"{block.visit_order} has missing or non-numeric values")
        first = pd.DataFrame({"visit": frame["__visit"], "position": position}).groupby("visit")["position"].min()
        return tuple(first.sort_values(kind="stable").index)
    return tuple(sorted(present, key=_natural))


def _location(block: MmrmBlock, parameter: str) -> str:
    """The specification key an MmrmError's parameter (an argument or a column) points at."""
    columns = {block.response: "response", block.visit: "visit", "__visit": "visit", block.subject: "subject"}
    columns |= dict.fromkeys(block.covariates, "covariates") | dict.fromkeys(block.factors, "factors")
    if parameter in columns:
        return columns[parameter]
    keys = ("response", "visit", "subject", "covariates", "factors", "comparisons", "alpha", "covariate_by_visit")
    if parameter == "df_method":
        return "df"
    if parameter == "visit_order":
        return "visit_order"
    return parameter if parameter in keys else "response"


def mmrm_block(ctx: Context, block: MmrmBlock) -> None:
    """Fit the block's MMRM and write its rows (per visit: LS means, comparison groups) and ARD.

    References
    ----------
    Mallinckrodt CH, Lane PW, Schnell D, Peng Y, Mancuso JP (2008). Recommendations for the primary analysis of
    continuous endpoints in longitudinal clinical trials. Drug Information Journal 42(4):303-319.
    doi:10.1177/009286150804200402
    Kenward MG, Roger JH (1997). Small sample inference for fixed effects from restricted maximum likelihood.
    Biometrics 53(3):983-997. doi:10.2307/2533558
    Satterthwaite FE (1946). An approximate distribution of estimates of variance components. Biometrics
    Bulletin 2(6):110-114. doi:10.2307/3002019
    """
    from opencro.stats.mmrm import MmrmError, mmrm

    subject = block.subject or ctx.subject
    needed = (("response", block.response), ("visit", block.visit), ("subject", subject))
    needed += (("visit_order", block.visit_order),)
    needed += tuple(("covariates", c) for c in block.covariates) + tuple(("factors", f) for f in block.factors)
    frame = ctx.records(block, needed)
    if frame.empty:
        raise SpecError(ctx.where(block, "filter"), "no records left for the model")
    frame = frame.assign(__visit=as_text(frame[block.visit]))
    visits = _visit_order(ctx, block, frame)
    shown = block.visits or visits
    for index, visit in enumerate(block.visits):
        if visit not in visits:
            raise SpecError(
                ctx.where(block, f"visits[{index}]"),
                f"{visit!r} is not a value of {block.visit} in the block's records (values: {', '.join(visits)})",
            )
    groups = comparison_groups(ctx, block.comparisons)
    pairs = check_levels(ctx, block, groups)
    frame = frame[frame["__visit"].isin(visits)]
    try:
        fit = mmrm(
            frame,
            response=block.response,
            subject=subject,
            visit="__visit",
            treatment=ctx.treatment,
            covariates=block.covariates,
            factors=block.factors,
            visit_order=visits,
            comparisons=list(dict.fromkeys(pairs)),
            df_method=block.df,
            alpha=block.alpha,
            treatment_order=ctx.levels,
            covariate_by_visit=block.covariate_by_visit,
        )
    except MmrmError as exc:
        where = ctx.where(block, _location(block, exc.parameter))
        raise SpecError(where, f"the model cannot be fitted: {exc.message}") from None
    method = method_text(block.df)
    ctx.add_footnote(block.footnote or fit.method)
    lsmeans = {(m.visit, m.level): m for m in fit.lsmeans}
    differences = {(c.visit, c.level, c.reference_level): c for c in fit.comparisons}
    conf = f"{round(100 * (1 - block.alpha))}%"
    base = 0
    if block.label:
        ctx.new_row(block.label)
        base = 1
    for number, visit in enumerate(shown):
        if number:
            ctx.blank_row()
        indent = base
        if block.visit_header:
            ctx.new_row(visit, base)
            indent = base + 1
        visit_keys = {"group2": block.visit, "group2_level": visit, "variable": block.response, "method": method}
        if block.lsmeans:
            row = ctx.new_row(block.lsmean_label, indent)
            for level in ctx.levels:
                m = lsmeans[(visit, level)]
                text = f"{fmt_number(m.estimate, block.decimals)} ({fmt_number(m.se, block.se_decimals)})"
                for name, value in (
                    ("lsmean", m.estimate), ("lsmean_se", m.se), ("df", m.df),
                    ("lsmean_ci_low", m.ci_low), ("lsmean_ci_high", m.ci_high),
                ):  # fmt: skip
                    ctx.ard.add(
                        row=row, column=level, row_label=block.lsmean_label, group1_level=level, stat_name=name,
                        stat=value, formatted=text, **visit_keys,
                    )  # fmt: skip
        for group in groups:
            ctx.blank_row()
            p_label = group.label or "p-value"
            p_row = ctx.new_row(p_label, indent)
            diff_row = ctx.new_row(block.diff_label, indent + 1)
            ci_row = ctx.new_row(f"{conf} CI", indent + 1)
            for a, b in group.pairs:
                c = differences[(visit, a, b)]
                common = {"column": a, "group1_level": a, "variable_level": f"{a} - {b}", **visit_keys}
                p_text = fmt_pvalue(c.pvalue, block.p_decimals)
                for name, value in (("pvalue", c.pvalue), ("df", c.df)):
                    ctx.ard.add(row=p_row, row_label=p_label, stat_name=name, stat=value, formatted=p_text, **common)
                diff_text = f"{fmt_number(c.estimate, block.decimals)} ({fmt_number(c.se, block.se_decimals)})"
                for name, value in (("diff", c.estimate), ("diff_se", c.se)):
                    ctx.ard.add(
                        row=diff_row, row_label=block.diff_label, stat_name=name, stat=value, formatted=diff_text,
                        **common,
                    )  # fmt: skip
                ci_text = f"({fmt_number(c.ci_low, block.decimals)};{fmt_number(c.ci_high, block.decimals)})"
                for name, value in (("ci_low", c.ci_low), ("ci_high", c.ci_high)):
                    ctx.ard.add(
                        row=ci_row, row_label=f"{conf} CI", stat_name=name, stat=value, formatted=ci_text, **common
                    )
    if block.blank_after:
        ctx.blank_row()
