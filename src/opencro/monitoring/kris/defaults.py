"""The default KRIs: the twelve of gsm's metric table (gsm 2.2.3, inst/workflow/2_metrics; reportingMetrics),
mapped to this platform's measures (`kris.measures`).

Each row: code, name, abbreviation, numerator, denominator, method, type, thresholds, minimum denominator, as gsm
publishes them (normal approximation for all twelve; thresholds -2,-1,2,3 for the adverse-event rates, -3,-2,2,3
otherwise; a minimum denominator of 30 days, data points, samples, queries or pages, and of 3 participants for the
participant proportions). Reference: Wu G, Wildfire J, et al. gsm: Good Statistical Monitoring, R package 2.2.3.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultKri:
    code: str
    name: str
    abbreviation: str
    numerator: str
    denominator: str
    kind: str
    thresholds: tuple[float, ...]
    min_denominator: float
    method: str = "normal"


AE_THRESHOLDS = (-2.0, -1.0, 2.0, 3.0)
THRESHOLDS = (-3.0, -2.0, 2.0, 3.0)

DEFAULT_KRIS: tuple[DefaultKri, ...] = (
    DefaultKri("kri0001", "Adverse Event Rate", "AE", "aes", "days_on_study", "rate", AE_THRESHOLDS, 30),
    DefaultKri("kri0002", "Serious Adverse Event Rate", "SAE", "saes", "days_on_study", "rate", AE_THRESHOLDS, 30),
    DefaultKri(
        "kri0003",
        "Non-Important Protocol Deviation Rate",
        "PD",
        "deviations_not_important",
        "days_on_study",
        "rate",
        THRESHOLDS,
        30,
    ),
    DefaultKri(
        "kri0004",
        "Important Protocol Deviation Rate",
        "IPD",
        "deviations_important",
        "days_on_study",
        "rate",
        THRESHOLDS,
        30,
    ),
    DefaultKri(
        "kri0005", "Grade 3+ Lab Abnormality Rate", "LB", "lab_high_grade", "lab_samples", "binary", THRESHOLDS, 30
    ),
    DefaultKri(
        "kri0006", "Study Discontinuation Rate", "SDSC", "study_discontinued", "enrolled", "binary", THRESHOLDS, 3
    ),
    DefaultKri(
        "kri0007",
        "Treatment Discontinuation Rate",
        "TDSC",
        "treatment_discontinued",
        "enrolled",
        "binary",
        THRESHOLDS,
        3,
    ),
    DefaultKri("kri0008", "Query Rate", "QRY", "queries", "data_points", "rate", THRESHOLDS, 30),
    DefaultKri("kri0009", "Outstanding Query Rate", "OQRY", "queries_old", "queries", "binary", THRESHOLDS, 30),
    DefaultKri(
        "kri0010", "Outstanding Data Entry Rate", "ODAT", "data_pages_late", "data_pages", "binary", THRESHOLDS, 30
    ),
    DefaultKri("kri0011", "Data Change Rate", "CDAT", "data_points_changed", "data_points", "binary", THRESHOLDS, 30),
    DefaultKri("kri0012", "Screen Failure Rate", "SF", "screen_failed", "screened", "binary", THRESHOLDS, 3),
)
