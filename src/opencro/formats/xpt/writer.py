"""Write SAS XPORT version 5 transport files, the format FDA requires for study data.

Layout: SAS Institute TS-140 "The record layout of a data set in SAS transport (XPORT) format".
Constraints: FDA Study Data Technical Conformance Guide, section 3.3 (XPORT v5; dataset and
variable names <= 8 characters, labels <= 40, character lengths <= 200 fitted to the longest
value, ASCII text). Every problem is collected and located first; nothing is written unless
there is none.

Columns are encoded whole with numpy: numerics as IBM doubles (`ibm.ieee_to_ibm`), character columns by
encoding and padding each distinct value once and gathering the rows from that table; the rows are laid
out chunk by chunk as they are written, then blanks to a whole 80-byte record. A character column holding
anything but text and blanks (or a value that does not fit), and a numeric column of Python objects, are
gone through value by value, so that each problem is reported with its row.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
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
        blocks, resolved = _member(dataset, encoding, fit_lengths, stamp, problems)
        parts.extend(blocks)
        written.append(resolved)
    if problems:
        raise FormatError(problems)
    _emit(target, parts)
    return written


def _emit(target: str | os.PathLike[str] | BinaryIO, parts: list[bytes | _Rows]) -> None:
    """Write the checked parts in order: to a temporary file renamed into place, or to the given file object."""
    payload = itertools.chain.from_iterable(part.chunks() if isinstance(part, _Rows) else (part,) for part in parts)
    if isinstance(target, str | os.PathLike):
        path = Path(target)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                for part in payload:
                    out.write(part)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    else:
        for part in payload:
            target.write(bytes(part))  # a copy: the caller's object may keep what it is given


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
) -> tuple[list[bytes | _Rows], XptDataset]:
    """Validate one dataset and return its member's bytes (headers, then rows) and the dataset as resolved."""
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
    fields: list[_Field] = []
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
        return [], out
    rows = _Rows(fields, n_rows, position)
    padded_size = -(-n_rows * position // records.RECORD) * records.RECORD
    if n_rows and padded_size - (n_rows - 1) * position < records.RECORD and (rows.row(n_rows - 1) == ord(" ")).all():
        # v5 stores no row count: a last row of blanks that fits in the final record's padding is lost (TS-140).
        problems.append(
            Problem(
                f"{where}, row {n_rows}",
                "every value is blank and the row is shorter than 80 bytes: XPORT v5 readers take it for padding",
            )
        )
    header = records.member_records(name, label, dataset.created or stamp, dataset.modified or stamp, len(namestrs))
    descriptors = header + records.pad_to_record(b"".join(namestrs)) + records.OBS_HEADER
    return [descriptors, rows], out


def _is_blank(value: object) -> bool:
    """A character value written as blanks: None, a float NaN or pd.NA."""
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


@dataclass(frozen=True)
class _Field:
    """One variable's bytes for every row: `table` (n, length) itself, or rows of it picked by `codes`."""

    table: np.ndarray
    codes: np.ndarray | None = None

    def place(self, target: np.ndarray, start: int, stop: int) -> None:
        """Copy the bytes of rows start..stop-1 into `target`, a field of row records (one opaque value per row)."""
        cells = np.ascontiguousarray(self.table).view(f"V{self.table.shape[1]}").reshape(-1)
        if self.codes is None:
            target[...] = cells[start:stop]
        else:
            np.take(cells, self.codes[start:stop], out=target, mode="wrap")  # code -1 (a blank): the last row


#: Bytes of rows laid out at a time: small enough to stay in the processor's cache, large enough for numpy.
CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class _Rows:
    """A member's rows packed end to end, then blank-padded to whole 80-byte records, produced chunk by chunk.

    Each chunk is built in one reused buffer viewed as records of one opaque field per variable (copying a
    column as a field is much faster than a strided copy of its bytes), so the rows are never all in memory.
    """

    fields: list[_Field]
    n_rows: int
    width: int

    def _layout(self) -> np.dtype:
        widths = [field.table.shape[1] for field in self.fields]
        return np.dtype(
            {
                "names": [f"v{index}" for index in range(len(widths))],
                "formats": [f"V{width}" for width in widths],
                "offsets": np.cumsum([0, *widths[:-1]]).tolist(),
                "itemsize": self.width,
            }
        )

    def _fill(self, buffer: np.ndarray, start: int, stop: int, layout: np.dtype) -> np.ndarray:
        view = buffer[: (stop - start) * self.width].view(layout)
        for index, field in enumerate(self.fields):
            field.place(view[f"v{index}"], start, stop)
        return buffer[: (stop - start) * self.width]

    def row(self, index: int) -> np.ndarray:
        """The bytes of one row."""
        return self._fill(np.empty(self.width, dtype=np.uint8), index, index + 1, self._layout())

    def chunks(self) -> Iterator[memoryview]:
        """The rows' bytes in order, then the blanks to the end of the last record. A chunk is only valid until
        the next one is asked for (the buffer is reused): write it at once."""
        layout = self._layout()
        step = max(1, CHUNK_BYTES // self.width)
        buffer = np.empty(min(step, self.n_rows) * self.width, dtype=np.uint8)
        for start in range(0, self.n_rows, step):
            yield memoryview(self._fill(buffer, start, min(start + step, self.n_rows), layout))
        remainder = self.n_rows * self.width % records.RECORD
        if remainder:
            yield memoryview(b" " * (records.RECORD - remainder))


def _char_field(
    column: pd.Series, var: XptVariable, fit: bool, encoding: str, located: str, problems: list[Problem]
) -> tuple[_Field | None, int]:
    """Encode a character column to an (n, length) byte array, blank-padded; check values fit.

    The common case (text and blanks only, every value encodable and short enough) is handled a column at a
    time: each distinct value is encoded and padded once, and the rows are later gathered from that table. Any
    other column goes value by value, so that each problem is reported with its row.
    """
    distinct = _distinct_texts(column)
    if distinct is not None:
        codes, texts = distinct
        try:
            encoded = [text.encode(encoding) for text in texts]
        except UnicodeEncodeError:
            encoded = None
        if encoded is not None:
            longest = max(map(len, encoded))
            length = max(longest, 1) if fit or var.length is None else var.length
            if 1 <= length <= MAX_CHAR_LENGTH and longest <= length:
                table = np.frombuffer(b"".join(raw.ljust(length) for raw in encoded), dtype=np.uint8)
                return _Field(table.reshape(len(encoded), length), codes), length
    return _char_field_by_row(column, var, fit, encoding, located, problems)


def _distinct_texts(column: pd.Series) -> tuple[np.ndarray, list[str]] | None:
    """(row codes, distinct texts) with "" (a blank) last, or None when some value is neither text nor a blank."""
    if isinstance(column.dtype, pd.StringDtype):
        codes, uniques = pd.factorize(column, use_na_sentinel=True)  # every value is text or missing
    else:
        values = column.to_numpy(dtype=object)
        blank = pd.isna(values)
        if blank.any() and not all(_is_blank(value) for value in values[blank].tolist()):
            return None  # e.g. NaT or a float32 NaN: not text, reported by the row-by-row pass
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind != "string" and not (kind == "empty" and blank.all()):
            return None
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    # Missing values have code -1: the blank appended last.
    return codes, [*np.asarray(uniques, dtype=object).tolist(), ""]


def _char_field_by_row(
    column: pd.Series, var: XptVariable, fit: bool, encoding: str, located: str, problems: list[Problem]
) -> tuple[_Field | None, int]:
    """The value-by-value pass: every unencodable, non-text or too long value is reported with its row."""
    encoded: list[bytes] = []
    bad = False
    for row, value in enumerate(column.tolist(), start=1):
        if _is_blank(value):
            encoded.append(b"")
            continue
        if not isinstance(value, str):
            problems.append(Problem(f"{located}, row {row}", f"value {value!r} is not text (variable is character)"))
            bad = True
            encoded.append(b"")  # keeps the following rows numbered right
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
            encoded.append(b"")
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
    return _Field(array.view(np.uint8).reshape(len(encoded), length)), length


def _num_field(
    column: pd.Series, var: XptVariable, special: dict[int, str], located: str, problems: list[Problem]
) -> tuple[_Field | None, int]:
    """Encode a numeric column to an (n, 8) array of IBM doubles, with its special missing values."""
    if var.length not in (None, NUM_LENGTH):
        problems.append(Problem(located, f"numeric length must be {NUM_LENGTH}, not {var.length}"))
        return None, NUM_LENGTH
    values = np.full(len(column), np.nan, dtype=np.float64)
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
    return _Field(field), NUM_LENGTH
