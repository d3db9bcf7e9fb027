"""Mixed model for repeated measures (MMRM): unstructured covariance, REML, Satterthwaite or Kenward-Roger df."""

from opencro.stats.mmrm.errors import MmrmError
from opencro.stats.mmrm.model import mmrm
from opencro.stats.mmrm.results import MmrmComparison, MmrmLSMean, MmrmResult

__all__ = ["MmrmComparison", "MmrmError", "MmrmLSMean", "MmrmResult", "mmrm"]
