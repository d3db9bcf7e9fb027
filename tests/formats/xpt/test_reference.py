"""CDISC Pilot 01 SDTM/ADaM XPT files (written by R haven/ReadStat): read like pandas does, and re-written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from opencro.formats.errors import FormatError
from opencro.formats.xpt import read_xpt, write_xpt
from tests.formats.xpt.helpers import REFERENCE, STAMP, assert_same_values, pandas_frame

PILOT = REFERENCE / "cdiscpilot01"
FILES = sorted(PILOT.glob("*/*.xpt")) if PILOT.is_dir() else []
#: ts.xpt holds UTF-8 text (curly quotes): not ASCII, so it is read as UTF-8.
ENCODING = {"ts.xpt": "utf-8"}

pytestmark = pytest.mark.skipif(not FILES, reason=f"reference data absent: {PILOT} (see ../shared/reference/README.md)")


def _param(path: Path) -> object:
    marks = [pytest.mark.slow] if path.stat().st_size > 5_000_000 else []
    return pytest.param(path, id=f"{path.parent.name}/{path.name}", marks=marks)


@pytest.mark.parametrize("path", [_param(p) for p in FILES])
def test_pilot_file_reads_like_pandas(path: Path) -> None:
    encoding = ENCODING.get(path.name, "ascii")
    (ours,) = read_xpt(path, encoding=encoding)
    assert ours.name == path.stem.upper()
    assert_same_values(ours.data, pandas_frame(path, encoding))
    # pandas' zero fix-up must not hide a real 2**-260: none of ours is that value.
    for var in ours.variables:
        if var.type == "num":
            assert not (ours.data[var.name] == 2.0**-260).any()


@pytest.mark.parametrize("path", [_param(p) for p in FILES if p.name != "ts.xpt"])
def test_pilot_file_rewritten_reads_the_same(path: Path, tmp_path: Path) -> None:
    (original,) = read_xpt(path)
    out = tmp_path / path.name
    (written,) = write_xpt(out, [original], created=STAMP)
    assert [v.length for v in written.variables] == [v.length for v in original.variables]
    assert_same_values(original.data, pandas_frame(out))
    (back,) = read_xpt(out)
    assert back.variables == original.variables and back.label == original.label
    assert_same_values(original.data, back.data)


def test_pilot_ts_with_utf8_text_is_refused_by_the_v5_writer_with_its_location(tmp_path: Path) -> None:
    (ts,) = read_xpt(PILOT / "sdtm" / "ts.xpt", encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        write_xpt(tmp_path / "ts.xpt", [ts], created=STAMP, fit_lengths=True)
    assert any(p.location.startswith("dataset TS, variable TSVAL, row ") for p in caught.value.problems)
    assert not (tmp_path / "ts.xpt").exists()


def test_fitted_rewrite_never_lengthens_and_fits_the_data(tmp_path: Path) -> None:
    (dm,) = read_xpt(PILOT / "sdtm" / "dm.xpt")
    (fitted,) = write_xpt(tmp_path / "dm.xpt", [dm], created=STAMP, fit_lengths=True)
    for before, after in zip(dm.variables, fitted.variables, strict=True):
        if before.type == "char":
            longest = max((len(v) for v in dm.data[before.name]), default=0)
            assert after.length == max(longest, 1) <= (before.length or 0)
    assert np.array_equal(read_xpt(tmp_path / "dm.xpt")[0].data["AGE"], dm.data["AGE"])
