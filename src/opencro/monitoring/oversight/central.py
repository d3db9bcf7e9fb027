"""Central statistical monitoring of a study: its numeric eCRF data to `opencro.stats.csm`, and the run's ranking.

A record is one participant's visit (EventData): the variables are the study's numeric items (integer and float,
without a code list: coded answers are categories, not measurements), keyed by item OID, each at its first group
repeat; the date column is the visit date (the weekday test). Only pages first entered by the data cut count. The run
keeps the ranking with the tests that drove each site, so a monitor can open an issue from a site's finding.
Running needs `risk.manage` and a study-wide membership (it reads every site's data).
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterator

import numpy as np
from django.db import transaction
from django.utils import timezone

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.models import AuditAction
from opencro.audit.services import audit_event
from opencro.edc.models import ItemData
from opencro.monitoring.models import CsmRun
from opencro.monitoring.oversight.risk_services import study_wide_require
from opencro.stats.csm import CsmChunk, CsmResult, monitor_sites
from opencro.studies.models import Site, Study

NUMERIC_TYPES = ("integer", "float", "double", "decimal")
CHUNK = 5000


def _number(text: str | None) -> float:
    try:
        value = float(text) if text not in (None, "") else math.nan
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def study_records(study: Study, cut_on: dt.date) -> tuple[list[str], list[int], list[int], np.ndarray, np.ndarray]:
    """(variables, site id per record, subject id per record, values (n, p), visit dates (n, 1)) at the cut."""
    bound = timezone.make_aware(dt.datetime.combine(cut_on + dt.timedelta(days=1), dt.time.min))
    rows = (
        ItemData.objects.filter(
            form__study=study,
            form__first_entered_at__lt=bound,
            item_def__data_type__in=NUMERIC_TYPES,
            item_def__code_list__isnull=True,
            group_repeat=1,
        )
        .exclude(value__isnull=True)
        .exclude(value="")
        .values_list(
            "form__event_id", "form__site_id", "form__subject_id", "form__event__visit_date", "item_def__oid", "value"
        )
        .order_by()
    )
    records: dict[int, tuple[int, int, dt.date | None]] = {}
    cells: dict[int, dict[str, float]] = defaultdict(dict)
    for event_id, site_id, subject_id, visit_date, oid, value in rows.iterator(chunk_size=CHUNK):
        records.setdefault(event_id, (site_id, subject_id, visit_date))
        cells[event_id][oid] = _number(value)
    variables = sorted({oid for values in cells.values() for oid in values})
    column = {oid: j for j, oid in enumerate(variables)}
    order = sorted(records)
    values = np.full((len(order), len(variables)), np.nan)
    dates = np.full((len(order), 1), np.datetime64("NaT"), dtype="datetime64[D]")
    for i, event_id in enumerate(order):
        for oid, value in cells[event_id].items():
            values[i, column[oid]] = value
        if records[event_id][2] is not None:
            dates[i, 0] = np.datetime64(records[event_id][2], "D")
    sites = [records[e][0] for e in order]
    subjects = [records[e][1] for e in order]
    return variables, sites, subjects, values, dates


def _chunks(sites: list[int], subjects: list[int], values: np.ndarray, dates: np.ndarray) -> Iterator[CsmChunk]:
    site_arr, subject_arr = np.array(sites), np.array(subjects)
    for start in range(0, len(sites), CHUNK):
        end = start + CHUNK
        yield CsmChunk(site_arr[start:end], values[start:end], subject_arr[start:end], dates[start:end])


def _ranking(result: CsmResult, numbers: dict[str, tuple[int, str]]) -> list[dict]:
    ranking = []
    for score in result.sites:
        site_id, number = numbers[score.site]
        ranking.append(
            {
                "site_id": site_id,
                "site": number,
                "rank": score.rank,
                "score": score.score,
                "n_records": score.n_records,
                "n_subjects": score.n_subjects,
                "n_tests": score.n_tests,
                "n_significant": score.n_significant,
                "top": [
                    {
                        "test": t.test,
                        "variable": t.variable,
                        "p": t.pvalue,
                        "log10_p": t.log10_pvalue,
                        "q": t.qvalue,
                        "direction": t.direction,
                        "estimate": t.estimate,
                        "reference": t.reference,
                    }
                    for t in score.top
                ],
            }
        )
    return ranking


def csm_run(
    *, actor: User | None, study: Study, cut_on: dt.date, fdr: float = 0.05, known: StudyAccess | None = None
) -> CsmRun:
    """Run central statistical monitoring over the study's numeric data at the cut and keep the ranking."""
    if actor is not None:
        study_wide_require(actor, study, Perm.RISK_MANAGE, known)
    variables, sites, subjects, values, dates = study_records(study, cut_on)
    numbers = {str(s.pk): (s.pk, s.number) for s in Site.objects.filter(study=study)}
    ranking: list[dict] = []
    if variables and len({*sites}) >= 2:
        result = monitor_sites(
            lambda: _chunks([str(s) for s in sites], subjects, values, dates),
            variables=variables,
            date_columns=("visit_date",),
            fdr=fdr,
        )
        ranking = _ranking(result, numbers)
    with transaction.atomic():
        run = CsmRun.objects.create(
            study=study,
            cut_on=cut_on,
            created_at=timezone.now(),
            created_by=actor,
            n_subjects=len(set(subjects)),
            n_variables=len(variables),
            fdr=fdr,
            ranking=ranking,
        )
        flagged = [r["site"] for r in ranking if r["n_significant"]]
        audit_event(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="monitoring.csmrun",
            object_id=run.pk,
            object_repr=f"CSM {cut_on.isoformat()}",
            study_id=study.pk,
            changes={"flagged_sites": (None, ", ".join(flagged) or "-")},
        )
    return run
