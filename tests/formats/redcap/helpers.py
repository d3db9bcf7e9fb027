"""Inline REDCap dictionaries for the tests: one row per field, written as REDCap writes them."""

import csv
import io

from opencro.formats.build import StudyBuild
from opencro.formats.errors import FormatError
from opencro.formats.redcap import read_dictionary

LONG_HEADER = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
]
SHORT_HEADER = [
    "field_name",
    "form_name",
    "section_header",
    "field_type",
    "field_label",
    "select_choices_or_calculations",
    "field_note",
    "text_validation_type_or_show_slider_number",
    "text_validation_min",
    "text_validation_max",
    "identifier",
    "branching_logic",
    "required_field",
    "custom_alignment",
    "question_number",
    "matrix_group_name",
    "matrix_ranking",
    "field_annotation",
]
_KEYS = [
    "name",
    "form",
    "section",
    "type",
    "label",
    "choices",
    "note",
    "validation",
    "min",
    "max",
    "identifier",
    "logic",
    "required",
    "alignment",
    "number",
    "matrix",
    "ranking",
    "annotation",
]
CHOICES_COLUMN = "row 3, column 'Choices, Calculations, OR Slider Labels'"
TYPE_COLUMN = "row 3, column 'Field Type'"
VALIDATION_COLUMN = "row 3, column 'Text Validation Type OR Show Slider Number'"
LOGIC_COLUMN = "row 3, column 'Branching Logic (Show field only if...)'"


def row(name: str, type: str = "text", *, form: str = "demo", label: str | None = None, **columns: str) -> list[str]:
    """One dictionary row; keyword names are those of `_KEYS` ("min", "max" via **{"min": ...})."""
    values = {
        "name": name,
        "form": form,
        "type": type,
        "label": name.replace("_", " ").title() if label is None else label,
    }
    values |= columns
    unknown = set(values) - set(_KEYS)
    assert not unknown, f"unknown columns {unknown}"
    return [values.get(key, "") for key in _KEYS]


RECORD = row("record_id", label="Record ID")


def csv_text(*rows: list[str], header: list[str] = LONG_HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def table(header: list[str], *rows: list[str]) -> str:
    return csv_text(*rows, header=header)


def read(*rows: list[str], **kwargs: object) -> StudyBuild:
    """Read a dictionary of the record ID row (line 2) followed by `rows` (line 3 on)."""
    return read_dictionary(csv_text(RECORD, *rows), study_oid="S1", **kwargs)  # type: ignore[arg-type]


def problems(*rows: list[str], **kwargs: object) -> list[str]:
    """The located problems reading RECORD + `rows` raises, as "location: message" strings."""
    try:
        read(*rows, **kwargs)
    except FormatError as exc:
        return [str(problem) for problem in exc.problems]
    raise AssertionError("the dictionary was accepted")
