"""Reading the analysis datasets a specification names from a folder: SAS XPORT (.xpt) or Dataset-JSON."""

import os
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pandas as pd

from opencro.analysis.tfl.errors import DataError

SUFFIXES = (".xpt", ".json", ".ndjson")


def find_dataset(folder: str | os.PathLike[str], name: str) -> Path:
    """The file of dataset `name` (any case) in `folder`: name.xpt, name.json or name.ndjson."""
    base = Path(folder)
    if not base.is_dir():
        raise DataError(str(base), "data folder not found")
    wanted = name.lower()
    for entry in sorted(base.iterdir()):
        if entry.is_file() and entry.suffix.lower() in SUFFIXES and entry.stem.lower() == wanted:
            return entry
    raise DataError(name.upper(), f"no {wanted}.xpt, {wanted}.json or {wanted}.ndjson in {base}")


def read_dataset(path: str | os.PathLike[str]) -> pd.DataFrame:
    """One dataset as a DataFrame: character variables as text ("" when missing), numerics as floats.

    XPORT files are read with OpenCRO's reader (`opencro.formats.xpt`: IBM floats, zero included, decoded
    exactly), numerics with a SAS date format (DATE9., YYMMDD10., E8601DA.) as dates; Dataset-JSON with OpenCRO's
    reader (`opencro.formats.datasetjson`).
    """
    file = Path(path)
    suffix = file.suffix.lower()
    try:
        if suffix == ".xpt":
            frame = _from_xpt(file)
        elif suffix in (".json", ".ndjson"):
            frame = _from_dataset_json(file)
        else:
            raise DataError(file.name, f"unknown dataset format {suffix!r}")
    except DataError:
        raise
    except Exception as exc:
        raise DataError(file.name, f"cannot read: {exc}") from None
    for column in frame.columns:
        textual = frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column])
        if textual and not any(hasattr(v, "year") for v in frame[column].head(20)):  # dates stay dates
            frame[column] = frame[column].fillna("").astype(str)
    return frame


SAS_DATE_FORMATS = ("DATE", "YYMMDD", "E8601DA", "MMDDYY", "DDMMYY")
SAS_EPOCH = pd.Timestamp("1960-01-01")


def _from_xpt(file: Path) -> pd.DataFrame:
    from opencro.formats.xpt import read_xpt

    members = read_xpt(file, encoding="latin-1")
    if not members:
        raise DataError(file.name, "holds no dataset")
    dataset = members[0]
    frame = dataset.data.copy()
    for variable in dataset.variables:
        shape = (variable.format or "").upper().rstrip(".0123456789")
        if variable.type == "num" and shape in SAS_DATE_FORMATS:
            frame[variable.name] = SAS_EPOCH + pd.to_timedelta(frame[variable.name], unit="D")
    return frame


def _from_dataset_json(file: Path) -> pd.DataFrame:
    from opencro.formats.datasetjson import read_dataset_json, read_dataset_ndjson

    dataset = read_dataset_ndjson(file) if file.suffix.lower() == ".ndjson" else read_dataset_json(file)
    frame = dataset.data.copy()
    for column in frame.columns:
        if str(frame[column].dtype) in ("Int64", "boolean") or frame[column].map(type).eq(Decimal).any():
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def load_datasets(folder: str | os.PathLike[str], names: Iterable[str]) -> dict[str, pd.DataFrame]:
    """The named datasets (upper-case keys) read from `folder`."""
    return {name.upper(): read_dataset(find_dataset(folder, name)) for name in sorted({n.upper() for n in names})}
