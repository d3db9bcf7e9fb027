"""Define-XML 2.1 metadata of derived ADaM datasets, from their derivation specifications and the data.

One ItemGroupDef per dataset: its ADaM class (`def:Class`, see `dataset_class`: BASIC DATA
STRUCTURE with PARAMCD and AVAL/AVALC, sub-class TIME-TO-EVENT with CNSR; SUBJECT LEVEL ANALYSIS
DATASET for one record per subject; OCCURRENCE DATA STRUCTURE with a --TERM or --DECOD variable;
else ADAM OTHER), `def:Structure` in words from the keys, KeySequence from the keys, Purpose
"Analysis", IsReferenceData "No" and its file (`def:leaf` ``<name>.xpt``). One ItemDef per kept
variable: DataType from the declared type (text, integer, float, or date with DisplayFormat
DATE9.), Length and SignificantDigits from the data, and its origin: a `copy` is "Predecessor"
naming the source variable (``DM.AGE``, ``ADSL.TRT01P``); every other kind is "Derived" with a
MethodDef that says in words what the derivation does (working variables it reads are described
too). Variables whose derivation lists the values they can take (map, categorize, flag,
first_occurrence, treatment_emergent, constant, locf, analysis_visit and the companions with fixed
values) get a code list of those values; a copy of such a variable from a parent in the same
document refers to the parent's code list.

References: CDISC Define-XML Specification Version 2.1 (2019), sections 4-5; CDISC ADaM
Implementation Guide v1.1 (2016), sections 2-3 (dataset classes, Predecessor and Derived origins);
CDISC ADaM Structure for Occurrence Data (OCCDS) v1.0 (2016); CDISC ADaM Basic Data Structure for
Time-to-Event Analyses v1.0 (2012).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from opencro.analysis.adam.errors import AdamError
from opencro.analysis.adam.spec import DatasetSpec, VariableSpec
from opencro.core.logic import Node, Var, unparse, walk
from opencro.formats.definexml import model as m

IG_STANDARD = "STD.ADaMIG.1.1"
ADSL_CLASS = "SUBJECT LEVEL ANALYSIS DATASET"
BDS_CLASS = "BASIC DATA STRUCTURE"
OCCDS_CLASS = "OCCURRENCE DATA STRUCTURE"
OTHER_CLASS = "ADAM OTHER"
TTE_SUBCLASS = "TIME-TO-EVENT"
DATE_FORMAT = "DATE9."
#: Variables an ItemRef marks Mandatory besides the keys (ADaM IG v1.1 section 3: required in every dataset).
REQUIRED = frozenset({"STUDYID", "USUBJID", "PARAM", "PARAMCD"})
#: How a key variable reads in def:Structure ("One record per subject per parameter per analysis visit").
KEY_WORDS = {
    "USUBJID": "subject",
    "PARAMCD": "parameter",
    "PARAM": "parameter",
    "PARAMN": "parameter",
    "AVISIT": "analysis visit",
    "AVISITN": "analysis visit",
    "ATPT": "analysis timepoint",
    "ATPTN": "analysis timepoint",
    "ADT": "analysis date",
    "ADTM": "analysis datetime",
    "ASTDT": "analysis start date",
    "DTYPE": "derivation type",
}
_OCCURRENCE = re.compile(r"[A-Z]{2}(TERM|DECOD)")
_COMPANION_TEXT = {
    "flag": "the imputation flag of {of}: D when the day was imputed, M when month and day were, else blank",
    "visit_number": "the number of the analysis window {of} falls in",
    "low": "the lowest relative day of the analysis window {of} falls in",
    "high": "the highest relative day of the analysis window {of} falls in",
    "target": "the target relative day of the analysis window {of} falls in",
    "difference": "the absolute difference between the relative day and the target day of the window of {of}",
    "range": "the relative-day range of the analysis window {of} falls in",
    "unit": "DAYS when the record falls in an analysis window of {of}, else blank",
    "record_flag": "Y on the record nearest the target day of its analysis window, per group, as chosen for {of}",
    "censor": "0 when {of} is an event date, else the censoring source's censor value",
    "description": "the description of the event or censoring source {of} was taken from",
    "source_domain": "the dataset {of} was taken from",
    "source_variable": "the variable {of} was taken from",
    "source_sequence": "the sequence number of the record {of} was taken from",
}


class DefineError(AdamError):
    """Specifications and data that cannot be described together: a dataset or a variable missing, a name repeated."""


def _text(value: str) -> m.Text:
    return (m.TranslatedText(value),)


def _value(value: Any) -> str:
    """A spec value as a coded value: whole numbers without ".0", booleans as Y/N."""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _quoted(value: Any) -> str:
    return _value(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else f"'{_value(value)}'"


def _expr(node: Node) -> str:
    return unparse(node)


def _names(names: Iterable[str]) -> str:
    return ", ".join(names)


def dataset_class(spec: DatasetSpec) -> m.ItemGroupClass:
    """The ADaM def:Class of a dataset, decided from its specification's keys and variables.

    PARAMCD with AVAL or AVALC: BASIC DATA STRUCTURE (sub-class TIME-TO-EVENT with CNSR or a
    time_to_event derivation), even when keyed by subject alone; else keys USUBJID (and STUDYID)
    only: SUBJECT LEVEL ANALYSIS DATASET; else a --TERM or --DECOD variable: OCCURRENCE DATA
    STRUCTURE; else ADAM OTHER.
    """
    kept = {v.name for v in spec.kept}
    if "PARAMCD" in kept and kept & {"AVAL", "AVALC"}:
        tte = "CNSR" in kept or any(v.derivation.kind == "time_to_event" for v in spec.variables)
        return m.ItemGroupClass(BDS_CLASS, (m.SubClass(TTE_SUBCLASS),) if tte else ())
    if [k for k in spec.keys if k != "STUDYID"] == ["USUBJID"]:
        return m.ItemGroupClass(ADSL_CLASS)
    if any(_OCCURRENCE.fullmatch(name) for name in kept):
        return m.ItemGroupClass(OCCDS_CLASS)
    return m.ItemGroupClass(OTHER_CLASS)


def structure(spec: DatasetSpec) -> str:
    """def:Structure in words from the keys, e.g. "One record per subject per parameter"."""
    words: list[str] = []
    for key in spec.keys:
        if key == "STUDYID":
            continue
        label = spec.variable(key).label.removesuffix(" (N)")
        word = KEY_WORDS.get(key, label.lower())
        if word not in words:
            words.append(word)
    return "One record per " + " per ".join(words)


def _references(value: Any) -> list[str]:
    """Variable names a derivation parameter mentions: names, lists of names, expressions, nested tables."""
    if isinstance(value, Node):
        return [n.name for n in walk(value) if isinstance(n, Var)]
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [name for item in value.values() for name in _references(item)]
    if isinstance(value, (tuple, list)):
        return [name for item in value for name in _references(item)]
    return []


def method_description(spec: DatasetSpec, variable: VariableSpec) -> str:
    """What the derivation of `variable` does, in words, with the working (not kept) variables it reads."""
    text = _describe(spec, variable)
    working = {v.name: v for v in spec.variables if not v.keep}
    seen: list[str] = []
    pending = [variable]
    while pending:
        current = pending.pop(0)
        for name in _references(dict(current.derivation.params)):
            if name in working and name not in seen and name != variable.name:
                seen.append(name)
                pending.append(working[name])
    notes = [f"{name} (working variable, not kept): {_describe(spec, working[name])}" for name in seen]
    return " ".join([text, *notes])


def _where(filt: Node | None) -> str:
    return f" where {_expr(filt)}" if filt is not None else ""


def _by(params: Mapping[str, Any]) -> str:
    return _names(params.get("by") or ("USUBJID",))


def _describe(spec: DatasetSpec, variable: VariableSpec) -> str:
    d = variable.derivation
    p = d.params
    kind = d.kind
    name = variable.name
    if kind == "copy":
        source, copied = _copied_from(spec, variable)
        by = f", merged by {_by(p)}" if p.get("by") else ""
        return f"Copy of {source}.{copied}{by}."
    if kind == "map":
        pairs = "; ".join(f"{_quoted(k)} -> {_quoted(v)}" for k, v in p["values"].items())
        rest = f"other values -> {_quoted(p['default'])}" if "default" in p else "other values -> blank"
        return f"Mapped from {p['variable']}: {pairs}; {rest}."
    if kind == "categorize":
        source, cuts = p["variable"], p["cuts"]
        left = p.get("closed", "left") == "left"
        groups = "; ".join(f"{interval} -> {_quoted(label)}" for interval, label in _intervals(p))
        side = "upper" if left else "lower"
        cut_text = ", ".join(_value(c) for c in cuts)
        return (
            f"Categorised from {source} (cut points {cut_text}; a value equal to a cut point goes to the {side} "
            f"group): {groups}; blank when {source} is blank."
        )
    if kind == "flag":
        otherwise = p.get("otherwise", "")
        return f"Y when {_expr(p['condition'])}, else {_quoted(otherwise) if otherwise != '' else 'blank'}."
    if kind == "expression":
        return f"Computed as {_expr(p['expression'])}."
    if kind == "constant":
        return f"Set to {_quoted(p['value'])} on every record."
    if kind == "date":
        parts = [f"Date of {p['variable']} (ISO 8601)"]
        day, month = p.get("impute_day", "none"), p.get("impute_month", "none")
        parts.append(f"a missing day imputed as the {day} day of the month" if day != "none" else "no day imputed")
        parts.append(f"a missing month imputed as the {month} month of the year" if month != "none" else "")
        if "fallback" in p:
            parts.append(f"when {p['variable']} is blank, the date of {p['fallback']}")
        return "; ".join(x for x in parts if x) + "; blank when not a valid date."
    if kind == "study_day":
        date, ref = p["date"], p["reference"]
        return (
            f"Relative day of {date} from {ref}: {date} - {ref} + 1 on or after {ref}, {date} - {ref} before "
            "(no day 0)."
        )
    if kind == "duration":
        unit = p.get("unit", "days")
        add_one = p.get("add_one", True) is not False
        plus = " + 1 day" if add_one else ""
        per = {"days": "", "weeks": ", divided by 7", "months": ", divided by 30.4375", "years": ", divided by 365.25"}
        return f"Duration in {unit}: ({p['end']} - {p['start']}{plus}){per[unit]}; blank when either date is blank."
    if kind in ("first", "last"):
        order = f" in order of {_names(p['order'])}" if p.get("order") else " in the source's record order"
        return (
            f"Value of {_expr(p['value'])} on the {kind} record of {p['source']} per {_by(p)}{_where(p.get('filter'))}"
            f"{order}; blank when there is none."
        )
    if kind == "aggregate":
        where = f"the records of {p['source']} per {_by(p)}{_where(p.get('filter'))}"
        if p["function"] == "count":
            return f"Number of {where}; 0 when there are none."
        return f"{p['function'].capitalize()} of {_expr(p['value'])} over {where}; blank when there are none."
    if kind == "first_occurrence":
        return (
            f"Y on the first record per {_names(p['by'])} in order of {_names(p['order'])}"
            f"{' among the records' + _where(p.get('filter')) if p.get('filter') is not None else ''}, else blank."
        )
    if kind == "treatment_emergent":
        start, first = p["start"], p["treatment_start"]
        text = f"Y when {start} is on or after {first}"
        if "treatment_end" in p:
            text += f" and on or before {p['treatment_end']} + {int(p.get('window', 0))} days"
        missing = "Y" if p.get("missing_start", "Y") == "Y" else "not Y"
        otherwise = p.get("otherwise", "")
        return (
            f"{text}; a record with {start} blank (and {first} known) is {missing}; "
            f"otherwise {_quoted(otherwise) if otherwise != '' else 'blank'}."
        )
    if kind == "baseline":
        return (
            f"Value of {p['value']} on the baseline record ({p['flag']} = 'Y') of each {_names(p['by'])} group, "
            "on every record of the group."
        )
    if kind in ("change", "pct_change"):
        value, base = p["value"], p["baseline"]
        formula = f"{value} - {base}" if kind == "change" else f"100 * ({value} - {base}) / {base}"
        off = f"; blank on the baseline record ({p['baseline_flag']} = 'Y')" if "baseline_flag" in p else ""
        zero = " or 0" if kind == "pct_change" else ""
        return f"{formula}; blank when either is blank{zero}{off}."
    if kind == "analysis_visit":
        windows = "; ".join(
            f"{w['visit']!r} (number {_value(w['number'])}) for {_window(p['day'], w)}, target {_value(w['target'])}"
            for w in p["windows"]
        )
        tie = p.get("tie", "earlier")
        return (
            f"Analysis visit from the window holding {p['day']}: {windows}; blank outside every window. Per "
            f"{_names(p['by'])} and window, the record{_where(p.get('filter'))} nearest the target day is the "
            f"analysed one (a tie goes to the {tie} day)."
        )
    if kind == "locf":
        visits = ", ".join(f"{_value(k)} ({v})" for k, v in p["visits"].items())
        return (
            f"'LOCF' on records added per {_names(p['by'])} for each of the visits {p['visit']} = {visits} without a "
            f"record{_where(p.get('filter'))}: a copy of the last such record at an earlier visit, with {p['visit']}"
            f"{' and ' + p['label'] if p.get('label') else ''} set to the missed visit; blank on observed records."
        )
    if kind == "time_to_event":
        events = "; ".join(_source(item) for item in p["events"])
        censors = "; ".join(f"{_source(item)} (censor {int(item.get('censor', 1))})" for item in p["censors"])
        return (
            f"Per {_by(p)}: the earliest event date from {events}; when there is no event, the censoring date from the "
            f"first of {censors} that has one."
        )
    if kind == "companion":
        role = p["role"]
        template = _COMPANION_TEXT.get(role, "the " + role + " output of the derivation of {of}")
        return f"Filled by the derivation of {p['of']}: {template.format(of=p['of'])}."
    raise DefineError(f"no description for derivation kind {kind!r}", where=(f"variable {name}",))


def _source(item: Mapping[str, Any]) -> str:
    return f"{item['source']}.{item['date']}{_where(item.get('filter'))} ({item['description']})"


def _window(day: str, window: Mapping[str, Any]) -> str:
    low, high = window.get("low"), window.get("high")
    if low is not None and high is not None:
        return f"{_value(low)} <= {day} <= {_value(high)}"
    if low is not None:
        return f"{day} >= {_value(low)}"
    return f"{day} <= {_value(high)}"


def _intervals(params: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(interval in words, label) of each group of a categorize derivation."""
    source, cuts, left = params["variable"], params["cuts"], params.get("closed", "left") == "left"
    below, above = ("<", ">=") if left else ("<=", ">")
    texts = [f"{source} {below} {_value(cuts[0])}"]
    for low, high in pairwise(cuts):
        texts.append(f"{_value(low)} {'<=' if left else '<'} {source} {below} {_value(high)}")
    texts.append(f"{source} {above} {_value(cuts[-1])}")
    return list(zip(texts, params["labels"], strict=True))


Values = list[tuple[Any, str | None]]


def _code_list(spec: DatasetSpec, variable: VariableSpec) -> m.CodeList | None:
    """The values a variable can take when its derivation lists them; None otherwise and for dates.

    With a decode for every value the list holds CodeListItems (e.g. 54 "Xanomeline Low Dose", 1
    "AGE < 65"), else EnumeratedItems. Blank values are not listed.
    """
    if variable.type == "date":
        return None
    pairs: dict[str, list[str]] = {}
    decoded = True
    for value, decode in _values(spec, variable):
        code = _value(value)
        if code == "":
            continue
        decodes = pairs.setdefault(code, [])
        if decode is None:
            decoded = False
        elif decode not in decodes:
            decodes.append(decode)
    if not pairs:
        return None
    oid, name = f"CL.{spec.name}.{variable.name}", f"{spec.name}.{variable.name}"
    if decoded:
        items = tuple(
            m.CodeListItem(code, _text(" or ".join(texts)), order_number=n)
            for n, (code, texts) in enumerate(pairs.items(), 1)
        )
        return m.CodeList(oid, name, variable.type, code_list_items=items)
    enumerated = tuple(m.EnumeratedItem(code, order_number=n) for n, code in enumerate(pairs, 1))
    return m.CodeList(oid, name, variable.type, enumerated_items=enumerated)


def _values(spec: DatasetSpec, variable: VariableSpec) -> Values:
    """(value, decode or None) of each value the derivation can give; empty when it can give any value."""
    kind, p = variable.derivation.kind, variable.derivation.params
    if kind == "map":
        table = dict(p["values"])
        numeric = variable.type in ("integer", "float") and all(isinstance(k, str) for k in table)
        one_to_one = len({_value(v) for v in table.values()}) == len(table) and "default" not in p
        values: Values = [(v, str(k) if numeric and one_to_one else None) for k, v in table.items()]
        return [*values, *([(p["default"], None)] if "default" in p else [])]
    if kind == "categorize":
        return [(label, text) for text, label in _intervals(p)]
    if kind in ("flag", "treatment_emergent", "first_occurrence"):
        return [("Y", None), (p.get("otherwise", ""), None)]
    if kind == "constant":
        return [(p["value"], None)]
    if kind == "locf":
        return [("LOCF", None)]
    if kind == "analysis_visit":
        return [(w["visit"], None) for w in p["windows"]]
    if kind == "companion":
        try:
            owner = spec.variable(p["of"]).derivation
        except KeyError:
            return []
        return _companion_values(owner.kind, owner.params, p["role"])
    return []


def _companion_values(kind: str, p: Mapping[str, Any], role: str) -> Values:
    if kind == "date" and role == "flag":
        day = [("D", "Day imputed")] if p.get("impute_day", "none") != "none" else []
        return [*day, *([("M", "Month and day imputed")] if p.get("impute_month", "none") != "none" else [])]
    if kind == "analysis_visit":
        if role == "visit_number":
            return [(w["number"], str(w["visit"])) for w in p["windows"]]
        fixed = {"unit": "DAYS", "record_flag": "Y"}
        return [(fixed[role], None)] if role in fixed else []
    if kind == "time_to_event":
        events, censors = p["events"], p["censors"]
        sources = [*events, *censors]
        if role == "censor":
            event = [(0, f"Event: {item['description']}") for item in events]
            return [*event, *((item.get("censor", 1), f"Censored: {item['description']}") for item in censors)]
        column = {"description": "description", "source_domain": "source", "source_variable": "date"}.get(role)
        return [(item[column], None) for item in sources] if column else []
    return []


def _copied_from(spec: DatasetSpec, variable: VariableSpec) -> tuple[str, str]:
    """(source dataset or domain, source variable) of a copy."""
    d = variable.derivation
    return d.get("source") or spec.base.source, d.get("variable") or variable.name


def _number_text(value: float, digits: int | None) -> str:
    """A number as text: `digits` decimals when declared, else whole numbers without a point and others in their
    shortest positional form (Python's repr and NumPy's Dragon4 give the same shortest digits for a float64; repr
    is used where it is positional, i.e. without an exponent)."""
    if digits is not None:
        return f"{value:.{digits}f}"
    number = float(value)
    if number.is_integer():
        return str(int(number))
    text = repr(number)
    if "e" in text or "n" in text:  # an exponent, inf or nan
        return np.format_float_positional(number, trim="-")
    return text


def _shape(variable: VariableSpec, values: pd.Series) -> tuple[int | None, int | None]:
    """Length and SignificantDigits of a variable from its values (Length absent for dates).

    Text is measured in UTF-8 bytes; a number by its text (`_number_text`: the declared decimals, else
    whole numbers without a point and others in their shortest positional form). Each distinct value
    is formatted once.
    """
    if variable.type == "date":
        return None, None
    if variable.type == "text":
        texts = _distinct_texts(values)
        if not texts:
            return variable.length or 1, None
        return max(len(t.encode("utf-8")) for t in texts), None
    numbers = _distinct_numbers(pd.to_numeric(values, errors="coerce").dropna())
    if variable.type == "integer":
        return max((len(str(round(v))) for v in numbers), default=1), None
    texts = [_number_text(v, variable.digits) for v in numbers]
    digits = variable.digits
    if digits is None:
        digits = max((len(t.split(".")[1]) for t in texts if "." in t), default=0)
    return max((len(t) for t in texts), default=1), digits


def _distinct_texts(values: pd.Series) -> list[str]:
    """The distinct non-blank texts of the values (str() of each non-missing value, "" left out)."""
    if isinstance(values.dtype, pd.StringDtype) or (
        values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")
    ):
        return [t for t in (str(v) for v in values.dropna().unique()) if t != ""]
    return [str(v) for v in values if not pd.isna(v) and str(v) != ""]


def _distinct_numbers(numbers: pd.Series) -> list[Any]:
    """The distinct values of a numeric Series without missing values, as the scalars iterating it gives.

    0.0 and -0.0 count as one value in pandas' hashing but are written differently ("-0.00"), so
    a negative zero is kept as its own value.
    """
    array = numbers.to_numpy()
    if not isinstance(numbers.dtype, np.dtype) or numbers.dtype.kind not in "fiu":
        return list(numbers)
    distinct = pd.unique(array).tolist()
    if array.dtype.kind == "f":
        zeros = array == 0
        if zeros.any() and np.signbit(array[zeros]).any():
            distinct.append(-0.0)
    return distinct


class _Define:
    def __init__(self, specs: Sequence[DatasetSpec]) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self.items: list[m.ItemDef] = []
        self.methods: list[m.MethodDef] = []
        self.lists: dict[tuple[str, str], m.CodeList] = {}
        for spec in specs:
            for variable in spec.kept:
                code_list = _code_list(spec, variable)
                if code_list is not None:
                    self.lists[spec.name, variable.name] = code_list

    def code_list_oid(self, spec: DatasetSpec, variable: VariableSpec) -> str | None:
        """The variable's own code list, or, for a copy of a parent's variable, the parent's (followed up copies)."""
        seen: set[tuple[str, str]] = set()
        while (spec.name, variable.name) not in self.lists and variable.derivation.kind == "copy":
            source, name = _copied_from(spec, variable)
            parent = self.specs.get(source)
            if parent is None or (source, name) in seen:
                return None
            seen.add((source, name))
            try:
                variable = parent.variable(name)
            except KeyError:
                return None
            spec = parent
        code_list = self.lists.get((spec.name, variable.name))
        return code_list.oid if code_list is not None else None

    def group(self, spec: DatasetSpec, frame: pd.DataFrame) -> m.ItemGroupDef:
        where = (spec.origin, f"dataset {spec.name}")
        kept = [v.name for v in spec.kept]
        missing = [name for name in kept if name not in frame.columns]
        if missing:
            raise DefineError(f"variables {_names(missing)} of the specification are not in the data", where=where)
        extra = [str(c) for c in frame.columns if c not in kept]
        if extra:
            raise DefineError(f"columns {_names(extra)} of the data are not kept variables of the spec", where=where)
        refs = []
        for order, variable in enumerate(spec.kept, 1):
            oid = f"IT.{spec.name}.{variable.name}"
            method_oid = None
            if variable.derivation.kind == "copy":
                source, name = _copied_from(spec, variable)
                origin = m.Origin("Predecessor", description=_text(f"{source}.{name}"))
            else:
                origin = m.Origin("Derived")
                method_oid = self.method(spec, variable)
            length, digits = _shape(variable, frame[variable.name])
            display = variable.display_format or (DATE_FORMAT if variable.type == "date" else None)
            self.items.append(
                m.ItemDef(
                    oid,
                    variable.name,
                    variable.type,
                    length=length,
                    significant_digits=digits if variable.type == "float" else None,
                    sas_field_name=variable.name,
                    display_format=display,
                    description=_text(variable.label),
                    code_list_oid=self.code_list_oid(spec, variable),
                    origins=(origin,),
                )
            )
            key = spec.keys.index(variable.name) + 1 if variable.name in spec.keys else None
            refs.append(
                m.ItemRef(
                    oid,
                    mandatory=key is not None or variable.name in REQUIRED,
                    order_number=order,
                    key_sequence=key,
                    method_oid=method_oid,
                )
            )
        leaf = m.Leaf(f"LF.{spec.name}", f"{spec.name.lower()}.xpt", f"{spec.name.lower()}.xpt")
        klass = dataset_class(spec)
        return m.ItemGroupDef(
            oid=f"IG.{spec.name}",
            name=spec.name,
            repeating=klass.name != ADSL_CLASS,
            item_refs=tuple(refs),
            purpose="Analysis",
            structure=structure(spec),
            sas_dataset_name=spec.name,
            is_reference_data=False,
            description=_text(spec.label),
            item_class=klass,
            standard_oid=IG_STANDARD,
            archive_location_id=leaf.id,
            leaf=leaf,
        )

    def method(self, spec: DatasetSpec, variable: VariableSpec) -> str:
        d = variable.derivation
        imputes = d.kind == "locf" or (
            d.kind == "date" and (d.get("impute_day", "none") != "none" or d.get("impute_month", "none") != "none")
        )
        oid = f"MT.{spec.name}.{variable.name}"
        self.methods.append(
            m.MethodDef(
                oid,
                f"Algorithm to derive {spec.name}.{variable.name}",
                "Imputation" if imputes else "Computation",
                _text(method_description(spec, variable)),
            )
        )
        return oid


def _oid_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text.strip()) or "STUDY"


def define_from_adam(
    specs: Sequence[DatasetSpec],
    datasets: Mapping[str, pd.DataFrame],
    study_name: str,
    *,
    study_description: str = "",
    protocol_name: str | None = None,
    created: str | None = None,
) -> m.DefineDocument:
    """The Define-XML 2.1 document of the ADaM `datasets` (as derived), described by their `specs`.

    `datasets` holds each specification's derived frame by dataset name (extra frames are ignored);
    `created` is the CreationDateTime (ISO 8601; now in UTC when omitted). Datasets appear in the
    order of `specs`. Raises DefineError, located at the spec file and dataset, when a dataset is
    missing, its columns are not the spec's kept variables, or two specs share a name.
    """
    if not specs:
        raise DefineError("no dataset specification given")
    names = [spec.name for spec in specs]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DefineError(f"datasets {_names(repeated)} are specified more than once")
    frames = {str(name).upper(): frame for name, frame in datasets.items()}
    builder = _Define(specs)
    groups = []
    for spec in specs:
        if spec.name not in frames:
            raise DefineError("no data given for the dataset", where=(spec.origin, f"dataset {spec.name}"))
        groups.append(builder.group(spec, frames[spec.name]))
    used = {item.code_list_oid for item in builder.items}
    study = _oid_part(study_name)
    return m.DefineDocument(
        file_oid=f"DEF.{study}.ADAM",
        creation_datetime=created or datetime.now(UTC).replace(microsecond=0).isoformat(),
        study_oid=f"ST.{study}",
        study_name=study_name,
        study_description=study_description or study_name,
        protocol_name=protocol_name or study_name,
        mdv_oid=f"MDV.{study}.ADAM",
        mdv_name=f"{study_name} ADaM datasets",
        item_groups=tuple(groups),
        items=tuple(builder.items),
        standards=(m.Standard(IG_STANDARD, "ADaMIG", "IG", "1.1", "Final"),),
        originator="OpenCRO",
        code_lists=tuple(c for c in builder.lists.values() if c.oid in used),
        methods=tuple(builder.methods),
    )
