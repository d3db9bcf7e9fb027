"""Which sites each site is compared with: all tests of all sites against a reference set of sites, and the
clean reference left once flagged sites are taken out one at a time."""

from __future__ import annotations

import numpy as np

from opencro.stats.csm.combine import benjamini_hochberg_log, block_site_log_p
from opencro.stats.csm.dates import weekday_tests
from opencro.stats.csm.digits import digit_tests
from opencro.stats.csm.duplicates import duplicate_tests
from opencro.stats.csm.location import mean_tests
from opencro.stats.csm.multivariate import distance_test
from opencro.stats.csm.passes import SiteStatistics
from opencro.stats.csm.pvalues import TestBlock
from opencro.stats.csm.spread import variance_tests


def site_blocks(statistics: SiteStatistics, min_records: int, reference: np.ndarray | None = None) -> list[TestBlock]:
    """Every test of every site against the other sites of `reference` (a boolean mask over sites; all by default)."""
    st = statistics
    rest = st.moments.rest(reference)
    blocks: list[TestBlock] = []
    blocks += digit_tests(st.digits, st.variables, min_records, reference)
    blocks += variance_tests(st.moments, rest, st.variables, min_records)
    blocks += mean_tests(st.moments, rest, st.variables, min_records)
    if st.date_columns:
        blocks += weekday_tests(st.weekdays, st.date_columns, min_records, reference)
    blocks.append(duplicate_tests(st.records_with_values, st.duplicates, min_records, reference))
    if st.log_d2 is not None:
        blocks.append(distance_test(st.log_d2, min_records, reference))
    return blocks


def clean_reference_sites(statistics: SiteStatistics, min_records: int, fdr: float) -> np.ndarray:
    """The sites left in the reference once the flagged ones have been taken out, one at a time.

    Starting from all sites, test every site against the rest of the reference, combine each site's p-values
    (Simes) and BH-adjust them over the sites; while a site of the reference is flagged, take out the one with the
    smallest combined p-value and test again. Stops when no site of the reference is flagged, or when taking out
    another would leave no strict majority of the sites in it (no majority, nothing to call typical). Each round
    recomputes the tests from the kept per-site statistics (no pass over the records).

    One site at a time rather than all flagged at once: with 5,000 subjects a site, a single fabricated site
    swamps the others (every visit on a Sunday gives the rest a Sunday share that clean sites, with none, differ
    from at p ~ 1e-5), so that a first round flags every site and leaves nothing to compare with; removing the
    worst site first undoes the swamping it caused before the next decision.

    References
    ----------
    Rousseeuw PJ, Leroy AM (1987). Robust Regression and Outlier Detection. Wiley, chapter 6 (masking and
    swamping of outlier diagnostics by the outliers themselves). doi:10.1002/0471725382
    """
    n_sites = len(statistics.labels)
    reference = np.ones(n_sites, dtype=bool)
    log_fdr = np.log(fdr)
    while n_sites - reference.sum() < (n_sites - 1) // 2:  # the reference keeps a strict majority
        site_log_p = block_site_log_p(site_blocks(statistics, min_records, reference), n_sites)
        flagged = (benjamini_hochberg_log(site_log_p) <= log_fdr) & reference
        if not flagged.any():
            break
        reference[np.flatnonzero(flagged)[np.argmin(site_log_p[flagged])]] = False
    return reference
