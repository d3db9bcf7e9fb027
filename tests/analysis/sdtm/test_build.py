"""Building SDTM datasets from the hand-made study in `study.py`; every expected value is counted by hand there."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from opencro.analysis.sdtm import DomainSpec, InputError, MappingSpec, SdtmInputs, VariableRule, build_study
from opencro.analysis.sdtm.iso8601 import combine_date_time, is_iso8601, study_day
from opencro.analysis.sdtm.metadata import STANDARD_DOMAINS
from tests.analysis.sdtm import study


@pytest.fixture(scope="module")
def built():
    return build_study(study.spec(), study.inputs())


def rows(frame: pd.DataFrame, **where) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    return frame[mask]


def test_datasets_built(built):
    subject = ["DM", "VS", "LB", "AE", "CM", "DS", "EX", "SV", "SE", "SUPPDM", "SUPPAE", "SUPPCM", "RELREC"]
    assert sorted(built.domains) == sorted([*subject, "TA", "TE", "TV", "TI", "TS"])


def test_variable_order_and_labels_follow_sdtmig(built):
    for name in ("DM", "AE", "VS", "LB", "TS"):
        frame = built.domains[name]
        order = [v.name for v in STANDARD_DOMAINS[name].variables]
        positions = [order.index(c) for c in frame.columns]
        assert positions == sorted(positions), name
        assert frame.attrs["labels"]["STUDYID"] == "Study Identifier"
    assert built.domains["AE"].attrs["labels"]["AESTDTC"] == "Start Date/Time of Adverse Event"


def test_required_and_expected_variables_always_present(built):
    ae = built.domains["AE"]
    # AELLT is Exp: present though nothing fills it; AETOXGR is Perm and empty: left out.
    assert "AELLT" in ae.columns and ae["AELLT"].isna().all()
    assert "AETOXGR" not in ae.columns


def test_partial_dates_kept_partial_and_no_study_day(built):
    ae = built.domains["AE"]
    headache = rows(ae, AETERM="Headache").iloc[0]
    assert headache["AESTDTC"] == "2026-03"
    assert math.isnan(headache["AESTDY"])
    # 2026-03-20 is 10 days after RFSTDTC 2026-03-10: day 11.
    assert headache["AEENDY"] == 11


def test_study_day_has_no_day_zero(built):
    ae = built.domains["AE"]
    # Nausea began 2026-03-09, the day before RFSTDTC 2026-03-10: day -1, not 0.
    assert rows(ae, AETERM="Nausea").iloc[0]["AESTDY"] == -1
    cm = built.domains["CM"]
    assert cm.iloc[0]["CMSTDY"] == 1  # on RFSTDTC itself


def test_study_day_function():
    dates = pd.Series(["2026-03-09", "2026-03-10", "2026-03-11", "2026-03", "2026-03-11T10:00", None])
    reference = pd.Series(["2026-03-10"] * 6)
    days = study_day(dates, reference).tolist()
    assert days[:3] == [-1.0, 1.0, 2.0]
    assert math.isnan(days[3]) and math.isnan(days[5])
    assert days[4] == 2.0


def test_date_and_time_combined_only_for_complete_dates():
    combined = combine_date_time(
        pd.Series(["2026-03-02", "2026-03", "2026-03-04"]), pd.Series(["09:15", "10:00", None])
    )
    assert combined.tolist() == ["2026-03-02T09:15", "2026-03", "2026-03-04"]


def test_iso8601_syntax():
    for good in ("2026", "2026-03", "2026-03-14", "2026-03-14T09", "2026-03-14T09:30", "2026-03-14T09:30:15.5Z"):
        assert is_iso8601(good), good
    for bad in ("2026-3-14", "14/03/2026", "2026-02-30", "2026-03-14 09:30", "2026-13", "UNK-03-14"):
        assert not is_iso8601(bad), bad


def test_seq_numbered_per_subject_in_sort_order(built):
    vs = built.domains["VS"]
    s1 = vs[vs["USUBJID"] == "OPC-301-001"]
    assert s1["VSSEQ"].tolist() == list(range(1, 10))
    # Sort order USUBJID, VSTESTCD, VISITNUM, VSDTC: DIABP (3 records), SYSBP (3), TEMP (3).
    assert s1["VSTESTCD"].tolist() == ["DIABP"] * 3 + ["SYSBP"] * 3 + ["TEMP"] * 3
    assert s1["VISITNUM"].tolist() == [1.0, 2.0, 3.0] * 3
    s2 = vs[vs["USUBJID"] == "OPC-301-002"]
    assert s2["VSSEQ"].tolist() == [1, 2, 3]


def test_findings_transposed_with_units(built):
    vs = built.domains["VS"]
    sys_bl = rows(vs, USUBJID="OPC-301-001", VSTESTCD="SYSBP", VISITNUM=2.0).iloc[0]
    assert (sys_bl["VSTEST"], sys_bl["VSORRES"], sys_bl["VSORRESU"]) == ("Systolic Blood Pressure", "128", "mmHg")
    assert (sys_bl["VSSTRESC"], sys_bl["VSSTRESN"], sys_bl["VSSTRESU"]) == ("128", 128.0, "mmHg")
    assert sys_bl["VSPOS"] == "SITTING"
    assert sys_bl["VSDTC"] == "2026-03-10"  # from the visit date
    temp = rows(vs, USUBJID="OPC-301-001", VSTESTCD="TEMP", VISITNUM=1.0).iloc[0]
    assert temp["VSPOS"] is None  # the constant belongs to the blood pressure tests only


def test_findings_not_done_per_test_and_per_form(built):
    vs = built.domains["VS"]
    dia = rows(vs, USUBJID="OPC-301-001", VSTESTCD="DIABP", VISITNUM=2.0).iloc[0]
    assert (dia["VSSTAT"], dia["VSREASND"], dia["VSORRES"], dia["VSORRESU"]) == ("NOT DONE", "Cuff broken", None, None)
    s2 = vs[vs["USUBJID"] == "OPC-301-002"]
    assert set(s2["VSSTAT"]) == {"NOT DONE"} and set(s2["VSREASND"]) == {"Subject refused"}
    assert s2["VSORRES"].isna().all()


def test_unit_conversion_ranges_and_indicator(built):
    lb = built.domains["LB"]
    creat = rows(lb, LBTESTCD="CREAT").iloc[0]
    # 1.2 mg/dL x 88.42 = 106.104 umol/L; range 0.6-1.1 mg/dL = 53.052-97.262 umol/L.
    assert creat["LBORRES"] == "1.2" and creat["LBORRESU"] == "mg/dL"
    assert creat["LBSTRESN"] == pytest.approx(106.104)
    assert creat["LBSTRESC"] == "106.104" and creat["LBSTRESU"] == "umol/L"
    assert creat["LBSTNRLO"] == pytest.approx(53.052) and creat["LBSTNRHI"] == pytest.approx(97.262)
    assert (creat["LBORNRLO"], creat["LBORNRHI"], creat["LBNRIND"]) == ("0.6", "1.1", "HIGH")
    assert creat["LBDTC"] == "2026-03-02T09:15"  # sample date joined with its time
    assert creat["LBCAT"] == "CHEMISTRY"


def test_baseline_flag_last_value_on_or_before_rfstdtc(built):
    vs = built.domains["VS"]
    flagged = vs[vs["VSBLFL"] == "Y"][["USUBJID", "VSTESTCD", "VISITNUM"]].values.tolist()
    # SYSBP, TEMP: the baseline visit on RFSTDTC; DIABP was not done then, so screening's value is baseline.
    assert sorted(flagged) == [
        ["OPC-301-001", "DIABP", 1.0],
        ["OPC-301-001", "SYSBP", 2.0],
        ["OPC-301-001", "TEMP", 2.0],
    ]
    # Subject 2 has no result at all: no flag.
    assert vs.loc[vs["USUBJID"] == "OPC-301-002", "VSBLFL"].isna().all()


def test_epoch_from_subject_elements(built):
    vs = built.domains["VS"]
    assert rows(vs, USUBJID="OPC-301-001", VSTESTCD="SYSBP", VISITNUM=1.0).iloc[0]["EPOCH"] == "SCREENING"
    assert rows(vs, USUBJID="OPC-301-001", VSTESTCD="SYSBP", VISITNUM=3.0).iloc[0]["EPOCH"] == "TREATMENT"
    ae = built.domains["AE"]
    assert rows(ae, AETERM="Nausea").iloc[0]["EPOCH"] == "SCREENING"
    assert rows(ae, AETERM="Headache").iloc[0]["EPOCH"] is None  # partial start date


def test_visit_day_from_protocol(built):
    assert built.domains["VS"].groupby("VISITNUM")["VISITDY"].first().to_dict() == {1.0: -14.0, 2.0: 1.0, 3.0: 29.0}


def test_checkbox_flags_and_ongoing(built):
    ae = built.domains["AE"]
    nausea = rows(ae, AETERM="Nausea").iloc[0]
    assert (nausea["AESHOSP"], nausea["AESLIFE"], nausea["AESDTH"]) == ("Y", "Y", "N")
    assert (nausea["AEENRTPT"], nausea["AEENTPT"]) == ("ONGOING", "END OF STUDY")
    headache = rows(ae, AETERM="Headache").iloc[0]
    assert headache["AESHOSP"] is None  # no seriousness criteria collected
    assert headache["AEENRTPT"] is None and headache["AEENTPT"] is None


def test_dm_one_row_per_subject_with_age_and_arms(built):
    dm = built.domains["DM"].set_index("USUBJID")
    assert len(dm) == 3
    # Born 1960-05-20, RFSTDTC 2026-03-10: 65 (birthday not reached). S2: collected 54.
    # S3: no RFSTDTC, so RFICDTC 2026-03-05; born 1980-03-06: 45.
    assert dm["AGE"].tolist() == [65.0, 54.0, 45.0]
    assert dm["AGEU"].tolist() == ["YEARS"] * 3
    assert dm.loc["OPC-301-001", ["ARMCD", "ARM", "ACTARMCD", "ACTARM"]].tolist() == [
        "DRUG",
        "Drug 10 mg",
        "DRUG",
        "Drug 10 mg",
    ]
    assert dm.loc["OPC-301-003", ["ARMCD", "ARM", "ARMNRS"]].tolist() == [None, None, "SCREEN FAILURE"]
    assert dm.loc["OPC-301-001", "RACE"] == "WHITE"
    assert dm.loc["OPC-301-002", "RACE"] == "MULTIPLE"
    assert dm.loc["OPC-301-001", "DMDY"] == -9  # 2026-03-01 is 9 days before 2026-03-10
    assert dm.loc["OPC-301-002", "BRTHDTC"] == "1971"


def test_suppqual_points_to_parent_records(built):
    suppae = built.domains["SUPPAE"]
    assert suppae[["RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QVAL", "QORIG"]].values.tolist() == [
        ["AE", "OPC-301-001", "AESEQ", "2", "AETRTEM", "Y", "CRF"]
    ]
    ae = built.domains["AE"]
    assert rows(ae, AESEQ=2.0).iloc[0]["AETERM"] == "Nausea"
    suppdm = built.domains["SUPPDM"]
    race = suppdm[suppdm["QNAM"].str.startswith("RACE")]
    assert race[["USUBJID", "QNAM", "QVAL"]].values.tolist() == [
        ["OPC-301-002", "RACE1", "ASIAN"],
        ["OPC-301-002", "RACE2", "WHITE"],
    ]
    assert suppdm["IDVAR"].isna().all()


def test_relrec_relates_ae_and_cm(built):
    relrec = built.domains["RELREC"]
    assert relrec[["RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "RELID"]].values.tolist() == [
        ["AE", "OPC-301-001", "AESEQ", "2", "AECM1"],
        ["CM", "OPC-301-001", "CMSEQ", "1", "AECM1"],
    ]


def test_relrec_on_same_form():
    base = study.spec()
    spec = MappingSpec(base.study_id, base.domains, relations=(study.RelationSpec("VS", "LB"),))
    result = build_study(spec, study.inputs())
    assert "RELREC" not in result.domains  # VS and LB are never on the same form
    assert not any("VS-LB" in n for n in result.notes)


def test_events_frames_ds_ex_se_sv(built):
    ds = built.domains["DS"]
    assert ds[["USUBJID", "DSSEQ", "DSDECOD", "EPOCH", "DSSTDY"]].fillna(-999).values.tolist() == [
        ["OPC-301-001", 1.0, "INFORMED CONSENT OBTAINED", "SCREENING", -9.0],
        ["OPC-301-003", 1.0, "SCREEN FAILURE", "SCREENING", -999],
    ]
    ex = built.domains["EX"]
    # 2026-06-09 is 91 days after 2026-03-10: day 92.
    assert ex.loc[0, ["EXTRT", "EXDOSE", "EXSTDY", "EXENDY", "EPOCH"]].tolist() == [
        "DRUG",
        10.0,
        1.0,
        92.0,
        "TREATMENT",
    ]
    se = built.domains["SE"]
    assert se.loc[se["USUBJID"] == "OPC-301-001", ["SESEQ", "ETCD", "EPOCH", "TAETORD"]].values.tolist() == [
        [1.0, "SCRN", "SCREENING", 1.0],
        [2.0, "DRUG", "TREATMENT", 2.0],
    ]
    sv = built.domains["SV"]
    assert sv.loc[sv["USUBJID"] == "OPC-301-001", ["VISITNUM", "SVSTDTC", "SVSTDY"]].values.tolist() == [
        [1.0, "2026-03-01", -9.0],
        [2.0, "2026-03-10", 1.0],
        [3.0, "2026-04-07", 29.0],
    ]


def test_trial_design(built):
    ta = built.domains["TA"]
    assert ta[["ARMCD", "TAETORD", "ETCD", "ELEMENT", "EPOCH"]].values.tolist() == [
        ["DRUG", 1.0, "SCRN", "Screening", "SCREENING"],
        ["DRUG", 2.0, "DRUG", "Drug 10 mg", "TREATMENT"],
        ["PBO", 1.0, "SCRN", "Screening", "SCREENING"],
        ["PBO", 2.0, "PBO", "Placebo", "TREATMENT"],
    ]
    ts = built.domains["TS"]
    assert ts[["TSPARMCD", "TSSEQ", "TSVAL"]].fillna("").values.tolist() == [
        ["TITLE", 1.0, "A trial of drug in heart failure"],
        ["SEXPOP", 1.0, "BOTH"],
        ["TRT", 1.0, "Drug"],
        ["TRT", 2.0, "Placebo"],
        ["AGEMAX", 1.0, ""],
    ]
    assert ts.loc[4, "TSVALNF"] == "PINF"
    assert built.domains["TE"]["TEDUR"].tolist() == ["P28D", "P13W", "P13W"]
    assert built.domains["TV"]["ARMCD"].isna().all()
    assert built.domains["TI"]["IECAT"].tolist() == ["INCLUSION", "EXCLUSION"]


def test_missing_columns_rejected_with_location():
    subjects = study.subjects().drop(columns=["SITEID"])
    with pytest.raises(InputError) as error:
        build_study(study.spec(), SdtmInputs(subjects=subjects))
    assert "frame subjects" in str(error.value) and "SITEID" in str(error.value)


def test_duplicate_item_values_rejected_with_row():
    items = study.items()
    items = pd.concat([items, items.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputError) as error:
        build_study(study.spec(), SdtmInputs(subjects=study.subjects(), items=items))
    assert f"row {len(items) - 1}" in str(error.value)


def test_non_numeric_value_of_numeric_variable_noted():
    items = study.items()
    items.loc[items["ITEM_OID"] == "IT.CMDOSE", "VALUE"] = "eight"
    result = build_study(study.spec(), SdtmInputs(subjects=study.subjects(), items=items))
    assert math.isnan(result.domains["CM"].iloc[0]["CMDOSE"])
    assert any("CM.CMDOSE" in note and "'eight'" in note for note in result.notes)


def test_generic_findings_domain_from_class():
    spec = MappingSpec(
        "OPC-301",
        (
            DomainSpec(
                "EG",
                "findings",
                sources=("IG.EG",),
                variables=(VariableRule("EGDTC", item="@VISIT_DATE"),),
                tests=(study.TestRule("HR", "Heart Rate", "IT.EGHR", orresu="beats/min"),),
            ),
        ),
    )
    items = pd.DataFrame(
        [("OPC-301-001", "SE.BL", 2.0, "BASELINE", "2026-03-10", "F.EG", 1, "IG.EG", 1, "IT.EGHR", "64")],
        columns=study.items().columns,
    )
    eg = build_study(spec, SdtmInputs(subjects=study.subjects(), items=items)).domains["EG"]
    assert eg.iloc[0][["EGSEQ", "EGTESTCD", "EGORRES", "EGORRESU", "EGSTRESN", "EGDY"]].tolist() == [
        1.0,
        "HR",
        "64",
        "beats/min",
        64.0,
        1.0,
    ]
