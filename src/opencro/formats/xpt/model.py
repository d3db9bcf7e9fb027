"""What a SAS XPORT v5 file holds: datasets (members) of typed, labelled variables and their rows.

Field limits follow SAS Institute TS-140 (names 8 bytes, labels 40 bytes, character lengths up to
200 in version 5, at most 9999 variables as the NAMESTR header counts them in four digits) and the
FDA Study Data Technical Conformance Guide (section 3.3: XPORT v5, names <= 8 and labels <= 40
characters, ASCII text, no unused padding in character lengths).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import pandas as pd

VarType = Literal["char", "num"]

MAX_NAME = 8
MAX_LABEL = 40
MAX_CHAR_LENGTH = 200
NUM_LENGTH = 8
MAX_VARIABLES = 9999

#: A SAS name: a letter or underscore, then letters, digits or underscores (TS-140 holds 8 bytes).
SAS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: A SAS format or informat as written in code: optional name (may start with "$", never ends in a digit),
#: optional width, a period, optional decimals, e.g. "DATE9.", "8.2", "$CHAR20.", "E8601DA10.".
FORMAT_SPEC = re.compile(r"(?P<name>\$?(?:[A-Za-z_](?:[A-Za-z0-9_]*[A-Za-z_])?)?)(?P<width>\d*)\.(?P<decimals>\d*)")


@dataclass(frozen=True)
class XptVariable:
    """One variable of a dataset: a NAMESTR record of TS-140.

    `length` is the byte width of the field: 1-200 for character variables, 8 for numerics
    (files from other writers may hold 2-8). A character variable with `length=None` gets the
    length of its longest value (at least 1) when written. `format` and `informat` are SAS
    format specifications such as "DATE9." or "8.2"; None when absent.
    """

    name: str
    type: VarType
    label: str = ""
    length: int | None = None
    format: str | None = None
    informat: str | None = None


@dataclass
class XptDataset:
    """One member of a transport file: its name, label, variables in order and rows.

    `data` holds one column per variable, named as the variable: str (or None) for character
    variables, float for numerics with NaN for missing. `special_missing` keeps SAS special
    missing values of numeric variables: variable name -> {row position: code}, code "A"-"Z"
    or "_" (the row's value in `data` is NaN). `created`/`modified` are written as the
    member's header datetimes (naive, as SAS writes local time without a zone).
    """

    name: str
    variables: list[XptVariable]
    data: pd.DataFrame
    label: str = ""
    created: datetime | None = None
    modified: datetime | None = None
    special_missing: dict[str, dict[int, str]] = field(default_factory=dict)

    def variable(self, name: str) -> XptVariable:
        """Return the variable called `name` (exact spelling); KeyError when absent."""
        for var in self.variables:
            if var.name == name:
                return var
        raise KeyError(name)


def split_format(spec: str | None) -> tuple[str, int, int]:
    """Split a format specification into (name, width, decimals) as NAMESTR stores them; ValueError if malformed."""
    if not spec:
        return "", 0, 0
    match = FORMAT_SPEC.fullmatch(spec.strip())
    if match is None:
        raise ValueError(f"not a SAS format specification (e.g. DATE9. or 8.2): {spec!r}")
    return (
        match["name"].upper(),
        int(match["width"]) if match["width"] else 0,
        int(match["decimals"]) if match["decimals"] else 0,
    )


def join_format(name: str, width: int, decimals: int) -> str | None:
    """Rebuild a format specification from NAMESTR fields; None when the variable has none."""
    name = name.strip()
    if not name and not width and not decimals:
        return None
    return f"{name}{width or ''}.{decimals or ''}"
