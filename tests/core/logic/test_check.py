"""Static checks: the references an expression reads, and the problems found without data."""

from opencro.core.logic import Call, Literal, Var, check, parse, references

FIELDS = {"age", "weight", "race", "dob", "visit_date"}
EVENTS = {"baseline_arm_1", "week4_arm_1"}


def test_references_are_distinct_vars():
    refs = references("[baseline_arm_1][weight] - [week4_arm_1][weight] + [weight] + weight + [race(2)] + abs([age])")
    assert refs == {
        Var("baseline_arm_1", "weight"),
        Var("week4_arm_1", "weight"),
        Var(None, "weight"),
        Var(None, "race", "2"),
        Var(None, "age"),
    }


def test_references_of_a_tree_and_of_literals_only():
    assert references(parse("if(true, 1, 2)")) == set()
    assert references(parse("[a] in [[b], 'c']")) == {Var(None, "a"), Var(None, "b")}


def test_clean_expression_has_no_problems():
    source = "rounddown(datediff([dob], [visit_date], 'y')) >= 18 and [baseline_arm_1][weight] > 40 and [race(2)] = 1"
    assert check(source, fields=FIELDS, events=EVENTS) == []


def test_unknown_fields_and_events_with_columns():
    source = "[agee] > 1 or [week8_arm_1][weight] > 2 or [week4_arm_1][wieght] > 3"
    assert check(source, fields=FIELDS, events=EVENTS) == [
        "unknown field 'agee' at column 1",
        "unknown event 'week8_arm_1' at column 15",
        "unknown field 'wieght' at column 57",  # 44 + len("[week4_arm_1]")
    ]


def test_events_none_does_not_check_event_names():
    assert check("[anything][age] > 1", fields=FIELDS, events=None) == []
    assert check("[anything][agee] > 1", fields=FIELDS, events=None) == ["unknown field 'agee' at column 11"]


def test_datediff_literal_units_and_format():
    assert check("datediff([dob], [visit_date], 'w')", fields=FIELDS, events=None) == [
        "datediff() units must be one of y, M, d, h, m, s, not 'w' at column 31"
    ]
    assert check("datediff([dob], [visit_date], 'd', 'ydm', true)", fields=FIELDS, events=None) == [
        "datediff() date format must be ymd, mdy or dmy, not 'ydm' at column 36"
    ]
    assert check("datediff([dob], [visit_date], 'M', 'mdy', true)", fields=FIELDS, events=None) == []


def test_hand_built_trees_are_checked_for_functions_and_arity():
    assert check(Call("eval", (Literal("1"),), col=3), fields=FIELDS, events=None) == [
        "unknown function 'eval' at column 3"
    ]
    assert check(Call("abs", ()), fields=FIELDS, events=None) == ["abs() takes 1 argument, got 0"]
