"""FAERS quarters as a report-product-event table for disproportionality analysis.

Reads the DEMO files of every quarter first, keeps one report per case (`latest_versions`), drops the cases FDA
lists as deleted, then reads DRUG and REAC keeping only those reports: the products in the chosen roles (by
default the suspects, PS primary and SS secondary; C concomitant and I interacting only when asked) and every
reaction (MedDRA preferred term). Each (report, product, event) is one row, once, however often the drug or
term was repeated in the report.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from opencro.formats.errors import FormatError, Problem
from opencro.formats.faers.dollar import Column, DollarTable, read_dollar_table
from opencro.formats.faers.names import normalise_names
from opencro.formats.faers.quarter import Member, Source, find_source, opened
from opencro.formats.faers.textlines import decode_line
from opencro.formats.faers.versions import latest_versions

ROLES = ("PS", "SS", "C", "I")  # primary suspect, secondary suspect, concomitant, interacting
SUSPECT_ROLES = ("PS", "SS")
PRODUCT_FIELDS = ("drugname", "prod_ai")
UNKNOWN_STRATUM = "UNK"  # FAERS's own code for an unknown sex; used for any empty stratum value
STRATUM_ALIASES = {"sex": ("gndr_cod",)}  # named gndr_cod before 2014 Q3

PRIMARYID = Column("primaryid", ("isr",), non_empty=True)  # Legacy AERS (to 2012 Q3) calls it isr
DEMO_COLUMNS = (
    PRIMARYID,
    Column("caseid", ("case",), non_empty=True),
    Column("caseversion", required=False),
    Column("fda_dt", required=False),
)
DRUG_COLUMNS = (PRIMARYID, Column("role_cod"), Column("drugname"), Column("prod_ai", required=False))
REAC_COLUMNS = (PRIMARYID, Column("pt"))

Progress = Callable[[str, float], None]


@dataclass(frozen=True, eq=False)
class FaersExtract:
    """The report-product-event table (columns report, product, event, and stratum when asked) and its counts.

    `report` is the kept version's primaryid. `demo_rows` DEMO rows were read for `cases` distinct cases;
    `superseded` rows were dropped as earlier (or repeated) versions and `deleted` cases as deleted by FDA;
    `reports` reports remain in the table (a kept report with no product in `roles` or no reaction has no row);
    `repaired_lines` records broken over two or more lines were joined.
    """

    table: pd.DataFrame
    quarters: tuple[str, ...]
    roles: tuple[str, ...]
    product_field: str
    demo_rows: int
    cases: int
    superseded: int
    deleted: int
    reports: int
    repaired_lines: int
    sources: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "sources": list(self.sources),
            "quarters": list(self.quarters),
            "roles": list(self.roles),
            "product_field": self.product_field,
            "demo_rows": self.demo_rows,
            "cases": self.cases,
            "superseded": self.superseded,
            "deleted": self.deleted,
            "reports": self.reports,
            "rows": len(self.table),
            "repaired_lines": self.repaired_lines,
        }


def _check_options(roles: Iterable[str], product_field: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(role.strip().upper() for role in roles))
    unknown = [role for role in chosen if role not in ROLES]
    if unknown or not chosen:
        raise ValueError(f"roles must be among {', '.join(ROLES)}, not {', '.join(unknown) or 'none'}")
    if product_field not in PRODUCT_FIELDS:
        raise ValueError(f"product_field must be one of {', '.join(PRODUCT_FIELDS)}, not {product_field!r}")
    return chosen


class _Reader:
    """Reads members one after another, telling `progress` the share of all bytes read so far."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.progress = progress
        self.repaired = 0

    def table(self, member: Member, wanted: Sequence[Column]) -> DollarTable:
        start = self.done
        base = member.label.replace("\\", "/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]

        def told(read: int) -> None:
            if self.progress is not None:
                self.progress(f"Reading {base}", min(1.0, (start + read) / self.total))

        with opened(member) as stream:
            result = read_dollar_table(stream, file=member.label, wanted=wanted, on_bytes=told)
        self.done = start + member.size
        self.repaired += result.repaired
        return result

    def deleted_ids(self, member: Member) -> set[str]:
        with opened(member) as stream:
            ids = {decode_line(raw).strip().removeprefix("\ufeff") for raw in stream}
        self.done += member.size
        return {i for i in ids if i}


def _frame(result: DollarTable) -> pd.DataFrame:
    return pd.DataFrame(dict(result.columns), dtype=object)


def read_faers(
    sources: Sequence[Path | str] | Path | str,
    *,
    roles: Iterable[str] = SUSPECT_ROLES,
    product_field: str = "drugname",
    strata: str | None = None,
    drop_deleted: bool = True,
    progress: Progress | None = None,
) -> FaersExtract:
    """Read FAERS quarterly ASCII extracts (folders or FDA zips, one quarter or several) into report-product-event rows.

    Parameters
    ----------
    sources
        Folders or zip files, each holding one or more quarters' ``DEMOyyQq.txt``, ``DRUGyyQq.txt``,
        ``REACyyQq.txt``. Versions of a case are de-duplicated across all of them.
    roles
        The ``role_cod`` values whose drugs count as the report's products (default the suspects PS and SS).
    product_field
        ``"drugname"`` (the name as reported) or ``"prod_ai"`` (the active ingredient FDA derived from it; where
        it is empty, or absent as before 2014 Q3, the drug name is used). Names are upper-cased and trimmed.
    strata
        A DEMO column whose value becomes the ``stratum`` column (e.g. ``"sex"``, ``"age_grp"``,
        ``"occr_country"``); an empty value becomes ``"UNK"``.
    drop_deleted
        Drop the cases listed in the extracts' ``DELETE*.txt`` files.
    progress
        Called with a description and the fraction of bytes read.

    Raises
    ------
    FormatError
        A source that is not a quarter, a missing file or column, a malformed line: every problem located by
        file, line and column.
    ValueError
        An unknown role or product field.
    """
    chosen = _check_options(roles, product_field)
    paths = [sources] if isinstance(sources, Path | str) else list(sources)
    if not paths:
        raise ValueError("no FAERS source given")
    found: list[Source] = [find_source(path) for path in paths]
    reader = _Reader(sum(source.size for source in found), progress)
    demo_columns: tuple[Column, ...] = DEMO_COLUMNS
    if strata is not None:
        name = strata.strip().lower()
        demo_columns = (*DEMO_COLUMNS, Column(name, STRATUM_ALIASES.get(name, ())))

    demo = pd.concat([_frame(reader.table(q.demo, demo_columns)) for s in found for q in s.quarters])
    deleted_ids: set[str] = set()
    for source in found:
        for member in source.deleted:
            deleted_ids |= reader.deleted_ids(member)
    kept = latest_versions(demo)
    superseded = len(demo) - len(kept)
    if drop_deleted and deleted_ids:
        removed = kept["caseid"].isin(deleted_ids)
        n_deleted = int(removed.sum())
        kept = kept[~removed]
    else:
        n_deleted = 0
    wanted = pd.Index(kept["primaryid"].unique())

    products, events = [], []
    for source in found:
        for quarter in source.quarters:
            drug = _frame(reader.table(quarter.drug, DRUG_COLUMNS))
            drug = drug[drug["role_cod"].str.upper().isin(chosen) & drug["primaryid"].isin(wanted)]
            name = normalise_names(drug["drugname"])
            if product_field == "prod_ai" and "prod_ai" in drug:
                ingredient = normalise_names(drug["prod_ai"])
                name = ingredient.where(ingredient != "", name)
            products.append(pd.DataFrame({"report": drug["primaryid"], "product": name}))
            reac = _frame(reader.table(quarter.reac, REAC_COLUMNS))
            reac = reac[reac["primaryid"].isin(wanted)]
            events.append(pd.DataFrame({"report": reac["primaryid"], "event": normalise_names(reac["pt"])}))
    if progress is not None:
        progress("Linking products and events", 1.0)
    product_rows = pd.concat(products, ignore_index=True)
    event_rows = pd.concat(events, ignore_index=True)
    product_rows = product_rows[product_rows["product"] != ""].drop_duplicates()
    event_rows = event_rows[event_rows["event"] != ""].drop_duplicates()
    table = product_rows.merge(event_rows, on="report", how="inner", sort=False)
    if strata is not None:
        column = strata.strip().lower()
        levels = kept.set_index("primaryid")[column].str.strip().replace("", UNKNOWN_STRATUM)
        levels = levels[~levels.index.duplicated()]
        table["stratum"] = table["report"].map(levels).fillna(UNKNOWN_STRATUM)
    table = table.reset_index(drop=True)
    return FaersExtract(
        table=table,
        quarters=tuple(q.tag for s in found for q in s.quarters),
        roles=chosen,
        product_field=product_field,
        demo_rows=len(demo),
        cases=int(demo["caseid"].nunique()),
        superseded=superseded,
        deleted=n_deleted,
        reports=int(table["report"].nunique()),
        repaired_lines=reader.repaired,
        sources=tuple(str(p) for p in paths),
    )


def read_faers_quarter(
    path: Path | str,
    *,
    roles: Iterable[str] = SUSPECT_ROLES,
    product_field: str = "drugname",
    strata: str | None = None,
    drop_deleted: bool = True,
    progress: Progress | None = None,
) -> FaersExtract:
    """One quarter's folder or zip: `read_faers` on it, after checking that it holds exactly one quarter."""
    source = find_source(path)
    if len(source.quarters) != 1:
        tags = ", ".join(q.tag for q in source.quarters)
        raise FormatError(Problem(str(path), f"holds {len(source.quarters)} quarters ({tags}), not one"))
    return read_faers(
        [path], roles=roles, product_field=product_field, strata=strata, drop_deleted=drop_deleted, progress=progress
    )
