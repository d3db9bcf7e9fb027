"""IBM System/370 double precision <-> IEEE 754 binary64, exactly, vectorised with numpy.

SAS XPORT v5 stores every numeric as an IBM 370 hexadecimal floating-point number (SAS Institute,
TS-140 "The record layout of a data set in SAS transport (XPORT) format", section "Numeric data
fields"): 1 sign bit, a 7-bit base-16 exponent biased by 64, and a 56-bit fraction 0.F with a
non-zero leading hex digit, so that value = (-1)^s * F / 2^56 * 16^(E - 64).

IEEE -> IBM is exact for every finite double whose magnitude lies in [16^-65, 16^63): the 53-bit
significand fits in the 56-bit fraction whatever the hex alignment (at most 3 leading zero bits).
IBM -> IEEE rounds once, to nearest-even, when the fraction holds more than 53 significant bits
(only for files from other writers); every number in the IBM range is a normal double.

SAS missing values are stored as the bytes of the missing code followed by seven zero bytes:
"." is 0x2E, "._" is 0x5F and ".A"-".Z" are 0x41-0x5A (TS-140, "Missing values").
"""

from __future__ import annotations

import numpy as np

_FRACTION_MASK = np.uint64((1 << 56) - 1)
_IEEE_MANTISSA_MASK = np.uint64((1 << 52) - 1)

#: Smallest magnitude an IBM 370 double can hold (normalised), and the bound every magnitude stays below.
IBM_MIN = 16.0**-65
IBM_LIMIT = 16.0**63

#: Special-missing codes accepted by SAS besides "." (the ordinary missing value).
SPECIAL_MISSING_CODES = ("_", *(chr(c) for c in range(ord("A"), ord("Z") + 1)))
_MISSING_FIRST_BYTES = {ord("."): "", ord("_"): "_", **{c: chr(c) for c in range(ord("A"), ord("Z") + 1)}}


def missing_bytes(code: str = "") -> bytes:
    """Return the 8 bytes of a SAS missing value: "" for ".", "A"-"Z" or "_" for the special ones."""
    if code == "":
        return b"." + bytes(7)
    if code not in SPECIAL_MISSING_CODES:
        raise ValueError(f"not a SAS special missing code: {code!r}")
    return code.encode("ascii") + bytes(7)


def out_of_range(values: np.ndarray) -> np.ndarray:
    """Boolean mask of the finite, non-zero values an IBM 370 double cannot represent, and of infinities."""
    values = np.asarray(values, dtype=np.float64)
    magnitude = np.abs(values)
    with np.errstate(invalid="ignore"):
        return np.isinf(values) | (
            (magnitude != 0) & ~np.isnan(values) & ((magnitude < IBM_MIN) | (magnitude >= IBM_LIMIT))
        )


def ieee_to_ibm(values: np.ndarray) -> np.ndarray:
    """Convert float64 values to big-endian IBM 370 doubles: an (n, 8) uint8 array.

    NaN becomes the ordinary missing value "."; zero (either sign) becomes eight zero bytes.
    Values for which `out_of_range` is true must be rejected by the caller beforehand; this
    function raises ValueError if any is present.
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    if out_of_range(values).any():
        raise ValueError("value outside the IBM 370 double range (or infinite)")
    bits = values.view(np.uint64)
    sign = bits >> np.uint64(63)
    biased = ((bits >> np.uint64(52)) & np.uint64(0x7FF)).astype(np.int64)
    significand = (bits & _IEEE_MANTISSA_MASK) | np.uint64(1 << 52)
    # value = significand * 2^(p - 52) with p the unbiased binary exponent; choose the hex
    # exponent q = floor(p / 4) + 1 so that 1/16 <= value / 16^q < 1, then F = significand << (p mod 4).
    p = biased - 1023
    q = np.floor_divide(p, 4) + 1
    shift = (p - 4 * (q - 1)).astype(np.uint64)
    fraction = significand << shift
    word = (sign << np.uint64(63)) | ((q + 64).astype(np.uint64) << np.uint64(56)) | (fraction & _FRACTION_MASK)
    zero = values == 0
    nan = np.isnan(values)
    word = np.where(zero | nan, np.uint64(0), word)
    word = np.where(nan, np.uint64(0x2E) << np.uint64(56), word)
    return word.astype(">u8").view(np.uint8).reshape(-1, 8)


def ibm_to_ieee(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert an (n, width) uint8 array of IBM 370 doubles (width 2-8, truncated ones zero-padded) to float64.

    Returns the values (NaN for every missing value) and an object array holding, per row, the
    missing code: None for a number, "" for ".", "A"-"Z" or "_" for a special missing value.
    """
    raw = np.asarray(raw, dtype=np.uint8)
    if raw.ndim != 2 or not 2 <= raw.shape[1] <= 8:
        raise ValueError("IBM doubles must be given as an (n, 2..8) byte array")
    padded = np.zeros((raw.shape[0], 8), dtype=np.uint8)
    padded[:, : raw.shape[1]] = raw
    word = padded.view(">u8").reshape(-1).astype(np.uint64)
    first = padded[:, 0]
    rest_zero = ~padded[:, 1:].any(axis=1)
    sign = np.where((word >> np.uint64(63)) == 1, -1.0, 1.0)
    exponent = ((word >> np.uint64(56)) & np.uint64(0x7F)).astype(np.int64)
    fraction = (word & _FRACTION_MASK).astype(np.int64).astype(np.float64)
    values = sign * np.ldexp(fraction, (4 * (exponent - 64) - 56).astype(np.int32))
    codes = np.full(raw.shape[0], None, dtype=object)
    is_missing = np.zeros(raw.shape[0], dtype=bool)
    for byte, code in _MISSING_FIRST_BYTES.items():
        hit = rest_zero & (first == byte)
        if hit.any():
            codes[hit] = code
            is_missing |= hit
    values[is_missing] = np.nan
    values[values == 0] = 0.0  # no negative zero
    return values, codes
