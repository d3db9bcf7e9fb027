"""The content of a CIOMS I form ("Suspect adverse reaction report"), box by box.

Each field names its box in `metadata["box"]`, so a rejected value says which box it was meant for. The
model checks types and refuses input that cannot be printed truthfully (month 13, 30 February, a negative
weight); it applies no regulatory rule (seriousness, expectedness, timelines are the safety app's business).

Dates may be partial, as case reports often are: a `PartialDate` holds the year and, when known, the
month and day, and prints what it holds and nothing more, in the CIOMS habit of DD-MMM-YYYY with "??"
for an unknown day and "???" for an unknown month: 05-MAR-2026, ??-MAR-2026, ??-???-2026. The fixed
width keeps day, month and year in their places, and the question marks show that a part is unknown
rather than forgotten. A date is never completed (no "01" for an unknown day). A `PartialDate` is
checked where a box holds it, so that the error names the box.

References
----------
Council for International Organizations of Medical Sciences (CIOMS). International Reporting of Adverse
Drug Reactions: Final Report of CIOMS Working Group. Geneva: CIOMS; 1990 (the CIOMS I form and its
boxes 1-25).
"""

import calendar
import datetime as dt
import math
import re
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass
from enum import StrEnum

from opencro.formats.errors import FormatError, Problem

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
UNKNOWN_DAY = "??"
UNKNOWN_MONTH = "???"
# The labels of the boxes as printed on the form (the 1990 wording; "date of this report" has no number).
BOX_LABELS = {
    "1": "PATIENT INITIALS (first, last)",
    "1a": "COUNTRY",
    "2": "DATE OF BIRTH",
    "2a": "AGE Years",
    "3": "SEX",
    "3a": "WEIGHT",
    "4-6": "REACTION ONSET",
    "7+13": "DESCRIBE REACTION(S) (including relevant tests/lab data)",
    "8-12": "CHECK ALL APPROPRIATE TO ADVERSE REACTION",
    "1-13": "REACTION INFORMATION",
    "14": "SUSPECT DRUG(S) (include generic name)",
    "15": "DAILY DOSE(S)",
    "16": "ROUTE(S) OF ADMINISTRATION",
    "17": "INDICATION(S) FOR USE",
    "18": "THERAPY DATES (from/to)",
    "19": "THERAPY DURATION",
    "20": "DID REACTION ABATE AFTER STOPPING DRUG?",
    "21": "DID REACTION REAPPEAR AFTER REINTRODUCTION?",
    "22": "CONCOMITANT DRUG(S) AND DATES OF ADMINISTRATION (exclude those used to treat reaction)",
    "23": "OTHER RELEVANT HISTORY (e.g. diagnostics, allergies, pregnancy with last month of period, etc.)",
    "24a": "NAME AND ADDRESS OF MANUFACTURER",
    "24b": "MFR CONTROL NO.",
    "24c": "DATE RECEIVED BY MANUFACTURER",
    "24d": "REPORT SOURCE",
    "date of this report": "",
    "25a": "REPORT TYPE",
}
_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class CiomsFormError(FormatError):
    """Content that cannot go on a CIOMS I form; each problem's location names the box."""


def _box(box: str) -> dict[str, str]:
    return {"box": box}


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day; printed as given, never completed."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> "PartialDate":
        """Read ISO 8601 at reduced precision: "2026", "2026-03" or "2026-03-05" (not checked here)."""
        match = _ISO.fullmatch(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a date written YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = match.groups()
        return cls(int(year), int(month) if month else None, int(day) if day else None)

    @classmethod
    def of(cls, date: dt.date) -> "PartialDate":
        """A complete date."""
        return cls(date.year, date.month, date.day)

    def problems(self) -> list[str]:
        """What makes this date impossible; empty when it is a real (partial) date."""
        for name in ("year", "month", "day"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                return [f"{name} must be a whole number, not {value!r}"]
        out = []
        if not 1000 <= self.year <= 9999:
            out.append(f"year {self.year} is not a four-digit year")
        if self.month is not None and not 1 <= self.month <= 12:
            out.append(f"month {self.month} is not between 1 and 12")
        if self.day is not None:
            if self.month is None:
                out.append("a day is given without a month")
            elif 1 <= self.month <= 12 and 1000 <= self.year <= 9999:
                last = calendar.monthrange(self.year, self.month)[1]
                if not 1 <= self.day <= last:
                    out.append(f"day {self.day} is not between 1 and {last} in {MONTHS[self.month - 1]} {self.year}")
        return out

    def parts(self) -> tuple[str, str, str]:
        """Day, month and year as printed in the form's Day / Month / Year cells: ("??", "MAR", "2026")."""
        day = f"{self.day:02d}" if self.day is not None else UNKNOWN_DAY
        month = MONTHS[self.month - 1] if self.month is not None else UNKNOWN_MONTH
        return day, month, f"{self.year:04d}"

    def __str__(self) -> str:
        return "-".join(self.parts())


class AgeUnit(StrEnum):
    YEARS = "years"
    MONTHS = "months"
    WEEKS = "weeks"
    DAYS = "days"


@dataclass(frozen=True)
class Age:
    """Age at onset; the form's box 2a is in years, so other units are printed with their unit."""

    value: int
    unit: AgeUnit = AgeUnit.YEARS

    def __str__(self) -> str:
        return str(self.value) if self.unit is AgeUnit.YEARS else f"{self.value} {self.unit.value}"


class Answer(StrEnum):
    """Boxes 20 and 21: yes, no, or not applicable."""

    YES = "yes"
    NO = "no"
    NA = "na"


class ReportSource(StrEnum):
    """Box 24d."""

    STUDY = "study"
    LITERATURE = "literature"
    HEALTH_PROFESSIONAL = "health professional"


class ReportType(StrEnum):
    """Box 25a."""

    INITIAL = "initial"
    FOLLOW_UP = "follow-up"


@dataclass(frozen=True)
class Reaction:
    """One reaction of box 7+13: its term (e.g. a MedDRA preferred term), onset and outcome as reported."""

    term: str = field(metadata=_box("7+13"))
    onset: PartialDate | None = field(default=None, metadata=_box("7+13"))
    outcome: str = field(default="", metadata=_box("7+13"))

    def __post_init__(self) -> None:
        _validate(self)


@dataclass(frozen=True)
class Seriousness:
    """Boxes 8-12, "check all appropriate to adverse reaction".

    `other_medically_important` is not on the 1990 form; many sponsors add it (ICH E2A) and the printed
    form marks it as an addition.
    """

    patient_died: bool = field(default=False, metadata=_box("8-12"))
    hospitalisation: bool = field(default=False, metadata=_box("8-12"))
    disability: bool = field(default=False, metadata=_box("8-12"))
    life_threatening: bool = field(default=False, metadata=_box("8-12"))
    other_medically_important: bool = field(default=False, metadata=_box("8-12"))

    def __post_init__(self) -> None:
        _validate(self)


@dataclass(frozen=True)
class ReactionInformation:
    """Part I: the patient (boxes 1-3a), the reaction onset (4-6), its description (7+13), seriousness (8-12).

    `onset` is printed as given; it is not derived from the reactions' own onsets. Box 7+13 prints the
    numbered reactions, then `description` (paragraphs separated by blank lines), then `lab_data`.
    """

    patient_initials: str = field(default="", metadata=_box("1"))
    country: str = field(default="", metadata=_box("1a"))
    birth_date: PartialDate | None = field(default=None, metadata=_box("2"))
    age: Age | None = field(default=None, metadata=_box("2a"))
    sex: str = field(default="", metadata=_box("3"))
    weight_kg: float | None = field(default=None, metadata=_box("3a"))
    onset: PartialDate | None = field(default=None, metadata=_box("4-6"))
    reactions: tuple[Reaction, ...] = field(default=(), metadata=_box("7+13"))
    description: str = field(default="", metadata=_box("7+13"))
    lab_data: str = field(default="", metadata=_box("7+13"))
    seriousness: Seriousness = field(default_factory=Seriousness, metadata=_box("8-12"))

    def __post_init__(self) -> None:
        _validate(self)


@dataclass(frozen=True)
class SuspectDrug:
    """One suspect drug: boxes 14-21."""

    name: str = field(metadata=_box("14"))
    generic_name: str = field(default="", metadata=_box("14"))
    daily_dose: str = field(default="", metadata=_box("15"))
    route: str = field(default="", metadata=_box("16"))
    indication: str = field(default="", metadata=_box("17"))
    therapy_from: PartialDate | None = field(default=None, metadata=_box("18"))
    therapy_to: PartialDate | None = field(default=None, metadata=_box("18"))
    therapy_duration: str = field(default="", metadata=_box("19"))
    abated_after_stopping: Answer | None = field(default=None, metadata=_box("20"))
    reappeared_after_reintroduction: Answer | None = field(default=None, metadata=_box("21"))

    def __post_init__(self) -> None:
        _validate(self)


@dataclass(frozen=True)
class ConcomitantDrug:
    """One line of box 22: a drug other than those used to treat the reaction, and its dates."""

    name: str = field(metadata=_box("22"))
    date_from: PartialDate | None = field(default=None, metadata=_box("22"))
    date_to: PartialDate | None = field(default=None, metadata=_box("22"))

    def __post_init__(self) -> None:
        _validate(self)


@dataclass(frozen=True)
class ConcomitantAndHistory:
    """Part III: concomitant drugs (box 22) and other relevant history (box 23)."""

    drugs: tuple[ConcomitantDrug, ...] = field(default=(), metadata=_box("22"))
    history: str = field(default="", metadata=_box("23"))

    def __post_init__(self) -> None:
        _validate(self)


@dataclass(frozen=True)
class ManufacturerInformation:
    """Part IV: boxes 24a-25a."""

    name_and_address: str = field(default="", metadata=_box("24a"))
    control_number: str = field(default="", metadata=_box("24b"))
    date_received: PartialDate | None = field(default=None, metadata=_box("24c"))
    report_sources: frozenset[ReportSource] = field(default=frozenset(), metadata=_box("24d"))
    report_date: PartialDate | None = field(default=None, metadata=_box("date of this report"))
    report_type: ReportType | None = field(default=None, metadata=_box("25a"))

    def __post_init__(self) -> None:
        _validate(self)


@dataclass(frozen=True)
class CiomsForm:
    """A whole CIOMS I form: parts I-IV. Several suspect drugs and reactions are lists."""

    reaction: ReactionInformation = field(metadata=_box("1-13"))
    suspect_drugs: tuple[SuspectDrug, ...] = field(default=(), metadata=_box("14"))
    concomitant: ConcomitantAndHistory = field(default_factory=ConcomitantAndHistory, metadata=_box("22"))
    manufacturer: ManufacturerInformation = field(default_factory=ManufacturerInformation, metadata=_box("24a"))

    def __post_init__(self) -> None:
        _validate(self)


def _type_problem(value: object, hint: object) -> str | None:
    """Why `value` does not match `hint` (the few shapes this model uses), or None."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if any(_type_problem(value, option) is None for option in options):
            return None
        names = " or ".join("None" if o is type(None) else getattr(o, "__name__", str(o)) for o in options)
        return f"expected {names}, got {type(value).__name__}"
    if hint is type(None):
        return None if value is None else "expected None"
    if origin in (tuple, frozenset):
        if not isinstance(value, origin):
            return f"expected a {origin.__name__}, got {type(value).__name__}"
        item = typing.get_args(hint)[0]
        for index, element in enumerate(value):
            problem = _type_problem(element, item)
            if problem:
                return f"item {index + 1}: {problem}"
        return None
    if hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else f"expected a number, got {type(value).__name__}"
    if hint is int and isinstance(value, bool):
        return "expected a whole number, got bool"
    if isinstance(hint, type) and not isinstance(value, hint):
        return f"expected {hint.__name__}, got {type(value).__name__}"
    return None


def _coerce(value: object, hint: object) -> object:
    """Lists for tuple fields, sets for frozenset fields, strings for enum fields: the obvious conversions."""
    origin = typing.get_origin(hint)
    if origin is tuple and isinstance(value, list):
        return tuple(value)
    if origin is frozenset and isinstance(value, set | list | tuple):
        item = typing.get_args(hint)[0]
        return frozenset(_coerce(v, item) for v in value)
    if isinstance(value, str) and not isinstance(value, StrEnum):
        for option in typing.get_args(hint) or (hint,):
            if isinstance(option, type) and issubclass(option, StrEnum):
                try:
                    return option(value)
                except ValueError:
                    return value
    return value


def _value_problems(value: object) -> list[str]:
    if isinstance(value, PartialDate):
        return value.problems()
    if isinstance(value, Age):
        problem = _type_problem(value.value, int) or _type_problem(value.unit, AgeUnit)
        if problem:
            return [f"age: {problem}"]
        return [] if 0 <= value.value <= 200 else [f"age {value.value} is not between 0 and 200"]
    if isinstance(value, float | int) and not isinstance(value, bool):
        return [] if math.isfinite(value) and value > 0 else [f"{value} is not a positive number"]
    return []


def _validate(obj: object) -> None:
    """Check every field of a model dataclass; raise one error naming the box of each problem."""
    assert is_dataclass(obj)
    hints = typing.get_type_hints(type(obj))
    problems = []
    for f in fields(obj):
        box = f.metadata.get("box", f.name)
        hint = hints[f.name]
        value = _coerce(getattr(obj, f.name), hint)
        if value is not getattr(obj, f.name):
            object.__setattr__(obj, f.name, value)
        where = f"box {box} {BOX_LABELS.get(box, '')} ({f.name})".replace("  ", " ")
        problem = _type_problem(value, hint)
        if problem:
            problems.append(Problem(where, problem))
            continue
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            problems.extend(Problem(where, message) for message in _value_problems(item))
    if problems:
        raise CiomsFormError(problems)
