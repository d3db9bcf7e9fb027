"""ARD rows of the hand-made study (conftest.py): counts, percentages, denominators, nesting, summaries.

Every expected number is counted by hand from the rows in conftest.py; p-values come from
tests/reference/tfl/handmade.json (the R calls named there, script handmade.R beside it).
"""

import json
from pathlib import Path

import pytest

from opencro.analysis.tfl import ARD_COLUMNS, SpecError, run_output
from opencro.analysis.tfl.ard import HEADER_ROW

from .conftest import cell, make_spec, stat

REFERENCE = json.loads((Path(__file__).resolve().parents[2] / "reference" / "tfl" / "handmade.json").read_text())


def test_header_n_from_the_population(datasets):
    result = run_output(make_spec([{"type": "count", "variable": "SEX"}]), datasets)
    ard = result.ard
    assert list(ard.columns) == list(ARD_COLUMNS)
    header = ard[ard["row"] == HEADER_ROW].set_index("column")
    # S05 (SAFFL = N) is not counted: A = S01-S04, B = S06-S10
    assert header["stat"].to_dict() == {"A": 4.0, "B": 5.0, "Total": 9.0}
    assert [(c.key, c.n_text) for c in result.layout.columns] == [
        ("A", "(N=4)"), ("B", "(N=5)"), ("Total", "(N=9)"),
    ]  # fmt: skip


def test_count_n_and_percent_of_population(datasets):
    result = run_output(
        make_spec(
            [
                {
                    "type": "count",
                    "label": "Sex",
                    "variable": "SEX",
                    "levels": {"M": "Male", "F": "Female"},
                    "show_n": True,
                }
            ]
        ),
        datasets,
    )
    ard = result.ard
    # A: S01 M, S02 F, S03 F, S04 M -> 2 M, 2 F of 4; B: S06-S08 M, S09-S10 F -> 3 M, 2 F of 5
    assert stat(ard, column="A", variable_level="M", stat_name="n") == 2
    assert stat(ard, column="A", variable_level="M", stat_name="pct") == pytest.approx(50.0)
    assert stat(ard, column="B", variable_level="M", stat_name="pct") == pytest.approx(60.0)
    assert stat(ard, column="Total", variable_level="F", stat_name="n") == 4
    denominators = ard[(ard["stat_name"] == "pct")].set_index(["column", "variable_level"])["denominator"]
    assert denominators[("B", "F")] == 5 and denominators[("Total", "F")] == 9
    assert cell(result, "Male", "A") == "2 ( 50%)"
    assert cell(result, "Male", "Total") == "5 ( 56%)"  # 5/9 = 55.6
    assert cell(result, "Female", "B") == "2 ( 40%)"
    assert cell(result, "n", "B") == "5"
    assert [r.label for r in result.layout.rows] == ["Sex", "n", "Male", "Female"]
    assert [r.indent for r in result.layout.rows] == [0, 1, 1, 1]


def test_nested_counts_with_events_any_row_and_frequency_sort(datasets):
    block = {
        "type": "count",
        "dataset": "ADAE",
        "filter": "[TRTEMFL] = 'Y'",
        "variable": "AEDECOD",
        "by": ["AEBODSYS"],
        "any_row": "ANY EVENT",
        "events": True,
        "pct_decimals": 1,
        "sort": "frequency",
        "sort_column": "B",
    }
    result = run_output(make_spec([block], columns={"variable": "TRT01P", "order": ["A", "B"]}), datasets)
    labels = [(r.label, r.indent) for r in result.layout.rows]
    # SOCs alphabetical; PTs by subjects in B (desc) then name: GI: DIARRHOEA (1), NAUSEA (0); SKIN: PRURITUS, RASH
    assert labels == [
        ("ANY EVENT", 0), ("GI", 0), ("DIARRHOEA", 1), ("NAUSEA", 1), ("SKIN", 0), ("PRURITUS", 1), ("RASH", 1),
    ]  # fmt: skip
    # A: S01 (RASH x2, NAUSEA), S02 (NAUSEA, DIARRHOEA) -> 2 of 4 subjects, 5 events; S05 is outside the population
    assert cell(result, "ANY EVENT", "A") == "2 (50.0%) [5]"
    # B: S06 PRURITUS, S07 RASH (its NAUSEA is not treatment-emergent), S09 DIARRHOEA -> 3 of 5, 3 events
    assert cell(result, "ANY EVENT", "B") == "3 (60.0%) [3]"
    assert cell(result, "GI", "A") == "2 (50.0%) [3]"
    assert cell(result, "RASH", "A") == "1 (25.0%) [2]"
    assert cell(result, "PRURITUS", "A") == "0"
    ard = result.ard
    assert stat(ard, column="A", variable_level="RASH", stat_name="events") == 2
    rash = ard[(ard["variable_level"] == "RASH") & (ard["column"] == "B") & (ard["stat_name"] == "n")]
    assert (rash["group2"].iloc[0], rash["group2_level"].iloc[0]) == ("AEBODSYS", "SKIN")


def test_by_groups_sorted_by_frequency(datasets):
    block = {
        "type": "count",
        "dataset": "ADAE",
        "filter": "[TRTEMFL] = 'Y'",
        "variable": "AEDECOD",
        "by": ["AEBODSYS"],
        "by_sort": "frequency",
        "sort_column": "B",
    }
    result = run_output(make_spec([block]), datasets)
    socs = [r.label for r in result.layout.rows if r.indent == 0]
    # subjects in B: SKIN = S06, S07 (2); GI = S09 (1) -> SKIN first although GI comes first alphabetically
    assert socs == ["SKIN", "GI"]
    with pytest.raises(SpecError, match=r"rows\[0\].sort_column: 'Z' is not a column"):
        run_output(make_spec([dict(block, sort_column="Z")]), datasets)


def test_group_denominator_by_visit(datasets):
    block = {
        "type": "count",
        "dataset": "ADQS",
        "variable": "AVAL",
        "by": ["AVISIT"],
        "show_n": True,
        "denominator": "group",
        "levels": {"1": "Better", "2": "Worse"},
    }
    result = run_output(make_spec([block]), datasets)
    rows = [(r.label, r.cells) for r in result.layout.rows]
    # Week 1: A = S01 (1), S02 (2), S03 (2) -> n 3; B = S06 (1), S07 (1) -> n 2
    # Week 2: A = S01 (2) -> n 1; B = S06 (2), S07 (1), S08 (2) -> n 3. Percentages of n at the visit.
    assert rows == [
        ("Week 1", ("", "", "")),
        ("n", ("3", "2", "5")),
        ("Better", ("1 ( 33%)", "2 (100%)", "3 ( 60%)")),
        ("Worse", ("2 ( 67%)", "0", "2 ( 40%)")),
        ("Week 2", ("", "", "")),
        ("n", ("1", "3", "4")),
        ("Better", ("0", "1 ( 33%)", "1 ( 25%)")),
        ("Worse", ("1 (100%)", "2 ( 67%)", "3 ( 75%)")),
    ]


def test_conditions_missing_row_and_within_columns(datasets):
    spec = make_spec(
        [{"type": "count", "conditions": [{"label": "Older", "filter": "[AGE] >= 65"}], "counts_only": True}],
        columns={
            "variable": "TRT01P",
            "order": ["A", "B"],
            "within": [{"label": "All", "filter": "[SAFFL] = 'Y'"}, {"label": "Men", "filter": "[SEX] = 'M'"}],
        },
    )
    result = run_output(spec, datasets)
    # Older: A = S02 65, S03 70, S04 72 (all; men: S04); B = S08 68, S09 75 (men: S08); S10's age is missing
    assert result.layout.rows[0].cells == ("3", "1", "2", "1")
    assert [c.spanner for c in result.layout.columns] == ["A (N=4)", "A (N=4)", "B (N=5)", "B (N=5)"]


def test_summary_statistics_and_decimals(datasets):
    block = {"type": "summary", "label": "Age", "variable": "AGE"}
    result = run_output(make_spec([block]), datasets)
    ard = result.ard
    # A: 60, 65, 70, 72 -> mean 66.75, SD sqrt(86.75 / 3) = 5.3774, median 67.5
    assert stat(ard, column="A", stat_name="mean") == pytest.approx(66.75)
    assert stat(ard, column="A", stat_name="sd") == pytest.approx((86.75 / 3) ** 0.5)
    # B: 55, 62, 68, 75 (S10 missing, not counted) -> n 4, mean 65
    assert stat(ard, column="B", stat_name="n") == 4
    # data recorded to 0 decimals: mean and median 1 decimal, SD 2 (the default "precision + k")
    assert cell(result, "Mean (SD)", "A") == "66.8 (5.38)"
    assert cell(result, "Median", "A") == "67.5"
    assert cell(result, "Min, Max", "B") == "55, 75"
    # Total: 8 ages summing to 527 -> 65.875
    assert cell(result, "Mean (SD)", "Total").startswith("65.9 (")


def test_summary_explicit_decimals(datasets):
    block = {
        "type": "summary",
        "variable": "AGE",
        "stats": [["Mean", "{mean}"], ["SE", "{se}"]],
        "decimals": {"mean": 3, "se": "+1"},
    }
    result = run_output(make_spec([block]), datasets)
    assert cell(result, "Mean", "A") == "66.750"
    # SE = 5.3774 / 2 = 2.6887 at precision 0 + 1
    assert cell(result, "SE", "A") == "2.7"


def test_tests_in_p_value_column(datasets):
    rows = [
        {"type": "count", "label": "Sex", "variable": "SEX", "test": "chisq"},
        {"type": "summary", "label": "Age", "variable": "AGE", "test": "anova"},
    ]
    result = run_output(make_spec(rows), datasets)
    ard = result.ard
    pvalues = ard[ard["stat_name"] == "pvalue"].set_index("variable")["stat"]
    # R: chisq.test(matrix(c(2, 2, 3, 2), 2), correct = FALSE); anova(lm(age ~ trt)) (handmade.json)
    assert pvalues["SEX"] == pytest.approx(REFERENCE["sex_chisq"]["p"], abs=1e-10)
    assert pvalues["AGE"] == pytest.approx(REFERENCE["age_anova"]["p"], abs=1e-10)
    assert result.layout.columns[-1].label == "p-value"
    assert cell(result, "F", "pvalue") == "0.7642"  # on the block's first row
    assert "Pearson" in " ".join(result.layout.footnotes) or "chi" in " ".join(result.layout.footnotes).lower()


def test_row_fisher_tests_pairwise(datasets):
    block = {
        "type": "count",
        "dataset": "ADAE",
        "filter": "[TRTEMFL] = 'Y'",
        "variable": "AEDECOD",
        "by": ["AEBODSYS"],
        "any_row": "ANY EVENT",
        "row_test": {"method": "fisher", "comparisons": [["A", "B"]], "decimals": 3, "flag_below": 0.6},
    }
    result = run_output(make_spec([block], columns={"variable": "TRT01P", "order": ["A", "B"]}), datasets)
    key = "pvalue:A|B"
    # R: fisher.test(matrix(c(2, 2, 3, 2), 2)) = 1; fisher.test(matrix(c(2, 2, 1, 4), 2)) = 0.5238 (handmade.json)
    assert REFERENCE["any_ae_fisher"]["p"] == 1
    assert cell(result, "ANY EVENT", key) == ">.99"
    assert cell(result, "GI", key) == "0.524*"
    assert stat(result.ard, row=1, stat_name="pvalue") == pytest.approx(REFERENCE["gi_fisher"]["p"], abs=1e-10)
    assert result.layout.columns[-1].label == "A vs. B"


def test_model_block_differences(datasets):
    block = {
        "type": "model",
        "response": "AGE",
        "comparisons": [{"label": "B - A", "pairs": [["B", "A"]]}],
        "lsmeans": True,
    }
    result = run_output(make_spec([block], columns={"variable": "TRT01P", "order": ["A", "B"]}), datasets)
    ard = result.ard
    # one-way model: LS means are the group means 66.75 and 65; the difference -1.75 with SE 5.0394 (R lm)
    assert stat(ard, stat_name="diff") == pytest.approx(REFERENCE["age_diff"]["estimate"], abs=1e-10)
    assert stat(ard, stat_name="diff_se") == pytest.approx(REFERENCE["age_diff"]["se"], abs=1e-10)
    assert stat(ard, stat_name="lsmean", column="A") == pytest.approx(66.75)
    assert cell(result, "Diff of LS Means (SE)", "B") == "-1.8 (5.04)"
    assert cell(result, "LS Mean (SE)", "A").startswith("66.8 (")
    # without a footnote of its own, the model's method sentence is a footnote; with one, that text instead
    assert any("LS means" in f for f in result.layout.footnotes)
    block["footnote"] = "[1] One-way ANOVA."
    result = run_output(make_spec([block], columns={"variable": "TRT01P", "order": ["A", "B"]}), datasets)
    assert result.layout.footnotes[-1] == "[1] One-way ANOVA."
    assert not any("LS means" in f for f in result.layout.footnotes)


def test_data_errors_are_located(datasets):
    with pytest.raises(SpecError, match=r"t-1.yaml: rows\[1\].variable: CHG not in ADQS"):
        run_output(
            make_spec(
                [{"type": "count", "variable": "SEX"}, {"type": "summary", "variable": "CHG", "dataset": "ADQS"}]
            ),
            datasets,
        )
    with pytest.raises(SpecError, match=r"rows\[0\].filter: XX not in ADSL"):
        run_output(make_spec([{"type": "count", "variable": "SEX", "filter": "[XX] = 'Y'"}]), datasets)
    with pytest.raises(SpecError, match=r"columns.order: C not a value of TRT01P"):
        run_output(
            make_spec([{"type": "count", "variable": "SEX"}], columns={"variable": "TRT01P", "order": ["A", "C"]}),
            datasets,
        )
    with pytest.raises(SpecError, match="dataset ADXX was not loaded"):
        run_output(make_spec([{"type": "count", "variable": "SEX", "dataset": "adxx"}]), datasets)
    with pytest.raises(SpecError, match=r"rows\[0\].variable: SEX is not numeric"):
        run_output(make_spec([{"type": "summary", "variable": "SEX"}]), datasets)


def test_listing(datasets):
    spec = make_spec(
        [],
        type="listing",
        listing={
            "dataset": "ADAE",
            "filter": "[TRTEMFL] = 'Y'",
            "columns": ["USUBJID", {"variable": "AEDECOD", "label": "Preferred term"}],
            "sort": ["AEDECOD", "USUBJID"],
        },
    )
    result = run_output(spec, datasets)
    rows = [r.cells for r in result.layout.rows]
    # treatment-emergent events of population subjects (S05 excluded), sorted by term then subject
    assert rows == [
        ("S02", "DIARRHOEA"), ("S09", "DIARRHOEA"), ("S01", "NAUSEA"), ("S02", "NAUSEA"), ("S06", "PRURITUS"),
        ("S01", "RASH"), ("S01", "RASH"), ("S07", "RASH"),
    ]  # fmt: skip
    assert [c.label for c in result.layout.columns] == ["USUBJID", "Preferred term"]
    assert stat(result.ard, column="A", stat_name="records") == 5
