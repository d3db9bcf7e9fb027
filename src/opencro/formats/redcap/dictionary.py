"""Read a REDCap data dictionary CSV (and optionally its events, arms and mapping) into a study build.

The dictionary has 18 columns, headed as the Data Dictionary page downloads them ("Variable /
Field Name", ...) or as the API's metadata export does (``field_name``, ...): both are accepted,
as are the older 14-column files. The longitudinal set-up comes from the API exports of events
(``event_name, arm_num, day_offset, offset_min, offset_max, unique_event_name,
custom_event_label``), arms (``arm_num, name``) and the instrument-event mapping (``arm_num,
unique_event_name, form``). What the fields become is described in `assemble`.

Problems are located as "row N, column 'Field Type'", N being the line the row starts on
(the header is row 1); for the other files the location starts with "events CSV", "arms CSV"
or "mapping CSV".

References: REDCap "Data Dictionary" help; REDCap API methods Export Metadata, Export Events,
Export Arms and Export Instrument-Event Mappings.
"""

from opencro.formats.build import StudyBuild
from opencro.formats.errors import FormatError, Problem
from opencro.formats.redcap import spec as col
from opencro.formats.redcap.assemble import ProjectSpec, assemble
from opencro.formats.redcap.csvtext import CsvSource, CsvTable, read_table, read_text
from opencro.formats.redcap.spec import ArmSpec, EventSpec, FieldSpec, MappingSpec, Origin

DICTIONARY_COLUMNS: dict[str, tuple[str, ...]] = {
    col.FIELD_NAME: ("Variable / Field Name", "field_name"),
    col.FORM_NAME: ("Form Name", "form_name"),
    col.SECTION_HEADER: ("Section Header", "section_header"),
    col.FIELD_TYPE: ("Field Type", "field_type"),
    col.FIELD_LABEL: ("Field Label", "field_label"),
    col.CHOICES: (
        "Choices, Calculations, OR Slider Labels",
        "select_choices_or_calculations",
        "Choices OR Calculations",
    ),
    col.FIELD_NOTE: ("Field Note", "field_note"),
    col.VALIDATION: (
        "Text Validation Type OR Show Slider Number",
        "text_validation_type_or_show_slider_number",
        "Text Validation Type",
    ),
    col.VALIDATION_MIN: ("Text Validation Min", "text_validation_min"),
    col.VALIDATION_MAX: ("Text Validation Max", "text_validation_max"),
    col.IDENTIFIER: ("Identifier?", "identifier"),
    col.BRANCHING_LOGIC: ("Branching Logic (Show field only if...)", "branching_logic", "Branching Logic"),
    col.REQUIRED: ("Required Field?", "required_field"),
    col.CUSTOM_ALIGNMENT: ("Custom Alignment", "custom_alignment"),
    col.QUESTION_NUMBER: ("Question Number (surveys only)", "question_number"),
    col.MATRIX_GROUP: ("Matrix Group Name", "matrix_group_name"),
    col.MATRIX_RANKING: ("Matrix Ranking?", "matrix_ranking"),
    col.FIELD_ANNOTATION: ("Field Annotation", "field_annotation"),
}
REQUIRED_COLUMNS = [col.FIELD_NAME, col.FORM_NAME, col.FIELD_TYPE, col.FIELD_LABEL]

EVENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "event_name": ("event_name",),
    "arm_num": ("arm_num",),
    "day_offset": ("day_offset", "days_offset"),
    "offset_min": ("offset_min",),
    "offset_max": ("offset_max",),
    "unique_event_name": ("unique_event_name",),
    "custom_event_label": ("custom_event_label",),
    "event_id": ("event_id",),
}
ARM_COLUMNS: dict[str, tuple[str, ...]] = {"arm_num": ("arm_num",), "name": ("name", "arm_name")}
MAPPING_COLUMNS: dict[str, tuple[str, ...]] = {
    "arm_num": ("arm_num",),
    "unique_event_name": ("unique_event_name",),
    "form": ("form", "instrument", "form_name"),
}


def read_dictionary(
    source: CsvSource,
    *,
    study_oid: str,
    study_name: str = "",
    events_csv: CsvSource | None = None,
    arms_csv: CsvSource | None = None,
    mapping_csv: CsvSource | None = None,
) -> StudyBuild:
    """Read a data dictionary (a `Path`, CSV text as `str`, bytes, or a stream) into a StudyBuild.

    Raise FormatError with every located problem when anything is wrong; nothing is half-read.
    """
    problems: list[Problem] = []
    notes: list[str] = []
    table = read_table(
        read_text(source, "dictionary"),
        where="",
        spellings=DICTIONARY_COLUMNS,
        required=REQUIRED_COLUMNS,
        problems=problems,
    )
    if table is None:
        raise FormatError(problems)
    if table.unknown:
        notes.append(f"Dictionary columns ignored: {', '.join(table.unknown)}.")
    fields = [_field(table, line, cells) for line, cells in table.rows]

    side_problems: list[Problem] = []
    events = _side_table(events_csv, "events CSV", EVENT_COLUMNS, ["event_name", "arm_num"], side_problems)
    arms = _side_table(arms_csv, "arms CSV", ARM_COLUMNS, ["arm_num"], side_problems)
    mapping = _side_table(
        mapping_csv, "mapping CSV", MAPPING_COLUMNS, ["arm_num", "unique_event_name", "form"], side_problems
    )
    if events is not None and not events.rows:
        side_problems.append(Problem(f"events CSV row {events.header_line + 1}", "no events below the header"))
    problems.extend(side_problems)
    project = ProjectSpec(
        study_oid=study_oid,
        study_name=study_name,
        fields=fields,
        source_format="redcap-csv",
        notes=notes,
    )
    if not side_problems:  # a broken side file would only add follow-on errors
        if events is not None:
            project.events = [_event(events, line, cells) for line, cells in events.rows]
        if arms is not None:
            project.arms = [_arm(arms, line, cells) for line, cells in arms.rows]
        if mapping is not None:
            project.mapping = [_mapping(mapping, line, cells) for line, cells in mapping.rows]
    try:
        build = assemble(project)
    except FormatError as exc:
        raise FormatError(problems + exc.problems) from None
    if problems:
        raise FormatError(problems)
    return build


def _field(table: CsvTable, line: int, cells: list[str]) -> FieldSpec:
    values = {key: table.cell(cells, key) for key in DICTIONARY_COLUMNS}
    columns = {key: table.names.get(key, DICTIONARY_COLUMNS[key][0]) for key in DICTIONARY_COLUMNS}
    return FieldSpec(values=values, origin=Origin(f"row {line}", columns))


def _side_table(
    source: CsvSource | None,
    what: str,
    spellings: dict[str, tuple[str, ...]],
    required: list[str],
    problems: list[Problem],
) -> CsvTable | None:
    if source is None:
        return None
    return read_table(
        read_text(source, what), where=f"{what} ", spellings=spellings, required=required, problems=problems
    )


def _origin(table: CsvTable, what: str, line: int) -> Origin:
    return Origin(f"{what} row {line}", dict(table.names))


def _event(table: CsvTable, line: int, cells: list[str]) -> EventSpec:
    return EventSpec(
        unique_name=table.cell(cells, "unique_event_name"),
        name=table.cell(cells, "event_name"),
        arm_num=table.cell(cells, "arm_num"),
        origin=_origin(table, "events CSV", line),
        day_offset=table.cell(cells, "day_offset"),
        offset_min=table.cell(cells, "offset_min"),
        offset_max=table.cell(cells, "offset_max"),
        custom_label=table.cell(cells, "custom_event_label"),
    )


def _arm(table: CsvTable, line: int, cells: list[str]) -> ArmSpec:
    return ArmSpec(
        num=table.cell(cells, "arm_num"), name=table.cell(cells, "name"), origin=_origin(table, "arms CSV", line)
    )


def _mapping(table: CsvTable, line: int, cells: list[str]) -> MappingSpec:
    return MappingSpec(
        arm_num=table.cell(cells, "arm_num"),
        unique_event_name=table.cell(cells, "unique_event_name"),
        form=table.cell(cells, "form"),
        origin=_origin(table, "mapping CSV", line),
    )
