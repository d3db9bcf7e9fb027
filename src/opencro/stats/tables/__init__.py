"""Statistics of clinical study report tables: descriptive summaries, tests on counts, CMH, ANCOVA.

Every method cites its source in its docstring and is tested against R (``tests/reference/tables/``).
"""

from opencro.stats.tables.categorical import chi_square_test, fisher_exact_test
from opencro.stats.tables.cmh import cmh_test
from opencro.stats.tables.descriptive import Description, describe, sas_quantile
from opencro.stats.tables.errors import TableStatisticsError
from opencro.stats.tables.linear_models import (
    AncovaResult,
    Comparison,
    Effect,
    LSMean,
    ancova,
    dose_response_test,
)
from opencro.stats.tables.results import TestResult

__all__ = [
    "AncovaResult",
    "Comparison",
    "Description",
    "Effect",
    "LSMean",
    "TableStatisticsError",
    "TestResult",
    "ancova",
    "chi_square_test",
    "cmh_test",
    "describe",
    "dose_response_test",
    "fisher_exact_test",
    "sas_quantile",
]
