"""Byte-for-byte safety net for the Dataset-JSON writer: varied datasets must keep producing exactly the same text.

The expected SHA-256 digests (of the UTF-8 text written, document and NDJSON, and of the list of located problems
for a refused dataset) were produced by the pre-optimisation writer (the value-by-value version of `writer.py` and
`values.py` from the commit "Issue 8 (part): ... CDISC Dataset-JSON 1.1 (and NDJSON) reader and writer ...",
4490292) on these exact datasets, before the column-wise writer replaced it.
The random numbers were rebuilt on 2026-11-27 from exactly rounded arithmetic only (they had used exp and pow, whose
last bit numpy leaves to the CPU); the changed digests were computed again with that same writer from 4490292.
"""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from opencro.formats.datasetjson import (
    DatasetJson,
    DatasetJsonColumn,
    read_dataset_json,
    read_dataset_ndjson,
    write_dataset_json,
    write_dataset_ndjson,
)
from opencro.formats.errors import FormatError

TRICKY = [
    'quote " and \\ backslash',
    "tab\tnew\nline\r\x00\x1f\x7f",
    "é ü ß 日本 😀 \u2028\u2029",
    "",
    " ",
    "</script>",
]


def _texts(rng: np.random.Generator, n: int, width: int) -> list:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz ABC0123456789-:.,"))
    values: list = ["".join(rng.choice(letters, size=k)) for k in rng.integers(0, width + 1, n)]
    for row, kind in zip(rng.integers(0, n, n // 8), rng.integers(0, 3, n // 8), strict=True):
        values[row] = (None, np.nan, pd.NA)[kind]
    for row, text in zip(rng.integers(0, n, len(TRICKY)), TRICKY, strict=True):
        values[row] = text
    return values


def _doubles(rng: np.random.Generator, n: int) -> np.ndarray:
    """Built with exactly rounded arithmetic only (+, -, *, ldexp): numpy computes exp, log and pow with code chosen
    by the CPU (SIMD), whose last bit differs between machines, which would change the data, not the writer."""
    values = (rng.random(n) - 0.5) * 200
    values[rng.integers(0, n, n // 5)] = rng.integers(-1000, 1000, n // 5)
    values[rng.integers(0, n, n // 8)] = np.nan
    signs = np.where(rng.random(n // 10) < 0.5, -1.0, 1.0)
    values[rng.integers(0, n, n // 10)] = signs * np.ldexp(rng.random(n // 10) + 0.5, rng.integers(-995, 995, n // 10))
    edges = [0.0, -0.0, 5e-324, 1.7976931348623157e308, 1e16, 1e-5, 0.1, 123456789.0, 1e22, -1e-7]
    values[: min(n, len(edges))] = edges[:n]
    return values


def _findings(n: int, seed: int) -> DatasetJson:
    rng = np.random.default_rng(seed)
    whole = np.floor(rng.uniform(-500, 500, n))
    whole[rng.integers(0, n, n // 6)] = np.nan
    columns = [
        DatasetJsonColumn("IT.LB.STUDYID", "STUDYID", "Study Identifier", "string", length=7),
        DatasetJsonColumn("IT.LB.USUBJID", "USUBJID", "Unique Subject Identifier", "string", key_sequence=1),
        DatasetJsonColumn("IT.LB.LBSEQ", "LBSEQ", "Sequence Number", "integer", key_sequence=2),
        DatasetJsonColumn("IT.LB.LBTESTCD", "LBTESTCD", "Test Short Name", "string", length=8),
        DatasetJsonColumn("IT.LB.LBORRES", "LBORRES", 'Result "original" é', "string", length=200),
        DatasetJsonColumn("IT.LB.LBSTRESN", "LBSTRESN", "Numeric Result", "double", display_format="8.2"),
        DatasetJsonColumn("IT.LB.LBFLOAT", "LBFLOAT", "Float result", "float"),
        DatasetJsonColumn("IT.LB.LBNRLO", "LBNRLO", "Lower limit", "integer"),
        DatasetJsonColumn("IT.LB.LBWHOLE", "LBWHOLE", "Whole doubles as integer", "integer"),
        DatasetJsonColumn("IT.LB.LBINT", "LBINT", "Plain int64", "integer"),
        DatasetJsonColumn("IT.LB.LBDEC", "LBDEC", "Exact", "decimal", target_data_type="decimal"),
        DatasetJsonColumn("IT.LB.LBFAST", "LBFAST", "Fasting", "boolean"),
        DatasetJsonColumn("IT.LB.LBBOOL", "LBBOOL", "Plain bool", "boolean"),
        DatasetJsonColumn("IT.LB.LBDTC", "LBDTC", "Collection date/time", "datetime"),
        DatasetJsonColumn("IT.LB.LBDT", "LBDT", "Date", "date", target_data_type="integer", display_format="DATE9."),
        DatasetJsonColumn("IT.LB.LBTM", "LBTM", "Time", "time"),
        DatasetJsonColumn("IT.LB.LBURI", "LBURI", "Source", "URI"),
        DatasetJsonColumn("IT.LB.LBMIX", "LBMIX", "Object numbers", "double"),
        DatasetJsonColumn("IT.LB.LBCAT", "LBCAT", "Category", "string"),
        DatasetJsonColumn("IT.LB.LBSTR", "LBSTR", "pandas string dtype", "string"),
    ]
    decimals = [
        (Decimal("0.30000000000000000001"), "12.500", 7, None, Decimal("-1E+3"), np.int64(42), "1e-3")[i % 7]
        for i in range(n)
    ]
    data = pd.DataFrame(
        {
            "STUDYID": ["CDISC01"] * n,
            "USUBJID": [f"CDISC01-{i:04d}" for i in rng.integers(0, max(1, n // 20), n)],
            "LBSEQ": pd.array(np.arange(1, n + 1), dtype="Int64"),
            "LBTESTCD": rng.choice(["ALB", "ALT", "AST", "BILI"], n).astype(object),
            "LBORRES": _texts(rng, n, 40),
            "LBSTRESN": _doubles(rng, n),
            "LBFLOAT": _doubles(rng, n),
            "LBNRLO": pd.array(np.where(rng.random(n) < 0.3, None, rng.integers(-(2**40), 2**40, n)), dtype="Int64"),
            "LBWHOLE": whole,
            "LBINT": rng.integers(-(2**62), 2**62, n),
            "LBDEC": pd.Series(decimals, dtype=object),
            "LBFAST": pd.array(np.where(rng.random(n) < 0.2, None, rng.random(n) < 0.5), dtype="boolean"),
            "LBBOOL": rng.random(n) < 0.5,
            "LBDTC": pd.Series(
                np.where(rng.random(n) < 0.1, None, rng.choice(["2014-03", "2014-01-02T10:15", "2013"], n)),
                dtype=object,
            ),
            "LBDT": pd.Series(np.where(rng.random(n) < 0.1, None, "2014-03-01"), dtype=object),
            "LBTM": pd.Series(np.where(rng.random(n) < 0.5, None, "10:15:00"), dtype=object),
            "LBURI": pd.Series(np.where(rng.random(n) < 0.5, None, 'https://example.org/a?b=1&c="d"'), dtype=object),
            "LBMIX": pd.Series(
                [(None, 1, 2.5, np.int32(-3), np.float32(0.1), np.nan, -0.0)[i % 7] for i in range(n)], dtype=object
            ),
            "LBCAT": pd.Categorical(rng.choice(["A", "B", "C é"], n)),
            "LBSTR": pd.array(np.where(rng.random(n) < 0.3, None, 'x"y'), dtype="string"),
        }
    )
    return DatasetJson(
        name="LB",
        label="Laboratory Test Results",
        item_group_oid="IG.LB",
        columns=columns,
        data=data,
        created="2026-11-27T03:30:00",
        file_oid="FILE.LB",
        db_last_modified="2026-11-26T23:59:59+01:00",
        originator="OpenCRO",
        source_system=("OpenCRO", "1.0"),
        study_oid="STUDY.CDISC01",
        metadata_version_oid="MDV.1",
        metadata_ref="define.xml",
    )


def _empty() -> DatasetJson:
    columns = [
        DatasetJsonColumn("IT.E.A", "A", "Text", "string"),
        DatasetJsonColumn("IT.E.B", "B", "Number", "double"),
    ]
    data = pd.DataFrame({"A": pd.Series([], dtype=object), "B": pd.Series([], dtype=float)})
    return DatasetJson("E", "Empty", "IG.E", columns, data, created="2026-11-27T03:30:00")


def _text(dataset: DatasetJson, ndjson: bool) -> str:
    out = io.StringIO()
    (write_dataset_ndjson if ndjson else write_dataset_json)(out, dataset)
    return out.getvalue()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


CASES = {
    "findings-document": (lambda: _findings(3000, 1), False),
    "findings-ndjson": (lambda: _findings(3000, 1), True),
    "one-row-document": (lambda: _findings(1, 2), False),
    "one-row-ndjson": (lambda: _findings(1, 2), True),
    "empty-document": (_empty, False),
    "empty-ndjson": (_empty, True),
}

EXPECTED = {
    "findings-document": "99e5229f445ac9b4176372bd037311a802b50ce8f22920ead5dd805997bf99a7",
    "findings-ndjson": "c54e6df2fc1aa71a48c30539e7aaf191ec724c967b4c771f9b36fd4c5a5d622e",
    "one-row-document": "12dd54b5e24688e7560cd562f175492051552b8ca0756cc78f6cbe92b916dd75",
    "one-row-ndjson": "fd0785922a488dad4aed95035b2002e41b45486a666a034c59d3c2fb013046d9",
    "empty-document": "ad0e6de7e48e753aab57a871da6524ba4975a9e086e5875162bdf2c5eaed502d",
    "empty-ndjson": "dd5d6078d6bdac8987433bd579786c0fee702f4ca291cd07c8fdd7a9e25cdac0",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_text_unchanged(case: str) -> None:
    build, ndjson = CASES[case]
    assert _sha(_text(build(), ndjson)) == EXPECTED[case]


def test_written_text_reads_back() -> None:
    dataset = _findings(3000, 1)
    document = read_dataset_json(io.StringIO(_text(dataset, False)))
    ndjson = read_dataset_ndjson(io.StringIO(_text(dataset, True)))
    for back in (document, ndjson):
        np.testing.assert_array_equal(back.data["LBSTRESN"].to_numpy(), dataset.data["LBSTRESN"].to_numpy())
        assert back.data["LBINT"].tolist() == dataset.data["LBINT"].tolist()
        expected = [None if v is None or v is pd.NA or v != v else v for v in dataset.data["LBORRES"]]
        assert back.data["LBORRES"].tolist() == expected


def _broken() -> DatasetJson:
    dataset = _findings(400, 3)
    data = dataset.data.copy()
    data["LBSTRESN"] = data["LBSTRESN"].astype(object)
    data.loc[[4, 200], "LBSTRESN"] = [np.inf, "1.5"]
    data.loc[7, "LBFLOAT"] = -np.inf
    data["LBWHOLE"] = data["LBWHOLE"].fillna(0.5)
    data["LBINT"] = data["LBINT"].astype(object)
    data.loc[[3, 9], "LBINT"] = [True, "7"]
    data["LBDEC"] = data["LBDEC"].astype(object)
    data.loc[[1, 2, 3], "LBDEC"] = ["abc", Decimal("NaN"), 1.5]
    data["LBBOOL"] = data["LBBOOL"].astype(object)
    data.loc[[0, 5], "LBBOOL"] = [1, "true"]
    data["LBDTC"] = data["LBDTC"].astype(object)
    data.loc[[6, 8], "LBDTC"] = [20140301, b"2014"]
    data["EXTRA"] = 1
    columns = [
        *dataset.columns,
        DatasetJsonColumn("IT.LB.NODATA", "NODATA", "", "string"),
        DatasetJsonColumn("IT.LB.BAD", "EXTRA", "", "money"),  # type: ignore[arg-type]
        DatasetJsonColumn("IT.LB.LBSEQ", "LBSEQ", "", "integer", length=0),
    ]
    return DatasetJson(
        name="LB",
        label="Laboratory",
        item_group_oid="IG.LB",
        columns=columns,
        data=data,
        created="27 Nov 2026",
        version="2.0",
    )


def test_problems_unchanged() -> None:
    with pytest.raises(FormatError) as caught:
        _text(_broken(), False)
    listed = "\n".join(str(problem) for problem in caught.value.problems)
    assert (len(caught.value.problems), _sha(listed)) == PROBLEMS


PROBLEMS = (75, "f6c14b8c626f4c39b967e9aa48ed8ffa3e7efcb0a4af1b2721ef3e309e7ce31b")
