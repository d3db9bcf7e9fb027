"""Central statistical monitoring: every site against the rest of the sites, on every variable (pure).

Following Venet et al. (2012) and Kirkwood et al. (2013): per site vs the rest, terminal digit preference
(`digits`), variance too low or too high (`spread`), mean shift (`location`) per variable; weekday pattern per date
column (`dates`); duplicate records (`duplicates`); Mahalanobis outliers and inliers (`multivariate`); all p-values
Benjamini-Hochberg adjusted together and combined into one score per site with a ranking (`combine`).

`monitor_sites(source, variables=..., date_columns=...)` reads the records in `CsmChunk` blocks from a source it
calls once per pass (two passes; memory in `passes`) and returns a `CsmResult`: `SiteScore` rows ranked, each with
the `SiteTest` rows that drove it, and every test of every site. `collect_statistics` (the passes) and
`site_blocks` (the tests against a chosen reference set of sites) are its two halves. Bad input raises
`CsmInputError` (a ValueError) naming the argument.

References
----------
Venet D, Doffagne E, Burzykowski T, et al. (2012). A statistical approach to central monitoring of data quality
in clinical trials. Clinical Trials 9(6):705-713. doi:10.1177/1740774512447898
Kirkwood AA, Cox T, Hackshaw A (2013). Application of methods for central statistical monitoring in clinical
trials. Clinical Trials 10(5):783-806. doi:10.1177/1740774513494504
"""

from opencro.stats.csm.chunks import CsmChunk, Source
from opencro.stats.csm.combine import benjamini_hochberg_log
from opencro.stats.csm.dates import WEEKDAYS
from opencro.stats.csm.digits import MAX_DECIMALS, terminal_digits
from opencro.stats.csm.errors import CsmInputError
from opencro.stats.csm.passes import SiteStatistics, collect_statistics
from opencro.stats.csm.reference import site_blocks
from opencro.stats.csm.results import TESTS, CsmResult, MultivariateSummary, SiteScore, SiteTest
from opencro.stats.csm.stream import monitor_sites

__all__ = [
    "MAX_DECIMALS",
    "TESTS",
    "WEEKDAYS",
    "CsmChunk",
    "CsmInputError",
    "CsmResult",
    "MultivariateSummary",
    "SiteScore",
    "SiteStatistics",
    "SiteTest",
    "Source",
    "benjamini_hochberg_log",
    "collect_statistics",
    "monitor_sites",
    "site_blocks",
    "terminal_digits",
]
