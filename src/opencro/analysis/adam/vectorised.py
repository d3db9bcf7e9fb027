"""Evaluate a parsed `opencro.core.logic` expression over a whole DataFrame at once.

The per-row interpreter (`opencro.core.logic.evaluate`) costs tens of microseconds a row, too slow
for a questionnaire domain of 100,000 records. This module walks the same tree once and builds
pandas operations with the language's semantics (see `opencro.core.logic.values`):

- blank is NaN/NaT/None or text that is empty after stripping; `=` is true for two blanks and false
  for one; `<>` is `not =`; ordering with a blank is false;
- numbers and numeric text compare as numbers, dates and ISO date text as dates, other text as text;
- arithmetic with a blank or non-numeric operand is blank; division by zero is blank;
- and/or/not use the language's truth (blank, 0, "0" and "false" are false).

Functions without a vectorised form here (and anything unusual) fall back to the row interpreter
for that sub-tree only, so results always agree with `evaluate`. Nothing is handed to eval.
"""

import re
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from opencro.core.logic import (
    Binary,
    Call,
    Compare,
    ExpressionError,
    ListLit,
    Literal,
    Node,
    Unary,
    Var,
    evaluate,
    walk,
)
from opencro.core.logic.values import to_number


def evaluate_frame(tree: Node, frame: pd.DataFrame) -> pd.Series:
    """The value of `tree` for every row of `frame`, as a Series aligned on frame's index."""
    return _Compiler(frame).value(tree)


def truth(values: pd.Series) -> pd.Series:
    """The language's truth of each value, as a boolean Series (blank is false)."""
    if pd.api.types.is_bool_dtype(values):
        return values.fillna(False).astype(bool)
    if pd.api.types.is_numeric_dtype(values):
        return values.notna() & (values != 0)
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.notna()
    text = values.map(_text_or_none)
    number = pd.to_numeric(text, errors="coerce")
    lowered = text.str.strip().str.lower()
    result = text.notna() & (lowered != "")
    result &= ~(number.notna() & (number == 0))
    result &= lowered != "false"
    bools = values.map(lambda v: isinstance(v, (bool, np.bool_)))
    if bools.any():
        result[bools] = values[bools].astype(bool)
    return result.astype(bool)


def blank(values: pd.Series) -> pd.Series:
    """True where a value is blank: NaN, NaT, None or whitespace-only text."""
    missing = values.isna()
    if isinstance(values.dtype, pd.StringDtype):
        return (missing | values.str.strip().eq("").fillna(False)).astype(bool)
    if values.dtype == object:
        texts = values.map(lambda v: isinstance(v, str))
        if texts.any():
            missing = missing | (texts & values.map(lambda v: isinstance(v, str) and not v.strip()))
    return missing.astype(bool)


def _text_or_none(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def numbers(values: pd.Series) -> pd.Series:
    """Numeric view (NaN where not a number), as values.to_number does."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.Series(np.nan, index=values.index)
    if isinstance(values.dtype, pd.StringDtype):
        return pd.to_numeric(values.str.strip(), errors="coerce").astype(float)
    return pd.to_numeric(values.map(lambda v: v.strip() if isinstance(v, str) else v), errors="coerce").astype(float)


def _dates(values: pd.Series) -> pd.Series:
    """Date view (NaT where not a date or ISO date text)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    if pd.api.types.is_numeric_dtype(values):
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    text = values.map(lambda v: v.strip() if isinstance(v, str) else None)
    iso = text.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?").fillna(False)
    out = pd.to_datetime(text.where(iso), errors="coerce", format="ISO8601")
    objects = values.map(lambda v: isinstance(v, date))
    if objects.any():  # date/datetime objects in an object column (as read from SAS files)
        out = out.astype("datetime64[ns]")
        out[objects] = pd.to_datetime(values[objects].map(pd.Timestamp)).to_numpy()
    return out


def _texts(values: pd.Series) -> pd.Series:
    return values.map(lambda v: v if isinstance(v, str) else None)


def _equal(left: pd.Series, right: pd.Series) -> pd.Series:
    lb, rb = blank(left), blank(right)
    result = pd.Series(False, index=left.index)
    ln, rn = numbers(left), numbers(right)
    both_num = ln.notna() & rn.notna()
    result[both_num] = (ln[both_num] == rn[both_num]).to_numpy()
    rest = ~both_num & ~lb & ~rb
    if rest.any():
        ld, rd = _dates(left[rest]), _dates(right[rest])
        both_date = ld.notna() & rd.notna()
        result.loc[both_date[both_date].index] = (ld[both_date] == rd[both_date]).to_numpy()
        other = both_date[~both_date].index
        if len(other):
            lt, rt = _texts(left[other]), _texts(right[other])
            result.loc[other] = (lt.notna() & rt.notna() & (lt == rt)).to_numpy()
    return result | (lb & rb)


def _order(op: str, left: pd.Series, right: pd.Series) -> pd.Series:
    compare: Callable[[pd.Series, pd.Series], pd.Series] = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }[op]
    result = pd.Series(False, index=left.index)
    ln, rn = numbers(left), numbers(right)
    both_num = ln.notna() & rn.notna()
    result[both_num] = compare(ln[both_num], rn[both_num]).to_numpy()
    rest = ~both_num & ~blank(left) & ~blank(right)
    if rest.any():
        ld, rd = _dates(left[rest]), _dates(right[rest])
        both_date = ld.notna() & rd.notna()
        result.loc[both_date[both_date].index] = compare(ld[both_date], rd[both_date]).to_numpy()
        other = both_date[~both_date].index
        if len(other):
            lt, rt = _texts(left[other]), _texts(right[other])
            ok = lt.notna() & rt.notna()
            result.loc[ok[ok].index] = compare(lt[ok], rt[ok]).to_numpy()
    return result


class _Compiler:
    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.index = frame.index

    def constant(self, value: object) -> pd.Series:
        return pd.Series(value, index=self.index, dtype=object if isinstance(value, str) else None)

    def value(self, node: Node) -> pd.Series:
        if isinstance(node, Literal):
            return self.constant(node.value)
        if isinstance(node, Var) and node.event is None and node.code is None:
            if node.name not in self.frame.columns:
                raise ExpressionError(f"unknown variable '{node.name}'", node.col)
            return self.frame[node.name]
        if isinstance(node, Unary):
            operand = self.value(node.operand)
            if node.op == "not":
                return ~truth(operand)
            if node.op == "-":
                return -numbers(operand)
            if node.op == "+":
                return numbers(operand)
        if isinstance(node, Binary):
            if node.op in ("and", "or"):
                left, right = truth(self.value(node.left)), truth(self.value(node.right))
                return (left & right) if node.op == "and" else (left | right)
            if node.op in ("+", "-", "*", "/"):
                left, right = numbers(self.value(node.left)), numbers(self.value(node.right))
                if node.op == "+":
                    return left + right
                if node.op == "-":
                    return left - right
                if node.op == "*":
                    return left * right
                return (left / right.where(right != 0)).astype(float)
        if isinstance(node, Compare) and all(op not in ("in", "not in") or _is_list(c) for op, c in _pairs(node)):
            return self.compare(node)
        if isinstance(node, Call) and node.name in _CALLS:
            return _CALLS[node.name](self, node.args)
        return self.rowwise(node)

    def compare(self, node: Compare) -> pd.Series:
        result = pd.Series(True, index=self.index)
        current_node, current = node.left, self.value(node.left)
        for op, operand in zip(node.ops, node.comparators, strict=True):
            if op in ("in", "not in"):
                assert isinstance(operand, ListLit)
                hit = pd.Series(False, index=self.index)
                for item in operand.items:
                    hit |= _equal(current, self.value(item))
                result &= hit if op == "in" else ~hit
                continue
            other = self.value(operand)
            quick = _quick_compare(op, current, current_node, other, operand)
            if quick is not None:
                result &= quick
            elif op == "=":
                result &= _equal(current, other)
            elif op == "<>":
                result &= ~_equal(current, other)
            else:
                result &= _order(op, current, other)
            current_node, current = operand, other
        return result

    def rowwise(self, node: Node) -> pd.Series:
        """The row interpreter, for a sub-tree this module has no vectorised form for."""
        names = sorted({v.name for v in _vars(node)})
        missing = [name for name in names if name not in self.frame.columns]
        if missing:
            raise ExpressionError(f"unknown variable '{missing[0]}'")
        records = self.frame[names].astype(object).where(self.frame[names].notna(), None).to_dict("records")
        return pd.Series([evaluate(node, record) for record in records], index=self.index, dtype=object)


_ISO_LIKE = re.compile(r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _plain_text(value: object) -> bool:
    """Text that is neither blank, a number nor a date: it can only equal the same text."""
    return isinstance(value, str) and bool(value.strip()) and to_number(value) is None and not _ISO_LIKE.match(value)


def _quick_compare(op: str, left: pd.Series, left_node: Node, right: pd.Series, right_node: Node) -> pd.Series | None:
    """A comparison that needs no coercion, or None for the general path; the result is the same either way.

    Text against a literal that is plain text (not blank, a number or a date) is equal only to that
    text; two numeric columns (or a column and a number) compare as numbers, blank being unordered.
    """
    if op in ("=", "<>"):
        for column, literal in ((left, right_node), (right, left_node)):
            if isinstance(literal, Literal) and _plain_text(literal.value) and _textual(column):
                equal = (column == literal.value).fillna(False).astype(bool)
                return equal if op == "=" else ~equal
    if op in _ORDERING and _plain_numeric(left) and _plain_numeric(right):
        outcome = _ORDERING[op](left, right).fillna(False).astype(bool)
        return outcome | (left.isna() & right.isna()) if op == "=" else outcome
    return None


def _textual(values: pd.Series) -> bool:
    return values.dtype == object or isinstance(values.dtype, pd.StringDtype)


def _plain_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


_ORDERING: dict[str, Callable[[pd.Series, pd.Series], pd.Series]] = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _pairs(node: Compare) -> list[tuple[str, Node]]:
    return list(zip(node.ops, node.comparators, strict=True))


def _is_list(node: Node) -> bool:
    return isinstance(node, ListLit)


def _vars(node: Node) -> list[Var]:
    return [n for n in walk(node) if isinstance(n, Var)]


def _if(compiler: _Compiler, args: tuple[Node, ...]) -> pd.Series:
    condition = truth(compiler.value(args[0]))
    yes, no = compiler.value(args[1]), compiler.value(args[2])
    if pd.api.types.is_numeric_dtype(yes) and pd.api.types.is_numeric_dtype(no):
        return yes.where(condition, no).astype(float)
    if pd.api.types.is_datetime64_any_dtype(yes) and pd.api.types.is_datetime64_any_dtype(no):
        return yes.where(condition, no)
    return yes.astype(object).where(condition, no.astype(object))


def _isblank(compiler: _Compiler, args: tuple[Node, ...]) -> pd.Series:
    return blank(compiler.value(args[0]))


def _text_function(func: Callable[[pd.Series], pd.Series]) -> Callable[[_Compiler, tuple[Node, ...]], pd.Series]:
    def apply(compiler: _Compiler, args: tuple[Node, ...]) -> pd.Series:
        values = compiler.value(args[0])
        text = values.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
        return func(text)

    return apply


def _text_test(name: str, test: Callable[[pd.Series, str], pd.Series], negate: bool = False):
    def apply(compiler: _Compiler, args: tuple[Node, ...]) -> pd.Series:
        if not isinstance(args[1], Literal):
            return compiler.rowwise(Call(name, args))
        values = compiler.value(args[0])
        if isinstance(values.dtype, pd.StringDtype):
            text = values.fillna("").str.casefold()
        else:
            text = values.map(lambda v: v if isinstance(v, str) else _text_or_none(v) or "").str.casefold()
        hit = test(text, str(args[1].value).casefold())
        return ~hit if negate else hit

    return apply


def _round(compiler: _Compiler, args: tuple[Node, ...]) -> pd.Series:
    if len(args) == 2 and not isinstance(args[1], Literal):
        return compiler.rowwise(Call("round", args))
    places = int(args[1].value) if len(args) == 2 else 0  # type: ignore[union-attr, arg-type]
    return round_half_up(numbers(compiler.value(args[0])), places)


def round_half_up(values: pd.Series, places: int) -> pd.Series:
    """Round half away from zero on the decimal representation, as SAS's round() and the language's round()."""
    quantum = Decimal(1).scaleb(-places)

    def one(value: float) -> float:
        if np.isnan(value):
            return np.nan
        return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))

    return values.astype(float).map(one).astype(float)


_CALLS: dict[str, Callable[[_Compiler, tuple[Node, ...]], pd.Series]] = {
    "if": _if,
    "abs": lambda compiler, args: numbers(compiler.value(args[0])).abs(),
    "isblank": _isblank,
    "upper": _text_function(lambda s: s.str.upper()),
    "lower": _text_function(lambda s: s.str.lower()),
    "trim": _text_function(lambda s: s.str.strip()),
    "contains": _text_test("contains", lambda s, t: s.str.contains(t, regex=False)),
    "not_contain": _text_test("not_contain", lambda s, t: s.str.contains(t, regex=False), negate=True),
    "starts_with": _text_test("starts_with", lambda s, t: s.str.startswith(t)),
    "ends_with": _text_test("ends_with", lambda s, t: s.str.endswith(t)),
    "round": _round,
}
