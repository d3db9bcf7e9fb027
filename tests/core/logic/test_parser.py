"""Parsing: REDCap and Python-like spellings give the same tree; precedence; errors name a column."""

import pytest

from opencro.core.logic import (
    MAX_DEPTH,
    Binary,
    Call,
    Compare,
    ExpressionError,
    ListLit,
    Literal,
    Unary,
    Var,
    parse,
)


def v(name, event=None, code=None):
    return Var(event, name, code)


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        ("age", v("age")),
        ("[age]", v("age")),
        ("[IT.AGE]", v("IT.AGE")),
        ("[baseline_arm_1][weight]", v("weight", "baseline_arm_1")),
        ("[SE.BASELINE][IT.AGE]", v("IT.AGE", "SE.BASELINE")),
        ("[race(2)]", v("race", code="2")),
        ("[race(UNK-9)]", v("race", code="UNK-9")),
        ("[visit_1][race(a_1)]", v("race", "visit_1", "a_1")),
        ("42", Literal(42)),
        ("4.25", Literal(4.25)),
        (".5", Literal(0.5)),
    ],
)
def test_atoms(source, tree):
    assert parse(source) == tree


@pytest.mark.parametrize(
    ("source", "value"),
    [("'single'", "single"), ('"double"', "double"), ('"it\'s"', "it's"), ("''", ""), ("TRUE", True), ("False", False)],
)
def test_literals(source, value):
    tree = parse(source)
    assert isinstance(tree, Literal)
    assert tree.value == value
    assert type(tree.value) is type(value)


@pytest.mark.parametrize(
    ("redcap", "python"),
    [
        ("[age] >= 18 AND [consent] = '1'", "age >= 18 and consent == '1'"),
        ("[a] <> 1 OR [b] = 2", "a != 1 or b == 2"),
        ("[a] <> 1 || [b] = 2 && [c] = 3", "a != 1 or b == 2 and c == 3"),
        ("![a]", "not a"),
        ("([w])^(2)", "w ** 2"),
        ("IF([bmi] > 30, 1, 0)", "if(bmi > 30, 1, 0)"),
        ("[x] in (1, 2)", "x in [1, 2]"),
    ],
)
def test_redcap_and_python_spellings_agree(redcap, python):
    assert parse(redcap) == parse(python)


def test_precedence_loosest_to_tightest():
    # or < and < not < comparison < + - < * / % < unary - < ^
    assert parse("a or b and c") == Binary("or", v("a"), Binary("and", v("b"), v("c")))
    assert parse("not a and b") == Binary("and", Unary("not", v("a")), v("b"))
    assert parse("not a = b") == Unary("not", Compare(v("a"), ("=",), (v("b"),)))
    assert parse("a + b * c") == Binary("+", v("a"), Binary("*", v("b"), v("c")))
    assert parse("a - b - c") == Binary("-", Binary("-", v("a"), v("b")), v("c"))
    assert parse("-a * b") == Binary("*", Unary("-", v("a")), v("b"))
    assert parse("-2 ^ 2") == Unary("-", Binary("^", Literal(2), Literal(2)))
    assert parse("2 ^ 3 ^ 2") == Binary("^", Literal(2), Binary("^", Literal(3), Literal(2)))
    assert parse("2 ** -1") == Binary("^", Literal(2), Unary("-", Literal(1)))
    assert parse("a % 2 = 0") == Compare(Binary("%", v("a"), Literal(2)), ("=",), (Literal(0),))


def test_comparison_chains_and_not_in():
    assert parse("18 <= age <= 85") == Compare(Literal(18), ("<=", "<="), (v("age"), Literal(85)))
    assert parse("a NOT IN [1, 2]") == Compare(v("a"), ("not in",), (ListLit((Literal(1), Literal(2))),))
    assert parse("a in []") == Compare(v("a"), ("in",), (ListLit(()),))
    # A bracketed name is a field, even after `in`; a list of one field needs its own brackets.
    assert parse("'2' in [race]") == Compare(Literal("2"), ("in",), (v("race"),))
    assert parse("a in [[b]]") == Compare(v("a"), ("in",), (ListLit((v("b"),)),))


def test_function_names_are_case_insensitive_and_checked():
    assert parse("DateDiff([a], [b], 'd')") == Call("datediff", (v("a"), v("b"), Literal("d")))
    assert parse("today()") == Call("today", ())
    assert parse("sum([a], [b], [c])").args == (v("a"), v("b"), v("c"))


def test_columns_are_recorded():
    tree = parse("  [a] + b")
    assert tree.col == 7  # the operator
    assert tree.left.col == 3
    assert tree.right.col == 9


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("age >= ", "unexpected end of expression (expected a value)", 8),
        ("age >= 18 and", "unexpected end of expression (expected a value)", 14),
        ("1 +* 2", "unexpected '*' (expected a value)", 4),
        ("'abc", "unterminated string", 1),
        ("a # b", "unexpected character '#'", 3),
        ("age.real", "unexpected character '.'", 4),
        ("f(1)", "unknown function 'f'", 1),
        ("open('/etc/passwd')", "unknown function 'open'", 1),
        ("round(1, 2, 3)", "round() takes 1 to 2 arguments, got 3", 1),
        ("x + abs()", "abs() takes 1 argument, got 0", 5),
        ("today(1)", "today() takes 0 arguments, got 1", 1),
        ("sum()", "sum() takes at least 1 argument, got 0", 1),
        ("(1 + 2", "unexpected end of expression (expected ')')", 7),
        ("()", "unexpected ')' (empty parentheses)", 2),
        ("a b", "unexpected 'b' (expected an operator or the end)", 3),
        ("a[0]", "unexpected '[' (expected an operator or the end)", 2),
        ("[a] [b]", "unexpected '[b]' (expected an operator or the end)", 5),
        ("[ev(1)][a]", "an event name cannot have a choice code", 1),
        ("a = not b", "put 'not' and its operand in parentheses here", 5),
        ("x if y else z", "unexpected 'if' (expected an operator or the end)", 3),
        ("", "empty expression", 1),
        ("a not b", "unexpected 'not' (expected an operator or the end)", 3),
        ("[1, 2,]", "unexpected ']' (expected a value)", 7),
    ],
)
def test_errors_name_the_column(source, message, column):
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    assert caught.value.message == message
    assert caught.value.column == column
    assert str(caught.value) == f"{message} at column {column}"


def test_source_length_limit():
    assert parse("1" + " " * 1999) == Literal(1)  # exactly 2000 characters
    with pytest.raises(ExpressionError, match="longer than 2000 characters at column 2001"):
        parse("1" + " " * 2000)


def test_nesting_limit():
    assert parse("(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH) == Literal(1)
    with pytest.raises(ExpressionError, match="nested too deeply") as caught:
        parse("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1))
    assert caught.value.column == MAX_DEPTH + 2  # the "1" that would be level 65


def test_node_limit():
    parse(" + ".join(["1"] * 250))  # 250 literals + 249 operators = 499 nodes
    with pytest.raises(ExpressionError, match="too complex"):
        parse(" + ".join(["1"] * 251))


def test_number_limits():
    with pytest.raises(ExpressionError, match="number too large at column 3"):
        parse("1+" + "9" * 400)
    with pytest.raises(ExpressionError, match="number too large"):
        parse("9" * 400 + ".0")


def test_columns_count_over_lines():
    # REDCap logic is often written over several lines; the column is the offset in the whole text.
    with pytest.raises(ExpressionError, match=r"unexpected '\)' .* at column 13"):
        parse("[a] = 1\nand )")


def test_non_text_is_refused():
    with pytest.raises(ExpressionError, match="must be text"):
        parse(42)  # type: ignore[arg-type]
