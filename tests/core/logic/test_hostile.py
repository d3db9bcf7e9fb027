"""Hostile input: anything that is not the grammar is an ExpressionError, never another exception."""

import contextlib
import sys
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opencro.core.logic import MAX_DEPTH, ExpressionError, Literal, Unary, evaluate, parse, unparse

from .test_unparse import trees

TODAY = date(2024, 6, 15)


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os')",
        "__import__('os').system('true')",
        "().__class__.__bases__",
        "a.b(1)",
        "[a].b",
        "lambda: 1",
        "lambda x: x",
        "[x for x in range(3)]",
        "a[0]",
        "a['k']",
        "f(x=1)",
        "{'a': 1}",
        "eval('1')",
        "exec('1')",
        "compile('1', '', 'eval')",
        "getattr(a, 'b')",
        "x if y else z",
        "a; b",
        "a = 1 = ",
        "`ls`",
        "$x",
        "a := 1",
        "1 +",
        "'unterminated",
        "(" * 200 + "1" + ")" * 200,
        "-" * 100 + "1",
        "not " * 100 + "a",
        "2^" * 100 + "2",
        "abs(" * 100 + "1" + ")" * 100,
        "[" * 100 + "]" * 100,
        "1+" * 600 + "1",
        "x" * 2001,
        "'" + "a" * 2100 + "'",
    ],
)
def test_refused_at_parse(source):
    with pytest.raises(ExpressionError):
        parse(source)


@pytest.mark.parametrize(
    "source",
    [
        "10^10^10",
        "10 ** 100000",
        "9 ^ 99 ^ 2",
        "exp(10000)",
        "(10.0^100)^4",
        "concat([s], [s])",
        "upper(concat([s], [s]))",
        "round(1, 1000)",
    ],
)
def test_refused_at_evaluation(source):
    with pytest.raises(ExpressionError) as caught:
        evaluate(source, {"s": "x" * 9000})
    assert caught.value.column is not None


def test_hand_built_deep_tree_gives_expression_error():
    tree = Literal(1)
    for _ in range(5000):
        tree = Unary("-", tree)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        evaluate(tree, {})
    with pytest.raises(ExpressionError, match="nested too deeply"):
        unparse(tree)


def test_depth_limit_is_well_under_the_recursion_limit():
    source = "(" * (MAX_DEPTH - 1) + "-" + "1" + ")" * (MAX_DEPTH - 1)  # the minus is level 64
    assert evaluate(source, {}) == -1
    # The longest legal chain evaluates too (one frame per level).
    chain = " + ".join(["1"] * 250)
    assert evaluate(chain, {}) == 250
    assert sys.getrecursionlimit() >= 1000


# -- fuzzing ------------------------------------------------------------------------------------

_TOKENS = [
    "[a]", "[b]", "[e][a]", "[c(1)]", "[c(x)]", "a", "b", "if", "(", ")", "[", "]", ",", "+", "-", "*", "/",
    "%", "^", "**", "=", "==", "<>", "!=", "<", "<=", ">", ">=", "and", "or", "not", "!", "&&", "||", "in",
    "true", "FALSE", "0", "1", "2.5", "100", "101", "'x'", '""', "'2024-01-01'", "'today'", "'y'", "'M'",
    "'d'", "datediff", "sum", "round", "concat", "mid", "left", "log", "sqrt", "exp", "stdev", "median",
    "today", "isblank", "find", ".", "__import__", "lambda", ":", "{", "}",
]  # fmt: skip

_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**400), 10**400),
    st.floats(),
    st.decimals(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["", "1", "-0", "2024-02-29", "2024-02-30", "2024-01-01 10:00", "1,2", "1e308", "nan", "inf"]),
    st.dates().map(lambda d: d),
    st.datetimes(timezones=st.none() | st.timezones()),
    st.lists(st.sampled_from(["1", "2", 3]), max_size=3),
    st.dictionaries(st.sampled_from(["1", "2"]), st.booleans(), max_size=2),
)


class _AnyRecord:
    """Answers every lookup with a value drawn by hypothesis."""

    def __init__(self, draw):
        self.draw = draw

    def lookup(self, event, name):
        return self.draw(_values)


def _run(source: str, draw) -> None:
    try:
        tree = parse(source)
    except ExpressionError:
        return
    assert parse(unparse(tree)) == tree
    try:
        result = evaluate(tree, _AnyRecord(draw), today=TODAY)
    except ExpressionError:
        return
    # A bare variable hands back whatever the record holds (a dict for a checkbox, say).
    assert result is None or isinstance(result, bool | int | float | str | date | datetime | list | dict | Decimal)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200), st.data())
def test_random_text(source, data):
    _run(source, data.draw)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_TOKENS), max_size=40), st.booleans(), st.data())
def test_random_token_sequences(tokens, spaced, data):
    _run((" " if spaced else "").join(tokens), data.draw)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(trees, st.data())
def test_random_trees_evaluate_or_raise_expression_error(tree, data):
    # Generated trees reach every operator and many functions with arbitrary field values.
    with contextlib.suppress(ExpressionError):
        evaluate(tree, _AnyRecord(data.draw), today=TODAY)
