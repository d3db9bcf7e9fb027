"""TMF reads: the structure in use, its expectations, which milestones a study has reached at a date, and the
TMF's completeness, timeliness and quality at that date per study, country and site (`formats.tmf.tmf_metrics`).

An expectation counts at a place only once its milestone is reached there, on the date asked:

* ``trial_start``: the study has an approved protocol version (approved, or approved and since superseded) in
  effect by the date (no effective date: counted as in effect);
* ``site_activation``: for a site, its green light (`Site.activated_on`) is on or before the date; for a trial- or
  country-level expectation, once any site of the study has its green light;
* ``conduct``: once any site of the study has its green light;
* ``close_out``: only once the study is closed.

Documents count once filed (approved or final) on or before the date, with their quality check as it stands now.
A site-restricted reader gets the figures of their sites and countries only, from the documents they see.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from opencro.accounts.access import StudyAccess
from opencro.documents.models import (
    DocumentLevel,
    DocumentVersion,
    QcStatus,
    TmfArtifact,
    TmfExpectation,
    TmfMilestone,
    TmfStructure,
)
from opencro.documents.visibility import country_ids, place_filter, version_filter
from opencro.formats.tmf import ExpectedArtifacts, Placement, PlaceMetrics, Ratio, StudySite, tmf_metrics
from opencro.studies.models import Country, ProtocolVersion, ProtocolVersionStatus, Site, Study, StudyStatus

DEFAULT_TIMELY_DAYS = 30


def tmf_structure_current(study_id: int) -> TmfStructure | None:
    """The structure in use: the latest loaded."""
    return TmfStructure.objects.filter(study_id=study_id).order_by("-loaded_at", "-id").first()


def tmf_artifact_find(study_id: int, artifact_id: int) -> TmfArtifact | None:
    """An artifact of any structure loaded for the study (documents filed under an earlier one keep it)."""
    return TmfArtifact.objects.filter(pk=artifact_id, structure__study_id=study_id).select_related("structure").first()


def tmf_artifacts_by_zone(structure: TmfStructure) -> list[tuple[str, str, list[TmfArtifact]]]:
    """The structure's artifacts grouped by zone: (zone number, zone name, artifacts in number order)."""
    zones: dict[str, tuple[str, list[TmfArtifact]]] = {}
    for artifact in TmfArtifact.objects.filter(structure=structure).order_by("number"):
        zones.setdefault(artifact.zone_number, (artifact.zone_name, []))[1].append(artifact)
    return [(number, name, artifacts) for number, (name, artifacts) in sorted(zones.items())]


def tmf_expectation_list(study_id: int) -> QuerySet[TmfExpectation]:
    """The expectations on the structure in use."""
    structure = tmf_structure_current(study_id)
    if structure is None:
        return TmfExpectation.objects.none()
    return TmfExpectation.objects.filter(study_id=study_id, artifact__structure=structure).select_related("artifact")


@dataclass(frozen=True)
class Milestones:
    """Which milestones the study has reached on `on`; `active_site_ids`: sites past their green light."""

    on: dt.date
    trial_start: bool
    conduct: bool
    close_out: bool
    active_site_ids: frozenset[int]

    def reached(self, milestone: str, *, site_id: int | None = None) -> bool:
        if milestone == TmfMilestone.SITE_ACTIVATION:
            return site_id in self.active_site_ids if site_id is not None else bool(self.active_site_ids)
        return {
            TmfMilestone.TRIAL_START: self.trial_start,
            TmfMilestone.CONDUCT: self.conduct,
            TmfMilestone.CLOSE_OUT: self.close_out,
        }.get(milestone, False)


def tmf_milestones(study: Study, on: dt.date) -> Milestones:
    """The milestones reached on `on` (see the module docstring)."""
    approved = ProtocolVersion.objects.filter(
        study=study, status__in=(ProtocolVersionStatus.APPROVED, ProtocolVersionStatus.SUPERSEDED)
    ).filter(Q(effective_date__isnull=True) | Q(effective_date__lte=on))
    active = frozenset(
        Site.objects.filter(study=study, activated_on__isnull=False, activated_on__lte=on).values_list("pk", flat=True)
    )
    return Milestones(
        on=on,
        trial_start=approved.exists(),
        conduct=bool(active),
        close_out=study.status == StudyStatus.CLOSED,
        active_site_ids=active,
    )


@dataclass(frozen=True)
class PlaceRow:
    """One row of the completeness table: the place, its figures, and its missing artifacts with their names."""

    label: str
    country: Country | None
    site: Site | None
    metrics: PlaceMetrics
    missing: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TmfCompleteness:
    """The TMF's health on `on` for the places the reader sees (`formats.tmf.expected` defines the ratios)."""

    on: dt.date
    timely_within_days: int
    milestones: Milestones
    structure: TmfStructure | None
    study: PlaceRow
    countries: tuple[PlaceRow, ...]
    sites: tuple[PlaceRow, ...]


def _expected(expectations: list[TmfExpectation], milestones: Milestones, *, site_active: bool) -> ExpectedArtifacts:
    numbers: dict[str, set[str]] = defaultdict(set)
    for e in expectations:
        if e.level == DocumentLevel.SITE and e.milestone == TmfMilestone.SITE_ACTIVATION:
            due = site_active
        else:
            due = milestones.reached(e.milestone)
        if due:
            numbers[e.level].add(e.artifact.number)
    return ExpectedArtifacts(
        trial=frozenset(numbers[DocumentLevel.TRIAL]),
        country=frozenset(numbers[DocumentLevel.COUNTRY]),
        site=frozenset(numbers[DocumentLevel.SITE]),
    )


def _placements(access: StudyAccess | None, study: Study, on: dt.date) -> list[tuple[DocumentVersion, Placement]]:
    end = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min))
    versions = (
        DocumentVersion.objects.filter(
            document__study=study, document__artifact__isnull=False, filed_at__isnull=False, filed_at__lt=end
        )
        .filter(place_filter(access, "document__"))
        .filter(version_filter(access))
        .distinct()
        .select_related("document__artifact", "document__country", "document__site__country")
    )
    found = []
    for v in versions:
        d = v.document
        country = d.site.country if d.site_id else d.country
        found.append(
            (
                v,
                Placement(
                    artifact=d.artifact.number,
                    level=d.level,
                    filed_date=timezone.localdate(v.filed_at),
                    qc_status=v.qc_status or QcStatus.PENDING,
                    document_date=v.document_date,
                    country=country.code if country else "",
                    site=d.site.number if d.site_id else "",
                ),
            )
        )
    return found


def _sum(a: PlaceMetrics, b: PlaceMetrics) -> PlaceMetrics:
    """The figures of two disjoint parts of one place added (counts add; `missing` is the place's own, from `a`)."""

    def add(x: Ratio, y: Ratio) -> Ratio:
        return Ratio(x.numerator + y.numerator, x.denominator + y.denominator)

    return PlaceMetrics(
        level=a.level,
        country=a.country,
        site=a.site,
        completeness=add(a.completeness, b.completeness),
        timeliness=add(a.timeliness, b.timeliness),
        quality=add(a.quality, b.quality),
        qc_rejected=a.qc_rejected + b.qc_rejected,
        qc_pending=a.qc_pending + b.qc_pending,
        undated=a.undated + b.undated,
        missing=a.missing,
    )


def tmf_completeness(
    access: StudyAccess | None,
    study: Study,
    *,
    on: dt.date | None = None,
    timely_within_days: int = DEFAULT_TIMELY_DAYS,
) -> TmfCompleteness:
    """Completeness, timeliness (filed within `timely_within_days` of the document date) and quality on `on`
    (default: today) for the study, each country and each site the reader sees.

    `tmf_metrics` expects one artifact set per level; a site's expectations depend on its own green light, so the
    sites past it and the others are measured apart (the second part with no trial or country expectations) and
    the two parts' counts added for the study and each country.
    """
    on = on or timezone.localdate()
    milestones = tmf_milestones(study, on)
    structure = tmf_structure_current(study.pk)
    expectations = list(tmf_expectation_list(study.pk))
    countries = list(Country.objects.filter(study=study).order_by("name"))
    visible_countries = country_ids(access)
    if visible_countries is not None:
        countries = [c for c in countries if c.pk in visible_countries]
    sites = list(Site.objects.filter(study=study).filter(access.site_filter("pk") if access else Q()))
    sites.sort(key=lambda s: s.number)
    placed = [p for _v, p in _placements(access, study, on)]
    active = [s for s in sites if s.pk in milestones.active_site_ids]
    waiting = [s for s in sites if s.pk not in milestones.active_site_ids]
    active_numbers = {s.number for s in active}
    codes = [c.code for c in countries]
    first = tmf_metrics(
        _expected(expectations, milestones, site_active=True),
        countries=codes,
        sites=[StudySite(s.number, s.country.code) for s in active],
        placements=[p for p in placed if p.level != DocumentLevel.SITE or p.site in active_numbers],
        timely_within_days=timely_within_days,
    )
    waiting_expected = _expected(expectations, milestones, site_active=False)
    second = tmf_metrics(
        ExpectedArtifacts(site=waiting_expected.site),
        countries=codes,
        sites=[StudySite(s.number, s.country.code) for s in waiting],
        placements=[p for p in placed if p.level == DocumentLevel.SITE and p.site not in active_numbers],
        timely_within_days=timely_within_days,
    )
    names = {e.artifact.number: e.artifact.name for e in expectations}

    def row(label: str, metrics: PlaceMetrics, country: Country | None = None, site: Site | None = None) -> PlaceRow:
        return PlaceRow(label, country, site, metrics, tuple((n, names.get(n, "")) for n in metrics.missing))

    site_metrics = {m.site: m for m in (*first.sites, *second.sites)}
    return TmfCompleteness(
        on=on,
        timely_within_days=timely_within_days,
        milestones=milestones,
        structure=structure,
        study=row(study.protocol_number, _sum(first.study, second.study)),
        countries=tuple(row(c.name, _sum(first.country(c.code), second.country(c.code)), country=c) for c in countries),
        sites=tuple(row(f"{s.number} {s.institution}", site_metrics[s.number], s.country, s) for s in sites),
    )
