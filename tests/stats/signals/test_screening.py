"""Screening a signal table: each criterion alone, min_n, undefined and infinite measures, validation.

The tables are built by hand; each expected outcome follows from the thresholds' definitions (Evans et al. 2001:
PRR >= 2, chi2 >= 4, n >= 3; Szarfman et al. 2002: EB05 >= 2; Norén et al. 2006: IC025 > 0).
"""

import math

import numpy as np
import pandas as pd
import pytest

from opencro.stats.signals import CRITERIA, SignalInputError, Thresholds, detect_signals, screen_signals

INF, NAN = math.inf, math.nan


def _table(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (product, event, n, prr, chi2, eb05, ic025)."""
    return pd.DataFrame(rows, columns=["product", "event", "n", "prr", "chi2", "eb05", "ic025"])


ONLY_EVANS = Thresholds(use_eb05=False, use_ic025=False)
ONLY_EB05 = Thresholds(use_evans=False, use_ic025=False)
ONLY_IC025 = Thresholds(use_evans=False, use_eb05=False)


def test_evans_alone_needs_prr_chi2_and_three_reports():
    table = _table(
        [
            ("A", "x", 5, 2.0, 4.0, 0.1, -1.0),  # exactly on both limits: met
            ("A", "y", 5, 1.99, 50.0, 0.1, -1.0),  # PRR just under
            ("A", "z", 5, 9.0, 3.99, 0.1, -1.0),  # chi2 just under
            ("B", "x", 2, 9.0, 50.0, 0.1, -1.0),  # too few reports (min_n 3)
        ]
    )
    found = screen_signals(table, ONLY_EVANS)
    assert found.candidate.tolist() == [True, False, False, False]
    assert found.table["criteria"].tolist() == [("evans",)]
    assert found.met["eb05"].sum() == 0 and found.met["ic025"].sum() == 0


def test_evans_keeps_its_own_three_reports_when_min_n_is_lower():
    table = _table([("A", "x", 2, 9.0, 50.0, 0.1, -1.0), ("A", "y", 3, 9.0, 50.0, 0.1, -1.0)])
    found = screen_signals(table, Thresholds(min_n=1, use_eb05=False, use_ic025=False))
    assert found.candidate.tolist() == [False, True]


def test_eb05_alone():
    table = _table([("A", "x", 3, 0.5, 0.0, 2.0, -1.0), ("A", "y", 3, 0.5, 0.0, 1.999, -1.0)])
    found = screen_signals(table, ONLY_EB05)
    assert found.candidate.tolist() == [True, False]
    assert found.criteria(0) == ("eb05",)


def test_ic025_alone_is_strictly_above_zero():
    table = _table([("A", "x", 3, 0.5, 0.0, 0.1, 0.01), ("A", "y", 3, 0.5, 0.0, 0.1, 0.0)])
    found = screen_signals(table, ONLY_IC025)
    assert found.candidate.tolist() == [True, False]
    assert found.table["criteria"].iloc[0] == ("ic025",)


def test_any_enabled_criterion_makes_a_candidate_and_all_met_are_listed():
    table = _table(
        [
            ("A", "x", 10, 5.0, 20.0, 3.0, 1.0),  # all three
            ("A", "y", 10, 1.0, 0.0, 2.5, -0.2),  # EB05 only
            ("A", "z", 10, 1.0, 0.0, 1.0, -0.2),  # none
        ]
    )
    found = screen_signals(table)
    assert found.candidate.tolist() == [True, True, False]
    assert found.table["criteria"].tolist() == [CRITERIA, ("eb05",)]
    off = screen_signals(table, Thresholds(use_eb05=False))
    assert off.candidate.tolist() == [True, False, False]
    assert off.table["criteria"].tolist() == [("evans", "ic025")]


def test_min_n_removes_pairs_meeting_every_criterion():
    table = _table([("A", "x", 4, 5.0, 20.0, 3.0, 1.0)])
    assert screen_signals(table, Thresholds(min_n=5)).candidate.tolist() == [False]
    assert screen_signals(table, Thresholds(min_n=4)).candidate.tolist() == [True]


def test_infinite_prr_meets_the_ratio_and_nan_never_meets():
    table = _table(
        [
            ("A", "x", 4, INF, 12.0, NAN, NAN),  # PRR inf (c = 0): Evans met when chi2 is
            ("A", "y", 4, INF, NAN, NAN, NAN),  # chi2 undefined: nothing met
            ("A", "z", 4, NAN, 30.0, 2.5, NAN),  # PRR undefined: Evans not met, EB05 is
        ]
    )
    found = screen_signals(table)
    assert found.candidate.tolist() == [True, False, True]
    assert found.table["criteria"].tolist() == [("evans",), ("eb05",)]


def test_the_index_of_the_input_is_kept():
    table = _table([("A", "x", 4, 1.0, 0.0, 0.1, -1.0), ("B", "y", 4, 1.0, 0.0, 3.0, -1.0)])
    table.index = [10, 20]
    found = screen_signals(table)
    assert found.table.index.tolist() == [20]
    assert found.criteria(20) == ("eb05",)


def test_on_a_detect_signals_table():
    # 40 reports: product P with event E in 6 of its 8 reports; 32 reports of Q with F (and E twice)
    rows = [(f"r{i}", "P", "E") for i in range(6)] + [("r6", "P", "F"), ("r7", "P", "F")]
    rows += [(f"s{i}", "Q", "F") for i in range(30)] + [("s30", "Q", "E"), ("s31", "Q", "E")]
    result = detect_signals(pd.DataFrame(rows, columns=["report", "product", "event"]))
    found = screen_signals(result.table, ONLY_EVANS)
    # PRR of P/E = (6/8) / (2/32) = 12, of Q/F = (30/32) / (2/8) = 3.75: both Evans signals (chi2 > 4);
    # P/F = (2/8) / (30/32) and Q/E = (2/32) / (6/8) are below 1
    assert list(zip(found.table["product"], found.table["event"], strict=True)) == [("P", "E"), ("Q", "F")]
    assert found.table["prr"].tolist() == pytest.approx([12.0, 3.75])
    assert (found.table["chi2"] >= 4).all()


@pytest.mark.parametrize(
    ("values", "parameter"),
    [
        ({"min_n": 0}, "min_n"),
        ({"min_n": 2.5}, "min_n"),
        ({"min_n": True}, "min_n"),
        ({"prr": 0}, "prr"),
        ({"prr": INF}, "prr"),
        ({"eb05": -1.0}, "eb05"),
        ({"chi2": -0.1}, "chi2"),
        ({"ic025": NAN}, "ic025"),
        ({"ic025": "0"}, "ic025"),
        ({"use_eb05": "yes"}, "use_eb05"),
        ({"use_evans": False, "use_eb05": False, "use_ic025": False}, "use_evans"),
        ({"colour": 1}, "colour"),
    ],
)
def test_bad_thresholds_name_their_parameter(values, parameter):
    with pytest.raises(SignalInputError) as caught:
        Thresholds.from_dict(values)
    assert caught.value.parameter == parameter


def test_defaults_and_round_trip():
    rules = Thresholds()
    assert (rules.min_n, rules.prr, rules.chi2, rules.eb05, rules.ic025) == (3, 2.0, 4.0, 2.0, 0.0)
    assert rules.enabled() == CRITERIA
    assert Thresholds.from_dict(rules.as_dict()) == rules
    assert Thresholds.from_dict({"eb05": np.float64(1.5)}).eb05 == 1.5


def test_a_table_without_the_measures_is_refused():
    with pytest.raises(SignalInputError, match="eb05"):
        screen_signals(pd.DataFrame({"n": [1], "prr": [1.0], "chi2": [1.0], "ic025": [0.0]}))
