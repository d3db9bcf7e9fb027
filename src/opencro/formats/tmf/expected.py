"""eTMF health metrics over plain records: completeness, timeliness and quality per study, country and site.

Definitions (what is measured, and why it is measured so):

* **Expected artifacts.** For each filing level - trial, country, site - the artifact numbers a
  study expects (`ExpectedArtifacts`), typically the model's artifacts at that level
  (`expected_from_model`; TMF Reference Model User Guide v1.0, 16 March 2018, section 4.1.9),
  narrowed by the study's TMF plan. Each country of the study expects every country-level artifact,
  each site every site-level one; the trial-level ones are expected once. An (artifact, place)
  pair is an *expected slot*.
* **Completeness** = expected slots holding at least one document not rejected at QC / expected
  slots. ICH E6(R3) (Step 4, 6 January 2025) Appendix C expects the essential records to be kept
  so that the trial can be reconstructed; the EMA "Guideline on the content, management and
  archiving of the clinical trial master file (paper and/or electronic)", EMA/INS/GCP/856758/2018
  (6 December 2018), expects the TMF complete and kept up to date during the trial. A rejected
  document has to be replaced, so it does not fill its slot; documents filed where nothing is
  expected count for timeliness and quality but not here.
* **Timeliness** = documents filed within ``timely_within_days`` days of their document date /
  documents with a document date. The same EMA guideline asks for documents to be filed
  contemporaneously, ICH E6(R3) C.2 for essential records to be managed as the trial goes; the
  allowed lag is the study's own (its TMF plan), hence a parameter. A document filed before its
  document date counts as timely; an undated document is counted apart (``undated``), not guessed.
* **Quality** = documents that passed QC / documents filed; ``qc_rejected`` and ``qc_pending``
  say what the rest are. The EMA guideline expects the sponsor to check the TMF's quality
  (routine review of its content); the ratio is the share of the filed TMF known to be right.

Every place's figures cover the place and the places under it: a country includes its sites, the
study everything. ``missing`` lists only the place's own expected artifacts with no accepted
document. Ratios are exact fractions (`Ratio`), undefined (None) when nothing is expected.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from opencro.formats.tmf.model import COUNTRY, LEVELS, SITE, TRIAL, ReferenceModel

QC_PASSED = "passed"
QC_REJECTED = "rejected"
QC_PENDING = "pending"
QC_STATUSES: tuple[str, ...] = (QC_PASSED, QC_REJECTED, QC_PENDING)


@dataclass(frozen=True)
class ExpectedArtifacts:
    """Artifact numbers expected at each level of a study."""

    trial: frozenset[str] = frozenset()
    country: frozenset[str] = frozenset()
    site: frozenset[str] = frozenset()

    def at(self, level: str) -> frozenset[str]:
        return {TRIAL: self.trial, COUNTRY: self.country, SITE: self.site}[level]


@dataclass(frozen=True)
class StudySite:
    """A site of the study and the country it is in."""

    site: str
    country: str


@dataclass(frozen=True)
class Placement:
    """One document filed in the TMF: the artifact and the place it is filed at, its dates and QC status.

    ``country`` is given for country- and site-level documents, ``site`` for site-level ones.
    """

    artifact: str
    level: str
    filed_date: date
    qc_status: str
    document_date: date | None = None
    country: str = ""
    site: str = ""


@dataclass(frozen=True)
class Ratio:
    """numerator / denominator, kept as counts; ``value`` is None when the denominator is 0."""

    numerator: int
    denominator: int

    @property
    def value(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def percent(self) -> float | None:
        value = self.value
        return float(value * 100) if value is not None else None


@dataclass(frozen=True)
class PlaceMetrics:
    """The metrics of one place: the study (level "trial"), a country, or a site."""

    level: str
    country: str
    site: str
    completeness: Ratio
    timeliness: Ratio
    quality: Ratio
    qc_rejected: int
    qc_pending: int
    undated: int
    missing: tuple[str, ...]


@dataclass(frozen=True)
class TmfMetrics:
    """Metrics for a study, each of its countries and each of its sites (in the order given)."""

    timely_within_days: int
    study: PlaceMetrics
    countries: tuple[PlaceMetrics, ...]
    sites: tuple[PlaceMetrics, ...]
    _countries: dict[str, PlaceMetrics] = field(init=False, repr=False, compare=False)
    _sites: dict[str, PlaceMetrics] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_countries", {m.country: m for m in self.countries})
        object.__setattr__(self, "_sites", {m.site: m for m in self.sites})

    def country(self, country: str) -> PlaceMetrics:
        return self._countries[country]

    def site(self, site: str) -> PlaceMetrics:
        return self._sites[site]


def expected_from_model(model: ReferenceModel, *, core_only: bool = True) -> ExpectedArtifacts:
    """Every artifact the model files at each level (only the core ones unless ``core_only=False``)."""
    numbers = {level: frozenset(a.number for a in model.for_level(level, core_only=core_only)) for level in LEVELS}
    return ExpectedArtifacts(trial=numbers[TRIAL], country=numbers[COUNTRY], site=numbers[SITE])


def tmf_metrics(
    expected: ExpectedArtifacts,
    *,
    countries: Iterable[str],
    sites: Iterable[StudySite],
    placements: Iterable[Placement],
    timely_within_days: int,
) -> TmfMetrics:
    """Completeness, timeliness and quality of a study's TMF, as defined in this module's docstring.

    Raises ValueError listing every placement that cannot be placed (unknown level, QC status,
    country or site, or a site filed under another country) and every site in an unknown country.
    """
    if timely_within_days < 0:
        raise ValueError(f"timely_within_days must be 0 or more, not {timely_within_days}")
    country_list = list(dict.fromkeys(countries))
    site_list = list(sites)
    placement_list = list(placements)
    check_inputs(country_list, site_list, placement_list)
    site_country = {s.site: s.country for s in site_list}

    # Each expected slot keyed (level, country, site, artifact); a place key is (level, country, site).
    slots: dict[tuple[str, str, str], frozenset[str]] = {(TRIAL, "", ""): expected.trial}
    for country in country_list:
        slots[(COUNTRY, country, "")] = expected.country
    for s in site_list:
        slots[(SITE, s.country, s.site)] = expected.site

    accepted: set[tuple[str, str, str, str]] = set()
    own = {key: Counts() for key in slots}
    for p in placement_list:
        key = place_key(p, site_country)
        if p.qc_status != QC_REJECTED:
            accepted.add((*key, p.artifact))
        own[key].add_document(p, timely_within_days)
    missing: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for key, numbers in slots.items():
        missing[key] = tuple(sorted(n for n in numbers if (*key, n) not in accepted))
        own[key].expected += len(numbers)
        own[key].present += len(numbers) - len(missing[key])

    def metrics(key: tuple[str, str, str], counts: "Counts") -> PlaceMetrics:
        return PlaceMetrics(
            level=key[0],
            country=key[1],
            site=key[2],
            completeness=Ratio(counts.present, counts.expected),
            timeliness=Ratio(counts.timely, counts.dated),
            quality=Ratio(counts.passed, counts.filed),
            qc_rejected=counts.rejected,
            qc_pending=counts.pending,
            undated=counts.filed - counts.dated,
            missing=missing[key],
        )

    site_keys = [(SITE, s.country, s.site) for s in site_list]
    country_keys = [(COUNTRY, c, "") for c in country_list]
    country_totals = {
        key: Counts.total([own[key], *(own[site] for site in site_keys if site[1] == key[1])]) for key in country_keys
    }
    study_key = (TRIAL, "", "")
    return TmfMetrics(
        timely_within_days=timely_within_days,
        study=metrics(study_key, Counts.total(own.values())),
        countries=tuple(metrics(key, country_totals[key]) for key in country_keys),
        sites=tuple(metrics(key, own[key]) for key in site_keys),
    )


@dataclass
class Counts:
    """Running counts for one place (mutable while counting; the results are frozen)."""

    expected: int = 0
    present: int = 0
    filed: int = 0
    dated: int = 0
    timely: int = 0
    passed: int = 0
    rejected: int = 0
    pending: int = 0

    def add_document(self, placement: Placement, timely_within_days: int) -> None:
        self.filed += 1
        if placement.document_date is not None:
            self.dated += 1
            if (placement.filed_date - placement.document_date).days <= timely_within_days:
                self.timely += 1
        self.passed += placement.qc_status == QC_PASSED
        self.rejected += placement.qc_status == QC_REJECTED
        self.pending += placement.qc_status == QC_PENDING

    @classmethod
    def total(cls, parts: Iterable["Counts"]) -> "Counts":
        total = cls()
        for part in parts:
            for name in ("expected", "present", "filed", "dated", "timely", "passed", "rejected", "pending"):
                setattr(total, name, getattr(total, name) + getattr(part, name))
        return total


def place_key(placement: Placement, site_country: dict[str, str]) -> tuple[str, str, str]:
    """(level, country, site) of the place a document is filed at; a site's country comes from the site."""
    if placement.level == SITE:
        return (SITE, site_country[placement.site], placement.site)
    if placement.level == COUNTRY:
        return (COUNTRY, placement.country, "")
    return (TRIAL, "", "")


def check_inputs(countries: list[str], sites: list[StudySite], placements: list[Placement]) -> None:
    problems: list[str] = []
    known_countries = set(countries)
    site_country: dict[str, str] = {}
    for s in sites:
        if s.country not in known_countries:
            problems.append(f"site {s.site!r} is in country {s.country!r}, which is not among the study's countries")
        if s.site in site_country:
            problems.append(f"site {s.site!r} is given twice")
        site_country[s.site] = s.country
    for index, p in enumerate(placements, start=1):
        where = f"placement {index} (artifact {p.artifact})"
        if p.level not in LEVELS:
            problems.append(f"{where}: level {p.level!r} is not one of {', '.join(LEVELS)}")
        elif p.level == COUNTRY and p.country not in known_countries:
            problems.append(f"{where}: country {p.country!r} is not among the study's countries")
        elif p.level == SITE and p.site not in site_country:
            problems.append(f"{where}: site {p.site!r} is not among the study's sites")
        elif p.level == SITE and p.country and p.country != site_country[p.site]:
            problems.append(f"{where}: site {p.site!r} is in {site_country[p.site]!r}, not {p.country!r}")
        if p.qc_status not in QC_STATUSES:
            problems.append(f"{where}: QC status {p.qc_status!r} is not one of {', '.join(QC_STATUSES)}")
    if problems:
        raise ValueError("; ".join(problems))
