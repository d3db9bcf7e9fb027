"""Read and write a `MappingSpec` as YAML or JSON, rejecting a malformed one with every problem located.

A location reads like "spec.yaml: domains[3] (VS), tests[2] (SYSBP): unknown key 'unit'". YAML syntax
errors keep the parser's line and column. Writing omits fields left at their defaults, so a dumped
spec reads like a hand-written one and loads back equal.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import yaml

from opencro.analysis.sdtm.errors import SpecError
from opencro.analysis.sdtm.metadata import DOMAIN_CLASSES
from opencro.analysis.sdtm.spec import (
    ORIGINS,
    SUPP_ORIGINS,
    DomainSpec,
    MappingSpec,
    RelationSpec,
    SuppRule,
    TestRule,
    VariableRule,
)
from opencro.formats.errors import Problem

#: Variable names, test codes and QNAMs: a letter, then letters, digits or underscores, 8 at most (SDTMIG 4.5.1).
_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,7}")
_CHOICES: dict[str, tuple[str, ...]] = {"domain_class": DOMAIN_CLASSES, "origin": ORIGINS, "qorig": SUPP_ORIGINS}
_CHILDREN: dict[str, type] = {
    "domains": DomainSpec,
    "relations": RelationSpec,
    "variables": VariableRule,
    "tests": TestRule,
    "supp": SuppRule,
}


def load_spec(source: str | Path, *, name: str = "") -> MappingSpec:
    """Read a spec from a path (.yaml, .yml or .json) or from YAML/JSON text; SpecError lists every problem."""
    if isinstance(source, Path):
        where = name or source.name
        text = source.read_text(encoding="utf-8")
    else:
        where, text = name or "spec", source
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f"{where}, line {mark.line + 1}, column {mark.column + 1}" if mark else where
        raise SpecError(Problem(at, f"not valid YAML/JSON: {getattr(error, 'problem', error)}")) from error
    return spec_from_dict(data, where=where)


def spec_from_dict(data: Any, *, where: str = "spec") -> MappingSpec:
    """Build a spec from plain data (as parsed from YAML or JSON), checking every field."""
    problems: list[Problem] = []
    spec = _build(MappingSpec, data, where, problems)
    if not problems:
        _check(spec, where, problems)
    if problems:
        raise SpecError(problems)
    return spec


def dump_spec(spec: MappingSpec, fmt: str = "yaml") -> str:
    """The spec as YAML ("yaml") or JSON ("json") text; fields at their defaults are left out."""
    data = _plain(spec)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    raise SpecError(f"unknown spec format {fmt!r} (yaml or json)")


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            if (f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING) or value != default:
                out[f.name] = _plain(value)
        return out
    if isinstance(obj, tuple | list):
        return [_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    return obj


def _label(cls: type, data: dict[str, Any]) -> str:
    for key in ("domain", "name", "testcd", "qnam"):
        if isinstance(data.get(key), str):
            return f" ({data[key]})"
    return ""


def _build(cls: type, data: Any, where: str, problems: list[Problem]) -> Any:
    if not isinstance(data, dict):
        problems.append(Problem(where, f"expected a mapping of {cls.__name__} fields, got {type(data).__name__}"))
        return None
    fields = {f.name: f for f in dataclasses.fields(cls)}
    if cls is RelationSpec and True in data:
        # YAML 1.1 reads an unquoted key "on" as true.
        data = {("on" if key is True else key): value for key, value in data.items()}
    for key in data:
        if key not in fields:
            problems.append(Problem(where, f"unknown key {key!r} (allowed: {', '.join(fields)})"))
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if name not in data or data[name] is None:
            if required:
                problems.append(Problem(where, f"missing required key {name!r}"))
            continue
        value = data[name]
        at = f"{where}, {name}"
        kind = str(f.type)
        if name in _CHILDREN:
            if not isinstance(value, list):
                problems.append(Problem(at, "expected a list"))
                continue
            child = _CHILDREN[name]
            built = []
            for n, entry in enumerate(value, 1):
                label = _label(child, entry) if isinstance(entry, dict) else ""
                built.append(_build(child, entry, f"{where}, {name}[{n}]{label}", problems))
            kwargs[name] = tuple(built)
        elif name == "on":
            pairs = []
            for n, pair in enumerate(value if isinstance(value, list) else [None], 1):
                if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
                    problems.append(Problem(f"{at}[{n}]", "expected a pair [left variable, right variable]"))
                    continue
                pairs.append((pair[0], pair[1]))
            kwargs[name] = tuple(pairs)
        elif kind.startswith("dict"):
            if not isinstance(value, dict):
                problems.append(Problem(at, "expected a mapping"))
                continue
            kwargs[name] = {str(k): str(v) for k, v in value.items()}
        elif kind.startswith("tuple"):
            if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
                problems.append(Problem(at, "expected a list of texts"))
                continue
            kwargs[name] = tuple(str(v) for v in value)
        elif kind == "bool":
            if not isinstance(value, bool):
                problems.append(Problem(at, f"expected true or false, got {value!r}"))
                continue
            kwargs[name] = value
        elif "float" in kind:
            if isinstance(value, bool) or not isinstance(value, int | float):
                problems.append(Problem(at, f"expected a number, got {value!r}"))
                continue
            kwargs[name] = float(value)
        else:
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                problems.append(Problem(at, f"expected text, got {type(value).__name__}"))
                continue
            if name in _CHOICES and str(value) not in _CHOICES[name]:
                problems.append(Problem(at, f"{value!r} is not one of {', '.join(_CHOICES[name])}"))
            kwargs[name] = str(value)
    if any(
        name not in kwargs
        for name, f in fields.items()
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ):
        return None
    return cls(**kwargs)


def _check(spec: MappingSpec, where: str, problems: list[Problem]) -> None:
    """Rules across fields: names, classes, origins and what each origin needs."""
    seen: set[str] = set()
    for n, domain in enumerate(spec.domains, 1):
        at = f"{where}, domains[{n}] ({domain.domain})"
        if not re.fullmatch(r"[A-Z]{2}", domain.domain):
            problems.append(Problem(at, "a domain code is two upper-case letters"))
        if domain.domain in seen:
            problems.append(Problem(at, "the domain is specified twice"))
        seen.add(domain.domain)
        if domain.tests and domain.domain_class != "findings":
            problems.append(Problem(at, "tests belong to a findings domain"))
        names: set[str] = set()
        for k, rule in enumerate(domain.variables, 1):
            rat = f"{at}, variables[{k}] ({rule.name})"
            if not _NAME.fullmatch(rule.name):
                problems.append(Problem(rat, "a variable name is 1-8 upper-case letters, digits or underscores"))
            if rule.name in names:
                problems.append(Problem(rat, "the variable has two rules"))
            names.add(rule.name)
            if rule.origin == "collected" and rule.item is None:
                problems.append(Problem(rat, "a collected variable names its CRF item"))
            elif rule.origin in ("assigned", "protocol", "sponsor") and rule.value is None and rule.item is None:
                problems.append(Problem(rat, f"an {rule.origin} variable gives its value"))
        for k, test in enumerate(domain.tests, 1):
            if not _NAME.fullmatch(test.testcd):
                problems.append(
                    Problem(
                        f"{at}, tests[{k}] ({test.testcd})",
                        "a test code is 1-8 upper-case letters, digits or underscores",
                    )
                )
            if len(test.test) > 40:
                problems.append(Problem(f"{at}, tests[{k}] ({test.testcd})", "a test name is at most 40 characters"))
        for k, supp in enumerate(domain.supp, 1):
            sat = f"{at}, supp[{k}] ({supp.qnam})"
            if not _NAME.fullmatch(supp.qnam):
                problems.append(Problem(sat, "a QNAM is 1-8 upper-case letters, digits or underscores"))
            if len(supp.qlabel) > 40:
                problems.append(Problem(sat, "a QLABEL is at most 40 characters"))
            if supp.item is None and supp.value is None:
                problems.append(Problem(sat, "a supplemental qualifier names its item or value"))
    for n, relation in enumerate(spec.relations, 1):
        at = f"{where}, relations[{n}]"
        for side in (relation.left, relation.right):
            if side not in seen:
                problems.append(Problem(at, f"relates domain {side}, which the spec does not build"))
