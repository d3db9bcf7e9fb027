"""Map a REDCap project (spec.py records) onto a study build, collecting every problem first.

OID scheme (deterministic and reversible, REDCap names are already unique per kind):

- FormDef and its single ItemGroupDef: the form name (``demographics``);
- ItemDef: the field name; CodeList: ``CL.`` + field; MethodDef (calc): ``MT.`` + field;
  ConditionDef (branching logic): ``BL.`` + field;
- StudyEventDef: the unique event name (``visit_1_arm_1``), or ``ENROLLMENT`` holding every form
  when the project has no events; Arm: ``arm_`` + arm number.

Branching logic says when a field is SHOWN; an ODM CollectionExceptionCondition says when it is
NOT collected. The condition's expression is therefore ``not (<logic>)``, and its description
keeps the logic as REDCap wrote it.

References: CDISC ODM 1.3.2 sections 3.1.3.2-3.1.3.10 (FormDef, ItemGroupDef, ItemDef, CodeList,
ConditionDef, MethodDef) and 3.1.3.1 (Protocol, StudyEventDef); REDCap data dictionary, events,
arms and instrument-event mapping exports.
"""

import re
from dataclasses import dataclass, field

from opencro.formats.build import (
    Arm,
    CodeList,
    CodeListItem,
    ConditionDef,
    ControlType,
    DataType,
    EventType,
    FormDef,
    FormRef,
    ItemDef,
    ItemGroupDef,
    ItemGroupRef,
    ItemRef,
    MethodDef,
    RangeCheck,
    StudyBuild,
    StudyEventDef,
    StudyEventRef,
    build_problems,
)
from opencro.formats.errors import FormatError, Problem
from opencro.formats.redcap import spec as col
from opencro.formats.redcap.action_tags import parse_action_tags
from opencro.formats.redcap.choices import ChoiceError, parse_choices, parse_slider_labels
from opencro.formats.redcap.fields import (
    CHOICE_TYPES,
    FIELD_NAME,
    FIELD_NAME_MAX,
    FIELD_TYPES,
    FIXED_CHOICES,
    FORM_NAME,
    SYSTEM_VARIABLES,
    VALIDATIONS,
    field_type_of,
    form_label,
    validation_of,
)
from opencro.formats.redcap.logic_refs import is_name, logic_parser, references
from opencro.formats.redcap.ranges import range_after, range_value
from opencro.formats.redcap.spec import ArmSpec, EventSpec, FieldSpec, MappingSpec

DEFAULT_EVENT = "ENROLLMENT"
ALIGNMENTS = frozenset({"LH", "LV", "RH", "RV"})
EVENT_NAME = re.compile(r"[a-z0-9_]+\Z")
_HTML = re.compile(r"<[A-Za-z/][^>]*>")
_ONTOLOGY = re.compile(r"[A-Z][A-Z0-9_]*:\S")
_YES = frozenset({"y", "yes", "1"})
_NO = frozenset({"", "n", "no", "0"})
OID_SCHEME = (
    "OIDs: FormDef and its one ItemGroupDef = form name; ItemDef = field name; CodeList = 'CL.' + field; "
    "MethodDef = 'MT.' + field; ConditionDef = 'BL.' + field; StudyEventDef = unique event name; "
    "Arm = 'arm_' + arm number."
)
NEGATION_NOTE = (
    "Branching logic is stored as ConditionDef 'not (<logic>)' because an ODM collection exception hides "
    "when TRUE while REDCap shows a field when its logic is TRUE; the original logic is the description."
)


@dataclass
class ProjectSpec:
    """Everything a reader found, before mapping: study names, fields, and the longitudinal set-up."""

    study_oid: str
    fields: list[FieldSpec]
    source_format: str
    study_name: str = ""
    study_description: str = ""
    protocol_name: str = ""
    version_oid: str = "MDV.1"
    version_name: str = ""
    odm_version: str = "1.3.2"
    events: list[EventSpec] | None = None
    arms: list[ArmSpec] | None = None
    mapping: list[MappingSpec] | None = None
    mapping_origin: str = "instrument-event mapping"
    notes: list[str] = field(default_factory=list)


@dataclass
class _Pending:
    """An expression to check once every field (and event) is known."""

    spec: FieldSpec
    key: str
    expression: str
    what: str


def assemble(project: ProjectSpec) -> StudyBuild:
    """Map `project` onto a StudyBuild; raise FormatError listing every problem found."""
    return _Assembler(project).run()


class _Assembler:
    def __init__(self, project: ProjectSpec) -> None:
        self.project = project
        self.problems: list[Problem] = []
        self.build = StudyBuild(
            study_oid=project.study_oid,
            study_name=project.study_name,
            study_description=project.study_description,
            protocol_name=project.protocol_name,
            version_oid=project.version_oid,
            version_name=project.version_name,
            odm_version=project.odm_version,
            source_format=project.source_format,
        )
        self.pending: list[_Pending] = []
        self.checkbox_codes: dict[str, set[str]] = {}
        self.form_order: list[str] = []
        self.html = False
        self.rejected_events: set[str] = set()

    def error(self, location: str, message: str) -> None:
        self.problems.append(Problem(location, message))

    def run(self) -> StudyBuild:
        if not self.project.study_oid.strip():
            self.error("study", "a study OID is needed")
        if not self.project.fields:
            self.error("dictionary", "no fields: the data dictionary has no rows")
        self.read_fields()
        event_names = self.read_events()
        self.check_expressions(event_names)
        build = self.build
        if build.items:
            record_id = build.items[0].oid
            build.notes.append(f"Record ID field '{record_id}' is the subject key (extensions['redcap:RecordId']).")
        build.notes.append(OID_SCHEME)
        if build.conditions:
            build.notes.append(NEGATION_NOTE)
        if self.html:
            build.notes.append("Labels, notes or section headers hold HTML: kept as written, the renderer escapes it.")
        build.notes.extend(self.project.notes)
        if not self.problems:
            self.problems.extend(build_problems(build))
        if self.problems:
            raise FormatError(list(dict.fromkeys(self.problems)))  # an arm read from each of its events: say it once
        return build

    # -- fields -----------------------------------------------------------------------------------------

    def read_fields(self) -> None:
        seen: dict[str, str] = {}
        form_ends: dict[str, str] = {}
        groups: dict[str, ItemGroupDef] = {}
        current = last_row = ""
        for index, spec in enumerate(self.project.fields):
            name = spec.get(col.FIELD_NAME)
            form = spec.get(col.FORM_NAME)
            if self.check_name(spec, name, seen):
                seen[name] = spec.origin.where
            if not form:
                self.error(spec.origin.at(col.FORM_NAME), "the form name is empty")
            elif not FORM_NAME.match(form):
                self.error(
                    spec.origin.at(col.FORM_NAME),
                    f"invalid form name '{form}': use lowercase letters, digits and underscores, "
                    "starting with a letter",
                )
            elif form != current:
                if form in form_ends:
                    self.error(
                        spec.origin.at(col.FORM_NAME),
                        f"form '{form}' already ended at {form_ends[form]}: a form's fields must be consecutive rows",
                    )
                else:
                    label = spec.form_label or form_label(form)
                    self.form_order.append(form)
                    self.build.forms.append(
                        FormDef(
                            oid=form,
                            name=label,
                            repeating=spec.form_repeating,
                            item_groups=[ItemGroupRef(item_group_oid=form, mandatory=True, order=1)],
                        )
                    )
                    groups[form] = ItemGroupDef(oid=form, name=label)
                    self.build.item_groups.append(groups[form])
                if current:
                    form_ends[current] = last_row
                current = form
            if form and form == current:
                last_row = spec.origin.where
            item, ref = self.read_field(spec, name, first=index == 0)
            if item is not None and form in groups and form == current:
                ref.order = len(groups[form].items) + 1
                groups[form].items.append(ref)
                self.build.items.append(item)
        status_fields = {f"{form}_complete": form for form in self.form_order}
        for spec in self.project.fields:
            name = spec.get(col.FIELD_NAME)
            if name in status_fields:
                self.error(
                    spec.origin.at(col.FIELD_NAME),
                    f"field name '{name}' is reserved for the status of form '{status_fields[name]}'",
                )

    def check_name(self, spec: FieldSpec, name: str, seen: dict[str, str]) -> bool:
        where = spec.origin.at(col.FIELD_NAME)
        if not name:
            self.error(where, "the field name is empty")
        elif not FIELD_NAME.match(name):
            self.error(
                where,
                f"invalid field name '{name}': use lowercase letters, digits and underscores, starting with a letter",
            )
        elif len(name) > FIELD_NAME_MAX:
            self.error(where, f"field name '{name}' is longer than {FIELD_NAME_MAX} characters")
        elif name.startswith("redcap_"):
            self.error(where, f"field name '{name}' is reserved: REDCap's own variables start with 'redcap_'")
        elif name in seen:
            self.error(where, f"field name '{name}' is already used at {seen[name]}")
        else:
            return True
        return False

    def read_field(self, spec: FieldSpec, name: str, *, first: bool) -> tuple[ItemDef | None, ItemRef]:
        """Map one field; return (None, ...) when its type is unknown (the problem is recorded)."""
        at = spec.origin.at
        ref = ItemRef(item_oid=name)
        raw_type = spec.get(col.FIELD_TYPE)
        ftype = field_type_of(raw_type)
        if ftype not in FIELD_TYPES:
            message = "the field type is empty" if not ftype else f"unknown field type '{raw_type}'"
            self.error(at(col.FIELD_TYPE), f"{message} (expected one of: {', '.join(FIELD_TYPES)})")
            return None, ref
        if first and ftype != "text":
            self.error(at(col.FIELD_TYPE), f"the first field is the record ID and must be a text field, not {ftype}")
        label = spec.get(col.FIELD_LABEL)
        if not label:
            self.error(at(col.FIELD_LABEL), "the field label is empty")
        item = ItemDef(oid=name, name=name, control_type=FIELD_TYPES[ftype])
        if label:
            item.question = {"": label}
        ext = item.extensions
        ext["redcap:FieldType"] = ftype
        if first:
            ext["redcap:RecordId"] = "y"
        item.data_type = {"calc": DataType.FLOAT, "slider": DataType.INTEGER}.get(ftype, DataType.TEXT)
        self.read_validation(spec, item, ftype)
        self.read_choices(spec, item, ref, ftype)
        self.read_flags(spec, item, ref)
        self.read_texts(spec, item)
        logic = spec.get(col.BRANCHING_LOGIC)
        if logic:
            oid = f"BL.{name}"
            expression = f"not (\n{logic}\n)" if "\n" in logic else f"not ({logic})"
            self.build.conditions.append(
                ConditionDef(oid=oid, name=name, expression=expression, context="REDCap", description={"": logic})
            )
            ref.collection_exception_condition_oid = oid
            self.pending.append(_Pending(spec, col.BRANCHING_LOGIC, logic, "branching logic"))
        return item, ref

    def read_validation(self, spec: FieldSpec, item: ItemDef, ftype: str) -> None:
        at = spec.origin.at
        raw = spec.get(col.VALIDATION)
        vtype = validation_of(raw) if raw else ""
        if ftype in {"text", "calc"} and vtype:
            validation = VALIDATIONS.get(vtype)
            if validation is None:
                self.error(at(col.VALIDATION), f"unknown text validation type '{raw}'")
            elif ftype == "calc" and validation.data_type not in {DataType.INTEGER, DataType.FLOAT}:
                self.error(at(col.VALIDATION), f"a calculated field takes only a number validation, not '{raw}'")
            else:
                item.data_type = validation.data_type
                item.significant_digits = validation.significant_digits
                item.validation = vtype
        elif ftype == "slider" and vtype:
            if vtype == "number":
                item.extensions["redcap:SliderShowNumber"] = "y"
            else:
                self.error(at(col.VALIDATION), f"a slider takes only 'number' (show the number) here, not '{raw}'")
        elif ftype == "file" and vtype:
            if vtype == "signature":
                item.validation = vtype
                item.extensions["redcap:Signature"] = "y"
            else:
                self.error(at(col.VALIDATION), f"a file field takes only 'signature' here, not '{raw}'")
        elif vtype:
            self.error(at(col.VALIDATION), f"a validation type applies to text fields, not to a {ftype} field")
        self.read_range(spec, item, ftype)

    def read_range(self, spec: FieldSpec, item: ItemDef, ftype: str) -> None:
        at = spec.origin.at
        low, high = spec.get(col.VALIDATION_MIN), spec.get(col.VALIDATION_MAX)
        if ftype == "slider":
            bounds: list[int] = []
            for key, raw, default in ((col.VALIDATION_MIN, low, 0), (col.VALIDATION_MAX, high, 100)):
                try:
                    bounds.append(int(raw) if raw else default)
                except ValueError:
                    self.error(at(key), f"a slider bound must be a whole number, not '{raw}'")
            if len(bounds) == 2:
                if bounds[0] >= bounds[1]:
                    self.error(at(col.VALIDATION_MIN), f"slider minimum {bounds[0]} is not below maximum {bounds[1]}")
                item.range_checks = [
                    RangeCheck("GE", [str(bounds[0])], "Hard"),
                    RangeCheck("LE", [str(bounds[1])], "Hard"),
                ]
            return
        if not (low or high):
            return
        validation = VALIDATIONS.get(item.validation) if item.validation else None
        if validation is None or not validation.ranged:
            for key, raw in ((col.VALIDATION_MIN, low), (col.VALIDATION_MAX, high)):
                if raw:
                    self.error(at(key), "a minimum or maximum needs a date, time or number validation")
            return
        values: dict[str, str] = {}
        for key, raw in ((col.VALIDATION_MIN, low), (col.VALIDATION_MAX, high)):
            if raw:
                try:
                    values[key] = range_value(item.validation, raw)
                except ValueError as exc:
                    self.error(at(key), str(exc))
        low_v, high_v = values.get(col.VALIDATION_MIN), values.get(col.VALIDATION_MAX)
        if low_v and high_v and range_after(item.validation, low_v, high_v):
            self.error(at(col.VALIDATION_MIN), f"minimum {low_v} is above maximum {high_v}")
        if low_v:
            item.range_checks.append(RangeCheck("GE", [low_v], "Soft"))
        if high_v:
            item.range_checks.append(RangeCheck("LE", [high_v], "Soft"))

    def read_choices(self, spec: FieldSpec, item: ItemDef, ref: ItemRef, ftype: str) -> None:
        at = spec.origin.at
        raw = spec.values.get(col.CHOICES, "")
        text = raw.strip()
        name = item.oid
        pairs: list[tuple[str, str]] | None = None
        if ftype in CHOICE_TYPES:
            try:
                pairs = parse_choices(raw)
            except ChoiceError as exc:
                self.error(at(col.CHOICES), f"choices cannot be read: {exc}")
            if pairs and ftype == "checkbox":
                self.checkbox_codes[name] = {code for code, _ in pairs}
        elif ftype in FIXED_CHOICES:
            pairs = FIXED_CHOICES[ftype]
        elif ftype == "calc":
            if not text:
                self.error(at(col.CHOICES), "a calculated field needs its calculation in this column")
            else:
                oid = f"MT.{name}"
                self.build.methods.append(MethodDef(oid=oid, name=name, expression=text, context="REDCap"))
                ref.method_oid = oid
                self.pending.append(_Pending(spec, col.CHOICES, text, "calculation"))
        elif ftype == "slider":
            try:
                parse_slider_labels(text)
            except ChoiceError as exc:
                self.error(at(col.CHOICES), str(exc))
            if text:
                item.extensions["redcap:SliderLabels"] = text
        elif ftype == "sql":
            if not text:
                self.error(at(col.CHOICES), "an sql field needs its query in this column")
            else:
                item.extensions["redcap:SQL"] = text
                self.project.notes.append(
                    f"Field '{name}' is a REDCap sql field: shown as a dropdown without choices; its query is kept "
                    "in extensions['redcap:SQL'] and never run."
                )
        elif text and ftype == "text" and _ONTOLOGY.match(text):
            item.extensions["redcap:Ontology"] = text
        elif text:
            self.project.notes.append(f"Field '{name}' ({ftype}): the choices column is not used and was ignored.")
        if pairs:
            oid = f"CL.{name}"
            self.build.code_lists.append(
                CodeList(
                    oid=oid,
                    name=name,
                    items=[CodeListItem(code, {"": label}, order) for order, (code, label) in enumerate(pairs, 1)],
                )
            )
            item.code_list_oid = oid

    def read_flags(self, spec: FieldSpec, item: ItemDef, ref: ItemRef) -> None:
        at = spec.origin.at
        for key, what in ((col.IDENTIFIER, "identifier"), (col.REQUIRED, "required"), (col.MATRIX_RANKING, "ranking")):
            raw = spec.get(key)
            if raw.lower() in _YES:
                if key == col.IDENTIFIER:
                    item.extensions["redcap:Identifier"] = "y"
                elif key == col.REQUIRED:
                    ref.mandatory = item.control_type != ControlType.DESCRIPTIVE
                else:
                    item.extensions["redcap:MatrixRanking"] = "y"
            elif raw.lower() not in _NO:
                self.error(at(key), f"the {what} flag must be 'y' or empty, not '{raw}'")
        alignment = spec.get(col.CUSTOM_ALIGNMENT)
        if alignment:
            if alignment.upper() in ALIGNMENTS:
                item.extensions["redcap:CustomAlignment"] = alignment.upper()
            else:
                self.error(at(col.CUSTOM_ALIGNMENT), f"custom alignment must be LH, LV, RH or RV, not '{alignment}'")

    def read_texts(self, spec: FieldSpec, item: ItemDef) -> None:
        ext = item.extensions
        note = spec.get(col.FIELD_NOTE)
        if note:
            item.help_text = {"": note}
        for key, ext_key in (
            (col.SECTION_HEADER, "redcap:SectionHeader"),
            (col.QUESTION_NUMBER, "redcap:QuestionNumber"),
            (col.MATRIX_GROUP, "redcap:MatrixGroupName"),
        ):
            value = spec.get(key)
            if value:
                ext[ext_key] = value
        if any(_HTML.search(text) for text in (spec.get(col.FIELD_LABEL), note, spec.get(col.SECTION_HEADER))):
            self.html = True
        annotation = spec.get(col.FIELD_ANNOTATION)
        if annotation:
            ext["redcap:FieldAnnotation"] = annotation
            for tag, value in parse_action_tags(annotation).items():
                ext[f"redcap:{tag}"] = value

    # -- logic ------------------------------------------------------------------------------------------

    def check_expressions(self, event_names: set[str] | None) -> None:
        known = {item.oid for item in self.build.items} | SYSTEM_VARIABLES
        known |= {f"{form}_complete" for form in self.form_order} | {f"{form}_timestamp" for form in self.form_order}
        parser = logic_parser()
        if parser is None and self.pending:
            self.project.notes.append(
                "Branching logic and calculations were checked for field references but not for syntax: "
                "opencro.core.logic is not available."
            )
        for job in self.pending:
            where = job.spec.origin.at(job.key)
            reported: set[str] = set()
            for ref in references(job.expression):
                name = ref.name
                if not is_name(name) or name in reported:
                    continue
                if name in known:
                    codes = self.checkbox_codes.get(name)
                    if ref.code is not None and codes is not None and ref.code not in codes:
                        self.error(where, f"{job.what} refers to [{name}({ref.code})], but '{ref.code}' is no choice")
                    continue
                if ref.prefixes_another and event_names is not None and name in event_names:
                    continue
                reported.add(name)
                if event_names is None and ref.prefixes_another:
                    detail = "which is no field (and no events were given)"
                elif event_names is None:
                    detail = "which is no field of this dictionary"
                else:
                    detail = "which is neither a field nor an event"
                self.error(where, f"{job.what} refers to [{name}], {detail}")
            if parser is not None:
                try:
                    parser.parse(job.expression)
                except parser.error as exc:
                    self.error(where, f"{job.what} does not parse: {exc}")

    # -- events, arms, mapping --------------------------------------------------------------------------

    def read_events(self) -> set[str] | None:
        project, build = self.project, self.build
        if project.events is None:
            for what, given in (("an instrument-event mapping", project.mapping), ("arms", project.arms)):
                if given:
                    self.error(given[0].origin.where, f"{what} cannot be used without events")
            build.events.append(
                StudyEventDef(
                    oid=DEFAULT_EVENT,
                    name="Enrollment",
                    forms=[FormRef(form_oid=form, order=i) for i, form in enumerate(self.form_order, 1)],
                )
            )
            build.protocol.append(StudyEventRef(event_oid=DEFAULT_EVENT, order=1))
            project.notes.append(f"No events given: one StudyEventDef '{DEFAULT_EVENT}' holds every form.")
            return None
        arm_names = self.read_arms(project.arms)
        arm_events: dict[int, list[str]] = {}
        events: dict[str, StudyEventDef] = {}
        event_arm: dict[str, int] = {}
        for spec in project.events:
            event = self.read_event(spec, arm_names, events)
            if event is None:
                continue
            arm = int(event.extensions["redcap:ArmNum"])
            events[event.oid] = event
            event_arm[event.oid] = arm
            arm_events.setdefault(arm, []).append(event.oid)
            build.events.append(event)
            build.protocol.append(StudyEventRef(event_oid=event.oid, order=len(build.protocol) + 1))
        for num in arm_names if arm_names is not None else arm_events:
            name = arm_names[num] if arm_names is not None else f"Arm {num}"
            build.arms.append(Arm(oid=f"arm_{num}", name=name, event_oids=arm_events.get(num, [])))
        self.read_mapping(events, event_arm)
        return set(events)

    def read_arms(self, arms: list[ArmSpec] | None) -> dict[int, str] | None:
        if arms is None:
            return None
        names: dict[int, str] = {}
        for spec in arms:
            num = self.whole(spec.origin.at("arm_num"), spec.num, "arm number", required=True, minimum=1)
            if num is None:
                continue
            if num in names:
                self.error(spec.origin.at("arm_num"), f"arm {num} is given twice")
                continue
            names[num] = spec.name.strip() or f"Arm {num}"
        return names

    def read_event(
        self, spec: EventSpec, arm_names: dict[int, str] | None, events: dict[str, StudyEventDef]
    ) -> StudyEventDef | None:
        at = spec.origin.at
        ok = True
        name = spec.name.strip()
        if not name:
            self.error(at("event_name"), "the event name is empty")
            ok = False
        arm = self.whole(at("arm_num"), spec.arm_num, "arm number", required=True, minimum=1)
        if arm is None:
            ok = False
        elif arm_names is not None and arm not in arm_names:
            self.error(at("arm_num"), f"arm {arm} is not among the arms given")
            ok = False
        unique = spec.unique_name.strip()
        if not unique and name and arm is not None:
            unique = unique_event_name(name, arm)
        if unique and not EVENT_NAME.match(unique):
            self.error(at("unique_event_name"), f"invalid unique event name '{unique}'")
            ok = False
        elif unique in events:
            self.error(at("unique_event_name"), f"unique event name '{unique}' is given twice")
            ok = False
        day = self.whole(at("day_offset"), spec.day_offset, "day offset")
        before = self.whole(at("offset_min"), spec.offset_min, "offset", minimum=0)
        after = self.whole(at("offset_max"), spec.offset_max, "offset", minimum=0)
        if not ok or not unique or arm is None:
            if unique not in events:
                self.rejected_events.add(unique)  # its mappings would only add follow-on errors
            return None
        extensions = {"redcap:ArmNum": str(arm)}
        if spec.custom_label.strip():
            extensions["redcap:CustomEventLabel"] = spec.custom_label.strip()
        return StudyEventDef(
            oid=unique,
            name=name,
            repeating=spec.repeating,
            type=EventType.SCHEDULED,
            day_offset=day,
            window_before=before,
            window_after=after,
            extensions=extensions,
        )

    def read_mapping(self, events: dict[str, StudyEventDef], event_arm: dict[str, int]) -> None:
        project = self.project
        if project.mapping is None:
            if events:
                project.notes.append("No instrument-event mapping given: the events hold no forms.")
            return
        position = {form: i for i, form in enumerate(self.form_order)}
        designated: dict[str, list[str]] = {oid: [] for oid in events}
        for spec in project.mapping:
            at = spec.origin.at
            event = spec.unique_event_name.strip()
            form = spec.form.strip()
            if event in self.rejected_events:
                continue
            if event not in events:
                self.error(at("unique_event_name"), f"unknown event '{event}'")
                continue
            if form not in position:
                self.error(at("form"), f"unknown form '{form}'")
                continue
            if spec.arm_num.strip():
                arm = self.whole(at("arm_num"), spec.arm_num, "arm number", minimum=1)
                if arm is not None and arm != event_arm[event]:
                    self.error(at("arm_num"), f"event '{event}' belongs to arm {event_arm[event]}, not arm {arm}")
                    continue
            if form in designated[event]:
                self.error(at("form"), f"form '{form}' is designated for event '{event}' twice")
                continue
            designated[event].append(form)
        for oid, forms in designated.items():
            ordered = sorted(forms, key=position.__getitem__)
            events[oid].forms = [FormRef(form_oid=form, order=i) for i, form in enumerate(ordered, 1)]
        used = {form for forms in designated.values() for form in forms}
        unused = [form for form in self.form_order if form not in used]
        if unused:
            project.notes.append(f"Forms in no event: {', '.join(unused)}.")

    def whole(
        self, where: str, raw: str, what: str, *, required: bool = False, minimum: int | None = None
    ) -> int | None:
        """Read a whole number (REDCap writes some as "1.0"); record a problem and return None if it is not one."""
        text = raw.strip()
        if not text:
            if required:
                self.error(where, f"the {what} is empty")
            return None
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if number != number or number != int(number):
            self.error(where, f"the {what} must be a whole number, not '{text}'")
            return None
        if minimum is not None and number < minimum:
            self.error(where, f"the {what} must be at least {minimum}, not '{text}'")
            return None
        return int(number)


def unique_event_name(event_name: str, arm: int) -> str:
    """REDCap's unique event name: lowercased, letters, digits and spaces kept, cut at 18, plus '_arm_N'."""
    cleaned = re.sub(r"[^a-z0-9 _]", "", event_name.strip().lower()).replace(" ", "_")[:18].strip("_")
    return f"{cleaned}_arm_{arm}"
