"""`At`: the `JsonNode` the registration reader walks a study with, strings kept as published.

Besides the shared reads (objects, arrays, strings, counts) it reads enumeration names, booleans and dates as
ClinicalTrials.gov API v2 writes them ("2024-03-15", or "2024-03" for a month), each malformed value a problem
located by its JSON path (``protocolSection.designModule.phases[1]``). Counts are JSON integers only: API v2
writes ``enrollmentInfo.count`` as a number, so "300" is a problem here (unlike the classic API's strings).
"""

import datetime
import re
from enum import StrEnum

from opencro.formats.ctgov.json_node import JsonNode, json_kind
from opencro.formats.ctgov.registration.enums import DateType
from opencro.formats.ctgov.registration.model import DAY, MONTH, StudyDate

_PARTIAL_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


class At(JsonNode):
    """A node of a registration: strings kept as published, plus enumeration, boolean and date reads."""

    __slots__ = ()

    def enum[E: StrEnum](self, key: str, enum: type[E]) -> E | None:
        node = self.child(key)
        return _enum_value(node, enum) if node.value is not None else None

    def enums[E: StrEnum](self, key: str, enum: type[E]) -> tuple[E, ...]:
        return tuple(value for element in self.elements(key) if (value := _enum_value(element, enum)) is not None)

    def flag(self, key: str) -> bool | None:
        node = self.child(key)
        if node.value is None or isinstance(node.value, bool):
            return node.value
        node.problem(f"expected true or false, found {json_kind(node.value)}")
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
    node.problem(f"expected a string, found {json_kind(node.value)}")
    return None
