"""DSUR support (ICH E2F, 2010): the interval line listing of serious adverse reactions, the cumulative summary
tabulation of serious adverse events by system organ class, preferred term and treatment, and the exposure estimate.

Pure: the selectors in `safety.dsur_data` read the rows. Blinding: the tabulation has one column per arm only for a
reader who may see treatment assignments (ICH E2F 3.6.2 allows blinded tabulations while the study is blinded);
otherwise one "Blinded" column.

References
----------
ICH E2F (2010), Development Safety Update Report, sections 3.6 (estimated cumulative exposure), 3.7 (data in line
listings and tabulations: 3.7.1 reference information, 3.7.2 line listings of serious adverse reactions during the
reporting period, 3.7.3 cumulative summary tabulations of serious adverse events) and Appendix C.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

BLINDED = "Blinded"


@dataclass(frozen=True)
class SaeRow:
    """One serious event of a case's current version, with what the DSUR tables need."""

    case_number: str
    received_on: dt.date
    country: str
    subject: str
    age_sex: str
    soc: str
    pt: str
    verbatim: str
    onset: str
    outcome: str
    seriousness: str
    products: str
    related_reporter: bool | None
    related_company: bool | None
    unexpected: bool | None
    arm: str  # the arm's name for unblinded readers, else BLINDED

    @property
    def related(self) -> bool:
        return bool(self.related_reporter or self.related_company)


@dataclass(frozen=True)
class Tabulation:
    """SAEs by SOC and PT: `counts[(soc, pt)][arm]`, with the arms in order and totals per arm."""

    arms: tuple[str, ...]
    rows: tuple[tuple[str, str, tuple[int, ...], int], ...]  # (soc, pt, counts per arm, total)
    totals: tuple[int, ...]


@dataclass(frozen=True)
class Exposure:
    """Participants exposed and participant-years on study up to the data lock point, per arm (or blinded)."""

    arm: str
    participants: int
    participant_years: float


def interval_line_listing(rows: Sequence[SaeRow], *, start: dt.date, dlp: dt.date) -> list[SaeRow]:
    """Serious adverse reactions (related by the investigator or the sponsor) received in [start, dlp]."""
    return sorted(
        (r for r in rows if r.related and start <= r.received_on <= dlp),
        key=lambda r: (r.soc, r.pt, r.case_number),
    )


def cumulative_tabulation(rows: Sequence[SaeRow], *, dlp: dt.date, arms: Sequence[str]) -> Tabulation:
    """Serious adverse events received up to the DLP by SOC, PT and arm (each event once)."""
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for r in rows:
        if r.received_on <= dlp:
            counts[(r.soc or "(not coded)", r.pt or r.verbatim)][r.arm] += 1
    arms = tuple(arms)
    table = tuple((soc, pt, tuple(c[a] for a in arms), sum(c.values())) for (soc, pt), c in sorted(counts.items()))
    totals = tuple(sum(row[2][i] for row in table) for i in range(len(arms)))
    return Tabulation(arms, table, totals)


def exposure_estimate(participants: Sequence[tuple[str, dt.date, dt.date | None]], *, dlp: dt.date) -> list[Exposure]:
    """Per arm: participants enrolled by the DLP and their time on study (enrolment to end or DLP) in years of
    365.25 days. `participants` are (arm, enrolled on, ended on or None)."""
    by_arm: dict[str, list[float]] = defaultdict(list)
    for arm, enrolled, ended in participants:
        if enrolled > dlp:
            continue
        end = min(ended, dlp) if ended else dlp
        by_arm[arm].append(max((end - enrolled).days, 0) / 365.25)
    return [Exposure(arm, len(years), round(sum(years), 2)) for arm, years in sorted(by_arm.items())]
