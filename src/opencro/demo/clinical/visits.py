"""The values of one form at one visit, the mistakes a site makes entering them, and the visit plan.

Each form's values vary around the participant's characteristics; some are genuinely abnormal
(a QTcF prolongation, hyperkalaemia, a transaminase rise, fluid retention) and raise queries the
site confirms. `mistakes` then enters a few values wrongly (a forgotten item, transposed blood
pressures, a mistyped weight, a sample date before consent) and returns what the source shows,
so the query workflow can correct them.
"""

import datetime as dt
import random
from collections.abc import Callable

from opencro.demo import crf, data
from opencro.demo.clinical.participants import Participant, Truth, Values, clip, race_ethnicity
from opencro.subjects.models import SubjectStatus

TODAY = data.DATA_CUTOFF
VISIT_ENTERED = 0.9  # a visit due by the cutoff is entered with this probability; the rest are overdue
OUT_OF_WINDOW = 0.05  # a visit after Day 1 takes place 1-5 days after its window closed


def _f(value: float, digits: int = 0) -> str:
    return f"{value:.{digits}f}" if digits else str(round(value))


def _consent(p: Participant, date: dt.date) -> Values:
    return {"IT.ICDAT": p.consent.isoformat(), "IT.ICVER": "2.0"}


def _eligibility(p: Participant, date: dt.date) -> Values:
    values: Values = {}
    for kind, number, _text, _expression in data.CRITERIA:
        values[crf.criterion_oid(kind, number)] = "Y" if kind == "inclusion" else "N"
    if p.subject.status == SubjectStatus.SCREEN_FAILED:
        values[crf.criterion_oid("inclusion", 5)] = "N"
    values["IT.IEYN"] = "N" if p.subject.status == SubjectStatus.SCREEN_FAILED else "Y"
    return values


def _demographics(p: Participant, date: dt.date) -> Values:
    race, ethnic = race_ethnicity(p.rng, p.country)
    values: Values = {"IT.BRTHDAT": p.birth_text, "IT.SEX": p.subject.sex, "IT.ETHNIC": ethnic, "IT.RACE": race}
    if p.subject.sex == "F":
        values["IT.CHILDPOT"] = "Y" if date.year - p.birth.year < 52 else "N"
    return values


def _vital_signs(p: Participant, date: dt.date) -> Values:
    rng = p.rng
    years = max((date - p.baseline).days, 0) / 365.25
    _ratio, _lvef, _kccq, sbp_effect = p.effect(date)
    screening = date == p.consent  # the profile holds the screening values eligibility was judged on
    sbp = p.sbp if screening else p.sbp + sbp_effect + rng.gauss(0, 7)
    dbp = min(p.dbp * sbp / p.sbp + rng.gauss(0, 4), sbp - 25)
    values: Values = {
        "IT.SYSBP": _f(sbp),
        "IT.DIABP": _f(dbp),
        "IT.PULSE": _f(p.pulse + rng.gauss(0, 6)),
        "IT.TEMP": _f(rng.gauss(36.6, 0.25), 1),
        "IT.WEIGHT": _f(p.weight + p.weight_trend * years + rng.gauss(0, 0.7), 1),
    }
    if screening:
        values["IT.HEIGHT"] = str(p.height)
    elif rng.random() < 0.03:  # fluid retention: a real gain of over 10%
        values["IT.WEIGHT"] = _f(p.weight * rng.uniform(1.11, 1.15), 1)
        p.findings.append(("Fluid retention", date))
    return values


def _physical_exam(p: Participant, date: dt.date) -> Values:
    findings = p.rng.random() < 0.25
    return {
        "IT.PEABN": "Y" if findings else "N",
        "IT.PEDESC": p.rng.choice(["Bilateral ankle oedema", "Bibasal crackles", "Raised jugular venous pressure"])
        if findings
        else None,
        "IT.NYHA": str(max(1, p.nyha - (1 if date > p.baseline + dt.timedelta(days=150) and p.arm != "P" else 0))),
    }


def _ecg(p: Participant, date: dt.date) -> Values:
    rng = p.rng
    qtcf = p.qtcf + rng.gauss(0, 9)
    if rng.random() < 0.03:  # a genuine prolongation
        qtcf = rng.uniform(503, 518)
        p.findings.append(("Electrocardiogram QT prolonged", date))
    abnormal = p.rhythm != "SINUS" or qtcf > 470
    return {
        "IT.EGHR": _f(p.pulse + rng.gauss(0, 5)),
        "IT.QTCF": _f(qtcf),
        "IT.RHYTHM": p.rhythm,
        "IT.EGINTP": ("ACS" if qtcf > 500 else "ANCS") if abnormal else "N",
    }


def _echo(p: Participant, date: dt.date) -> Values:
    _ratio, lvef, _kccq, _sbp = p.effect(date)
    years = max((date - p.baseline).days, 0) / 365.25
    noise = 0 if date == p.consent else p.rng.gauss(0, 2)
    return {"IT.ECHODAT": date.isoformat(), "IT.LVEF": _f(clip(p.lvef + lvef * years + noise, 10, 60))}


def _labs(p: Participant, date: dt.date) -> Values:
    rng = p.rng
    potassium = p.potassium + (0.12 if p.arm in ("A", "B") and date > p.baseline else 0) + rng.gauss(0, 0.25)
    if rng.random() < 0.05:  # hyperkalaemia, as heart-failure therapy brings
        potassium = rng.uniform(5.6, 6.2)
        p.findings.append(("Hyperkalaemia", date))
    alt, ast = p.alt * rng.lognormvariate(0, 0.15), p.ast * rng.lognormvariate(0, 0.15)
    if rng.random() < 0.02:  # a transaminase rise
        alt, ast = rng.uniform(125, 190), rng.uniform(90, 150)
        p.findings.append(("Alanine aminotransferase increased", date))
    return {
        "IT.LBDAT": date.isoformat(),
        "IT.HGB": _f(p.hgb + rng.gauss(0, 0.4), 1),
        "IT.WBC": _f(p.wbc + rng.gauss(0, 0.8), 1),
        "IT.PLT": _f(p.plt + rng.gauss(0, 18)),
        "IT.CREAT": _f(p.creat + rng.gauss(0, 7)),
        "IT.K": _f(potassium, 1),
        "IT.SODIUM": _f(p.sodium + rng.gauss(0, 1.5)),
        "IT.ALT": _f(alt),
        "IT.AST": _f(ast),
    }


def _nt_probnp(p: Participant, date: dt.date) -> Values:
    ratio, _lvef, _kccq, _sbp = p.effect(date)
    noise = 1 if date == p.consent else p.rng.lognormvariate(0, 0.2)
    return {"IT.BNPDAT": date.isoformat(), "IT.NTPROBNP": _f(p.ntprobnp * ratio * noise)}


def _kccq(p: Participant, date: dt.date) -> Values:
    _ratio, _lvef, kccq, _sbp = p.effect(date)
    return {f"IT.{name}": str(round(clip(p.kccq + kccq + p.rng.gauss(0, 0.6), 1, 5))) for name in crf.KCCQ_ITEMS}


DISPENSING = ["V2", "V4", "V5", "V6", "V7"]  # the visits a bottle is dispensed at (data.ACTIVITIES "DISP")


def _accountability(p: Participant, date: dt.date) -> Values:
    """The bottle dispensed at the previous dispensing visit, returned today."""
    earlier = [code for code in DISPENSING if code in p.dates and p.dates[code] < date]
    if not earlier:
        return {}
    dispensed_on = p.dates[earlier[-1]]
    planned = {code: day for code, _n, _e, day, *_rest in data.VISITS}
    dispensed = planned[p.visit] - planned[earlier[-1]] + 14  # the planned interval plus a reserve
    days = (date - dispensed_on).days
    taken = min(round(days * clip(p.compliance + p.rng.gauss(0, 0.03), 0.5, 1.05)), dispensed)
    return {
        "IT.DADSPDAT": dispensed_on.isoformat(),
        "IT.DADSP": str(dispensed),
        "IT.DARETDAT": date.isoformat(),
        "IT.DARET": str(dispensed - taken),
    }


FORM_VALUES: dict[str, Callable[[Participant, dt.date], Values]] = {
    "F.IC": _consent,
    "F.IE": _eligibility,
    "F.DM": _demographics,
    "F.VS": _vital_signs,
    "F.PE": _physical_exam,
    "F.EG": _ecg,
    "F.ECHO": _echo,
    "F.LB": _labs,
    "F.BNP": _nt_probnp,
    "F.KCCQ": _kccq,
    "F.DA": _accountability,
}
# Items a site may forget to enter (a "required" query follows), and how often each mistake is made.
FORGETTABLE = {
    "F.VS": ["IT.PULSE", "IT.TEMP"],
    "F.LB": ["IT.PLT", "IT.SODIUM"],
    "F.EG": ["IT.EGHR"],
    "F.PE": ["IT.NYHA"],
}
FORGET = 0.02
TRANSPOSE_BP = 0.03
MISTYPE_WEIGHT = 0.03
SAMPLE_BEFORE_CONSENT = 0.05


def mistakes(p: Participant, form_oid: str, date: dt.date, values: Values) -> Truth:
    """Enter some values wrongly, in place; return what the source shows for each."""
    rng, truth = p.rng, {}
    if form_oid in FORGETTABLE and rng.random() < FORGET:
        oid = rng.choice(FORGETTABLE[form_oid])
        truth[(oid, 1)], values[oid] = values[oid], None
    if form_oid == "F.VS" and date != p.consent and rng.random() < TRANSPOSE_BP and int(values["IT.SYSBP"] or 0) <= 150:
        truth[("IT.SYSBP", 1)], truth[("IT.DIABP", 1)] = values["IT.SYSBP"], values["IT.DIABP"]
        values["IT.SYSBP"], values["IT.DIABP"] = values["IT.DIABP"], values["IT.SYSBP"]
    weight = values.get("IT.WEIGHT") or ""
    if form_oid == "F.VS" and date != p.consent and len(weight) == 4 and rng.random() < MISTYPE_WEIGHT:
        typo = f"{weight[1]}{weight[0]}{weight[2:]}"  # 78.4 -> 87.4
        if abs(float(typo) - float(weight)) > 0.1 * float(weight) and 40 <= float(typo) <= 150:
            truth[("IT.WEIGHT", 1)], values["IT.WEIGHT"] = weight, typo
    if form_oid == "F.LB" and date == p.consent and rng.random() < SAMPLE_BEFORE_CONSENT:
        truth[("IT.LBDAT", 1)], values["IT.LBDAT"] = values["IT.LBDAT"], (date - dt.timedelta(days=1)).isoformat()
    return truth


def _out_of_window(p: Participant, code: str) -> bool:
    """A few visits take place after their window closed (the deviation rules find them)."""
    return random.Random(f"{p.subject.number}:{code}:window").random() < OUT_OF_WINDOW  # noqa: S311 - demo data


def schedule(p: Participant) -> list[tuple[str, dt.date]]:
    """The visits after screening that took place by the cutoff and were entered (V2 always)."""
    visits = []
    for code, _name, _epoch, day, before, after, unscheduled in data.VISITS:
        if unscheduled or day is None or day < 1:
            continue
        date = p.baseline + dt.timedelta(days=day - 1 + p.rng.randint(-before, after))
        if _out_of_window(p, code):  # its own generator: the participant's other draws stay as they were
            late = random.Random(f"{p.subject.number}:{code}").randint(1, 5)  # noqa: S311 - demo data
            date += dt.timedelta(days=after + late)
        if code == "V2":
            date = p.baseline
        if date > TODAY:
            break
        if code == "V2" or p.rng.random() < VISIT_ENTERED:
            visits.append((code, date))
    return visits
