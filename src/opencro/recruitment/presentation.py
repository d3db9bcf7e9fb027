"""What the enrolment page and the API show of a forecast: calendar dates and the per-site interval strips."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from opencro.recruitment.forecasting import EnrolmentForecast, SiteRow

STRIP = 160  # width of a site's interval strip, pixels


@dataclass(frozen=True)
class SiteStrip:
    row: SiteRow
    low_x: float
    width: float
    mean_x: float
    prior_x: float


def chart_labels() -> dict[str, str]:
    """The enrolment chart's labels in the reader's language (`charts.enrolment_chart`)."""
    return {
        "title": _("Enrolment: actual, planned and forecast"),
        "x_label": _("Month"),
        "y_label": _("Subjects enrolled"),
        "actual": _("Actual"),
        "planned": _("Planned"),
        "forecast": _("Forecast (mean)"),
        "band": _("Forecast interval (90 %)"),
        "what_if": _("What-if (mean)"),
        "target": _("Target"),
    }


def site_strips(result: EnrolmentForecast) -> list[SiteStrip]:
    """Each site's 90 % interval on one scale shared by all sites (0 to the largest upper limit)."""
    top = max([result.plan.prior.quantile(0.95), *(row.high for row in result.sites)])

    def x(value: float) -> float:
        return round(2 + (STRIP - 4) * value / top, 1)

    return [
        SiteStrip(row, x(row.low), max(1.0, x(row.high) - x(row.low)), x(row.rate.mean), x(result.plan.prior.mean))
        for row in result.sites
    ]


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def summary(result: EnrolmentForecast) -> dict:
    """The headline figures as dates: median and 90 % interval of the time to target, by the planned last in."""
    out: dict = {"median_date": None, "p05_date": None, "p95_date": None, "what_if_median": None}
    if result.forecast is not None:
        t = result.forecast.time_to_target
        out |= {
            "median_date": _iso(result.date_at(t.median)),
            "p05_date": _iso(result.date_at(t.p05)),
            "p95_date": _iso(result.date_at(t.p95)),
        }
        by = result.forecast.expected_by_horizon
        if by is not None:
            out |= {
                "by_last_in_mean": result.enrolled + by.mean,
                "by_last_in_low": result.enrolled + int(by.p05),
                "by_last_in_high": result.enrolled + int(by.p95),
            }
    if result.what_if is not None:
        out["what_if_median"] = _iso(result.date_at(result.what_if.time_to_target.median))
    return out
