"""`JsonNode`: a parsed JSON value and its path, read with typed accessors that record located problems.

Both ClinicalTrials.gov readers walk a study with it (`reader` for feasibility records, `registration.reader`
for registrations), so that one `FormatError` can list every problem by its JSON path
(``protocolSection.designModule.phases[1]``) instead of stopping at the first. A subclass sets `strip` and
adds the reads only it needs.

Type names in messages are those of RFC 8259 (The JSON Data Interchange Format), section 1: object, array,
string, number, boolean, null.
"""

from typing import Any, ClassVar, Self

from opencro.formats.errors import Problem

TOP = "top level"  # the location of a problem with the document as a whole


class JsonNode:
    """A JSON value and its path; typed reads that record a located problem instead of failing."""

    __slots__ = ("path", "problems", "value")

    strip: ClassVar[bool] = False
    """True: strings are read stripped and blank or null array entries skipped (harvesting published records);
    False: strings are kept as published and a null array entry is a problem (a round trip must keep them)."""

    def __init__(self, value: Any, path: str, problems: list[Problem]) -> None:
        self.value = value
        self.path = path
        self.problems = problems

    def problem(self, message: str) -> None:
        self.problems.append(Problem(self.path or TOP, message))

    def child(self, key: str) -> Self:
        """The value at `key` (None when absent or when this node is not an object)."""
        value = self.value.get(key) if isinstance(self.value, dict) else None
        return type(self)(value, f"{self.path}.{key}" if self.path else key, self.problems)

    def obj(self, key: str) -> Self:
        """The object at `key`; an empty one when absent or (with a problem) not an object."""
        node = self.child(key)
        if node.value is None:
            node.value = {}
        elif not isinstance(node.value, dict):
            node.problem(f"expected an object, found {json_kind(node.value)}")
            node.value = {}
        return node

    def elements(self, key: str | None = None) -> list[Self]:
        """The elements of the array at `key` (of this node when None); none when absent or not an array."""
        node = self if key is None else self.child(key)
        if node.value is None:
            return []
        if not isinstance(node.value, list):
            node.problem(f"expected an array, found {json_kind(node.value)}")
            return []
        return [type(self)(item, f"{node.path}[{index}]", self.problems) for index, item in enumerate(node.value)]

    def objects(self, key: str) -> list[Self]:
        """The objects of the array at `key`; an element that is not an object is a problem."""
        found = []
        for element in self.elements(key):
            if isinstance(element.value, dict):
                found.append(element)
            else:
                element.problem(f"expected an object, found {json_kind(element.value)}")
        return found

    def text(self, key: str) -> str:
        """The string at `key` (stripped when `strip`); "" when absent or null."""
        node = self.child(key)
        if node.value is None:
            return ""
        if not isinstance(node.value, str):
            node.problem(f"expected a string, found {json_kind(node.value)}")
            return ""
        return node.value.strip() if self.strip else node.value

    def texts(self, key: str) -> tuple[str, ...]:
        """The strings of the array at `key`; when `strip`, stripped and without blank or null entries."""
        found = []
        for element in self.elements(key):
            value = element.value
            if value is None and self.strip:
                continue
            if not isinstance(value, str):
                element.problem(f"expected a string, found {json_kind(value)}")
            elif not self.strip:
                found.append(value)
            elif value.strip():
                found.append(value.strip())
        return tuple(found)

    def count(self, key: str) -> int | None:
        """A JSON integer >= 0 at `key`, or None when absent; both readers count enrolled participants with it."""
        node = self.child(key)
        value = node.value
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        node.problem(f"expected a whole number of participants, found {show(value)}")
        return None


def json_kind(value: Any) -> str:
    """The RFC 8259 type of a parsed value, with its article: "a JSON object", "null"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a JSON boolean"
    if isinstance(value, int | float):
        return "a JSON number"
    if isinstance(value, str):
        return "a JSON string"
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, dict):
        return "a JSON object"
    return f"a {type(value).__name__}, not a JSON value"


def show(value: Any) -> str:
    """A short display of an unexpected value."""
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:39] + "…"
