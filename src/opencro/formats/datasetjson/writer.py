"""Write CDISC Dataset-JSON 1.1 files (and the NDJSON variant), checked before anything is written.

Structure and value representation: CDISC Dataset-JSON v1.1 specification. The document built is
validated against CDISC's JSON Schema and the rules of `reader.dataset_from_document`; on any
problem FormatError lists them all and nothing is written. Output is UTF-8, deterministic for a
given dataset (its `created` datetime is written as given).
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from opencro.formats.datasetjson.model import DATA_TYPES, DatasetJson
from opencro.formats.datasetjson.schema import validate
from opencro.formats.datasetjson.values import to_json_values
from opencro.formats.errors import FormatError, Problem


def dataset_to_document(dataset: DatasetJson) -> dict[str, Any]:
    """Build the Dataset-JSON document of `dataset`; FormatError lists every located problem."""
    problems: list[Problem] = []
    names = [c.name for c in dataset.columns]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem(f"dataset {dataset.name}", f"column {duplicate} appears more than once"))
    for column in dataset.data.columns:
        if column not in names:
            problems.append(Problem(f"dataset {dataset.name}, column {column}", "has no column definition"))
    values: list[list[Any]] = []
    for column in dataset.columns:
        where = f"dataset {dataset.name}, column {column.name}"
        if column.data_type not in DATA_TYPES:
            problems.append(Problem(where, f"dataType {column.data_type!r} is not one of {', '.join(DATA_TYPES)}"))
            continue
        if column.name not in dataset.data.columns:
            problems.append(Problem(where, "has no data"))
            continue
        values.append(to_json_values(column, dataset.data[column.name].tolist(), where, problems))
    metadata: dict[str, Any] = {
        "datasetJSONCreationDateTime": dataset.created or datetime.now().replace(microsecond=0).isoformat(),
        "datasetJSONVersion": dataset.version,
    }
    optional = {
        "fileOID": dataset.file_oid,
        "dbLastModifiedDateTime": dataset.db_last_modified,
        "originator": dataset.originator,
        "sourceSystem": {"name": dataset.source_system[0], "version": dataset.source_system[1]}
        if dataset.source_system
        else None,
        "studyOID": dataset.study_oid,
        "metaDataVersionOID": dataset.metadata_version_oid,
        "metaDataRef": dataset.metadata_ref,
    }
    metadata.update({key: value for key, value in optional.items() if value is not None})
    metadata.update(
        {
            "itemGroupOID": dataset.item_group_oid,
            "records": len(dataset.data),
            "name": dataset.name,
            "label": dataset.label,
            "columns": [_column(c) for c in dataset.columns],
            "rows": [list(row) for row in zip(*values, strict=True)] if values else [],
        }
    )
    problems.extend(validate(metadata))
    if problems:
        raise FormatError(problems)
    return metadata


def _column(column: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "itemOID": column.item_oid,
        "name": column.name,
        "label": column.label,
        "dataType": column.data_type,
    }
    for key, value in (
        ("targetDataType", column.target_data_type),
        ("length", column.length),
        ("displayFormat", column.display_format),
        ("keySequence", column.key_sequence),
    ):
        if value is not None:
            out[key] = value
    return out


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def write_dataset_json(target: str | os.PathLike[str] | TextIO, dataset: DatasetJson) -> None:
    """Write `dataset` as one Dataset-JSON 1.1 document to a path (atomically) or a text file."""
    _emit(target, _dumps(dataset_to_document(dataset)))


def write_dataset_ndjson(target: str | os.PathLike[str] | TextIO, dataset: DatasetJson) -> None:
    """Write the NDJSON variant: the metadata object on line 1, then one row array per line."""
    document = dataset_to_document(dataset)
    rows = document.pop("rows")
    _emit(target, "\n".join([_dumps(document), *(_dumps(row) for row in rows)]) + "\n")


def _emit(target: str | os.PathLike[str] | TextIO, text: str) -> None:
    if isinstance(target, str | os.PathLike):
        path = Path(target)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    else:
        target.write(text)
