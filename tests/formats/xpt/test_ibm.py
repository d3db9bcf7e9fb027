"""IBM 370 double conversion: exact both ways, known bit patterns, SAS missing values (TS-140)."""

import numpy as np
import pytest

from opencro.formats.xpt.ibm import IBM_MIN, ibm_to_ieee, ieee_to_ibm, missing_bytes, out_of_range


def _hex(value: float) -> str:
    return bytes(ieee_to_ibm(np.array([value]))[0]).hex()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # TS-140's worked example and hand-derived patterns: 1 = 0x41 100000..., 0.1 = 0x40 1999...9A.
        (-118.625, "c276a00000000000"),
        (1.0, "4110000000000000"),
        (-1.0, "c110000000000000"),
        (0.1, "401999999999999a"),
        (16.0, "4210000000000000"),
        (0.0, "0000000000000000"),
        (-0.0, "0000000000000000"),
        (float("nan"), "2e00000000000000"),
        (2.0**-260, "0010000000000000"),
    ],
)
def test_known_patterns(value: float, expected: str) -> None:
    assert _hex(value) == expected


def test_round_trip_is_exact_over_the_range() -> None:
    rng = np.random.default_rng(20261126)
    exponents = rng.uniform(-259, 251, 20000)
    values = rng.choice([-1.0, 1.0], 20000) * np.exp2(exponents) * rng.uniform(1, 2, 20000)
    values = np.concatenate(
        [values, [0.1, 0.2, 0.3, 1 / 3, 2 / 3, 1e-70, 1e75, -7.2e75, IBM_MIN, np.nextafter(16.0**63, 0), 5e-324 * 0]]
    )
    back, codes = ibm_to_ieee(ieee_to_ibm(values))
    assert np.array_equal(back, values)
    assert all(code is None for code in codes)


def test_out_of_range_values_are_flagged_and_refused() -> None:
    values = np.array([1e-80, 16.0**63, float("inf"), -float("inf"), 5e-324, 1.0, float("nan"), 0.0])
    assert out_of_range(values).tolist() == [True, True, True, True, True, False, False, False]
    with pytest.raises(ValueError, match="IBM 370"):
        ieee_to_ibm(values)


def test_missing_values_are_decoded_with_their_code() -> None:
    raw = np.frombuffer(
        missing_bytes() + missing_bytes("A") + missing_bytes("Z") + missing_bytes("_") + bytes(8), dtype=np.uint8
    ).reshape(-1, 8)
    values, codes = ibm_to_ieee(raw)
    assert np.isnan(values[:4]).all() and values[4] == 0.0
    assert codes.tolist() == ["", "A", "Z", "_", None]


def test_a_non_missing_number_starting_with_a_missing_byte_is_a_number() -> None:
    # 0x41 followed by a non-zero fraction is 16^1 * 0.1 = 1.0, not ".A".
    values, codes = ibm_to_ieee(np.frombuffer(bytes.fromhex("4110000000000000"), dtype=np.uint8).reshape(1, 8))
    assert values.tolist() == [1.0] and codes.tolist() == [None]


def test_truncated_numerics_are_zero_padded() -> None:
    # A length-3 numeric holding 8 (IBM 0x41 80 00): pandas-dev/pandas#21616 describes the same padding rule.
    values, _ = ibm_to_ieee(np.frombuffer(bytes.fromhex("418000"), dtype=np.uint8).reshape(1, 3))
    assert values.tolist() == [8.0]


def test_ibm_fraction_wider_than_ieee_rounds_to_nearest() -> None:
    # 0x41 1000000000000001: 1 + 2^-52 exactly representable; 0x41 10000000000000008 needs rounding.
    exact, _ = ibm_to_ieee(np.frombuffer(bytes.fromhex("4110000000000001"), dtype=np.uint8).reshape(1, 8))
    assert exact[0] == 1 + 2.0**-52
