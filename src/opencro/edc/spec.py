"""A form's definition compiled for rendering, validation and checks (read once, cached).

Published build versions never change, so a compiled spec is cached per form definition for
the life of the process; drafts are compiled afresh every time.
"""

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from opencro.edc.models import BuildStatus, EditCheck, FormDef, FormGroup
from opencro.formats.build import EXECUTABLE_CONTEXTS


@dataclass(frozen=True)
class FieldSpec:
    item_id: int
    oid: str
    name: str
    group_oid: str
    data_type: str
    control_type: str
    question: dict[str, str]
    help_text: dict[str, str]
    units: str
    length: int | None
    significant_digits: int | None
    choices: tuple[tuple[str, dict[str, str]], ...]
    range_checks: tuple[dict[str, Any], ...]
    mandatory: bool
    critical: bool
    validation: str
    hide_when: str | None  # condition expression (our language); None when always shown
    calc: str | None  # method expression for calculated items
    sds_var_name: str

    @cached_property
    def codes(self) -> frozenset[str]:
        """The allowed codes (every value of a coded item is checked against them: computed once)."""
        return frozenset(code for code, _ in self.choices)

    @property
    def is_calculated(self) -> bool:
        return self.calc is not None

    @property
    def is_descriptive(self) -> bool:
        return self.control_type == "descriptive"


@dataclass(frozen=True)
class GroupSpec:
    oid: str
    name: str
    repeating: bool
    hide_when: str | None
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class CheckSpec:
    check_id: int
    oid: str
    name: str
    expression: str
    item_oid: str
    message: dict[str, str]
    severity: str


@dataclass(frozen=True)
class FormSpec:
    form_def_id: int
    version_id: int
    oid: str
    name: str
    repeating: bool
    groups: tuple[GroupSpec, ...]
    checks: tuple[CheckSpec, ...] = field(default=())

    def fields(self) -> list[FieldSpec]:
        return [f for g in self.groups for f in g.fields]

    def field_by_oid(self) -> dict[str, FieldSpec]:
        return self._fields_by_oid

    def group_of(self, item_oid: str) -> GroupSpec | None:
        return self._group_by_item.get(item_oid)

    @cached_property
    def hard_checked(self) -> frozenset[str]:
        """OIDs of the items with a hard range check."""
        return frozenset(
            f.oid for f in self.fields() if any(str(c.get("soft_hard", "")).lower() == "hard" for c in f.range_checks)
        )

    @cached_property
    def has_branching(self) -> bool:
        """Whether an item is hidden by a condition or calculated (completeness then needs evaluation)."""
        return any(f.hide_when or f.is_calculated for f in self.fields())

    @cached_property
    def required_item_ids(self) -> tuple[int, ...]:
        """Item definition ids of the mandatory items."""
        return tuple(f.item_id for f in self.fields() if f.mandatory)

    @cached_property
    def oid_of_item(self) -> dict[int, str]:
        """Item OID by item definition id."""
        return {f.item_id: f.oid for f in self.fields()}

    @cached_property
    def _fields_by_oid(self) -> dict[str, FieldSpec]:
        return {f.oid: f for g in self.groups for f in g.fields}

    @cached_property
    def _group_by_item(self) -> dict[str, GroupSpec]:
        groups: dict[str, GroupSpec] = {}
        for g in self.groups:
            for f in g.fields:
                groups.setdefault(f.oid, g)
        return groups


def _expr(definition) -> str | None:
    if definition is None or definition.context not in EXECUTABLE_CONTEXTS:
        return None
    return definition.expression


def form_spec(form_def: FormDef) -> FormSpec:
    """Compile a form definition; cached when its build version is published."""
    if form_def.version.status == BuildStatus.PUBLISHED:
        return _cached_spec(form_def.pk)
    return _compile(form_def.pk)


@lru_cache(maxsize=512)
def _cached_spec(form_def_id: int) -> FormSpec:
    return _compile(form_def_id)


def _compile(form_def_id: int) -> FormSpec:
    form = FormDef.objects.get(pk=form_def_id)
    refs = (
        FormGroup.objects.filter(form=form)
        .select_related("group", "condition")
        .prefetch_related(
            "group__item_refs__item__code_list__items", "group__item_refs__method", "group__item_refs__condition"
        )
        .order_by("order", "id")
    )
    groups = []
    item_oids: set[str] = set()
    for ref in refs:
        fields = []
        for r in ref.group.item_refs.all():
            item = r.item
            item_oids.add(item.oid)
            choices = (
                tuple((i.coded_value, dict(i.decode)) for i in item.code_list.items.all()) if item.code_list else ()
            )
            fields.append(
                FieldSpec(
                    item_id=item.pk,
                    oid=item.oid,
                    name=item.name,
                    group_oid=ref.group.oid,
                    data_type=item.data_type,
                    control_type=item.control_type,
                    question=dict(item.question),
                    help_text=dict(item.help_text),
                    units=item.units,
                    length=item.length,
                    significant_digits=item.significant_digits,
                    choices=choices,
                    range_checks=tuple(item.range_checks),
                    mandatory=r.mandatory,
                    critical=item.critical,
                    validation=item.validation,
                    hide_when=_expr(r.condition),
                    calc=_expr(r.method),
                    sds_var_name=item.sds_var_name,
                )
            )
        groups.append(
            GroupSpec(
                oid=ref.group.oid,
                name=ref.group.name,
                repeating=ref.group.repeating,
                hide_when=_expr(ref.condition),
                fields=tuple(fields),
            )
        )
    checks = tuple(
        CheckSpec(c.pk, c.oid, c.name, c.expression, c.item.oid, dict(c.message), c.severity)
        for c in EditCheck.objects.filter(version_id=form.version_id, active=True, item__oid__in=item_oids)
        .select_related("item")
        .order_by("id")
        if c.context in EXECUTABLE_CONTEXTS
    )
    return FormSpec(form.pk, form.version_id, form.oid, form.name, form.repeating, tuple(groups), checks)


@dataclass(frozen=True)
class EventLayout:
    """One event of a build version: its definition and the forms it holds, by OID."""

    event_def_id: int
    repeating: bool
    forms: dict[str, tuple[int, bool]]  # form OID -> (form definition id, repeating)


@dataclass(frozen=True)
class VersionLayout:
    """Which forms sit in which events of a build version: what a save must look up before writing."""

    version_id: int
    published: bool
    events: dict[str, EventLayout]

    def spec(self, form_def_id: int) -> FormSpec:
        """The compiled form of this version (cached when the version is published)."""
        return _cached_spec(form_def_id) if self.published else _compile(form_def_id)


_LAYOUTS: dict[int, VersionLayout] = {}


def version_layout(version_id: int) -> VersionLayout:
    """The events and forms of a build version; read once per process unless it is a draft."""
    if (layout := _LAYOUTS.get(version_id)) is not None:
        return layout
    from opencro.edc.models import BuildVersion, EventDef, EventForm

    status = BuildVersion.objects.filter(pk=version_id).values_list("status", flat=True).get()
    events = {
        oid: EventLayout(pk, repeating, {})
        for pk, oid, repeating in EventDef.objects.filter(version_id=version_id).values_list("pk", "oid", "repeating")
    }
    refs = EventForm.objects.filter(event__version_id=version_id).values_list(
        "event__oid", "form__oid", "form_id", "form__repeating"
    )
    for event_oid, form_oid, form_id, repeating in refs:
        events[event_oid].forms[form_oid] = (form_id, repeating)
    layout = VersionLayout(version_id, status == BuildStatus.PUBLISHED, events)
    if status != BuildStatus.DRAFT:
        _LAYOUTS[version_id] = layout
    return layout


_EVENT_DEFS: dict[int, list] = {}


def version_event_defs(version) -> list:
    """A build version's event definitions in schedule order, their form references and forms loaded;
    read once per process for a published (or retired) version, which never changes."""
    if (found := _EVENT_DEFS.get(version.pk)) is not None:
        return found
    from opencro.edc.models import EventDef

    events = list(EventDef.objects.filter(version=version).prefetch_related("form_refs__form").order_by("order", "id"))
    if version.status != BuildStatus.DRAFT:
        _EVENT_DEFS[version.pk] = events
    return events


def spec_cache_clear() -> None:
    """Forget compiled specs (tests that rewrite a published build)."""
    from opencro.coding.selectors import coded_items_cache_clear
    from opencro.edc.environment import version_names

    _LAYOUTS.clear()
    _EVENT_DEFS.clear()
    _cached_spec.cache_clear()
    coded_items_cache_clear()
    check_dependents.cache_clear()
    version_names.cache_clear()


@lru_cache(maxsize=64)
def check_dependents(version_id: int) -> dict[str, frozenset[str]]:
    """Item OID -> OIDs of the forms whose edit checks read it but sit elsewhere (cross-form checks).

    Saving a value must re-run the checks of those forms too, or a correction on one form would
    leave another form's query open. Cached: a published version never changes (drafts hold no data).
    """
    from opencro.core import logic
    from opencro.edc.models import ItemDef

    names = {}
    for oid, name in ItemDef.objects.filter(version_id=version_id).values_list("oid", "name"):
        names[oid] = oid
        names.setdefault(name, oid)
    forms_of_item: dict[str, set[str]] = {}
    rows = FormGroup.objects.filter(form__version_id=version_id).values_list("form__oid", "group__item_refs__item__oid")
    for form_oid, item_oid in rows:
        forms_of_item.setdefault(item_oid, set()).add(form_oid)
    dependents: dict[str, set[str]] = {}
    for check in EditCheck.objects.filter(version_id=version_id, active=True).select_related("item"):
        if check.context not in EXECUTABLE_CONTEXTS:
            continue
        try:
            read = {names.get(v.name) for v in logic.references(check.expression)}
        except logic.ExpressionError:
            continue
        homes = forms_of_item.get(check.item.oid, set())
        for oid in read - {None}:
            elsewhere = homes - forms_of_item.get(oid, set())
            if elsewhere:
                dependents.setdefault(oid, set()).update(elsewhere)
    return {oid: frozenset(forms) for oid, forms in dependents.items()}
