"""Count blocks: subjects (and events) per category and treatment column, "n (%)", optionally nested.

A categorical variable (or a list of conditions) is counted per column as distinct subjects, with the
percentage of a stated denominator: the population N of the column (`population`), the subjects with a value
in the same by-group (`group`), or the subjects with a record in the block (`block`). With `by` (e.g. system
organ class over preferred term, or visit over response) every by-level gets a row of its own, followed by its
categories indented; `any_row` adds a first row of the subjects with at least one record.
"""

from collections.abc import Iterator

import pandas as pd

from opencro.analysis.tfl.context import TOTAL, Context, as_text
from opencro.analysis.tfl.errors import SpecError
from opencro.analysis.tfl.filters import filter_mask
from opencro.analysis.tfl.formatting import fmt_count_pct
from opencro.analysis.tfl.spec_model import CountBlock
from opencro.analysis.tfl.testing import add_block_tests, add_row_tests

WITHIN = "__within__"


def _columns(ctx: Context, frame: pd.DataFrame, block: CountBlock) -> Iterator[tuple[str, pd.DataFrame]]:
    """(cell column key, records) for each column, split into the sub-columns of `columns.within`."""
    for key, group in ctx.by_column(frame):
        if not ctx.spec.columns.within:
            yield key, group
            continue
        for index, sub in enumerate(ctx.spec.columns.within):
            yield f"{key}|{sub.label}", group[group[f"{WITHIN}{index}"]]


def _denominators(ctx: Context, frame: pd.DataFrame, block: CountBlock, variable: str | None) -> dict[str, int]:
    out = {}
    for key, group in _columns(ctx, frame, block):
        if block.denominator == "population" and "|" not in key:
            out[key] = ctx.big_n[key]
        else:
            valued = group if variable is None else group[_present(group[variable])]
            out[key] = int(valued[ctx.subject].nunique())
    return out


def _present(values: pd.Series) -> pd.Series:
    return values.notna() & (values.astype(str).str.strip() != "")


def _cell(block: CountBlock, n: int, denominator: int) -> str:
    if block.counts_only:
        return str(n)
    return fmt_count_pct(
        n,
        denominator,
        block.pct_decimals,
        zero_percent=block.zero_percent,
        small_percent=block.small_percent,
    )


def _count_row(
    ctx: Context,
    block: CountBlock,
    row: int,
    label: str,
    frame: pd.DataFrame,
    denominators: dict[str, int],
    *,
    variable: str | None,
    level: str | None,
    group2: str | None = None,
    group2_level: str | None = None,
) -> dict[str, int]:
    """Write the ARD rows of one display row (n, pct, events per column); return n per column."""
    counts = {}
    for key, group in _columns(ctx, frame, block):
        n = int(group[ctx.subject].nunique())
        counts[key] = n
        denominator = denominators[key]
        text = _cell(block, n, denominator)
        events = len(group) if block.events else None
        if events:
            text += f" [{events}]"
        common = {
            "row": row,
            "column": key,
            "row_label": label,
            "group1_level": ctx.level_of(key.split("|")[0]),
            "group2": group2,
            "group2_level": group2_level,
            "variable": variable,
            "variable_level": level,
            "formatted": text,
            "denominator": denominator,
        }
        ctx.ard.add(stat_name="n", stat=n, stat_label="Number of subjects", **common)
        if not block.counts_only:
            pct = 100.0 * n / denominator if denominator else None
            ctx.ard.add(stat_name="pct", stat=pct, stat_label="Percentage of subjects", **common)
        if block.events:
            ctx.ard.add(stat_name="events", stat=len(group), stat_label="Number of events", **common)
    return counts


def _sort_column(ctx: Context, block: CountBlock) -> str:
    """The column whose counts order a frequency sort: `sort_column`, by default the last treatment level."""
    column = block.sort_column or (ctx.levels[-1] if ctx.levels else TOTAL)
    if column not in ctx.column_keys:
        raise SpecError(ctx.where(block, "sort_column"), f"{column!r} is not a column of this table")
    return column


def _ordered_levels(ctx: Context, block: CountBlock, frame: pd.DataFrame, variable: str) -> list[tuple[str, str]]:
    """The categories to show, in order: the listed levels (zero rows included), then any others found."""
    found = [v for v in pd.unique(frame[variable].astype(str)) if v.strip() != "" and v != "nan"]
    listed = dict(block.levels)
    levels = [(value, label) for value, label in block.levels]
    extra = sorted(v for v in found if v not in listed)
    levels += [(value, value) for value in extra]
    if block.sort == "alpha":
        levels.sort(key=lambda item: item[1])
    elif block.sort == "frequency":
        column = _sort_column(ctx, block)
        in_column = frame if column == TOTAL else frame[frame[ctx.treatment] == column]
        counts = in_column.groupby(in_column[variable].astype(str))[ctx.subject].nunique()
        levels.sort(key=lambda item: (-int(counts.get(item[0], 0)), item[1]))
    return levels


def count_block(ctx: Context, block: CountBlock) -> None:
    """Compute one count block: its rows in the layout and its statistics in the ARD."""
    needed = (("variable", block.variable), *tuple(("by", b) for b in block.by))
    frame = ctx.records(block, needed)
    text_columns = [v for v in (block.variable, *block.by) if v]
    strata = [block.test.strata] if block.test and block.test.strata else []
    keep = [ctx.subject, ctx.treatment, *text_columns, *strata]
    if not block.conditions and not ctx.spec.columns.within:
        frame = frame[list(dict.fromkeys(keep))]  # only what is counted: slicing a narrow frame is fast
    frame = frame.assign(**{v: as_text(frame[v]) for v in text_columns})
    for index, sub in enumerate(ctx.spec.columns.within):
        where = f"{ctx.spec.source}: columns.within[{index}].filter"
        frame = frame.assign(**{f"{WITHIN}{index}": filter_mask(frame, sub.filter, where=where, dataset="records")})
    if block.test and block.test.strata:
        ctx.require(frame, block.dataset or ctx.spec.population.dataset, block.test.strata, ctx.where(block, "test"))
    label_row = ctx.new_row(block.label) if block.label else None
    indent = 1 if block.label else 0
    if block.conditions:
        _conditions(ctx, block, frame, indent)
    elif block.by:
        _nested(ctx, block, frame, indent, label_row)
    else:
        _simple(ctx, block, frame, indent, label_row, group2=None, group2_level=None)
    if block.blank_after:
        ctx.blank_row()


CATEGORY = "__category__"


def _conditions(ctx: Context, block: CountBlock, frame: pd.DataFrame, indent: int) -> None:
    """One row per condition; a block test compares the category each subject's first true condition gives."""
    denominators = _denominators(ctx, frame, block, None)
    category = pd.Series("", index=frame.index, dtype=object)
    first_row = None
    if block.show_n:
        first_row = ctx.new_row("n", indent)
        for key, group in _columns(ctx, frame, block):
            n = int(group[ctx.subject].nunique())
            ctx.ard.add(
                row=first_row,
                column=key,
                row_label="n",
                group1_level=ctx.level_of(key.split("|")[0]),
                stat_name="n",
                stat=n,
                formatted=str(n),
                stat_label="Number of subjects",
            )
    for index, condition in enumerate(block.conditions):
        where = ctx.where(block, f"conditions[{index}].filter")
        mask = filter_mask(frame, condition.filter, where=where, dataset="records")
        category = category.where(~(mask & (category == "")), condition.label)
        subset = frame[mask]
        row = ctx.new_row(condition.label, indent)
        first_row = row if first_row is None else first_row
        _count_row(ctx, block, row, condition.label, subset, denominators, variable=None, level=condition.label)
        if block.row_test and (not block.row_test.levels or condition.label in block.row_test.levels):
            add_row_tests(ctx, block, block.row_test, row, subset, frame, denominators)
    if block.test and first_row is not None:
        add_block_tests(ctx, block, block.test, first_row, frame.assign(**{CATEGORY: category}), CATEGORY)


def _simple(
    ctx: Context,
    block: CountBlock,
    frame: pd.DataFrame,
    indent: int,
    label_row: int | None,
    *,
    group2: str | None,
    group2_level: str | None,
) -> None:
    variable = block.variable or ""
    denominators = _denominators(ctx, frame, block, variable)
    first_row = None
    if block.show_n:
        first_row = ctx.new_row("n", indent)
        for key, group in _columns(ctx, frame, block):
            n = int(group[_present(group[variable])][ctx.subject].nunique())
            ctx.ard.add(
                row=first_row,
                column=key,
                row_label="n",
                group1_level=ctx.level_of(key.split("|")[0]),
                group2=group2,
                group2_level=group2_level,
                variable=variable,
                stat_name="n",
                stat=n,
                formatted=str(n),
                stat_label="Number of subjects with a value",
            )
    if block.any_row:
        row = ctx.new_row(block.any_row, indent)
        first_row = first_row if first_row is not None else row
        _count_row(ctx, block, row, block.any_row, frame, denominators, variable=variable, level=None)
    for value, label in _ordered_levels(ctx, block, frame, variable):
        row = ctx.new_row(label, indent)
        first_row = first_row if first_row is not None else row
        subset = frame[frame[variable].astype(str) == value]
        _count_row(
            ctx,
            block,
            row,
            label,
            subset,
            denominators,
            variable=variable,
            level=value,
            group2=group2,
            group2_level=group2_level,
        )
        if block.row_test and (not block.row_test.levels or value in block.row_test.levels):
            add_row_tests(ctx, block, block.row_test, row, subset, frame, denominators)
    if block.missing_row is not None:
        row = ctx.new_row(block.missing_row, indent)
        subset = frame[~_present(frame[variable])]
        _count_row(ctx, block, row, block.missing_row, subset, denominators, variable=variable, level="")
    if block.test:
        target = first_row if first_row is not None else label_row
        if target is not None:
            add_block_tests(ctx, block, block.test, target, frame, variable, group2=group2, group2_level=group2_level)


def _nested(ctx: Context, block: CountBlock, frame: pd.DataFrame, indent: int, label_row: int | None) -> None:
    """By-groups (one level of nesting, e.g. SOC over PT, or visit over response), each with its categories."""
    by = block.by[0]
    variable = block.variable or ""
    if len(block.by) > 1:
        raise SpecError(ctx.where(block, "by"), "one level of nesting is supported (e.g. by: [AEBODSYS])")
    denominators = _denominators(ctx, frame, block, variable)

    def any_row() -> None:
        row = ctx.new_row(block.any_row or "", indent)
        _count_row(ctx, block, row, block.any_row or "", frame, denominators, variable=variable, level=None)
        if block.row_test:
            add_row_tests(ctx, block, block.row_test, row, frame, frame, denominators)

    if block.any_row and not block.any_row_last:
        any_row()
    found = [v for v in pd.unique(frame[by].astype(str)) if v.strip() != ""]
    groups = list(block.by_levels) + sorted(v for v in found if v not in block.by_levels)
    if block.by_sort == "frequency":
        column = _sort_column(ctx, block)
        in_column = frame if column == TOTAL else frame[frame[ctx.treatment] == column]
        counts = in_column.groupby(in_column[by].astype(str))[ctx.subject].nunique()
        groups.sort(key=lambda value: (-int(counts.get(value, 0)), value))
    for group_value in groups:
        subset = frame[frame[by].astype(str) == group_value]
        if block.show_n or block.denominator == "group":
            # a heading row (visit), then n and categories under it, percentages of the group
            row = ctx.new_row(group_value, indent)
            _simple_under(ctx, block, subset, indent + 1, row, by, group_value)
            continue
        prefix = block.by_style == "prefix"
        if not prefix:
            row = ctx.new_row(group_value, indent)
            _count_row(
                ctx, block, row, group_value, subset, denominators, variable=by, level=group_value, group2=by,
                group2_level=group_value,
            )  # fmt: skip
            if block.row_test:
                add_row_tests(ctx, block, block.row_test, row, subset, frame, denominators)
        for value, label in _ordered_levels(ctx, block, subset, variable):
            inner = subset[subset[variable].astype(str) == value]
            if prefix:
                label = f"{group_value} / {label}"
            inner_row = ctx.new_row(label, indent if prefix else indent + 1)
            _count_row(
                ctx, block, inner_row, label, inner, denominators, variable=variable, level=value, group2=by,
                group2_level=group_value,
            )  # fmt: skip
            if block.row_test:
                add_row_tests(ctx, block, block.row_test, inner_row, inner, frame, denominators)
    if block.any_row and block.any_row_last:
        any_row()


def _simple_under(
    ctx: Context, block: CountBlock, subset: pd.DataFrame, indent: int, heading: int, by: str, value: str
) -> None:
    _simple(ctx, block, subset, indent, heading, group2=by, group2_level=value)
