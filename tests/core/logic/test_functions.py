"""Every function, with REDCap's semantics (REDCap Help & FAQ, "Special Functions")."""

import math
import statistics
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from opencro.core.logic import FUNCTION_NAMES, ExpressionError, evaluate

TODAY = date(2024, 6, 15)


def ev(source, **env):
    return evaluate(source, env, today=TODAY)


class TestDatediff:
    def test_age_in_years(self):
        # 1980-03-15 -> 2024-03-15 is 44 * 365 days + 11 leap days (29 Feb 1984, 1988, ..., 2024) = 16071;
        # the day before is 16070 days. y = days / 365.2425.
        assert ev("datediff([dob],[visit_date],'y')", dob="1980-03-15", visit_date="2024-03-14") == pytest.approx(
            16070 / 365.2425
        )
        assert ev("rounddown(datediff([dob],[visit_date],'y'))", dob="1980-03-15", visit_date="2024-03-14") == 43
        assert ev("rounddown(datediff([dob],[visit_date],'y'))", dob="1980-03-15", visit_date="2024-03-15") == 44

    def test_units(self):
        # 2000-01-01 -> 2024-06-15: 24 * 365 + 6 leap days (2000..2020) = 8766, + 166 days of 2024 = 8932.
        assert ev("datediff('2000-01-01', '2024-06-15', 'y')") == pytest.approx(8932 / 365.2425)
        assert ev("datediff('2000-01-01', '2024-06-15', 'y')") == pytest.approx(24.45498538642135, abs=1e-12)
        # 2024-01-01 -> 2024-03-01 = 31 + 29 = 60 days; M = days / 30.44.
        assert ev("datediff('2024-01-01', '2024-03-01', 'M')") == pytest.approx(60 / 30.44)
        assert ev("datediff('2024-01-01', '2024-03-01', 'd')") == 60
        # 08:00 -> next day 20:30 is 36.5 hours = 2190 minutes = 131400 seconds.
        d1, d2 = "2024-03-10 08:00", "2024-03-11 20:30"
        assert ev("datediff([a], [b], 'h')", a=d1, b=d2) == 36.5
        assert ev("datediff([a], [b], 'm')", a=d1, b=d2) == 2190
        assert ev("datediff([a], [b], 's')", a=d1, b=d2) == 131400

    def test_unsigned_by_default_signed_on_request(self):
        assert ev("datediff('2024-03-10', '2024-03-01', 'd')") == 9
        assert ev("datediff('2024-03-10', '2024-03-01', 'd', true)") == -9  # d2 - d1
        assert ev("datediff('2024-03-01', '2024-03-10', 'd', true)") == 9
        assert ev("datediff('2024-03-10', '2024-03-01', 'd', 'ymd', true)") == -9
        assert ev("datediff('2024-03-10', '2024-03-01', 'd', 'ymd', false)") == 9

    def test_formats(self):
        assert ev("datediff('03-01-2024', '03-31-2024', 'd', 'mdy')") == 30
        assert ev("datediff('31/12/2023', '01/01/2024', 'd', 'dmy')") == 1
        assert ev("datediff('12-31-2023 22:00', '01-01-2024 01:00', 'h', 'mdy')") == 3
        # ISO text is read as ISO whatever the format says (REDCap stores Y-M-D internally).
        assert ev("datediff('2024-01-01', '2024-01-31', 'd', 'mdy')") == 30

    def test_today_and_now(self):
        # 2000-06-15 -> 2024-06-15 = 24 * 365 + 6 leap days (2004..2024) = 8766 days.
        assert ev("datediff([dob], 'today', 'y')", dob="2000-06-15") == pytest.approx(8766 / 365.2425)
        assert ev("datediff([dob], today(), 'd')", dob="2024-06-01") == 14
        assert (
            evaluate("datediff('now', [t], 'h', true)", {"t": "2024-06-15 18:00"}, today=datetime(2024, 6, 15, 12)) == 6
        )

    def test_date_objects_and_time_zones(self):
        assert ev("datediff([a], [b], 'd')", a=date(2024, 1, 1), b=datetime(2024, 1, 2, 12)) == 1.5
        utc = datetime(2024, 1, 1, 12, tzinfo=UTC)
        plus2 = datetime(2024, 1, 1, 14, tzinfo=timezone(timedelta(hours=2)))
        assert ev("datediff([a], [b], 'h')", a=utc, b=plus2) == 0

    @pytest.mark.parametrize(
        ("a", "b"), [("", "2024-01-01"), ("2024-01-01", None), ("2024-02-30", "2024-03-01"), ("x", "2024-01-01")]
    )
    def test_blank_or_invalid_dates_give_blank(self, a, b):
        assert ev("datediff([a], [b], 'd')", a=a, b=b) is None

    def test_bad_units_or_format(self):
        with pytest.raises(ExpressionError, match=r"units must be one of y, M, d, h, m, s, not 'w' at column 5"):
            ev("1 + datediff('2024-01-01', '2024-01-02', 'w')")
        with pytest.raises(ExpressionError, match="date format must be ymd, mdy or dmy, not 'ydm'"):
            ev("datediff('2024-01-01', '2024-01-02', 'd', 'ydm', true)")


class TestAggregates:
    def test_blanks_and_text_are_ignored(self):
        env = {"a": "3", "b": "", "c": "4", "d": None, "e": "n/a"}
        assert evaluate("sum([a],[b],[c],[d],[e])", env) == 7
        assert evaluate("mean([a],[b],[c])", env) == 3.5
        assert evaluate("median([a],[b],[c], 10)", env) == 4  # median of 3, 4, 10
        assert evaluate("min([a],[b],[c])", env) == 3
        assert evaluate("max([a],[b],[c])", env) == 4

    def test_all_blank_is_blank(self):
        for name in ("sum", "mean", "median", "stdev", "min", "max"):
            assert evaluate(f"{name}([a], [b])", {"a": None, "b": ""}) is None

    def test_values(self):
        assert evaluate("sum(1, 2.5)", {}) == 3.5
        assert evaluate("median(1, 2, 3, 4)", {}) == 2.5
        # sample standard deviation of 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, 32/7.
        assert evaluate("stdev(2, 4, 4, 4, 5, 5, 7, 9)", {}) == pytest.approx(math.sqrt(32 / 7))
        assert evaluate("stdev(2, 4, 4, 4, 5, 5, 7, 9)", {}) == pytest.approx(
            statistics.stdev([2, 4, 4, 4, 5, 5, 7, 9])
        )
        assert evaluate("stdev(5)", {}) is None  # needs two values
        assert evaluate("max([1, 7], 3)", {}) == 7  # a list argument is flattened
        assert evaluate("min(-1, '-2')", {}) == -2


class TestRounding:
    @pytest.mark.parametrize(
        ("source", "expected"),
        [
            ("round(2.5)", 3),  # half away from zero, not banker's rounding
            ("round(-2.5)", -3),
            ("round(2.675, 2)", 2.68),  # decimal, not binary, rounding of the written value
            ("round(14.384, 1)", 14.4),
            ("round(1234, -2)", 1200),
            ("round(sqrt(64), 1)", 8.0),
            ("roundup(14.384, 1)", 14.4),  # REDCap's own example
            ("rounddown(14.384, 1)", 14.3),  # REDCap's own example
            ("roundup(14.301)", 15),
            ("rounddown(14.999)", 14),
            ("roundup(-1.2)", -1),  # towards +infinity
            ("rounddown(-1.2)", -2),
            ("round('3.14159', 3)", 3.142),
        ],
    )
    def test_values(self, source, expected):
        result = evaluate(source, {})
        assert result == expected
        assert type(result) is type(expected)

    def test_blank_and_limits(self):
        assert evaluate("round([x], 1)", {"x": ""}) is None
        with pytest.raises(ExpressionError, match="decimal places must be between -15 and 15 at column 1"):
            evaluate("round(1, 16)", {})


class TestMath:
    @pytest.mark.parametrize(
        ("source", "expected"),
        [
            ("abs(-7.1)", 7.1),
            ("abs(45)", 45),
            ("abs('')", None),
            ("sqrt(16)", 4.0),
            ("sqrt(-1)", None),
            ("exp(0)", 1.0),
            ("exp(1)", math.e),
            ("log(100, 10)", 2.0),
            ("log(8, 2)", 3.0),
            ("log(exp(2))", 2.0),
            ("log(0)", None),
            ("log(5, 1)", None),
        ],
    )
    def test_values(self, source, expected):
        result = evaluate(source, {})
        if expected is None:
            assert result is None
        else:
            assert result == pytest.approx(expected)

    def test_overflow_is_an_error(self):
        with pytest.raises(ExpressionError, match="number out of range at column 1"):
            evaluate("exp(1000)", {})


class TestPredicates:
    @pytest.mark.parametrize(
        ("value", "blank", "number", "integer"),
        [
            (None, True, False, False),
            ("", True, False, False),
            ("12", False, True, True),
            ("-3", False, True, True),
            ("1.5", False, True, False),
            (2.0, False, True, True),
            (7, False, True, True),
            ("abc", False, False, False),
            ("1e3", False, True, False),
            (True, False, False, False),
        ],
    )
    def test_isblank_isnumber_isinteger(self, value, blank, number, integer):
        env = {"x": value}
        assert evaluate("isblank([x])", env) is blank
        assert evaluate("isnumber([x])", env) is number
        assert evaluate("isinteger([x])", env) is integer


class TestText:
    @pytest.mark.parametrize(
        ("source", "expected"),
        [
            ("contains('Hypertension', 'TENS')", True),  # case-insensitive, as REDCap
            ("contains('Hypertension', 'diab')", False),
            ("not_contain('Hypertension', 'diab')", True),
            ("not_contain('Hypertension', 'hyper')", False),
            ("starts_with('Hypertension', 'hyp')", True),
            ("starts_with('Hypertension', 'ten')", False),
            ("ends_with('Hypertension', 'SION')", True),
            ("ends_with('Hypertension', 'hyp')", False),
            ("length('abc')", 3),
            ("len('')", 0),
            ("length([x])", 0),
            ("left('ABC123', 3)", "ABC"),
            ("left('ABC', 10)", "ABC"),
            ("left('ABC', -1)", ""),
            ("right('ABC123', 3)", "123"),
            ("right('ABC', 0)", ""),
            ("mid('ABC123', 2, 3)", "BC1"),  # 1-based start
            ("mid('ABC123', 0, 2)", "AB"),
            ("find('c1', 'ABC123')", 3),  # 1-based, case-insensitive
            ("find('z', 'ABC')", 0),
            ("concat('a', 1, 2.0, [x], 'b')", "a12b"),
            ("concat('Visit ', 2.5)", "Visit 2.5"),
            ("upper('abc')", "ABC"),
            ("lower('ÀBC')", "àbc"),
            ("trim('  a b  ')", "a b"),
            ("upper([x])", ""),
        ],
    )
    def test_values(self, source, expected):
        result = evaluate(source, {"x": None})
        assert result == expected
        assert type(result) is type(expected)

    def test_length_of_a_list(self):
        assert evaluate("length([x])", {"x": ["1", "2"]}) == 2
        assert evaluate("len([1, 2, 3])", {}) == 3

    def test_concat_of_dates(self):
        assert evaluate("concat([d], ' / ', [t])", {"d": date(2024, 1, 2), "t": datetime(2024, 1, 2, 3, 4)}) == (
            "2024-01-02 / 2024-01-02 03:04:00"
        )

    def test_text_results_are_bounded(self):
        long = "x" * 6000
        assert len(evaluate("concat([t], 'y')", {"t": long})) == 6001
        with pytest.raises(ExpressionError, match="text result longer than 10000 characters at column 1"):
            evaluate("concat([t], [t])", {"t": long})


class TestDates:
    @pytest.mark.parametrize(
        ("value", "parts"),
        [
            ("2024-02-29", (2024, 2, 29)),
            ("2024-02-29 23:59", (2024, 2, 29)),
            (date(1999, 12, 31), (1999, 12, 31)),
            (datetime(2001, 7, 4, 10, 0), (2001, 7, 4)),
            ("", (None, None, None)),
            ("02/29/2024", (None, None, None)),
        ],
    )
    def test_year_month_day(self, value, parts):
        env = {"d": value}
        assert (evaluate("year([d])", env), evaluate("month([d])", env), evaluate("day([d])", env)) == parts

    def test_today_now(self):
        assert ev("year(today())") == 2024
        assert ev("now()") == datetime(2024, 6, 15)


class TestIf:
    def test_only_the_chosen_branch_runs(self):
        assert evaluate("if([x] = 1, 'one', 1 / 0)", {"x": 1}) == "one"
        assert evaluate("if([x] = 1, [missing], 'other')", {"x": 2}) == "other"
        assert evaluate("IF([a] > 0, if([b] > 0, 'both', 'a only'), 'none')", {"a": 1, "b": 0}) == "a only"


def test_every_function_is_covered_here():
    # Keep this list in step with FUNCTIONS: a new function needs a test above.
    assert {
        "if", "datediff", "sum", "mean", "median", "stdev", "min", "max", "round", "roundup", "rounddown",
        "abs", "sqrt", "exp", "log", "isblank", "isnumber", "isinteger", "contains", "not_contain",
        "starts_with", "ends_with", "length", "len", "left", "right", "mid", "find", "concat", "upper",
        "lower", "trim", "year", "month", "day", "today", "now",
    } == FUNCTION_NAMES  # fmt: skip
