"""Reads of a study's randomisation scheme.

`scheme_summary` is blinded-safe (method, status, factors, subjects randomised per stratum) for every member
with `study.view`. `scheme_config` adds what reveals treatment or lets it be reproduced (the seed, block sizes,
the list's arms per stratum, its SHA-256 and source) and is for those who configure randomisation
(`rtsm.configure` and `treatment.view`); so is `scheme_list_csv`, the list itself.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_check
from opencro.accounts.models import Signature
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signatures_for
from opencro.rtsm.factors import ResolvedFactor, scheme_factors
from opencro.rtsm.models import FactorSource, ListSlot, RandomisationScheme, SchemeStatus, StratificationFactor
from opencro.rtsm.selectors.reports import (
    GroupCount,
    ReportArm,
    report_arms,
    stratum_counts,
    visible_levels,
    visible_sites,
)
from opencro.rtsm.services.scheme import scheme_problems
from opencro.stats.randomization import COLUMNS


def scheme_find(access: StudyAccess) -> RandomisationScheme | None:
    """The study's scheme, or None when it has none yet."""
    return RandomisationScheme.objects.filter(study_id=access.membership.study_id).first()


def scheme_get(access: StudyAccess) -> RandomisationScheme:
    """The study's scheme; 404 when it has none."""
    scheme = scheme_find(access)
    if scheme is None:
        raise Http404(_("This study has no randomisation scheme."))
    return scheme


def factor_get(scheme: RandomisationScheme, factor_id: int) -> StratificationFactor:
    """One factor of the scheme; 404 for any other id."""
    factor = StratificationFactor.objects.filter(scheme=scheme, pk=factor_id).first()
    if factor is None:
        raise Http404(_("No such factor."))
    return factor


def access_configure(access: StudyAccess) -> StudyAccess:
    """403 unless the reader both configures randomisation and sees treatment (the seed and list reveal it)."""
    access_check(access, Perm.RTSM_CONFIGURE)
    return access_check(access, Perm.TREATMENT_VIEW)


@dataclass(frozen=True)
class FactorSummary:
    """A factor as everyone may see it: name, label, where its level comes from, its levels."""

    name: str
    label: str
    source: str
    source_label: str
    levels: tuple[str, ...]


@dataclass(frozen=True)
class SchemeSummary:
    """The blinded-safe view of a scheme: no arm, seed, block size or list."""

    method: str
    method_label: str
    status: str
    status_label: str
    blinded: bool
    require_eligibility: bool
    require_consent: bool
    activated_at: object
    factors: tuple[FactorSummary, ...]
    strata: tuple[GroupCount, ...]
    randomised: int
    signatures: tuple[Signature, ...]


def _factor_summary(f: ResolvedFactor, site_numbers: set[str] | None) -> FactorSummary:
    return FactorSummary(f.name, f.label, f.source, str(FactorSource(f.source).label), visible_levels(f, site_numbers))


def scheme_summary(access: StudyAccess, scheme: RandomisationScheme) -> SchemeSummary:
    """What every member with `study.view` may know about the scheme; counts only at the reader's sites."""
    sites = None if access.site_ids is None else {number for number, _name in visible_sites(access)}
    strata = stratum_counts(access, scheme)
    return SchemeSummary(
        method=scheme.method,
        method_label=scheme.get_method_display(),
        status=scheme.status,
        status_label=scheme.get_status_display(),
        blinded=scheme.blinded,
        require_eligibility=scheme.require_eligibility,
        require_consent=scheme.require_consent,
        activated_at=scheme.activated_at,
        factors=tuple(_factor_summary(f, sites) for f in scheme_factors(scheme)),
        strata=strata,
        randomised=sum(s.randomised for s in strata),
        signatures=tuple(signatures_for(scheme)),
    )


@dataclass(frozen=True)
class ListStratum:
    """One stratum of the list: its slots, blocks, slots used, and slots per arm (report arm order)."""

    label: str
    levels: tuple[str, ...]
    slots: int
    blocks: int
    used: int
    arm_counts: tuple[int, ...]


@dataclass(frozen=True)
class SchemeConfig:
    """Everything the statistician configuring the scheme sees."""

    scheme: RandomisationScheme
    arms: tuple[ReportArm, ...]
    factors: tuple[StratificationFactor, ...]
    resolved: tuple[ResolvedFactor, ...]
    list_strata: tuple[ListStratum, ...]
    slots: int
    problems: tuple[str, ...]
    signatures: tuple[Signature, ...]

    @property
    def is_draft(self) -> bool:
        return self.scheme.status == SchemeStatus.DRAFT


def scheme_config(access: StudyAccess, scheme: RandomisationScheme) -> SchemeConfig:
    """The full configuration; 403 unless the reader configures randomisation and sees treatment."""
    access_configure(access)
    arms = report_arms(scheme)
    index = {a.code: i for i, a in enumerate(arms)}
    per_arm: dict[int, list[int]] = defaultdict(lambda: [0] * len(arms))
    for stratum_id, code, n in (
        ListSlot.objects.filter(scheme=scheme).values_list("stratum_id", "arm__code").annotate(n=Count("pk"))
    ):
        per_arm[stratum_id][index[code]] += n
    names = [f.name for f in scheme_factors(scheme)]
    strata = scheme.strata.annotate(n_slots=Count("slots"), n_blocks=Max("slots__block")).order_by("pk")
    list_strata = tuple(
        ListStratum(
            s.label,
            tuple(str(s.levels.get(name, "")) for name in names),
            s.n_slots,
            s.n_blocks or 0,
            s.next_position - 1,
            tuple(per_arm[s.pk]) if s.pk in per_arm else (0,) * len(arms),
        )
        for s in strata
    )
    return SchemeConfig(
        scheme=scheme,
        arms=arms,
        factors=tuple(scheme.factors.all()),
        resolved=tuple(scheme_factors(scheme)),
        list_strata=list_strata,
        slots=sum(s.slots for s in list_strata),
        problems=tuple(scheme_problems(scheme)) if scheme.status == SchemeStatus.DRAFT else (),
        signatures=tuple(signatures_for(scheme)),
    )


def scheme_list_csv(access: StudyAccess, scheme: RandomisationScheme) -> str:
    """The stored list as CSV (stratum, block, sequence, arm), byte for byte the text its SHA-256 was taken of
    (`list_to_csv` of the generated or uploaded list: strata in list order, slots in sequence order); only the
    header when the scheme has no list. 403 unless the reader configures randomisation and sees treatment."""
    access_configure(access)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    slots = ListSlot.objects.filter(scheme=scheme).order_by("stratum_id", "position")
    for label, block, position, code in slots.values_list("stratum__label", "block", "position", "arm__code"):
        writer.writerow((label, block, position, code))
    return out.getvalue()
