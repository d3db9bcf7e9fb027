"""A CDISC Dataset-JSON 1.1 dataset: top-level metadata, column definitions and rows.

Field names and meanings follow the CDISC Dataset-JSON v1.1 specification
(https://www.cdisc.org/standards/data-exchange/dataset-json) and its JSON Schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

DataType = Literal["string", "integer", "decimal", "float", "double", "boolean", "datetime", "date", "time", "URI"]
DATA_TYPES: tuple[str, ...] = (
    "string",
    "integer",
    "decimal",
    "float",
    "double",
    "boolean",
    "datetime",
    "date",
    "time",
    "URI",
)
#: dataTypes whose JSON values are strings: text, ISO 8601 dates/times (partial ones kept as given), URIs,
#: and decimals (written as strings so that no digit is lost, as the specification recommends).
STRING_VALUED = ("string", "date", "datetime", "time", "URI", "decimal")
VERSION = "1.1.0"


@dataclass(frozen=True)
class DatasetJsonColumn:
    """One column definition (`columns[]` in the specification)."""

    item_oid: str
    name: str
    label: str
    data_type: DataType
    target_data_type: Literal["integer", "decimal"] | None = None
    length: int | None = None
    display_format: str | None = None
    key_sequence: int | None = None


@dataclass
class DatasetJson:
    """A dataset and its metadata. `data` has one column per definition, named as it.

    Column dtypes: string-valued types -> object (str or None; ISO 8601 text kept as written),
    integer -> pandas "Int64", float/double -> float64 (NaN for null), boolean -> pandas
    "boolean", decimal -> object holding `decimal.Decimal` (or None).
    """

    name: str
    label: str
    item_group_oid: str
    columns: list[DatasetJsonColumn]
    data: pd.DataFrame
    created: str = ""
    version: str = VERSION
    file_oid: str | None = None
    db_last_modified: str | None = None
    originator: str | None = None
    source_system: tuple[str, str] | None = None
    study_oid: str | None = None
    metadata_version_oid: str | None = None
    metadata_ref: str | None = None
