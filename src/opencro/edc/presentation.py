"""A form instance laid out for the page: groups, rows, fields with their state (no HTML here)."""

from dataclasses import dataclass, field

from opencro.edc.models import Query
from opencro.edc.selectors import FormPage
from opencro.edc.spec import FieldSpec
from opencro.formats.build import text_of

NUMERIC = {"integer", "float", "double"}
DATES = {"date", "partialDate", "incompleteDate"}
DATETIMES = {"datetime", "partialDatetime", "incompleteDatetime"}


@dataclass
class Choice:
    code: str
    label: str
    selected: bool


@dataclass
class FieldView:
    spec: FieldSpec
    repeat: int
    key: str  # "OID:repeat", the HTML name suffix
    label: str
    help: str
    value: str
    choices: list[Choice]
    hidden: bool
    error: str = ""
    not_done: str = ""
    verified: bool = False
    item_id: int | None = None
    queries: list[Query] = field(default_factory=list)
    file: object | None = None  # the newest ItemFile of a file item

    @property
    def widget(self) -> str:
        """The template branch: select, radio, checkbox, textarea, calc, descriptive, date, number, text."""
        control = self.spec.control_type
        if control in ("descriptive", "calc", "checkbox", "radio", "notes"):
            return {"notes": "textarea"}.get(control, control)
        if control in ("yesno", "truefalse"):
            return "radio"
        if control == "dropdown" or self.choices:
            return "radio" if 0 < len(self.choices) <= 4 and control != "dropdown" else "select"
        if control == "file":
            return "file"
        if self.spec.data_type in DATES | DATETIMES:
            return "date"
        if self.spec.data_type in NUMERIC or control == "slider":
            return "number"
        return "text"

    @property
    def placeholder(self) -> str:
        dtype = self.spec.data_type
        if dtype in DATES:
            return "YYYY-MM-DD" + (" / UN-MMM-YYYY" if dtype != "date" else "")
        if dtype in DATETIMES:
            return "YYYY-MM-DDTHH:MM"
        if dtype in ("time", "partialTime"):
            return "HH:MM"
        return ""

    @property
    def open_queries(self) -> list[Query]:
        return [q for q in self.queries if q.is_open]


@dataclass
class RowView:
    repeat: int
    fields: list[FieldView]


@dataclass
class GroupView:
    oid: str
    name: str
    repeating: bool
    rows: list[RowView]

    @property
    def next_repeat(self) -> int:
        return max((r.repeat for r in self.rows), default=0) + 1


def form_layout(
    page: FormPage, *, lang: str, errors: dict[str, str] | None = None, raw: dict[str, str] | None = None
) -> list[GroupView]:
    """Groups with one row per repeat; `raw` shows what a rejected save typed in place of stored values."""
    errors, raw = errors or {}, raw or {}
    groups = []
    for group in page.spec.groups:
        rows = []
        for repeat in page.repeats.get(group.oid, [1]):
            fields = []
            for f in group.fields:
                key = (f.oid, repeat)
                label_key = f.oid if repeat == 1 else f"{f.oid}@{repeat}"
                stored = page.values.get(key)
                value = raw.get(f"{f.oid}:{repeat}", stored or "")
                selected = set(value.split(",")) if value else set()
                fields.append(
                    FieldView(
                        spec=f,
                        repeat=repeat,
                        key=f"{f.oid}:{repeat}",
                        label=text_of(f.question, lang) or f.name,
                        help=text_of(f.help_text, lang),
                        value=value,
                        choices=[Choice(c, text_of(d, lang) or c, c in selected) for c, d in f.choices],
                        hidden=key in page.hidden,
                        error=errors.get(label_key, ""),
                        not_done=page.not_done.get(key, ""),
                        verified=key in page.verified,
                        item_id=page.item_ids.get(key),
                        file=page.files.get(key),
                        queries=page.queries_for(f.oid, repeat),
                    )
                )
            rows.append(RowView(repeat, fields))
        groups.append(GroupView(group.oid, group.name, group.repeating, rows))
    return groups
