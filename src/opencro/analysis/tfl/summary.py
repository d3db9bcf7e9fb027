"""Summary blocks: descriptive statistics of a continuous variable per treatment column (n, Mean (SD), ...).

The statistics come from `opencro.stats.tables.describe` (SAS's default quantile definition). Each display row
is a template such as ``"{mean} ({sd})"``; decimals are given per statistic in the specification, as a number
or as "+k" (the precision of the data plus k), defaulting to min and max as recorded, mean and median one
more, SD and SE two more.
"""

import string

import pandas as pd

from opencro.analysis.tfl.context import Context, as_text
from opencro.analysis.tfl.errors import SpecError
from opencro.analysis.tfl.formatting import data_precision, decimals_for, fmt_number
from opencro.analysis.tfl.spec_model import SummaryBlock
from opencro.analysis.tfl.testing import add_block_tests
from opencro.stats.tables.descriptive import Description, describe

STAT_LABELS = {
    "n": "Number of subjects with a value",
    "mean": "Mean",
    "sd": "Standard deviation",
    "se": "Standard error of the mean",
    "median": "Median",
    "q1": "First quartile",
    "q3": "Third quartile",
    "min": "Minimum",
    "max": "Maximum",
}


def _numbers(ctx: Context, block: SummaryBlock, frame: pd.DataFrame) -> pd.Series:
    values = pd.to_numeric(frame[block.variable], errors="coerce")
    bad = frame[block.variable][values.isna() & frame[block.variable].notna()]
    bad = bad[bad.astype(str).str.strip() != ""]
    if len(bad):
        raise SpecError(ctx.where(block, "variable"), f"{block.variable} is not numeric (e.g. {bad.iloc[0]!r})")
    return values


def summary_block(ctx: Context, block: SummaryBlock) -> None:
    """Compute one summary block: a label row, then one row per template, per column (and per by-level)."""
    frame = ctx.records(block, (("variable", block.variable), ("by", block.by)))
    values = _numbers(ctx, block, frame)
    frame = frame.assign(**{block.variable: values})
    if block.by:
        frame = frame.assign(**{block.by: as_text(frame[block.by])})
    precision = data_precision(values.dropna().tolist())
    decimals = {stat: decimals_for(stat, block.decimals.get(stat), precision) for stat in STAT_LABELS}
    if block.label:
        ctx.new_row(block.label)
    indent = 1 if block.label else 0
    if block.by:
        found = [v for v in pd.unique(frame[block.by].astype(str)) if v.strip() != ""]
        groups = list(block.by_levels) + sorted(v for v in found if v not in block.by_levels)
        for value in groups:
            ctx.new_row(value, indent)
            subset = frame[frame[block.by].astype(str) == value]
            _rows(ctx, block, subset, decimals, indent + 1, block.by, value)
    else:
        _rows(ctx, block, frame, decimals, indent, None, None)
    if block.blank_after:
        ctx.blank_row()


def _rows(
    ctx: Context,
    block: SummaryBlock,
    frame: pd.DataFrame,
    decimals: dict[str, int],
    indent: int,
    group2: str | None,
    group2_level: str | None,
) -> None:
    described: dict[str, Description] = {
        key: describe(group[block.variable].tolist()) for key, group in ctx.by_column(frame)
    }
    first = None
    for label, template in block.stats:
        row = ctx.new_row(label, indent)
        first = row if first is None else first
        names = [name for _lit, name, _spec, _conv in string.Formatter().parse(template) if name]
        for key, description in described.items():
            texts = {}
            for name in names:
                value = getattr(description, name)
                texts[name] = str(value) if name == "n" else fmt_number(value, decimals[name], missing="-")
            cell = ("0" if names == ["n"] else "") if description.n == 0 else template.format(**texts)
            for name in names:
                ctx.ard.add(
                    row=row,
                    column=key,
                    row_label=label,
                    group1_level=ctx.level_of(key),
                    group2=group2,
                    group2_level=group2_level,
                    variable=block.variable,
                    stat_name=name,
                    stat=getattr(description, name),
                    formatted=cell,
                    stat_label=STAT_LABELS[name],
                )
    if block.test and first is not None:
        add_block_tests(ctx, block, block.test, first, frame, block.variable, group2=group2, group2_level=group2_level)
