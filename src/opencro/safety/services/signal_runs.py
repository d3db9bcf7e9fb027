"""Signal runs: start one (checked, the upload stored, the background job submitted) and record what it found.

`signal_run_start` is the entry point (safety.edit, study-wide members only: a run reads every case of the
study, or a whole external database, which a site-restricted role must not weigh). `signal_run_record` is what
the `safety.signals` job calls with its results; it is not a permission-checked entry point (the job was
checked when it was submitted) and writes everything of a run in one transaction: the run's counts and prior, the
study's new `Signal`s and one `SignalEvidence` per candidate, all on the audit trail.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.audit.models import AuditAction
from opencro.audit.services import Change, audit_batch, audit_changes, audited_save
from opencro.edc.interchange import upload_path
from opencro.formats.faers import ROLES
from opencro.jobs.services import job_submit
from opencro.safety.models import Signal, SignalEvidence, SignalRun, SignalSource, SignalStatus
from opencro.safety.services.signals import signal_require
from opencro.stats.signals import COLUMNS, SignalInputError, Thresholds
from opencro.studies.models import Study

JOB_NAME = "safety.signals"
TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".parquet", ".pq")
MAX_SIGNAL_UPLOAD = 2**30  # 1 GiB per file: a FAERS quarter's zip is about 70 MB
MAX_FILES = 40  # ten years of FAERS quarters
NAME_LENGTH = 250  # Signal.product / Signal.event
MEASURES = tuple(c for c in COLUMNS if c not in ("product", "event", "n"))
TABLE_OPTIONS = ("report_col", "product_col", "event_col", "strata_col")
DEFAULT_COLUMNS = {"report_col": "report", "product_col": "product", "event_col": "event"}


class Upload(Protocol):
    """An uploaded file: Django's UploadedFile (pages and API) or anything with these members."""

    name: str | None
    size: int | None

    def chunks(self) -> Any: ...


def _text(value: object) -> str:
    return str(value or "").strip()


def _options_clean(source: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """The run's reading options for `source`, checked; a ValidationError names each bad option."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    raw_min = options.get("min_count", 1)
    try:
        min_count = int(raw_min) if not isinstance(raw_min, bool) and str(raw_min).strip() else 1
    except (TypeError, ValueError):
        min_count = 0
    if min_count < 1 or (isinstance(raw_min, float) and not raw_min.is_integer()):
        errors["min_count"] = _("Give a whole number of reports of 1 or more.")
    cleaned["min_count"] = min_count
    if source == SignalSource.TABLE:
        for key in TABLE_OPTIONS:
            value = _text(options.get(key)) or DEFAULT_COLUMNS.get(key, "")
            if len(value) > 100:
                errors[key] = _("A column name has at most 100 characters.")
            cleaned[key] = value
        named = [cleaned[k] for k in TABLE_OPTIONS if cleaned[k]]
        for key in TABLE_OPTIONS:
            if cleaned[key] and named.count(cleaned[key]) > 1 and key not in errors:
                errors[key] = _("Column %(name)s is named for two roles.") % {"name": cleaned[key]}
    elif source == SignalSource.FAERS:
        roles = options.get("roles") or ["PS", "SS"]
        if isinstance(roles, str):
            roles = roles.split(",")
        chosen = list(dict.fromkeys(_text(r).upper() for r in roles if _text(r)))
        unknown = [r for r in chosen if r not in ROLES]
        if unknown or not chosen:
            errors["roles"] = _("Choose drug roles among PS, SS, C and I.")
        cleaned["roles"] = chosen
        cleaned["prod_ai"] = bool(options.get("prod_ai"))
        cleaned["keep_deleted"] = bool(options.get("keep_deleted"))
        strata = _text(options.get("strata_col"))
        if len(strata) > 100:
            errors["strata_col"] = _("A column name has at most 100 characters.")
        cleaned["strata_col"] = strata
    if errors:
        raise ValidationError(errors)
    return cleaned


def _thresholds_clean(values: Mapping[str, Any]) -> Thresholds:
    """Thresholds from form or API values; a ValidationError names the bad threshold."""
    try:
        return Thresholds.from_dict(dict(values))
    except SignalInputError as exc:
        raise ValidationError({exc.parameter: exc.message}) from None
    except TypeError as exc:
        raise ValidationError({"thresholds": str(exc)}) from None


def _products_clean(products: Sequence[str]) -> list[str]:
    """Products of interest: trimmed, blank ones dropped, each kept once (compared without case)."""
    kept: dict[str, str] = {}
    for product in products:
        name = _text(product)
        if len(name) > NAME_LENGTH:
            raise ValidationError({"products": _("A product name has at most 250 characters.")})
        if name and name.casefold() not in kept:
            kept[name.casefold()] = name
    return list(kept.values())


def _check_upload(source: str, upload: Sequence[Upload]) -> None:
    if source == SignalSource.CASES:
        if upload:
            raise ValidationError({"file": _("The study's own cases are read from the database: send no file.")})
        return
    if not upload:
        raise ValidationError({"file": _("Choose the file to analyse.")})
    if source == SignalSource.TABLE and len(upload) != 1:
        raise ValidationError({"file": _("Send one report table.")})
    if len(upload) > MAX_FILES:
        raise ValidationError({"file": _("Send at most %(n)s files.") % {"n": MAX_FILES}})
    for item in upload:
        suffix = Path(item.name or "").suffix.lower()
        if source == SignalSource.TABLE and suffix not in TABLE_SUFFIXES:
            raise ValidationError({"file": _("A report table is a .csv, .tsv or .parquet file.")})
        if source == SignalSource.FAERS and suffix != ".zip":
            raise ValidationError({"file": _("FAERS quarterly extracts are FDA's zip files (faers_ascii_2024q1.zip).")})
        if item.size is not None and item.size > MAX_SIGNAL_UPLOAD:
            raise ValidationError({"file": _("A file has at most 1 GB.")})


def _store(upload: Sequence[Upload]) -> list[str]:
    """Write the uploads under var/uploads (names of our own, suffix kept); return their paths."""
    paths: list[str] = []
    try:
        for item in upload:
            target = upload_path(Path(item.name or "").suffix.lower() or ".bin")
            paths.append(str(target))
            written = 0
            with target.open("wb") as out:
                for chunk in item.chunks():
                    written += len(chunk)
                    if written > MAX_SIGNAL_UPLOAD:
                        raise ValidationError({"file": _("A file has at most 1 GB.")})
                    out.write(chunk)
    except BaseException:
        _discard(paths)
        raise
    return paths


def _discard(paths: Sequence[str]) -> None:
    for path in paths:
        Path(path).unlink(missing_ok=True)


def signal_run_start(
    *,
    actor: User,
    study: Study,
    source: str,
    upload: Sequence[Upload] | None = None,
    options: Mapping[str, Any],
    thresholds: Mapping[str, Any],
    products: Sequence[str],
) -> SignalRun:
    """Start a signal run on `study`: check, store the upload, create the run and submit its job.

    The job (`safety.signals`) starts once this transaction commits; the upload is deleted when it ends.
    """
    signal_require(actor, study.pk)
    if source not in SignalSource.values:
        raise ValidationError({"source": _("Choose a report table, FAERS extracts or the study's cases.")})
    files = list(upload or [])
    _check_upload(source, files)
    cleaned = _options_clean(source, options)
    rules = _thresholds_clean(thresholds)
    chosen = _products_clean(products)
    names = ", ".join(Path(f.name or "").name for f in files)
    source_name = (names[: NAME_LENGTH - 1] + "…") if len(names) > NAME_LENGTH else names
    paths = _store(files)
    try:
        with transaction.atomic():
            params = {"paths": paths, "names": [Path(f.name or "").name for f in files]}
            job = job_submit(actor=actor, name=JOB_NAME, params=params, study=study)
            run = SignalRun(
                study=study,
                job=job,
                source=source,
                source_name=source_name,
                options=cleaned,
                thresholds=rules.as_dict(),
                products=chosen,
                created_by=actor,
            )
            return audited_save(run, actor=actor, trusted=("study", "job", "created_by"))
    except BaseException:
        _discard(paths)
        raise


# ---- recording a finished run ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunFindings:
    """What a run found: counts, the fitted prior, and the candidate rows (`COLUMNS` plus a criteria tuple)."""

    reports: int
    pairs: int
    prior: dict[str, Any]
    candidates: pd.DataFrame


def finite(value: object) -> float | None:
    """A float, or None for NaN, ±inf and missing values (the evidence columns store no non-finite number)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _key(product: str, event: str) -> tuple[str, str]:
    return product.casefold(), event.casefold()


def signal_run_record(*, actor: User | None, run: SignalRun, findings: RunFindings) -> dict[str, int]:
    """Write a finished run (called by its job, not a permission-checked entry point): its counts, prior and finish
    time, a new Signal for each candidate pair the study has none for yet, and one SignalEvidence per candidate.

    One transaction, one audit batch; concurrent runs of a study record one after the other (the study row is
    locked), so a pair's Signal is created once.
    """
    today = timezone.localdate()
    created = 0
    with transaction.atomic(), audit_batch():
        Study.objects.select_for_update(of=("self",)).filter(pk=run.study_id).order_by().first()
        run.reports = findings.reports
        run.pairs = findings.pairs
        run.candidates = len(findings.candidates)
        run.prior = findings.prior
        run.finished_at = timezone.now()
        run = audited_save(run, actor=actor, reason="signal run finished")
        # a pair is the study's signal whatever the case of its names (FAERS upper-cases them, a case may not)
        existing = {_key(s.product, s.event): s for s in Signal.objects.filter(study_id=run.study_id)}
        evidence: list[SignalEvidence] = []
        found: set[int] = set()  # signals with evidence from this run: a pair differing only in case adds none
        for row in findings.candidates.sort_values("n", ascending=False, kind="stable").itertuples(index=False):
            names = (str(row.product)[:NAME_LENGTH], str(row.event)[:NAME_LENGTH])
            key = _key(*names)
            signal = existing.get(key)
            if signal is not None and signal.pk in found:
                continue
            if signal is None:
                signal = Signal(
                    study_id=run.study_id,
                    product=names[0],
                    event=names[1],
                    status=SignalStatus.NEW,
                    detected_on=today,
                    first_run=run,
                )
                signal = audited_save(signal, actor=actor, trusted=("study", "first_run"), unique_checked=True)
                existing[key] = signal
                created += 1
            found.add(signal.pk)
            measures = {name: finite(getattr(row, name)) for name in MEASURES}
            evidence.append(
                SignalEvidence(signal=signal, run=run, n=int(row.n), criteria=list(row.criteria), **measures)
            )
        SignalEvidence.objects.bulk_create(evidence)
        audit_changes(
            actor=actor,
            changes=[
                Change(
                    "safety.signalevidence",
                    e.pk,
                    str(e),
                    run.study_id,
                    None,
                    "criteria",
                    None,
                    ", ".join(e.criteria),
                    AuditAction.CREATE,
                )
                for e in evidence
            ],
            reason=f"signal run {run.pk}",
        )
    return {"candidates": len(evidence), "signals_created": created}
