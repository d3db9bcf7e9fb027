"""KRI reads, always inside the reader's sites: definitions, snapshots and their results, a KRI's history per site,
the latest flags with how new and how lasting they are, the site x KRI heat map over time, funnel-plot data.

Site rows are those of the reader's sites; country rows pool every site of a country, so a site-restricted reader
sees none of them. Longitudinal reads follow the snapshots in cut order: a flag is *newly flagged* when it is non-zero
at the latest snapshot and was zero or absent at the one before; *flagged since* is the first cut of the current
unbroken run of non-zero flags, with the number of cuts in it.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.monitoring.models import KriDefinition, KriLevel, KriResult, KriSnapshot
from opencro.stats.monitoring import KriInputError, kri_analyse, kri_funnel


def kri_definitions(access: StudyAccess, *, active: bool | None = None) -> QuerySet[KriDefinition]:
    """The study's KRIs by code (retired ones too unless `active` says)."""
    qs = KriDefinition.objects.filter(study_id=access.membership.study_id)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("code")


def kri_definition_get(access: StudyAccess, definition_id: int) -> KriDefinition:
    definition = kri_definitions(access).filter(pk=definition_id).first()
    if definition is None:
        raise Http404(_("No such KRI."))
    return definition


def kri_definition_by_code(access: StudyAccess, code: str) -> KriDefinition:
    definition = kri_definitions(access).filter(code=code).first()
    if definition is None:
        raise Http404(_("No such KRI."))
    return definition


def kri_snapshots(access: StudyAccess) -> QuerySet[KriSnapshot]:
    """The study's snapshots, newest cut first."""
    return KriSnapshot.objects.filter(study_id=access.membership.study_id).order_by("-cut_on")


def kri_snapshot_get(access: StudyAccess, snapshot_id: int) -> KriSnapshot:
    snapshot = kri_snapshots(access).filter(pk=snapshot_id).first()
    if snapshot is None:
        raise Http404(_("No such snapshot."))
    return snapshot


def kri_results(
    access: StudyAccess, *, snapshot: KriSnapshot | None = None, kri_code: str = "", level: str = KriLevel.SITE
) -> QuerySet[KriResult]:
    """Results the reader may see (of one snapshot, one KRI, one level), by snapshot, KRI and group."""
    qs = KriResult.objects.filter(snapshot__study_id=access.membership.study_id, level=level)
    if access.site_ids is not None:
        qs = qs.filter(site_id__in=access.site_ids) if level == KriLevel.SITE else qs.none()
    if snapshot is not None:
        qs = qs.filter(snapshot=snapshot)
    if kri_code:
        qs = qs.filter(kri_code=kri_code)
    return qs.select_related("snapshot").order_by("-snapshot__cut_on", "kri_code", "group")


@dataclass(frozen=True)
class HistoryPoint:
    cut_on: dt.date
    metric: float | None
    score: float | None
    flag: int | None
    numerator: float
    denominator: float


def kri_history(
    access: StudyAccess, kri_code: str, *, level: str = KriLevel.SITE, group: str = ""
) -> dict[str, list[HistoryPoint]]:
    """{group: its results of the KRI over the snapshots, oldest cut first} (one group when `group` is given)."""
    qs = kri_results(access, kri_code=kri_code, level=level)
    if group:
        qs = qs.filter(group=group)
    history: dict[str, list[HistoryPoint]] = defaultdict(list)
    rows = qs.order_by("group", "snapshot__cut_on").values_list(
        "group", "snapshot__cut_on", "metric", "score", "flag", "numerator", "denominator"
    )
    for label, cut_on, metric, score, flag, num, den in rows:
        history[label].append(HistoryPoint(cut_on, metric, score, flag, num, den))
    return dict(history)


def _flagged(flag: int | None) -> bool:
    return flag is not None and flag != 0


@dataclass(frozen=True)
class FlagRun:
    """A group's flag at the latest cut and how it got there."""

    flag: int | None
    newly_flagged: bool
    flagged_since: dt.date | None  # the first cut of the current run of non-zero flags
    flagged_cuts: int  # cuts in that run (0 when not flagged now)


def flag_run(cuts: list[dt.date], flags: dict[dt.date, int | None]) -> FlagRun:
    """The run of non-zero flags ending at the last of `cuts` (ascending), from a group's flags by cut (a cut
    without a result counts as not flagged)."""
    if not cuts:
        return FlagRun(None, False, None, 0)
    latest = flags.get(cuts[-1])
    if not _flagged(latest):
        return FlagRun(latest, False, None, 0)
    n = 0
    for cut in reversed(cuts):
        if not _flagged(flags.get(cut)):
            break
        n += 1
    return FlagRun(latest, n == 1, cuts[-n], n)


@dataclass(frozen=True)
class FlagRow:
    """A group's result of one KRI at the latest snapshot with its flag run."""

    kri_code: str
    group: str
    site_id: int | None
    n_subjects: int
    numerator: float
    denominator: float
    metric: float | None
    score: float | None
    run: FlagRun


def kri_flags(
    access: StudyAccess, *, level: str = KriLevel.SITE, kri_code: str = ""
) -> tuple[KriSnapshot | None, list[FlagRow]]:
    """The latest snapshot and its rows the reader may see, each with newly flagged and flagged since."""
    cuts_desc = list(kri_snapshots(access).values_list("cut_on", flat=True))
    if not cuts_desc:
        return None, []
    latest = kri_snapshots(access).first()
    cuts = sorted(cuts_desc)
    flags: dict[tuple[str, str], dict[dt.date, int | None]] = defaultdict(dict)
    qs = kri_results(access, level=level, kri_code=kri_code)
    for code, label, cut_on, flag in qs.values_list("kri_code", "group", "snapshot__cut_on", "flag"):
        flags[(code, label)][cut_on] = flag
    rows = [
        FlagRow(
            r.kri_code,
            r.group,
            r.site_id,
            r.n_subjects,
            r.numerator,
            r.denominator,
            r.metric,
            r.score,
            flag_run(cuts, flags[(r.kri_code, r.group)]),
        )
        for r in qs.filter(snapshot=latest)
    ]
    return latest, rows


@dataclass(frozen=True)
class HeatMap:
    """Flags of each group and KRI at each cut: `flags[group][kri_code][i]` belongs to `cuts[i]` (None: no flag)."""

    cuts: list[dt.date]
    kri_codes: list[str]
    groups: list[str]
    flags: dict[str, dict[str, list[int | None]]]


def kri_heatmap(access: StudyAccess, *, level: str = KriLevel.SITE, last: int = 12) -> HeatMap:
    """The group x KRI matrix of flags over the `last` cuts, oldest first."""
    cuts = sorted(kri_snapshots(access).values_list("cut_on", flat=True)[:last])
    if not cuts:
        return HeatMap([], [], [], {})
    index = {cut: i for i, cut in enumerate(cuts)}
    flags: dict[str, dict[str, list[int | None]]] = defaultdict(dict)
    codes: set[str] = set()
    rows = kri_results(access, level=level).filter(snapshot__cut_on__gte=cuts[0])
    for code, label, cut_on, flag in rows.values_list("kri_code", "group", "snapshot__cut_on", "flag"):
        codes.add(code)
        flags[label].setdefault(code, [None] * len(cuts))[index[cut_on]] = flag
    return HeatMap(cuts, sorted(codes), sorted(flags), dict(flags))


@dataclass(frozen=True)
class FunnelPoint:
    group: str
    site_id: int | None
    numerator: float
    denominator: float
    metric: float | None
    score: float | None
    flag: int | None


@dataclass(frozen=True)
class FunnelBound:
    threshold: float
    denominator: list[float]
    metric: list[float]


@dataclass(frozen=True)
class FunnelData:
    """The points the reader may see and the study's funnel limits (none for Fisher and identity KRIs)."""

    kri_code: str
    kind: str
    method: str
    overall: float | None
    points: list[FunnelPoint]
    bounds: list[FunnelBound]


def kri_funnel_data(
    access: StudyAccess, snapshot: KriSnapshot, kri_code: str, level: str = KriLevel.SITE
) -> FunnelData:
    """Funnel-plot data of one KRI at one snapshot: the limits come from every group (the study's distribution),
    the points only from the reader's groups."""
    frozen = snapshot.definitions.get(kri_code)
    if frozen is None:
        raise Http404(_("No such KRI in this snapshot."))
    points = [
        FunnelPoint(r.group, r.site_id, r.numerator, r.denominator, r.metric, r.score, r.flag)
        for r in kri_results(access, snapshot=snapshot, kri_code=kri_code, level=level)
    ]
    every = KriResult.objects.filter(snapshot=snapshot, kri_code=kri_code, level=level, denominator__gt=0)
    totals = list(every.values_list("group", "numerator", "denominator"))
    overall = sum(t[1] for t in totals) / sum(t[2] for t in totals) if totals else None
    return FunnelData(kri_code, frozen["kind"], frozen["method"], overall, points, _bounds(frozen, totals))


def _bounds(frozen: dict, totals: list[tuple[str, float, float]]) -> list[FunnelBound]:
    """gsm's predicted bounds over the groups' totals (each group as one row: the sums are the same)."""
    if frozen["method"] not in ("normal", "poisson") or len(totals) < 2:
        return []
    labels = np.array([t[0] for t in totals], dtype=object)
    try:
        result = kri_analyse(
            labels,
            [t[1] for t in totals],
            [t[2] for t in totals],
            method=frozen["method"],
            outcome_type=frozen["kind"],
            thresholds=frozen["thresholds"],
        )
        funnel = kri_funnel(result)
    except KriInputError:
        return []
    return [
        FunnelBound(line.threshold, line.denominator.tolist(), line.metric.tolist())
        for line in funnel.lines
        if np.all(np.isfinite(line.metric))
    ]
