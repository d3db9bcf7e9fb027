"""Central statistical monitoring of a study: its numeric eCRF data to `opencro.stats.csm`, and the run's ranking.

A record is one participant: the variables are the study's numeric items (integer and float, without a code list:
coded answers are categories, not measurements) at each visit, the date columns the visits' dates (the weekday
test). Only pages first entered by the data cut count. The run
keeps the ranking with the tests that drove each site, so a monitor can open an issue from a site's finding.
Running needs `risk.manage`; the pages show a site-restricted reader the rows of their sites only.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterator

import numpy as np
from django.db import transaction
from django.utils import timezone

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.models import AuditAction
from opencro.audit.services import audit_event
from opencro.edc.models import ItemData
from opencro.monitoring.kris.measures import data_cut
from opencro.monitoring.models import CsmRun
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


def study_records(
    study: Study, cut_on: dt.date
) -> tuple[list[str], list[str], list[int], list[int], np.ndarray, np.ndarray]:
    """(variables, date columns, site id per record, subject id per record, values (n, p), visit dates (n, k)).

    One record per participant, so that records are independent (a participant's visits are not): a variable is an
    item at a visit, `SE.W4:IT.SYSBP` (first repeat of the visit and of the item's group), as Venet et al. (2012)
    treat each item x visit as a variable; a date column is a visit's date (`SE.W4`).
    """
    cut = data_cut(Site.objects.filter(study=study), cut_on)  # the cut date on each site's calendar
    rows = (
        ItemData.objects.filter(cut.before("form__first_entered_at", "form__site_id", ranged=False))
        .filter(
            form__study=study,
            form__event__repeat_key=1,
            item_def__data_type__in=NUMERIC_TYPES,
            item_def__code_list__isnull=True,
            group_repeat=1,
        )
        .exclude(value__isnull=True)
        .exclude(value="")
        .values_list(
            "form__subject_id",
            "form__site_id",
            "form__event__event_oid",
            "form__event__visit_date",
            "item_def__oid",
            "value",
        )
        .order_by()
    )
    sites: dict[int, int] = {}
    cells: dict[int, dict[str, float]] = defaultdict(dict)
    visit_dates: dict[int, dict[str, dt.date]] = defaultdict(dict)
    for subject_id, site_id, event_oid, visit_date, oid, value in rows.iterator(chunk_size=CHUNK):
        sites.setdefault(subject_id, site_id)
        cells[subject_id][f"{event_oid}:{oid}"] = _number(value)
        if visit_date is not None:
            visit_dates[subject_id][event_oid] = visit_date
    variables = sorted({name for values in cells.values() for name in values})
    date_columns = sorted({event for dates in visit_dates.values() for event in dates})
    column = {name: j for j, name in enumerate(variables)}
    date_column = {event: j for j, event in enumerate(date_columns)}
    order = sorted(sites)
    values = np.full((len(order), len(variables)), np.nan)
    dates = np.full((len(order), len(date_columns)), np.datetime64("NaT", "D"), dtype="datetime64[D]")
    for i, subject_id in enumerate(order):
        for name, value in cells[subject_id].items():
            values[i, column[name]] = value
        for event, day in visit_dates[subject_id].items():
            dates[i, date_column[event]] = np.datetime64(day, "D")
    return variables, date_columns, [sites[s] for s in order], order, values, dates


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
                "flagged": score.flagged,
                "site_q": score.site_qvalue,
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
        access_require(actor, study, Perm.RISK_MANAGE, known=known)
    variables, date_columns, sites, subjects, values, dates = study_records(study, cut_on)
    numbers = {str(s.pk): (s.pk, s.number) for s in Site.objects.filter(study=study)}
    ranking: list[dict] = []
    if variables and len({*sites}) >= 2:
        result = monitor_sites(
            lambda: _chunks([str(s) for s in sites], subjects, values, dates),
            variables=variables,
            date_columns=date_columns,
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
        flagged = [r["site"] for r in ranking if r["flagged"]]
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
