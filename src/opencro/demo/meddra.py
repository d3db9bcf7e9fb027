"""The demo's MedDRA: a small FICTIONAL dictionary, written in the exact MedAscii distribution format.

MedDRA is licensed and cannot be shipped, so this dictionary is invented, like the test dictionary of
`opencro.formats.coding.fictional` (whose writer it uses): the SOC, HLGT and HLT names and the whole
hierarchy are made up, every code is invented (9 digits starting with 9, where real MedDRA codes have 8;
the second digit is the level as in the test dictionary, 1 SOC ... 5 LLT and 8 SMQ, and the third is 5,
so no code is one of the test dictionary's), the SMQ exists nowhere, and the release is called
"DEMO-1.0". The terms are everyday English medical words: they cover every adverse-event and
medical-history verbatim the demo's clinical data enters (`demo.clinical.logs.AE_TERMS`,
`demo.clinical.participants`) and the investigator's brochure's expected terms (`demo.safety`), with
a few synonyms and related cardiovascular and renal terms for a coder to browse. Nothing here may be
used to code real data.
"""

from pathlib import Path

from opencro.formats.coding.fictional import write_meddra_files

VERSION = "DEMO-1.0"
LANGUAGE = "English"

# (code, name, abbreviation, international order)
SOCS = (
    (915000001, "Heart conditions", "Heart", 1),
    (915000002, "Blood vessel conditions", "Vessl", 2),
    (915000003, "Kidney and urinary conditions", "Kidny", 3),
    (915000004, "Metabolic and endocrine conditions", "Metab", 4),
    (915000005, "Brain and nerve conditions", "Brain", 5),
    (915000006, "Digestive conditions", "Diges", 6),
    (915000007, "Breathing conditions", "Breat", 7),
    (915000008, "Infectious conditions", "Infec", 8),
    (915000009, "Whole-body conditions", "Whole", 9),
    (915000010, "Joint and muscle conditions", "Joint", 10),
    (915000011, "Test results", "Tests", 11),
    (915000012, "Procedures and devices", "Proc", 12),
)
# (code, name, SOC)
HLGTS = (
    (925000001, "Heart rhythm conditions", 915000001),
    (925000002, "Heart pump conditions", 915000001),
    (925000003, "Coronary conditions", 915000001),
    (925000004, "Blood pressure conditions", 915000002),
    (925000005, "Kidney function conditions", 915000003),
    (925000006, "Electrolyte conditions", 915000004),
    (925000007, "Sugar, fat and urate conditions", 915000004),
    (925000008, "Thyroid conditions", 915000004),
    (925000009, "Nerve signs", 915000005),
    (925000010, "Digestive signs", 915000006),
    (925000011, "Airway conditions", 915000007),
    (925000012, "Airway infections", 915000008),
    (925000013, "Whole-body signs", 915000009),
    (925000014, "Joint conditions", 915000010),
    (925000015, "Heart test results", 915000011),
    (925000016, "Liver test results", 915000011),
    (925000017, "Kidney test results", 915000011),
    (925000018, "Heart procedures", 915000012),
)
# (code, name, HLGT)
HLTS = (
    (935000001, "Irregular heart rhythms", 925000001),
    (935000002, "Slow heart rhythms", 925000001),
    (935000003, "Heart pump failure", 925000002),
    (935000004, "Coronary artery events", 925000003),
    (935000005, "Low blood pressure", 925000004),
    (935000006, "High blood pressure", 925000004),
    (935000007, "Reduced kidney function", 925000005),
    (935000008, "Potassium and sodium changes", 925000006),
    (935000009, "Blood sugar conditions", 925000007),
    (935000010, "Blood fat and urate conditions", 925000007),
    (935000011, "Low thyroid function", 925000008),
    (935000012, "Headache signs", 925000009),
    (935000013, "Balance and consciousness signs", 925000009),
    (935000014, "Nausea and vomiting signs", 925000010),
    (935000015, "Bowel signs", 925000010),
    (935000016, "Obstructive airway conditions", 925000011),
    (935000017, "Breathing signs", 925000011),
    (935000018, "Upper airway infections", 925000012),
    (935000019, "Lower airway infections", 925000012),
    (935000020, "Tiredness signs", 925000013),
    (935000021, "Fluid and swelling signs", 925000013),
    (935000022, "Joint wear conditions", 925000014),
    (935000023, "Electrocardiogram results", 925000015),
    (935000024, "Liver enzyme results", 925000016),
    (935000025, "Kidney function results", 925000017),
    (935000026, "Heart device procedures", 925000018),
)
# (code, name, primary HLT, secondary HLTs): the SOC of the primary HLT is the PT's primary SOC.
PTS = (
    (945000001, "Atrial fibrillation", 935000001, ()),
    (945000002, "Palpitations", 935000001, ()),
    (945000003, "Bradycardia", 935000002, ()),
    (945000004, "Cardiac failure", 935000003, ()),
    (945000005, "Cardiac failure chronic", 935000003, ()),
    (945000006, "Myocardial infarction", 935000004, ()),
    (945000007, "Angina pectoris", 935000004, ()),
    (945000008, "Hypotension", 935000005, ()),
    (945000009, "Orthostatic hypotension", 935000005, (935000013,)),
    (945000010, "Hypertension", 935000006, ()),
    (945000011, "Renal impairment", 935000007, ()),
    (945000012, "Acute kidney injury", 935000007, ()),
    (945000013, "Chronic kidney disease", 935000007, ()),
    (945000014, "Hyperkalaemia", 935000008, ()),
    (945000015, "Hyponatraemia", 935000008, ()),
    (945000016, "Type 2 diabetes mellitus", 935000009, ()),
    (945000017, "Hypercholesterolaemia", 935000010, ()),
    (945000018, "Gout", 935000010, (935000022,)),
    (945000019, "Hypothyroidism", 935000011, ()),
    (945000020, "Headache", 935000012, ()),
    (945000021, "Dizziness", 935000013, ()),
    (945000022, "Syncope", 935000013, (935000005,)),
    (945000023, "Nausea", 935000014, ()),
    (945000024, "Vomiting", 935000014, ()),
    (945000025, "Diarrhoea", 935000015, ()),
    (945000026, "Chronic obstructive pulmonary disease", 935000016, ()),
    (945000027, "Cough", 935000017, ()),
    (945000028, "Dyspnoea", 935000017, (935000003,)),
    (945000029, "Nasopharyngitis", 935000018, ()),
    (945000030, "Pneumonia", 935000019, (935000017,)),
    (945000031, "Fatigue", 935000020, ()),
    (945000032, "Peripheral oedema", 935000021, ()),
    (945000033, "Fluid retention", 935000021, ()),
    (945000034, "Osteoarthritis", 935000022, ()),
    (945000035, "Electrocardiogram QT prolonged", 935000023, (935000001,)),
    (945000036, "Alanine aminotransferase increased", 935000024, ()),
    (945000037, "Blood creatinine increased", 935000025, (935000007,)),
    (945000038, "Implantable defibrillator insertion", 935000026, ()),
)
# LLTs other than the PTs' own: (code, name, PT, current)
SYNONYM_LLTS = (
    (955000001, "AF", 945000001, True),
    (955000002, "Heart failure", 945000004, True),
    (955000003, "Worsening heart failure", 945000004, True),
    (955000004, "Chronic heart failure", 945000005, True),
    (955000005, "Heart attack", 945000006, True),
    (955000006, "Low blood pressure", 945000008, True),
    (955000007, "High blood pressure", 945000010, True),
    (955000008, "Kidney function impaired", 945000011, True),
    (955000009, "Potassium high", 945000014, True),
    (955000010, "Head ache", 945000020, True),
    (955000011, "Light-headedness", 945000021, True),
    (955000012, "Fainting", 945000022, True),
    (955000013, "Blacking out", 945000022, False),
    (955000014, "Feeling sick", 945000023, True),
    (955000015, "Loose stools", 945000025, True),
    (955000016, "Breathlessness", 945000028, True),
    (955000017, "Common cold", 945000029, True),
    (955000018, "Chest infection", 945000030, True),
    (955000019, "Tiredness", 945000031, True),
    (955000020, "Ankle swelling", 945000032, True),
    (955000021, "QT prolongation", 945000035, True),
    (955000022, "ALT increased", 945000036, True),
    (955000023, "Implantable cardioverter defibrillator insertion", 945000038, True),
)
# (code, name, level, description, terms as (code, level 4 PT / 5 LLT, scope 1 broad / 2 narrow))
SMQS = (
    (
        985000001,
        "Fictional heart rhythm query",
        1,
        "Invented query grouping heart rhythm terms, for the demo only",
        (
            (945000001, 4, 2),
            (945000002, 4, 1),
            (945000003, 4, 2),
            (945000022, 4, 1),
            (945000035, 4, 2),
            (955000001, 5, 2),
        ),
    ),
)


# PT name -> code, as text (as coded terms and expected terms hold it)
PT_CODES = {name: str(code) for code, name, _hlt, _others in PTS}


def demo_llts() -> list[tuple[int, str, int, bool]]:
    """Every LLT of the demo dictionary, the PTs' own first: (code, name, PT code, current)."""
    return [(code, name, code, True) for code, name, _hlt, _others in PTS] + list(SYNONYM_LLTS)


def write_demo_meddra(directory: str | Path, *, encoding: str = "latin-1") -> Path:
    """Write the demo's fictional MedDRA release as MedAscii `.asc` files into `directory`; return it."""
    return write_meddra_files(
        directory,
        version=VERSION,
        socs=SOCS,
        hlgts=HLGTS,
        hlts=HLTS,
        pts=PTS,
        llts=demo_llts(),
        smqs=SMQS,
        smq_term_version=VERSION,
        encoding=encoding,
    )
