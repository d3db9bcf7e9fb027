"""The parts of a step's gate: its lines (what must hold, whether it does, and what blocks it) and what the gate found
(the facts a signature records, and the record it looked at: a package, a document version)."""

from dataclasses import dataclass, field, replace
from typing import Any

DETAIL_LIMIT = 50  # items named under a line; the count in its detail is always whole


@dataclass(frozen=True)
class Item:
    """One thing a line names (a participant, a site, a payment run, a missing artifact), with its place so a reader
    restricted to some sites sees only theirs."""

    text: str
    site_id: int | None = None
    country_id: int | None = None


@dataclass(frozen=True)
class GateLine:
    """One precondition of a step: what, whether it holds now, and the count or detail behind it. An `info` line
    tells (emergency unblindings, contracts) and never blocks."""

    key: str
    label: str
    holds: bool
    detail: str = ""
    items: tuple[Item, ...] = ()
    info: bool = False

    @property
    def light(self) -> str:
        """The traffic light: green when it holds, red when it blocks, none for an information line."""
        if self.info:
            return ""
        return "green" if self.holds else "red"

    def seen_by(self, site_ids: frozenset[int] | None, country_ids: set[int] | None) -> "GateLine":
        """The line as a reader restricted to `site_ids` (and their countries) sees it: other places' items left out."""
        if site_ids is None:
            return self
        kept = tuple(
            i
            for i in self.items
            if (i.site_id is None or i.site_id in site_ids)
            and (i.country_id is None or (country_ids is not None and i.country_id in country_ids))
        )
        return replace(self, items=kept)


@dataclass(frozen=True)
class Found:
    """What one step's gate found: its lines, the facts signing now would record, and the records it looked at."""

    lines: list[GateLine]
    facts: dict[str, Any] = field(default_factory=dict)
    package: Any = None
    document_version: Any = None
    appendices: tuple = ()


def limited(items: list[Item]) -> tuple[Item, ...]:
    return tuple(items[:DETAIL_LIMIT])


def iso(value) -> str | None:
    """A date or datetime as ISO text for the facts (JSON), None kept."""
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Selection:
    """What a signer chose for the step being signed: the analysis package, or the report's version and appendices."""

    step: str
    package: Any = None
    document_version: Any = None
    appendices: tuple = ()
