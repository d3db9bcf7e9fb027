"""ISO 8601 --DTC text to dates, with partial-date imputation and its flag; relative days and durations.

ADaM numeric dates are held as pandas datetime64 at midnight (SAS's numeric date is the count of
days since 1960-01-01; the writer of a transport file converts). An --DTC value may be complete
("2014-01-02", with or without a time), lack the day ("2014-01") or the month too ("2014").
Imputation follows the ADaM IG's *DTF convention (ADaMIG v1.1, section 3.1.3): the flag is "D" when
only the day was imputed, "M" when month and day were, and blank when nothing was.
"""

from dataclasses import dataclass

import pandas as pd

_DTC = r"^\s*(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?(?:T.*)?\s*$"

AVERAGE_MONTH_DAYS = 365.25 / 12
AVERAGE_YEAR_DAYS = 365.25


@dataclass(frozen=True)
class ImputedDates:
    """Dates read from --DTC text and the imputation flag of each ("", "D" or "M")."""

    dates: pd.Series
    flags: pd.Series


def parse_dtc(values: pd.Series, *, impute_day: str = "none", impute_month: str = "none") -> ImputedDates:
    """Read --DTC text; impute a missing day/month ("first", "last") or leave the date missing ("none").

    A missing year is never imputed. Text that is not ISO 8601 (or an impossible date such as
    2014-02-30) gives a missing date and no flag.
    """
    text = values.map(lambda v: v if isinstance(v, str) else None)
    parts = text.str.extract(_DTC)
    year = pd.to_numeric(parts["year"], errors="coerce")
    month = pd.to_numeric(parts["month"], errors="coerce")
    day = pd.to_numeric(parts["day"], errors="coerce")
    flags = pd.Series("", index=values.index, dtype=object)

    no_month = year.notna() & month.isna()
    if impute_month != "none":
        month = month.where(~no_month, 1 if impute_month == "first" else 12)
        flags[no_month] = "M"
        day_rule = "first" if impute_month == "first" else "last"
        day = day.where(~no_month, 1 if day_rule == "first" else 31)
    no_day = year.notna() & month.notna() & day.isna()
    if impute_day != "none":
        if impute_day == "first":
            day = day.where(~no_day, 1)
        else:
            first = pd.to_datetime(
                pd.DataFrame({"year": year.where(no_day, 2000), "month": month.where(no_day, 1), "day": 1}),
                errors="coerce",
            )
            day = day.where(~no_day, first.dt.days_in_month)
        flags[no_day & (flags == "")] = "D"
    complete = year.notna() & month.notna() & day.notna()
    frame = pd.DataFrame({"year": year.where(complete), "month": month.where(complete), "day": day.where(complete)})
    dates = pd.to_datetime(frame, errors="coerce")
    flags[dates.isna()] = ""
    return ImputedDates(dates.astype("datetime64[ns]"), flags)


def as_dates(values: pd.Series) -> pd.Series:
    """A date view of a column: datetime64 kept (time dropped), complete ISO text read, the rest missing."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.normalize().astype("datetime64[ns]")
    return parse_dtc(values).dates


def study_day(dates: pd.Series, reference: pd.Series) -> pd.Series:
    """Relative day with no day 0: date - reference + 1 on or after the reference, date - reference before.

    CDISC SDTMIG v3.2 section 4.4.4 ("Use of the Study Day Variables"); ADaM uses the same rule for *DY.
    """
    days = (as_dates(dates) - as_dates(reference)).dt.days.astype(float)
    return days.where(days < 0, days + 1)


def duration(start: pd.Series, end: pd.Series, *, unit: str = "days", add_one: bool = True) -> pd.Series:
    """end - start (+1 day when `add_one`), in days, weeks, months (365.25/12 days) or years (365.25 days)."""
    days = (as_dates(end) - as_dates(start)).dt.days.astype(float)
    if add_one:
        days = days + 1
    divisor = {"days": 1.0, "weeks": 7.0, "months": AVERAGE_MONTH_DAYS, "years": AVERAGE_YEAR_DAYS}[unit]
    return days / divisor
