"""How numbers are printed in the tables: decimals rounded half away from zero, "n (%)", p-values.

Rounding follows SAS's ROUND and PUT with a w.d format (half away from zero, applied to the decimal value
shown with 12 significant digits, so 42.65 stored as 42.6499999... prints 42.7), not Python's round-half-even.
"""

import math
from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float, decimals: int) -> Decimal:
    """`value` rounded to `decimals` places, half away from zero, after reading it to 12 significant digits.

    Parameters
    ----------
    value : float
        The number to round.
    decimals : int
        Places after the decimal point.

    Returns
    -------
    decimal.Decimal
        The rounded value, exact.

    Notes
    -----
    Reading the binary float to 12 significant digits first treats 42.6499999999 (the float nearest 42.65) as
    42.65, as SAS's ROUND function does with its fuzz; R's ``round`` (R >= 4.0) instead rounds the float's exact
    value, and so gives 42.6 or the even neighbour for exactly representable halves (40.25 -> 40.2).

    References
    ----------
    .. [1] SAS Institute Inc. SAS Functions and CALL Routines: Reference, "ROUND Function" (rounding half away
       from zero, with a fuzz of a few ulps for values that are not exactly representable).
    .. [2] IEEE 754-2019, Standard for Floating-Point Arithmetic, section 4.3 (roundTiesToAway versus
       roundTiesToEven). https://doi.org/10.1109/IEEESTD.2019.8766229
    """
    exact = Decimal(f"{value:.12g}")
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def fmt_number(value: float | None, decimals: int, *, missing: str = "") -> str:
    """A number with a fixed number of decimals ("-0.0" printed as "0.0"); `missing` for None or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    rounded = round_half_up(float(value), decimals)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:.{decimals}f}"


def fmt_count(n: int | float) -> str:
    return str(int(n))


def fmt_percent(n: int, denominator: int, decimals: int = 0, *, small_percent: bool = False, pad: bool = True) -> str:
    """The percentage part of "n (%)": padded to a fixed width so that columns line up in monospace.

    With `small_percent`, a percentage above zero that rounds to zero prints as "<1" (or "<0.1").
    """
    if denominator <= 0:
        return ""
    pct = 100.0 * n / denominator
    text = fmt_number(pct, decimals)
    if small_percent and n > 0 and float(text) == 0:
        text = "<" + fmt_number(10.0**-decimals, decimals)
    width = 3 + decimals  # "100" at 0 decimals; "75.6" (" 2.3") at 1, as the pilot tables pad
    return text.rjust(width) if pad else text


def fmt_count_pct(
    n: int,
    denominator: int,
    decimals: int = 0,
    *,
    zero_percent: bool = False,
    small_percent: bool = False,
    pad: bool = True,
) -> str:
    """ "n (pct%)" as clinical tables print it; a zero count is just "0" unless `zero_percent`."""
    if n == 0 and not zero_percent:
        return "0"
    if denominator <= 0:
        return fmt_count(n)
    return f"{n} ({fmt_percent(n, denominator, decimals, small_percent=small_percent, pad=pad)}%)"


def fmt_pvalue(p: float | None, decimals: int = 4, *, flag_below: float | None = None) -> str:
    """A p-value: "<.0001" below the smallest printable value, ">.99" (or ">.999") above, else fixed decimals.

    `flag_below` appends "*" to p-values under that level (the pilot's AE table flags p < 0.15).
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    floor = 10.0**-decimals
    if p < floor:
        text = "<." + "0" * (decimals - 1) + "1"
    elif round_half_up(p, decimals) >= 1 or p > 1 - 10.0 ** -(decimals - 1):
        text = ">." + "9" * (decimals - 1)
    else:
        text = fmt_number(p, decimals)
    if flag_below is not None and p < flag_below:
        text += "*"
    return text


def data_precision(values: list[float]) -> int:
    """The number of decimals the data are recorded with: the most any value needs (at most 8)."""
    most = 0
    for value in values:
        if value is None or math.isnan(value):
            continue
        text = f"{value:.8f}".rstrip("0")
        decimals = len(text.split(".")[1]) if "." in text else 0
        most = max(most, decimals)
    return most


def decimals_for(stat: str, rule: int | str | None, precision: int) -> int:
    """Decimals of a summary statistic: an explicit number, "+k" (data precision + k), or the usual defaults.

    The defaults follow the common convention: min and max as recorded, mean and median one more, SD and SE two
    more; n is a count.
    """
    if stat == "n":
        return 0
    if isinstance(rule, int):
        return rule
    if isinstance(rule, str):
        return precision + int(rule[1:])
    extra = {"mean": 1, "median": 1, "q1": 1, "q3": 1, "sd": 2, "se": 2, "min": 0, "max": 0}[stat]
    return precision + extra
