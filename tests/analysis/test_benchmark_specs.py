"""The specifications of `benchmarks/analysis_package.py` stay runnable and right on a small synthetic study.

Every ADaM specification of `benchmarks/specs/synthetic/adam` is derived and every output of
`benchmarks/specs/synthetic/tables` is run and rendered on `synthetic_study(n_subjects=60, n_visits=6)`. The
expected numbers are not written down: each is counted again here from the SDTM domains with plain pandas (and
Fisher's exact test from scipy.stats), independently of the ADaM derivations and of the TFL engine.
"""

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from scipy.stats import fisher_exact

from opencro.analysis.adam.derive import derive
from opencro.analysis.adam.spec import spec_from_mapping
from opencro.analysis.package import adam_order
from opencro.analysis.sdtm.build import build_study
from opencro.analysis.sdtm.synthetic import synthetic_study
from opencro.analysis.tfl.engine import run_output, write_output
from opencro.analysis.tfl.spec import parse_spec

SPECS = Path(__file__).resolve().parents[2] / "benchmarks" / "specs" / "synthetic"
ARMS = ("Drug", "Placebo")


@pytest.fixture(scope="module")
def sdtm() -> dict[str, pd.DataFrame]:
    spec, inputs = synthetic_study(n_subjects=60, n_visits=6, seed=7)
    return build_study(spec, inputs).domains


@pytest.fixture(scope="module")
def adam(sdtm) -> dict[str, pd.DataFrame]:
    specs = [spec_from_mapping(yaml.safe_load(p.read_text()), origin=p.name) for p in sorted(SPECS.glob("adam/*.yaml"))]
    derived: dict[str, pd.DataFrame] = {}
    for spec in adam_order(specs):
        derived[spec.name] = derive(spec, sdtm, parents=derived)
    return derived


@pytest.fixture(scope="module")
def results(adam):
    outputs = [parse_spec(yaml.safe_load(p.read_text()), source=p.name) for p in sorted(SPECS.glob("tables/*.yaml"))]
    return {output.id: run_output(output, adam) for output in outputs}


def _stat(ard: pd.DataFrame, *, row: int, column: str, stat: str) -> float:
    hit = ard[(ard["row"] == row) & (ard["column"] == column) & (ard["stat_name"] == stat)]
    assert len(hit) == 1, f"ARD row {row}, column {column}, {stat}: {len(hit)} matches"
    return float(hit["stat"].iloc[0])


def _label_row(ard: pd.DataFrame, label: str, group2_level: str | None = None) -> int:
    hit = ard[ard["row_label"] == label]
    if group2_level is not None:
        hit = hit[hit["group2_level"] == group2_level]
    rows = sorted(set(hit["row"]))
    assert rows, f"no ARD row labelled {label!r}"
    return rows[0]


def _first_dose(sdtm) -> pd.Series:
    ex = sdtm["EX"]
    return pd.to_datetime(ex["EXSTDTC"]).groupby(ex["USUBJID"]).min()


def _teae(sdtm) -> pd.DataFrame:
    """AE records starting on or after the subject's first dose (EX), with the actual arm (DM)."""
    ae = sdtm["AE"].merge(sdtm["DM"][["USUBJID", "ACTARM"]], on="USUBJID")
    first = ae["USUBJID"].map(_first_dose(sdtm))
    return ae[pd.to_datetime(ae["AESTDTC"]) >= first]


def test_every_dataset_is_derived(adam, sdtm):
    assert set(adam) == {"ADSL", "ADAE", "ADLB", "ADTTE", "ADVS"}
    assert len(adam["ADSL"]) == len(sdtm["DM"])
    assert len(adam["ADAE"]) == len(sdtm["AE"])
    assert len(adam["ADVS"]) == len(sdtm["VS"])
    assert len(adam["ADLB"]) == sdtm["LB"]["LBSTRESN"].notna().sum()


def test_every_output_renders(results, tmp_path):
    expected = {"14-1.01", "14-1.02", "14-1", "14-2.01", "14-3.01", "14-3.02", "14-5.01", "14-5.02", "16-2.07"}
    assert set(results) == expected
    for result in results.values():
        written = write_output(result, tmp_path, ("rtf", "pdf", "html"))
        assert all(path.stat().st_size > 0 for path in written)


def test_itt_n_per_arm_from_dm_and_ds(results, sdtm):
    randomised = set(sdtm["DS"].loc[sdtm["DS"]["DSDECOD"] == "RANDOMIZED", "USUBJID"])
    dm = sdtm["DM"][sdtm["DM"]["USUBJID"].isin(randomised)]
    ard = results["14-1.02"].ard
    for arm in ARMS:
        assert _stat(ard, row=-1, column=arm, stat="bigN") == (dm["ARM"] == arm).sum()
    assert _stat(ard, row=-1, column="Total", stat="bigN") == len(dm)


def test_disposition_from_ds(results, sdtm):
    events = sdtm["DS"][sdtm["DS"]["DSCAT"] == "DISPOSITION EVENT"].merge(sdtm["DM"][["USUBJID", "ARM"]], on="USUBJID")
    ard = results["14-1.02"].ard
    completed = _label_row(ard, "Completed study")
    withdrawn = _label_row(ard, "Withdrawal by subject")
    for arm in ARMS:
        mine = events[events["ARM"] == arm]
        assert _stat(ard, row=completed, column=arm, stat="n") == (mine["DSDECOD"] == "COMPLETED").sum()
        assert _stat(ard, row=withdrawn, column=arm, stat="n") == (mine["DSDECOD"] == "WITHDRAWAL BY SUBJECT").sum()


def test_teae_subjects_and_events_per_arm_from_ae_and_ex(results, sdtm):
    teae = _teae(sdtm)
    assert len(teae) > 0
    ard = results["14-5.01"].ard
    any_row = _label_row(ard, "Subjects with at least one TEAE")
    for arm in ARMS:
        mine = teae[teae["ACTARM"] == arm]
        assert _stat(ard, row=any_row, column=arm, stat="n") == mine["USUBJID"].nunique()
        assert _stat(ard, row=any_row, column=arm, stat="events") == len(mine)
    overview = results["14-5.02"].ard
    assert _stat(overview, row=_label_row(overview, "TEAE"), column="Total", stat="n") == teae["USUBJID"].nunique()
    serious = teae[teae["AESER"] == "Y"]
    for arm in ARMS:
        expected = serious.loc[serious["ACTARM"] == arm, "USUBJID"].nunique()
        assert _stat(overview, row=_label_row(overview, "Serious TEAE"), column=arm, stat="n") == expected


def test_fisher_pvalue_of_each_preferred_term(results, sdtm):
    teae = _teae(sdtm)
    safety = sdtm["DM"]["ACTARM"].value_counts()
    ard = results["14-5.01"].ard
    for term, records in teae.groupby("AEDECOD"):
        soc = records["AEBODSYS"].iloc[0]
        row = _label_row(ard, term, group2_level=soc)
        with_event = [records.loc[records["ACTARM"] == arm, "USUBJID"].nunique() for arm in ARMS]
        table = [with_event, [safety[arm] - n for arm, n in zip(ARMS, with_event, strict=True)]]
        expected = fisher_exact(table).pvalue
        assert _stat(ard, row=row, column="pvalue:Drug|Placebo", stat="pvalue") == pytest.approx(expected, rel=1e-9)


def test_systolic_change_at_week_2_from_vs(results, sdtm):
    vs = sdtm["VS"][sdtm["VS"]["VSTESTCD"] == "SYSBP"]
    wide = vs.pivot(index="USUBJID", columns="VISITNUM", values="VSSTRESN")
    change = (wide[2.0] - wide[1.0]).rename("CHG").to_frame().join(sdtm["DM"].set_index("USUBJID")["ACTARM"])
    ard = results["14-3.01"].ard
    block = ard[
        (ard["row_label"] == "Mean (SD)")
        & (ard["group2_level"] == "Week 2")
        & (ard["variable"] == "CHG")
        & (ard["stat_name"] == "mean")
    ]
    first = block[block["row"] == block["row"].min()]  # the first change block is systolic blood pressure
    for arm in ARMS:
        expected = change.loc[change["ACTARM"] == arm, "CHG"].mean()
        assert float(first.loc[first["column"] == arm, "stat"].iloc[0]) == pytest.approx(expected, rel=1e-9)


def test_alt_baseline_mean_from_lb(results, sdtm):
    lb = sdtm["LB"]
    baseline = lb[(lb["LBTESTCD"] == "ALT") & (lb["VISITNUM"] == 1)]
    baseline = baseline.merge(sdtm["DM"][["USUBJID", "ACTARM"]], on="USUBJID")
    ard = results["14-3.02"].ard
    means = ard[(ard["group2_level"] == "Baseline") & (ard["variable"] == "AVAL") & (ard["stat_name"] == "mean")]
    for arm in ARMS:
        expected = baseline.loc[baseline["ACTARM"] == arm, "LBSTRESN"].mean()
        assert float(means.loc[means["column"] == arm, "stat"].iloc[0]) == pytest.approx(expected, rel=1e-9)


def test_serious_teae_events_of_the_km_figure(results, sdtm):
    teae = _teae(sdtm)
    serious = teae[teae["AESER"] == "Y"]
    ard = results["14-1"].ard
    for arm in ARMS:
        expected = serious.loc[serious["ACTARM"] == arm, "USUBJID"].nunique()
        assert _stat(ard, row=0, column=arm, stat="events") == expected


def test_listing_holds_every_adverse_event(results, sdtm):
    result = results["16-2.07"]
    assert len(result.layout.rows) == len(sdtm["AE"])
    arms = sdtm["AE"].merge(sdtm["DM"][["USUBJID", "ACTARM"]], on="USUBJID")["ACTARM"].value_counts()
    for arm in ARMS:
        assert _stat(result.ard, row=-1, column=arm, stat="records") == arms[arm]


def test_the_benchmark_script_builds_the_package(tmp_path, monkeypatch):
    path = SPECS.parents[1] / "analysis_package.py"
    loader = importlib.util.spec_from_file_location("analysis_package_benchmark", path)
    assert loader is not None and loader.loader is not None
    script = importlib.util.module_from_spec(loader)
    monkeypatch.setitem(sys.modules, loader.name, script)  # its dataclass looks its module up while being defined
    loader.loader.exec_module(script)
    spec, inputs = synthetic_study(n_subjects=60, n_visits=6, seed=7)
    figures = script.build_once(spec, inputs, tmp_path, script.adam_specs(), script.output_specs())
    steps = [what for what, _, _ in figures["steps"]]
    assert steps[:4] == ["Building SDTM", "Checking conformance", "Writing SDTM", "Writing Define-XML"]
    assert {f"Output {o}" for o in ("14-1.01", "14-5.01", "14-1", "16-2.07")} <= set(steps)
    assert figures["define_problems"] == []
    assert figures["adam_records"]["ADSL"] == 60
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert figures["files"] == len(written)
    assert sum(len(list(tmp_path.rglob(f"*.{ext}"))) for ext in ("rtf", "pdf", "html")) == 3 * 9
