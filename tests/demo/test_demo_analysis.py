"""The demo study's analysis: the OPC-301 ADaM specifications (`opencro/demo/analysis/adam/*.yaml`) derive from the
demo's SDTM, and every output specification (`opencro/demo/analysis/tables/*.yaml`) runs on them and renders.

The SDTM is built in memory from the loaded demo exactly as the submission package builds it. Every expected number
is computed here by another route than the specification's: from the database (treatment assignments, dispensed
kits, subject status) and from the SDTM records with plain pandas, numpy and scipy (dates compared as ISO text, visit
windows and the ANCOVA re-done by hand), never through `opencro.analysis.adam`, `opencro.analysis.tfl` or
`opencro.stats`.
"""

import datetime as dt
import importlib.resources
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import scipy.stats
import yaml

from opencro.analysis.adam import derive, spec_from_mapping
from opencro.analysis.adam.spec import DatasetSpec
from opencro.analysis.adam_write import adam_xpt
from opencro.analysis.sdtm.build import build_study
from opencro.analysis.sdtm.default_spec import default_spec
from opencro.analysis.sources import study_sources
from opencro.analysis.tfl import parse_spec, run_output, write_output
from opencro.formats.xpt.writer import write_xpt
from opencro.rtsm.models import Dispensation
from opencro.studies.models import Study
from opencro.subjects.models import Subject, TreatmentAssignment

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

ANALYSIS = importlib.resources.files("opencro.demo") / "analysis"
ADAM_ORDER = ("ADSL", "ADAE", "ADTTE", "ADVS", "ADLB")  # parents first
ARM_NAMES = {"A": "OPC-1127 10 mg", "B": "OPC-1127 20 mg", "P": "Placebo"}
OUTPUTS = ("14-1.01", "14-1.02", "14-2.01", "14-3.01", "14-3.02", "14-5.01", "14-5.02", "16-2.07", "14-1")


@dataclass(frozen=True, repr=False)
class Facts:
    """What the database says, read without the analysis code: arm code, first kit, status per USUBJID."""

    arm: dict[str, str]
    first_dose: dict[str, str]
    status: dict[str, str]


@dataclass(frozen=True, repr=False)
class Analysis:
    """The demo's SDTM, its ADaM datasets and computed outputs."""

    sdtm: dict[str, pd.DataFrame]
    adam: dict[str, pd.DataFrame]
    specs: dict[str, DatasetSpec]
    outputs: dict[str, object]
    facts: Facts


def _facts(study: Study) -> Facts:
    def subject_id(number: str) -> str:
        return f"{study.protocol_number}-{number}"

    arm = {
        subject_id(number): code
        for number, code in TreatmentAssignment.objects.filter(subject__study=study).values_list(
            "subject__number", "arm__code"
        )
    }
    first_dose: dict[str, str] = {}
    for number, day in Dispensation.objects.filter(subject__study=study).values_list("subject__number", "visit_date"):
        key = subject_id(number)
        first_dose[key] = min(first_dose.get(key, day.isoformat()), day.isoformat())
    status = {subject_id(n): s for n, s in Subject.objects.filter(study=study).values_list("number", "status")}
    return Facts(arm, first_dose, status)


@pytest.fixture(scope="module")
def analysis(demo_loaded, django_db_blocker) -> Analysis:
    with django_db_blocker.unblock():
        study = Study.objects.get(protocol_number="OPC-301")
        src = study_sources(study, blinded=False)
        facts = _facts(study)
    spec = default_spec(src.item_meta, src.group_meta, src.codelists, study_id="OPC-301")
    sdtm = dict(build_study(spec, src.sdtm_inputs()).domains)
    specs = {}
    for name in ADAM_ORDER:
        resource = ANALYSIS / "adam" / f"{name.lower()}.yaml"
        specs[name] = spec_from_mapping(yaml.safe_load(resource.read_text(encoding="utf-8")), origin=resource.name)
    adam: dict[str, pd.DataFrame] = {}
    for name in ADAM_ORDER:
        adam[name] = derive(specs[name], sdtm, parents=adam)
    outputs = {}
    for output in OUTPUTS:
        resource = ANALYSIS / "tables" / f"{output}.yaml"
        document = yaml.safe_load(resource.read_text(encoding="utf-8"))
        outputs[output] = run_output(parse_spec(document, source=resource.name), adam)
    return Analysis(sdtm, adam, specs, outputs, facts)


def _ard(analysis: Analysis, output: str) -> pd.DataFrame:
    return analysis.outputs[output].ard


def _stat(ard: pd.DataFrame, *, column: str, stat: str, **where: str) -> float:
    rows = ard[(ard["column"] == column) & (ard["stat_name"] == stat)]
    for key, value in where.items():
        rows = rows[rows[key] == value]
    assert len(rows) == 1, f"{len(rows)} ARD rows for {column} {stat} {where}"
    return float(rows["stat"].iloc[0])


def _dosed_by_arm(facts: Facts) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {name: set() for name in ARM_NAMES.values()}
    for subject in facts.first_dose:
        groups[ARM_NAMES[facts.arm[subject]]].add(subject)
    return groups


def _day(date: str, first_dose: str) -> int:
    """Study day against the first dose, no day 0 (date on or after: +1)."""
    delta = (dt.date.fromisoformat(date[:10]) - dt.date.fromisoformat(first_dose)).days
    return delta + 1 if delta >= 0 else delta


# ------------------------------------------------------------------------------------------------ the datasets


def test_every_specification_derives_and_is_xpt_writable(analysis, tmp_path):
    assert set(analysis.adam) == set(ADAM_ORDER)
    for name, frame in analysis.adam.items():
        assert len(frame) > 0, name
        assert all(len(column) <= 8 for column in frame.columns), name
        labels = frame.attrs["labels"]
        assert all(0 < len(labels[column]) <= 40 for column in frame.columns), name
        path = tmp_path / f"{name.lower()}.xpt"
        write_xpt(path, [adam_xpt(frame)], fit_lengths=True, created=dt.datetime(2026, 1, 1))
        back, meta = pyreadstat.read_xport(str(path))
        assert list(back.columns) == list(frame.columns), name
        assert len(back) == len(frame), name
        assert meta.column_labels == [labels[c] for c in frame.columns], name


def test_adsl_populations_match_the_database(analysis):
    adsl, facts = analysis.adam["ADSL"], analysis.facts
    screen_failed = {s for s, status in facts.status.items() if status == "screen_failed"}
    dm = analysis.sdtm["DM"]
    assert set(adsl["USUBJID"]) == set(dm["USUBJID"]) - screen_failed
    assert set(adsl.loc[adsl["ITTFL"] == "Y", "USUBJID"]) == set(facts.arm)
    assert set(adsl.loc[adsl["SAFFL"] == "Y", "USUBJID"]) == set(facts.first_dose)
    dosed = adsl[adsl["SAFFL"] == "Y"].set_index("USUBJID")
    for subject, row in dosed.iterrows():
        assert row["TRT01A"] == ARM_NAMES[facts.arm[subject]], subject
        assert row["TRTSDT"].date().isoformat() == facts.first_dose[subject], subject
    statuses = adsl.set_index("USUBJID")["EOSSTT"]
    expected = {"completed": "COMPLETED", "withdrawn": "DISCONTINUED"}
    for subject, status in statuses.items():
        assert status == expected.get(facts.status[subject], "ONGOING"), subject


def test_itt_planned_treatment_is_the_randomised_arm(analysis):
    adsl = analysis.adam["ADSL"].set_index("USUBJID")
    for subject, code in analysis.facts.arm.items():
        assert adsl.loc[subject, "TRT01P"] == ARM_NAMES[code], subject


def test_adsl_baseline_weight_and_efficacy_flag(analysis):
    adsl, facts = analysis.adam["ADSL"].set_index("USUBJID"), analysis.facts
    vs = analysis.sdtm["VS"]
    for subject, first_dose in facts.first_dose.items():
        weights = vs[(vs["USUBJID"] == subject) & (vs["VSTESTCD"] == "WEIGHT") & vs["VSSTRESN"].notna()]
        before = weights[weights["VSDTC"].str[:10] <= first_dose].sort_values(["VSDTC", "VSSEQ"])
        assert adsl.loc[subject, "WEIGHTBL"] == pytest.approx(before["VSSTRESN"].iloc[-1]), subject
    # Full analysis set: dosed, an NT-proBNP on or before the first dose and one after it (dated by the visit).
    lb, sv = analysis.sdtm["LB"], analysis.sdtm["SV"]
    bnp = lb[(lb["LBTESTCD"] == "NTPROBNP") & lb["LBSTRESN"].notna()].merge(
        sv[["USUBJID", "VISITNUM", "SVSTDTC"]], on=["USUBJID", "VISITNUM"], how="left"
    )
    bnp["DATE"] = bnp["LBDTC"].where(bnp["LBDTC"].notna() & (bnp["LBDTC"].astype(str) != ""), bnp["SVSTDTC"])
    expected = set()
    for subject, first_dose in facts.first_dose.items():
        dates = bnp.loc[bnp["USUBJID"] == subject, "DATE"].str[:10]
        if (dates <= first_dose).any() and (dates > first_dose).any():
            expected.add(subject)
    assert set(adsl.index[adsl["EFFFL"] == "Y"]) == expected


def test_advs_baseline_is_the_last_value_on_or_before_the_first_dose(analysis):
    advs, vs, facts = analysis.adam["ADVS"], analysis.sdtm["VS"], analysis.facts
    checked = 0
    for code in ("SYSBP", "DIABP", "PULSE"):
        base = advs[(advs["PARAMCD"] == code) & (advs["ABLFL"] == "Y")].set_index("USUBJID")
        assert base.index.is_unique
        for subject, first_dose in facts.first_dose.items():
            rows = vs[(vs["USUBJID"] == subject) & (vs["VSTESTCD"] == code) & vs["VSSTRESN"].notna()]
            before = rows[rows["VSDTC"].str[:10] <= first_dose].sort_values(["VSDTC", "VSSEQ"])
            assert base.loc[subject, "AVAL"] == pytest.approx(before["VSSTRESN"].iloc[-1]), (code, subject)
            assert (
                advs.loc[(advs["USUBJID"] == subject) & (advs["PARAMCD"] == code), "BASE"] == base.loc[subject, "AVAL"]
            ).all()
            checked += 1
    assert checked == 3 * len(facts.first_dose)


def test_teae_flag_is_start_on_or_after_the_first_dose(analysis):
    adae, ae, facts = analysis.adam["ADAE"], analysis.sdtm["AE"], analysis.facts
    expected = {
        (row.USUBJID, row.AESEQ)
        for row in ae.itertuples()
        if row.USUBJID in facts.first_dose and str(row.AESTDTC)[:10] >= facts.first_dose[row.USUBJID]
    }
    flagged = {(row.USUBJID, row.AESEQ) for row in adae[adae["TRTEMFL"] == "Y"].itertuples()}
    assert flagged == expected
    assert len(expected) > 0


# ------------------------------------------------------------------------------------------------ the outputs


def test_populations_table_counts_the_randomised_and_the_dosed_per_arm(analysis):
    ard, facts = _ard(analysis, "14-1.01"), analysis.facts
    itt = "Randomised / Intent-to-Treat (ITT)"
    for code, arm in ARM_NAMES.items():
        randomised = sum(1 for c in facts.arm.values() if c == code)
        assert _stat(ard, column=arm, stat="bigN") == randomised, arm
        assert _stat(ard, column=arm, stat="n", row_label=itt) == randomised, arm
    for arm, subjects in _dosed_by_arm(facts).items():
        assert _stat(ard, column=arm, stat="n", row_label="Safety") == len(subjects), arm
    assert _stat(ard, column="Total", stat="n", row_label=itt) == len(facts.arm)
    assert _stat(ard, column="Total", stat="n", row_label="Safety") == len(analysis.facts.first_dose)


def test_disposition_table_adds_up(analysis):
    ard = _ard(analysis, "14-1.02")
    for column in (*ARM_NAMES.values(), "Total"):
        big_n = _stat(ard, column=column, stat="bigN")
        statuses = ("Completed study", "Discontinued study", "Ongoing at data cut-off")
        assert sum(_stat(ard, column=column, stat="n", row_label=label) for label in statuses) == big_n, column


def test_demographics_age_per_arm(analysis):
    ard, facts = _ard(analysis, "14-2.01"), analysis.facts
    dm = analysis.sdtm["DM"]
    shown = dm[dm["USUBJID"].isin(facts.arm)]  # the ITT population: every randomised participant
    for code, arm in ARM_NAMES.items():
        ages = shown.loc[shown["USUBJID"].map(facts.arm) == code, "AGE"].astype(float)
        assert _stat(ard, column=arm, stat="n", row_label="n", variable="AGE") == len(ages), arm
        assert _stat(ard, column=arm, stat="mean", variable="AGE") == pytest.approx(ages.mean()), arm
    assert _stat(ard, column="Total", stat="mean", variable="AGE") == pytest.approx(shown["AGE"].astype(float).mean())


def _window_value(rows: pd.DataFrame, date_column: str, first_dose: str, low: int, high: int, target: int):
    """The value nearest the target day within [low, high] (the earlier day on a tie), or None."""
    candidates = []
    for row in rows.itertuples():
        day = _day(getattr(row, date_column), first_dose)
        if low <= day <= high:
            candidates.append((abs(day - target), day, row.Index))
    return rows.loc[min(candidates)[2]] if candidates else None


def test_vital_signs_change_at_week_4_by_hand(analysis):
    ard, vs, facts = _ard(analysis, "14-3.01"), analysis.sdtm["VS"], analysis.facts
    week4 = ard[(ard["variable"] == "CHG") & (ard["group2_level"] == "Week 4")].sort_values("row", kind="stable")
    for arm, subjects in _dosed_by_arm(facts).items():
        changes = []
        for subject in subjects:
            rows = vs[(vs["USUBJID"] == subject) & (vs["VSTESTCD"] == "SYSBP") & vs["VSSTRESN"].notna()]
            before = rows[rows["VSDTC"].str[:10] <= facts.first_dose[subject]].sort_values(["VSDTC", "VSSEQ"])
            value = _window_value(rows, "VSDTC", facts.first_dose[subject], 23, 57, 29)
            if value is not None:
                changes.append(value["VSSTRESN"] - before["VSSTRESN"].iloc[-1])
        # The systolic blood pressure block comes first in the table: its rows are the first ones of each statistic.
        cells = week4[week4["column"] == arm]
        assert cells[cells["stat_name"] == "n"]["stat"].iloc[0] == len(changes), arm
        assert len(changes) > 0, arm
        assert cells[cells["stat_name"] == "mean"]["stat"].iloc[0] == pytest.approx(np.mean(changes)), arm


def _ntprobnp_week12(analysis: Analysis) -> pd.DataFrame:
    """Per full-analysis-set participant: arm, baseline and week-12 NT-proBNP, dated by the visit (SV) when LB has
    no date; baseline the last on or before the first dose, week 12 nearest day 85 within days 58-127."""
    lb, sv, facts = analysis.sdtm["LB"], analysis.sdtm["SV"], analysis.facts
    adsl = analysis.adam["ADSL"]
    efficacy = set(adsl.loc[adsl["EFFFL"] == "Y", "USUBJID"])
    bnp = lb[(lb["LBTESTCD"] == "NTPROBNP") & lb["LBSTRESN"].notna()].merge(
        sv[["USUBJID", "VISITNUM", "SVSTDTC"]], on=["USUBJID", "VISITNUM"], how="left"
    )
    bnp["DATE"] = bnp["LBDTC"].where(bnp["LBDTC"].notna() & (bnp["LBDTC"].astype(str) != ""), bnp["SVSTDTC"])
    records = []
    for subject in sorted(efficacy):
        first_dose = facts.first_dose[subject]
        rows = bnp[bnp["USUBJID"] == subject]
        before = rows[rows["DATE"].str[:10] <= first_dose].sort_values(["DATE", "LBSEQ"])
        week12 = _window_value(rows, "DATE", first_dose, 58, 127, 85)
        if week12 is not None:
            base = before["LBSTRESN"].iloc[-1]
            records.append((ARM_NAMES[facts.arm[subject]], base, week12["LBSTRESN"] - base))
    return pd.DataFrame.from_records(records, columns=["ARM", "BASE", "CHG"])


def test_ntprobnp_ancova_by_least_squares(analysis):
    """LS means and differences vs placebo re-computed by ordinary least squares (numpy): CHG = a + arm + b * BASE,
    LS mean = prediction at the mean baseline; the difference is the arm's coefficient against placebo, its SE from
    the residual variance times (X'X)^-1, the 95% CI and two-sided p-value from Student's t (scipy) on the residual
    degrees of freedom."""
    ard = _ard(analysis, "14-3.02")
    data = _ntprobnp_week12(analysis)
    levels = list(ARM_NAMES.values())
    assert set(data["ARM"]) == set(levels), "the ANCOVA needs every arm"
    design = np.column_stack(
        [np.ones(len(data))] + [(data["ARM"] == level).astype(float) for level in levels[:2]] + [data["BASE"]]
    )
    coef, *_ = np.linalg.lstsq(design, data["CHG"].to_numpy(float), rcond=None)
    mean_base = data["BASE"].mean()
    lsmeans = {levels[0]: coef[0] + coef[1], levels[1]: coef[0] + coef[2], levels[2]: coef[0]}
    for level, value in lsmeans.items():
        assert _stat(ard, column=level, stat="lsmean") == pytest.approx(value + coef[3] * mean_base, rel=1e-9)
    residuals = data["CHG"].to_numpy(float) - design @ coef
    df_residual = len(data) - design.shape[1]
    covariance = residuals @ residuals / df_residual * np.linalg.inv(design.T @ design)
    for i, level in enumerate(levels[:2], 1):
        se = np.sqrt(covariance[i, i])
        assert _stat(ard, column=level, stat="diff") == pytest.approx(coef[i], rel=1e-9)
        assert _stat(ard, column=level, stat="diff_se") == pytest.approx(se, rel=1e-9)
        half = scipy.stats.t.ppf(0.975, df_residual) * se
        assert _stat(ard, column=level, stat="ci_low") == pytest.approx(coef[i] - half, rel=1e-9)
        assert _stat(ard, column=level, stat="ci_high") == pytest.approx(coef[i] + half, rel=1e-9)
        p_value = 2 * scipy.stats.t.sf(abs(coef[i]) / se, df_residual)
        assert _stat(ard, column=level, stat="pvalue") == pytest.approx(p_value, rel=1e-9)
    change = ard[(ard["variable"] == "CHG") & (ard["stat_name"] == "mean")]
    for level in levels:
        expected = data.loc[data["ARM"] == level, "CHG"].mean()
        assert change.loc[change["column"] == level, "stat"].iloc[0] == pytest.approx(expected)


def test_teae_tables_count_participants_and_events_per_arm(analysis):
    ae, facts = analysis.sdtm["AE"], analysis.facts
    teae = ae[
        [
            s in facts.first_dose and str(d)[:10] >= facts.first_dose.get(s, "")
            for s, d in zip(ae["USUBJID"], ae["AESTDTC"], strict=True)
        ]
    ]
    soc_pt = _ard(analysis, "14-5.01")
    overview = _ard(analysis, "14-5.02")
    for arm, subjects in _dosed_by_arm(facts).items():
        rows = teae[teae["USUBJID"].isin(subjects)]
        anyrow = "Participants with at least one TEAE"
        assert _stat(soc_pt, column=arm, stat="n", row_label=anyrow) == rows["USUBJID"].nunique(), arm
        assert _stat(soc_pt, column=arm, stat="events", row_label=anyrow) == len(rows), arm
        assert _stat(overview, column=arm, stat="n", row_label="TEAE") == rows["USUBJID"].nunique(), arm
        serious = rows[rows["AESER"] == "Y"]["USUBJID"].nunique()
        assert _stat(overview, column=arm, stat="n", row_label="Serious TEAE") == serious, arm
        worst = (
            rows.assign(rank=rows["AESEV"].map({"MILD": 1, "MODERATE": 2, "SEVERE": 3}))
            .groupby("USUBJID")["rank"]
            .max()
        )
        for label, rank in (("Mild", 1), ("Moderate", 2), ("Severe", 3)):
            assert _stat(overview, column=arm, stat="n", row_label=label) == int((worst == rank).sum()), (arm, label)


def test_km_figure_counts_serious_teae_events(analysis):
    ae, facts = analysis.sdtm["AE"], analysis.facts
    ard = _ard(analysis, "14-1")
    for arm, subjects in _dosed_by_arm(facts).items():
        events = {
            s
            for s, start, serious in zip(ae["USUBJID"], ae["AESTDTC"], ae["AESER"], strict=True)
            if s in subjects and serious == "Y" and str(start)[:10] >= facts.first_dose[s]
        }
        assert _stat(ard, column=arm, stat="n", row=0) == len(subjects), arm
        assert _stat(ard, column=arm, stat="events", row=0) == len(events), arm
    adtte = analysis.adam["ADTTE"].set_index("USUBJID")
    assert set(adtte["PARAMCD"]) == {"TTSAE"}
    # Censored at the last contact: the later of the last visit (SV) and the end of participation (DM.RFPENDTC).
    sv, dm = analysis.sdtm["SV"], analysis.sdtm["DM"].set_index("USUBJID")
    for subject in adtte.index[adtte["CNSR"] == 1]:
        visits = sv.loc[sv["USUBJID"] == subject, "SVSTDTC"].dropna().astype(str).str[:10]
        last = max([*visits, str(dm.loc[subject, "RFPENDTC"] or "")[:10]])
        assert adtte.loc[subject, "ADT"].date().isoformat() == last, subject
        expected_days = (dt.date.fromisoformat(last) - dt.date.fromisoformat(facts.first_dose[subject])).days + 1
        assert adtte.loc[subject, "AVAL"] == expected_days, subject
    assert (adtte["AVAL"] >= 1).all()
    assert set(adtte.loc[adtte["CNSR"] == 0, "SRCDOM"]) <= {"ADAE"}


def test_every_output_renders_in_rtf_pdf_and_html(analysis, tmp_path):
    for output, result in analysis.outputs.items():
        written = write_output(result, tmp_path / output, ("rtf", "pdf", "html"))
        by_suffix = {path.suffix: path.read_bytes() for path in written}
        assert by_suffix[".rtf"].startswith(b"{\\rtf"), output
        assert by_suffix[".pdf"].startswith(b"%PDF"), output
        title = result.spec.titles[1].encode()
        assert title in by_suffix[".html"], output


def test_listing_lists_every_adverse_event_of_the_safety_population(analysis):
    result = analysis.outputs["16-2.07"]
    listed = (
        _stat(result.ard, column=ARM_NAMES["A"], stat="records")
        + _stat(result.ard, column=ARM_NAMES["B"], stat="records")
        + _stat(result.ard, column=ARM_NAMES["P"], stat="records")
    )
    ae = analysis.sdtm["AE"]
    assert listed == int(ae["USUBJID"].isin(set(analysis.facts.first_dose)).sum())


def test_the_specifications_ship_inside_the_package():
    names = sorted(Path(str(p)).name for p in (ANALYSIS / "adam").iterdir() if str(p).endswith(".yaml"))
    assert names == sorted(f"{n.lower()}.yaml" for n in ADAM_ORDER)
    outputs = sorted(Path(str(p)).stem for p in (ANALYSIS / "tables").iterdir() if str(p).endswith(".yaml"))
    assert outputs == sorted(OUTPUTS)
