"""REDCap field types and text validation types, and what they become in a study build.

REDCap names a field type one way in the data dictionary (``dropdown``, ``notes``) and another
in its database and project XML (``select``, ``textarea``); validation types likewise (``integer``
and ``number`` in the dictionary, ``int`` and ``float`` inside). Both spellings are accepted and
normalised to the dictionary's.

References: REDCap data dictionary columns D ("Field Type") and H ("Text Validation Type OR Show
Slider Number"), as documented in REDCap's "Data Dictionary" help and its validation-type table
(redcap_validation_types).
"""

import re
from dataclasses import dataclass

from opencro.formats.build import ControlType, DataType

# Dictionary spelling -> control type. "sql" (choices from a database query) becomes a dropdown
# whose query is kept but never run.
FIELD_TYPES: dict[str, ControlType] = {
    "text": ControlType.TEXT,
    "notes": ControlType.NOTES,
    "dropdown": ControlType.DROPDOWN,
    "radio": ControlType.RADIO,
    "checkbox": ControlType.CHECKBOX,
    "yesno": ControlType.YESNO,
    "truefalse": ControlType.TRUEFALSE,
    "calc": ControlType.CALC,
    "file": ControlType.FILE,
    "slider": ControlType.SLIDER,
    "descriptive": ControlType.DESCRIPTIVE,
    "sql": ControlType.DROPDOWN,
}
# REDCap's internal spellings (project XML, database) -> dictionary spelling.
FIELD_TYPE_ALIASES = {"textarea": "notes", "select": "dropdown"}

# Field types whose "Choices" column holds a code list.
CHOICE_TYPES = frozenset({"dropdown", "radio", "checkbox"})
# Fixed code lists REDCap gives these types (code, label).
FIXED_CHOICES: dict[str, list[tuple[str, str]]] = {
    "yesno": [("1", "Yes"), ("0", "No")],
    "truefalse": [("1", "True"), ("0", "False")],
}


@dataclass(frozen=True)
class Validation:
    """What a text validation type means: the stored data type and, for fixed-decimal numbers, the decimals."""

    data_type: DataType
    significant_digits: int | None = None
    ranged: bool = False  # takes a min/max (numbers, dates, times)


_DATE = Validation(DataType.DATE, ranged=True)
_DATETIME = Validation(DataType.DATETIME, ranged=True)
_TIME = Validation(DataType.TIME, ranged=True)
_TEXT = Validation(DataType.TEXT)

VALIDATIONS: dict[str, Validation] = {
    "date_ymd": _DATE,
    "date_mdy": _DATE,
    "date_dmy": _DATE,
    "datetime_ymd": _DATETIME,
    "datetime_mdy": _DATETIME,
    "datetime_dmy": _DATETIME,
    "datetime_seconds_ymd": _DATETIME,
    "datetime_seconds_mdy": _DATETIME,
    "datetime_seconds_dmy": _DATETIME,
    "time": _TIME,  # HH:MM
    "time_hh_mm_ss": _TIME,
    "time_mm_ss": Validation(DataType.TEXT, ranged=True),  # minutes:seconds, a duration, not a time of day
    "integer": Validation(DataType.INTEGER, ranged=True),
    "number": Validation(DataType.FLOAT, ranged=True),
    "number_comma_decimal": Validation(DataType.FLOAT, ranged=True),
    **{f"number_{n}dp": Validation(DataType.FLOAT, n, ranged=True) for n in range(1, 5)},
    **{f"number_{n}dp_comma_decimal": Validation(DataType.FLOAT, n, ranged=True) for n in range(1, 5)},
    "email": _TEXT,
    "alpha_only": _TEXT,
    "phone": _TEXT,
    "phone_australia": _TEXT,
    "phone_uk": _TEXT,
    "zipcode": _TEXT,
    "postalcode_australia": _TEXT,
    "postalcode_canada": _TEXT,
    "postalcode_french": _TEXT,
    "postalcode_germany": _TEXT,
    "postalcode_uk": _TEXT,
    "ssn": _TEXT,
    "mrn_10d": _TEXT,
    "mrn_generic": _TEXT,
    "vmrn": _TEXT,
}
VALIDATION_ALIASES = {"int": "integer", "float": "number"}

FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
FORM_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
FIELD_NAME_MAX = 100
# Variables REDCap itself defines; logic may read them although no dictionary row declares them.
SYSTEM_VARIABLES = frozenset(
    {
        "redcap_event_name",
        "redcap_data_access_group",
        "redcap_repeat_instrument",
        "redcap_repeat_instance",
        "redcap_survey_identifier",
    }
)


def field_type_of(raw: str) -> str:
    """Normalise a field type to its dictionary spelling ("" stays "")."""
    value = raw.strip().lower()
    return FIELD_TYPE_ALIASES.get(value, value)


def validation_of(raw: str) -> str:
    """Normalise a validation type to its dictionary spelling."""
    value = raw.strip().lower()
    return VALIDATION_ALIASES.get(value, value)


def form_label(form_name: str) -> str:
    """Label REDCap gives a form created from the dictionary: underscores to spaces, words capitalised."""
    return " ".join(word[:1].upper() + word[1:] for word in form_name.replace("_", " ").split())
