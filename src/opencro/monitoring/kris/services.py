"""KRI writes: the default KRIs, adding or editing one, retiring one, and computing a snapshot at a data cut.

All need `risk.manage`. Definitions are audited rows (`audited_save`; an edit or a retirement needs a reason). A
snapshot is a computed output: its results are written in bulk and the snapshot is audited as one event (its cut,
participants, KRIs and result count); computing the same cut again replaces its results in place. A snapshot is
computed over every site of the study whoever asks (a site is compared with the study as a whole); readers see only
their sites' rows.
"""

import datetime as dt
import re
from dataclasses import asdict

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.models import AuditAction
from opencro.audit.services import audit_batch, audit_event, audited_save, object_type_of
from opencro.core.bulk import bulk_insert
from opencro.monitoring.kris.defaults import DEFAULT_KRIS
from opencro.monitoring.kris.measures import MEASURE_BY_CODE, Participant, participant_measures
from opencro.monitoring.models import KriDefinition, KriLevel, KriMethod, KriResult, KriSnapshot, KriType
from opencro.stats.monitoring import KriInputError, check_settings, group_totals, kri_analyse
from opencro.studies.dates import site_today
from opencro.studies.models import Site, Study

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
RESERVED_CODES = frozenset({"add", "defaults", "compute", "snapshots", "flags", "heatmap"})  # page and API paths
STAT_FIELDS = {"outcome_type": "kind", "flags": "thresholds", "poisson_exposure": "method"}


def _require(actor: User | None, study: Study | int, known: StudyAccess | None) -> None:
    if actor is not None:
        access_require(actor, study, Perm.RISK_MANAGE, known=known)


def _study_locked(study_id: int) -> None:
    Study.objects.select_for_update(of=("self",)).filter(pk=study_id).first()


def _validated(definition: KriDefinition) -> None:
    """Located errors: measures from the catalogue, method and type known, thresholds as the method needs."""
    errors: dict[str, str] = {}
    if not definition.name.strip():
        errors["name"] = _("Name the KRI.")
    if not definition.abbreviation.strip():
        errors["abbreviation"] = _("Give a short abbreviation (up to 12 characters).")
    for field in ("numerator", "denominator"):
        if getattr(definition, field) not in MEASURE_BY_CODE:
            errors[field] = _("Choose a measure from the catalogue.")
    if definition.method not in KriMethod.values:
        errors["method"] = _("Choose a method from the list.")
    if definition.kind not in KriType.values:
        errors["kind"] = _("Choose proportion or rate.")
    thresholds = definition.thresholds
    if not isinstance(thresholds, list | tuple) or not all(isinstance(t, int | float) for t in thresholds):
        errors["thresholds"] = _("Give the thresholds as numbers, e.g. -3, -2, 2, 3.")
    if definition.min_denominator is None or definition.min_denominator < 0:
        errors["min_denominator"] = _("The minimum denominator is a number of 0 or more.")
    if not errors:
        try:
            check_settings(definition.method, definition.kind, thresholds, None, definition.min_denominator)
        except KriInputError as exc:
            errors[STAT_FIELDS.get(exc.parameter, exc.parameter)] = exc.message
    if errors:
        raise ValidationError(errors)
    definition.thresholds = [float(t) for t in thresholds]
    definition.min_denominator = float(definition.min_denominator)


def _code_next(study_id: int) -> str:
    codes = set(KriDefinition.objects.filter(study_id=study_id).values_list("code", flat=True))
    n = 1
    while f"kri{n:04d}" in codes:
        n += 1
    return f"kri{n:04d}"


def kri_definitions_create_default(
    *, actor: User | None, study: Study, known: StudyAccess | None = None
) -> list[KriDefinition]:
    """Add gsm's twelve KRIs (`defaults.DEFAULT_KRIS`) that the study does not have yet (by code)."""
    _require(actor, study, known)
    created = []
    with transaction.atomic(), audit_batch():
        _study_locked(study.pk)
        present = set(KriDefinition.objects.filter(study=study).values_list("code", flat=True))
        for row in DEFAULT_KRIS:
            if row.code in present:
                continue
            values = asdict(row)
            values["thresholds"] = list(values["thresholds"])
            definition = KriDefinition(study=study, **values)
            _validated(definition)
            created.append(audited_save(definition, actor=actor, trusted=("study",), unique_checked=True))
    return created


def kri_definition_save(
    *,
    actor: User | None,
    study: Study,
    name: str,
    abbreviation: str,
    numerator: str,
    denominator: str,
    method: str,
    kind: str,
    thresholds: list[float],
    min_denominator: float,
    definition: KriDefinition | None = None,
    code: str = "",
    reason: str = "",
    known: StudyAccess | None = None,
) -> KriDefinition:
    """Add a KRI (`definition` None; `code` empty: the next kriNNNN) or edit one (its code stays; a reason is
    required). Numerator and denominator name measures of the catalogue; thresholds ascend (four z-scores for the
    normal and Poisson methods, two p-values for Fisher's, as `stats.monitoring.check_settings` asks)."""
    _require(actor, study, known)
    if definition is not None and definition.study_id != study.pk:
        raise ValidationError({"code": _("This KRI belongs to another study.")})
    with transaction.atomic():
        _study_locked(study.pk)
        if definition is None:
            code = (code or "").strip().lower() or _code_next(study.pk)
            if not CODE_PATTERN.match(code) or code in RESERVED_CODES:
                raise ValidationError({"code": _("Use lower-case letters, digits and _ (up to 20), e.g. kri0013.")})
            if KriDefinition.objects.filter(study=study, code=code).exists():
                raise ValidationError({"code": _("The study already has a KRI %(code)s.") % {"code": code}})
            target = KriDefinition(study=study, code=code)
        else:
            target = KriDefinition.objects.select_for_update(of=("self",)).get(pk=definition.pk)
        target.name, target.abbreviation = (name or "").strip(), (abbreviation or "").strip()
        target.numerator, target.denominator = numerator, denominator
        target.method, target.kind = method, kind
        target.thresholds, target.min_denominator = thresholds, min_denominator
        _validated(target)
        return audited_save(target, actor=actor, reason=reason, trusted=("study",), unique_checked=True)


def kri_definition_retire(
    *, actor: User | None, definition: KriDefinition, reason: str, known: StudyAccess | None = None
) -> KriDefinition:
    """Stop computing a KRI in new snapshots (earlier snapshots keep it); a reason is required."""
    _require(actor, definition.study_id, known)
    with transaction.atomic():
        target = KriDefinition.objects.select_for_update(of=("self",)).get(pk=definition.pk)
        if not target.active:
            raise ValidationError({"active": _("KRI %(code)s is already retired.") % {"code": target.code}})
        target.active = False
        return audited_save(target, actor=actor, reason=reason, trusted=("study",))


def _frozen(definition: KriDefinition) -> dict:
    """A definition as a snapshot keeps it."""
    return {
        "name": definition.name,
        "abbreviation": definition.abbreviation,
        "numerator": definition.numerator,
        "denominator": definition.denominator,
        "method": definition.method,
        "kind": definition.kind,
        "thresholds": list(definition.thresholds),
        "min_denominator": definition.min_denominator,
    }


class _Columns:
    """The participants as columns, built once for every KRI of a snapshot: each level's groups as integer codes into
    its sorted group names (numpy groups integers several times faster than text) and each measure's values (made
    when first asked)."""

    def __init__(self, people: list[Participant]):
        self.people = people
        self.names: dict[str, np.ndarray] = {}
        self.codes: dict[str, np.ndarray] = {}
        for level, labels in (
            (KriLevel.SITE, [p.site_number for p in people]),
            (KriLevel.COUNTRY, [p.country for p in people]),
        ):
            self.names[level], self.codes[level] = np.unique(np.array(labels, dtype=str), return_inverse=True)
        self._values: dict[str, np.ndarray] = {}

    def values(self, code: str) -> np.ndarray:
        if code not in self._values:
            self._values[code] = np.array([p.values[code] for p in self.people], dtype=np.float64)
        return self._values[code]


# A result row as `_results_for` makes it (`KriResult`'s columns after the snapshot's key, written in bulk).
RESULT_COLUMNS = (
    "kri_code",
    "level",
    "group",
    "site_id",
    "n_subjects",
    "numerator",
    "denominator",
    "metric",
    "score",
    "flag",
)


def _results_for(columns: _Columns, code: str, frozen: dict, site_ids: dict[str, int], level: str) -> list[tuple]:
    """One KRI at one level over the participants: a row per group in `RESULT_COLUMNS` order (no metric for a zero
    denominator; no score nor flag under the minimum denominator)."""
    if not columns.people:
        return []
    groups, names = columns.codes[level], columns.names[level]
    num, den = columns.values(frozen["numerator"]), columns.values(frozen["denominator"])
    totals = group_totals(groups, num, den)
    scored = {}
    try:
        analysed = kri_analyse(
            groups,
            num,
            den,
            method=frozen["method"],
            outcome_type=frozen["kind"],
            thresholds=frozen["thresholds"],
            min_denominator=frozen["min_denominator"],
        )
    except KriInputError:
        analysed = None  # every denominator is 0: no group has a metric
    if analysed is not None:
        scored = {int(g.group): g for g in analysed.groups}  # the group's code, as text
    rows = []
    for index, n, a, b in zip(
        totals.labels.tolist(),
        totals.n_subjects.tolist(),
        totals.numerator.tolist(),
        totals.denominator.tolist(),
        strict=True,
    ):
        label, g = str(names[index]), scored.get(index)
        site_id = site_ids.get(label) if level == KriLevel.SITE else None
        rows.append((code, level, label, site_id, int(n), a, b, *((g.metric, g.score, g.flag) if g else (None,) * 3)))
    return rows


def _cut_checked(study: Study, cut_on: dt.date | None) -> dt.date:
    sites = list(Site.objects.filter(study=study))
    today = max((site_today(s) for s in sites), default=timezone.localdate())
    cut_on = cut_on or today
    if cut_on > today:
        raise ValidationError({"cut_on": _("The data cut cannot be in the future.")})
    return cut_on


def kri_snapshot_compute(
    *, actor: User | None, study: Study, cut_on: dt.date | None = None, known: StudyAccess | None = None
) -> KriSnapshot:
    """Compute every active KRI at site and country level at the data cut (default: today) and keep it as the
    snapshot of that cut, replacing an earlier computation of the same cut."""
    _require(actor, study, known)
    cut_on = _cut_checked(study, cut_on)
    definitions = list(KriDefinition.objects.filter(study=study, active=True).order_by("code"))
    people = participant_measures(study, cut_on)
    site_ids = dict(Site.objects.filter(study=study).values_list("number", "pk"))
    frozen = {d.code: _frozen(d) for d in definitions}
    columns = _Columns(people)
    results = [
        result
        for code, values in frozen.items()
        for level in (KriLevel.SITE, KriLevel.COUNTRY)
        for result in _results_for(columns, code, values, site_ids, level)
    ]
    with transaction.atomic():
        _study_locked(study.pk)
        snapshot = KriSnapshot.objects.select_for_update(of=("self",)).filter(study=study, cut_on=cut_on).first()
        replaced = snapshot is not None
        old = (str(snapshot.n_subjects), str(snapshot.results.count())) if replaced else (None, None)
        if snapshot is None:
            snapshot = KriSnapshot(study=study, cut_on=cut_on)
        snapshot.created_at, snapshot.created_by = timezone.now(), actor if getattr(actor, "pk", None) else None
        snapshot.n_subjects, snapshot.definitions = len(people), frozen
        snapshot.save()
        if replaced:
            KriResult.objects.filter(snapshot=snapshot).delete()
        bulk_insert(KriResult, ("snapshot_id", *RESULT_COLUMNS), ((snapshot.pk, *row) for row in results))
        audit_event(
            actor=actor,
            action=AuditAction.UPDATE if replaced else AuditAction.CREATE,
            object_type=object_type_of(KriSnapshot),
            object_id=snapshot.pk,
            object_repr=str(snapshot),
            study_id=study.pk,
            changes={
                "cut_on": (cut_on.isoformat() if replaced else None, cut_on.isoformat()),
                "n_subjects": (old[0], str(len(people))),
                "kris": (None, ",".join(frozen)),
                "results": (old[1], str(len(results))),
            },
            reason=_("recomputed") if replaced else "",
        )
    return snapshot
