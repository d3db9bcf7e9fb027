"""`opencro registry`: export a study's registration from its protocol, and show what changed since it was registered.

`export --study PROTOCOL --registry ctgov|euctr --out FILE.json` writes the ClinicalTrials.gov API v2 study JSON or
the EU CTR public information document, then lists what the registry would refuse or what is left to complete (the
file is written all the same: those fields are completed in the PRS or CTIS). An export that cannot be prepared
(an EU document without an EU/EEA site) writes nothing and exits 1 with its problems.
`changes --study PROTOCOL [--registry ...]` lists, per registry, the changes between the latest record kept as
registered and the current export, with the protocol version each was made from.
"""

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from opencro.cli import err, fail, out, setup_django

app = typer.Typer(no_args_is_help=True)


class RegistryName(StrEnum):
    ctgov = "ctgov"
    euctr = "euctr"


def _study(protocol: str):
    from opencro.studies.models import Study

    found = Study.objects.filter(protocol_number=protocol).first()
    if found is None:
        fail(f"no study with protocol number {protocol!r}")
    return found


@app.command("export")
def export(
    study: Annotated[str, typer.Option("--study", help="The study's protocol number.")],
    registry: Annotated[RegistryName, typer.Option("--registry", help="ctgov (ClinicalTrials.gov) or euctr (EU CTR).")],
    out_file: Annotated[Path, typer.Option("--out", dir_okay=False, writable=True, help="The JSON file to write.")],
) -> None:
    """Write the study's current registration for a registry as a JSON file ready to load."""
    setup_django()
    from opencro.regulatory.registry.selectors import registry_current

    current = registry_current(_study(study), str(registry))
    if current.document is None:
        for problem in current.problems:
            err.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)
        fail(f"the {registry} export of {study} cannot be prepared; nothing was written")
    try:
        out_file.write_text(json.dumps(current.document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"{out_file}: {exc}")
    version = current.protocol_version.version if current.protocol_version else "none approved"
    out.print(f"{out_file}: {registry} export of {study} (protocol version {version}).", highlight=False)
    if current.problems:
        out.print(f"{len(current.problems)} field(s) to complete or correct:", highlight=False)
        for problem in current.problems:
            out.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)


@app.command("changes")
def changes(
    study: Annotated[str, typer.Option("--study", help="The study's protocol number.")],
    registry: Annotated[RegistryName | None, typer.Option("--registry", help="One registry (default: both).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON on stdout.")] = False,
) -> None:
    """What changed between the latest record kept as registered and the current export."""
    setup_django()
    from opencro.cli.library import print_json
    from opencro.regulatory.registry.selectors import registry_changes

    found = _study(study)
    registries = [str(registry)] if registry else [r.value for r in RegistryName]
    results = []
    for name in registries:
        result = registry_changes(found, name)
        results.append(
            {
                "registry": name,
                "registered_on": result.record.registered_on.isoformat() if result.record else None,
                "identifier": result.record.identifier if result.record else None,
                "registered_version": result.registered_version.version if result.registered_version else None,
                "current_version": result.current_version.version if result.current_version else None,
                "changes": [
                    {"path": c.path, "kind": c.kind, "registered": c.registered, "current": c.current}
                    for c in result.changes
                ],
            }
        )
    if as_json:
        print_json({"study": study, "registries": results})
        return
    for item in results:
        if item["registered_on"] is None:
            out.print(f"{item['registry']}: nothing recorded as registered.", highlight=False)
            continue
        out.print(
            f"{item['registry']}: registered on {item['registered_on']} (protocol version "
            f"{item['registered_version'] or '-'}), now protocol version {item['current_version'] or '-'}: "
            f"{len(item['changes'])} change(s).",
            highlight=False,
        )
        for change in item["changes"]:
            out.print(
                f"  {change['path']}: {_text(change['registered'])} -> {_text(change['current'])}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )


def _text(value) -> str:
    if value is None:
        return "-"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
