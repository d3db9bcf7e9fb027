"""Branching (ConditionDef), derivations (MethodDef) and edit checks of the OPC-301 build.

All are written in the project's logic language (REDCap syntax): `[IT.X]` reads an item of the
form or visit being saved, `[SE.V1][IT.X]` the screening visit's value; `datediff(a, b, 'd', true)`
is signed (b - a). An edit check fires (and a query opens on its item) when its expression is TRUE.

References: CKD-EPI 2021 creatinine equation without race (Inker LA et al., N Engl J Med
2021;385:1737-49, doi:10.1056/NEJMoa2102953); Hy's law thresholds (FDA Guidance for Industry,
Drug-Induced Liver Injury: Premarketing Clinical Evaluation, 2009); QTcF > 500 ms (ICH E14, 2005).
"""

from opencro.demo import data
from opencro.demo.crf.forms import KCCQ_ITEMS, criterion_oid
from opencro.demo.crf.texts import CHECK_MESSAGES, translated
from opencro.formats import build as b

ULN_TRANSAMINASE = 40  # U/L


def conditions() -> list[b.ConditionDef]:
    """Each hides the item it is attached to while TRUE."""
    return [
        b.ConditionDef("COND.NOT_FEMALE", "Participant is not female", "[IT.SEX] <> 'F'"),
        # Only the visit that records consent has a consent date: height is measured there, once.
        b.ConditionDef("COND.NOT_SCREENING", "Not the consent (screening) visit", "isblank([IT.ICDAT])"),
        b.ConditionDef("COND.PE_NORMAL", "No abnormal physical finding", "[IT.PEABN] <> 'Y'"),
        b.ConditionDef("COND.MH_ONGOING", "Condition ongoing", "[IT.MHONGO] = 'Y'"),
        b.ConditionDef("COND.AE_ONGOING", "Adverse event ongoing", "[IT.AEONGO] = 'Y'"),
        b.ConditionDef("COND.AE_NOT_SERIOUS", "Adverse event not serious", "[IT.AESER] <> 'Y'"),
        b.ConditionDef("COND.CM_ONGOING", "Medication ongoing", "[IT.CMONGO] = 'Y'"),
        b.ConditionDef("COND.DS_NOT_OTHER", "Reason is not 'Other'", "[IT.DSDECOD] <> 'OTHER'"),
    ]


def egfr_expression() -> str:
    """CKD-EPI 2021: 142 x min(Scr/k, 1)^a x max(Scr/k, 1)^-1.200 x 0.9938^age (x 1.012 if female).

    Scr in mg/dL (µmol/L / 88.4); k = 0.7 (F) or 0.9 (M); a = -0.241 (F) or -0.302 (M). Blank
    while sex is unknown, rather than silently using the male constants.
    """
    female = "[SE.V1][IT.SEX] = 'F'"
    ratio = f"[IT.CREAT] / 88.4 / if({female}, 0.7, 0.9)"
    return (
        f"if(isblank([SE.V1][IT.SEX]), '', round(142 * min({ratio}, 1) ^ if({female}, -0.241, -0.302)"
        f" * max({ratio}, 1) ^ (-1.2) * 0.9938 ^ [SE.V1][IT.AGE] * if({female}, 1.012, 1), 0))"
    )


def methods() -> list[b.MethodDef]:
    answers = ", ".join(f"[IT.{name}]" for name in KCCQ_ITEMS)
    return [
        b.MethodDef("MT.BMI", "Body mass index", "[IT.WEIGHT] / (([SE.V1][IT.HEIGHT] / 100) ^ 2)"),
        b.MethodDef(
            "MT.AGE",
            "Age at consent in completed years (from the year alone for a partial date of birth)",
            "if(length([IT.BRTHDAT]) = 10, rounddown(datediff([IT.BRTHDAT], [SE.V1][IT.ICDAT], 'y')), "
            "year([SE.V1][IT.ICDAT]) - left([IT.BRTHDAT], 4))",
        ),
        b.MethodDef("MT.EGFR", "eGFR (CKD-EPI 2021)", egfr_expression()),
        b.MethodDef(
            "MT.KCCQ", "Summary score: mean answer (1-5) rescaled to 0-100", f"round(mean({answers}) * 25 - 25, 0)"
        ),
        b.MethodDef(
            "MT.COMPLIANCE",
            "Tablets taken per day between dispensing and return, in % of one a day",
            "round(([IT.DADSP] - [IT.DARET]) / datediff([IT.DADSPDAT], [IT.DARETDAT], 'd') * 100, 0)",
        ),
    ]


def _criteria(kind: str) -> list[str]:
    return [criterion_oid(k, number) for k, number, _text, _expression in data.CRITERIA if k == kind]


def edit_checks() -> list[b.EditCheckDef]:
    """(OID, name, item the query is raised on, expression, severity); messages in `texts`."""
    inclusion, exclusion = _criteria("inclusion"), _criteria("exclusion")
    any_unmet = " or ".join([f"[{i}] = 'N'" for i in inclusion] + [f"[{e}] = 'Y'" for e in exclusion])
    all_met = " and ".join([f"[{i}] = 'Y'" for i in inclusion] + [f"[{e}] = 'N'" for e in exclusion])
    in4, in5 = criterion_oid("inclusion", 4), criterion_oid("inclusion", 5)
    ex1, ex2 = criterion_oid("exclusion", 1), criterion_oid("exclusion", 2)
    transaminases = 3 * ULN_TRANSAMINASE
    warning, error = b.Severity.WARNING, b.Severity.ERROR
    rows = [
        ("EC.VS.DBP_SBP", "Diastolic not below systolic", "IT.DIABP", "[IT.DIABP] >= [IT.SYSBP]", error),
        (
            "EC.VS.WEIGHT_CHANGE",
            "Weight change over 10% since screening",
            "IT.WEIGHT",
            "abs([IT.WEIGHT] - [SE.V1][IT.WEIGHT]) > 0.1 * [SE.V1][IT.WEIGHT]",
            warning,
        ),
        ("EC.DM.AGE", "Age outside 18-85 years", "IT.AGE", "[IT.AGE] < 18 or [IT.AGE] > 85", warning),
        (
            "EC.IE.ELIGIBLE",
            "Eligible although a criterion is not met",
            "IT.IEYN",
            f"[IT.IEYN] = 'Y' and ({any_unmet})",
            error,
        ),
        (
            "EC.IE.NOT_ELIGIBLE",
            "Not eligible although all criteria are met",
            "IT.IEYN",
            f"[IT.IEYN] = 'N' and {all_met}",
            warning,
        ),
        ("EC.IE.LVEF", "Inclusion 4 met with LVEF above 40%", in4, f"[{in4}] = 'Y' and [SE.V1][IT.LVEF] > 40", warning),
        (
            "EC.IE.NTPROBNP",
            "Inclusion 5 met with NT-proBNP below threshold",
            in5,
            f"[{in5}] = 'Y' and ([SE.V1][IT.NTPROBNP] < 600"
            " or ([SE.V1][IT.RHYTHM] = 'AF' and [SE.V1][IT.NTPROBNP] < 900))",
            warning,
        ),
        (
            "EC.IE.EGFR",
            "Exclusion 1 not marked with eGFR below 30",
            ex1,
            f"[{ex1}] = 'N' and [SE.V1][IT.EGFR] < 30",
            warning,
        ),
        (
            "EC.IE.SBP",
            "Exclusion 2 not marked with systolic below 95 mmHg",
            ex2,
            f"[{ex2}] = 'N' and [SE.V1][IT.SYSBP] < 95",
            warning,
        ),
        ("EC.EG.QTCF", "QTcF above 500 ms", "IT.QTCF", "[IT.QTCF] > 500", error),
        ("EC.LB.POTASSIUM", "Potassium outside 3.0-5.5 mmol/L", "IT.K", "[IT.K] > 5.5 or [IT.K] < 3.0", warning),
        (
            "EC.LB.LIVER",
            "Transaminases above 3x ULN",
            "IT.ALT",
            f"[IT.ALT] > {transaminases} or [IT.AST] > {transaminases}",
            warning,
        ),
        (
            "EC.LB.PRECONSENT",
            "Sample collected before consent",
            "IT.LBDAT",
            "datediff([SE.V1][IT.ICDAT], [IT.LBDAT], 'd', true) < 0",
            warning,
        ),
        (
            "EC.AE.DATES",
            "Adverse event ends before it starts",
            "IT.AEENDAT",
            "datediff([IT.AESTDAT], [IT.AEENDAT], 'd', true) < 0",
            warning,
        ),
        (
            "EC.AE.END_MISSING",
            "Resolved adverse event without end date",
            "IT.AEENDAT",
            "[IT.AEONGO] = 'N' and isblank([IT.AEENDAT])",
            warning,
        ),
        (
            "EC.AE.SAE_OUTCOME",
            "Serious adverse event without outcome",
            "IT.AEOUT",
            "[IT.AESER] = 'Y' and isblank([IT.AEOUT])",
            warning,
        ),
        (
            "EC.AE.FATAL",
            "Fatal adverse event not marked serious",
            "IT.AEOUT",
            "[IT.AEOUT] = 'FATAL' and [IT.AESER] <> 'Y'",
            error,
        ),
        (
            "EC.AE.PRECONSENT",
            "Adverse event starts before consent",
            "IT.AESTDAT",
            "datediff([SE.V1][IT.ICDAT], [IT.AESTDAT], 'd', true) < 0",
            warning,
        ),
        (
            "EC.CM.DATES",
            "Medication ends before it starts",
            "IT.CMENDAT",
            "datediff([IT.CMSTDAT], [IT.CMENDAT], 'd', true) < 0",
            warning,
        ),
        ("EC.DA.RETURNED", "More tablets returned than dispensed", "IT.DARET", "[IT.DARET] > [IT.DADSP]", error),
        (
            "EC.DA.COMPLIANCE",
            "Compliance outside 80-120%",
            "IT.DACOMPL",
            "[IT.DACOMPL] < 80 or [IT.DACOMPL] > 120",
            warning,
        ),
    ]
    return [
        b.EditCheckDef(oid, name, expression, translated(CHECK_MESSAGES[oid]), item_oid=item_oid, severity=severity)
        for oid, name, item_oid, expression, severity in rows
    ]
