"""The TMF Reference Model as data: zones, sections and artifacts, and lookups over them.

The Trial Master File Reference Model (TMF RM; DIA Document and Records Management Community,
since June 2022 a CDISC initiative) files every record of a trial under a three-level number:
zone ``NN``, section ``NN.NN`` and artifact ``NN.NN.NN`` (TMF RM User Guide v1.0, 16 March 2018,
section 4.1.1). Each artifact says at which filing levels it is kept - trial, country (or region)
and site (section 4.1.9) - whether it is "Core" or "Recommended" (4.1.3), whether it belongs to the
sponsor TMF and/or the investigator site file (4.1.6), and which ICH E6 section asks for it (4.1.4).
Numbers removed in a revision are never reused (tmfrefmodel.com, "Why are there gaps in the
artifact number sequences?"), so an artifact number identifies the same artifact across versions.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

TRIAL = "trial"
COUNTRY = "country"
SITE = "site"
LEVELS: tuple[str, ...] = (TRIAL, COUNTRY, SITE)


@dataclass(frozen=True, order=True)
class Zone:
    """A zone: ``number`` is two digits ("01"), as in the artifact numbers."""

    number: str
    name: str


@dataclass(frozen=True, order=True)
class Section:
    """A section: ``number`` is zone and section, "01.02"."""

    number: str
    name: str
    zone: Zone


@dataclass(frozen=True)
class Artifact:
    """One artifact of the model.

    ``levels`` holds the filing levels marked for it ("trial", "country", "site"). The flags read
    False when the spreadsheet has no such column (older versions have no device columns).
    ``sub_artifacts`` and ``alternate_names`` are the cell's lines, in order.
    """

    number: str
    name: str
    zone: Zone
    section: Section
    levels: frozenset[str]
    core: bool
    sponsor_document: bool = False
    investigator_document: bool = False
    device_sponsor_document: bool = False
    device_investigator_document: bool = False
    investigator_initiated: bool = False
    ich_code: str = ""
    definition: str = ""
    sub_artifacts: tuple[str, ...] = ()
    alternate_names: tuple[str, ...] = ()
    unique_id: str = ""
    dating_convention: str = ""
    process: str = ""
    milestone: str = ""

    def at_level(self, level: str) -> bool:
        return level in self.levels


@dataclass(frozen=True)
class ReferenceModel:
    """A version of the reference model: artifacts in spreadsheet order, with their zones and sections."""

    version: str
    artifacts: tuple[Artifact, ...]
    zones: tuple[Zone, ...]
    sections: tuple[Section, ...]
    _by_number: dict[str, Artifact] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_number", {artifact.number: artifact for artifact in self.artifacts})

    def artifact(self, number: str) -> Artifact:
        """The artifact numbered ``number`` ("05.02.01"); KeyError if this version has none."""
        try:
            return self._by_number[number]
        except KeyError:
            version = self.version or "(version unknown)"
            raise KeyError(f"no artifact {number!r} in TMF Reference Model {version}") from None

    def __contains__(self, number: object) -> bool:
        return number in self._by_number

    def __len__(self) -> int:
        return len(self.artifacts)

    def for_level(self, level: str, *, core_only: bool = False) -> tuple[Artifact, ...]:
        """The artifacts filed at ``level`` ("trial", "country" or "site"), optionally only the core ones."""
        check_level(level)
        return tuple(a for a in self.artifacts if level in a.levels and (a.core or not core_only))

    def by_zone(self) -> dict[Zone, tuple[Artifact, ...]]:
        """The artifacts of each zone, zones in number order."""
        grouped: dict[Zone, list[Artifact]] = {zone: [] for zone in self.zones}
        for artifact in self.artifacts:
            grouped[artifact.zone].append(artifact)
        return {zone: tuple(grouped[zone]) for zone in sorted(grouped)}

    def by_section(self) -> dict[Section, tuple[Artifact, ...]]:
        """The artifacts of each section, sections in number order."""
        grouped: dict[Section, list[Artifact]] = {section: [] for section in self.sections}
        for artifact in self.artifacts:
            grouped[artifact.section].append(artifact)
        return {section: tuple(grouped[section]) for section in sorted(grouped)}


def check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown TMF level {level!r}: use one of {', '.join(LEVELS)}")


def build_model(version: str, artifacts: Iterable[Artifact]) -> ReferenceModel:
    """A model from artifacts: zones and sections are those the artifacts name, in number order."""
    artifacts = tuple(artifacts)
    zones = tuple(sorted({a.zone for a in artifacts}))
    sections = tuple(sorted({a.section for a in artifacts}))
    return ReferenceModel(version=version, artifacts=artifacts, zones=zones, sections=sections)
