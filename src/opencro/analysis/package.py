"""Build a submission data package from a study's input frames: the eCTD module 5 folder, and its manifest.

Layout (FDA Study Data Technical Conformance Guide, section 7 "Electronic Submission Format"; ICH eCTD
module 5):

    m5/datasets/<study>/tabulations/sdtm/         *.xpt, define.xml (SDTM, Define-XML 2.1)
    m5/datasets/<study>/tabulations/sdtm/json/    the same datasets as CDISC Dataset-JSON 1.1
    m5/datasets/<study>/analysis/adam/datasets/   ADaM *.xpt (dates as SAS dates), define.xml
    m5/53-clin-stud-rep/tfl/<study>/              each output as RTF, PDF and HTML with its ARD (CSV, JSON)
    manifest.json                                 every file (size, SHA-256), records per dataset, findings

All or nothing: a derivation or an output that fails stops the build with its located error (the caller records
the package as failed); conformance findings do not stop it, they are listed in the manifest.

Pure: no Django (the caller reads the study into `StudySources`-shaped frames); the steps report through
`on_step(what, done, total)` for a progress bar.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from opencro.analysis.adam.define import define_from_adam
from opencro.analysis.adam.derive import derive
from opencro.analysis.adam.errors import AdamError
from opencro.analysis.adam.spec import DatasetSpec
from opencro.analysis.adam_write import write_adam
from opencro.analysis.sdtm.build import build_study
from opencro.analysis.sdtm.checks import check_domains
from opencro.analysis.sdtm.define import define_from_specs
from opencro.analysis.sdtm.inputs import SdtmInputs
from opencro.analysis.sdtm.spec import MappingSpec
from opencro.analysis.sdtm.write import write_domains
from opencro.analysis.tfl.engine import run_output, write_output
from opencro.analysis.tfl.errors import TflError
from opencro.analysis.tfl.spec_model import OutputSpec
from opencro.formats.definexml import check_define, write_define
from opencro.formats.errors import FormatError

Step = Callable[[str, int, int], None]
SDTM_STEPS = ("Building SDTM", "Checking conformance", "Writing SDTM", "Writing Define-XML")
DUMMY_NOTE = (
    "DRY RUN ON A DUMMY RANDOMISATION: treatment arms are assigned by a hash of the subject number, not by the "
    "randomisation; no result here says anything about the treatments."
)
FINDINGS_KEPT = 500  # the manifest lists at most this many conformance findings (their count is always exact)


class PackageFailure(Exception):
    """The package could not be built; the message says which step failed and why."""


class _HasInputs:  # the one method `build_package` needs of its sources
    def sdtm_inputs(self) -> SdtmInputs: ...


def study_folder_name(study_name: str) -> str:
    """The study's folder under m5/datasets: lower case letters, digits and hyphens (eCTD file-name rules)."""
    return re.sub(r"[^a-z0-9-]+", "-", study_name.lower()).strip("-") or "study"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def adam_order(specs: Sequence[DatasetSpec]) -> list[DatasetSpec]:
    """ADSL first (the others take it as their parent), then the rest by name."""
    return sorted(specs, key=lambda spec: (spec.name != "ADSL", spec.name))


def build_package(
    sources: _HasInputs,
    spec: MappingSpec,
    folder: Path,
    *,
    study_name: str,
    description: str = "",
    adam: Sequence[DatasetSpec] = (),
    outputs: Sequence[OutputSpec] = (),
    formats: Sequence[str] = ("rtf", "pdf", "html"),
    dummy_randomisation: bool = False,
    on_step: Step | None = None,
) -> dict[str, Any]:
    """Build the package into `folder`; return its manifest (also written as manifest.json). With
    `dummy_randomisation` (a blinded dry run) every output carries DUMMY_NOTE as its last footnote and the package
    root a DUMMY-RANDOMISATION.txt saying so."""
    adam = adam_order(adam)
    if dummy_randomisation:
        outputs = [replace(o, footnotes=(*o.footnotes, DUMMY_NOTE)) for o in outputs]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "DUMMY-RANDOMISATION.txt").write_text(DUMMY_NOTE + "\n")
    steps = [*SDTM_STEPS, *(f"Deriving {s.name}" for s in adam), "Writing ADaM"]
    steps += [*(f"Output {o.id}" for o in outputs), "Writing the manifest"]
    position = iter(range(len(steps)))

    def step() -> None:
        n = next(position)
        if on_step:
            on_step(steps[n], n, len(steps))

    study_dir = folder / "m5" / "datasets" / study_folder_name(study_name)
    sdtm_dir = study_dir / "tabulations" / "sdtm"
    step()
    inputs = sources.sdtm_inputs()
    result = build_study(spec, inputs)
    step()
    findings = check_domains(result.domains, result.metadata, limit=FINDINGS_KEPT)
    step()
    write_domains(result.domains, sdtm_dir, ("xpt",), metadata=result.metadata, study_oid=study_name)
    write_domains(result.domains, sdtm_dir / "json", ("json",), metadata=result.metadata, study_oid=study_name)
    step()
    define = define_from_specs(
        spec,
        result.domains,
        result.metadata,
        study_name,
        study_description=description,
        codelists=inputs.codelists,
        item_meta=inputs.item_meta,
    )
    define_problems = [str(p) for p in check_define(define)]
    (sdtm_dir / "define.xml").write_bytes(write_define(define))
    analysis = _derive_adam(adam, result.domains, step)
    step()
    adam_dir = study_dir / "analysis" / "adam" / "datasets"
    try:
        write_adam(analysis, adam_dir)
        if analysis:
            adam_define = define_from_adam(adam, analysis, study_name, study_description=description)
            define_problems += [f"ADaM: {p}" for p in check_define(adam_define)]
            (adam_dir / "define.xml").write_bytes(write_define(adam_define))
    except (FormatError, AdamError) as exc:
        raise PackageFailure(f"Writing ADaM: {exc}") from None
    tfl_dir = folder / "m5" / "53-clin-stud-rep" / "tfl" / study_folder_name(study_name)
    produced = _run_outputs(outputs, analysis, tfl_dir, formats, step)
    step()
    manifest: dict[str, Any] = {
        "study": study_name,
        "dummy_randomisation": dummy_randomisation,
        "datasets": {
            name: {"records": len(frame), "variables": len(frame.columns)} for name, frame in result.domains.items()
        },
        "adam": {name: {"records": len(frame), "variables": len(frame.columns)} for name, frame in analysis.items()},
        "outputs": produced,
        "findings": {
            "total": len(findings),
            "by_rule": _count_by_rule(findings),
            "listed": [str(f) for f in findings[:FINDINGS_KEPT]],
        },
        "define_problems": define_problems,
        "notes": list(result.notes),
    }
    manifest["files"] = [
        {"path": str(path.relative_to(folder)), "bytes": path.stat().st_size, "sha256": _sha256(path)}
        for path in sorted(p for p in folder.rglob("*") if p.is_file())
    ]
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
    return manifest


def _derive_adam(
    specs: Sequence[DatasetSpec], sdtm: dict[str, pd.DataFrame], step: Callable[[], None]
) -> dict[str, pd.DataFrame]:
    derived: dict[str, pd.DataFrame] = {}
    for dataset in specs:
        step()
        try:
            derived[dataset.name] = derive(dataset, sdtm, parents=derived)
        except AdamError as exc:
            raise PackageFailure(f"Deriving {dataset.name}: {exc}") from None
    return derived


def _run_outputs(
    outputs: Sequence[OutputSpec],
    analysis: dict[str, pd.DataFrame],
    folder: Path,
    formats: Sequence[str],
    step: Callable[[], None],
) -> list[dict[str, Any]]:
    produced = []
    for output in outputs:
        step()
        try:
            written = write_output(run_output(output, analysis), folder, formats)
        except TflError as exc:
            raise PackageFailure(f"Output {output.id}: {exc}") from None
        produced.append(
            {
                "id": output.id,
                "title": " ".join(output.titles[1:2] or output.titles[:1]),
                "files": [p.name for p in written],
            }
        )
    return produced


def _count_by_rule(findings) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.rule] = counts.get(finding.rule, 0) + 1
    return counts
