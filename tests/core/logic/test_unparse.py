"""Canonical text: bracketed variables, lower-case keywords; parse(unparse(tree)) == tree."""

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from opencro.core.logic import (
    Binary,
    Call,
    Compare,
    ExpressionError,
    ListLit,
    Literal,
    Unary,
    Var,
    parse,
    unparse,
    walk,
)


@pytest.mark.parametrize(
    ("source", "canonical"),
    [
        ('AGE>=18 AND Sex=="F"', "[AGE] >= 18 and [Sex] = 'F'"),
        ("a != 1 || !b && c", "[a] <> 1 or not [b] and [c]"),
        ("w ** 2", "[w] ^ 2"),
        ("(a + b) * c", "([a] + [b]) * [c]"),
        ("a + (b * c)", "[a] + [b] * [c]"),
        ("a - (b - c)", "[a] - ([b] - [c])"),
        ("(a - b) - c", "[a] - [b] - [c]"),
        ("(2 ^ 3) ^ 2", "(2 ^ 3) ^ 2"),
        ("2 ^ (3 ^ 2)", "2 ^ 3 ^ 2"),
        ("(-2) ^ 2", "(-2) ^ 2"),
        ("-(2 ^ 2)", "-2 ^ 2"),
        ("not (a or b)", "not ([a] or [b])"),
        ("(a < b) < c", "([a] < [b]) < [c]"),
        ("x in (1, 2.5, 'a')", "[x] in [1, 2.5, 'a']"),
        ("x in [[y]]", "[x] in [[y]]"),
        ("x in [abs(1)]", "[x] in [abs(1)]"),
        ("x in (abs(1),)", "[x] in [ abs(1) ]"),
        ("x in (true,)", "[x] in [ true ]"),
        ("DateDiff([SE.V1][IT.DOB], 'today', 'y')", "datediff([SE.V1][IT.DOB], 'today', 'y')"),
        ("[race(2)] = '1'", "[race(2)] = '1'"),
        ('"it\'s"', '"it\'s"'),
        ("0.00001", "0.00001"),
    ],
)
def test_canonical_text(source, canonical):
    tree = parse(source)
    assert unparse(tree) == canonical
    assert parse(canonical) == tree


def test_quotes_have_no_escapes():
    # REDCap has no escape sequences: a doubled quote is two strings side by side, an error.
    with pytest.raises(ExpressionError, match=r"unexpected \"'s'\" .* at column 5"):
        parse("'it''s'")


def test_unrepresentable_literal():
    with pytest.raises(ExpressionError, match="cannot contain both"):
        unparse(Literal('it\'s "x"'))


def test_hand_built_negative_literal_keeps_its_meaning():
    assert unparse(Binary("^", Literal(-2), Literal(2))) == "(-2) ^ 2"
    assert unparse(Binary("-", Literal(1), Literal(-2.5))) == "1 - -2.5"


# -- round trip over generated trees ----------------------------------------------------------

_name = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.]{0,8}", fullmatch=True)
_code = st.from_regex(r"[A-Za-z0-9_\-]{1,4}", fullmatch=True)
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12).filter(
    lambda s: not ("'" in s and '"' in s)
)
_leaves = st.one_of(
    st.integers(0, 10**30).map(Literal),
    st.floats(0, 1e12, allow_nan=False, allow_infinity=False).map(Literal),
    _text.map(Literal),
    st.booleans().map(Literal),
    st.builds(Var, st.none() | _name, _name, st.none() | _code),
)
_FIXED_ARITY = {"abs": 1, "round": 2, "if": 3, "today": 0, "mid": 3, "concat": 2, "datediff": 3}


def _extend(children):
    return st.one_of(
        st.builds(Unary, st.sampled_from(["-", "+", "not"]), children),
        st.builds(Binary, st.sampled_from(["+", "-", "*", "/", "%", "^", "and", "or"]), children, children),
        st.integers(1, 3).flatmap(
            lambda n: st.builds(
                Compare,
                children,
                st.lists(
                    st.sampled_from(["=", "<>", "<", "<=", ">", ">=", "in", "not in"]), min_size=n, max_size=n
                ).map(tuple),
                st.lists(children, min_size=n, max_size=n).map(tuple),
            )
        ),
        st.sampled_from(sorted(_FIXED_ARITY)).flatmap(
            lambda name: st.builds(
                Call,
                st.just(name),
                st.lists(children, min_size=_FIXED_ARITY[name], max_size=_FIXED_ARITY[name]).map(tuple),
            )
        ),
        st.builds(ListLit, st.lists(children, max_size=3).map(tuple)),
    )


trees = st.recursive(_leaves, _extend, max_leaves=20)


def _height(node) -> int:
    return 1 + max((_height(child) for child in _direct_children(node)), default=0)


def _direct_children(node):
    if isinstance(node, Unary):
        return [node.operand]
    if isinstance(node, Binary):
        return [node.left, node.right]
    if isinstance(node, Compare):
        return [node.left, *node.comparators]
    if isinstance(node, Call):
        return list(node.args)
    if isinstance(node, ListLit):
        return list(node.items)
    return []


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_round_trip(tree):
    assume(_height(tree) <= 20 and len(walk(tree)) <= 400)
    text = unparse(tree)
    again = parse(text)
    assert again == tree
    assert unparse(again) == text  # a fixpoint: also tells True from 1 and 2.0 from 2
