"""ISO 8601 date/time text as SDTM holds it: complete or partial, never padded, and study days from it.

SDTMIG v3.4 section 4.4.2: --DTC values are ISO 8601 extended format, right-truncated when a
component is unknown ("2026", "2026-03", "2026-03-14T09:30"); this module validates such text,
combines a collected date with a collected time, and computes --DY. Study day (SDTMIG 4.4.4) is
date - RFSTDTC + 1 on or after the reference date and date - RFSTDTC before it: there is no day 0,
and it is computed only when both dates are complete.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

#: Right-truncated ISO 8601 date/time (extended format), with optional seconds fraction and time zone.
ISO8601_DTC = re.compile(
    r"(?P<y>\d{4})"
    r"(?:-(?P<m>0[1-9]|1[0-2])"
    r"(?:-(?P<d>0[1-9]|[12]\d|3[01])"
    r"(?:T(?P<H>[01]\d|2[0-3])"
    r"(?::(?P<M>[0-5]\d)"
    r"(?::(?P<S>[0-5]\d)(?:\.\d+)?)?)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?)?)?"
)
_TIME = re.compile(r"([01]\d|2[0-3])(:[0-5]\d(:[0-5]\d(\.\d+)?)?)?")


def is_iso8601(text: str) -> bool:
    """True when `text` is a complete or right-truncated ISO 8601 date/time with a real calendar date."""
    match = ISO8601_DTC.fullmatch(text)
    if match is None:
        return False
    if match["d"] is None:
        return True
    try:
        date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return False
    return True


def combine_date_time(dates: pd.Series, times: pd.Series) -> pd.Series:
    """ "date" + "T" + "time" where the date is complete and the time given; else the date alone (partial kept)."""
    dates = dates.astype(object).where(dates.notna(), None)
    times = times.astype(object).where(times.notna(), None)
    out = dates.copy()
    ok = dates.notna() & times.notna() & (dates.astype(str).str.len() == 10)
    ok &= times.astype(str).str.fullmatch(_TIME.pattern).fillna(False).astype(bool)
    out[ok] = dates[ok].astype(str) + "T" + times[ok].astype(str)
    return out


def complete_dates(values: pd.Series) -> pd.Series:
    """The calendar date of each value holding a complete date (first 10 characters), NaT otherwise."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    head = pd.Series(uniques, dtype=object).astype(str).str.slice(0, 10)
    head = head.where(head.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool), "")
    converted = pd.to_datetime(head, format="%Y-%m-%d", errors="coerce").to_numpy()
    out = np.full(len(codes), np.datetime64("NaT", "ns"), dtype="datetime64[ns]")
    given = codes >= 0
    out[given] = converted[codes[given]]
    return pd.Series(out, index=values.index)


def study_day(dates: pd.Series, reference: pd.Series) -> pd.Series:
    """--DY of each date relative to the reference (RFSTDTC): no day 0; NaN unless both dates are complete."""
    days = (complete_dates(dates) - complete_dates(reference)).dt.days.astype(float)
    return pd.Series(np.where(days >= 0, days + 1, days), index=dates.index, dtype=float)
