"""Write SAS XPORT version 5 transport files, the format FDA requires for study data.

Layout: SAS Institute TS-140 "The record layout of a data set in SAS transport (XPORT) format".
Constraints: FDA Study Data Technical Conformance Guide, section 3.3 (XPORT v5; dataset and
variable names <= 8 characters, labels <= 40, character lengths <= 200 fitted to the longest
value, ASCII text). Every problem is collected and located first; nothing is written unless
there is none.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from opencro.formats.errors import FormatError, Problem
from opencro.formats.xpt import records
from opencro.formats.xpt.ibm import SPECIAL_MISSING_CODES, ieee_to_ibm, missing_bytes, out_of_range
from opencro.formats.xpt.model import (
    MAX_CHAR_LENGTH,
    MAX_LABEL,
    MAX_NAME,
    MAX_VARIABLES,
    NUM_LENGTH,
    SAS_NAME,
    XptDataset,
    XptVariable,
    split_format,
)

#: Encodings a v5 file may carry: it has no encoding marker, so readers assume ASCII (FDA) or latin-1.
ENCODINGS = ("ascii", "latin-1")


def write_xpt(
    target: str | os.PathLike[str] | BinaryIO,
    datasets: list[XptDataset],
    *,
    encoding: str = "ascii",
    fit_lengths: bool = False,
    created: datetime | None = None,
) -> list[XptDataset]:
    """Write `datasets` as one XPORT v5 file to a path or a binary file object.

    `encoding` is "ascii" (FDA's expectation) or "latin-1". With `fit_lengths`, each character
    variable's length becomes its longest encoded value (at least 1), as FDA asks; a character
    variable whose length is None is always fitted. `created` dates the library header (and each
    member that has no `created`/`modified` of its own); give it for byte-identical output, else
    the current time is used. Returns the datasets as written (lengths resolved). Raises
    FormatError listing every located problem; then nothing is written (a path is not created,
    a file object receives no bytes).

    FDA's Technical Conformance Guide expects one dataset per file, named as the dataset; several
    members in one file are written as TS-140 allows, for other uses.
    """
    problems: list[Problem] = []
    if encoding not in ENCODINGS:
        raise FormatError(f"encoding must be one of {', '.join(ENCODINGS)} (XPORT v5 carries none): {encoding!r}")
    if not datasets:
        raise FormatError("no dataset to write")
    stamp = created or datetime.now().replace(microsecond=0)
    parts = [records.library_records(stamp, stamp)]
    written: list[XptDataset] = []
    seen: set[str] = set()
    for dataset in datasets:
        if dataset.name.upper() in seen:
            problems.append(Problem(f"dataset {dataset.name}", "appears twice in the file"))
        seen.add(dataset.name.upper())
        block, resolved = _member(dataset, encoding, fit_lengths, stamp, problems)
        parts.append(block)
        written.append(resolved)
    if problems:
        raise FormatError(problems)
    _emit(target, b"".join(parts))
    return written


def _emit(target: str | os.PathLike[str] | BinaryIO, payload: bytes) -> None:
    """Write the finished bytes: to a temporary file renamed into place, or to the given file object."""
    if isinstance(target, str | os.PathLike):
        path = Path(target)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(payload)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    else:
        target.write(payload)


def _text(value: str, width: int, where: str, what: str, encoding: str, problems: list[Problem]) -> bytes:
    """Encode a header text (name, label), checking it fits `width` bytes in `encoding`."""
    try:
        raw = value.encode(encoding)
    except UnicodeEncodeError as error:
        problems.append(Problem(where, f"{what} {value!r} has a character not in {encoding}: {value[error.start]!r}"))
        return b""
    if len(raw) > width:
        problems.append(Problem(where, f"{what} {value!r} is {len(raw)} bytes long; XPORT v5 allows {width}"))
        return b""
    return raw


def _member(
    dataset: XptDataset, encoding: str, fit_lengths: bool, stamp: datetime, problems: list[Problem]
) -> tuple[bytes, XptDataset]:
    """Validate one dataset and return its member bytes and the dataset with resolved variables."""
    where = f"dataset {dataset.name}"
    if not SAS_NAME.fullmatch(dataset.name) or len(dataset.name) > MAX_NAME or dataset.name != dataset.name.upper():
        problems.append(
            Problem(
                where, f"dataset name must be 1-{MAX_NAME} upper-case letters, digits or '_', not starting with a digit"
            )
        )
    name = _text(dataset.name, MAX_NAME, where, "name", encoding, problems)
    label = _text(dataset.label, MAX_LABEL, where, "label", encoding, problems)
    if not dataset.variables:
        problems.append(Problem(where, "has no variables"))
    if len(dataset.variables) > MAX_VARIABLES:
        problems.append(Problem(where, f"has {len(dataset.variables)} variables; XPORT v5 allows {MAX_VARIABLES}"))
    names = [var.name for var in dataset.variables]
    upper = [n.upper() for n in names]
    for duplicate in sorted({n for n in upper if upper.count(n) > 1}):
        problems.append(Problem(where, f"variable {duplicate} appears more than once"))
    for column in dataset.data.columns:
        if column not in names:
            problems.append(Problem(f"{where}, column {column}", "is not one of the dataset's variables"))
    for key in dataset.special_missing:
        if key not in names:
            problems.append(Problem(f"{where}, variable {key}", "has special missing values but is not a variable"))

    n_rows = len(dataset.data)
    namestrs: list[bytes] = []
    fields: list[np.ndarray] = []
    resolved: list[XptVariable] = []
    position = 0
    for number, var in enumerate(dataset.variables, start=1):
        located = f"{where}, variable {var.name}"
        if var.name not in dataset.data.columns:
            problems.append(Problem(located, "has no column in the data"))
            continue
        if not SAS_NAME.fullmatch(var.name) or len(var.name) > MAX_NAME:
            problems.append(
                Problem(
                    located, f"variable name must be 1-{MAX_NAME} letters, digits or '_', not starting with a digit"
                )
            )
        var_name = _text(var.name, MAX_NAME, located, "name", encoding, problems)
        var_label = _text(var.label, MAX_LABEL, located, "label", encoding, problems)
        formats = []
        for what, spec in (("format", var.format), ("informat", var.informat)):
            try:
                fmt_name, width, decimals = split_format(spec)
            except ValueError as error:
                problems.append(Problem(located, str(error)))
                fmt_name, width, decimals = "", 0, 0
            if len(fmt_name) > MAX_NAME:
                problems.append(Problem(located, f"{what} name {fmt_name!r} is longer than {MAX_NAME} characters"))
                fmt_name = ""
            formats.append((fmt_name.encode("ascii"), width, decimals))
        column = dataset.data[var.name]
        if var.type == "char":
            field, length = _char_field(column, var, fit_lengths, encoding, located, problems)
        elif var.type == "num":
            field, length = _num_field(column, var, dataset.special_missing.get(var.name, {}), located, problems)
        else:
            problems.append(Problem(located, f"type must be 'char' or 'num', not {var.type!r}"))
            continue
        if field is None:
            continue
        resolved.append(replace(var, length=length))
        fields.append(field)
        (fmt, fmt_w, fmt_d), (inf, inf_w, inf_d) = formats
        namestrs.append(
            records.Namestr(
                is_numeric=var.type == "num",
                length=length,
                number=number,
                name=var_name,
                label=var_label,
                format_name=fmt,
                format_width=fmt_w,
                format_decimals=fmt_d,
                informat_name=inf,
                informat_width=inf_w,
                informat_decimals=inf_d,
                position=position,
            ).pack()
        )
        position += length
    out = replace(dataset, variables=resolved)
    if len(fields) != len(dataset.variables) or problems:
        return b"", out
    rows = np.concatenate(fields, axis=1) if n_rows else np.zeros((0, position), dtype=np.uint8)
    observations = rows.tobytes()
    padded_size = len(records.pad_to_record(observations))
    if n_rows and padded_size - (n_rows - 1) * position < records.RECORD and (rows[-1] == ord(" ")).all():
        # v5 stores no row count: a last row of blanks that fits in the final record's padding is lost (TS-140).
        problems.append(
            Problem(
                f"{where}, row {n_rows}",
                "every value is blank and the row is shorter than 80 bytes: XPORT v5 readers take it for padding",
            )
        )
    header = records.member_records(name, label, dataset.created or stamp, dataset.modified or stamp, len(namestrs))
    return header + records.pad_to_record(b"".join(namestrs)) + records.OBS_HEADER + records.pad_to_record(
        observations
    ), out


def _char_field(
    column: pd.Series, var: XptVariable, fit: bool, encoding: str, located: str, problems: list[Problem]
) -> tuple[np.ndarray | None, int]:
    """Encode a character column to an (n, length) byte array, blank-padded; check values fit."""
    encoded: list[bytes] = []
    bad = False
    for row, value in enumerate(column.tolist(), start=1):
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            encoded.append(b"")
            continue
        if not isinstance(value, str):
            problems.append(Problem(f"{located}, row {row}", f"value {value!r} is not text (variable is character)"))
            bad = True
            continue
        try:
            encoded.append(value.encode(encoding))
        except UnicodeEncodeError as error:
            problems.append(
                Problem(
                    f"{located}, row {row}",
                    f"character {value[error.start]!r} cannot be written in {encoding} "
                    "(XPORT v5 has no encoding marker; FDA expects ASCII)",
                )
            )
            bad = True
    longest = max((len(raw) for raw in encoded), default=0)
    length = max(longest, 1) if fit or var.length is None else var.length
    if not 1 <= length <= MAX_CHAR_LENGTH:
        problems.append(Problem(located, f"character length {length} is outside 1-{MAX_CHAR_LENGTH} (XPORT v5)"))
        return None, length
    for row, raw in enumerate(encoded, start=1):
        if len(raw) > length:
            problems.append(
                Problem(f"{located}, row {row}", f"value is {len(raw)} bytes long; the variable's length is {length}")
            )
            bad = True
    if bad:
        return None, length
    array = np.array([raw.ljust(length) for raw in encoded], dtype=f"S{length}")
    return array.view(np.uint8).reshape(len(encoded), length), length


def _num_field(
    column: pd.Series, var: XptVariable, special: dict[int, str], located: str, problems: list[Problem]
) -> tuple[np.ndarray | None, int]:
    """Encode a numeric column to an (n, 8) array of IBM doubles, with its special missing values."""
    if var.length not in (None, NUM_LENGTH):
        problems.append(Problem(located, f"numeric length must be {NUM_LENGTH}, not {var.length}"))
        return None, NUM_LENGTH
    values = np.empty(len(column), dtype=np.float64)
    bad = False
    if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_numeric_dtype(column.dtype):
        values[:] = column.astype("float64").to_numpy(na_value=np.nan)
    else:
        for row, value in enumerate(column.tolist()):
            if value is None or value is pd.NA:
                values[row] = np.nan
            elif isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
                values[row] = float(value)
            else:
                problems.append(Problem(f"{located}, row {row + 1}", f"value {value!r} is not a number"))
                bad = True
    for row in np.flatnonzero(out_of_range(values)).tolist():
        problems.append(
            Problem(
                f"{located}, row {row + 1}",
                f"value {float(values[row])!r} is outside what an IBM 370 double holds (magnitudes 5.4e-79 to 7.2e75)",
            )
        )
        bad = True
    for row, code in special.items():
        if not isinstance(row, int | np.integer) or not 0 <= row < len(values):
            problems.append(Problem(located, f"special missing value at row position {row!r}, outside the data"))
            bad = True
        elif code not in SPECIAL_MISSING_CODES:
            problems.append(
                Problem(f"{located}, row {row + 1}", f"special missing code must be A-Z or _, not {code!r}")
            )
            bad = True
        elif not np.isnan(values[row]):
            problems.append(
                Problem(f"{located}, row {row + 1}", f"has special missing .{code} but a value {float(values[row])!r}")
            )
            bad = True
    if bad:
        return None, NUM_LENGTH
    field = ieee_to_ibm(values)
    for row, code in special.items():
        field[row] = np.frombuffer(missing_bytes(code), dtype=np.uint8)
    return field, NUM_LENGTH
