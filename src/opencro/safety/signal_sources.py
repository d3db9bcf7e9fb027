"""The report database a signal run analyses, as report-product-event rows (columns report, product, event and,
when stratified, stratum): an uploaded table, FDA FAERS extracts, or the study's own safety cases.

Readers raise `FormatError` with located problems; the upload's stored name is replaced by the name it was
uploaded under, so a problem reads "reports.csv, line 3: ..." and never shows a server path.
"""

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from opencro.formats.errors import FormatError, Problem
from opencro.safety.models import CaseEvent, CaseProduct, CaseStatus, CaseVersion, ProductRole, SignalRun

Progress = Callable[[str, float], None]
CASE_ROLES = (ProductRole.SUSPECT, ProductRole.INTERACTING)


def _renamed(exc: FormatError, stored: dict[str, str]) -> FormatError:
    """The problems with each stored file's path (or bare name) replaced by the name it was uploaded under."""
    pairs = sorted(stored.items(), key=lambda item: -len(item[0]))  # full paths before bare names

    def clean(text: str) -> str:
        for path, name in pairs:
            text = text.replace(path, name)
        return text

    return FormatError([Problem(clean(p.location), clean(p.message)) for p in exc.problems])


def reports_from_upload(
    run: SignalRun, paths: Sequence[str], names: Sequence[str], progress: Progress
) -> tuple[pd.DataFrame, dict]:
    """Read the run's uploaded table or FAERS extracts (stored at `paths`, uploaded as `names`) with its options;
    raise FormatError (the problems naming the files as uploaded) or ValueError."""
    from opencro.formats.faers import read_faers, read_report_table

    options = run.options
    name = run.source_name or "upload"
    stored = {}
    for path, original in zip(paths, list(names) + [name] * (len(paths) - len(names)), strict=True):
        stored[str(path)] = original
        stored[Path(path).name] = original
    try:
        if run.source == "faers":
            extract = read_faers(
                [Path(p) for p in paths],
                roles=tuple(options.get("roles") or ("PS", "SS")),
                product_field="prod_ai" if options.get("prod_ai") else "drugname",
                strata=options.get("strata_col") or None,
                drop_deleted=not options.get("keep_deleted", False),
                progress=progress,
            )
            info = extract.as_dict()
            info["sources"] = list(names)
            return extract.table, info
        progress(f"Reading {name}", 0.0)
        table = read_report_table(
            paths[0],
            report_col=options.get("report_col") or "report",
            product_col=options.get("product_col") or "product",
            event_col=options.get("event_col") or "event",
            strata_col=options.get("strata_col") or None,
        )
        progress(f"Reading {name}", 1.0)
        return table, {"rows": len(table)}
    except FormatError as exc:
        raise _renamed(exc, stored) from None


def reports_from_cases(study_id: int) -> pd.DataFrame:
    """The study's cases as report-product-event rows.

    The latest version of every case not marked duplicate nor nullified; its suspect and interacting products (the
    study product's name where linked, else as reported) crossed with its events (MedDRA PT name; the reported term
    while uncoded); the case number as the report.
    """
    void = (CaseStatus.DUPLICATE, CaseStatus.NULLIFIED)
    versions = CaseVersion.objects.filter(study_id=study_id, latest=True).exclude(case__status__in=void)
    number = dict(versions.values_list("pk", "case__number"))
    if not number:
        return pd.DataFrame(columns=["report", "product", "event"])
    products = pd.DataFrame(
        CaseProduct.objects.filter(version_id__in=number, role__in=CASE_ROLES).values_list(
            "version_id", "name", "product__name"
        ),
        columns=["version", "name", "linked"],
    )
    events = pd.DataFrame(
        CaseEvent.objects.filter(version_id__in=number).values_list("version_id", "pt_name", "verbatim"),
        columns=["version", "pt", "verbatim"],
    )
    products["product"] = products["linked"].where(products["linked"].fillna("").str.strip() != "", products["name"])
    events["event"] = events["pt"].where(events["pt"].fillna("").str.strip() != "", events["verbatim"])
    rows = products[["version", "product"]].merge(events[["version", "event"]], on="version")
    rows["product"] = rows["product"].astype(str).str.strip()
    rows["event"] = rows["event"].astype(str).str.strip()
    rows = rows[(rows["product"] != "") & (rows["event"] != "")]
    rows["report"] = rows["version"].map(number)
    return rows[["report", "product", "event"]].reset_index(drop=True)
