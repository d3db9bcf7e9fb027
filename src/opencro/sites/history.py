"""The ClinicalTrials.gov history of the registry, streamed from the database into `HistoryAggregator`.

Rows are read in chunks with a server-side cursor (`iterator`), so memory holds the per-facility sums, never the
rows. A row contributes to a facility's rate when its trial's enrolment is actual and its recruitment period known
(the trial's enrolment / its number of sites, over its months); it is a competing trial when the trial's
conditions contain the condition of interest and the site (or, when the site gives no status, the trial) is
recruiting, not yet recruiting or enrolling by invitation.
"""

from collections.abc import Iterable

import numpy as np
from django.db.models import BooleanField, ExpressionWrapper, Q, Value

from opencro.formats.ctgov import fold
from opencro.sites.models import HistoricalSite
from opencro.stats.feasibility import History, HistoryAggregator

RECRUITING = frozenset({"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"})
CHUNK = 20_000


def history_aggregate(*, countries: Iterable[str] | None = None, condition: str = "") -> History:
    """Aggregate the stored history (of these countries, ClinicalTrials.gov names; all when None)."""
    qs = HistoricalSite.objects.all()
    if countries is not None:
        qs = qs.filter(country__in=sorted(set(countries)))
    needle = fold(condition)
    matches = (
        ExpressionWrapper(Q(trial__conditions__contains=needle), output_field=BooleanField())
        if needle
        else Value(False)
    )
    rows = qs.annotate(matches=matches).values_list(
        "facility_key",
        "country",
        "city",
        "status",
        "trial_id",
        "trial__status",
        "trial__enrollment",
        "trial__enrollment_actual",
        "trial__site_count",
        "trial__months",
        "matches",
    )
    aggregator = HistoryAggregator()
    chunk: list[tuple] = []
    for row in rows.order_by().iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            _add(aggregator, chunk)
            chunk = []
    if chunk:
        _add(aggregator, chunk)
    return aggregator.finish()


def _add(aggregator: HistoryAggregator, chunk: list[tuple]) -> None:
    keys, countries, cities, statuses, trials, trial_statuses, enrolled, actual, sites, months, matches = zip(
        *chunk, strict=True
    )
    nan = float("nan")
    share = np.array(
        [e / s if a and e is not None and s else nan for e, a, s in zip(enrolled, actual, sites, strict=True)]
    )
    span = np.array([m if m is not None else nan for m in months])
    competing = [
        bool(match) and (status or trial_status) in RECRUITING
        for match, status, trial_status in zip(matches, statuses, trial_statuses, strict=True)
    ]
    aggregator.add(keys, countries, cities, share, span, competing, trials)
