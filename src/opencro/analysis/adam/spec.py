"""ADaM dataset specifications held as data (YAML): the dataclasses and their loader.

A specification names the dataset, its keys, where its rows come from (`base`) and an ordered list
of variables, each with its metadata and one derivation from the fixed vocabulary in `vocabulary`.
Every expression is parsed when the file is loaded, and every error names the file, the variable and
the parameter, e.g. ``adsl.yaml: dataset ADSL: variable AGEGR1: categorize: cut points must increase``.

The YAML shape::

    dataset: ADAE                      # name (capitals, digits, _)
    label: Adverse Events Analysis Dataset
    keys: [USUBJID, AETERM, ASTDT, AESEQ]   # must be unique in the result
    order: [USUBJID, AESEQ]            # row order (the keys when absent)
    base: {source: AE, filter: "...", within: ADSL}   # rows: a domain or parent, filtered, subjects of a parent
    variables:
      - name: ASTDT
        label: Analysis Start Date     # at most 40 characters
        type: date                     # text | integer | float | date
        length: 8                      # optional; format: DATE9. (optional)
        digits: 1                      # float only: rounded half away from zero
        keep: false                    # optional: a working variable, not written
        after: [DTYPE]                 # optional: derive after these too
        derivation: {kind: date, variable: AESTDTC, impute_day: first}
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from opencro.analysis.adam.errors import SpecError
from opencro.analysis.adam.vocabulary import COMPANION_ROLES, EVENT_KEYS, KINDS, WINDOW_KEYS, Param
from opencro.core.logic import ExpressionError, Node, parse

NAME = re.compile(r"[A-Z][A-Z0-9_]{0,31}")
TYPES = ("text", "integer", "float", "date")


@dataclass(frozen=True)
class Derivation:
    """One derivation: its kind and its checked parameters (expressions already parsed)."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, name: str, default: Any = None) -> Any:
        """A parameter's value, or `default` when it was not given."""
        return self.params.get(name, default)


@dataclass(frozen=True)
class VariableSpec:
    """One variable of the dataset: metadata and derivation. `keep=False` marks a working variable."""

    name: str
    label: str
    type: str
    derivation: Derivation
    length: int | None = None
    display_format: str | None = None
    digits: int | None = None
    keep: bool = True
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class BaseSpec:
    """Where the rows come from: a source domain or a parent dataset, filtered, optionally within a parent."""

    source: str
    filter: Node | None = None
    within: str | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """A whole dataset specification."""

    name: str
    label: str
    keys: tuple[str, ...]
    base: BaseSpec
    variables: tuple[VariableSpec, ...]
    order: tuple[str, ...] = ()
    origin: str = ""

    @property
    def kept(self) -> tuple[VariableSpec, ...]:
        """The variables written to the dataset, in spec order."""
        return tuple(v for v in self.variables if v.keep)

    def variable(self, name: str) -> VariableSpec:
        """The variable called `name`; KeyError if absent."""
        for variable in self.variables:
            if variable.name == name:
                return variable
        raise KeyError(name)


def load_spec(path: str | Path) -> DatasetSpec:
    """Read and check a YAML specification; raise SpecError naming the file and the place of each problem."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"cannot read: {exc.strerror}", where=(path.name,)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise SpecError(f"{line}not valid YAML ({getattr(exc, 'problem', exc)})", where=(path.name,)) from None
    return spec_from_mapping(data, origin=path.name)


def spec_from_mapping(data: Any, *, origin: str = "<spec>") -> DatasetSpec:
    """Build a DatasetSpec from already-parsed data (a mapping as YAML gives it)."""
    where: tuple[str, ...] = (origin,)
    if not isinstance(data, Mapping):
        raise SpecError("a specification must be a mapping", where=where)
    _only(data, {"dataset", "label", "keys", "base", "variables", "order"}, where)
    name = _name(data.get("dataset"), "dataset", where)
    where = (origin, f"dataset {name}")
    label = _text(data.get("label"), "label", where, required=True)
    keys = _names(data.get("keys"), "keys", where, required=True)
    order = _names(data.get("order"), "order", where) or keys
    base = _base(data.get("base"), where)
    raw_variables = data.get("variables")
    if not isinstance(raw_variables, list) or not raw_variables:
        raise SpecError("variables: a non-empty list is required", where=where)
    variables: list[VariableSpec] = []
    seen: dict[str, VariableSpec] = {}
    for position, raw in enumerate(raw_variables, start=1):
        variable = _variable(raw, position, where, seen)
        seen[variable.name] = variable
        variables.append(variable)
    kept = {v.name for v in variables if v.keep}
    for key in (*keys, *order):
        if key not in kept:
            raise SpecError(f"key {key} is not a kept variable of the dataset", where=where)
    return DatasetSpec(name, label, keys, base, tuple(variables), order, origin)


def _only(data: Mapping[str, Any], allowed: set[str], where: tuple[str, ...]) -> None:
    unknown = sorted(set(map(str, data)) - allowed)
    if unknown:
        raise SpecError(f"unknown entr{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}", where=where)


def _name(value: Any, what: str, where: tuple[str, ...]) -> str:
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise SpecError(f"{what}: a name of capitals, digits and _ is required, not {value!r}", where=where)
    return value


def _names(value: Any, what: str, where: tuple[str, ...], *, required: bool = False) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise SpecError(f"{what}: a list of names is required", where=where)
    return tuple(_name(item, what, where) for item in value)


def _text(value: Any, what: str, where: tuple[str, ...], *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"{what}: text is required", where=where)
    return value


def _expression(value: Any, what: str, where: tuple[str, ...]) -> Node:
    if not isinstance(value, str):
        raise SpecError(f"{what}: an expression (text) is required", where=where)
    try:
        return parse(value)
    except ExpressionError as exc:
        raise SpecError(f"{what}: {exc}", where=where) from None


def _base(value: Any, where: tuple[str, ...]) -> BaseSpec:
    if not isinstance(value, Mapping):
        raise SpecError("base: a mapping with a source is required", where=where)
    _only(value, {"source", "filter", "within"}, (*where, "base"))
    source = _name(value.get("source"), "base: source", where)
    filt = _expression(value["filter"], "base: filter", where) if value.get("filter") is not None else None
    within = _name(value["within"], "base: within", where) if value.get("within") is not None else None
    return BaseSpec(source, filt, within)


def _variable(raw: Any, position: int, where: tuple[str, ...], seen: Mapping[str, VariableSpec]) -> VariableSpec:
    if not isinstance(raw, Mapping):
        raise SpecError(f"variable {position}: a mapping is required", where=where)
    name = _name(raw.get("name"), f"variable {position}: name", where)
    here = (*where, f"variable {name}")
    if name in seen:
        raise SpecError("declared twice", where=here)
    _only(raw, {"name", "label", "type", "length", "format", "digits", "keep", "after", "derivation"}, here)
    label = _text(raw.get("label"), "label", here, required=True)
    if len(label) > 40:
        raise SpecError(f"label: at most 40 characters, not {len(label)}", where=here)
    kind_of_value = raw.get("type")
    if kind_of_value not in TYPES:
        raise SpecError(f"type: one of {', '.join(TYPES)} is required, not {kind_of_value!r}", where=here)
    length = raw.get("length")
    if length is not None and (not isinstance(length, int) or isinstance(length, bool) or not 1 <= length <= 200):
        raise SpecError(f"length: a whole number from 1 to 200 is required, not {length!r}", where=here)
    digits = raw.get("digits")
    if digits is not None and (not isinstance(digits, int) or isinstance(digits, bool) or not 0 <= digits <= 12):
        raise SpecError(f"digits: a whole number from 0 to 12 is required, not {digits!r}", where=here)
    if digits is not None and kind_of_value != "float":
        raise SpecError("digits: only a float variable is rounded", where=here)
    keep = raw.get("keep", True)
    if not isinstance(keep, bool):
        raise SpecError("keep: true or false is required", where=here)
    fmt = raw.get("format")
    if fmt is not None and not isinstance(fmt, str):
        raise SpecError("format: text is required", where=here)
    after = _names(raw.get("after"), "after", here)
    derivation = _derivation(raw.get("derivation"), here, seen)
    return VariableSpec(name, label, kind_of_value, derivation, length, fmt, digits, keep, after)


def _derivation(raw: Any, here: tuple[str, ...], seen: Mapping[str, VariableSpec]) -> Derivation:
    if not isinstance(raw, Mapping) or "kind" not in raw:
        raise SpecError("derivation: a mapping with a kind is required", where=here)
    kind = raw["kind"]
    if kind not in KINDS:
        raise SpecError(f"derivation: unknown kind {kind!r} (known: {', '.join(sorted(KINDS))})", where=here)
    schema = KINDS[kind]
    place = (*here, str(kind))
    unknown = sorted(set(map(str, raw)) - set(schema) - {"kind"})
    if unknown:
        raise SpecError(f"unknown parameter {', '.join(unknown)} (known: {', '.join(schema)})", where=place)
    params: dict[str, Any] = {}
    for pname, param in schema.items():
        if pname not in raw or raw[pname] is None:
            if param.required:
                raise SpecError(f"parameter {pname} is required", where=place)
            continue
        params[pname] = _parameter(raw[pname], param, pname, place)
    _check_kind(str(kind), params, place, seen)
    return Derivation(str(kind), MappingProxyType(params))


def _parameter(value: Any, param: Param, pname: str, place: tuple[str, ...]) -> Any:
    shape = param.shape
    if shape == "name":
        return _name(value, pname, place)
    if shape == "names":
        return _names(value, pname, place, required=True)
    if shape == "expr":
        return _expression(value, pname, place)
    if shape == "text":
        return _text(value, pname, place, required=True)
    if shape == "value":
        if not isinstance(value, (str, int, float, bool)):
            raise SpecError(f"{pname}: a single value is required", where=place)
        return value
    if shape in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(f"{pname}: a number is required, not {value!r}", where=place)
        if shape == "integer" and not float(value).is_integer():
            raise SpecError(f"{pname}: a whole number is required, not {value!r}", where=place)
        return value
    if shape == "numbers":
        if not isinstance(value, list) or not value:
            raise SpecError(f"{pname}: a list of numbers is required", where=place)
        for item in value:
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise SpecError(f"{pname}: {item!r} is not a number", where=place)
        return tuple(value)
    if shape == "mapping":
        if not isinstance(value, Mapping) or not value:
            raise SpecError(f"{pname}: a non-empty table (value: value) is required", where=place)
        return MappingProxyType(dict(value))
    if shape == "list":
        if not isinstance(value, list) or not value:
            raise SpecError(f"{pname}: a non-empty list is required", where=place)
        return tuple(value)
    if shape.startswith("choice:"):
        choices = shape.removeprefix("choice:").split("|")
        if value not in choices:
            raise SpecError(f"{pname}: one of {', '.join(choices)} is required, not {value!r}", where=place)
        return value
    raise SpecError(f"{pname}: unknown parameter shape {shape}", where=place)


def _check_kind(kind: str, params: dict[str, Any], place: tuple[str, ...], seen: Mapping[str, VariableSpec]) -> None:
    """Checks that depend on several parameters or on earlier variables."""
    if kind == "categorize":
        cuts = params["cuts"]
        if any(b <= a for a, b in pairwise(cuts)):
            raise SpecError("cut points must increase", where=place)
        if len(params["labels"]) != len(cuts) + 1:
            raise SpecError(
                f"labels: {len(cuts) + 1} labels are needed for {len(cuts)} cut points, not {len(params['labels'])}",
                where=place,
            )
    elif kind == "aggregate":
        if params["function"] != "count" and "value" not in params:
            raise SpecError(f"parameter value is required for {params['function']}", where=place)
    elif kind == "companion":
        of = params["of"]
        if of not in seen:
            raise SpecError(f"of: {of} must be declared before this variable", where=place)
        owner = seen[of].derivation.kind
        roles = COMPANION_ROLES.get(owner, frozenset())
        if params["role"] not in roles:
            known = ", ".join(sorted(roles)) or "none"
            raise SpecError(f"role: {owner} of {of} has no output {params['role']!r} (it has: {known})", where=place)
    elif kind == "time_to_event":
        params["events"] = tuple(
            _table(item, EVENT_KEYS, f"events {i}", place) for i, item in enumerate(params["events"], 1)
        )
        params["censors"] = tuple(
            _table(item, EVENT_KEYS, f"censors {i}", place) for i, item in enumerate(params["censors"], 1)
        )
    elif kind == "analysis_visit":
        windows = tuple(_table(item, WINDOW_KEYS, f"windows {i}", place) for i, item in enumerate(params["windows"], 1))
        for i, window in enumerate(windows, 1):
            low, high = window.get("low"), window.get("high")
            if low is None and high is None:
                raise SpecError(f"windows {i}: low or high is required", where=place)
            if low is not None and high is not None and low > high:
                raise SpecError(f"windows {i}: low {low} is above high {high}", where=place)
        ordered = sorted(windows, key=lambda w: w.get("low", float("-inf")))
        for a, b in pairwise(ordered):
            if a.get("high") is None or b.get("low") is None or a["high"] >= b["low"]:
                raise SpecError(f"windows {a['visit']!r} and {b['visit']!r} overlap", where=place)
        params["windows"] = windows


def _table(raw: Any, keys: Mapping[str, Param], what: str, place: tuple[str, ...]) -> Mapping[str, Any]:
    here = (*place, what)
    if not isinstance(raw, Mapping):
        raise SpecError("a mapping is required", where=here)
    unknown = sorted(set(map(str, raw)) - set(keys))
    if unknown:
        raise SpecError(f"unknown entry {', '.join(unknown)} (known: {', '.join(keys)})", where=here)
    table: dict[str, Any] = {}
    for key, param in keys.items():
        if raw.get(key) is None:
            if param.required:
                raise SpecError(f"{key} is required", where=here)
            continue
        table[key] = _parameter(raw[key], param, key, here)
    return MappingProxyType(table)
