"""`monitor_sites`: central statistical monitoring of streamed records, from the passes to the ranking.

The passes and what they keep (memory): `passes`. The tests against a reference set of sites and the clean
reference: `reference`. P-values to q-values, site scores and ranking: `combine`.

References
----------
Venet D, Doffagne E, Burzykowski T, et al. (2012). A statistical approach to central monitoring of data quality
in clinical trials. Clinical Trials 9(6):705-713. doi:10.1177/1740774512447898
Kirkwood AA, Cox T, Hackshaw A (2013). Application of methods for central statistical monitoring in clinical
trials. Clinical Trials 10(5):783-806. doi:10.1177/1740774513494504
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from opencro.stats.csm.chunks import Source
from opencro.stats.csm.combine import rank_sites, site_tests
from opencro.stats.csm.errors import CsmInputError
from opencro.stats.csm.passes import Progress, collect_statistics
from opencro.stats.csm.reference import clean_reference_sites, site_blocks
from opencro.stats.csm.results import CsmResult


def monitor_sites(
    source: Source,
    *,
    variables: Sequence[str],
    date_columns: Sequence[str] = (),
    fdr: float = 0.05,
    min_records: int = 5,
    top: int = 3,
    multivariate: bool = True,
    clean_reference: bool = True,
    progress: Progress | None = None,
) -> CsmResult:
    """Test every site against the rest of the sites on every variable, and rank the sites.

    Parameters
    ----------
    source
        Called once per pass, returns an iterable of `CsmChunk` (the same records each time).
    variables
        Names of the columns of each chunk's ``values``.
    date_columns
        Names of the columns of each chunk's ``dates`` (weekday test per column).
    fdr
        The false discovery rate: of tests (Benjamini-Hochberg over all tests of all sites) and of flagged sites.
    min_records
        A site (and the rest) needs at least this many values for a test to be run on it.
    top
        How many tests (smallest p-values) each site names as the drivers of its score.
    multivariate
        Run the Mahalanobis test (a second pass over the source); skipped, with `CsmResult.multivariate` None,
        when there are no more complete records than variables.
    clean_reference
        Take flagged sites out of the reference one at a time, then test every site against the sites left in
        (see Notes).
    progress
        Called after each chunk with (pass description, chunks read, records read).

    Returns
    -------
    CsmResult
        Sites ranked by score (`SiteScore`, with their top `SiteTest` rows) and every test of every site.

    Notes
    -----
    Tests per site vs the rest: terminal digits (`digits`), variance (`spread`), mean (`location`) per variable;
    weekdays per date column (`dates`); duplicate records (`duplicates`); Mahalanobis outliers and inliers over all
    variables (`multivariate`). Combination, score and ranking: `combine`. Passes and memory: `passes`.

    Clean reference: "the rest" of a site includes the anomalous sites, which pulls it towards them, so that clean
    sites look shifted the other way (swamping: a site with a third of the usual spread lowers the rest's variance
    and every clean site's variance looks high). With 4 fabricated sites among 40 of 40 subjects, the share of
    clean sites among the flagged ones was 0.083 over 20 seeded studies with all other sites as the rest, above the
    nominal 0.05; at 5,000 subjects a site, one site with every visit on a Sunday flags every other site. With
    `clean_reference` the flagged sites are taken out of the reference one at a time
    (`clean_reference_sites`), then every site is tested against the other sites of that reference: a site taken
    out is compared with all the sites left in, a site left in with the others left in.
    `CsmResult.reference_excluded` names the sites taken out.
    """
    if not 0 < fdr < 1:
        raise CsmInputError("fdr", f"must be between 0 and 1, got {fdr}")
    if min_records < 2:
        raise CsmInputError("min_records", f"must be at least 2, got {min_records}")
    if top < 1:
        raise CsmInputError("top", f"must be at least 1, got {top}")
    statistics = collect_statistics(
        source, variables=variables, date_columns=date_columns, multivariate=multivariate, progress=progress
    )
    labels = statistics.labels
    reference = clean_reference_sites(statistics, min_records, fdr) if clean_reference else None
    tests = site_tests(site_blocks(statistics, min_records, reference), labels)
    ranked = rank_sites(tests, labels, statistics.records, statistics.subjects, fdr, top)
    kept = np.ones(len(labels), dtype=bool) if reference is None else reference
    excluded = tuple(label for label, keep in zip(labels, kept, strict=True) if not keep)
    return CsmResult(
        sites=ranked,
        tests=tuple(tests),
        variables=statistics.variables,
        date_columns=statistics.date_columns,
        fdr=fdr,
        n_records=statistics.n_records,
        n_chunks=statistics.n_chunks,
        multivariate=statistics.multivariate,
        reference_excluded=excluded,
    )
