"""`At`: a JSON value and its path, read with typed accessors that record located problems instead of failing.

The reader walks a study with it so that one `FormatError` can list every problem by its JSON path
(``protocolSection.designModule.phases[1]``). Dates are read as ClinicalTrials.gov API v2 writes them
("2024-03-15", or "2024-03" for a month).
"""

import datetime
import re
from enum import StrEnum
from typing import Any

from opencro.formats.ctgov.registration.enums import DateType
from opencro.formats.ctgov.registration.model import DAY, MONTH, StudyDate
from opencro.formats.errors import Problem

_PARTIAL_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


class At:
    """A JSON value and its path; typed reads that record a located problem instead of failing."""

    __slots__ = ("path", "problems", "value")

    def __init__(self, value: Any, path: str, problems: list[Problem]) -> None:
        self.value = value
        self.path = path
        self.problems = problems

    def problem(self, message: str) -> None:
        self.problems.append(Problem(self.path or "top level", message))

    def child(self, key: str) -> "At":
        value = self.value.get(key) if isinstance(self.value, dict) else None
        return At(value, f"{self.path}.{key}" if self.path else key, self.problems)

    def obj(self, key: str) -> "At":
        node = self.child(key)
        if node.value is None:
            node.value = {}
        elif not isinstance(node.value, dict):
            node.problem(f"expected an object, found {_kind(node.value)}")
            node.value = {}
        return node

    def _elements(self, key: str) -> list["At"]:
        node = self.child(key)
        if node.value is None:
            return []
        if not isinstance(node.value, list):
            node.problem(f"expected an array, found {_kind(node.value)}")
            return []
        return [At(item, f"{node.path}[{index}]", self.problems) for index, item in enumerate(node.value)]

    def objects(self, key: str) -> list["At"]:
        found = []
        for element in self._elements(key):
            if isinstance(element.value, dict):
                found.append(element)
            else:
                element.problem(f"expected an object, found {_kind(element.value)}")
        return found

    def text(self, key: str) -> str:
        """The string at `key` as published (not stripped: the round trip keeps it); "" when absent."""
        node = self.child(key)
        if node.value is None:
            return ""
        if not isinstance(node.value, str):
            node.problem(f"expected a string, found {_kind(node.value)}")
            return ""
        return node.value

    def texts(self, key: str) -> tuple[str, ...]:
        found = []
        for element in self._elements(key):
            if isinstance(element.value, str):
                found.append(element.value)
            else:
                element.problem(f"expected a string, found {_kind(element.value)}")
        return tuple(found)

    def enum[E: StrEnum](self, key: str, enum: type[E]) -> E | None:
        node = self.child(key)
        return _enum_value(node, enum) if node.value is not None else None

    def enums[E: StrEnum](self, key: str, enum: type[E]) -> tuple[E, ...]:
        return tuple(value for element in self._elements(key) if (value := _enum_value(element, enum)) is not None)

    def flag(self, key: str) -> bool | None:
        node = self.child(key)
        if node.value is None or isinstance(node.value, bool):
            return node.value
        node.problem(f"expected true or false, found {_kind(node.value)}")
        return None

    def count(self, key: str) -> int | None:
        node = self.child(key)
        value = node.value
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        node.problem(f"expected a whole number >= 0, found {_kind(value)} {value!r}"[:120])
        return None

    def date(self, key: str, type_: DateType | None = None) -> StudyDate | None:
        node = self.child(key)
        text = self.text(key)
        if not text:
            return None
        match = _PARTIAL_DATE.fullmatch(text)
        try:
            if not match:
                raise ValueError(text)
            year, month, day = int(match.group(1)), int(match.group(2)), match.group(3)
            return StudyDate(datetime.date(year, month, int(day or 1)), type_, DAY if day else MONTH)
        except ValueError:
            node.problem(f"not a date as ClinicalTrials.gov writes it (2024-03-15 or 2024-03): {text!r}")
            return None

    def date_struct(self, key: str) -> StudyDate | None:
        struct = self.obj(key)
        return struct.date("date", struct.enum("type", DateType))


def _enum_value[E: StrEnum](node: At, enum: type[E]) -> E | None:
    if isinstance(node.value, str):
        try:
            return enum(node.value)
        except ValueError:
            node.problem(f"{node.value!r} is not a ClinicalTrials.gov {enum.__name__} ({', '.join(enum)})")
            return None
    node.problem(f"expected a string, found {_kind(node.value)}")
    return None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"
