"""Read SAS XPORT version 5 transport files (SAS Institute TS-140).

The whole file is read into memory (FDA caps a dataset file at 5 GB; study datasets are far
smaller in practice). Version 8/9 files ("LIBV8") and PROC CPORT files are refused with a message
saying so. Character values lose their trailing blanks (and NULs), as SAS does; numerics become
float64 with NaN for missing, special missing codes kept in `XptDataset.special_missing`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from opencro.formats.errors import FormatError, Problem
from opencro.formats.xpt import records
from opencro.formats.xpt.ibm import ibm_to_ieee
from opencro.formats.xpt.model import XptDataset, XptVariable, join_format


def read_xpt(source: str | os.PathLike[str] | BinaryIO, *, encoding: str = "ascii") -> list[XptDataset]:
    """Read every member of an XPORT v5 file; `encoding` decodes names, labels and character values.

    Raises FormatError, located by byte offset, member and variable, when the file is not v5 XPORT,
    is truncated, or holds text not in `encoding` (give "latin-1" or "utf-8" for such files).
    """
    raw = Path(source).read_bytes() if isinstance(source, str | os.PathLike) else source.read()
    if raw.startswith(b"**COMPRESSED**"):
        raise FormatError(Problem("byte 0", "a PROC CPORT file, not an XPORT transport file"))
    if raw[:80] != records.LIBRARY_HEADER:
        if raw.startswith(b"HEADER RECORD*******LIBV8"):
            raise FormatError(Problem("byte 0", "an XPORT version 8/9 file; only version 5 is read"))
        raise FormatError(Problem("byte 0", "not a SAS XPORT v5 file (no library header record)"))
    datasets: list[XptDataset] = []
    offset = 3 * records.RECORD
    while offset < len(raw):
        if raw[offset : offset + records.RECORD].strip(b" ") == b"":
            break  # blank padding after the last member
        dataset, offset = _member(raw, offset, encoding)
        datasets.append(dataset)
    if not datasets:
        raise FormatError(Problem(f"byte {offset}", "the file holds no dataset"))
    return datasets


def _decode(value: bytes, where: str, encoding: str) -> str:
    try:
        return value.rstrip(b" \x00").decode(encoding)
    except UnicodeDecodeError as error:
        raise FormatError(
            Problem(where, f"byte {value[error.start]:#04x} is not {encoding}; read with another encoding")
        ) from None


def _member(raw: bytes, offset: int, encoding: str) -> tuple[XptDataset, int]:
    """Parse one member starting at `offset`; return it and the offset after its data."""
    header = raw[offset : offset + records.RECORD]
    if not header.startswith(records.MEMBER_HEADER_PREFIX):
        raise FormatError(Problem(f"byte {offset}", "expected a MEMBER header record"))
    try:
        namestr_length = int(header[74:78])
    except ValueError:
        raise FormatError(Problem(f"byte {offset}", "member header has no NAMESTR length")) from None
    if namestr_length not in (136, 140):
        raise FormatError(Problem(f"byte {offset}", f"NAMESTR length {namestr_length}, expected 140 (or 136)"))
    first = raw[offset + 160 : offset + 240]
    second = raw[offset + 240 : offset + 320]
    name = _decode(first[8:16], f"byte {offset + 168}", encoding)
    where = f"dataset {name}"
    label = _decode(second[32:72], where, encoding)
    created = records.parse_datetime(first[64:80])
    modified = records.parse_datetime(second[0:16])
    namestr_header = raw[offset + 320 : offset + 400]
    if not namestr_header.startswith(records.NAMESTR_HEADER_PREFIX):
        raise FormatError(Problem(f"{where}, byte {offset + 320}", "expected a NAMESTR header record"))
    try:
        n_variables = int(namestr_header[54:58])
    except ValueError:
        raise FormatError(Problem(f"{where}, byte {offset + 320}", "NAMESTR header has no variable count")) from None
    start = offset + 400
    block_length = n_variables * namestr_length
    block = raw[start : start + block_length]
    if len(block) < block_length:
        raise FormatError(Problem(where, "file ends inside the variable descriptions (NAMESTR records)"))
    variables: list[XptVariable] = []
    positions: list[int] = []
    for index in range(n_variables):
        chunk = block[index * namestr_length : (index + 1) * namestr_length].ljust(records.NAMESTR_LENGTH, b"\0")
        namestr = records.Namestr.unpack(chunk)
        var_name = _decode(namestr.name, f"{where}, variable {index + 1}", encoding)
        located = f"{where}, variable {var_name}"
        limit = 8 if namestr.is_numeric else 32767
        if not 1 <= namestr.length <= limit or (namestr.is_numeric and namestr.length < 2):
            raise FormatError(Problem(located, f"length {namestr.length} is not valid"))
        variables.append(
            XptVariable(
                name=var_name,
                type="num" if namestr.is_numeric else "char",
                label=_decode(namestr.label, located, encoding),
                length=namestr.length,
                format=join_format(
                    _decode(namestr.format_name, located, encoding), namestr.format_width, namestr.format_decimals
                ),
                informat=join_format(
                    _decode(namestr.informat_name, located, encoding),
                    namestr.informat_width,
                    namestr.informat_decimals,
                ),
            )
        )
        positions.append(namestr.position)
    obs_at = start + len(records.pad_to_record(block))
    if raw[obs_at : obs_at + records.RECORD] != records.OBS_HEADER:
        raise FormatError(Problem(f"{where}, byte {obs_at}", "expected the OBS header record"))
    data_start = obs_at + records.RECORD
    data_end = _next_member(raw, data_start)
    row_length = sum(var.length or 0 for var in variables)
    for var, position in zip(variables, positions, strict=True):
        if position < 0 or position + (var.length or 0) > row_length:
            raise FormatError(Problem(f"{where}, variable {var.name}", "position lies outside the row"))
    data = raw[data_start:data_end]
    n_rows = _row_count(data, row_length)
    rows = np.frombuffer(data, dtype=np.uint8, count=n_rows * row_length).reshape(n_rows, row_length)
    columns: dict[str, object] = {}
    special: dict[str, dict[int, str]] = {}
    for var, position in zip(variables, positions, strict=True):
        cells = rows[:, position : position + (var.length or 0)]
        if var.type == "num":
            values, codes = ibm_to_ieee(cells)
            columns[var.name] = values
            found = {int(row): str(codes[row]) for row in np.flatnonzero(codes != None) if codes[row]}  # noqa: E711
            if found:
                special[var.name] = found
        else:
            strings = np.ascontiguousarray(cells).view(f"S{var.length}").reshape(-1)
            columns[var.name] = [
                _decode(value, f"{where}, variable {var.name}, row {row + 1}", encoding)
                for row, value in enumerate(strings.tolist())
            ]
    frame = pd.DataFrame({var.name: columns[var.name] for var in variables}, index=pd.RangeIndex(n_rows))
    for var in variables:
        if var.type == "char":
            frame[var.name] = frame[var.name].astype(object)
    return (
        XptDataset(
            name=name,
            label=label,
            variables=variables,
            data=frame,
            created=created,
            modified=modified,
            special_missing=special,
        ),
        data_end,
    )


def _next_member(raw: bytes, start: int) -> int:
    """Offset of the next MEMBER header on a record boundary after `start`, or the end of the file."""
    at = raw.find(records.MEMBER_HEADER_PREFIX, start)
    while at != -1 and (at - start) % records.RECORD:
        at = raw.find(records.MEMBER_HEADER_PREFIX, at + 1)
    return len(raw) if at == -1 else at


def _row_count(data: bytes, row_length: int) -> int:
    """Rows in a data section: whole rows, less trailing all-blank rows that fit in the last record's padding.

    Version 5 stores no row count (TS-140); the section is blank-padded to a multiple of 80 bytes.
    """
    if row_length == 0:
        return 0
    count = len(data) // row_length
    while count > 0 and len(data) - (count - 1) * row_length < records.RECORD:
        last = data[(count - 1) * row_length : count * row_length]
        if last.strip(b" "):
            break
        count -= 1
    return count
