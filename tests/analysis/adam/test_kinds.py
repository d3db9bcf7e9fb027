"""Each derivation kind on tiny hand-made frames; every expected value is worked out in the comment beside it."""

import numpy as np
import pandas as pd
import pytest

from opencro.analysis.adam import DerivationError
from tests.analysis.adam.helpers import make_spec, run, var

DM = pd.DataFrame(
    {
        "USUBJID": ["S1", "S2", "S3"],
        "AGE": [64.0, 65.0, 81.0],
        "SEX": ["F", "M", "F"],
        "SITEID": [701.0, 702.0, 703.0],
        "RFSTDTC": ["2014-01-02", "2014-01-10", ""],
    }
)


def test_copy_from_base_and_merged_source_with_type_conversion():
    sc = pd.DataFrame({"USUBJID": ["S2", "S1"], "SCSTRESN": [12.0, 16.0]})
    out = run(
        [var("SITEID", "copy"), var("EDUC", "copy", "integer", source="SC", variable="SCSTRESN")],
        {"DM": DM, "SC": sc},
    )
    assert out["SITEID"].tolist() == ["701", "702", "703"]  # numeric SITEID read as text without ".0"
    assert out["EDUC"].tolist()[:2] == [16.0, 12.0]
    assert np.isnan(out["EDUC"].iloc[2])  # S3 has no SC record


def test_copy_refuses_a_source_with_two_records_per_subject():
    sc = pd.DataFrame({"USUBJID": ["S1", "S1"], "SCSTRESN": [12.0, 16.0]})
    with pytest.raises(DerivationError, match="variable EDUC: copy: source SC has more than one record per USUBJID"):
        run([var("EDUC", "copy", "integer", source="SC", variable="SCSTRESN")], {"DM": DM, "SC": sc})


def test_map_with_default_and_numeric_keys():
    out = run(
        [
            var("SEXN", "map", "integer", variable="SEX", values={"F": 2, "M": 1}),
            var("SITE", "copy", variable="SITEID"),
            var("REGION", "map", variable="SITE", values={701: "North"}, default="Other"),
        ],
        {"DM": DM},
    )
    assert out["SEXN"].tolist() == [2.0, 1.0, 2.0]
    assert out["REGION"].tolist() == ["North", "Other", "Other"]  # 701 (number) meets "701" (text)


def test_categorize_closed_left_puts_a_cut_point_in_the_upper_group():
    out = run([var("AGEGR", "categorize", variable="AGE", cuts=[65, 81], labels=["<65", "65-80", ">80"])], {"DM": DM})
    assert out["AGEGR"].tolist() == ["<65", "65-80", ">80"]  # 64 < 65; 65 == cut -> upper; 81 == cut -> upper


def test_categorize_closed_right_and_blank_input():
    dm = DM.assign(AGE=[65.0, np.nan, 66.0])
    out = run([var("GR", "categorize", variable="AGE", cuts=[65], labels=["<=65", ">65"], closed="right")], {"DM": dm})
    assert out["GR"].tolist() == ["<=65", "", ">65"]


def test_flag_yes_blank_and_yes_no():
    out = run(
        [
            var("ELDFL", "flag", condition="[AGE] >= 65 and [SEX] = 'F'"),
            var("MFL", "flag", condition="[SEX] = 'M'", otherwise="N"),
        ],
        {"DM": DM},
    )
    assert out["ELDFL"].tolist() == ["", "", "Y"]
    assert out["MFL"].tolist() == ["N", "Y", "N"]


def test_expression_and_constant_and_float_rounding_half_up():
    dm = DM.assign(W=[70.0, 80.0, 90.0], H=[160.0, 170.0, 180.0])
    variables = [
        var("PARAMCD", "constant", value="X"),
        {**var("BMI", "expression", "float", expression="[W] / ([H] / 100) ^ 2"), "digits": 1},
        {**var("HALF", "expression", "float", expression="[AGE] / 260"), "digits": 2},
    ]
    out = run(variables, {"DM": dm})
    assert out["PARAMCD"].tolist() == ["X", "X", "X"]
    assert out["BMI"].tolist() == [27.3, 27.7, 27.8]  # 27.34, 27.68, 27.78
    # 64/260 = 0.24615 -> 0.25; 65/260 = 0.25 exactly; 81/260 = 0.31154 -> 0.31
    assert out["HALF"].tolist() == [0.25, 0.25, 0.31]


def test_rounding_is_half_away_from_zero_not_to_even():
    dm = DM.assign(X=[0.25, 0.35, -0.25])
    out = run([{**var("R", "expression", "float", expression="[X]"), "digits": 1}], {"DM": dm})
    assert out["R"].tolist() == [
        0.3,
        0.4,
        -0.3,
    ]  # SAS round(); numpy's round would give 0.2, 0.3 (0.35 is 0.34999...), -0.2


def test_date_imputes_the_day_and_flags_it():
    ae = pd.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S1", "S1", "S1"],
            "AESEQ": [1.0, 2.0, 3.0, 4.0, 5.0],
            "AESTDTC": ["2014-02-05T10:30", "2014-02", "2014", "", "2014-02-30"],
        }
    )
    variables = [
        var("AESEQ", "copy", "integer"),
        var("ASTDT", "date", "date", variable="AESTDTC", impute_day="first"),
        var("ASTDTF", "companion", of="ASTDT", role="flag"),
        var("AENDT", "date", "date", variable="AESTDTC", impute_day="last", impute_month="last"),
        var("AENDTF", "companion", of="AENDT", role="flag"),
    ]
    out = run(variables, {"AE": ae}, source="AE", keys=("USUBJID", "AESEQ"))
    assert out["ASTDT"].tolist()[:2] == [pd.Timestamp("2014-02-05"), pd.Timestamp("2014-02-01")]
    assert out["ASTDT"].iloc[2:].isna().all()  # year only: month not imputed; blank; impossible date
    assert out["ASTDTF"].tolist() == ["", "D", "", "", ""]
    assert out["AENDT"].tolist()[:3] == [pd.Timestamp(d) for d in ("2014-02-05", "2014-02-28", "2014-12-31")]
    assert out["AENDTF"].tolist() == ["", "D", "M", "", ""]


def test_date_fallback_only_when_the_text_is_blank():
    ex = pd.DataFrame(
        {"USUBJID": ["S1", "S2", "S3"], "EXENDTC": ["2014-03-01", "", "2014-03"], "END": ["2014-04-01"] * 3}
    )
    out = run([var("TRTEDT", "date", "date", variable="EXENDTC", fallback="END")], {"EX": ex}, source="EX")
    assert out["TRTEDT"].iloc[0] == pd.Timestamp("2014-03-01")
    assert out["TRTEDT"].iloc[1] == pd.Timestamp("2014-04-01")
    assert pd.isna(out["TRTEDT"].iloc[2])  # partial, not blank: no fallback


def test_study_day_has_no_day_zero_and_duration_units():
    ae = pd.DataFrame(
        {
            "USUBJID": ["S1"] * 4,
            "AESEQ": [1.0, 2.0, 3.0, 4.0],
            "D": ["2014-01-09", "2014-01-10", "2014-01-11", ""],
            "REF": ["2014-01-10"] * 4,
        }
    )
    variables = [
        var("AESEQ", "copy", "integer"),
        var("ADT", "date", "date", variable="D"),
        var("TRTSDT", "date", "date", variable="REF"),
        var("ADY", "study_day", "integer", date="ADT", reference="TRTSDT"),
        var("DUR", "duration", "integer", start="TRTSDT", end="ADT"),
        var("DUR0", "duration", "integer", start="TRTSDT", end="ADT", add_one=False),
        var("WK", "duration", "float", start="TRTSDT", end="ADT", unit="weeks", add_one=False),
    ]
    out = run(variables, {"AE": ae}, source="AE", keys=("USUBJID", "AESEQ"))
    assert out["ADY"].tolist()[:3] == [-1.0, 1.0, 2.0]  # the day before the reference is -1, not 0
    assert np.isnan(out["ADY"].iloc[3])
    assert out["DUR"].tolist()[:3] == [0.0, 1.0, 2.0]
    assert out["DUR0"].tolist()[:3] == [-1.0, 0.0, 1.0]
    assert out["WK"].iloc[2] == pytest.approx(1 / 7)


def test_duration_in_months_uses_the_average_month():
    dm = pd.DataFrame({"USUBJID": ["S1"], "A": ["2010-01-01"], "B": ["2011-01-01"]})
    variables = [
        var("AD", "date", "date", variable="A"),
        var("BD", "date", "date", variable="B"),
        {**var("M", "duration", "float", start="AD", end="BD", unit="months"), "digits": 2},
    ]
    out = run(variables, {"DM": dm})
    assert out["M"].iloc[0] == 12.02  # (365 + 1) / (365.25 / 12) = 12.0246...


AE_TEAE = pd.DataFrame(
    {
        "USUBJID": ["S1", "S1", "S1", "S1", "S2"],
        "AESEQ": [1.0, 2.0, 3.0, 4.0, 1.0],
        "ASTDTC": ["2014-01-09", "2014-01-10", "", "2014-03-20", "2014-01-01"],
        "TRTSDTC": ["2014-01-10"] * 4 + [""],
        "TRTEDTC": ["2014-03-01"] * 4 + [""],
    }
)


def _teae(**params):
    variables = [
        var("AESEQ", "copy", "integer"),
        var("ASTDT", "date", "date", variable="ASTDTC"),
        var("TRTSDT", "date", "date", variable="TRTSDTC"),
        var("TRTEDT", "date", "date", variable="TRTEDTC"),
        var("TRTEMFL", "treatment_emergent", start="ASTDT", treatment_start="TRTSDT", **params),
    ]
    return run(variables, {"AE": AE_TEAE}, source="AE", keys=("USUBJID", "AESEQ"))["TRTEMFL"].tolist()


def test_treatment_emergent_by_start_date_against_treatment_start():
    # day before start: no; on the start day: yes; missing start: yes (default); after: yes; untreated subject: no
    assert _teae() == ["", "Y", "Y", "Y", ""]
    assert _teae(missing_start="N", otherwise="N") == ["N", "Y", "N", "Y", "N"]
    # with an end: on/after start and no later than 14 days after the last dose (2014-03-20 is 19 days after)
    assert _teae(treatment_end="TRTEDT", window=14, missing_start="N") == ["", "Y", "", "", ""]


EX = pd.DataFrame(
    {
        "USUBJID": ["S1", "S1", "S1", "S2"],
        "EXSEQ": [2.0, 1.0, 3.0, 1.0],
        "EXDOSE": [54.0, 0.0, 81.0, 54.0],
        "EXSTDTC": ["2014-01-10", "2014-01-01", "2014-01-20", "2014-02-01"],
    }
)


def test_first_and_last_follow_the_order_and_filter():
    variables = [
        var("FIRSTDOSE", "first", "integer", source="EX", order=["EXSEQ"], value="[EXDOSE]"),
        var("LASTDOSE", "last", "integer", source="EX", order=["EXSEQ"], value="[EXDOSE]"),
        var("FIRSTACT", "first", "date", source="EX", order=["EXSEQ"], filter="[EXDOSE] > 0", value="[EXSTDTC]"),
    ]
    out = run(variables, {"DM": DM, "EX": EX})
    assert out["FIRSTDOSE"].tolist()[:2] == [0.0, 54.0]  # S1 EXSEQ 1 has dose 0
    assert out["LASTDOSE"].tolist()[:2] == [81.0, 54.0]
    assert out["FIRSTACT"].tolist()[:2] == [pd.Timestamp("2014-01-10"), pd.Timestamp("2014-02-01")]
    assert pd.isna(out["FIRSTACT"].iloc[2])  # S3 has no EX


def test_aggregate_functions_and_count_zero():
    variables = [
        var("N", "aggregate", "integer", source="EX", function="count"),
        var("NACT", "aggregate", "integer", source="EX", function="count", filter="[EXDOSE] > 0"),
        var("TOT", "aggregate", "float", source="EX", function="sum", value="[EXDOSE]"),
        var("AVG", "aggregate", "float", source="EX", function="mean", value="[EXDOSE]"),
        var("MX", "aggregate", "float", source="EX", function="max", value="[EXDOSE]"),
    ]
    out = run(variables, {"DM": DM, "EX": EX})
    assert out["N"].tolist() == [3.0, 1.0, 0.0]
    assert out["NACT"].tolist() == [2.0, 1.0, 0.0]
    assert out["TOT"].tolist()[:2] == [135.0, 54.0]
    assert np.isnan(out["TOT"].iloc[2])  # sum over no records is blank, not 0
    assert out["AVG"].tolist()[:2] == [45.0, 54.0]
    assert out["MX"].tolist()[:2] == [81.0, 54.0]


def test_aggregate_filter_can_read_subject_level_variables():
    variables = [
        var("CUT", "date", "date", variable="RFSTDTC"),
        var("NAFTER", "aggregate", "integer", source="EX", function="count", filter="[EXSTDTC] >= [CUT]"),
    ]
    out = run(variables, {"DM": DM, "EX": EX})
    assert out["NAFTER"].tolist() == [2.0, 1.0, 0.0]  # S1: 2014-01-10 and 2014-01-20 on/after 2014-01-02


def test_first_occurrence_among_filtered_records():
    ae = pd.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S1", "S1"],
            "AESEQ": [1.0, 2.0, 3.0, 4.0],
            "AEDECOD": ["RASH", "RASH", "COUGH", "RASH"],
            "D": ["2014-01-05", "2014-01-03", "2014-01-04", "2014-01-03"],
            "TE": ["Y", "Y", "Y", "N"],
        }
    )
    variables = [
        var("AESEQ", "copy", "integer"),
        var("ASTDT", "date", "date", variable="D"),
        var("AOCCFL", "first_occurrence", by=["USUBJID"], order=["ASTDT", "AESEQ"], filter="[TE] = 'Y'"),
        var("AOCCPFL", "first_occurrence", by=["USUBJID", "AEDECOD"], order=["ASTDT", "AESEQ"], filter="[TE] = 'Y'"),
    ]
    out = run(variables, {"AE": ae}, source="AE", keys=("USUBJID", "AESEQ"))
    assert out["AOCCFL"].tolist() == ["", "Y", "", ""]  # AESEQ 4 is earlier-equal but not TE
    assert out["AOCCPFL"].tolist() == ["", "Y", "Y", ""]


def test_base_filter_and_within_parent():
    parent = pd.DataFrame({"USUBJID": ["S1", "S3"]})
    out = run([], {"DM": DM}, parents={"ADSL": parent}, within="ADSL", filter="[SEX] = 'F'")
    assert out["USUBJID"].tolist() == ["S1", "S3"]
    out = run([], {"DM": DM}, parents={"ADSL": parent}, within="ADSL", filter="[AGE] > 70")
    assert out["USUBJID"].tolist() == ["S3"]


def test_labels_order_and_working_variables():
    spec = make_spec(
        [
            var("USUBJID", "copy"),
            var("OLD", "flag", condition="[AGEX] > 70"),  # reads AGEX, declared after it
            {**var("AGEX", "copy", "integer", variable="AGE"), "keep": False},
        ]
    )
    from opencro.analysis.adam import derive

    out = derive(spec, {"DM": DM})
    assert list(out.columns) == ["USUBJID", "OLD"]
    assert out["OLD"].tolist() == ["", "", "Y"]
    assert out.attrs["labels"] == {"USUBJID": "Usubjid", "OLD": "Old"}
    assert out.attrs["name"] == "TEST"


def test_cycle_between_variables_is_refused():
    variables = [var("A", "expression", expression="[B]"), var("B", "expression", expression="[A]")]
    with pytest.raises(DerivationError, match="cycle: A, B"):
        run(variables, {"DM": DM})


def test_missing_source_and_column_are_located():
    with pytest.raises(DerivationError, match="variable X: first: source VS was not given"):
        run([var("X", "first", source="VS", value="[VSSTRESN]")], {"DM": DM})
    with pytest.raises(DerivationError, match=r"variable X: expression: \[NOPE\] \+ 1: unknown variable 'NOPE'"):
        run([var("X", "expression", "float", expression="[NOPE] + 1")], {"DM": DM})


def test_integer_variable_refuses_fractions():
    with pytest.raises(DerivationError, match=r"0.5 is not a whole number"):
        run([var("X", "expression", "integer", expression="1 / 2")], {"DM": DM})


def test_time_to_event_censoring_priority_and_traceability():
    adsl = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "S4"],
            "STARTDT": pd.to_datetime(["2014-01-01"] * 4),
            "LSTALVDT": pd.to_datetime(["2014-06-01", "2014-06-01", pd.NaT, pd.NaT]),
            "RFENDT": pd.to_datetime(["2014-07-01", "2014-07-01", "2014-05-01", pd.NaT]),
        }
    )
    adae = pd.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S1", "S2"],
            "AESEQ": [3.0, 1.0, 2.0, 1.0],
            "ASTDT": pd.to_datetime(["2014-02-01", "2014-02-01", "2014-03-01", "2014-03-01"]),
            "EVFL": ["Y", "Y", "Y", ""],
        }
    )
    deaths = pd.DataFrame({"USUBJID": ["S1"], "DTHDT": pd.to_datetime(["2014-01-15"]), "SEQ": [7.0]})
    spec = make_spec(
        [
            var("USUBJID", "copy"),
            var("STARTDT", "copy", "date"),
            var(
                "ADT",
                "time_to_event",
                "date",
                events=[
                    {
                        "source": "ADAE",
                        "filter": "[EVFL] = 'Y'",
                        "date": "ASTDT",
                        "sequence": "AESEQ",
                        "description": "AE",
                    },
                    {"source": "DEATH", "date": "DTHDT", "sequence": "SEQ", "description": "Death"},
                ],
                censors=[
                    {"source": "ADSL", "date": "LSTALVDT", "description": "Last known alive", "censor": 1},
                    {"source": "ADSL", "date": "RFENDT", "description": "End of study", "censor": 2},
                ],
            ),
            var("CNSR", "companion", "integer", of="ADT", role="censor"),
            var("EVNTDESC", "companion", of="ADT", role="description"),
            var("SRCDOM", "companion", of="ADT", role="source_domain"),
            var("SRCVAR", "companion", of="ADT", role="source_variable"),
            var("SRCSEQ", "companion", "integer", of="ADT", role="source_sequence"),
            var("AVAL", "duration", "integer", start="STARTDT", end="ADT"),
        ],
        source="ADSL",
    )
    from opencro.analysis.adam import derive

    out = derive(spec, {"DEATH": deaths}, parents={"ADSL": adsl, "ADAE": adae})
    # S1: the death (2014-01-15) precedes the first AE (2014-02-01, AESEQ 1 wins the same-day tie): event
    assert out.loc[0, ["CNSR", "EVNTDESC", "SRCDOM", "SRCVAR", "SRCSEQ", "AVAL"]].tolist() == [
        0.0,
        "Death",
        "DEATH",
        "DTHDT",
        7.0,
        15.0,
    ]
    # S2: its AE is not flagged, so it is censored at the first censoring source with a date
    assert out.loc[1, ["CNSR", "EVNTDESC", "SRCDOM", "SRCVAR"]].tolist() == [
        1.0,
        "Last known alive",
        "ADSL",
        "LSTALVDT",
    ]
    assert np.isnan(out.loc[1, "SRCSEQ"])
    # S3: no last-alive date, so the second censoring source (priority order) with its own CNSR value
    assert out.loc[2, ["ADT", "CNSR", "EVNTDESC"]].tolist() == [pd.Timestamp("2014-05-01"), 2.0, "End of study"]
    # S4: nothing at all
    assert pd.isna(out.loc[3, "ADT"]) and np.isnan(out.loc[3, "CNSR"]) and out.loc[3, "EVNTDESC"] == ""


def test_time_to_event_takes_the_first_same_day_event_by_sequence():
    adsl = pd.DataFrame({"USUBJID": ["S1"], "RFENDT": pd.to_datetime(["2014-07-01"])})
    adae = pd.DataFrame(
        {"USUBJID": ["S1", "S1"], "AESEQ": [5.0, 2.0], "ASTDT": pd.to_datetime(["2014-02-01", "2014-02-01"])}
    )
    spec = make_spec(
        [
            var("USUBJID", "copy"),
            var(
                "ADT",
                "time_to_event",
                "date",
                events=[{"source": "ADAE", "date": "ASTDT", "sequence": "AESEQ", "description": "AE"}],
                censors=[{"source": "ADSL", "date": "RFENDT", "description": "End"}],
            ),
            var("SRCSEQ", "companion", "integer", of="ADT", role="source_sequence"),
        ],
        source="ADSL",
    )
    from opencro.analysis.adam import derive

    assert derive(spec, {}, parents={"ADSL": adsl, "ADAE": adae})["SRCSEQ"].tolist() == [2.0]


def test_records_sharing_their_keys_are_refused():
    ae = pd.DataFrame({"USUBJID": ["S1", "S1"], "AESEQ": [1.0, 1.0]})
    with pytest.raises(
        DerivationError, match=r"test.yaml: dataset TEST: 2 records share their keys, e.g. USUBJID=S1, AESEQ=1"
    ):
        run([var("AESEQ", "copy", "integer")], {"AE": ae}, source="AE", keys=("USUBJID", "AESEQ"))


def test_inputs_are_not_modified():
    dm = DM.copy()
    run([var("SITEID", "copy"), var("OLD", "flag", condition="[AGE] > 70")], {"DM": dm})
    pd.testing.assert_frame_equal(dm, DM)
