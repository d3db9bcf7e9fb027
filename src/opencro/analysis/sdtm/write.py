"""Write built SDTM datasets as SAS XPORT v5 files and CDISC Dataset-JSON 1.1 files, one per dataset.

File names are the dataset name in lower case (`ae.xpt`, `ae.json`), as the FDA Technical Conformance
Guide asks. Character lengths are fitted to the longest value; numeric variables are 8-byte floats
(XPT) and "integer" or "double" columns (Dataset-JSON, integer when every value is whole).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pandas as pd

from opencro.analysis.sdtm.errors import SdtmError
from opencro.analysis.sdtm.metadata import DomainMeta, domain_meta
from opencro.formats.datasetjson import DatasetJson, DatasetJsonColumn, write_dataset_json
from opencro.formats.errors import FormatError
from opencro.formats.xpt import XptDataset, XptVariable, write_xpt

FORMATS = ("xpt", "json")


def _labels(name: str, frame: pd.DataFrame, meta: DomainMeta | None) -> tuple[str, dict[str, str]]:
    labels = {v.name: v.label for v in meta.variables} if meta else {}
    labels |= dict(frame.attrs.get("labels", {}))
    return frame.attrs.get("label", meta.label if meta else name), labels


def _is_numeric(frame: pd.DataFrame, column: str, meta: DomainMeta | None) -> bool:
    var = meta.variable(column) if meta else None
    if var is not None:
        return var.type == "Num"
    return pd.api.types.is_numeric_dtype(frame[column])


def write_domains(
    domains: Mapping[str, pd.DataFrame],
    folder: str | Path,
    formats: tuple[str, ...] = FORMATS,
    *,
    metadata: Mapping[str, DomainMeta] | None = None,
    created: datetime | None = None,
    study_oid: str | None = None,
) -> list[Path]:
    """Write each dataset in each of `formats` ("xpt", "json") under `folder`; return the paths written.

    SdtmError lists the located problems of every dataset that could not be written (names over 8
    characters, labels over 40, values over 200 bytes, non-ASCII text in XPT).
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise SdtmError(f"unknown format(s) {', '.join(unknown)} (xpt, json)")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    metadata = metadata or {}
    stamp = created or datetime.now().replace(microsecond=0)
    written: list[Path] = []
    problems = []
    for name, frame in domains.items():
        meta = metadata.get(name)
        if meta is None:
            try:
                meta = domain_meta(name)
            except KeyError:
                meta = None
        label, labels = _labels(name, frame, meta)
        numeric = {str(c): _is_numeric(frame, str(c), meta) for c in frame.columns}
        try:
            if "xpt" in formats:
                path = folder / f"{name.lower()}.xpt"
                write_xpt(path, [_xpt(name, label, labels, numeric, frame)], fit_lengths=True, created=stamp)
                written.append(path)
            if "json" in formats:
                path = folder / f"{name.lower()}.json"
                write_dataset_json(path, _json(name, label, labels, numeric, frame, stamp, study_oid))
                written.append(path)
        except FormatError as error:
            problems.extend(error.problems)
    if problems:
        raise SdtmError(problems)
    return written


# Characters with an accepted ASCII spelling that Unicode's compatibility decomposition (NFKD) does not give.
ASCII_SPELLINGS = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u00b5": "u",
        "\u03bc": "u",
        "\u00df": "ss",
        "\u00b0": " deg",
        "\u00b1": "+/-",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u00d7": "x",
        "\u00e6": "ae",
        "\u00f8": "o",
    }
)


def ascii_text(value: str) -> str:
    """`value` spelt in ASCII for XPT v5 (FDA expects ASCII; Dataset-JSON keeps the original UTF-8): accents dropped
    (NFKD), superscripts as digits, dashes, quotes and a few symbols by their usual spelling. A character with no
    spelling stays, and the writer then refuses it with its place."""
    if value.isascii():
        return value
    folded = unicodedata.normalize("NFKD", value.translate(ASCII_SPELLINGS))
    return "".join(c for c in folded if not unicodedata.combining(c))


def _xpt(name: str, label: str, labels: dict[str, str], numeric: dict[str, bool], frame: pd.DataFrame) -> XptDataset:
    variables = []
    data = {}
    for column in frame.columns:
        column = str(column)
        if numeric[column]:
            variables.append(XptVariable(column, "num", labels.get(column, ""), 8))
            data[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        else:
            variables.append(XptVariable(column, "char", labels.get(column, "")))
            text = frame[column].astype(object)
            data[column] = text.where(text.notna(), None).map(lambda v: v if v is None else ascii_text(str(v)))
    return XptDataset(name, variables, pd.DataFrame(data, index=frame.index).reset_index(drop=True), label=label)


def _json(
    name: str,
    label: str,
    labels: dict[str, str],
    numeric: dict[str, bool],
    frame: pd.DataFrame,
    stamp: datetime,
    study_oid: str | None,
) -> DatasetJson:
    columns = []
    data = {}
    for column in frame.columns:
        column = str(column)
        oid = f"IT.{name}.{column}"
        if numeric[column]:
            values = pd.to_numeric(frame[column], errors="coerce").astype(float)
            whole = bool((values.dropna() % 1 == 0).all())
            columns.append(DatasetJsonColumn(oid, column, labels.get(column, ""), "integer" if whole else "double"))
            data[column] = values.astype("Int64") if whole else values
        else:
            text = frame[column].astype(object)
            text = text.where(text.notna(), None).map(lambda v: v if v is None else str(v))
            longest = max(1, int(text.dropna().map(len).max())) if text.notna().any() else 1
            # --DTC stay "string": SDTM dates may be partial, which the Dataset-JSON "datetime" type does not allow.
            columns.append(DatasetJsonColumn(oid, column, labels.get(column, ""), "string", length=longest))
            data[column] = text
    return DatasetJson(
        name=name,
        label=label,
        item_group_oid=f"IG.{name}",
        columns=columns,
        data=pd.DataFrame(data, index=frame.index).reset_index(drop=True),
        created=stamp.isoformat(),
        study_oid=study_oid,
        originator="OpenCRO",
    )
