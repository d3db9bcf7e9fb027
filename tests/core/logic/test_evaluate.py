"""Evaluation: REDCap documentation examples, blank semantics, coercion, checkboxes, environments."""

from datetime import date, datetime

import pytest

from opencro.core.logic import ExpressionError, evaluate, parse


@pytest.mark.parametrize(
    ("source", "env", "expected"),
    [
        # REDCap Help & FAQ, "Branching Logic": values arrive as text.
        ("[age] >= 18 and [consent] = '1'", {"age": "42", "consent": "1"}, True),
        ("[age] >= 18 and [consent] = '1'", {"age": "17", "consent": "1"}, False),
        ("[age] >= 18 AND [consent] = '1'", {"age": 18, "consent": 1}, True),
        ("[sex] = '0' and [given_birth] = '1'", {"sex": "0", "given_birth": "1"}, True),
        ('[sex] = "1" or [age] > 65', {"sex": "0", "age": "66"}, True),
        ("[weight] > 100 or [height] < 150", {"weight": "80", "height": "160"}, False),
        # "Calculated Fields": BMI = 95 kg / 1.70 m^2 = 95 / 2.89 = 32.87...; if(bmi > 30, 1, 0) = 1
        ("[weight]*10000/([height]*[height])", {"weight": "95", "height": "170"}, 95 * 10000 / (170 * 170)),
        ("if([bmi] > 30, 1, 0)", {"bmi": "32.9"}, 1),
        ("if([bmi] > 30, 1, 0)", {"bmi": "29.9"}, 0),
        ("([weight]+43)^(2)", {"weight": "7"}, 2500),
        ("(4)^(3)", {}, 64),
        # Longitudinal: 82.5 - 79.0 = 3.5 kg lost between baseline and week 4.
        (
            "[baseline_arm_1][weight] - [week4_arm_1][weight]",
            {("baseline_arm_1", "weight"): "82.5", ("week4_arm_1", "weight"): "79.0"},
            3.5,
        ),
        ("[race(2)] = '1'", {"race": ["1", "2"]}, True),
        ("[race(2)] = '1'", {"race": ["1", "3"]}, False),
        ("[race(2)] = '0'", {"race": None}, True),
        # sum ignores blanks: 3 + 4 = 7 with [b] blank; "+" makes the whole result blank.
        ("sum([a],[b],[c])", {"a": "3", "b": "", "c": "4"}, 7),
        ("[a] + [b] + [c]", {"a": "3", "b": "", "c": "4"}, None),
    ],
)
def test_redcap_examples(source, env, expected):
    result = evaluate(source, env)
    assert result == expected
    assert type(result) is type(expected)


class TestBlankSemantics:
    @pytest.mark.parametrize("blank", [None, "", "   "])
    def test_blank_equals_empty_text(self, blank):
        assert evaluate("[x] = ''", {"x": blank}) is True
        assert evaluate('[x] == ""', {"x": blank}) is True
        assert evaluate("[x] <> ''", {"x": blank}) is False
        assert evaluate("isblank([x])", {"x": blank}) is True

    def test_non_blank(self):
        assert evaluate("[x] = ''", {"x": "0"}) is False
        assert evaluate("[x] <> ''", {"x": "0"}) is True
        assert evaluate("[x] <> ''", {"x": 0}) is True

    @pytest.mark.parametrize("op", ["=", "<", "<=", ">", ">="])
    def test_other_comparisons_with_a_blank_are_false(self, op):
        assert evaluate(f"[x] {op} 5", {"x": None}) is False
        assert evaluate(f"5 {op} [x]", {"x": ""}) is False
        assert evaluate(f"[x] {op} '2024-01-01'", {"x": None}) is False

    def test_not_equal_is_the_negation_of_equal(self):
        # As in REDCap, a blank field `<>` a value is true (the skip-logic gotcha REDCap documents).
        assert evaluate("[x] <> 5", {"x": None}) is True
        assert evaluate("[x] != 5", {"x": "5"}) is False

    def test_arithmetic_with_a_blank_is_blank(self):
        for op in "+-*/%^":
            assert evaluate(f"[x] {op} 2", {"x": None}) is None
            assert evaluate(f"2 {op} [x]", {"x": ""}) is None
        assert evaluate("-[x]", {"x": None}) is None
        assert evaluate("+[x]", {"x": ""}) is None

    def test_logic_treats_blank_as_false(self):
        env = {"x": None}
        assert evaluate("if([x], 'yes', 'no')", env) == "no"
        assert evaluate("[x] and true", env) is False
        assert evaluate("[x] or false", env) is False
        assert evaluate("not [x]", env) is True
        assert evaluate("![x]", env) is True

    def test_blank_propagates_through_a_calculation(self):
        assert evaluate("round([w] / ([h] / 100) ^ 2, 1)", {"w": "", "h": "170"}) is None


class TestCoercion:
    @pytest.mark.parametrize(
        ("source", "expected"),
        [
            ("'5' = 5", True),
            ("'05' = 5", True),
            ("'5.0' = 5", True),
            ("' 7 ' > 6", True),
            ("'10' > '9'", True),  # numeric text compares as numbers, not alphabetically
            ("'abc' < 5", False),
            ("'abc' > 5", False),
            ("'abc' = 5", False),
            ("'abc' < 'abd'", True),
            ("'F' = 'f'", False),
            ("true = 1", True),
            ("false = '0'", True),
            ("[d] = true", True),
            ("1 < 2 < 3", True),
            ("1 < 3 < 2", False),
            ("3 > 2 > 1 = 1", True),
        ],
    )
    def test_numbers_and_text(self, source, expected):
        assert evaluate(source, {"d": "TRUE"}) is expected

    def test_dates_compare_as_dates(self):
        env = {"visit": "2024-03-01", "dob": date(1980, 3, 15), "stamp": "2024-03-01 09:30"}
        assert evaluate("[visit] > [dob]", env) is True
        assert evaluate("[visit] = '2024-03-01'", env) is True
        assert evaluate("[dob] = '1980-03-15'", env) is True
        assert evaluate("[dob] < '1980-03-16'", env) is True
        assert evaluate("[stamp] > [visit]", env) is True  # a date is midnight beside a datetime
        assert evaluate("[visit] <= today()", env, today=date(2024, 3, 1)) is True
        assert evaluate("[visit] < today()", env, today=date(2024, 3, 1)) is False
        assert evaluate("[dob] < 5", env) is False  # a date and a number: not comparable, not an error
        assert evaluate("[visit] > '2024-02-30'", env) is True  # not a date: compared as text, '3' > '2'
        assert evaluate("[visit] = '2024-02-30'", env) is False

    def test_division_and_modulo_by_zero_are_blank(self):
        assert evaluate("1 / 0", {}) is None
        assert evaluate("[a] / [b]", {"a": "1", "b": "0"}) is None
        assert evaluate("7 % 0", {}) is None
        assert evaluate("0 ^ -1", {}) is None

    def test_arithmetic_values(self):
        assert evaluate("7 % 3", {}) == 1
        assert evaluate("-7 % 3", {}) == -1  # truncated, as REDCap's JavaScript
        assert evaluate("7.5 % 2", {}) == 1.5
        assert evaluate("2 ^ -1", {}) == 0.5
        assert evaluate("(-8) ^ (1/3)", {}) is None  # no real value: blank
        assert evaluate("'3' * '4'", {}) == 12
        assert evaluate("'abc' + 1", {}) is None
        assert evaluate("-x + 2", {"x": 5}) == -3
        assert evaluate("+'4'", {}) == 4
        assert evaluate("true + true", {}) == 2

    def test_exponent_and_size_limits(self):
        with pytest.raises(ExpressionError, match=r"exponent too large \(the limit is 100\) at column 3"):
            evaluate("10^101", {})
        with pytest.raises(ExpressionError, match=r"exponent too large \(the limit is 100\) at column 3"):
            evaluate("10^10^10", {})  # right-associative: 10^(10^10), and 10^10 is far over 100
        assert evaluate("2^100", {}) == 2**100
        with pytest.raises(ExpressionError, match="number out of range at column 9"):
            evaluate("(10^100)^10 * 1", {})  # 10^1000 has more than 1024 bits: the second ^ fails
        with pytest.raises(ExpressionError, match="number out of range"):
            evaluate("1.5 ^ 100 * 10.0 ^ 100 * 10.0 ^ 100 * 10.0 ^ 100", {})  # 4e17 * 1e300 overflows a float


class TestCheckboxes:
    @pytest.mark.parametrize(
        "value", [["1", "3"], ("1", "3"), {"1", "3"}, [1, 3], "1,3", " 1 , 3 ", {"1": True, "2": False, "3": "1"}]
    )
    def test_choice_is_one_or_zero(self, value):
        env = {"race": value}
        assert evaluate("[race(1)]", env) == 1
        assert evaluate("[race(2)]", env) == 0
        assert evaluate("[race(3)] = '1'", env) is True
        assert evaluate("[race(1)] + [race(2)] + [race(3)]", env) == 2
        assert evaluate("'3' in [race]", env) is True
        assert evaluate("2 in [race]", env) is False
        assert evaluate("2 not in [race]", env) is True

    def test_unchecked_and_blank(self):
        assert evaluate("[race(1)]", {"race": []}) == 0
        assert evaluate("[race(1)]", {"race": ""}) == 0
        assert evaluate("'1' in [race]", {"race": None}) is False

    def test_event_qualified_choice(self):
        env = {("screening", "race"): ["2"]}
        assert evaluate("[screening][race(2)]", env) == 1

    def test_in_with_literal_lists(self):
        assert evaluate("nyha in [2, 3, 4]", {"nyha": "3"}) is True
        assert evaluate("nyha in ('2', '3')", {"nyha": 4}) is False
        assert evaluate("nyha not in (2, 3)", {"nyha": 4}) is True
        assert evaluate("[x] in ['', 'NA']", {"x": None}) is True


class TestEnvironment:
    def test_mapping_keys(self):
        env = {"weight": "70", ("baseline", "weight"): "75", ("SE.BASELINE", "IT.AGE"): 40, "IT.AGE": 41}
        assert evaluate("[weight]", env) == "70"
        assert evaluate("[baseline][weight] - [weight]", env) == 5
        assert evaluate("[SE.BASELINE][IT.AGE] + [IT.AGE]", env) == 81

    def test_lookup_object(self):
        calls = []

        class Record:
            def lookup(self, event, name):
                calls.append((event, name))
                data = {(None, "age"): "30", ("week_4", "age"): "31"}
                return data[(event, name)]

        assert evaluate("[week_4][age] - age", Record()) == 1
        assert calls == [("week_4", "age"), (None, "age")]
        with pytest.raises(ExpressionError, match=r"unknown variable '\[week_8\]\[age\]' at column 5"):
            evaluate("1 + [week_8][age]", Record())

    def test_unknown_variable_is_named_with_its_column(self):
        with pytest.raises(ExpressionError) as caught:
            evaluate("age > 1 and egfr < 30", {"age": 2})
        assert str(caught.value) == "unknown variable 'egfr' at column 13"

    def test_short_circuit_skips_unread_branches(self):
        assert evaluate("false and [missing] = 1", {}) is False
        assert evaluate("true or [missing] = 1", {}) is True
        assert evaluate("if(1 = 1, 'a', [missing])", {}) == "a"

    def test_accepts_a_parsed_tree(self):
        tree = parse("[a] * 2")
        assert evaluate(tree, {"a": 4}) == 8
        assert evaluate(tree, {"a": "2.5"}) == 5.0

    def test_bad_environment_type(self):
        with pytest.raises(TypeError):
            evaluate("1", [1, 2])  # type: ignore[arg-type]


class TestClock:
    def test_today_and_now_are_injectable(self):
        assert evaluate("today()", {}, today=date(2024, 2, 29)) == date(2024, 2, 29)
        assert evaluate("now()", {}, today=date(2024, 2, 29)) == datetime(2024, 2, 29, 0, 0)
        at = datetime(2024, 2, 29, 13, 45)
        assert evaluate("now()", {}, today=at) == at
        assert evaluate("today()", {}, today=at) == date(2024, 2, 29)

    def test_default_clock_is_the_machine_date(self):
        assert evaluate("today()", {}) == date.today()
