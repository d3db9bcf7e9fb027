"""The fictional Phase III study OPC-301: the protocol as data, its sites and its people."""

import datetime as dt

PROTOCOL = "OPC-301"
DEMO_PASSWORD = "Demo-OPC301-2026"

STUDY = {
    "protocol_number": PROTOCOL,
    "title": (
        "A Phase III, randomised, double-blind, placebo-controlled, multicentre study of the efficacy and "
        "safety of two doses of cardiorelaxin (OPC-1127) in adults with chronic heart failure with "
        "reduced ejection fraction"
    ),
    "short_title": "CARDIO-RELAX: OPC-1127 in HFrEF",
    "phase": "III",
    "therapeutic_area": "Cardiology",
    "indication": "Chronic heart failure with reduced ejection fraction (HFrEF)",
    "sponsor": "Meridian Therapeutics (fictional)",
    "ind_number": "154321",
    "eu_ct_number": "2025-521234-17-00",
    "nct_number": "NCT09990301",
}

COUNTRIES = [
    ("US", "United States", "Food and Drug Administration (FDA)"),
    ("DE", "Germany", "Federal Institute for Drugs and Medical Devices (BfArM)"),
    ("ES", "Spain", "Spanish Agency of Medicines and Medical Devices (AEMPS)"),
    ("JP", "Japan", "Pharmaceuticals and Medical Devices Agency (PMDA)"),
    ("IN", "India", "Central Drugs Standard Control Organisation (CDSCO)"),
    ("BR", "Brazil", "Brazilian Health Regulatory Agency (ANVISA)"),
]

# number, institution, PI, country, city, time zone, status, target
SITES = [
    ("101", "Lakeshore Heart Institute", "Dr. Maria Alvarez", "US", "Chicago", "America/Chicago", "active", 30),
    ("102", "Atlantic Cardiology Research", "Dr. James Whitaker", "US", "Boston", "America/New_York", "active", 25),
    (
        "103",
        "Pacific Coast Clinical Trials",
        "Dr. Helen Park",
        "US",
        "San Diego",
        "America/Los_Angeles",
        "initiated",
        20,
    ),
    (
        "201",
        "Universitätsklinikum Rheinland",
        "Prof. Dr. Klaus Neumann",
        "DE",
        "Cologne",
        "Europe/Berlin",
        "active",
        25,
    ),
    ("202", "Herzzentrum Nord", "Dr. Anja Vogel", "DE", "Hamburg", "Europe/Berlin", "active", 20),
    ("301", "Hospital Universitario del Sur", "Dra. Lucía Romero", "ES", "Seville", "Europe/Madrid", "active", 20),
    ("302", "Centro Cardiovascular Mediterráneo", "Dr. Jordi Puig", "ES", "Barcelona", "Europe/Madrid", "selected", 15),
    ("401", "Kanto Cardiovascular Center", "Dr. Hiroshi Tanaka", "JP", "Tokyo", "Asia/Tokyo", "active", 20),
    ("402", "Osaka University Heart Hospital", "Dr. Yuki Nakamura", "JP", "Osaka", "Asia/Tokyo", "initiated", 15),
    ("501", "Deccan Institute of Cardiology", "Dr. Priya Raman", "IN", "Hyderabad", "Asia/Kolkata", "active", 30),
    ("502", "Western India Heart Foundation", "Dr. Arjun Mehta", "IN", "Pune", "Asia/Kolkata", "planned", 20),
    ("601", "Instituto do Coração Paulista", "Dr. Rafael Souza", "BR", "São Paulo", "America/Sao_Paulo", "active", 25),
]

ARMS = [
    ("A", "OPC-1127 10 mg once daily", "experimental", "Oral tablet, 10 mg once daily for 52 weeks", 1),
    ("B", "OPC-1127 20 mg once daily", "experimental", "Oral tablet, 20 mg once daily for 52 weeks", 1),
    ("P", "Placebo once daily", "placebo", "Matching placebo tablet once daily for 52 weeks", 1),
]

EPOCHS = ["Screening", "Treatment", "Follow-up"]

# code, name, epoch index, day, window before, window after, unscheduled
VISITS = [
    ("V1", "Screening", 0, -28, 0, 0, False),
    ("V2", "Baseline / randomisation", 1, 1, 0, 0, False),
    ("V3", "Week 2", 1, 15, 3, 3, False),
    ("V4", "Week 4", 1, 29, 3, 3, False),
    ("V5", "Week 12", 1, 85, 7, 7, False),
    ("V6", "Week 24", 1, 169, 7, 7, False),
    ("V7", "Week 36", 1, 253, 7, 7, False),
    ("V8", "Week 52 / end of treatment", 1, 365, 7, 7, False),
    ("V9", "Follow-up", 2, 393, 7, 7, False),
    ("UNS", "Unscheduled", None, None, 0, 0, True),
]

# code, name, kind, visits
ACTIVITIES = [
    ("IC", "Informed consent", "procedure", ["V1"]),
    ("ELIG", "Eligibility review", "form", ["V1", "V2"]),
    ("DM", "Demographics", "form", ["V1"]),
    ("MH", "Medical history", "form", ["V1"]),
    ("VS", "Vital signs", "form", ["V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9", "UNS"]),
    ("PE", "Physical examination", "assessment", ["V1", "V2", "V5", "V8"]),
    ("ECG", "12-lead ECG", "assessment", ["V1", "V2", "V5", "V8", "UNS"]),
    ("ECHO", "Echocardiogram (LVEF)", "assessment", ["V1", "V6", "V8"]),
    ("LAB", "Haematology and chemistry", "lab", ["V1", "V2", "V4", "V5", "V6", "V7", "V8", "UNS"]),
    ("BNP", "NT-proBNP", "lab", ["V1", "V2", "V5", "V6", "V8"]),
    ("KCCQ", "KCCQ questionnaire", "form", ["V2", "V5", "V6", "V8"]),
    ("RAND", "Randomisation", "procedure", ["V2"]),
    ("DISP", "Study drug dispensing", "dispensing", ["V2", "V4", "V5", "V6", "V7"]),
    ("ACC", "Drug accountability", "form", ["V4", "V5", "V6", "V7", "V8"]),
    ("AE", "Adverse events", "form", ["V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9", "UNS"]),
    ("CM", "Concomitant medications", "form", ["V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9", "UNS"]),
]

OBJECTIVES = [
    (
        "primary",
        "To show that OPC-1127 reduces the risk of cardiovascular death or heart-failure "
        "hospitalisation compared with placebo",
        [
            (
                "primary",
                "time_to_event",
                "Time to first cardiovascular death or hospitalisation for heart failure",
                "Up to 52 weeks",
            ),
        ],
    ),
    (
        "secondary",
        "To compare health status and survival between OPC-1127 and placebo",
        [
            ("secondary", "continuous", "Change from baseline in KCCQ total symptom score", "Week 24"),
            ("secondary", "time_to_event", "Time to all-cause death", "Up to 56 weeks"),
            ("secondary", "continuous", "Change from baseline in NT-proBNP (log-transformed)", "Week 12"),
        ],
    ),
    (
        "secondary",
        "To describe the safety and tolerability of OPC-1127",
        [
            (
                "secondary",
                "binary",
                "Proportion of participants with treatment-emergent adverse events",
                "Up to 56 weeks",
            ),
        ],
    ),
    (
        "exploratory",
        "To explore the dose-response of OPC-1127 on left-ventricular function",
        [
            ("exploratory", "continuous", "Change from baseline in LVEF by echocardiography", "Week 52"),
        ],
    ),
]

CRITERIA = [
    ("inclusion", 1, "Signed informed consent before any study procedure.", ""),
    ("inclusion", 2, "Aged 18 to 85 years inclusive at screening.", "age >= 18 and age <= 85"),
    (
        "inclusion",
        3,
        "Chronic heart failure, NYHA class II to IV, for at least 3 months.",
        "nyha_class in [2, 3, 4] and hf_months >= 3",
    ),
    ("inclusion", 4, "Left-ventricular ejection fraction of 40% or less within 12 months.", "lvef <= 40"),
    (
        "inclusion",
        5,
        "NT-proBNP of 600 pg/mL or more at screening (900 pg/mL or more with atrial fibrillation).",
        "(af and ntprobnp >= 900) or (not af and ntprobnp >= 600)",
    ),
    ("exclusion", 1, "Estimated GFR below 30 mL/min/1.73 m².", "egfr < 30"),
    ("exclusion", 2, "Systolic blood pressure below 95 mmHg at screening.", "sbp < 95"),
    ("exclusion", 3, "Acute coronary syndrome, stroke or cardiac surgery within 90 days.", ""),
    ("exclusion", 4, "Pregnant or breast-feeding.", ""),
]

PROTOCOL_VERSIONS = [
    ("1.0", False, dt.date(2025, 11, 3), "Original protocol.", True),
    (
        "2.0",
        True,
        dt.date(2026, 4, 20),
        "Amendment 1: Week 12 window widened to ±7 days; NT-proBNP threshold for atrial fibrillation added; "
        "India and Brazil added.",
        True,
    ),
    ("3.0", True, None, "Amendment 2 (draft): follow-up visit moved to 4 weeks after end of treatment.", False),
]

# username, first, last, role code, site numbers (empty: all sites), time zone, superuser
USERS = [
    ("admin", "Ada", "Admin", "system_admin", [], "UTC", True),
    ("pm", "Paula", "Moreno", "project_manager", [], "Europe/Madrid", False),
    ("sponsor", "Samuel", "Osei", "sponsor_oversight", [], "America/New_York", False),
    ("cra", "Carla", "Richter", "monitor", ["201", "202", "301", "302"], "Europe/Berlin", False),
    ("cra.us", "Chris", "Adams", "monitor", ["101", "102", "103"], "America/Chicago", False),
    ("dm", "Dev", "Malhotra", "data_manager", [], "Asia/Kolkata", False),
    ("coder", "Mei", "Coder", "medical_coder", [], "Asia/Tokyo", False),
    ("stat", "Bella", "Stat", "biostatistician", [], "Europe/Berlin", False),
    ("ustat", "Uma", "Unblinded", "unblinded_statistician", [], "Europe/Berlin", False),
    ("safety", "Sofia", "Ferreira", "safety_physician", [], "America/Sao_Paulo", False),
    ("reg", "Rita", "Gomez", "regulatory_specialist", [], "Europe/Madrid", False),
    ("pharm", "Pedro", "Harmon", "pharmacist", ["101"], "America/Chicago", False),
    ("inv", "Maria", "Alvarez", "investigator", ["101"], "America/Chicago", False),
    ("crc", "Carlos", "Ruiz", "study_coordinator", ["101"], "America/Chicago", False),
    ("inv.jp", "Hiroshi", "Tanaka", "investigator", ["401"], "Asia/Tokyo", False),
    ("auditor", "Audrey", "Tor", "auditor", [], "UTC", False),
]

SUBJECTS_PER_ACTIVE_SITE = 6
FIRST_SCREENING = dt.date(2026, 5, 4)
DATA_CUTOFF = dt.date(2026, 11, 20)  # the demo's "today": visits due by then are (mostly) entered
