"""A REDCap project as REDCap describes it (dictionary rows, events, arms, mappings), before mapping.

Both readers (dictionary CSV and project XML) fill these records with the raw texts, each with
where it came from, and hand them to `assemble`, so a field means the same thing whichever file
it came from and every problem is located in the file the user has.
"""

from dataclasses import dataclass, field

# Canonical keys of the 18 dictionary columns.
FIELD_NAME = "field_name"
FORM_NAME = "form_name"
SECTION_HEADER = "section_header"
FIELD_TYPE = "field_type"
FIELD_LABEL = "field_label"
CHOICES = "select_choices_or_calculations"
FIELD_NOTE = "field_note"
VALIDATION = "text_validation_type_or_show_slider_number"
VALIDATION_MIN = "text_validation_min"
VALIDATION_MAX = "text_validation_max"
IDENTIFIER = "identifier"
BRANCHING_LOGIC = "branching_logic"
REQUIRED = "required_field"
CUSTOM_ALIGNMENT = "custom_alignment"
QUESTION_NUMBER = "question_number"
MATRIX_GROUP = "matrix_group_name"
MATRIX_RANKING = "matrix_ranking"
FIELD_ANNOTATION = "field_annotation"


@dataclass
class Origin:
    """Where a record came from: `at(key)` names the place of one of its values for a human.

    `where` is the record ("row 12", "line 40, ItemDef dob"); `columns` maps a canonical key to the
    column or attribute name the file used; `style` says how to join them.
    """

    where: str
    columns: dict[str, str] = field(default_factory=dict)
    style: str = "csv"  # csv: "row 12, column 'Field Type'"; xml: "line 40, ItemDef dob, redcap:FieldType"

    def at(self, key: str) -> str:
        column = self.columns.get(key, key)
        if self.style == "csv":
            return f"{self.where}, column '{column}'"
        return f"{self.where}, {column}"


@dataclass
class FieldSpec:
    """One field (one dictionary row): texts as written, keyed by the canonical column keys."""

    values: dict[str, str]
    origin: Origin
    form_label: str = ""  # the form's display name when the file gives one (project XML)
    form_repeating: bool = False

    def get(self, key: str) -> str:
        return self.values.get(key, "").strip()


@dataclass
class EventSpec:
    """One event of a longitudinal project, as REDCap's events export gives it."""

    unique_name: str
    name: str
    arm_num: str
    origin: Origin
    day_offset: str = ""
    offset_min: str = ""
    offset_max: str = ""
    custom_label: str = ""
    repeating: bool = False


@dataclass
class ArmSpec:
    num: str
    name: str
    origin: Origin


@dataclass
class MappingSpec:
    """One instrument-event designation (REDCap "formEventMapping")."""

    arm_num: str
    unique_event_name: str
    form: str
    origin: Origin
