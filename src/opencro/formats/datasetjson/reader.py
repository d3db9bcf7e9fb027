"""Read CDISC Dataset-JSON 1.1 files (and the NDJSON variant), validated before use.

JSON is parsed with the standard library only (no object hooks; NaN/Infinity literals, which JSON
does not allow, are refused). The document is checked against CDISC's JSON Schema, then against the
rules the schema cannot express (CDISC Dataset-JSON v1.1 specification): `records` equals the number
of rows, each row has one value per column, column names are unique, and each value suits its
column's dataType. Every problem is reported, located; nothing is returned on any problem.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from opencro.formats.datasetjson.model import DatasetJson, DatasetJsonColumn
from opencro.formats.datasetjson.schema import validate
from opencro.formats.datasetjson.values import from_json_values
from opencro.formats.errors import FormatError, Problem


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _loads(text: str, where: str) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except ValueError as error:
        raise FormatError(Problem(where, f"not valid JSON: {error}")) from None


def _text(source: str | os.PathLike[str] | TextIO) -> str:
    if isinstance(source, str | os.PathLike):
        return Path(source).read_text(encoding="utf-8-sig")
    return source.read()


def read_dataset_json(source: str | os.PathLike[str] | TextIO) -> DatasetJson:
    """Read a Dataset-JSON 1.1 document (UTF-8) from a path or text file; FormatError lists every problem."""
    return dataset_from_document(_loads(_text(source), "document"))


def read_dataset_ndjson(source: str | os.PathLike[str] | TextIO) -> DatasetJson:
    """Read the NDJSON variant: line 1 holds the metadata (no `rows`), each further line one row array."""
    # Only "\n" ends a line (NDJSON); str.splitlines would also split at U+2028, U+0085, ... inside JSON strings.
    lines = [line for line in _text(source).split("\n") if line.strip()]
    if not lines:
        raise FormatError(Problem("line 1", "empty file"))
    metadata = _loads(lines[0], "line 1")
    if not isinstance(metadata, dict):
        raise FormatError(Problem("line 1", "the first line must be the metadata object"))
    if "rows" in metadata:
        raise FormatError(Problem("line 1", "the metadata line must not hold rows in NDJSON"))
    metadata["rows"] = [_loads(line, f"line {number}") for number, line in enumerate(lines[1:], start=2)]
    return dataset_from_document(metadata)


def dataset_from_document(document: Any) -> DatasetJson:
    """Check a parsed Dataset-JSON document and turn it into a `DatasetJson`."""
    problems = validate(document)
    if problems:
        raise FormatError(problems)
    rows = document.get("rows", [])
    columns = [
        DatasetJsonColumn(
            item_oid=c["itemOID"],
            name=c["name"],
            label=c["label"],
            data_type=c["dataType"],
            target_data_type=c.get("targetDataType"),
            length=c.get("length"),
            display_format=c.get("displayFormat"),
            key_sequence=c.get("keySequence"),
        )
        for c in document["columns"]
    ]
    names = [c.name for c in columns]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem("/columns", f"column name {duplicate} appears more than once"))
    if document["records"] != len(rows):
        problems.append(Problem("/records", f"says {document['records']} but the file has {len(rows)} rows"))
    for index, row in enumerate(rows):
        if len(row) != len(columns):
            problems.append(Problem(f"/rows/{index}", f"has {len(row)} values for {len(columns)} columns"))
    if problems:
        raise FormatError(problems)
    series = {
        column.name: from_json_values(column, [row[i] for row in rows], f"column {column.name}", problems)
        for i, column in enumerate(columns)
    }
    if problems:
        raise FormatError(problems)
    source = document.get("sourceSystem")
    return DatasetJson(
        name=document["name"],
        label=document["label"],
        item_group_oid=document["itemGroupOID"],
        columns=columns,
        data=pd.DataFrame(series, index=pd.RangeIndex(len(rows))),
        created=document["datasetJSONCreationDateTime"],
        version=document["datasetJSONVersion"],
        file_oid=document.get("fileOID"),
        db_last_modified=document.get("dbLastModifiedDateTime"),
        originator=document.get("originator"),
        source_system=(source["name"], source["version"]) if source else None,
        study_oid=document.get("studyOID"),
        metadata_version_oid=document.get("metaDataVersionOID"),
        metadata_ref=document.get("metaDataRef"),
    )
