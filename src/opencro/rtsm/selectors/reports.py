"""Randomisation reports: subjects randomised per stratum, factor level, site and month, and over time.

Two shapes, never mixed. `allocation_report` counts per arm (with the imbalance and the list's use) and needs
`treatment.view`; `enrolment_report` counts subjects only, with no arm anywhere, and serves everyone with
`study.view`. Both count only the subjects of the sites the reader may see, and show a site-restricted reader
only the strata and site levels of their own sites.
"""

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, F
from django.utils import timezone

from opencro.accounts.access import StudyAccess, access_check
from opencro.accounts.permissions import Perm
from opencro.rtsm.factors import ResolvedFactor, scheme_factors
from opencro.rtsm.models import FactorSource, Randomisation, RandomisationScheme, SchemeMethod, Stratum
from opencro.stats.randomization import stratum_label
from opencro.studies.models import Arm, Site
from opencro.subjects.models import TreatmentAssignment

MAX_LISTED_STRATA = 1000  # a dynamic scheme lists every stratum of the product up to this many, else only used ones


@dataclass(frozen=True)
class ReportArm:
    code: str
    name: str
    ratio: int


@dataclass(frozen=True)
class ArmCounts:
    """One row of an unblinded table: subjects per arm (in the report's arm order), their total and imbalance.

    `slots` and `used` describe a block list's stratum (None otherwise, and for site-restricted readers: the
    list is the whole study's).
    """

    key: str
    levels: tuple[str, ...]
    counts: tuple[int, ...]
    total: int
    imbalance: float
    slots: int | None = None
    used: int | None = None

    @property
    def remaining(self) -> int | None:
        return None if self.slots is None or self.used is None else self.slots - self.used


@dataclass(frozen=True)
class FactorMargins:
    name: str
    label: str
    rows: tuple[ArmCounts, ...]

    @property
    def imbalance(self) -> float:
        return max((row.imbalance for row in self.rows), default=0.0)


@dataclass(frozen=True)
class AllocationReport:
    """Unblinded: counts per arm overall, per stratum, per factor level and per site; cumulative counts per arm
    after each allocation (`timeline`: (sequence, counts per arm))."""

    scheme: RandomisationScheme
    factors: tuple[ResolvedFactor, ...]
    arms: tuple[ReportArm, ...]
    overall: ArmCounts
    strata: tuple[ArmCounts, ...]
    margins: tuple[FactorMargins, ...]
    sites: tuple[ArmCounts, ...]
    timeline: tuple[tuple[int, tuple[int, ...]], ...]

    @property
    def arm_totals(self) -> list[tuple[ReportArm, int]]:
        return list(zip(self.arms, self.overall.counts, strict=True))

    @property
    def stratum_imbalance(self) -> float:
        """The largest imbalance of any stratum."""
        return max((row.imbalance for row in self.strata), default=0.0)


@dataclass(frozen=True)
class GroupCount:
    """One row of a blinded table: a stratum, site or month and how many subjects were randomised in it."""

    key: str
    levels: tuple[str, ...]
    randomised: int


@dataclass(frozen=True)
class EnrolmentReport:
    """Blinded-safe: subjects randomised per stratum, site and month, and the cumulative total by day
    (`timeline`: (ISO date, cumulative total))."""

    scheme: RandomisationScheme
    factors: tuple[ResolvedFactor, ...]
    total: int
    strata: tuple[GroupCount, ...]
    sites: tuple[GroupCount, ...]
    months: tuple[GroupCount, ...]
    timeline: tuple[tuple[str, int], ...]


def imbalance(counts: Sequence[int], ratio: Sequence[int]) -> float:
    """The range of the ratio-adjusted counts, max(n_j / r_j) - min(n_j / r_j): 0 when the counts are in the
    target ratio; with equal ratios simply the largest difference between two arms.

    This is the range measure of Pocock-Simon minimisation with the adjustment for unequal allocation of
    Han, Enas & McEntegart (2009), as `opencro.stats.randomization.Minimisation` uses it.

    References
    ----------
    Pocock SJ, Simon R (1975). Sequential treatment assignment with balancing for prognostic factors in the
    controlled clinical trial. Biometrics 31(1):103-115. doi:10.2307/2529712

    Han B, Enas NH, McEntegart D (2009). Randomization by minimization for unbalanced treatment allocation.
    Statistics in Medicine 28(27):3329-3346. doi:10.1002/sim.3710
    """
    if not counts:
        return 0.0
    adjusted = [n / r for n, r in zip(counts, ratio, strict=True)]
    return max(adjusted) - min(adjusted)


# ------------------------------------------------------------------------------------------ shared parts


@dataclass(frozen=True)
class _Row:
    subject_id: int
    sequence: int
    levels: tuple[str, ...]
    site: str
    randomised_at: object


def _rows(access: StudyAccess, scheme: RandomisationScheme, factors: Sequence[ResolvedFactor]) -> list[_Row]:
    """The randomisations of the reader's sites in allocation order, each with its levels in factor order."""
    found = (
        Randomisation.objects.filter(scheme=scheme)
        .filter(access.site_filter("subject__site_id"))
        .order_by("sequence")
        .values_list("subject_id", "sequence", "levels", "subject__site__number", "randomised_at")
    )
    return [
        _Row(subject_id, sequence, tuple(str(levels.get(f.name, "")) for f in factors), site, at)
        for subject_id, sequence, levels, site, at in found
    ]


def visible_sites(access: StudyAccess) -> list[tuple[str, str]]:
    """(number, institution) of the sites the reader may see, by number."""
    sites = Site.objects.filter(study_id=access.membership.study_id).filter(access.site_filter("pk"))
    return list(sites.order_by("number").values_list("number", "institution"))


def visible_levels(factor: ResolvedFactor, site_numbers: set[str] | None) -> tuple[str, ...]:
    """The factor's levels; for a site factor and a site-restricted reader (`site_numbers` the numbers of their
    sites; None for a reader of every site) only their sites' numbers."""
    if site_numbers is None or factor.source != FactorSource.SITE:
        return factor.levels
    return tuple(level for level in factor.levels if level in site_numbers)


def _site_numbers(access: StudyAccess, sites: Sequence[tuple[str, str]]) -> set[str] | None:
    return None if access.site_ids is None else {number for number, _institution in sites}


def _strata(
    scheme: RandomisationScheme,
    factors: Sequence[ResolvedFactor],
    rows: Iterable[_Row],
    site_numbers: set[str] | None,
) -> list[tuple[str, ...]]:
    """The strata to report, as level tuples: the list's strata for a block list, else the product of the
    factors' levels (when not too many), then any stratum met in the data; restricted to the reader's sites."""
    if scheme.method == SchemeMethod.BLOCK_LIST:
        names = [f.name for f in factors]
        listed = [
            tuple(str(levels.get(name, "")) for name in names)
            for levels in Stratum.objects.filter(scheme=scheme).order_by("pk").values_list("levels", flat=True)
        ]
    elif math.prod(len(f.levels) for f in factors) <= MAX_LISTED_STRATA:
        listed = list(itertools.product(*(f.levels for f in factors)))
    else:
        listed = []
    seen = dict.fromkeys(listed)
    for row in rows:
        seen.setdefault(row.levels)
    if site_numbers is None:
        return list(seen)
    site_positions = [i for i, f in enumerate(factors) if f.source == FactorSource.SITE]
    return [levels for levels in seen if all(levels[i] in site_numbers for i in site_positions)]


def _months(rows: Iterable[_Row]) -> Counter:
    return Counter(timezone.localtime(row.randomised_at).strftime("%Y-%m") for row in rows)


# ------------------------------------------------------------------------------------------ the reports


def report_arms(scheme: RandomisationScheme) -> tuple[ReportArm, ...]:
    """The study's arms in the order the scheme uses them (creation order)."""
    arms = Arm.objects.filter(study_id=scheme.study_id).order_by("pk")
    return tuple(ReportArm(a.code, a.name, a.allocation_ratio) for a in arms)


def allocation_report(access: StudyAccess, scheme: RandomisationScheme) -> AllocationReport:
    """The unblinded report; 403 for a reader without `treatment.view`."""
    access_check(access, Perm.TREATMENT_VIEW)
    factors = tuple(scheme_factors(scheme))
    arms = report_arms(scheme)
    ratio = [a.ratio for a in arms]
    index = {a.code: i for i, a in enumerate(arms)}
    rows = _rows(access, scheme, factors)
    arm_of = dict(
        TreatmentAssignment.objects.filter(subject__randomisation__scheme=scheme)
        .filter(access.site_filter("subject__site_id"))
        .values_list("subject_id", "arm__code")
    )

    def tally(groups: Iterable[tuple[tuple[str, ...], _Row]]) -> dict[tuple[str, ...], list[int]]:
        counts: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0] * len(arms))
        for key, row in groups:
            code = arm_of.get(row.subject_id)
            if code in index:
                counts[key][index[code]] += 1
        return counts

    def line(key: str, levels: tuple[str, ...], counts: list[int], **extra) -> ArmCounts:
        return ArmCounts(key, levels, tuple(counts), sum(counts), imbalance(counts, ratio), **extra)

    empty = [0] * len(arms)
    site_rows = visible_sites(access)
    site_numbers = _site_numbers(access, site_rows)
    by_stratum = tally((row.levels, row) for row in rows)
    usage = _list_usage(access, scheme)
    strata = tuple(
        line(stratum_label(levels), levels, by_stratum.get(levels, empty), **usage.get(stratum_label(levels), {}))
        for levels in _strata(scheme, factors, rows, site_numbers)
    )
    margins = []
    for i, factor in enumerate(factors):
        per_level = tally(((row.levels[i],), row) for row in rows)
        levels = visible_levels(factor, site_numbers)
        levels += tuple(key[0] for key in per_level if key[0] not in levels)
        rows_of_factor = tuple(line(level, (level,), per_level.get((level,), empty)) for level in levels)
        margins.append(FactorMargins(factor.name, factor.label, rows_of_factor))
    by_site = tally(((row.site,), row) for row in rows)
    sites = tuple(line(number, (number, name), by_site.get((number,), empty)) for number, name in site_rows)
    overall = tally(((), row) for row in rows).get((), empty)
    timeline = []
    running = [0] * len(arms)
    for row in rows:
        code = arm_of.get(row.subject_id)
        if code in index:
            running[index[code]] += 1
            timeline.append((row.sequence, tuple(running)))
    return AllocationReport(
        scheme=scheme,
        factors=factors,
        arms=arms,
        overall=line("", (), overall),
        strata=strata,
        margins=tuple(margins),
        sites=sites,
        timeline=tuple(timeline),
    )


def _list_usage(access: StudyAccess, scheme: RandomisationScheme) -> dict[str, dict[str, int]]:
    """{stratum label: {"slots": n, "used": n}} of a block list, for readers of every site; else empty."""
    if scheme.method != SchemeMethod.BLOCK_LIST or access.site_ids is not None:
        return {}
    strata = Stratum.objects.filter(scheme=scheme).annotate(n_slots=Count("slots"), used=F("next_position") - 1)
    return {label: {"slots": n, "used": used} for label, n, used in strata.values_list("label", "n_slots", "used")}


def enrolment_report(access: StudyAccess, scheme: RandomisationScheme) -> EnrolmentReport:
    """The blinded-safe report: counts of subjects, no arm; every member with `study.view` may read it."""
    factors = tuple(scheme_factors(scheme))
    rows = _rows(access, scheme, factors)
    site_rows = visible_sites(access)
    strata = _stratum_groups(scheme, factors, rows, _site_numbers(access, site_rows))
    by_site = Counter(row.site for row in rows)
    sites = tuple(GroupCount(number, (number, name), by_site.get(number, 0)) for number, name in site_rows)
    months = tuple(GroupCount(month, (month,), n) for month, n in sorted(_months(rows).items()))
    per_day = Counter(timezone.localtime(row.randomised_at).date().isoformat() for row in rows)
    timeline = tuple(zip(sorted(per_day), itertools.accumulate(per_day[d] for d in sorted(per_day)), strict=True))
    return EnrolmentReport(
        scheme=scheme,
        factors=factors,
        total=len(rows),
        strata=strata,
        sites=sites,
        months=months,
        timeline=timeline,
    )


def stratum_counts(access: StudyAccess, scheme: RandomisationScheme) -> tuple[GroupCount, ...]:
    """Subjects randomised per stratum (blinded-safe), at the reader's sites."""
    factors = scheme_factors(scheme)
    rows = _rows(access, scheme, factors)
    return _stratum_groups(scheme, factors, rows, _site_numbers(access, visible_sites(access)))


def _stratum_groups(
    scheme: RandomisationScheme, factors: Sequence[ResolvedFactor], rows: list[_Row], site_numbers: set[str] | None
) -> tuple[GroupCount, ...]:
    by_stratum = Counter(row.levels for row in rows)
    return tuple(
        GroupCount(stratum_label(levels), levels, by_stratum.get(levels, 0))
        for levels in _strata(scheme, factors, rows, site_numbers)
    )
