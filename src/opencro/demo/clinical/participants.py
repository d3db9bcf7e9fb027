"""Who the OPC-301 participants are: stable characteristics from which every visit's values vary.

A participant is a patient with chronic heart failure and reduced ejection fraction: the
screening values (blood pressure, LVEF, NT-proBNP, creatinine) satisfy the eligibility criteria
of `data.CRITERIA`, except for the screen failures, whose NT-proBNP is below the threshold (the
reason the loader gives). The arm's effect is modest and grows over the first 12 weeks.
"""

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from opencro.accounts.models import User
from opencro.demo import data
from opencro.subjects.models import Subject, SubjectStatus

SEED = data.PROTOCOL
ARM_EFFECT = {  # NT-proBNP ratio, LVEF points at a year, KCCQ answer points, systolic mmHg
    "A": (0.80, 3.0, 0.4, -2),
    "B": (0.70, 4.0, 0.5, -4),
    "P": (0.97, 0.5, 0.1, 0),
}
POOR_COMPLIANCE = 0.05

Values = dict[str, str | None]  # item OID -> value as typed (None: not entered)
Truth = dict[tuple[str, int], str | None]  # (item OID, group row) -> the value the source shows


@dataclass
class Participant:
    """One participant's stable characteristics and the dates of their visits so far."""

    subject: Subject
    site: str
    country: str
    rng: random.Random
    actor: User | None
    arm: str
    birth: dt.date
    birth_text: str
    height: int
    weight: float
    weight_trend: float
    sbp: float
    dbp: float
    pulse: float
    lvef: float
    ntprobnp: float
    creat: float
    potassium: float
    sodium: float
    hgb: float
    wbc: float
    plt: float
    alt: float
    ast: float
    qtcf: float
    rhythm: str
    nyha: int
    kccq: float
    compliance: float
    history: list[str] = field(default_factory=list)
    dates: dict[str, dt.date] = field(default_factory=dict)  # visit code -> date, as entered
    visit: str = ""  # the visit being entered
    findings: list[tuple[str, dt.date]] = field(default_factory=list)  # abnormal results reported as adverse events

    @property
    def consent(self) -> dt.date:
        return self.subject.screened_on

    @property
    def baseline(self) -> dt.date:
        return self.subject.enrolled_on or self.subject.screened_on

    def effect(self, date: dt.date) -> tuple[float, float, float, float]:
        """The arm's effect, fully present after 12 weeks, scaled linearly before."""
        share = min(max((date - self.baseline).days, 0) / 84, 1.0)
        ratio, lvef, kccq, sbp = ARM_EFFECT.get(self.arm, (1.0, 0.0, 0.0, 0))
        return 1 - (1 - ratio) * share, lvef * share, kccq * share, sbp * share


def clip(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def race_ethnicity(rng: random.Random, country: str) -> tuple[str, str]:
    """CDISC race code(s) and ethnicity as a site in that country would record them."""
    if country == "US":
        race = rng.choices(["5", "3", "2", "1"], [65, 22, 10, 3])[0]
        return race, rng.choices(["NOT HISPANIC OR LATINO", "HISPANIC OR LATINO"], [82, 18])[0]
    if country in ("JP", "IN"):
        return "2", "NOT HISPANIC OR LATINO"
    if country == "BR":
        return rng.choices(["5", "3", "3,5", "6"], [45, 15, 30, 10])[0], "HISPANIC OR LATINO"
    return "6", "NOT REPORTED"  # Germany and Spain: race and ethnicity are not collected


def participant(subject: Subject, actor: User | None, arm: str) -> Participant:
    """The participant behind `subject`, drawn from a generator seeded with the subject number."""
    rng = random.Random(f"{SEED}/{subject.number}")  # noqa: S311 - reproducible demo data
    country = subject.site.country.code
    female = subject.sex == "F"
    birth = dt.date(subject.year_of_birth or 1960, rng.randint(1, 12), rng.randint(1, 28))
    # Germany collects year and month of birth only; the others the full date.
    birth_text = birth.isoformat()[:7] if country == "DE" else birth.isoformat()
    asian = country in ("JP", "IN")
    height = round(rng.gauss((162 if female else 175) - (8 if asian else 0), 6))
    bmi = clip(rng.gauss(24 if asian else 28, 4), 18.5, 42)
    rhythm = rng.choices(["SINUS", "AF", "PACED"], [72, 22, 6])[0]
    sbp = clip(rng.gauss(118, 13), 98, 165)
    screen_failed = subject.status == SubjectStatus.SCREEN_FAILED
    threshold = 900 if rhythm == "AF" else 600
    ntprobnp = rng.uniform(320, 580) if screen_failed else max(threshold + 60, rng.lognormvariate(math.log(1700), 0.6))
    history = ["Chronic heart failure"]
    history += rng.sample(
        [
            "Hypertension",
            "Type 2 diabetes mellitus",
            "Myocardial infarction",
            "Hypercholesterolaemia",
            "Chronic kidney disease",
            "Chronic obstructive pulmonary disease",
            "Gout",
            "Hypothyroidism",
            "Osteoarthritis",
        ],
        rng.randint(1, 4),
    )
    if rhythm == "AF":
        history.append("Atrial fibrillation")
    if rhythm == "PACED":
        history.append("Implantable cardioverter defibrillator insertion")
    return Participant(
        subject=subject,
        site=subject.site.number,
        country=country,
        rng=rng,
        actor=actor,
        arm=arm,
        birth=birth,
        birth_text=birth_text,
        height=height,
        weight=round(bmi * (height / 100) ** 2, 1),
        weight_trend=rng.gauss(-0.5, 2.0),
        sbp=sbp,
        dbp=clip(sbp * rng.uniform(0.55, 0.68), 50, 95),
        pulse=clip(rng.gauss(76 if rhythm == "AF" else 70, 9), 52, 105),
        lvef=clip(rng.gauss(30, 6), 15, 40),
        ntprobnp=ntprobnp,
        creat=clip(rng.gauss(88 if female else 105, 22), 55, 160),
        potassium=clip(rng.gauss(4.4, 0.35), 3.6, 5.2),
        sodium=clip(rng.gauss(139, 2.5), 133, 145),
        hgb=clip(rng.gauss(12.6 if female else 13.9, 1.1), 9.5, 16.5),
        wbc=clip(rng.gauss(7.2, 1.6), 3.8, 11.5),
        plt=clip(rng.gauss(235, 55), 130, 420),
        alt=clip(rng.gauss(24, 8), 8, 60),
        ast=clip(rng.gauss(26, 7), 10, 60),
        qtcf=clip(rng.gauss(438, 18), 395, 485),
        rhythm=rhythm,
        nyha=rng.choices([2, 3, 4], [60, 35, 5])[0],
        kccq=clip(rng.gauss(3.0, 0.6), 1.5, 4.5),
        compliance=clip(rng.gauss(0.95, 0.06), 0.7, 1.02) if rng.random() > POOR_COMPLIANCE else rng.uniform(0.6, 0.78),
        history=history,
    )
