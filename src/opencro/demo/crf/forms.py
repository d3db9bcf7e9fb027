"""The OPC-301 forms, one declaration per form, in CDASH domains.

Conditions (COND.*) and methods (MT.*) named here are defined in `rules`.

References: CDASHIG v2.2 sections on DS (informed consent, disposition), IE, DM, MH, VS, PE, EG,
LB, QS, DA, AE and CM; SDTMIG v3.4 for the CV (cardiovascular findings) and RP domains.
"""

from opencro.demo import data
from opencro.demo.crf.items import (
    Collector,
    Field,
    calculated,
    coded,
    date,
    derived,
    finding,
    item,
    limits,
    optional,
    start_stop,
    text,
    yes_no,
)
from opencro.demo.crf.texts import DESCRIPTIONS, criterion_question
from opencro.formats import build as b

KCCQ_ITEMS = ["KCCQ_PL", "KCCQ_SF", "KCCQ_SL", "KCCQ_QL"]  # physical, symptoms, social, quality of life


def criterion_oid(kind: str, number: int) -> str:
    """IT.IN01..IT.IN05 for inclusion criteria, IT.EX01.. for exclusion criteria."""
    return f"IT.{'IN' if kind == 'inclusion' else 'EX'}{number:02d}"


def _consent(c: Collector) -> None:
    consent = date(
        "ICDAT",
        sdtm="RFICDTC",
        annotation="DM.RFICDTC; DS.DSSTDTC where DSDECOD = INFORMED CONSENT OBTAINED",
        cdash="DSSTDAT",
        critical=True,
    )
    version = coded("ICVER", "CL.ICFVER", sdtm="DSSPID", length=5)
    c.simple("F.IC", "Informed consent", "DS", [Field(consent), Field(version)])


def _eligibility(c: Collector) -> None:
    fields = []
    for kind, number, criterion, _expression in data.CRITERIA:
        name = criterion_oid(kind, number).removeprefix("IT.")
        question = criterion_question(kind, number, criterion)
        annotation = f"IE.IEORRES where IETESTCD = {name}"
        fields.append(Field(yes_no(name, sdtm="IEORRES", annotation=annotation, question=question)))
    eligible = yes_no("IEYN", sdtm="IEYN", annotation="not submitted (IE holds the criteria not met)", critical=True)
    c.simple("F.IE", "Eligibility", "IE", [*fields, Field(eligible)])


def _demographics(c: Collector) -> None:
    c.simple(
        "F.DM",
        "Demographics",
        "DM",
        [
            Field(date("BRTHDAT", sdtm="BRTHDTC", partial=True)),
            derived(calculated("AGE", "years", sdtm="AGE"), "MT.AGE"),
            Field(coded("SEX", "CL.SEX", length=1)),
            Field(
                yes_no("CHILDPOT", sdtm="RPORRES", annotation="RP.RPORRES where RPTESTCD = CHILDPOT"),
                hidden_when="COND.NOT_FEMALE",
            ),
            Field(coded("ETHNIC", "CL.ETHNIC", length=30)),
            Field(coded("RACE", "CL.RACE", control=b.ControlType.CHECKBOX)),
        ],
    )


def _medical_history(c: Collector) -> None:
    fields = [Field(text("MHTERM", 200)), *start_stop("MH", "COND.MH_ONGOING")]
    c.simple("F.MH", "Medical history", "MH", fields, repeating=True)


def _vital_signs(c: Collector) -> None:
    vs = "VS"
    bmi = calculated("BMI", "kg/m2", sdtm="VSORRES", annotation="VS.VSORRES where VSTESTCD = BMI", digits=1)
    c.simple(
        "F.VS",
        "Vital signs",
        vs,
        [
            Field(finding("SYSBP", vs, "mmHg", soft=(90, 160), hard=(50, 260))),
            Field(finding("DIABP", vs, "mmHg", soft=(45, 100), hard=(20, 150))),
            Field(finding("PULSE", vs, "beats/min", soft=(45, 110), hard=(20, 250))),
            Field(finding("TEMP", vs, "C", digits=1, soft=(35.5, 38.0), hard=(32, 43))),
            Field(finding("WEIGHT", vs, "kg", digits=1, soft=(35, 150), hard=(25, 300))),
            Field(finding("HEIGHT", vs, "cm", soft=(140, 200), hard=(100, 230)), hidden_when="COND.NOT_SCREENING"),
            derived(bmi, "MT.BMI"),
        ],
    )


def _physical_exam(c: Collector) -> None:
    findings = text("PEDESC", 500, sdtm="PEORRES", control=b.ControlType.NOTES)
    nyha = coded(
        "NYHA", "CL.NYHA", sdtm="QSORRES", annotation="QS.QSORRES where QSTESTCD = NYHA", data_type=b.DataType.INTEGER
    )
    c.simple(
        "F.PE",
        "Physical examination",
        "PE",
        [Field(yes_no("PEABN", sdtm="PEORRES")), Field(findings, hidden_when="COND.PE_NORMAL"), Field(nyha)],
    )


def _ecg(c: Collector) -> None:
    interpretation = coded("EGINTP", "CL.EGINTP", sdtm="EGORRES", annotation="EG.EGORRES where EGTESTCD = INTP")
    c.simple(
        "F.EG",
        "12-lead ECG",
        "EG",
        [
            Field(finding("EGHR", "EG", "beats/min", soft=(40, 120), hard=(20, 250))),
            Field(finding("QTCF", "EG", "msec", hard=(250, 700))),
            Field(coded("RHYTHM", "CL.RHYTHM", sdtm="EGORRES", length=10)),
            Field(interpretation),
        ],
    )


def _echo(c: Collector) -> None:
    lvef = finding("LVEF", "CV", "%", soft=(10, 70), hard=(5, 85), critical=True)
    c.simple("F.ECHO", "Echocardiogram", "CV", [Field(date("ECHODAT", sdtm="CVDTC")), Field(lvef)])


def _labs(c: Collector) -> None:
    lb = "LB"
    egfr = calculated("EGFR", "mL/min/1.73m2", sdtm="LBORRES", annotation="LB.LBORRES where LBTESTCD = EGFR")
    sample = c.group("IG.LB", "Sample", lb, [Field(date("LBDAT", sdtm="LBDTC"))])
    haematology = c.group(
        "IG.LB.HAEM",
        "Haematology",
        lb,
        [
            Field(finding("HGB", lb, "g/dL", digits=1, soft=(8, 18), hard=(2, 25))),
            Field(finding("WBC", lb, "10^9/L", digits=1, soft=(2.5, 15), hard=(0.1, 150))),
            Field(finding("PLT", lb, "10^9/L", soft=(80, 600), hard=(1, 2000))),
        ],
    )
    chemistry = c.group(
        "IG.LB.CHEM",
        "Chemistry",
        lb,
        [
            Field(finding("CREAT", lb, "umol/L", soft=(40, 250), hard=(10, 2000))),
            derived(egfr, "MT.EGFR"),
            Field(finding("K", lb, "mmol/L", digits=1, hard=(1.5, 10))),  # out of 3.0-5.5: edit check
            Field(finding("SODIUM", lb, "mmol/L", soft=(128, 150), hard=(100, 190))),
            Field(finding("ALT", lb, "U/L", hard=(0, 10000))),  # above 3x ULN: edit check
            Field(finding("AST", lb, "U/L", hard=(0, 10000))),
        ],
    )
    c.form("F.LB", "Haematology and chemistry", sample, haematology, chemistry)


def _nt_probnp(c: Collector) -> None:
    value = finding("NTPROBNP", "LB", "pg/mL", soft=(50, 35000), hard=(5, 70000), critical=True)
    c.simple("F.BNP", "NT-proBNP", "LB", [Field(date("BNPDAT", sdtm="LBDTC")), Field(value)])


def _kccq(c: Collector) -> None:
    def answer(name: str) -> b.ItemDef:
        annotation = f"QS.QSORRES where QSCAT = KCCQ and QSTESTCD = {name}"
        return item(name, b.DataType.INTEGER, sdtm="QSORRES", annotation=annotation, code_list="CL.LIMIT")

    score = calculated("KCCQ_SCORE", "", sdtm="QSSTRESN", annotation="QS.QSSTRESN where QSTESTCD = KCCQSUM")
    group = c.group("IG.KCCQ", "KCCQ", "QS", [*(Field(answer(n)) for n in KCCQ_ITEMS), derived(score, "MT.KCCQ")])
    c.form("F.KCCQ", "KCCQ questionnaire", group, description=DESCRIPTIONS["F.KCCQ"])


def _accountability(c: Collector) -> None:
    def tablets(name: str, test: str) -> b.ItemDef:
        return item(
            name,
            b.DataType.INTEGER,
            sdtm="DAORRES",
            annotation=f"DA.DAORRES where DATESTCD = {test}",
            units="tablets",
            length=4,
            ranges=limits(0, 500, "tablets", kind="Hard"),
        )

    compliance = calculated("DACOMPL", "%", sdtm="", annotation="ADaM (derived, not in SDTM)")
    c.simple(
        "F.DA",
        "Study drug accountability",
        "DA",
        [
            Field(date("DADSPDAT", sdtm="DADTC")),
            Field(tablets("DADSP", "DISPAMT")),
            Field(date("DARETDAT", sdtm="DADTC")),
            Field(tablets("DARET", "RETAMT")),
            derived(compliance, "MT.COMPLIANCE"),
        ],
    )


def _adverse_events(c: Collector) -> None:
    criteria = coded(
        "AESCRIT",
        "CL.AESCRIT",
        sdtm="AESHOSP",
        annotation="AE.AESDTH, AESLIFE, AESHOSP, AESDISAB, AESCONG, AESMIE",
        control=b.ControlType.CHECKBOX,
    )
    # the safety database reads it as the day the site's 24 hours to report the SAE started (AEAWDAT)
    aware = date("AEAWDAT", sdtm="", annotation="not submitted (the site's awareness of an SAE: reporting timeliness)")
    c.simple(
        "F.AE",
        "Adverse events",
        "AE",
        [
            Field(text("AETERM", 200, critical=True)),
            *start_stop("AE", "COND.AE_ONGOING"),
            Field(coded("AESEV", "CL.AESEV", length=8)),
            Field(yes_no("AESER", sdtm="AESER", critical=True)),
            Field(criteria, hidden_when="COND.AE_NOT_SERIOUS"),
            Field(aware, hidden_when="COND.AE_NOT_SERIOUS"),
            Field(coded("AEREL", "CL.AEREL", length=20)),
            Field(coded("AEACN", "CL.ACN", length=20)),
            optional(coded("AEOUT", "CL.OUT", length=40)),  # may be pending: an edit check asks for serious events
        ],
        repeating=True,
    )


def _medications(c: Collector) -> None:
    dropdown = b.ControlType.DROPDOWN
    dose = item("CMDOSE", b.DataType.FLOAT, sdtm="CMDOSE", length=8, digits=3, ranges=limits(0, 100000, kind="Hard"))
    c.simple(
        "F.CM",
        "Concomitant medications",
        "CM",
        [
            Field(text("CMTRT", 200)),
            Field(text("CMINDC", 200)),
            Field(dose),
            Field(coded("CMDOSU", "CL.UNIT")),
            Field(coded("CMDOSFRQ", "CL.FREQ", control=dropdown)),
            Field(coded("CMROUTE", "CL.ROUTE", control=dropdown)),
            *start_stop("CM", "COND.CM_ONGOING"),
        ],
        repeating=True,
    )


def _disposition(c: Collector) -> None:
    status = coded("DSDECOD", "CL.DSDECOD", control=b.ControlType.DROPDOWN, critical=True)
    c.simple(
        "F.DS",
        "End of study",
        "DS",
        [
            Field(status),
            Field(date("DSSTDAT", sdtm="DSSTDTC")),
            Field(text("DSTERM", 200), hidden_when="COND.DS_NOT_OTHER"),
        ],
    )


DECLARATIONS = (
    _consent,
    _eligibility,
    _demographics,
    _medical_history,
    _vital_signs,
    _physical_exam,
    _ecg,
    _echo,
    _labs,
    _nt_probnp,
    _kccq,
    _accountability,
    _adverse_events,
    _medications,
    _disposition,
)


def collect() -> Collector:
    """Declare every form; the collector then holds the build's forms, item groups and items."""
    collector = Collector()
    for declare in DECLARATIONS:
        declare(collector)
    return collector
