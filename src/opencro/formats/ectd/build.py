"""Build one eCTD v3.2.2 sequence folder: copy files, write the backbones and STFs, checksum everything.

All input is checked first and refused as one FormatError listing every problem; only then is the sequence written,
into a temporary folder beside the target that is renamed into place, so a failure never leaves half a sequence and
an existing non-empty sequence folder is never overwritten (ICH eCTD v3.2.2 Appendix 6: a submitted sequence is
never changed; lifecycle goes through new sequences and the operation attribute).
"""

import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from opencro.formats.ectd.backbone import PlannedLeaf, md5_of, write_index
from opencro.formats.ectd.model import (
    INDEX_FILE,
    INDEX_MD5_FILE,
    OPERATIONS,
    US_REGIONAL_PATH,
    Leaf,
    LeafSpec,
    SequenceManifest,
    UsRegional,
)
from opencro.formats.ectd.naming import check_name, check_path, is_sequence
from opencro.formats.ectd.read import read_sequence
from opencro.formats.ectd.regional_us import US_SECTIONS, check_regional, write_us_regional
from opencro.formats.ectd.sections import M1, SECTIONS, required_attributes, takes_study_tagging
from opencro.formats.ectd.stf import FILE_TAGS, stf_name, write_stf
from opencro.formats.errors import FormatError, Problem

_XML_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_RESERVED = (INDEX_FILE, INDEX_MD5_FILE, US_REGIONAL_PATH)


def build_sequence(
    out_dir: Path,
    sequence: str,
    leaves: Sequence[LeafSpec],
    regional: UsRegional,
    previous: Sequence[Path] = (),
) -> SequenceManifest:
    """Write `<out_dir>/<sequence>/` and return its manifest; FormatError with every problem otherwise."""
    out_dir = Path(out_dir)
    problems: list[Problem] = []
    if not is_sequence(sequence):
        problems.append(Problem(f"sequence {sequence!r}", "must be four digits, e.g. 0000 (ICH eCTD App. 2)"))
    target_dir = out_dir / sequence
    if target_dir.exists() and (not target_dir.is_dir() or any(target_dir.iterdir())):
        problems.append(Problem(str(target_dir), "sequence folder already exists and is not empty; never overwritten"))
    manifests = _read_previous(previous, sequence, problems)
    problems.extend(check_regional(regional, sequence))
    history = _History(manifests)
    for index, spec in enumerate(leaves, start=1):
        problems.extend(_check_leaf(index, spec, sequence, history))
    problems.extend(_check_together(leaves))
    if problems:
        raise FormatError(problems)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{sequence}-", dir=out_dir))
    try:
        _write(staging, sequence, leaves, regional, manifests)
        if target_dir.exists():
            target_dir.rmdir()
        staging.rename(target_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return read_sequence(target_dir)


def _read_previous(previous: Sequence[Path], sequence: str, problems: list[Problem]) -> list[SequenceManifest]:
    manifests: list[SequenceManifest] = []
    for path in previous:
        path = Path(path)
        if not is_sequence(path.name) or path.name >= sequence:
            problems.append(Problem(str(path), f"previous sequence folder must be a 4-digit number below {sequence}"))
            continue
        try:
            manifests.append(read_sequence(path))
        except FormatError as error:
            problems.extend(Problem(f"{path.name}/{p.location}", p.message) for p in error.problems)
    return manifests


class _History:
    """Every earlier leaf by reference, and which of them a later earlier sequence already replaced or deleted."""

    def __init__(self, manifests: list[SequenceManifest]):
        self.leaves: dict[str, tuple[SequenceManifest, Leaf]] = {}
        self.retired: dict[str, str] = {}
        for manifest in sorted(manifests, key=lambda m: m.sequence):
            for leaf in manifest.leaves:
                self.leaves[manifest.reference(leaf)] = (manifest, leaf)
                if leaf.operation in ("replace", "delete") and leaf.modified_file:
                    self.retired[leaf.modified_file] = f"{manifest.sequence} ({leaf.operation} {leaf.leaf_id})"
        self.sequences = {manifest.sequence for manifest in manifests}


def _check_leaf(index: int, spec: LeafSpec, sequence: str, history: _History) -> list[Problem]:
    where = f"leaf {index} ({spec.target or spec.modified_file or spec.title})"
    problems: list[Problem] = []
    if spec.operation not in OPERATIONS:
        problems.append(Problem(where, f"operation {spec.operation!r} is not one of {', '.join(OPERATIONS)}"))
    if not spec.title.strip():
        problems.append(Problem(where, "title is empty"))
    if spec.leaf_id is not None and not _XML_ID.match(spec.leaf_id):
        problems.append(Problem(where, f"ID {spec.leaf_id!r} is not an XML ID"))
    known = (spec.section in SECTIONS and spec.section != M1) or spec.section in US_SECTIONS
    if not known or spec.section == "m1-regional":
        problems.append(Problem(where, f"unknown or unsupported CTD section {spec.section!r}"))
    else:
        problems.extend(_check_attributes(where, spec))
    problems.extend(_check_file(where, spec, sequence))
    problems.extend(_check_lifecycle(where, spec, history))
    problems.extend(_check_study(where, spec))
    return problems


def _check_attributes(where: str, spec: LeafSpec) -> list[Problem]:
    if spec.section in US_SECTIONS:
        declared: dict[str, str] = {}
        required: set[str] = set()
    else:
        declared = required_attributes(spec.section)
        required = {name for name, owner in declared.items() if SECTIONS[owner].attributes[name]}
    problems = [
        Problem(where, f"heading attribute {name!r} is required by {declared[name]}")
        for name in sorted(required)
        if not spec.attributes.get(name, "").strip()
    ]
    problems.extend(
        Problem(where, f"heading attribute {name!r} is not declared on {spec.section} or its parents")
        for name in sorted(spec.attributes)
        if name not in declared
    )
    return problems


def _check_file(where: str, spec: LeafSpec, sequence: str) -> list[Problem]:
    if spec.operation == "delete":
        if spec.source is not None or spec.target:
            return [Problem(where, "a delete leaf submits no file: source and target must be empty")]
        return []
    problems: list[Problem] = []
    if spec.source is None or not Path(spec.source).is_file():
        problems.append(Problem(where, f"source file {spec.source} does not exist"))
    for problem in check_path(sequence if is_sequence(sequence) else "0000", spec.target):
        problems.append(Problem(f"{where} {problem.location}", problem.message))
    if spec.target in _RESERVED or (spec.target.endswith(".xml") and spec.target.split("/")[-1].startswith("stf-")):
        problems.append(Problem(where, f"target {spec.target} is reserved for a backbone file"))
    if spec.section in US_SECTIONS:
        if not spec.target.startswith("m1/us/"):
            problems.append(Problem(where, f"a US module 1 file belongs under m1/us/, not {spec.target}"))
    elif spec.section in SECTIONS and not spec.target.startswith(f"m{spec.section[1]}/"):
        problems.append(Problem(where, f"a file of {spec.section} belongs under m{spec.section[1]}/"))
    return problems


def _check_lifecycle(where: str, spec: LeafSpec, history: _History) -> list[Problem]:
    if spec.operation == "new":
        return [Problem(where, "a new leaf has no modified-file")] if spec.modified_file else []
    if spec.operation not in OPERATIONS:
        return []
    if not spec.modified_file:
        return [Problem(where, f"a {spec.operation} leaf needs modified-file '../<sequence>/index.xml#<ID>'")]
    match = re.match(r"^\.\./([0-9]{4})/", spec.modified_file)
    if match is None or match.group(1) not in history.sequences:
        return [Problem(where, f"modified-file {spec.modified_file} names no previous sequence given")]
    found = history.leaves.get(spec.modified_file)
    if found is None:
        return [Problem(where, f"modified-file {spec.modified_file} does not exist in sequence {match.group(1)}")]
    problems: list[Problem] = []
    if found[1].section != spec.section:
        problems.append(
            Problem(where, f"modified-file {spec.modified_file} is in {found[1].section}, not in {spec.section}")
        )
    if found[1].operation == "delete":
        problems.append(Problem(where, f"modified-file {spec.modified_file} is itself a delete leaf"))
    if spec.modified_file in history.retired:
        problems.append(
            Problem(
                where,
                f"modified-file {spec.modified_file} was already retired by {history.retired[spec.modified_file]}",
            )
        )
    return problems


def _check_study(where: str, spec: LeafSpec) -> list[Problem]:
    if spec.study_id is None and spec.file_tag is None:
        return []
    if spec.operation == "delete":
        return [Problem(where, "a delete leaf ships no file and is not tagged in a Study Tagging File")]
    if spec.study_id is None or spec.file_tag is None:
        return [Problem(where, "study_id and file_tag go together (ICH STF spec v2.6.1)")]
    problems: list[Problem] = []
    if spec.file_tag not in FILE_TAGS:
        problems.append(Problem(where, f"file tag {spec.file_tag!r} is not a known STF file-tag value"))
    if spec.section in SECTIONS and not takes_study_tagging(spec.section):
        problems.append(Problem(where, f"{spec.section} is outside 4.2 and 5.3, where STFs apply"))
    problems.extend(check_name(spec.study_id, is_file=False, location=f"{where} study id"))
    return problems


def _check_together(leaves: Sequence[LeafSpec]) -> list[Problem]:
    problems: list[Problem] = []
    seen_targets: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    seen_modified: dict[str, int] = {}
    studies: dict[str, tuple[int, str, tuple[tuple[str, str], ...]]] = {}
    for index, spec in enumerate(leaves, start=1):
        where = f"leaf {index} ({spec.target or spec.modified_file or spec.title})"
        for key, seen, label in (
            (spec.target, seen_targets, "target"),
            (spec.leaf_id, seen_ids, "ID"),
            (spec.modified_file if spec.operation in ("replace", "delete") else None, seen_modified, "modified-file"),
        ):
            if key and key in seen:
                problems.append(Problem(where, f"duplicate {label} {key} (also leaf {seen[key]})"))
            elif key:
                seen[key] = index
        if spec.study_id and spec.file_tag and spec.operation != "delete":
            placement = (index, spec.section, tuple(sorted(spec.attributes.items())))
            first = studies.setdefault(spec.study_id, placement)
            if first[1:] != placement[1:]:
                problems.append(
                    Problem(
                        where, f"study {spec.study_id} is also in {first[1]} (leaf {first[0]}); one section a study"
                    )
                )
    return problems


def _write(
    root: Path, sequence: str, leaves: Sequence[LeafSpec], regional: UsRegional, manifests: list[SequenceManifest]
) -> None:
    used = {spec.leaf_id for spec in leaves if spec.leaf_id}
    counter = iter(range(1, 1_000_000))

    def next_id() -> str:
        while True:
            candidate = f"s{sequence}-{next(counter):04d}"
            if candidate not in used:
                used.add(candidate)
                return candidate

    index_leaves: list[PlannedLeaf] = []
    regional_leaves: list[PlannedLeaf] = []
    studies: dict[str, list[tuple[LeafSpec, str]]] = {}
    for spec in leaves:
        leaf_id = spec.leaf_id or next_id()
        checksum = ""
        if spec.operation != "delete" and spec.source is not None:
            destination = root / spec.target
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(spec.source, destination)
            checksum = md5_of(destination)
        in_regional = spec.section in US_SECTIONS
        href = spec.target.removeprefix("m1/us/") if in_regional else spec.target
        planned = PlannedLeaf(
            leaf_id=leaf_id,
            operation=spec.operation,
            href=href or None,
            checksum=checksum,
            title=spec.title,
            section=spec.section,
            modified_file=spec.modified_file,
            attributes=spec.attributes,
        )
        (regional_leaves if in_regional else index_leaves).append(planned)
        if spec.study_id and spec.file_tag and spec.operation != "delete":
            studies.setdefault(spec.study_id, []).append((spec, leaf_id))
    index_leaves.extend(_write_stfs(root, studies, manifests, next_id))
    regional_bytes = write_us_regional(regional, regional_leaves)
    regional_path = root / US_REGIONAL_PATH
    regional_path.parent.mkdir(parents=True, exist_ok=True)
    regional_path.write_bytes(regional_bytes)
    index_leaves.insert(
        0,
        PlannedLeaf(
            leaf_id=next_id(),
            operation="new",
            href=US_REGIONAL_PATH,
            checksum=md5_of(regional_path),
            title="US regional backbone",
            section=M1,
        ),
    )
    index_path = root / INDEX_FILE
    index_path.write_bytes(write_index(index_leaves))
    (root / INDEX_MD5_FILE).write_text(md5_of(index_path), encoding="ascii")


def _write_stfs(
    root: Path,
    studies: dict[str, list[tuple[LeafSpec, str]]],
    manifests: list[SequenceManifest],
    next_id: Callable[[], str],
) -> list[PlannedLeaf]:
    """One STF per study, placed beside the study's first non-dataset file (else in m5/datasets/<study>)."""
    earlier: dict[str, tuple[SequenceManifest, Leaf]] = {}
    for manifest in sorted(manifests, key=lambda m: m.sequence):
        for leaf in manifest.leaves:
            if leaf.path and leaf.path.split("/")[-1].startswith("stf-"):
                earlier[leaf.path.split("/")[-1]] = (manifest, leaf)
    planned: list[PlannedLeaf] = []
    for study_id, members in studies.items():
        name = stf_name(study_id)
        first = members[0][0]
        previous = earlier.get(name)
        if previous is not None and previous[1].path:
            stf_path = previous[1].path
        else:
            reports = [spec.target for spec, _ in members if not spec.target.startswith("m5/datasets/")]
            folder = reports[0].rsplit("/", 1)[0] if reports else f"m5/datasets/{study_id}"
            stf_path = f"{folder}/{name}"
        tagged = [(leaf_id, spec.title, str(spec.file_tag)) for spec, leaf_id in members]
        destination = root / stf_path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(write_stf(stf_path, study_id, first.study_title or study_id, tagged))
        planned.append(
            PlannedLeaf(
                leaf_id=next_id(),
                operation="append" if previous else "new",
                href=stf_path,
                checksum=md5_of(destination),
                title=f"Study tagging file {study_id}",
                section=first.section,
                modified_file=previous[0].reference(previous[1]) if previous else None,
                attributes=first.attributes,
            )
        )
    return planned
