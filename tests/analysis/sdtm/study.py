"""A small hand-made study: three subjects, VS/LB horizontal findings, AE and CM logs, DM, protocol tables.

Every expected value in the tests is worked out by hand from these rows (dates and study days counted
on the calendar; RFSTDTC is 2026-03-10 for S1).
"""

from __future__ import annotations

import pandas as pd

from opencro.analysis.sdtm import (
    Arm,
    ArmElement,
    Criterion,
    DomainSpec,
    Element,
    MappingSpec,
    PlannedVisit,
    Protocol,
    RelationSpec,
    SdtmInputs,
    SuppRule,
    TestRule,
    TrialParameter,
    VariableRule,
)

STUDY = "OPC-301"


def subjects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "STUDYID": [STUDY] * 3,
            "USUBJID": ["OPC-301-001", "OPC-301-002", "OPC-301-003"],
            "SUBJID": ["001", "002", "003"],
            "SITEID": ["01", "01", "02"],
            "COUNTRY": ["ESP", "ESP", "JPN"],
            "RFICDTC": ["2026-03-01", "2026-03-02", "2026-03-05"],
            "RFSTDTC": ["2026-03-10", "2026-03-12", None],
            "RFENDTC": ["2026-06-10", "2026-06-12", None],
            "RFXSTDTC": ["2026-03-10T08:00", "2026-03-12", None],
            "RFXENDTC": ["2026-06-09", "2026-06-11", None],
            "ARMCD": ["DRUG", "PBO", None],
            "ACTARMCD": ["DRUG", "PBO", None],
            "ARMNRS": [None, None, "SCREEN FAILURE"],
        }
    )


def items() -> pd.DataFrame:
    rows = []

    def add(usubjid, event, visitnum, visit, date, form, group, repeat, values):
        for item_oid, value in values.items():
            rows.append((usubjid, event, visitnum, visit, date, form, 1, group, repeat, item_oid, value))

    s1, s2, s3 = "OPC-301-001", "OPC-301-002", "OPC-301-003"
    # Demographics at screening.
    add(
        s1,
        "SE.SCR",
        1.0,
        "SCREENING",
        "2026-03-01",
        "F.DM",
        "IG.DM",
        1,
        {
            "IT.BRTHDAT": "1960-05-20",
            "IT.SEX": "F",
            "IT.RACE": "5",
            "IT.ETHNIC": "NOT HISPANIC OR LATINO",
            "IT.SMOKE": "N",
        },
    )
    add(
        s2,
        "SE.SCR",
        1.0,
        "SCREENING",
        "2026-03-02",
        "F.DM",
        "IG.DM",
        1,
        {"IT.BRTHDAT": "1971", "IT.AGE": "54", "IT.SEX": "M", "IT.RACE": "2,5", "IT.ETHNIC": "UNKNOWN"},
    )
    add(
        s3,
        "SE.SCR",
        1.0,
        "SCREENING",
        "2026-03-05",
        "F.DM",
        "IG.DM",
        1,
        {"IT.BRTHDAT": "1980-03-06", "IT.SEX": "F", "IT.RACE": "6", "IT.ETHNIC": "NOT REPORTED"},
    )
    # Vital signs: S1 at screening (before RFSTDTC), baseline day (= RFSTDTC) and week 4.
    add(
        s1,
        "SE.SCR",
        1.0,
        "SCREENING",
        "2026-03-01",
        "F.VS",
        "IG.VS",
        1,
        {"IT.SYSBP": "130", "IT.DIABP": "85", "IT.TEMP": "36.6"},
    )
    add(
        s1,
        "SE.BL",
        2.0,
        "BASELINE",
        "2026-03-10",
        "F.VS",
        "IG.VS",
        1,
        {"IT.SYSBP": "128", "IT.TEMP": "36.8", "IT.DIABPND": "Y", "IT.DIABPRS": "Cuff broken"},
    )
    add(
        s1,
        "SE.W4",
        3.0,
        "WEEK 4",
        "2026-04-07",
        "F.VS",
        "IG.VS",
        1,
        {"IT.SYSBP": "121", "IT.DIABP": "80", "IT.TEMP": "98.6"},
    )
    add(
        s2,
        "SE.SCR",
        1.0,
        "SCREENING",
        "2026-03-02",
        "F.VS",
        "IG.VS",
        1,
        {"IT.VSPERF": "N", "IT.VSREAS": "Subject refused"},
    )
    # Laboratory: S1 at screening with sample date and a creatinine in mg/dL converted to umol/L.
    add(
        s1,
        "SE.SCR",
        1.0,
        "SCREENING",
        "2026-03-01",
        "F.LB",
        "IG.LB",
        1,
        {"IT.LBDAT": "2026-03-02", "IT.LBTIM": "09:15"},
    )
    add(s1, "SE.SCR", 1.0, "SCREENING", "2026-03-01", "F.LB", "IG.LB.CHEM", 1, {"IT.CREAT": "1.2", "IT.K": "6.1"})
    # Adverse events log (S1 two lines, one ongoing); concomitant medication given for AE line 2.
    add(
        s1,
        "SE.LOG",
        None,
        None,
        None,
        "F.AE",
        "IG.AE",
        1,
        {
            "IT.AETERM": "Headache",
            "IT.AESTDAT": "2026-03",
            "IT.AEONGO": "N",
            "IT.AEENDAT": "2026-03-20",
            "IT.AESEV": "MILD",
            "IT.AESER": "N",
            "IT.AEACN": "DOSE NOT CHANGED",
        },
    )
    add(
        s1,
        "SE.LOG",
        None,
        None,
        None,
        "F.AE",
        "IG.AE",
        2,
        {
            "IT.AETERM": "Nausea",
            "IT.AESTDAT": "2026-03-09",
            "IT.AEONGO": "Y",
            "IT.AESEV": "SEVERE",
            "IT.AESER": "Y",
            "IT.AESCRIT": "HOSP,LIFE",
            "IT.AEACN": "DRUG WITHDRAWN",
            "IT.AETRTEM": "Y",
        },
    )
    add(
        s1,
        "SE.LOG",
        None,
        None,
        None,
        "F.CM",
        "IG.CM",
        1,
        {"IT.CMTRT": "Ondansetron", "IT.CMDOSE": "8", "IT.CMSTDAT": "2026-03-10", "IT.CMAENO": "2"},
    )
    frame = pd.DataFrame(
        rows,
        columns=[
            "USUBJID",
            "EVENT_OID",
            "VISITNUM",
            "VISIT",
            "VISIT_DATE",
            "FORM_OID",
            "FORM_REPEAT",
            "GROUP_OID",
            "GROUP_REPEAT",
            "ITEM_OID",
            "VALUE",
        ],
    )
    return frame


def item_meta() -> pd.DataFrame:
    rows = [
        ("IT.SEX", "SEX", "text", 1, "", "Sex", "SEX", "CL.SEX", "DM.SEX"),
        ("IT.RACE", "RACE", "text", 2, "", "Race", "RACE", "CL.RACE", "DM.RACE"),
        ("IT.AEREL", "AEREL", "text", 20, "", "Relationship", "AEREL", "CL.AEREL", "AE.AEREL"),
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "ITEM_OID",
            "ITEM_NAME",
            "DATA_TYPE",
            "LENGTH",
            "UNITS",
            "QUESTION",
            "SDS_VAR_NAME",
            "CODELIST_OID",
            "ANNOTATION",
        ],
    )


def codelists() -> pd.DataFrame:
    rows = [
        ("CL.SEX", "F", "Female"),
        ("CL.SEX", "M", "Male"),
        ("CL.RACE", "2", "Asian"),
        ("CL.RACE", "5", "White"),
        ("CL.RACE", "6", "Not reported"),
    ]
    return pd.DataFrame(rows, columns=["CODELIST_OID", "CODED_VALUE", "DECODE"])


def protocol() -> Protocol:
    return Protocol(
        arms=(Arm("DRUG", "Drug 10 mg"), Arm("PBO", "Placebo")),
        elements=(
            Element("SCRN", "Screening", "Informed consent", "28 days after start of element", "P28D"),
            Element("DRUG", "Drug 10 mg", "First dose of drug", "Last dose", "P13W"),
            Element("PBO", "Placebo", "First dose of placebo", "Last dose", "P13W"),
        ),
        arm_elements=(
            ArmElement("DRUG", 1, "SCRN", "SCREENING", tabranch="Randomized to DRUG"),
            ArmElement("DRUG", 2, "DRUG", "TREATMENT"),
            ArmElement("PBO", 1, "SCRN", "SCREENING", tabranch="Randomized to PBO"),
            ArmElement("PBO", 2, "PBO", "TREATMENT"),
        ),
        visits=(
            PlannedVisit(1.0, "SCREENING", "Start of screening", -14),
            PlannedVisit(2.0, "BASELINE", "Day 1", 1),
            PlannedVisit(3.0, "WEEK 4", "Day 29", 29),
        ),
        criteria=(
            Criterion("IN01", "Age 18 years or older", "INCLUSION"),
            Criterion("EX01", "Pregnant or breast-feeding", "EXCLUSION"),
        ),
        parameters=(
            TrialParameter("TITLE", "Trial Title", "A trial of drug in heart failure"),
            TrialParameter("SEXPOP", "Sex of Participants", "BOTH"),
            TrialParameter("TRT", "Investigational Therapy or Treatment", "Drug"),
            TrialParameter("TRT", "Investigational Therapy or Treatment", "Placebo"),
            TrialParameter("AGEMAX", "Planned Maximum Age of Subjects", tsvalnf="PINF"),
        ),
    )


def subject_elements() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": ["OPC-301-001", "OPC-301-001", "OPC-301-002", "OPC-301-002", "OPC-301-003"],
            "ETCD": ["SCRN", "DRUG", "SCRN", "PBO", "SCRN"],
            "SESTDTC": ["2026-03-01", "2026-03-10", "2026-03-02", "2026-03-12", "2026-03-05"],
            "SEENDTC": ["2026-03-10", "2026-06-10", "2026-03-12", "2026-06-12", "2026-03-09"],
        }
    )


def dispositions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": ["OPC-301-001", "OPC-301-003"],
            "DSTERM": ["INFORMED CONSENT OBTAINED", "SCREEN FAILURE"],
            "DSDECOD": ["INFORMED CONSENT OBTAINED", "SCREEN FAILURE"],
            "DSCAT": ["PROTOCOL MILESTONE", "DISPOSITION EVENT"],
            "DSSTDTC": ["2026-03-01", "2026-03-09"],
        }
    )


def exposures() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": ["OPC-301-001", "OPC-301-002"],
            "EXTRT": ["DRUG", "PLACEBO"],
            "EXDOSE": [10.0, 0.0],
            "EXDOSU": ["mg", "mg"],
            "EXDOSFRM": ["TABLET", "TABLET"],
            "EXSTDTC": ["2026-03-10", "2026-03-12"],
            "EXENDTC": ["2026-06-09", "2026-06-11"],
        }
    )


def spec() -> MappingSpec:
    vs = DomainSpec(
        "VS",
        "findings",
        sources=("IG.VS",),
        variables=(VariableRule("VSDTC", item="@VISIT_DATE"),),
        tests=(
            TestRule("SYSBP", "Systolic Blood Pressure", "IT.SYSBP", orresu="mmHg", constants={"VSPOS": "SITTING"}),
            TestRule(
                "DIABP",
                "Diastolic Blood Pressure",
                "IT.DIABP",
                orresu="mmHg",
                stat_item="IT.DIABPND",
                stat_when="Y",
                reasnd_item="IT.DIABPRS",
                constants={"VSPOS": "SITTING"},
            ),
            TestRule("TEMP", "Temperature", "IT.TEMP", orresu="C"),
        ),
        stat_item="IT.VSPERF",
        stat_when="N",
        reasnd_item="IT.VSREAS",
    )
    lb = DomainSpec(
        "LB",
        "findings",
        sources=("IG.LB", "IG.LB.CHEM"),
        variables=(VariableRule("LBDTC", item="IT.LBDAT", time_item="IT.LBTIM", pages=("12",)),),
        tests=(
            TestRule(
                "CREAT",
                "Creatinine",
                "IT.CREAT",
                orresu="mg/dL",
                stresu="umol/L",
                factor=88.42,
                ornrlo=0.6,
                ornrhi=1.1,
                constants={"LBCAT": "CHEMISTRY"},
            ),
            TestRule(
                "K", "Potassium", "IT.K", orresu="mmol/L", ornrlo=3.5, ornrhi=5.5, constants={"LBCAT": "CHEMISTRY"}
            ),
        ),
    )
    ae = DomainSpec(
        "AE",
        "events",
        sources=("IG.AE",),
        sort=("USUBJID", "AESTDTC", "AETERM"),
        variables=(
            VariableRule("AETERM", item="IT.AETERM", pages=("20",)),
            VariableRule("AEDECOD", item="IT.AETERM", origin="derived", method="Coded with MedDRA 27.0."),
            VariableRule("AESTDTC", item="IT.AESTDAT"),
            VariableRule("AEENDTC", item="IT.AEENDAT"),
            VariableRule("AEENRTPT", item="IT.AEONGO", values={"Y": "ONGOING", "N": ""}),
            VariableRule("AEENTPT", origin="assigned", value="END OF STUDY"),
            VariableRule("AESEV", item="IT.AESEV"),
            VariableRule("AESER", item="IT.AESER"),
            VariableRule("AESHOSP", item="IT.AESCRIT", flag_of="HOSP"),
            VariableRule("AESLIFE", item="IT.AESCRIT", flag_of="LIFE"),
            VariableRule("AESDTH", item="IT.AESCRIT", flag_of="DTH"),
            VariableRule("AEACN", item="IT.AEACN"),
            VariableRule("AESPID", origin="derived", item="@GROUP_REPEAT", method="CRF log line."),
        ),
        supp=(SuppRule("AETRTEM", "Treatment Emergent Flag", item="IT.AETRTEM", qorig="CRF"),),
    )
    cm = DomainSpec(
        "CM",
        "interventions",
        sources=("IG.CM",),
        variables=(
            VariableRule("CMTRT", item="IT.CMTRT"),
            VariableRule("CMDOSE", item="IT.CMDOSE"),
            VariableRule("CMDOSU", origin="assigned", value="mg"),
            VariableRule("CMSTDTC", item="IT.CMSTDAT"),
        ),
        supp=(SuppRule("CMAENO", "Related AE Line Number", item="IT.CMAENO"),),
    )
    dm = DomainSpec(
        "DM",
        "special purpose",
        sources=("IG.DM",),
        variables=(
            VariableRule("BRTHDTC", item="IT.BRTHDAT"),
            VariableRule("AGE", item="IT.AGE"),
            VariableRule("SEX", item="IT.SEX"),
            VariableRule("RACE", item="IT.RACE", values={"2": "ASIAN", "5": "WHITE", "6": "NOT REPORTED"}),
            VariableRule("ETHNIC", item="IT.ETHNIC"),
            VariableRule("DMDTC", item="@VISIT_DATE"),
        ),
        supp=(SuppRule("SMOKER", "Current Smoker", item="IT.SMOKE"),),
    )
    return MappingSpec(
        STUDY, (dm, vs, lb, ae, cm), relations=(RelationSpec("AE", "CM", on=(("AESPID", "CMAENO"),), relid="AECM"),)
    )


def inputs() -> SdtmInputs:
    return SdtmInputs(
        subjects=subjects(),
        items=items(),
        item_meta=item_meta(),
        codelists=codelists(),
        dispositions=dispositions(),
        exposures=exposures(),
        subject_elements=subject_elements(),
        protocol=protocol(),
    )
