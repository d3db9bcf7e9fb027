"""The output specification: what a table, listing or figure shows, read from YAML and checked with located errors.

A specification names its population (a dataset and a filter in OpenCRO's expression language), the treatment
columns, and an ordered list of row blocks (`count`, `summary`, `test`, `model`, `mmrm`, `cox`), or a listing's
columns, or a figure. Every problem is reported with the file and the path inside it, e.g.
``14-3.01.yaml: rows[2].variable``.
"""

import os
import string
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from opencro.analysis.tfl.errors import SpecError
from opencro.analysis.tfl.spec_model import (
    CMH_STATISTICS,
    COX_TIES,
    DEFAULT_SUMMARY_ROWS,
    DF_METHODS,
    FIGURE_KINDS,
    KINDS,
    SUMMARY_STATS,
    TEST_METHODS,
    Block,
    Columns,
    ComparisonGroup,
    Condition,
    CountBlock,
    CoxBlock,
    FigureSpec,
    HazardRatioSpec,
    ListingColumn,
    ListingSpec,
    MmrmBlock,
    ModelBlock,
    OutputSpec,
    Population,
    SubColumn,
    SummaryBlock,
    TestBlock,
    TestSpec,
)
from opencro.core.logic import ExpressionError, parse

__all__ = [
    "CMH_STATISTICS",
    "DEFAULT_SUMMARY_ROWS",
    "FIGURE_KINDS",
    "KINDS",
    "SUMMARY_STATS",
    "TEST_METHODS",
    "Block",
    "Columns",
    "ComparisonGroup",
    "Condition",
    "CountBlock",
    "CoxBlock",
    "FigureSpec",
    "HazardRatioSpec",
    "ListingColumn",
    "ListingSpec",
    "MmrmBlock",
    "ModelBlock",
    "OutputSpec",
    "Population",
    "SubColumn",
    "SummaryBlock",
    "TestBlock",
    "TestSpec",
    "load_spec",
    "parse_spec",
]


# ------------------------------------------------------------------------------------------------ reading


class _At:
    """A position in the YAML document, for messages: file name plus a path like rows[2].variable."""

    def __init__(self, source: str, path: str = "") -> None:
        self.source = source
        self.path = path

    def child(self, key: str | int) -> "_At":
        if isinstance(key, int):
            return _At(self.source, f"{self.path}[{key}]")
        return _At(self.source, f"{self.path}.{key}" if self.path else key)

    def fail(self, message: str) -> SpecError:
        where = f"{self.source}: {self.path}" if self.path else self.source
        return SpecError(where, message)


def _mapping(value: Any, at: _At) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise at.fail(f"expected a mapping, found {type(value).__name__}")
    return value


def _known(data: Mapping[str, Any], allowed: Sequence[str], at: _At) -> None:
    for key in data:
        if key not in allowed:
            raise at.child(str(key)).fail(f"unknown key (expected one of: {', '.join(allowed)})")


def _text(data: Mapping[str, Any], key: str, at: _At, default: str | None = None, required: bool = False) -> Any:
    value = data.get(key, default)
    if value is None:
        if required:
            raise at.child(key).fail("is required")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise at.child(key).fail(f"expected text, found {type(value).__name__}")
    return str(value)


def _texts(data: Mapping[str, Any], key: str, at: _At) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list):
        raise at.child(key).fail("expected a list of text")
    for i, item in enumerate(value):
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise at.child(key).child(i).fail("expected text")
    return tuple(str(item) for item in value)


def _flag(data: Mapping[str, Any], key: str, at: _At, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise at.child(key).fail("expected true or false")
    return value


def _int(data: Mapping[str, Any], key: str, at: _At, default: int, low: int = 0, high: int = 10) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise at.child(key).fail(f"expected a whole number from {low} to {high}")
    return value


def _number(data: Mapping[str, Any], key: str, at: _At, default: float | None) -> float | None:
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise at.child(key).fail("expected a number")
    return float(value)


def _choice(data: Mapping[str, Any], key: str, at: _At, choices: Sequence[str], default: str | None) -> Any:
    value = _text(data, key, at, default, required=default is None)
    if value not in choices:
        raise at.child(key).fail(f"{value!r} is not one of: {', '.join(choices)}")
    return value


def _expression(data: Mapping[str, Any], key: str, at: _At) -> str | None:
    text = _text(data, key, at)
    if text is None:
        return None
    try:
        parse(text)
    except ExpressionError as exc:
        raise at.child(key).fail(f"not a valid expression: {exc}") from None
    return text


def _pairs(value: Any, at: _At) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        raise at.fail("expected a list of [level, level] pairs")
    pairs = []
    for i, pair in enumerate(value):
        if not isinstance(pair, list) or len(pair) != 2:
            raise at.child(i).fail("expected a pair [level, level]")
        pairs.append((str(pair[0]), str(pair[1])))
    return tuple(pairs)


def _test(value: Any, at: _At) -> TestSpec | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = {"method": value}
    data = _mapping(value, at)
    keys = (
        "method",
        "comparisons",
        "strata",
        "statistic",
        "correction",
        "decimals",
        "flag_below",
        "footnote",
        "levels",
    )
    _known(data, keys, at)
    return TestSpec(
        method=_choice(data, "method", at, TEST_METHODS, None),
        comparisons=_pairs(data["comparisons"], at.child("comparisons")) if "comparisons" in data else (),
        strata=_text(data, "strata", at),
        statistic=_choice(data, "statistic", at, CMH_STATISTICS, "general"),
        correction=_flag(data, "correction", at, False),
        decimals=_int(data, "decimals", at, 4, 1, 6),
        flag_below=_number(data, "flag_below", at, None),
        footnote=_text(data, "footnote", at),
        levels=_texts(data, "levels", at),
    )


def _levels(value: Any, at: _At) -> tuple[tuple[str, str], ...]:
    """Levels as a list (value shown as itself) or a mapping value -> label, in the order written."""
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple((str(v), str(v)) for v in value)
    data = _mapping(value, at)
    return tuple((str(k), str(v)) for k, v in data.items())


_BLOCK_COMMON = ("type", "label", "dataset", "filter", "blank_after")


def _common(data: Mapping[str, Any], index: int, at: _At) -> dict[str, Any]:
    return {
        "index": index,
        "label": _text(data, "label", at, "") or "",
        "dataset": _text(data, "dataset", at),
        "filter": _expression(data, "filter", at),
        "blank_after": _flag(data, "blank_after", at, True),
    }


def _count(data: Mapping[str, Any], index: int, at: _At) -> CountBlock:
    keys = (
        "variable", "conditions", "levels", "by", "by_levels", "show_n", "any_row", "any_row_last", "by_style",
        "by_sort",
        "events", "sort",
        "sort_column", "denominator", "pct_decimals", "zero_percent", "small_percent", "counts_only",
        "missing_row", "test", "row_test",
    )  # fmt: skip
    _known(data, _BLOCK_COMMON + keys, at)
    conditions = []
    raw_conditions = data.get("conditions", [])
    if not isinstance(raw_conditions, list):
        raise at.child("conditions").fail("expected a list of {label, filter}")
    for i, item in enumerate(raw_conditions):
        where = at.child("conditions").child(i)
        cond = _mapping(item, where)
        _known(cond, ("label", "filter"), where)
        conditions.append(
            Condition(_text(cond, "label", where, required=True), _expression(cond, "filter", where) or "")
        )
        if not cond.get("filter"):
            raise where.child("filter").fail("is required")
    variable = _text(data, "variable", at)
    if variable is None and not conditions:
        raise at.fail("a count block needs a variable or conditions")
    if variable is not None and conditions:
        raise at.fail("a count block has either a variable or conditions, not both")
    return CountBlock(
        **_common(data, index, at),
        variable=variable,
        conditions=tuple(conditions),
        levels=_levels(data.get("levels"), at.child("levels")),
        by=_texts(data, "by", at),
        by_levels=_texts(data, "by_levels", at),
        show_n=_flag(data, "show_n", at, False),
        any_row=_text(data, "any_row", at),
        any_row_last=_flag(data, "any_row_last", at, False),
        by_style=_choice(data, "by_style", at, ("rows", "prefix"), "rows"),
        by_sort=_choice(data, "by_sort", at, ("levels", "frequency"), "levels"),
        events=_flag(data, "events", at, False),
        sort=_choice(data, "sort", at, ("levels", "alpha", "frequency"), "levels"),
        sort_column=_text(data, "sort_column", at),
        denominator=_choice(data, "denominator", at, ("population", "group", "block"), "population"),
        pct_decimals=_int(data, "pct_decimals", at, 0, 0, 3),
        zero_percent=_flag(data, "zero_percent", at, False),
        small_percent=_flag(data, "small_percent", at, False),
        counts_only=_flag(data, "counts_only", at, False),
        missing_row=_text(data, "missing_row", at),
        test=_test(data.get("test"), at.child("test")),
        row_test=_test(data.get("row_test"), at.child("row_test")),
    )


def _summary(data: Mapping[str, Any], index: int, at: _At) -> SummaryBlock:
    _known(data, (*_BLOCK_COMMON, "variable", "by", "by_levels", "stats", "decimals", "test"), at)
    stats = DEFAULT_SUMMARY_ROWS
    if "stats" in data:
        raw = data["stats"]
        if not isinstance(raw, list) or not raw:
            raise at.child("stats").fail("expected a list of [label, template] rows")
        rows = []
        for i, item in enumerate(raw):
            where = at.child("stats").child(i)
            if not isinstance(item, list) or len(item) != 2:
                raise where.fail('expected [label, template], e.g. ["Mean (SD)", "{mean} ({sd})"]')
            label, template = str(item[0]), str(item[1])
            _check_template(template, where)
            rows.append((label, template))
        stats = tuple(rows)
    decimals: dict[str, int | str] = {}
    raw_decimals = _mapping(data.get("decimals", {}), at.child("decimals"))
    for key, value in raw_decimals.items():
        where = at.child("decimals").child(str(key))
        if key not in SUMMARY_STATS:
            raise where.fail(f"unknown statistic (expected one of: {', '.join(SUMMARY_STATS)})")
        if (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 8) or (
            isinstance(value, str) and value.startswith("+") and value[1:].isdigit()
        ):
            decimals[key] = value
        else:
            raise where.fail('expected a number of decimals (0-8) or "+k" (precision of the data plus k)')
    return SummaryBlock(
        **_common(data, index, at),
        variable=_text(data, "variable", at, required=True),
        by=_text(data, "by", at),
        by_levels=_texts(data, "by_levels", at),
        stats=stats,
        decimals=decimals,
        test=_test(data.get("test"), at.child("test")),
    )


def _check_template(template: str, at: _At) -> None:
    for _literal, name, _spec, _conv in string.Formatter().parse(template):
        if name is not None and name not in SUMMARY_STATS:
            raise at.fail(f"unknown statistic {{{name}}} (expected one of: {', '.join(SUMMARY_STATS)})")


def _groups(data: Mapping[str, Any], at: _At) -> tuple[ComparisonGroup, ...]:
    """`comparisons`: a list of {label, pairs: [[level, reference], ...]}."""
    groups = []
    raw = data.get("comparisons", [])
    if not isinstance(raw, list):
        raise at.child("comparisons").fail("expected a list of {label, pairs}")
    for i, item in enumerate(raw):
        where = at.child("comparisons").child(i)
        group = _mapping(item, where)
        _known(group, ("label", "pairs"), where)
        groups.append(
            ComparisonGroup(_text(group, "label", where, ""), _pairs(group.get("pairs"), where.child("pairs")))
        )
    return tuple(groups)


def _alpha(data: Mapping[str, Any], at: _At) -> float:
    alpha = _number(data, "alpha", at, 0.05)
    if alpha is None or not 0 < alpha < 1:
        raise at.child("alpha").fail("must lie between 0 and 1")
    return alpha


def _model(data: Mapping[str, Any], index: int, at: _At) -> ModelBlock:
    keys = (
        "method", "response", "covariates", "factors", "dose", "dose_label", "lsmeans", "comparisons", "alpha",
        "weighting", "decimals", "se_decimals", "p_decimals", "footnote",
    )  # fmt: skip
    _known(data, _BLOCK_COMMON + keys, at)
    _choice(data, "method", at, ("ancova",), "ancova")
    groups = _groups(data, at)
    alpha = _alpha(data, at)
    return ModelBlock(
        **_common(data, index, at),
        response=_text(data, "response", at, required=True),
        covariates=_texts(data, "covariates", at),
        factors=_texts(data, "factors", at),
        dose=_text(data, "dose", at),
        dose_label=_text(data, "dose_label", at, "p-value (Dose Response)"),
        lsmeans=_flag(data, "lsmeans", at, False),
        comparisons=groups,
        alpha=alpha,
        weighting=_choice(data, "weighting", at, ("equal", "proportional"), "equal"),
        decimals=_int(data, "decimals", at, 1, 0, 6),
        se_decimals=_int(data, "se_decimals", at, 2, 0, 6),
        p_decimals=_int(data, "p_decimals", at, 3, 1, 6),
        footnote=_text(data, "footnote", at),
    )


def _mmrm(data: Mapping[str, Any], index: int, at: _At) -> MmrmBlock:
    keys = (
        "response", "subject", "visit", "visit_order", "visits", "covariates", "factors", "covariate_by_visit",
        "df", "lsmeans", "lsmean_label", "diff_label", "visit_header", "comparisons", "alpha", "decimals",
        "se_decimals", "p_decimals", "footnote",
    )  # fmt: skip
    _known(data, _BLOCK_COMMON + keys, at)
    covariates = _texts(data, "covariates", at)
    by_visit = _texts(data, "covariate_by_visit", at)
    for i, name in enumerate(by_visit):
        if name not in covariates:
            raise at.child("covariate_by_visit").child(i).fail(f"{name} is not one of the covariates")
    order = data.get("visit_order")
    visit_order, visit_levels = None, ()
    if isinstance(order, list):
        visit_levels = _texts(data, "visit_order", at)
    else:
        visit_order = _text(data, "visit_order", at)
    return MmrmBlock(
        **_common(data, index, at),
        response=_text(data, "response", at, required=True),
        subject=_text(data, "subject", at),
        visit=_text(data, "visit", at, required=True),
        visit_order=visit_order,
        visit_levels=visit_levels,
        visits=_texts(data, "visits", at),
        covariates=covariates,
        factors=_texts(data, "factors", at),
        covariate_by_visit=by_visit,
        df=_choice(data, "df", at, DF_METHODS, "satterthwaite"),
        lsmeans=_flag(data, "lsmeans", at, True),
        lsmean_label=_text(data, "lsmean_label", at, "LS Mean (SE)"),
        diff_label=_text(data, "diff_label", at, "Diff of LS Means (SE)"),
        visit_header=_flag(data, "visit_header", at, True),
        comparisons=_groups(data, at),
        alpha=_alpha(data, at),
        decimals=_int(data, "decimals", at, 1, 0, 6),
        se_decimals=_int(data, "se_decimals", at, 2, 0, 6),
        p_decimals=_int(data, "p_decimals", at, 3, 1, 6),
        footnote=_text(data, "footnote", at),
    )


def _cox(data: Mapping[str, Any], index: int, at: _At) -> CoxBlock:
    keys = (
        "time", "censor", "covariates", "strata", "ties", "comparisons", "alpha", "decimals", "p_decimals",
        "hr_label", "footnote",
    )  # fmt: skip
    _known(data, _BLOCK_COMMON + keys, at)
    return CoxBlock(
        **_common(data, index, at),
        time=_text(data, "time", at, required=True),
        censor=_text(data, "censor", at, required=True),
        covariates=_texts(data, "covariates", at),
        strata=_text(data, "strata", at),
        ties=_choice(data, "ties", at, COX_TIES, "efron"),
        comparisons=_groups(data, at),
        alpha=_alpha(data, at),
        decimals=_int(data, "decimals", at, 2, 0, 6),
        p_decimals=_int(data, "p_decimals", at, 4, 1, 6),
        hr_label=_text(data, "hr_label", at, "Hazard ratio"),
        footnote=_text(data, "footnote", at),
    )


def _hazard_ratio(value: Any, at: _At) -> HazardRatioSpec | None:
    if value is None or value is False:
        return None
    if value is True:
        return HazardRatioSpec()
    data = _mapping(value, at)
    _known(data, ("reference", "strata", "covariates", "ties", "alpha", "decimals", "p_decimals", "footnote"), at)
    return HazardRatioSpec(
        reference=_text(data, "reference", at),
        strata=_text(data, "strata", at),
        covariates=_texts(data, "covariates", at),
        ties=_choice(data, "ties", at, COX_TIES, "efron"),
        alpha=_alpha(data, at),
        decimals=_int(data, "decimals", at, 2, 0, 6),
        p_decimals=_int(data, "p_decimals", at, 4, 1, 6),
        footnote=_text(data, "footnote", at),
    )


def _test_block(data: Mapping[str, Any], index: int, at: _At) -> TestBlock:
    _known(data, (*_BLOCK_COMMON, "variable", "test", "time", "censor", "column"), at)
    test = _test(data.get("test"), at.child("test"))
    if test is None:
        raise at.child("test").fail("is required")
    if test.method == "logrank" and (not data.get("time") or not data.get("censor")):
        raise at.fail("a log-rank test needs time and censor")
    return TestBlock(
        **_common(data, index, at),
        variable=_text(data, "variable", at, "") or "",
        test=test,
        time=_text(data, "time", at),
        censor=_text(data, "censor", at),
        column=_text(data, "column", at),
    )


_BLOCKS = {
    "count": _count,
    "summary": _summary,
    "model": _model,
    "mmrm": _mmrm,
    "cox": _cox,
    "test": _test_block,
}


def _columns(value: Any, at: _At) -> Columns:
    data = _mapping(value, at)
    _known(data, ("variable", "order", "labels", "total", "header_n", "within"), at)
    labels = {str(k): str(v) for k, v in _mapping(data.get("labels", {}), at.child("labels")).items()}
    within = []
    raw = data.get("within", [])
    if not isinstance(raw, list):
        raise at.child("within").fail("expected a list of {label, filter}")
    for i, item in enumerate(raw):
        where = at.child("within").child(i)
        sub = _mapping(item, where)
        _known(sub, ("label", "filter"), where)
        within.append(SubColumn(_text(sub, "label", where, required=True), _expression(sub, "filter", where) or ""))
    return Columns(
        variable=_text(data, "variable", at, required=True),
        order=_texts(data, "order", at),
        labels=labels,
        total=_text(data, "total", at),
        header_n=_flag(data, "header_n", at, True),
        within=tuple(within),
    )


def _population(value: Any, at: _At) -> Population:
    data = _mapping(value, at)
    _known(data, ("dataset", "filter", "label", "subject"), at)
    return Population(
        dataset=_text(data, "dataset", at, required=True).upper(),
        filter=_expression(data, "filter", at),
        label=_text(data, "label", at, "") or "",
        subject=_text(data, "subject", at, "USUBJID"),
    )


def _listing(value: Any, at: _At) -> ListingSpec:
    data = _mapping(value, at)
    _known(data, ("dataset", "filter", "columns", "sort"), at)
    raw = data.get("columns")
    if not isinstance(raw, list) or not raw:
        raise at.child("columns").fail("expected a list of variables or {variable, label}")
    columns = []
    for i, item in enumerate(raw):
        where = at.child("columns").child(i)
        if isinstance(item, str):
            columns.append(ListingColumn(item, item))
        else:
            col = _mapping(item, where)
            _known(col, ("variable", "label"), where)
            variable = _text(col, "variable", where, required=True)
            columns.append(ListingColumn(variable, _text(col, "label", where, variable)))
    return ListingSpec(
        dataset=_text(data, "dataset", at, required=True).upper(),
        filter=_expression(data, "filter", at),
        columns=tuple(columns),
        sort=_texts(data, "sort", at),
    )


def _figure(value: Any, at: _At) -> FigureSpec:
    data = _mapping(value, at)
    keys = (
        "kind", "dataset", "filter", "variable", "time", "censor", "visit", "visit_order", "at_risk_times",
        "x_label", "y_label", "test", "model", "hazard_ratio",
    )  # fmt: skip
    _known(data, keys, at)
    kind = _choice(data, "kind", at, FIGURE_KINDS, None)
    times = data.get("at_risk_times", [])
    if not isinstance(times, list) or any(isinstance(t, bool) or not isinstance(t, int | float) for t in times):
        raise at.child("at_risk_times").fail("expected a list of numbers")
    if kind == "km" and not (data.get("time") and data.get("censor")):
        raise at.fail("a Kaplan-Meier figure needs time and censor")
    if kind == "mean_over_time" and not (data.get("variable") and data.get("visit")):
        raise at.fail("a mean-over-time figure needs variable and visit")
    if data.get("hazard_ratio") not in (None, False) and kind != "km":
        raise at.child("hazard_ratio").fail("a hazard ratio belongs to a Kaplan-Meier figure (kind: km)")
    model = None
    if kind == "forest":
        raw = _mapping(data.get("model"), at.child("model"))
        model = _model(raw, 0, at.child("model"))
    return FigureSpec(
        kind=kind,
        dataset=_text(data, "dataset", at, required=True).upper(),
        filter=_expression(data, "filter", at),
        variable=_text(data, "variable", at),
        time=_text(data, "time", at),
        censor=_text(data, "censor", at),
        visit=_text(data, "visit", at),
        visit_order=_text(data, "visit_order", at),
        at_risk_times=tuple(float(t) for t in times),
        x_label=_text(data, "x_label", at, "") or "",
        y_label=_text(data, "y_label", at, "") or "",
        test=_test(data.get("test"), at.child("test")),
        model=model,
        hazard_ratio=_hazard_ratio(data.get("hazard_ratio"), at.child("hazard_ratio")),
    )


def parse_spec(document: Any, *, source: str = "<spec>") -> OutputSpec:
    """Check a parsed YAML document and build its `OutputSpec`; `source` names it in error messages.

    Raises
    ------
    SpecError
        The first problem found, located as ``source: path.inside[3].key``.
    """
    at = _At(source)
    data = _mapping(document, at)
    top = ("id", "type", "titles", "population", "columns", "rows", "listing", "figure", "footnotes", "program")
    _known(data, (*top, "stub_header"), at)
    kind = _choice(data, "type", at, KINDS, "table")
    spec_id = _text(data, "id", at, required=True)
    titles = _texts(data, "titles", at)
    if not titles:
        raise at.child("titles").fail("at least one title line is required")
    if "population" not in data:
        raise at.child("population").fail("is required")
    if "columns" not in data:
        raise at.child("columns").fail("is required")
    rows: list[Block] = []
    if kind == "table":
        raw_rows = data.get("rows")
        if not isinstance(raw_rows, list) or not raw_rows:
            raise at.child("rows").fail("a table needs a non-empty list of row blocks")
        for i, item in enumerate(raw_rows):
            where = at.child("rows").child(i)
            block = _mapping(item, where)
            block_type = _choice(block, "type", where, tuple(_BLOCKS), None)
            rows.append(_BLOCKS[block_type](block, i, where))
    listing = _listing(data.get("listing"), at.child("listing")) if kind == "listing" else None
    figure = _figure(data.get("figure"), at.child("figure")) if kind == "figure" else None
    return OutputSpec(
        id=spec_id,
        kind=kind,
        titles=titles,
        population=_population(data["population"], at.child("population")),
        columns=_columns(data["columns"], at.child("columns")),
        rows=tuple(rows),
        listing=listing,
        figure=figure,
        footnotes=_texts(data, "footnotes", at),
        program=_text(data, "program", at, "") or "",
        source=source,
        stub_header=_text(data, "stub_header", at, "") or "",
    )


def load_spec(path: str | os.PathLike[str]) -> OutputSpec:
    """Read and check one YAML output specification; errors name the file and the path inside it."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(file.name, f"cannot read: {exc.strerror or exc}") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file.name}: line {mark.line + 1}" if mark is not None else file.name
        raise SpecError(where, f"not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    return parse_spec(document, source=file.name)
