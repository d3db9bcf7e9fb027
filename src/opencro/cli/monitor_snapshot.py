"""`opencro monitor snapshot --study PROTOCOL [--cut YYYY-MM-DD] [--json]`: compute the study's KRI snapshot.

Runs as the system: every active KRI at site and country level at the data cut (default: today), kept as that cut's
snapshot (a second run of the same cut replaces it). A study without any KRI gets gsm's twelve defaults first. For
a daily or weekly timer. Output: a rich table of the flagged sites per KRI; `--json` one JSON object
{"protocol", "cut_on", "n_subjects", "kris": {code: {"name", "flags": {flag: groups}}}, "flagged": [{kri_code,
level, group, metric, score, flag}]}.
"""

import datetime as dt
import json
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from opencro.cli import fail, out, setup_django


def _cut(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"--cut must be a date YYYY-MM-DD, not {value!r}")
    return None


def snapshot(
    study: Annotated[str, typer.Option("--study", help="The study's protocol number.")],
    cut: Annotated[str | None, typer.Option("--cut", help="The data cut, YYYY-MM-DD (default: today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Compute every active KRI of a study at a data cut and keep it as that cut's snapshot."""
    cut_on = _cut(cut)
    setup_django()
    from django.core.exceptions import ValidationError

    from opencro.monitoring.kris.services import kri_definitions_create_default, kri_snapshot_compute
    from opencro.monitoring.models import KriDefinition, KriResult
    from opencro.studies.models import Study

    target = Study.objects.filter(protocol_number=study).first()
    if target is None:
        fail(f"no study with protocol number {study}")
    if not KriDefinition.objects.filter(study=target).exists():
        kri_definitions_create_default(actor=None, study=target)
    try:
        computed = kri_snapshot_compute(actor=None, study=target, cut_on=cut_on)
    except ValidationError as exc:
        fail("; ".join(f"{field}: {' '.join(texts)}" for field, texts in exc.message_dict.items()))
    results = list(KriResult.objects.filter(snapshot=computed).order_by("kri_code", "level", "group"))
    kris: dict[str, dict] = {}
    for code, frozen in sorted(computed.definitions.items()):
        counts: dict[str, int] = {}
        for r in results:
            if r.kri_code == code and r.level == "site":
                key = "none" if r.flag is None else str(r.flag)
                counts[key] = counts.get(key, 0) + 1
        kris[code] = {"name": frozen["name"], "flags": counts}
    flagged = [
        {
            "kri_code": r.kri_code,
            "level": r.level,
            "group": r.group,
            "metric": r.metric,
            "score": r.score,
            "flag": r.flag,
        }
        for r in results
        if r.flag
    ]
    data = {
        "protocol": target.protocol_number,
        "cut_on": computed.cut_on.isoformat(),
        "n_subjects": computed.n_subjects,
        "kris": kris,
        "flagged": flagged,
    }
    if as_json:
        out.print_json(json.dumps(data))
        return
    line = f"{data['protocol']}: KRI snapshot at {data['cut_on']}, {data['n_subjects']} participants, {len(kris)} KRIs"
    out.print(line, highlight=False, markup=False)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("KRI", "Level", "Group", "Metric", "Score", "Flag"):
        table.add_column(column, overflow="fold")
    for row in flagged:
        table.add_row(
            row["kri_code"],
            row["level"],
            row["group"],
            f"{row['metric']:.4g}" if row["metric"] is not None else "—",
            f"{row['score']:.3f}" if row["score"] is not None else "—",
            str(row["flag"]),
        )
    out.print(table if flagged else "No site or country flagged.", highlight=False)
