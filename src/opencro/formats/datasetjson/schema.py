"""Validate a Dataset-JSON document against CDISC's JSON Schema shipped in this package.

`dataset.schema.json` is CDISC's Dataset-JSON 1.1 schema, copied unchanged from
cdisc-org/DataExchange-DatasetJson (schema/dataset.schema.json, MIT licence). `jsonschema` is not a
project dependency, so this module evaluates the JSON Schema (draft 2019-09) keywords that schema
uses, with their standard meaning: type, enum, pattern, minimum, required, properties,
additionalProperties, items, anyOf and local $ref. Any other assertion keyword in the schema is
refused, so a future schema cannot be half-checked silently.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from opencro.formats.errors import Problem

_ANNOTATIONS = {"$schema", "$id", "$defs", "title", "description", "metamodel_version", "version"}
_ASSERTIONS = {
    "type",
    "enum",
    "pattern",
    "minimum",
    "required",
    "properties",
    "additionalProperties",
    "items",
    "anyOf",
    "$ref",
}


@cache
def dataset_schema() -> dict[str, Any]:
    """Return CDISC's Dataset-JSON 1.1 schema (packaged copy)."""
    text = resources.files("opencro.formats.datasetjson").joinpath("dataset.schema.json").read_text("utf-8")
    return json.loads(text)


def _is_type(value: Any, kind: str) -> bool:
    match kind:
        case "object":
            return isinstance(value, dict)
        case "array":
            return isinstance(value, list)
        case "string":
            return isinstance(value, str)
        case "boolean":
            return isinstance(value, bool)
        case "integer":
            return (isinstance(value, int) and not isinstance(value, bool)) or (
                isinstance(value, float) and value.is_integer()
            )
        case "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "null":
            return value is None
    raise ValueError(f"unsupported JSON Schema type {kind!r}")


def validate(document: Any, schema: dict[str, Any] | None = None) -> list[Problem]:
    """Return every place where `document` breaks the schema (default: Dataset-JSON 1.1), as JSON pointers."""
    root = schema if schema is not None else dataset_schema()
    problems: list[Problem] = []
    _check(document, root, root, "", problems)
    return problems


def rows_item_schema() -> dict[str, Any]:
    """The schema every item of the document's `rows` is checked against (resolved from the shipped schema)."""
    root = dataset_schema()
    items = root["properties"]["rows"]["items"]
    return _resolve(root, items["$ref"]) if set(items) == {"$ref"} else items


#: Keywords whose verdict on a JSON array cannot depend on what the array holds: "type" looks at the array
#: itself, the object keywords do not apply to arrays. Annotations assert nothing.
_ARRAY_BLIND = {"type", "properties", "required", "additionalProperties"}


def array_blind(schema: dict[str, Any], root: dict[str, Any] | None = None) -> bool:
    """True when `schema` gives every JSON array the same verdict, whatever its items: then checking one array
    tells the verdict (and the problems, but for their location) of every array."""
    root = root if root is not None else dataset_schema()
    seen: list[dict[str, Any]] = []
    while True:
        if any(schema is earlier for earlier in seen):
            return False  # a $ref cycle: not worth reasoning about
        seen.append(schema)
        keywords = set(schema) - _ANNOTATIONS - {"$ref"}
        if not keywords <= _ARRAY_BLIND:
            return False
        if "$ref" not in schema:
            return True
        schema = _resolve(root, schema["$ref"])


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref are supported: {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _check(value: Any, schema: dict[str, Any], root: dict[str, Any], pointer: str, problems: list[Problem]) -> None:
    unknown = set(schema) - _ANNOTATIONS - _ASSERTIONS
    if unknown:
        raise ValueError(f"schema keyword(s) not supported here: {sorted(unknown)}")
    where = pointer or "/"
    if "$ref" in schema:
        _check(value, _resolve(root, schema["$ref"]), root, pointer, problems)
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, kind) for kind in kinds):
            problems.append(Problem(where, f"must be of type {' or '.join(kinds)}, not {type(value).__name__}"))
            return
    if "enum" in schema and value not in schema["enum"]:
        problems.append(Problem(where, f"{value!r} is not one of {schema['enum']}"))
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        problems.append(Problem(where, f"{value!r} does not match the pattern {schema['pattern']}"))
    if "minimum" in schema and _is_type(value, "number") and value < schema["minimum"]:
        problems.append(Problem(where, f"{value!r} is less than {schema['minimum']}"))
    if "anyOf" in schema and all(_collect(value, option, root, pointer) for option in schema["anyOf"]):
        problems.append(Problem(where, "matches none of the allowed forms"))
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                problems.append(Problem(where, f"required property {key!r} is missing"))
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                _check(item, properties[key], root, f"{pointer}/{key}", problems)
            elif schema.get("additionalProperties", True) is False:
                problems.append(Problem(where, f"property {key!r} is not allowed"))
            elif isinstance(schema.get("additionalProperties"), dict):
                _check(item, schema["additionalProperties"], root, f"{pointer}/{key}", problems)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        items = schema["items"]
        if len(value) > 1 and array_blind(items, root) and all(isinstance(item, list) for item in value):
            # Every item is an array and the verdict on an array does not depend on its content: one check
            # stands for all, unless it found a problem (then each item is checked, to locate each one).
            found = _collect(value[0], items, root, f"{pointer}/0")
            if not found:
                return
        for index, item in enumerate(value):
            _check(item, items, root, f"{pointer}/{index}", problems)


def _collect(value: Any, schema: dict[str, Any], root: dict[str, Any], pointer: str) -> list[Problem]:
    found: list[Problem] = []
    _check(value, schema, root, pointer, found)
    return found
