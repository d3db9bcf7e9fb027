"""Import ClinicalTrials.gov records into the registry's history: one trial row per NCT number, one row per site.

All or nothing: the records are written in one transaction; a trial imported again replaces its earlier row and
sites. Historical rows are public reference data, so the import writes one audit event (counts and the files'
names), not one record per row.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from opencro.accounts.models import User
from opencro.audit.models import AuditAction
from opencro.audit.services import audit_event
from opencro.formats.ctgov import TrialRecord, facility_key, fold
from opencro.sites.models import HistoricalSite, HistoricalTrial
from opencro.sites.services._access import registry_require
from opencro.studies.models import Study

BATCH = 2000  # trials per write batch


@dataclass(frozen=True)
class ImportResult:
    trials_created: int
    trials_replaced: int
    sites: int


def _conditions(record: TrialRecord) -> str:
    terms = dict.fromkeys(t for t in (fold(x) for x in (*record.conditions, *record.keywords, *record.mesh_terms)) if t)
    return "\n".join(terms)


def _trial(record: TrialRecord, now) -> HistoricalTrial:
    months = record.recruitment_months
    actual = record.enrollment_type == "ACTUAL"
    return HistoricalTrial(
        nct_id=record.nct_id,
        title=record.title[:500],
        phase=",".join(record.phase)[:60],
        status=record.overall_status[:30],
        conditions=_conditions(record),
        enrollment=record.enrollment,
        enrollment_actual=actual,
        start_date=record.start_date,
        end_date=record.primary_completion_date or record.completion_date,
        months=months if months is not None and months > 0 else None,
        site_count=len(record.facilities),
        imported_at=now,
    )


def ctgov_import(
    *,
    actor: User | None,
    study: Study | None,
    records: Iterable[TrialRecord],
    source: str = "",
    on_progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Store the records' trials and sites (`study`: where the manager works; None for the command line's system)."""
    if actor is not None:
        registry_require(actor, study)
    now = timezone.now()
    created = replaced = sites = done = 0
    with transaction.atomic():
        batch: dict[str, TrialRecord] = {}
        for record in records:
            batch[record.nct_id] = record  # the last record of an NCT number wins
            if len(batch) >= BATCH:
                c, r, s = _write(list(batch.values()), now)
                created, replaced, sites, done = created + c, replaced + r, sites + s, done + len(batch)
                batch = {}
                if on_progress:
                    on_progress(done)
        if batch:
            c, r, s = _write(list(batch.values()), now)
            created, replaced, sites, done = created + c, replaced + r, sites + s, done + len(batch)
            if on_progress:
                on_progress(done)
        audit_event(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type="site_registry.historicaltrial",
            object_id="ctgov",
            object_repr=f"ClinicalTrials.gov import {source}"[:255],
            study_id=study.pk if study is not None else None,
            changes={
                "trials_created": (None, str(created)),
                "trials_replaced": (None, str(replaced)),
                "sites": (None, str(sites)),
            },
        )
    return ImportResult(trials_created=created, trials_replaced=replaced, sites=sites)


def _write(records: list[TrialRecord], now) -> tuple[int, int, int]:
    ids = [r.nct_id for r in records]
    existing = set(HistoricalTrial.objects.filter(nct_id__in=ids).values_list("nct_id", flat=True))
    if existing:
        HistoricalTrial.objects.filter(nct_id__in=existing).delete()  # its sites go with it (cascade)
    trials = HistoricalTrial.objects.bulk_create([_trial(r, now) for r in records], batch_size=500)
    if any(t.pk is None for t in trials):  # backends that return no keys from a bulk insert
        by_nct = dict(HistoricalTrial.objects.filter(nct_id__in=ids).values_list("nct_id", "pk"))
        for t in trials:
            t.pk = by_nct[t.nct_id]
    rows = [
        HistoricalSite(
            trial_id=trial.pk,
            facility_key=facility_key(f)[:400],
            name=f.name[:300],
            city=f.city[:100],
            country=f.country[:100],
            status=f.status[:30],
        )
        for record, trial in zip(records, trials, strict=True)
        for f in record.facilities
    ]
    HistoricalSite.objects.bulk_create(rows, batch_size=2000)
    return len(records) - len(existing), len(existing), len(rows)
