"""Length and SignificantDigits of Define-XML ItemDefs, worked out once per distinct value, equal the value-by-value
count: `_old_shape` below is that count (each value formatted on its own, as the module did before) and serves as
the oracle. The whole Define-XML document of the CDISC Pilot 01 ADaM (derived from ../shared/reference as
test_define.py does) and of a small synthetic study (the benchmark's ADaM specifications) is written with both and
compared byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from opencro.analysis.adam import define as define_module
from opencro.analysis.adam import derive, load_spec, spec_from_mapping
from opencro.analysis.adam.define import _number_text, _shape, define_from_adam
from opencro.analysis.sdtm.build import build_study
from opencro.analysis.sdtm.synthetic import synthetic_study
from opencro.formats.definexml import write_define

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT / ".." / "shared" / "reference" / "cdiscpilot01"
PILOT_SPECS = ROOT / "examples" / "cdiscpilot01" / "adam"
SYNTHETIC_SPECS = ROOT / "benchmarks" / "specs" / "synthetic" / "adam"
PILOT_DOMAINS = ("DM", "AE", "DS", "EX", "MH", "QS", "SC", "SUPPDS", "SV", "VS")  # as test_define.py reads
CREATED = "2026-11-27T04:00:00"


def _old_number_text(value: float, digits: int | None) -> str:
    if digits is not None:
        return f"{value:.{digits}f}"
    if float(value).is_integer():
        return str(int(value))
    return np.format_float_positional(float(value), trim="-")


def _old_shape(variable, values: pd.Series) -> tuple[int | None, int | None]:
    """The value-by-value count: every value turned into text on its own."""
    if variable.type == "date":
        return None, None
    if variable.type == "text":
        texts = [str(v) for v in values if not pd.isna(v) and str(v) != ""]
        if not texts:
            return variable.length or 1, None
        return max(len(t.encode("utf-8")) for t in texts), None
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if variable.type == "integer":
        return max((len(str(round(v))) for v in numbers), default=1), None
    texts = [_old_number_text(v, variable.digits) for v in numbers]
    digits = variable.digits
    if digits is None:
        digits = max((len(t.split(".")[1]) for t in texts if "." in t), default=0)
    return max((len(t) for t in texts), default=1), digits


def _variable(type_: str, digits: int | None = None, length: int | None = None):
    entry: dict = {"name": "X", "label": "X", "type": type_, "derivation": {"kind": "copy"}}
    if digits is not None:
        entry["digits"] = digits
    if length is not None:
        entry["length"] = length
    spec = spec_from_mapping(
        {"dataset": "T", "label": "T", "keys": ["X"], "base": {"source": "DM"}, "variables": [entry]}, origin="t.yaml"
    )
    return spec.variable("X")


CASES = [
    ("text", None, None, pd.Series(["a", "", None, "dé", "abc", "a"], dtype=object)),
    ("text", None, 8, pd.Series(["", None, np.nan], dtype=object)),
    ("text", None, None, pd.Series(["x", "yy", None], dtype="str")),
    ("text", None, None, pd.Series([1, "ab", 2.5, None], dtype=object)),
    ("integer", None, None, pd.Series([1.0, -12.0, np.nan, 300.0, 2.0])),
    ("integer", None, None, pd.Series(["4", "x", None, "-50"], dtype=object)),
    ("integer", None, None, pd.Series([], dtype=float)),
    ("float", None, None, pd.Series([1.5, 2.25, np.nan, 3.0, -0.125, 1e-7, 2.25])),
    ("float", 2, None, pd.Series([-0.0, 0.0, 1.005, 99.999, np.nan])),
    ("float", 1, None, pd.Series([0.0, 0.04, -0.04])),
    ("float", None, None, pd.Series([-0.0, 0.0])),
    ("float", 3, None, pd.Series([1, 22, 333], dtype="int64")),
    ("float", None, None, pd.Series(["1.25", "x", "", None, "-3"], dtype=object)),
    ("date", None, None, pd.Series(pd.to_datetime(["2020-01-01", None]))),
]


@pytest.mark.parametrize(("type_", "digits", "length", "values"), CASES)
def test_shape_equals_the_value_by_value_count(type_, digits, length, values):
    variable = _variable(type_, digits, length)
    assert _shape(variable, values) == _old_shape(variable, values)


def test_negative_zero_keeps_its_sign_in_the_length():
    # f"{-0.0:.2f}" is "-0.00" (5 characters); 0.0 and -0.0 share a hash slot, so the sign must not be lost
    assert _shape(_variable("float", 2), pd.Series([0.0, -0.0, 0.0])) == (5, 2)


def test_number_text_equals_numpy_positional_text():
    rng = np.random.default_rng(8)
    magnitudes = 10.0 ** rng.integers(-12, 22, 20_000)
    values = np.concatenate(
        [
            rng.normal(size=20_000) * magnitudes,
            np.round(rng.normal(size=20_000) * 100, 2),
            [0.1 + 0.2, 1e-5, 1e-4, 9.999e15, 1e16 + 2, -2.5e-7, 5e-324, 1.7976931348623157e308, np.inf, -np.inf],
        ]
    )
    for digits in (None, 0, 3):
        assert [_number_text(v, digits) for v in values] == [_old_number_text(v, digits) for v in values]


def _both_documents(monkeypatch, specs, frames, study: str) -> tuple[bytes, bytes]:
    new = write_define(define_from_adam(specs, frames, study, created=CREATED))
    with monkeypatch.context() as patch:
        patch.setattr(define_module, "_shape", _old_shape)
        old = write_define(define_from_adam(specs, frames, study, created=CREATED))
    return new, old


def test_pilot_define_is_byte_for_byte_the_same(monkeypatch):
    if not (REFERENCE / "sdtm" / "dm.xpt").exists():
        pytest.skip("CDISC pilot reference data not found: ../shared/reference/cdiscpilot01 (see its README)")
    pyreadstat = pytest.importorskip("pyreadstat")
    sdtm = {name: pyreadstat.read_xport(str(REFERENCE / "sdtm" / f"{name.lower()}.xpt"))[0] for name in PILOT_DOMAINS}
    specs = [load_spec(PILOT_SPECS / f"{name}.yaml") for name in ("adsl", "adae", "adtte")]
    adsl = derive(specs[0], sdtm)
    adae = derive(specs[1], sdtm, parents={"ADSL": adsl})
    adtte = derive(specs[2], sdtm, parents={"ADSL": adsl, "ADAE": adae})
    new, old = _both_documents(monkeypatch, specs, {"ADSL": adsl, "ADAE": adae, "ADTTE": adtte}, "CDISCPILOT01")
    assert b"SignificantDigits" in new or b"Length" in new
    assert new == old


def test_synthetic_study_define_is_byte_for_byte_the_same(monkeypatch):
    paths = sorted(SYNTHETIC_SPECS.glob("*.yaml"), key=lambda p: (p.stem != "adsl", p.stem))  # ADSL is a parent
    specs = [spec_from_mapping(yaml.safe_load(p.read_text()), origin=str(p)) for p in paths]
    mapping, inputs = synthetic_study(n_subjects=60, n_visits=4, seed=20261127)
    sdtm = build_study(mapping, inputs).domains
    frames: dict[str, pd.DataFrame] = {}
    for spec in specs:
        frames[spec.name] = derive(spec, sdtm, parents=frames)
    new, old = _both_documents(monkeypatch, specs, frames, "SYN-001")
    assert new.count(b"<ItemDef ") > 50
    assert new == old
