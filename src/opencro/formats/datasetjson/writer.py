"""Write CDISC Dataset-JSON 1.1 files (and the NDJSON variant), checked before anything is written.

Structure and value representation: CDISC Dataset-JSON v1.1 specification. The document built is
validated against CDISC's JSON Schema and the rules of `reader.dataset_from_document`; on any
problem FormatError lists them all and nothing is written. Output is UTF-8, deterministic for a
given dataset (its `created` datetime is written as given), and exactly the text `json.dumps` gives for
the document (compact separators, non-ASCII kept): the writers build it column by column, each distinct
value of a column formatted once (see `values.encode_column`), rather than from a list of row lists.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from opencro.formats.datasetjson.model import DATA_TYPES, DatasetJson
from opencro.formats.datasetjson.schema import array_blind, rows_item_schema, validate
from opencro.formats.datasetjson.values import EncodedColumn, encode_column
from opencro.formats.errors import FormatError, Problem


def dataset_to_document(dataset: DatasetJson) -> dict[str, Any]:
    """Build the Dataset-JSON document of `dataset`; FormatError lists every located problem."""
    metadata, encoded = _checked(dataset)
    metadata["rows"] = _rows(encoded)
    problems = validate(metadata)
    if problems:
        raise FormatError(problems)
    return metadata


def _rows(encoded: list[EncodedColumn]) -> list[list[Any]]:
    return [list(row) for row in zip(*(column.to_list() for column in encoded), strict=True)] if encoded else []


def _checked(dataset: DatasetJson) -> tuple[dict[str, Any], list[EncodedColumn]]:
    """The metadata (everything but `rows`) and each column's values; FormatError on any value problem."""
    problems: list[Problem] = []
    names = [c.name for c in dataset.columns]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem(f"dataset {dataset.name}", f"column {duplicate} appears more than once"))
    for column in dataset.data.columns:
        if column not in names:
            problems.append(Problem(f"dataset {dataset.name}, column {column}", "has no column definition"))
    encoded: list[EncodedColumn] = []
    for column in dataset.columns:
        where = f"dataset {dataset.name}, column {column.name}"
        if column.data_type not in DATA_TYPES:
            problems.append(Problem(where, f"dataType {column.data_type!r} is not one of {', '.join(DATA_TYPES)}"))
            continue
        if column.name not in dataset.data.columns:
            problems.append(Problem(where, "has no data"))
            continue
        encoded.append(encode_column(column, dataset.data[column.name], where, problems))
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
        }
    )
    if problems:
        # The schema's problems come after the values' ones, as when the whole document is validated.
        problems.extend(validate({**metadata, "rows": _rows(encoded)}))
        raise FormatError(problems)
    return metadata, encoded


def _validated(dataset: DatasetJson) -> tuple[str, list[EncodedColumn]]:
    """The metadata as JSON text (no `rows`) and each column's values, after every check of `dataset_to_document`.

    Every row is a JSON array of the same construction; when CDISC's schema gives every array the same verdict
    whatever it holds (`array_blind`, true of the shipped schema: a row is only required to be an array), the
    schema is checked on the document with its first row alone, which gives the same problems as all rows.
    Otherwise, or if that row had a problem, the whole document is checked.
    """
    metadata, encoded = _checked(dataset)
    n_rows = len(encoded[0]) if encoded else 0
    if array_blind(rows_item_schema()) and all(len(column) == n_rows for column in encoded):
        sample = [[column.first() for column in encoded]] if n_rows else []
        problems = validate({**metadata, "rows": sample})
        if any(problem.location.startswith("/rows/") for problem in problems):
            problems = validate({**metadata, "rows": _rows(encoded)})
    else:
        problems = validate({**metadata, "rows": _rows(encoded)})
    if problems:
        raise FormatError(problems)
    return _dumps(metadata), encoded


def _rows_text(encoded: list[EncodedColumn], row_end: str) -> str:
    """Every row as a compact JSON array followed by `row_end`, in row order.

    Each column's texts carry their own separators ("[" before the first value, "," after the others, "]" and
    `row_end` after the last), so one join of the cells, taken row by row, gives the rows.
    """
    if not encoded or not len(encoded[0]):
        return ""
    width = len(encoded)
    cells: list[str | None] = [None] * (width * len(encoded[0]))
    for index, column in enumerate(encoded):
        prefix = "[" if index == 0 else ""
        suffix = "]" + row_end if index == width - 1 else ","
        cells[index::width] = column.texts(prefix, suffix)
    return "".join(cells)  # type: ignore[arg-type]  # every cell is filled above


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
    metadata, encoded = _validated(dataset)
    # `rows` is the document's last member, so this is the text json.dumps gives for the whole document.
    _emit(target, f'{metadata[:-1]},"rows":[{_rows_text(encoded, ",")[:-1]}]}}')


def write_dataset_ndjson(target: str | os.PathLike[str] | TextIO, dataset: DatasetJson) -> None:
    """Write the NDJSON variant: the metadata object on line 1, then one row array per line."""
    metadata, encoded = _validated(dataset)
    _emit(target, f"{metadata}\n{_rows_text(encoded, chr(10))}")


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
