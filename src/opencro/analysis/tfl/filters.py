"""Selecting records with a filter written in OpenCRO's safe expression language (`opencro.core.logic`).

The expression is parsed once and evaluated by walking its tree, never with eval. It is evaluated once per
distinct combination of the variables it reads, not once per record, so a filter on a large dataset costs as
much as its distinct values.
"""

import pandas as pd

from opencro.analysis.tfl.errors import SpecError
from opencro.core.logic import ExpressionError, evaluate, parse, references
from opencro.core.logic.values import truthy


def _plain(value: object) -> object:
    if isinstance(value, float) and value != value:  # NaN: blank
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()  # numpy scalar
    return value


def filter_mask(frame: pd.DataFrame, expression: str | None, *, where: str, dataset: str) -> pd.Series:
    """A boolean mask of the records for which `expression` is true (blank counts as false).

    Raises
    ------
    SpecError
        The expression reads a variable `dataset` does not have, or cannot be evaluated; located at `where`.
    """
    if not expression:
        return pd.Series(True, index=frame.index)
    try:
        tree = parse(expression)
    except ExpressionError as exc:
        raise SpecError(where, f"not a valid expression: {exc}") from None
    names = sorted({var.name for var in references(tree)})
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise SpecError(where, f"{', '.join(missing)} not in {dataset}")
    if not names:
        try:
            return pd.Series(truthy(evaluate(tree, {})), index=frame.index)
        except ExpressionError as exc:
            raise SpecError(where, str(exc)) from None
    keys = frame[names].astype(object).where(frame[names].notna(), None)
    distinct = keys.drop_duplicates()
    results = []
    for row in distinct.itertuples(index=False, name=None):
        env = {name: _plain(value) for name, value in zip(names, row, strict=True)}
        try:
            results.append(truthy(evaluate(tree, env)))
        except ExpressionError as exc:
            raise SpecError(where, f"{exc} (record with {env})") from None
    lookup = distinct.assign(_keep=results)
    merged = keys.merge(lookup, on=names, how="left")
    return pd.Series(merged["_keep"].to_numpy(dtype=bool), index=frame.index)


def apply_filter(frame: pd.DataFrame, expression: str | None, *, where: str, dataset: str) -> pd.DataFrame:
    """The records of `frame` for which `expression` is true."""
    if not expression:
        return frame
    return frame[filter_mask(frame, expression, where=where, dataset=dataset)]
