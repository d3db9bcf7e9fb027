"""Time-to-event analysis: Kaplan-Meier curves, the log-rank test and Cox proportional-hazards regression."""

from opencro.stats.survival.cox import CoxResult, CoxTerm, cox_ph
from opencro.stats.survival.errors import SurvivalInputError
from opencro.stats.survival.kaplan_meier import KaplanMeier, kaplan_meier
from opencro.stats.survival.logrank import logrank_test

__all__ = [
    "CoxResult",
    "CoxTerm",
    "KaplanMeier",
    "SurvivalInputError",
    "cox_ph",
    "kaplan_meier",
    "logrank_test",
]
