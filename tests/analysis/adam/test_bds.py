"""BDS kinds on tiny frames: baseline, change, percent change, analysis windows (ties) and LOCF."""

import numpy as np
import pandas as pd
import pytest

from opencro.analysis.adam import DerivationError
from tests.analysis.adam.helpers import run, var

KEYS = ("USUBJID", "PARAMCD", "QSSEQ")


def _qs(days, values, flags=None, subject="S1"):
    n = len(days)
    return pd.DataFrame(
        {
            "USUBJID": [subject] * n,
            "PARAMCD": ["ACTOT"] * n,
            "QSSEQ": [float(i + 1) for i in range(n)],
            "ADY": [np.nan if d is None else float(d) for d in days],
            "AVAL": [float(v) for v in values],
            "QSBLFL": flags or [""] * n,
        }
    )


BASICS = [
    var("PARAMCD", "copy"),
    var("QSSEQ", "copy", "integer"),
    var("ADY", "copy", "integer"),
    var("AVAL", "copy", "float"),
    var("ABLFL", "copy", variable="QSBLFL"),
]


def test_baseline_change_and_percent_change():
    qs = _qs([1, 56, 112], [20, 25, 15], ["Y", "", ""])
    variables = [
        *BASICS,
        var("BASE", "baseline", "float", value="AVAL", flag="ABLFL", by=["USUBJID", "PARAMCD"]),
        var("CHG", "change", "float", value="AVAL", baseline="BASE"),
        var("PCHG", "pct_change", "float", value="AVAL", baseline="BASE"),
    ]
    out = run(variables, {"QS": qs}, source="QS", keys=KEYS)
    assert out["BASE"].tolist() == [20.0, 20.0, 20.0]
    assert out["CHG"].tolist() == [0.0, 5.0, -5.0]
    assert out["PCHG"].tolist() == [0.0, 25.0, -25.0]  # 100 * 5 / 20


def test_percent_change_is_blank_on_a_zero_baseline_and_no_baseline_gives_blanks():
    qs = pd.concat([_qs([1, 56], [0, 3], ["Y", ""]), _qs([56], [4], subject="S2")], ignore_index=True)
    variables = [
        *BASICS,
        var("BASE", "baseline", "float", value="AVAL", flag="ABLFL", by=["USUBJID", "PARAMCD"]),
        var("PCHG", "pct_change", "float", value="AVAL", baseline="BASE"),
    ]
    out = run(variables, {"QS": qs}, source="QS", keys=KEYS)
    assert np.isnan(out["PCHG"]).all()
    assert np.isnan(out["BASE"].iloc[2])


def test_two_baseline_records_are_refused():
    qs = _qs([1, 2], [20, 21], ["Y", "Y"])
    variables = [*BASICS, var("BASE", "baseline", "float", value="AVAL", flag="ABLFL", by=["USUBJID", "PARAMCD"])]
    with pytest.raises(
        DerivationError, match=r"more than one baseline record .ABLFL='Y'. for USUBJID=S1, PARAMCD=ACTOT"
    ):
        run(variables, {"QS": qs}, source="QS", keys=KEYS)


WINDOWS = [
    {"visit": "Baseline", "number": 0, "high": 1, "target": 1},
    {"visit": "Week 8", "number": 8, "low": 2, "high": 84, "target": 56},
    {"visit": "Week 16", "number": 16, "low": 85, "high": 140, "target": 112},
    {"visit": "Week 24", "number": 24, "low": 141, "target": 168, "range": ">140"},
]


def _windowed(qs, tie=None):
    params = {"day": "ADY", "windows": WINDOWS, "by": ["USUBJID", "PARAMCD"]}
    if tie:
        params["tie"] = tie
    variables = [
        *BASICS,
        var("AVISIT", "analysis_visit", **params),
        var("AVISITN", "companion", "integer", of="AVISIT", role="visit_number"),
        var("AWRANGE", "companion", of="AVISIT", role="range"),
        var("AWTARGET", "companion", "integer", of="AVISIT", role="target"),
        var("AWTDIFF", "companion", "integer", of="AVISIT", role="difference"),
        var("AWLO", "companion", "integer", of="AVISIT", role="low"),
        var("AWHI", "companion", "integer", of="AVISIT", role="high"),
        var("AWU", "companion", of="AVISIT", role="unit"),
        var("ANL01FL", "companion", of="AVISIT", role="record_flag"),
    ]
    return run(variables, {"QS": qs}, source="QS", keys=KEYS)


def test_windows_assign_visits_and_ranges():
    out = _windowed(_qs([-3, 1, 60, 141, None], [1, 2, 3, 4, 5]))
    assert out["AVISIT"].tolist() == ["Baseline", "Baseline", "Week 8", "Week 24", ""]
    assert out["AVISITN"].tolist()[:4] == [0.0, 0.0, 8.0, 24.0]
    assert out["AWRANGE"].tolist() == ["<=1", "<=1", "2-84", ">140", ""]
    assert out["AWTDIFF"].tolist()[:4] == [4.0, 0.0, 4.0, 27.0]
    assert np.isnan(out["AWLO"].iloc[0]) and out["AWHI"].iloc[0] == 1.0
    assert out["AWLO"].iloc[3] == 141.0 and np.isnan(out["AWHI"].iloc[3])
    assert out["AWU"].tolist() == ["DAYS", "DAYS", "DAYS", "DAYS", ""]
    assert out["ANL01FL"].tolist() == ["", "Y", "Y", "Y", ""]  # day 1 is nearer the target 1 than day -3


def test_window_tie_goes_to_the_earlier_day_by_default_or_the_later_when_asked():
    qs = _qs([50, 62, 63], [1, 2, 3])  # 50 and 62 are both 6 days from the target 56
    assert _windowed(qs)["ANL01FL"].tolist() == ["Y", "", ""]
    assert _windowed(qs, tie="later")["ANL01FL"].tolist() == ["", "Y", ""]


def test_window_same_day_tie_goes_to_the_first_record():
    qs = _qs([60, 60], [1, 2])
    assert _windowed(qs)["ANL01FL"].tolist() == ["Y", ""]


def test_locf_adds_records_for_missed_visits():
    qs = pd.concat(
        [_qs([1, 56], [20, 24], ["Y", ""]), _qs([1, 56, 112, 168], [30, 31, 32, 33], ["Y", "", "", ""], "S2")]
    )
    variables = [
        *BASICS,
        var("AVISITN", "expression", "integer", expression="if([ADY] = 1, 0, [ADY] / 7)"),
        var("AVISIT", "expression", expression="if([AVISITN] = 0, 'Baseline', concat('Week ', [AVISITN]))"),
        var(
            "DTYPE",
            "locf",
            by=["USUBJID", "PARAMCD"],
            visit="AVISITN",
            label="AVISIT",
            visits={8: "Week 8", 16: "Week 16", 24: "Week 24"},
            filter="[AVISITN] > 0",
            set={"ADY": None},
        ),
        var("BASE", "baseline", "float", value="AVAL", flag="ABLFL", by=["USUBJID", "PARAMCD"]),
        var("CHG", "change", "float", value="AVAL", baseline="BASE"),
    ]
    out = run(variables, {"QS": qs}, source="QS", keys=("USUBJID", "PARAMCD", "AVISITN", "DTYPE"))
    s1 = out[out["USUBJID"] == "S1"]
    assert s1["AVISIT"].tolist() == ["Baseline", "Week 8", "Week 16", "Week 24"]
    assert s1["DTYPE"].tolist() == ["", "", "LOCF", "LOCF"]
    assert s1["AVAL"].tolist() == [20.0, 24.0, 24.0, 24.0]  # week 8 carried forward
    assert s1["CHG"].tolist() == [0.0, 4.0, 4.0, 4.0]  # derived after LOCF, so on the added records too
    assert s1["ABLFL"].tolist() == ["Y", "", "", ""]
    assert np.isnan(s1["ADY"].iloc[2])  # set: blank on added records
    s2 = out[out["USUBJID"] == "S2"]
    assert "LOCF" not in s2["DTYPE"].tolist()  # complete subject: nothing added


def test_locf_does_not_carry_the_baseline_forward_when_filtered_out():
    qs = _qs([1], [20], ["Y"])
    variables = [
        *BASICS,
        var("AVISITN", "expression", "integer", expression="if([ADY] = 1, 0, [ADY] / 7)"),
        var("DTYPE", "locf", by=["USUBJID", "PARAMCD"], visit="AVISITN", visits={8: "Week 8"}, filter="[AVISITN] > 0"),
    ]
    out = run(variables, {"QS": qs}, source="QS", keys=("USUBJID", "PARAMCD", "AVISITN", "DTYPE"))
    assert out["DTYPE"].tolist() == [""]


def test_variables_after_locf_copy_from_the_carried_record():
    qs = _qs([1, 56], [20, 24], ["Y", ""]).assign(VISIT=["BASELINE", "WEEK 8"])
    variables = [
        *BASICS,
        var("AVISITN", "expression", "integer", expression="if([ADY] = 1, 0, [ADY] / 7)"),
        var(
            "DTYPE", "locf", by=["USUBJID", "PARAMCD"], visit="AVISITN", visits={16: "Week 16"}, filter="[AVISITN] > 0"
        ),
        var("VISIT", "copy"),  # declared after the locf: derived after it, from the base record carried forward
    ]
    out = run(variables, {"QS": qs}, source="QS", keys=("USUBJID", "PARAMCD", "AVISITN", "DTYPE"))
    assert out["VISIT"].tolist() == ["BASELINE", "WEEK 8", "WEEK 8"]
    assert out["QSSEQ"].tolist() == [1.0, 2.0, 2.0]
    assert out["DTYPE"].tolist() == ["", "", "LOCF"]
