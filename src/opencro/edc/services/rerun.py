"""Re-running every rule of a study over all its data (after a build change, or on demand)."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from opencro.accounts.access import access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.edc.checks import form_evaluate
from opencro.edc.entries import repeats_of
from opencro.edc.environment import VersionNames
from opencro.edc.models import FormData, ItemData
from opencro.edc.services.autoqueries import AutoQueries, QueryWrites, queries_reconcile
from opencro.edc.spec import form_spec
from opencro.studies.models import Study
from opencro.subjects.models import Subject

SUBJECTS_PER_TRANSACTION = 25


@dataclass
class RerunSummary:
    subjects: int = 0
    forms: int = 0
    values: int = 0
    opened: int = 0
    closed: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def checks_rerun(
    *,
    actor: User | None,
    study: Study,
    on_progress: Callable[[int, int], None] | None = None,
) -> RerunSummary:
    """Evaluate required items, range checks and edit checks on every saved form; reconcile queries.

    Works in batches of subjects (one transaction each, so a long run never holds the database for
    long and a crash loses only the batch in hand); values are read once per subject.
    """
    if actor is not None:
        access_require(actor, study, Perm.DATA_REVIEW)
    subject_ids = list(
        Subject.objects.filter(study=study, forms__isnull=False).distinct().order_by("pk").values_list("pk", flat=True)
    )
    summary = RerunSummary()
    names_by_version: dict[int, VersionNames] = {}
    who = getattr(actor, "username", "") or "system"
    for start in range(0, len(subject_ids), SUBJECTS_PER_TRANSACTION):
        chunk = subject_ids[start : start + SUBJECTS_PER_TRANSACTION]
        with transaction.atomic():
            writes = QueryWrites(f"automatic check run by {who}")
            for subject_id in chunk:
                _rerun_subject(subject_id, actor, summary, names_by_version, writes)
            writes.flush()
        summary.subjects += len(chunk)
        if on_progress:
            on_progress(summary.subjects, len(subject_ids))
    return summary


def forms_recheck(*, subject_id: int, form_oids: set[str], actor, exclude: int | None = None) -> RerunSummary:
    """Re-run the checks of a subject's forms with these OIDs (cross-form checks after a save).

    Runs inside the saving service, which checked permission.
    """
    summary = RerunSummary()
    who = getattr(actor, "username", "") or "system"
    writes = QueryWrites(f"automatic check run by {who}")
    _rerun_subject(subject_id, actor, summary, {}, writes, only=form_oids, exclude=exclude)
    writes.flush()
    return summary


def _rerun_subject(
    subject_id: int,
    actor,
    summary: RerunSummary,
    names_by_version: dict,
    writes,
    *,
    only: set[str] | None = None,
    exclude: int | None = None,
) -> None:
    forms = list(FormData.objects.filter(subject_id=subject_id).select_related("form_def__version", "event"))
    event_of = {f.pk: (f.event.event_oid, f.event.repeat_key) for f in forms}
    rows = ItemData.objects.filter(form__subject_id=subject_id).values_list(
        "form_id", "item_def_id", "group_repeat", "pk", "value", "not_done_reason"
    )
    oid_of: dict[int, str] = {}
    for form_def in {f.form_def_id: f.form_def for f in forms}.values():
        oid_of.update({f.item_id: f.oid for f in form_spec(form_def).fields()})
    by_form: dict[int, dict[tuple[str, int], tuple[int, str | None, str]]] = defaultdict(dict)
    stored: dict[tuple[str, str], str | None] = {}
    for form_id, item_def_id, repeat, pk, value, not_done in sorted(rows, key=lambda r: (event_of[r[0]][1], r[2])):
        oid = oid_of.get(item_def_id)
        if oid is None:  # kept from an earlier build version, not on the form any more
            continue
        by_form[form_id][(oid, repeat)] = (pk, value, not_done)
        key = (event_of[form_id][0], oid)
        if key not in stored or (stored[key] is None and value is not None):
            stored[key] = value
    state = AutoQueries.load(subject_id=subject_id)
    for form in forms:
        if form.locked or (only is not None and form.form_oid not in only) or form.pk == exclude:
            continue  # locked data and their queries stay as they were locked
        version_id = form.form_def.version_id
        names = names_by_version.get(version_id) or names_by_version.setdefault(version_id, VersionNames(version_id))
        spec = form_spec(form.form_def)
        items = by_form.get(form.pk, {})
        values = {key: value for key, (_pk, value, _nd) in items.items()}
        not_done = {key for key, (_pk, _value, nd) in items.items() if nd}
        result = form_evaluate(
            spec,
            values,
            not_done=not_done,
            subject_id=subject_id,
            names=names,
            event_oid=form.event.event_oid,
            repeats=repeats_of(spec, values),
            stored=stored,
        )
        refs = {key: (pk, value) for key, (pk, value, _nd) in items.items()}
        opened, closed = queries_reconcile(form, result.firings, refs, state, actor=actor, writes=writes)
        summary.forms += 1
        summary.values += len(values)
        summary.opened += len(opened)
        summary.closed += len(closed)
