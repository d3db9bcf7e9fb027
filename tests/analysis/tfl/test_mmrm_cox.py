"""The `mmrm` and `cox` row blocks and the Kaplan-Meier figure's `hazard_ratio`, against R on committed data.

MMRM: tests/reference/mmrm/mmrm_data.csv (synthetic, 150 subjects, arms Placebo/Low/High, visits Week 2-12, with
dropout), expected values from tests/reference/mmrm/mmrm.json, written by tests/reference/mmrm/mmrm.R:
"kenward_roger" = emmeans(lmer(chg ~ trt * visit + base [+ sex] + (0 + visit | subject), REML = TRUE), ~ trt | visit,
lmer.df = "kenward-roger") (pbkrtest) and contrast(..., list("Low - Placebo", "High - Placebo", "High - Low"),
infer = TRUE); "base"/"with_sex" = nlme::gls(..., corSymm, varIdent, REML) + emmeans estimates and SEs with
Satterthwaite df from nlme's apVar. Tolerances as tests/stats/mmrm/test_mmrm.py explains: Kenward-Roger SEs
and df 1e-6 relative, estimates and limits 1e-6 absolute (lme4 reaches the same REML optimum); gls estimates 2e-5
absolute, SEs 1e-4 relative, apVar df 1e-2 relative (nlme stops earlier and its apVar Hessian is coarse).

Cox: tests/reference/survival/survival_data.csv (72 subjects, arms A/B/C, strata S1/S2, age), expected values from
tests/reference/survival/survival.json, written by tests/reference/survival/survival.R: coxph(Surv(time, event) ~
arm + strata(stratum)), ~ arm + age (ties = "breslow"), and ~ relevel(factor(arm), ref = "B") (Efron);
summary(fit)$conf.int for the 95% limits and $coefficients[, "Pr(>|z|)"] for the Wald p-values.
"""

import json
from pathlib import Path

import pandas as pd
import pytest

from opencro.analysis.tfl import SpecError, render, run_output

from .conftest import cell, make_spec, stat

REFERENCE = Path(__file__).resolve().parents[2] / "reference"
MMRM = json.loads((REFERENCE / "mmrm" / "mmrm.json").read_text())
SURVIVAL = json.loads((REFERENCE / "survival" / "survival.json").read_text())
ARMS = ["Placebo", "Low", "High"]


@pytest.fixture
def scores() -> dict[str, pd.DataFrame]:
    data = pd.read_csv(REFERENCE / "mmrm" / "mmrm_data.csv").rename(columns={"subject": "USUBJID"})
    data["VISITN"] = data["visit"].str.replace("Week ", "").astype(float)
    adsl = data[["USUBJID", "trt"]].drop_duplicates().rename(columns={"trt": "TRT01P"}).assign(EFFFL="Y")
    return {"ADSL": adsl, "ADMM": data}


def mmrm_spec(block: dict, **overrides):
    row = {
        "type": "mmrm",
        "dataset": "ADMM",
        "response": "chg",
        "visit": "visit",
        "visit_order": "VISITN",
        "covariates": ["base"],
        "comparisons": [
            {"label": "p-value (vs Placebo)", "pairs": [["Low", "Placebo"], ["High", "Placebo"]]},
            {"label": "p-value (High - Low)", "pairs": [["High", "Low"]]},
        ],
    }
    row.update(block)
    return make_spec(
        [row],
        population={"dataset": "ADSL", "filter": "[EFFFL] = 'Y'", "label": "Efficacy"},
        columns={"variable": "TRT01P", "order": ARMS},
        **overrides,
    )


@pytest.mark.parametrize("case", ["base", "with_sex"])
def test_mmrm_block_kenward_roger_matches_pbkrtest(scores, case):
    spec = mmrm_spec({"df": "kenward-roger", "factors": ["sex"] if case == "with_sex" else []})
    result = run_output(spec, scores)
    ard = result.ard
    ref = MMRM["kenward_roger"][case]
    lsm = ref["lsmeans"]
    for visit, trt, estimate, se, df in zip(lsm["visit"], lsm["trt"], lsm["emmean"], lsm["se"], lsm["df"], strict=True):
        where = {"group2_level": visit, "column": trt}
        assert stat(ard, stat_name="lsmean", **where) == pytest.approx(estimate, rel=1e-6, abs=1e-6)
        assert stat(ard, stat_name="lsmean_se", **where) == pytest.approx(se, rel=1e-6)
        assert stat(ard, stat_name="df", row_label="LS Mean (SE)", **where) == pytest.approx(df, rel=1e-6)
    con = ref["contrasts"]
    for i, label in enumerate(con["label"]):
        level, reference = label.split(" - ")
        where = {"group2_level": con["visit"][i], "variable_level": f"{level} - {reference}"}
        assert stat(ard, stat_name="diff", **where) == pytest.approx(con["estimate"][i], rel=1e-6, abs=1e-6)
        assert stat(ard, stat_name="diff_se", **where) == pytest.approx(con["se"][i], rel=1e-6)
        assert stat(ard, stat_name="df", **where) == pytest.approx(con["df"][i], rel=1e-6)
        assert stat(ard, stat_name="pvalue", **where) == pytest.approx(con["p"][i], rel=1e-5)
        assert stat(ard, stat_name="ci_low", **where) == pytest.approx(con["lower"][i], rel=1e-6, abs=1e-6)
        assert stat(ard, stat_name="ci_high", **where) == pytest.approx(con["upper"][i], rel=1e-6, abs=1e-6)
    methods = set(ard[ard["row"] >= 0]["method"])
    assert methods == {"MMRM, unstructured covariance, REML, Kenward-Roger df"}
    # every visit in time order (VISITN), each with its own LS-mean row; footnote names the df method
    labels = [r.label for r in result.layout.rows if not r.blank]
    assert [lab for lab in labels if lab.startswith("Week")] == ["Week 2", "Week 4", "Week 8", "Week 12"]
    assert any("Kenward-Roger" in f for f in result.layout.footnotes)


def test_mmrm_block_satterthwaite_matches_gls(scores):
    spec = mmrm_spec({"visits": ["Week 12"], "comparisons": []})
    result = run_output(spec, scores)
    ard = result.ard
    ref = MMRM["base"]
    lsm = ref["lsmeans"]
    for visit, trt, estimate, se, df in zip(lsm["visit"], lsm["trt"], lsm["emmean"], lsm["se"], lsm["df"], strict=True):
        if visit != "Week 12":
            continue
        where = {"group2_level": visit, "column": trt}
        assert stat(ard, stat_name="lsmean", **where) == pytest.approx(estimate, abs=2e-5)
        assert stat(ard, stat_name="lsmean_se", **where) == pytest.approx(se, rel=1e-4)
        assert stat(ard, stat_name="df", row_label="LS Mean (SE)", **where) == pytest.approx(df, rel=1e-2)
    # only the listed visit is printed; without comparisons: each arm against the first (Placebo)
    assert set(ard[ard["row"] >= 0]["group2_level"]) == {"Week 12"}
    assert set(ard[ard["stat_name"] == "diff"]["variable_level"]) == {"Low - Placebo", "High - Placebo"}
    con = ref["contrasts"]
    i = next(k for k, (v, lab) in enumerate(zip(con["visit"], con["label"], strict=True)) if (v, lab) == (
        "Week 12", "High - Placebo"))  # fmt: skip
    assert stat(ard, stat_name="diff", variable_level="High - Placebo") == pytest.approx(con["estimate"][i], abs=2e-5)
    assert stat(ard, stat_name="diff_se", variable_level="High - Placebo") == pytest.approx(con["se"][i], rel=1e-4)
    # cells: "estimate (SE)" with 1 and 2 decimals, p-value with 3, the difference in the column of its level
    high = stat(ard, stat_name="lsmean", column="High")
    high_se = stat(ard, stat_name="lsmean_se", column="High")
    assert cell(result, "LS Mean (SE)", "High") == f"{high:.1f} ({high_se:.2f})"
    assert cell(result, "p-value", "Placebo") == ""
    assert set(ard[ard["row"] >= 0]["method"]) == {"MMRM, unstructured covariance, REML, Satterthwaite df"}
    assert any("Satterthwaite" in f for f in result.layout.footnotes)
    html = render(result, "html").decode("utf-8")
    assert "Week 12" in html and "LS Mean (SE)" in html


def test_mmrm_footnote_override_and_visit_list(scores):
    spec = mmrm_spec(
        {"visit_order": ["Week 2", "Week 4", "Week 8", "Week 12"], "visit_header": False, "visits": ["Week 4"],
         "footnote": "[1] MMRM, unstructured covariance.", "label": "Change from baseline"}
    )  # fmt: skip
    result = run_output(spec, scores)
    assert result.layout.footnotes == ("A footnote.", "[1] MMRM, unstructured covariance.")
    assert [r.label for r in result.layout.rows][:2] == ["Change from baseline", "LS Mean (SE)"]
    assert result.layout.rows[1].indent == 1


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"visit": "AVISITX"}, r"t-1.yaml: rows\[0\].visit: AVISITX not in ADMM"),
        ({"covariates": ["BASEX"]}, r"t-1.yaml: rows\[0\].covariates: BASEX not in ADMM"),
        ({"visits": ["Week 30"]}, r"t-1.yaml: rows\[0\].visits\[0\]: 'Week 30' is not a value of visit"),
        ({"visit_order": ["Week 2", "Week 5"]}, r"rows\[0\].visit_order\[1\]: 'Week 5' is not a value"),
        ({"comparisons": [{"label": "x", "pairs": [["Mid", "Placebo"]]}]}, r"rows\[0\].comparisons: 'Mid' is not"),
        ({"filter": "[chg] > 1000"}, r"rows\[0\].filter: no records left"),
    ],
)
def test_mmrm_errors_are_located(scores, block, message):
    with pytest.raises(SpecError, match=message):
        run_output(mmrm_spec(block), scores)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"type": "mmrm", "response": "chg"}, r"t-1.yaml: rows\[0\].visit: is required"),
        ({"type": "mmrm", "response": "chg", "visit": "v", "df": "kr"}, r"rows\[0\].df: 'kr' is not one of"),
        (
            {"type": "mmrm", "response": "chg", "visit": "v", "covariate_by_visit": ["base"]},
            r"rows\[0\].covariate_by_visit\[0\]: base is not one of the covariates",
        ),
        ({"type": "cox", "time": "t"}, r"t-1.yaml: rows\[0\].censor: is required"),
        ({"type": "cox", "time": "t", "censor": "c", "ties": "exact"}, r"rows\[0\].ties: 'exact' is not one of"),
    ],
)
def test_block_spec_errors(block, message):
    with pytest.raises(SpecError, match=message):
        make_spec([block])


# ------------------------------------------------------------------------------------------------ Cox


@pytest.fixture
def survival() -> dict[str, pd.DataFrame]:
    data = pd.read_csv(REFERENCE / "survival" / "survival_data.csv").rename(columns={"id": "USUBJID"})
    data["CNSR"] = 1 - data["event"]
    adsl = data[["USUBJID", "arm", "stratum"]].rename(columns={"arm": "TRT01P"})
    return {"ADSL": adsl, "ADTTE": data.drop(columns=["arm"])}


def cox_spec(block: dict, **overrides):
    row = {"type": "cox", "dataset": "ADTTE", "time": "time", "censor": "CNSR"}
    row.update(block)
    return make_spec(
        [row], population={"dataset": "ADSL", "label": "All"}, columns={"variable": "TRT01P", "order": ["A", "B", "C"]},
        **overrides,
    )  # fmt: skip


def check_terms(ard, reference: dict, pairs: dict[str, str]) -> None:
    for term, comparison in pairs.items():
        i = reference["terms"].index(term)
        where = {"variable_level": comparison}
        assert stat(ard, stat_name="hr", **where) == pytest.approx(reference["hr"][i], rel=1e-6)
        assert stat(ard, stat_name="hr_ci_low", **where) == pytest.approx(reference["lower"][i], rel=1e-6)
        assert stat(ard, stat_name="hr_ci_high", **where) == pytest.approx(reference["upper"][i], rel=1e-6)
        assert stat(ard, stat_name="pvalue", **where) == pytest.approx(reference["p"][i], rel=1e-6)
        assert stat(ard, stat_name="coef_se", **where) == pytest.approx(reference["se"][i], rel=1e-6)


def test_cox_block_stratified_matches_coxph(survival):
    result = run_output(cox_spec({"strata": "stratum", "label": "Time to event"}), survival)
    check_terms(result.ard, SURVIVAL["cox"]["arm_strata_efron"], {"armB": "B vs A", "armC": "C vs A"})
    hr_b = SURVIVAL["cox"]["arm_strata_efron"]["hr"][0]
    assert cell(result, "Hazard ratio", "B") == f"{hr_b:.2f}"
    assert cell(result, "Hazard ratio", "A") == ""
    # coxph: B vs A lower 0.99997, upper 4.5165, p 0.0500076 -> "(1.00;4.52)" and "0.0500"
    assert cell(result, "95% CI", "B") == "(1.00;4.52)"
    assert cell(result, "p-value", "B") == "0.0500"
    assert any("stratified by stratum" in f and "Efron" in f for f in result.layout.footnotes)


def test_cox_block_covariate_breslow_and_other_reference(survival):
    spec = cox_spec({"covariates": ["age"], "ties": "breslow"})
    check_terms(
        run_output(spec, survival).ard, SURVIVAL["cox"]["arm_age_breslow"], {"armB": "B vs A", "armC": "C vs A"}
    )
    spec = cox_spec(
        {
            "comparisons": [
                {"label": "vs B", "pairs": [["A", "B"], ["C", "B"]]},
                {"label": "C vs A", "pairs": [["C", "A"]]},
            ]
        }
    )
    result = run_output(spec, survival)
    check_terms(result.ard, SURVIVAL["cox"]["arm_refB_efron"], {"armA": "A vs B", "armC": "C vs B"})
    labels = [r.label for r in result.layout.rows if not r.blank]
    assert labels == ["vs B", "Hazard ratio", "95% CI", "p-value", "C vs A", "Hazard ratio", "95% CI", "p-value"]


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"time": "AVAL"}, r"t-1.yaml: rows\[0\].time: AVAL not in ADTTE"),
        ({"strata": "SITE"}, r"t-1.yaml: rows\[0\].strata: SITE not in ADTTE"),
        ({"comparisons": [{"label": "x", "pairs": [["D", "A"]]}]}, r"rows\[0\].comparisons: 'D' is not a treatment"),
    ],
)
def test_cox_errors_are_located(survival, block, message):
    with pytest.raises(SpecError, match=message):
        run_output(cox_spec(block), survival)


def test_cox_needs_one_record_per_subject(survival):
    survival["ADTTE"] = pd.concat([survival["ADTTE"], survival["ADTTE"].iloc[:1]])
    with pytest.raises(SpecError, match=r"rows\[0\].filter: S001 has more than one record"):
        run_output(cox_spec({}), survival)


def km_spec(hazard_ratio, **figure):
    return make_spec(
        [],
        type="figure",
        titles=["Figure F-5"],
        population={"dataset": "ADSL", "label": "All"},
        columns={"variable": "TRT01P", "order": ["A", "B", "C"]},
        figure={"kind": "km", "dataset": "ADTTE", "time": "time", "censor": "CNSR", "test": "logrank",
                "hazard_ratio": hazard_ratio, **figure},
    )  # fmt: skip


def test_km_figure_hazard_ratio(survival):
    result = run_output(km_spec({"strata": "stratum"}), survival)
    check_terms(result.ard, SURVIVAL["cox"]["arm_strata_efron"], {"armB": "B vs A", "armC": "C vs A"})
    # the log-rank p-value is still the one of row 3 (across the three arms, survival.json logrank.three_groups)
    logrank = result.ard[(result.ard["row"] == 3) & (result.ard["stat_name"] == "pvalue")]["stat"].iloc[0]
    assert logrank == pytest.approx(SURVIVAL["logrank"]["three_groups"]["pvalue"], rel=1e-6)
    html = render(result, "html").decode("utf-8")
    # coxph C vs A (stratified): HR 2.5408, 95% CI 1.2470 to 5.1769, p 0.01023
    assert "HR C vs A: 2.54 (1.25, 5.18), p = 0.0102" in html
    assert render(result, "pdf").startswith(b"%PDF")
    assert any("stratified by stratum" in f for f in result.layout.footnotes)


def test_km_figure_hazard_ratio_reference_and_errors(survival):
    result = run_output(km_spec({"reference": "B"}), survival)
    check_terms(result.ard, SURVIVAL["cox"]["arm_refB_efron"], {"armA": "A vs B", "armC": "C vs B"})
    assert run_output(km_spec(True), survival).ard.query("row == 4").shape[0] == 12
    with pytest.raises(SpecError, match=r"figure.hazard_ratio.reference: 'D' is not a treatment level"):
        run_output(km_spec({"reference": "D"}), survival)
    with pytest.raises(SpecError, match=r"figure.hazard_ratio.strata: SITE not in ADTTE"):
        run_output(km_spec({"strata": "SITE"}), survival)
    with pytest.raises(SpecError, match=r"figure.hazard_ratio: a hazard ratio belongs to a Kaplan-Meier figure"):
        make_spec(
            [], type="figure", titles=["F"],
            figure={"kind": "mean_over_time", "dataset": "ADTTE", "variable": "time", "visit": "arm",
                    "hazard_ratio": True},
        )  # fmt: skip
