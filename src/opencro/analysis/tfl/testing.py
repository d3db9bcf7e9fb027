"""p-value rows and columns: the tests a block asks for, computed by `opencro.stats`, written to the ARD.

Tests across the treatment columns use the distinct subjects of each category: Pearson's chi-square or
Fisher's exact test on the category x treatment table, the Cochran-Mantel-Haenszel test stratified by a
variable, a one-way ANOVA (the type III F test of treatment) for a continuous variable, and the log-rank test
for a time to event. `comparisons` gives one test per pair of treatment levels instead (placebo against each
dose). The Total column never enters a test.
"""

import numpy as np
import pandas as pd

from opencro.analysis.tfl.context import Context
from opencro.analysis.tfl.errors import SpecError
from opencro.analysis.tfl.formatting import fmt_pvalue
from opencro.analysis.tfl.spec_model import Block, TestSpec
from opencro.analysis.tfl.spec_model import TestBlock as TestBlockSpec
from opencro.stats.tables.results import TestResult

PVALUE = "pvalue"


def pvalue_column(ctx: Context, test: TestSpec, pair: tuple[str, str] | None) -> str:
    """The key of the p-value column a test writes to (declared on the context with its header label)."""
    if pair is None:
        ctx.add_column(PVALUE, "p-value")
        return PVALUE
    key = f"{PVALUE}:{pair[0]}|{pair[1]}"
    columns = ctx.spec.columns
    ctx.add_column(key, f"{columns.label_of(pair[0])} vs. {columns.label_of(pair[1])}")
    return key


def _check_pairs(ctx: Context, block: Block, test: TestSpec, key: str) -> None:
    for pair in test.comparisons:
        for level in pair:
            if level not in ctx.levels:
                raise SpecError(ctx.where(block, f"{key}.comparisons"), f"{level!r} is not a treatment level")


def _table(frame: pd.DataFrame, ctx: Context, variable: str, levels: tuple[str, ...]) -> np.ndarray:
    """Subjects by category (rows) and treatment level (columns)."""
    subjects = frame[[ctx.subject, ctx.treatment, variable]].drop_duplicates([ctx.subject, variable])
    subjects = subjects[subjects[variable].astype(str).str.strip() != ""]
    counts = pd.crosstab(subjects[variable].astype(str), subjects[ctx.treatment])
    counts = counts.reindex(columns=list(levels), fill_value=0)
    return counts.to_numpy(dtype=int)


def run_test(
    ctx: Context,
    block: Block,
    test: TestSpec,
    frame: pd.DataFrame,
    variable: str,
    levels: tuple[str, ...],
) -> TestResult:
    """One test of `variable` across `levels` of the treatment, on the block's records."""
    from opencro.stats.tables import categorical, cmh, linear_models

    subset = frame[frame[ctx.treatment].isin(levels)]
    if test.method in ("chisq", "fisher"):
        table = _table(subset, ctx, variable, levels)
        table = table[table.sum(axis=1) > 0]
        if test.method == "chisq":
            return categorical.chi_square_test(table, correction=test.correction)
        return categorical.fisher_exact_test(table)
    if test.method == "cmh":
        per_subject = subset.drop_duplicates([ctx.subject])
        numeric = pd.to_numeric(per_subject[variable].replace("", None), errors="coerce")
        if numeric.notna().sum() == (per_subject[variable].astype(str).str.strip() != "").sum():
            per_subject = per_subject.assign(**{variable: numeric})  # ordinal scores: the values themselves
        return cmh.cmh_test(
            per_subject, row=ctx.treatment, column=variable, strata=test.strata, statistic=test.statistic
        )
    if test.method == "anova":
        fit = linear_models.ancova(subset, response=variable, treatment=ctx.treatment, treatment_order=levels)
        effect = next(e for e in fit.effects if e.term == ctx.treatment)
        return TestResult(effect.statistic, effect.df, effect.pvalue, fit.method)
    raise SpecError(ctx.where(block, "test.method"), f"{test.method} needs a time-to-event test block")


def _write(
    ctx: Context,
    test: TestSpec,
    result: TestResult,
    row: int,
    column: str,
    variable: str,
    *,
    row_label: str = "",
    group2: str | None = None,
    group2_level: str | None = None,
    stat_label: str = "p-value",
) -> None:
    text = fmt_pvalue(result.pvalue, test.decimals, flag_below=test.flag_below)
    ctx.ard.add(
        row=row,
        column=column,
        row_label=row_label,
        group2=group2,
        group2_level=group2_level,
        variable=variable,
        stat_name="pvalue",
        stat=result.pvalue,
        formatted=text,
        stat_label=stat_label,
        method=result.method,
    )
    if result.statistic is not None:
        ctx.ard.add(
            row=row,
            column=column,
            group2=group2,
            group2_level=group2_level,
            variable=variable,
            stat_name="statistic",
            stat=result.statistic,
            formatted="",
            stat_label="Test statistic",
            method=result.method,
        )
    ctx.add_footnote(test.footnote or result.method)


def add_block_tests(
    ctx: Context,
    block: Block,
    test: TestSpec,
    row: int,
    frame: pd.DataFrame,
    variable: str,
    *,
    group2: str | None = None,
    group2_level: str | None = None,
) -> None:
    """The block's test (or one per pair of levels) in the p-value column(s) of `row`."""
    from opencro.stats.tables.errors import TableStatisticsError

    _check_pairs(ctx, block, test, "test")
    pairs: list[tuple[str, str] | None] = list(test.comparisons) or [None]
    for pair in pairs:
        levels = pair if pair is not None else ctx.levels
        try:
            result = run_test(ctx, block, test, frame, variable, tuple(levels))
        except TableStatisticsError as exc:
            raise SpecError(ctx.where(block, "test"), f"{test.method} cannot be computed: {exc}") from None
        column = pvalue_column(ctx, test, pair)
        _write(ctx, test, result, row, column, variable, group2=group2, group2_level=group2_level)


def add_row_tests(
    ctx: Context,
    block: Block,
    test: TestSpec,
    row: int,
    subset: pd.DataFrame,
    frame: pd.DataFrame,
    denominators: dict[str, int],
) -> None:
    """A test of one row: subjects with and without the category, per treatment level (a 2 x k table).

    Rows whose compared columns have no subject with the category are left blank, as the pilot's AE table does.
    """
    from opencro.stats.tables import categorical
    from opencro.stats.tables.errors import TableStatisticsError

    _check_pairs(ctx, block, test, "row_test")
    if test.method not in ("fisher", "chisq"):
        raise SpecError(ctx.where(block, "row_test.method"), "a row test is fisher or chisq")
    counts = subset.groupby(ctx.treatment, observed=True)[ctx.subject].nunique()
    pairs: list[tuple[str, str] | None] = list(test.comparisons) or [None]
    for pair in pairs:
        levels = pair if pair is not None else ctx.levels
        with_category = [int(counts.get(level, 0)) for level in levels]
        if sum(with_category) == 0:
            pvalue_column(ctx, test, pair)
            continue
        without = [denominators[level] - n for level, n in zip(levels, with_category, strict=True)]
        table = np.array([with_category, without])
        try:
            if test.method == "fisher":
                result = categorical.fisher_exact_test(table)
            else:
                result = categorical.chi_square_test(table, correction=test.correction)
        except TableStatisticsError as exc:
            raise SpecError(ctx.where(block, "row_test"), f"{test.method} cannot be computed: {exc}") from None
        column = pvalue_column(ctx, test, pair)
        _write(ctx, test, result, row, column, block.label)


def pvalue_block(ctx: Context, block: TestBlockSpec) -> None:
    """A p-value row of its own, in the column the block names (default: the p-value column)."""
    from opencro.stats.survival import logrank_test
    from opencro.stats.survival.errors import SurvivalInputError
    from opencro.stats.tables.errors import TableStatisticsError

    test = block.test
    needed = (("variable", block.variable or None), ("time", block.time), ("censor", block.censor))
    frame = ctx.records(block, needed)
    if test.strata:
        ctx.require(frame, block.dataset or ctx.spec.population.dataset, test.strata, ctx.where(block, "test.strata"))
    column = block.column or pvalue_column(ctx, test, None)
    if column not in ctx.column_keys and column != PVALUE:
        raise SpecError(ctx.where(block, "column"), f"{column!r} is not a column of this table")
    try:
        if test.method == "logrank":
            subset = frame[frame[ctx.treatment].isin(ctx.levels)]
            event = 1 - pd.to_numeric(subset[block.censor]).astype(int)
            strata = subset[test.strata].tolist() if test.strata else None
            result = logrank_test(
                pd.to_numeric(subset[block.time]).to_numpy(),
                event.to_numpy(),
                subset[ctx.treatment].tolist(),
                strata=strata,
            )
        else:
            result = run_test(ctx, block, test, frame, block.variable, ctx.levels)
    except (TableStatisticsError, SurvivalInputError) as exc:
        raise SpecError(ctx.where(block, "test"), f"{test.method} cannot be computed: {exc}") from None
    row = ctx.new_row(block.label)
    _write(ctx, test, result, row, column, block.variable or block.time or "", row_label=block.label)
    if block.blank_after:
        ctx.blank_row()
