"""OPC-204 as data: the protocol, its three sites and their start-up, its ten participants, and the days each part of
the study and its close-out happened.

The dates fall inside the master services agreement Meridian and Northstar signed in February 2025 (`demo.partnership`):
the study ran from March to September 2025, its results came before OPC-301's first site opened, and its close-out
ended in March 2026.
"""

import datetime as dt

D = dt.date
PROTOCOL = "OPC-204"

STUDY = {
    "protocol_number": PROTOCOL,
    "title": (
        "A Phase II, randomised, double-blind, placebo-controlled study of the safety, tolerability and "
        "haemodynamic effects of cardiorelaxin (OPC-1127) 10 mg once daily for 12 weeks in adults with chronic heart "
        "failure with reduced ejection fraction"
    ),
    "short_title": "CARDIO-RELAX II: OPC-1127 dose confirmation",
    "phase": "II",
    "therapeutic_area": "Cardiology",
    "indication": "Chronic heart failure with reduced ejection fraction (HFrEF)",
    "sponsor": "Meridian Therapeutics (fictional)",
    "ind_number": "154321",
    "eu_ct_number": "2024-519876-22-00",
    "nct_number": "NCT09990204",
}
COUNTRIES = [
    ("US", "United States", "Food and Drug Administration (FDA)"),
    ("DE", "Germany", "Federal Institute for Drugs and Medical Devices (BfArM)"),
]
ARMS = [
    ("A", "OPC-1127 10 mg once daily", "experimental", "Oral tablet, 10 mg once daily for 12 weeks", 1),
    ("P", "Placebo once daily", "placebo", "Matching placebo tablet once daily for 12 weeks", 1),
]
EPOCHS = ["Screening", "Treatment"]
# code, name, epoch index, study day, window before, window after (the eCRF's events carry the same names)
VISITS = [
    ("V1", "Screening", 0, -14, 0, 0),
    ("V2", "Day 1 / randomisation", 1, 1, 0, 0),
    ("V3", "Week 4", 1, 29, 3, 3),
    ("V4", "Week 12 / end of treatment", 1, 85, 7, 7),
]
VISIT_DAYS = {"V2": 0, "V3": 28, "V4": 84}  # days after enrolment (Day 1)
CRITERIA = [
    ("inclusion", 1, "Signed informed consent before any study procedure."),
    ("inclusion", 2, "Chronic heart failure, NYHA class II or III, LVEF of 40% or less."),
    ("exclusion", 1, "Systolic blood pressure below 95 mmHg at screening."),
]
PROTOCOL_VERSION = ("1.0", D(2024, 10, 28), "Original protocol.")
CONSENT = ("1.0", "Central IRB", D(2025, 2, 24))

# number, institution, principal investigator, country, city, time zone, target enrolment
SITES = [
    ("11", "Lakeshore Heart Institute", "Dr. Maria Alvarez", "US", "Chicago", "America/Chicago", 3),
    ("12", "Atlantic Cardiology Research", "Dr. James Whitaker", "US", "Boston", "America/New_York", 3),
    ("21", "Universitätsklinikum Rheinland", "Prof. Dr. Klaus Neumann", "DE", "Cologne", "Europe/Berlin", 2),
]
# country: {milestone kind: (planned, actual)} (start-up milestone kinds)
COUNTRY_HISTORY = {
    "US": {
        "regulatory_submission": (D(2024, 12, 2), D(2024, 12, 2)),
        "regulatory_approval": (D(2025, 1, 2), D(2025, 1, 2)),
        "central_ethics_submission": (D(2025, 1, 13), D(2025, 1, 15)),
        "central_ethics_approval": (D(2025, 2, 17), D(2025, 2, 24)),
    },
    "DE": {
        "regulatory_submission": (D(2024, 12, 9), D(2024, 12, 11)),
        "regulatory_approval": (D(2025, 3, 10), D(2025, 3, 14)),
        "central_ethics_submission": (D(2024, 12, 9), D(2024, 12, 11)),
        "central_ethics_approval": (D(2025, 3, 10), D(2025, 3, 14)),
    },
}
# site: selection, confidentiality agreement, local ethics (None: central), contract, initiation visit, green light,
# what is missing (nothing), the coordinator (`demo.startup.SITE_HISTORY`'s shape)
SITE_HISTORY = {
    "11": (D(2024, 11, 18), D(2024, 11, 4), None, D(2025, 2, 28), D(2025, 3, 18), D(2025, 3, 25), "", "Emily Carter"),
    "12": (D(2024, 11, 25), D(2024, 11, 12), None, D(2025, 3, 7), D(2025, 3, 25), D(2025, 4, 1), "", "Ryan Brooks"),
    "21": (D(2024, 12, 2), D(2024, 11, 20), None, D(2025, 3, 14), D(2025, 3, 31), D(2025, 4, 7), "", "Jonas Becker"),
}

# the investigators of sites 12 and 21, who sign their casebooks (site 11's is the demo's `inv`)
INVESTIGATORS = [
    ("inv.boston", "James", "Whitaker", "12", "America/New_York"),
    ("inv.cologne", "Klaus", "Neumann", "21", "Europe/Berlin"),
]
# username, role, sites (empty: all): the demo's people on OPC-204
MEMBERSHIPS = [
    ("pm", "project_manager", []),
    ("sponsor", "sponsor_oversight", []),
    ("dm", "data_manager", []),
    ("stat", "biostatistician", []),
    ("ustat", "unblinded_statistician", []),
    ("reg", "regulatory_specialist", []),
    ("auditor", "auditor", []),
    ("cra.us", "monitor", ["11", "12"]),
    ("cra", "monitor", ["21"]),
    ("inv", "investigator", ["11"]),
    ("crc", "study_coordinator", ["11"]),
    ("inv.boston", "investigator", ["12"]),
    ("inv.cologne", "investigator", ["21"]),
]
MONITORS = {"11": "cra.us", "12": "cra.us", "21": "cra"}
SITE_STAFF = {"11": "crc", "12": "inv.boston", "21": "inv.cologne"}  # who enters the site's data
SITE_INVESTIGATORS = {"11": "inv", "12": "inv.boston", "21": "inv.cologne"}

# site, screened, sex, year of birth, outcome ("screen_failure", "completed", or the early termination's
# reason and its day), enrolled days after screening
PARTICIPANTS = [
    ("11", D(2025, 4, 7), "F", 1958, "completed", 14),
    ("11", D(2025, 4, 16), "M", 1951, "completed", 14),
    ("11", D(2025, 5, 5), "M", 1963, "screen_failure", 0),
    ("11", D(2025, 5, 12), "F", 1949, "completed", 14),
    ("12", D(2025, 4, 22), "M", 1955, ("adverse_event", D(2025, 6, 12)), 14),
    ("12", D(2025, 5, 19), "F", 1960, "completed", 14),
    ("12", D(2025, 6, 2), "M", 1947, "completed", 14),
    ("21", D(2025, 4, 28), "M", 1956, "screen_failure", 0),
    ("21", D(2025, 5, 6), "M", 1952, ("withdrawal_by_subject", D(2025, 7, 1)), 14),
    ("21", D(2025, 5, 27), "F", 1961, "completed", 14),
]
# the end-of-study form's term for each way a participant's part ended
DS_TERMS = {
    "completed": "COMPLETED",
    "screen_failure": "SCREEN FAILURE",
    "adverse_event": "ADVERSE EVENT",
    "withdrawal_by_subject": "WITHDRAWAL BY SUBJECT",
}
# participant (1-based, in PARTICIPANTS order): adverse events (term, start, end, severity, relationship, action);
# every term is a current LLT of the demo's MedDRA, so each is coded as it is saved
ADVERSE_EVENTS = {
    1: [("Headache", D(2025, 5, 2), D(2025, 5, 4), "MILD", "UNLIKELY RELATED", "DOSE NOT CHANGED")],
    2: [("Dizziness", D(2025, 5, 20), D(2025, 5, 23), "MILD", "POSSIBLY RELATED", "DOSE NOT CHANGED")],
    5: [("Hypotension", D(2025, 6, 9), D(2025, 6, 20), "MODERATE", "POSSIBLY RELATED", "DRUG WITHDRAWN")],
    6: [("Nasopharyngitis", D(2025, 7, 8), D(2025, 7, 15), "MILD", "NOT RELATED", "DOSE NOT CHANGED")],
    10: [("Fatigue", D(2025, 7, 21), D(2025, 8, 1), "MILD", "UNLIKELY RELATED", "DOSE NOT CHANGED")],
}
# the data manager's manual query: participant, visit, what it asks, the site's answer
MANUAL_QUERY = (
    7,
    "V3",
    "Weight at Week 4 is 2 kg below Day 1: please confirm against the source.",
    "Confirmed: the participant started a diuretic dose change by the cardiologist (source note of the visit).",
)

# the study's lifecycle, each move on its day
STATUS_MOVES = [
    ("site selection and approvals under way", D(2024, 11, 18)),
    ("first site initiated", D(2025, 3, 25)),
    ("enrolment over: the last participant in", D(2025, 6, 17)),
]
SDV_PASSES = [D(2025, 7, 1), D(2025, 9, 16)]  # the monitors verify what was entered by then
REVIEWED_ON = D(2025, 9, 22)  # data management reviews every page
QUERY_DAYS = (D(2025, 7, 15), D(2025, 7, 17), D(2025, 7, 18))  # raised, answered, closed

# contract: the work order under the demo's agreement
WORK_ORDER = {
    "drafted": D(2025, 2, 17),
    "signed": (("cro.exec", D(2025, 2, 19)), ("sponsor", D(2025, 2, 21))),
    "title": f"{PROTOCOL}: monitoring, data management and statistics",
    "services": ["project_management", "monitoring", "data_management", "biostatistics"],
    "value": "1240000.00",
    "start_on": D(2025, 3, 1),
    "end_on": D(2026, 6, 30),
}
MILESTONE_TARGETS = {
    "first_site_activated": D(2025, 3, 31),
    "first_participant_in": D(2025, 4, 30),
    "last_participant_in": D(2025, 6, 30),
    "last_participant_last_visit": D(2025, 9, 30),
    "database_lock": D(2025, 10, 31),
    "topline_results": D(2025, 11, 15),
    "clinical_study_report": D(2026, 1, 31),
}
MILESTONES_RECORDED = {"topline_results": D(2025, 10, 24), "clinical_study_report": D(2025, 12, 5)}

# site payments: the US grid in US dollars (the German site's in euros at 0.92, rounded to tens): a fee per visit, per
# screen failure (two at most) and at start-up; 10 % held back until the site's close-out
CURRENCIES = {"US": ("USD", "1"), "DE": ("EUR", "0.92")}
VISIT_FEES = {"V1": 450, "V2": 900, "V3": 500, "V4": 950}
SCREEN_FAILURE_FEE, STARTUP_FEE, HOLDBACK = 300, 3000, "10"
# cut-off, prepared, approved, exported, paid, payment reference
RUNS = [(D(2025, 9, 30), D(2025, 10, 2), D(2025, 10, 6), D(2025, 10, 7), D(2025, 10, 20), "AP-2025-1020-204")]
FINAL_RUN = (D(2025, 11, 30), D(2025, 12, 2), D(2025, 12, 4), D(2025, 12, 5), D(2025, 12, 16), "AP-2025-1216-204")

# the close-out: who signs each step (the demo person whose role owns it) and on which day
SIGNERS = {
    "lplv": ("pm", D(2025, 9, 26)),
    "database_lock": ("dm", D(2025, 10, 8)),
    "unblinding": ("ustat", D(2025, 10, 9)),
    "analysis_package": ("ustat", D(2025, 10, 13)),
    "csr": ("pm", D(2025, 12, 9)),
    "site_closeout": ("pm", D(2025, 11, 7)),
    "final_payments": ("pm", D(2025, 12, 18)),
    "tmf_reconciliation": ("reg", D(2026, 1, 22)),
    "archiving": ("reg", D(2026, 2, 18)),
    "approval": ("sponsor", D(2026, 3, 2)),
}
CLOSEOUT_STARTED = (D(2025, 9, 15), D(2026, 3, 31), "Close-out kick-off with Meridian: target end of March 2026.")
CASEBOOKS_SIGNED = D(2025, 10, 1)
LOCKED_ON = D(2025, 10, 8)
PACKAGE_BUILT = D(2025, 10, 10)
CLOSEOUT_VISITS = {"11": D(2025, 10, 21), "12": D(2025, 10, 23), "21": D(2025, 10, 28)}
CSR = ("Clinical study report OPC-204", D(2025, 11, 17), D(2025, 12, 5))  # title, drafted, approved
TMF_RECONCILED = D(2026, 1, 16)  # the reconciliation report's date (filed three days later, checked two days after)
ARCHIVE = {
    "tmf_location": "Iron Mountain, Frankfurt am Main, vault 2",
    "tmf_reference": "IM-2026-0117",
    "tmf_archived_on": D(2026, 2, 16),
    "retention_rule": "eu_ctr_art58",
}
SITE_ARCHIVED = D(2026, 2, 12)
