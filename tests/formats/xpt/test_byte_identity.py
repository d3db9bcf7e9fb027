"""Byte-for-byte safety net for the XPORT writer: varied datasets must keep producing exactly the same file.

The expected SHA-256 digests (of the file bytes, and of the list of located problems for refused datasets)
were produced by the pre-optimisation writer (the row-by-row version of `writer.py`/`ibm.py` from the commit
"Issue 8 (part): SAS XPORT v5 reader and writer ...", 4490292) on these exact datasets, before the vectorised
writer replaced it. Any change of a single output byte, or of a problem's wording, location or order, fails here.
The random numbers were rebuilt on 2026-11-27 from exactly rounded arithmetic only (they had used exp and pow, whose
last bit numpy leaves to the CPU); the changed digests were computed again with that same writer from 4490292.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from opencro.formats.errors import FormatError
from opencro.formats.xpt import XptDataset, XptVariable, read_xpt, write_xpt

STAMP = datetime(2026, 11, 27, 3, 25, 0)


def _text_column(rng: np.random.Generator, n: int, width: int, *, alphabet: str, blanks: bool = True) -> list:
    """Random text of 0..width characters, with None, NaN, pd.NA and empty strings mixed in when `blanks`."""
    letters = np.array(list(alphabet))
    lengths = rng.integers(0, width + 1, n)
    values: list = ["".join(rng.choice(letters, size=k)) for k in lengths]
    if blanks:
        for row, kind in zip(rng.integers(0, n, n // 10), rng.integers(0, 4, n // 10), strict=True):
            values[row] = (None, np.nan, pd.NA, "")[kind]
    return values


def _numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Doubles over the whole IBM range: ordinary, integers, tiny, huge, signed zeros, NaN, exact edges.

    Built with exactly rounded arithmetic only (+, -, *, ldexp): numpy computes exp, log and pow with code chosen
    by the CPU (SIMD), whose last bit differs between machines, which would change the data, not the writer."""
    values = (rng.random(n) - 0.5) * 800
    values[rng.integers(0, n, n // 5)] = rng.integers(-10_000, 10_000, n // 5)
    values[rng.integers(0, n, n // 10)] = np.nan
    values[rng.integers(0, n, n // 20)] = 0.0
    values[rng.integers(0, n, n // 20)] = -0.0
    signs = np.where(rng.random(n // 5) < 0.5, -1.0, 1.0)
    values[rng.integers(0, n, n // 5)] = signs * np.ldexp(rng.random(n // 5) + 0.5, rng.integers(-255, 249, n // 5))
    edges = [16.0**-65, -(16.0**-65), np.nextafter(16.0**63, 0), -np.nextafter(16.0**63, 0), 2.0**-260, 1 / 3]
    values[: min(n, len(edges))] = edges[:n]
    return values


def _findings(n: int, seed: int) -> XptDataset:
    rng = np.random.default_rng(seed)
    subjects = [f"CDISC01-{i:04d}" for i in range(max(1, n // 20))]
    data = pd.DataFrame(
        {
            "STUDYID": ["CDISC01"] * n,
            "USUBJID": [subjects[i] for i in rng.integers(0, len(subjects), n)],
            "LBSEQ": np.arange(1, n + 1, dtype=np.int64),
            "LBTESTCD": pd.Categorical(rng.choice(["ALB", "ALT", "AST", "BILI", "GLUC"], n)),
            "LBORRES": _text_column(rng, n, 12, alphabet="0123456789.<> "),
            "LBSTRESN": _numbers(rng, n),
            "LBSTNRLO": pd.array(np.where(rng.random(n) < 0.2, None, rng.integers(-5, 50, n)), dtype="Int64"),
            "LBBLFL": pd.array(np.where(rng.random(n) < 0.5, None, "Y"), dtype="string"),
            "LBFLAG": rng.random(n) < 0.5,
            "LBDTC": _text_column(rng, n, 19, alphabet="0123456789-T:"),
            "LBDY": pd.Series(
                [None if v % 7 == 0 else (int(v) if v % 2 else float(v)) for v in range(n)], dtype=object
            ),
            "LBCOM": _text_column(rng, n, 200, alphabet="abcdefghijklmnopqrstuvwxyz ABCXYZ,.;'\"!?()[]{}"),
            "LBDT": np.floor(rng.uniform(-3000, 25000, n)),
        }
    )
    data.loc[0, "LBCOM"] = "X" * 200  # a value of the maximum length
    if n > 3:
        data.loc[3, "LBCOM"] = "  leading and trailing blanks  "
    special = {"LBSTRESN": {}, "LBDT": {}}
    codes = ["A", "B", "Z", "_"]
    for row in np.flatnonzero(np.isnan(data["LBSTRESN"].to_numpy()))[:40].tolist():
        special["LBSTRESN"][row] = codes[row % 4]
    data.loc[data.index[-1], "LBDT"] = np.nan
    special["LBDT"][n - 1] = "D"
    variables = [
        XptVariable("STUDYID", "char", "Study Identifier"),
        XptVariable("USUBJID", "char", "Unique Subject Identifier", 20),
        XptVariable("LBSEQ", "num", "Sequence Number", 8, format="8."),
        XptVariable("LBTESTCD", "char", "Lab Test or Examination Short Name", 8),
        XptVariable("LBORRES", "char", "Result or Finding in Original Units", 200, format="$CHAR200."),
        XptVariable("LBSTRESN", "num", "Numeric Result/Finding in Standard Units", None, format="BEST12."),
        XptVariable("LBSTNRLO", "num", "Reference Range Lower Limit-Std Units", 8, format="8.2"),
        XptVariable("LBBLFL", "char", "Baseline Flag", 1),
        XptVariable("LBFLAG", "num", "A boolean column", 8),
        XptVariable("LBDTC", "char", "Date/Time of Specimen Collection", 19),
        XptVariable("LBDY", "num", "Study Day of Specimen Collection", 8, informat="8."),
        XptVariable("LBCOM", "char", "Comment", 200),
        XptVariable("LBDT", "num", "Date of collection", 8, format="DATE9.", informat="E8601DA10."),
    ]
    return XptDataset("LB", variables, data, label="Laboratory Test Results", special_missing=special)


def _narrow(name: str, n: int, seed: int) -> XptDataset:
    """Rows of 11 bytes (not a divisor of 80): the last record's padding and blank rows matter."""
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"C": _text_column(rng, n, 3, alphabet="ab "), "X": _numbers(rng, n)})
    data.loc[n - 1, "C"] = "a"  # the last row is not blank
    variables = [XptVariable("C", "char", "", 3), XptVariable("X", "num", "Number")]
    return XptDataset(name, variables, data, label="", created=STAMP, modified=datetime(2001, 2, 3, 4, 5, 6))


def _latin1() -> XptDataset:
    data = pd.DataFrame(
        {
            "TERM": ["café", "naïve résumé", None, "", "µg/L ± 5 °C"],
            "VAL": pd.Series([1, 2.5, None, np.nan, -7], dtype=object),
        }
    )
    variables = [XptVariable("TERM", "char", "Terme (é)"), XptVariable("VAL", "num", "Valeur", format="E8601DT19.")]
    return XptDataset("FR", variables, data, label="Données")


def _empty() -> XptDataset:
    data = pd.DataFrame({"A": pd.Series([], dtype=object), "B": pd.Series([], dtype=float)})
    return XptDataset("EMPTY", [XptVariable("A", "char", "Nothing"), XptVariable("B", "num", "")], data)


def _write(datasets: list[XptDataset], **options: object) -> bytes:
    out = io.BytesIO()
    write_xpt(out, datasets, created=STAMP, **options)
    return out.getvalue()


def _sha(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


CASES = {
    "findings-fixed": (lambda: [_findings(3000, 1)], {}),
    "findings-fitted": (lambda: [_findings(3000, 1)], {"fit_lengths": True}),
    "findings-one-row": (lambda: [_findings(1, 2)], {"fit_lengths": True}),
    "narrow-three-members": (lambda: [_narrow("NARROW", 997, 3), _empty(), _narrow("NARROW2", 5, 4)], {}),
    "latin-1-fitted": (lambda: [_latin1()], {"encoding": "latin-1", "fit_lengths": True}),
}

EXPECTED = {
    "findings-fixed": "96f7a3f954aac7531949a0edabcdc6d978ac5b97544bca7ffa235f166f5c6852",
    "findings-fitted": "a0839f3aee0472ab036b051e23553d504113515f703d0b9496d9bfb2ef49ea32",
    "findings-one-row": "e44154f8d346cc58b2daee80003b2d49c38baf139bb5feedc553988d9c7be6e7",
    "narrow-three-members": "b832c4e1878b4d95ee280c66a636aa0fc4ce59cd17da0a434d10a1e0e0425ca2",
    "latin-1-fitted": "bc04abace2982e970bc3903590bca061cfbff8432e996cf89263daabe81ca651",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_bytes_unchanged(case: str) -> None:
    build, options = CASES[case]
    assert _sha(_write(build(), **options)) == EXPECTED[case]


def test_written_files_read_back() -> None:
    """The safety-net files are not only stable but readable: values survive the round trip."""
    dataset = _findings(3000, 1)
    back = read_xpt(io.BytesIO(_write([dataset], fit_lengths=True)))[0]
    expected = pd.to_numeric(dataset.data["LBSTRESN"]).to_numpy()
    np.testing.assert_array_equal(
        np.signbit(back.data["LBSTRESN"].to_numpy()[expected != 0]), np.signbit(expected[expected != 0])
    )
    np.testing.assert_array_equal(back.data["LBSTRESN"].to_numpy(), expected)
    assert back.special_missing == {k: v for k, v in dataset.special_missing.items() if v}
    text = dataset.data["LBCOM"].map(lambda v: v.rstrip(" ") if isinstance(v, str) else "").tolist()
    assert back.data["LBCOM"].tolist() == text


def _broken() -> list[XptDataset]:
    """Every kind of located problem at once, in several columns and rows."""
    rng = np.random.default_rng(9)
    n = 500
    numbers = _numbers(rng, n)
    numbers[[7, 300]] = [np.inf, 1e-80]
    numbers[[11, 400]] = [-np.inf, 1e76]
    text = _text_column(rng, n, 30, alphabet="abc")
    # Not encodable or not text, in a column without over-long values: the pre-optimisation writer numbered the
    # rows after such a value one too low (see test_rows_after_a_bad_value_are_numbered_right).
    other = _text_column(rng, n, 30, alphabet="xyz")
    other[5], other[250], other[17] = "héllo", "日本", 12
    objects = pd.Series([1.5] * n, dtype=object)
    objects[[3, 99]] = ["1.5", True]
    data = pd.DataFrame(
        {"TXT": text, "TX2": other, "NUM": numbers, "OBJ": objects, "LONG": ["y" * 201] * n, "EXTRA": 1}
    )
    variables = [
        XptVariable("TXT", "char", "label é", 10),
        XptVariable("TX2", "char", "", 200),
        XptVariable("NUM", "num", "x" * 41, format="BADFORMAT12."),
        XptVariable("OBJ", "num", "", 4),
        XptVariable("obj2", "num", "", informat="nope"),
        XptVariable("LONG", "char", ""),
        XptVariable("LONG", "text", ""),  # type: ignore[arg-type]
    ]
    special = {"NUM": {0: "A", 1: "a", 9999: "B"}, "GONE": {1: "A"}}
    return [
        XptDataset("bad", variables, data, label="l" * 41, special_missing=special),
        XptDataset("BAD", [XptVariable("Q", "char", "", 1)], pd.DataFrame({"Q": [" "]})),
    ]


def test_problems_unchanged() -> None:
    with pytest.raises(FormatError) as caught:
        _write(_broken())
    listed = "\n".join(str(problem) for problem in caught.value.problems)
    assert (len(caught.value.problems), _sha(listed.encode())) == PROBLEMS


PROBLEMS = (315, "8f6775066c1148a0642c01bd1147340307c648c528e87e934329876048a825f0")
