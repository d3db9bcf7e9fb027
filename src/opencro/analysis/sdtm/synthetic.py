"""A generated study of any size for benchmarks: subjects, visits with VS and LB forms, AE and CM logs.

`synthetic_study(n_subjects, n_visits, seed)` returns the mapping spec and the input frames of a
two-arm trial: each subject has `n_visits` visits 14 days apart (visit 1 on the day of first dose),
a VS form of 6 tests and an LB form of 10 tests with a sample date and time per visit, 0-4 adverse
events (with their system organ class) and 0-3 medications, one exposure record over the treatment
period, randomisation and an end-of-study disposition. The values are random (numpy Generator with
`seed`), the structure is that of the demo CRF's annotations; the data mean nothing clinically.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opencro.analysis.sdtm.inputs import Arm, ArmElement, Element, PlannedVisit, Protocol, SdtmInputs
from opencro.analysis.sdtm.spec import DomainSpec, MappingSpec, TestRule, VariableRule

STUDY = "SYN-001"
VS_TESTS = (
    ("SYSBP", "Systolic Blood Pressure", "mmHg", 125.0, 15.0),
    ("DIABP", "Diastolic Blood Pressure", "mmHg", 80.0, 10.0),
    ("PULSE", "Pulse Rate", "beats/min", 72.0, 10.0),
    ("TEMP", "Temperature", "C", 36.8, 0.3),
    ("WEIGHT", "Weight", "kg", 78.0, 12.0),
    ("RESP", "Respiratory Rate", "breaths/min", 16.0, 2.0),
)
LB_TESTS = (
    ("HGB", "Hemoglobin", "g/dL", 13.5, 1.5),
    ("WBC", "Leukocytes", "10^9/L", 7.0, 2.0),
    ("PLT", "Platelets", "10^9/L", 250.0, 60.0),
    ("CREAT", "Creatinine", "umol/L", 90.0, 20.0),
    ("K", "Potassium", "mmol/L", 4.3, 0.4),
    ("SODIUM", "Sodium", "mmol/L", 140.0, 3.0),
    ("ALT", "Alanine Aminotransferase", "U/L", 25.0, 10.0),
    ("AST", "Aspartate Aminotransferase", "U/L", 24.0, 8.0),
    ("GLUC", "Glucose", "mmol/L", 5.5, 1.0),
    ("ALB", "Albumin", "g/L", 42.0, 4.0),
)
AE_TERMS = ("Headache", "Nausea", "Dizziness", "Fatigue", "Cough", "Back pain")
AE_SOC = {  # MedDRA system organ class of each term (as a coder would record it)
    "Headache": "Nervous system disorders",
    "Dizziness": "Nervous system disorders",
    "Nausea": "Gastrointestinal disorders",
    "Fatigue": "General disorders and administration site conditions",
    "Cough": "Respiratory, thoracic and mediastinal disorders",
    "Back pain": "Musculoskeletal and connective tissue disorders",
}
DISPOSITIONS = (
    ("COMPLETED", 0.8),
    ("ADVERSE EVENT", 0.07),
    ("WITHDRAWAL BY SUBJECT", 0.08),
    ("LOST TO FOLLOW-UP", 0.05),
)
CM_TERMS = ("Paracetamol", "Ibuprofen", "Omeprazole", "Atorvastatin")


def _spec() -> MappingSpec:
    vs = DomainSpec(
        "VS",
        "findings",
        sources=("IG.VS",),
        variables=(VariableRule("VSDTC", item="@VISIT_DATE"),),
        tests=tuple(TestRule(c, t, f"IT.{c}", orresu=u) for c, t, u, _, _ in VS_TESTS),
    )
    lb = DomainSpec(
        "LB",
        "findings",
        sources=("IG.LB",),
        variables=(VariableRule("LBDTC", item="IT.LBDAT", time_item="IT.LBTIM"),),
        tests=tuple(TestRule(c, t, f"IT.{c}", orresu=u) for c, t, u, _, _ in LB_TESTS),
    )
    ae = DomainSpec(
        "AE",
        "events",
        sources=("IG.AE",),
        variables=(
            VariableRule("AETERM", item="IT.AETERM"),
            VariableRule("AEDECOD", item="IT.AETERM", origin="derived", method="Preferred term (the reported term)."),
            VariableRule("AEBODSYS", item="IT.AEBODSYS", origin="derived", method="MedDRA system organ class."),
            VariableRule("AESTDTC", item="IT.AESTDAT"),
            VariableRule("AESEV", item="IT.AESEV"),
            VariableRule("AESER", item="IT.AESER"),
        ),
    )
    cm = DomainSpec(
        "CM",
        "interventions",
        sources=("IG.CM",),
        variables=(VariableRule("CMTRT", item="IT.CMTRT"), VariableRule("CMSTDTC", item="IT.CMSTDAT")),
    )
    dm = DomainSpec(
        "DM",
        "special purpose",
        sources=("IG.DM",),
        variables=(VariableRule("SEX", item="IT.SEX"), VariableRule("AGE", item="IT.AGE")),
    )
    return MappingSpec(STUDY, (dm, vs, lb, ae, cm))


def _dates(start: np.ndarray, offset_days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(start + offset_days.astype("timedelta64[D]"), unit="D")


def synthetic_study(n_subjects: int = 5000, n_visits: int = 20, seed: int = 20261127) -> tuple[MappingSpec, SdtmInputs]:
    """The spec and inputs of a generated study of `n_subjects` subjects and `n_visits` visits each."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"{STUDY}-{n:05d}" for n in range(1, n_subjects + 1)])
    first_dose = np.datetime64("2026-01-05") + rng.integers(0, 365, n_subjects).astype("timedelta64[D]")
    arms = np.where(rng.random(n_subjects) < 0.5, "DRUG", "PBO")
    subjects = pd.DataFrame(
        {
            "STUDYID": STUDY,
            "USUBJID": ids,
            "SUBJID": [i[-5:] for i in ids],
            "SITEID": [f"{n:02d}" for n in rng.integers(1, 40, n_subjects)],
            "COUNTRY": rng.choice(["ESP", "JPN", "USA", "DEU"], n_subjects),
            "RFICDTC": _dates(first_dose, np.full(n_subjects, -14)),
            "RFSTDTC": _dates(first_dose, np.zeros(n_subjects)),
            "RFXSTDTC": _dates(first_dose, np.zeros(n_subjects)),
            "ARMCD": arms,
            "ACTARMCD": arms,
        }
    )
    # Visit dates: visit v (1-based) on day 14 * (v - 1) after first dose.
    subject_index = np.repeat(np.arange(n_subjects), n_visits)
    visit = np.tile(np.arange(1, n_visits + 1), n_subjects)
    visit_date = _dates(first_dose[subject_index], 14 * (visit - 1))
    parts = []

    def form(form_oid: str, group: str, tests: tuple, extra: dict[str, np.ndarray]) -> None:
        n = len(subject_index)
        base = {
            "USUBJID": ids[subject_index],
            "EVENT_OID": np.char.add("SE.V", visit.astype(str)),
            "VISITNUM": visit.astype(float),
            "VISIT": np.char.add("VISIT ", visit.astype(str)),
            "VISIT_DATE": visit_date,
            "FORM_OID": form_oid,
            "FORM_REPEAT": 1,
            "GROUP_OID": group,
            "GROUP_REPEAT": 1,
        }
        for oid, values in extra.items():
            parts.append(pd.DataFrame({**base, "ITEM_OID": oid, "VALUE": values}))
        for code, _, _, mean, sd in tests:
            values = np.round(rng.normal(mean, sd, n), 1).astype(str)
            parts.append(pd.DataFrame({**base, "ITEM_OID": f"IT.{code}", "VALUE": values}))

    form("F.VS", "IG.VS", VS_TESTS, {})
    form("F.LB", "IG.LB", LB_TESTS, {"IT.LBDAT": visit_date, "IT.LBTIM": np.full(len(visit), "08:30")})
    parts.append(
        pd.DataFrame(
            {
                "USUBJID": ids,
                "EVENT_OID": "SE.V1",
                "VISITNUM": 1.0,
                "VISIT": "VISIT 1",
                "VISIT_DATE": _dates(first_dose, np.zeros(n_subjects)),
                "FORM_OID": "F.DM",
                "FORM_REPEAT": 1,
                "GROUP_OID": "IG.DM",
                "GROUP_REPEAT": 1,
                "ITEM_OID": "IT.SEX",
                "VALUE": rng.choice(["F", "M"], n_subjects),
            }
        )
    )
    parts.append(parts[-1].assign(ITEM_OID="IT.AGE", VALUE=rng.integers(18, 86, n_subjects).astype(str)))
    for group, terms, count, items in (
        ("IG.AE", AE_TERMS, 5, ("IT.AETERM", "IT.AESTDAT", "IT.AESEV", "IT.AESER")),
        ("IG.CM", CM_TERMS, 4, ("IT.CMTRT", "IT.CMSTDAT")),
    ):
        lines = rng.integers(0, count, n_subjects)
        owner = np.repeat(np.arange(n_subjects), lines)
        line = np.concatenate([np.arange(1, k + 1) for k in lines]) if lines.sum() else np.array([], dtype=int)
        start = _dates(first_dose[owner], rng.integers(-10, 14 * n_visits, len(owner)))
        values = {
            items[0]: rng.choice(terms, len(owner)),
            items[1]: start,
        }
        if len(items) > 2:
            values[items[2]] = rng.choice(["MILD", "MODERATE", "SEVERE"], len(owner))
            values[items[3]] = rng.choice(["N", "Y"], len(owner), p=[0.9, 0.1])
            values["IT.AEBODSYS"] = pd.Series(values[items[0]]).map(AE_SOC).to_numpy()
        for oid, column in values.items():
            parts.append(
                pd.DataFrame(
                    {
                        "USUBJID": ids[owner],
                        "EVENT_OID": "SE.LOG",
                        "VISITNUM": np.nan,
                        "VISIT": None,
                        "VISIT_DATE": None,
                        "FORM_OID": "F." + group[3:],
                        "FORM_REPEAT": 1,
                        "GROUP_OID": group,
                        "GROUP_REPEAT": line,
                        "ITEM_OID": oid,
                        "VALUE": column,
                    }
                )
            )
    items_frame = pd.concat(parts, ignore_index=True)
    elements = pd.DataFrame(
        {
            "USUBJID": np.concatenate([ids, ids]),
            "ETCD": np.concatenate([np.full(n_subjects, "SCRN"), arms]),
            "SESTDTC": np.concatenate([subjects["RFICDTC"].to_numpy(), subjects["RFSTDTC"].to_numpy()]),
            "SEENDTC": np.concatenate(
                [subjects["RFSTDTC"].to_numpy(), _dates(first_dose, np.full(n_subjects, 14 * n_visits))]
            ),
        }
    )
    protocol = Protocol(
        arms=(Arm("DRUG", "Drug"), Arm("PBO", "Placebo")),
        elements=(
            Element("SCRN", "Screening", "Informed consent"),
            Element("DRUG", "Drug", "First dose of drug"),
            Element("PBO", "Placebo", "First dose of placebo"),
        ),
        arm_elements=(
            ArmElement("DRUG", 1, "SCRN", "SCREENING"),
            ArmElement("DRUG", 2, "DRUG", "TREATMENT"),
            ArmElement("PBO", 1, "SCRN", "SCREENING"),
            ArmElement("PBO", 2, "PBO", "TREATMENT"),
        ),
        visits=tuple(
            PlannedVisit(float(v), f"VISIT {v}", f"Day {14 * (v - 1) + 1}", 14 * (v - 1) + 1)
            for v in range(1, n_visits + 1)
        ),
    )
    end_of_treatment = _dates(first_dose, np.full(n_subjects, 14 * (n_visits - 1)))
    subjects["RFXENDTC"] = end_of_treatment
    subjects["RFENDTC"] = end_of_treatment
    exposures = pd.DataFrame(
        {
            "USUBJID": ids,
            "EXTRT": np.where(arms == "DRUG", "DRUG", "PLACEBO"),
            "EXDOSE": np.where(arms == "DRUG", 10.0, 0.0),
            "EXDOSU": "mg",
            "EXSTDTC": subjects["RFXSTDTC"],
            "EXENDTC": end_of_treatment,
        }
    )
    reasons = rng.choice([r for r, _ in DISPOSITIONS], n_subjects, p=[p for _, p in DISPOSITIONS])
    dispositions = pd.DataFrame(
        {
            "USUBJID": np.concatenate([ids, ids]),
            "DSTERM": np.concatenate([np.full(n_subjects, "RANDOMIZED"), reasons]),
            "DSDECOD": np.concatenate([np.full(n_subjects, "RANDOMIZED"), reasons]),
            "DSCAT": np.concatenate(
                [np.full(n_subjects, "PROTOCOL MILESTONE"), np.full(n_subjects, "DISPOSITION EVENT")]
            ),
            "DSSTDTC": np.concatenate([subjects["RFSTDTC"].to_numpy(), end_of_treatment]),
        }
    )
    inputs = SdtmInputs(
        subjects=subjects,
        items=items_frame,
        subject_elements=elements,
        exposures=exposures,
        dispositions=dispositions,
        protocol=protocol,
    )
    return _spec(), inputs
