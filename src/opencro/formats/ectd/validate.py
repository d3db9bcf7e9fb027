"""Check a built (or received) eCTD v3.2.2 sequence folder and list every problem, located by path.

Checks, with their source:
- sequence folder name is four digits; every folder and file name and the path length (ICH eCTD v3.2.2 App. 2);
- index.xml present and well-formed; index-md5.txt present and equal to index.xml's MD5 (App. 2 "Checksums",
  App. 6);
- leaf IDs unique; operation one of new/append/replace/delete; checksum-type md5; each non-delete leaf's href resolves
  to a file inside the sequence whose MD5 equals the leaf's checksum; a delete leaf has no href (App. 6);
- modified-file present for append/replace/delete, absent for new, and resolving to a leaf in one of the previous
  sequences given, in the same section for replace (App. 6, operation attribute);
- every file under m1..m5 is the target of some leaf (App. 6: every submitted file is referenced by the backbone;
  the regional backbone and STFs are themselves leaves);
- m1/us/us-regional.xml present, parseable, its sequence-number equal to the folder name and its admin values known
  FDA codes (FDA Module 1 spec v2.3, III.A-B);
- every STF doc-content points at a leaf ID of index.xml (ICH STF spec v2.6.1).
XML is read with `opencro.formats.xmlsafe` (no DTD, no entities, no network).
"""

import posixpath
import re
from collections.abc import Sequence
from pathlib import Path

from opencro.formats.ectd.backbone import md5_of
from opencro.formats.ectd.model import INDEX_FILE, INDEX_MD5_FILE, OPERATIONS, US_REGIONAL_PATH, SequenceManifest
from opencro.formats.ectd.naming import check_path, is_sequence
from opencro.formats.ectd.read import read_sequence
from opencro.formats.ectd.regional_us import check_regional, read_us_regional
from opencro.formats.ectd.stf import stf_references
from opencro.formats.errors import FormatError, Problem
from opencro.formats.xmlsafe import parse_xml

_MODULES = ("m1", "m2", "m3", "m4", "m5")


def validate_sequence(seq_dir: Path, previous: Sequence[Path] = ()) -> list[Problem]:
    """Every problem found in `seq_dir`; an empty list means the sequence passed every check above."""
    seq_dir = Path(seq_dir)
    name = seq_dir.name
    problems: list[Problem] = []
    if not is_sequence(name):
        problems.append(Problem(name, "sequence folder name must be four digits (ICH eCTD App. 2)"))
    files = sorted(path.relative_to(seq_dir).as_posix() for path in seq_dir.rglob("*") if path.is_file())
    for relative in files:
        problems.extend(check_path(name, relative))
    problems.extend(_check_index_md5(seq_dir))
    try:
        manifest = read_sequence(seq_dir)
    except FormatError as error:
        problems.extend(Problem(f"{name}/{p.location}", p.message) for p in error.problems)
        return problems
    problems.extend(_check_leaves(manifest))
    problems.extend(_check_lifecycle(manifest, previous))
    referenced = {leaf.path for leaf in manifest.leaves if leaf.path}
    for relative in files:
        if relative.split("/", 1)[0] in _MODULES and relative not in referenced:
            problems.append(Problem(f"{name}/{relative}", "file is not referenced by any leaf"))
    problems.extend(_check_regional(seq_dir))
    problems.extend(_check_stfs(manifest))
    return problems


def _check_index_md5(seq_dir: Path) -> list[Problem]:
    name = seq_dir.name
    md5_file = seq_dir / INDEX_MD5_FILE
    index = seq_dir / INDEX_FILE
    if not md5_file.is_file():
        return [Problem(f"{name}/{INDEX_MD5_FILE}", "missing")]
    if not index.is_file():
        return []
    stated = md5_file.read_text(encoding="ascii", errors="replace").strip().lower()
    actual = md5_of(index)
    if stated != actual:
        return [Problem(f"{name}/{INDEX_MD5_FILE}", f"states {stated}, but {INDEX_FILE} has MD5 {actual}")]
    return []


def _check_leaves(manifest: SequenceManifest) -> list[Problem]:
    name = manifest.sequence
    root = manifest.path.resolve()
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for leaf in manifest.leaves:
        where = f"{name}/{leaf.location}"
        if leaf.leaf_id in seen:
            problems.append(Problem(where, f"duplicate leaf ID (also at {seen[leaf.leaf_id]})"))
        seen.setdefault(leaf.leaf_id, leaf.location)
        if leaf.operation not in OPERATIONS:
            problems.append(Problem(where, f"operation {leaf.operation!r} is not one of {', '.join(OPERATIONS)}"))
        if (leaf.checksum_type or "").lower() != "md5":
            problems.append(Problem(where, f"checksum-type {leaf.checksum_type!r} is not md5"))
        if leaf.operation == "delete":
            if leaf.href:
                problems.append(Problem(where, "a delete leaf must not reference a file"))
            continue
        if not leaf.path:
            problems.append(Problem(where, "leaf has no xlink:href"))
            continue
        target = (manifest.path / leaf.path).resolve()
        if not target.is_relative_to(root) or leaf.path.startswith(".."):
            problems.append(Problem(where, f"href {leaf.href} points outside the sequence folder"))
        elif not target.is_file():
            problems.append(Problem(where, f"href {leaf.href} does not resolve to a file"))
        elif (leaf.checksum or "").lower() != md5_of(target):
            problems.append(
                Problem(where, f"checksum {leaf.checksum} does not match {leaf.path} (MD5 {md5_of(target)})")
            )
    return problems


def _check_lifecycle(manifest: SequenceManifest, previous: Sequence[Path]) -> list[Problem]:
    name = manifest.sequence
    problems: list[Problem] = []
    earlier: dict[str, SequenceManifest] = {}
    for path in previous:
        try:
            manifest_before = read_sequence(Path(path))
        except FormatError as error:
            problems.extend(Problem(f"{Path(path).name}/{p.location}", p.message) for p in error.problems)
            continue
        earlier[manifest_before.sequence] = manifest_before
    for leaf in manifest.leaves:
        where = f"{name}/{leaf.location}"
        if leaf.operation == "new":
            if leaf.modified_file:
                problems.append(Problem(where, "a new leaf must not have modified-file"))
            continue
        if leaf.operation not in OPERATIONS:
            continue
        if not leaf.modified_file:
            problems.append(Problem(where, f"a {leaf.operation} leaf needs modified-file"))
            continue
        match = re.match(r"^\.\./([0-9]{4})/(.+)#(.+)$", leaf.modified_file)
        if match is None:
            problems.append(Problem(where, f"modified-file {leaf.modified_file} is not '../<seq>/index.xml#<ID>'"))
            continue
        older = earlier.get(match.group(1))
        if older is None:
            problems.append(
                Problem(where, f"modified-file {leaf.modified_file} names sequence {match.group(1)}, not given")
            )
            continue
        target = older.references().get(leaf.modified_file)
        if target is None:
            problems.append(
                Problem(where, f"modified-file {leaf.modified_file} does not exist in sequence {older.sequence}")
            )
        elif leaf.operation == "replace" and target.section != leaf.section:
            problems.append(Problem(where, f"replaces a leaf of {target.section} from {leaf.section}"))
    return problems


def _check_regional(seq_dir: Path) -> list[Problem]:
    name = seq_dir.name
    path = seq_dir / US_REGIONAL_PATH
    if not path.is_file():
        return [Problem(f"{name}/{US_REGIONAL_PATH}", "missing")]
    try:
        regional = read_us_regional(path)
    except FormatError as error:
        return [Problem(f"{name}/{p.location}", p.message) for p in error.problems]
    return [Problem(f"{name}/{p.location}", p.message) for p in check_regional(regional, name)]


def _check_stfs(manifest: SequenceManifest) -> list[Problem]:
    name = manifest.sequence
    ids = {leaf.leaf_id for leaf in manifest.leaves if leaf.backbone == INDEX_FILE}
    problems: list[Problem] = []
    for leaf in manifest.leaves:
        if not leaf.path or not posixpath.basename(leaf.path).startswith("stf-") or leaf.operation == "delete":
            continue
        path = manifest.path / leaf.path
        if not path.is_file():
            continue
        try:
            references = stf_references(parse_xml(str(path)))
        except FormatError as error:
            problems.extend(Problem(f"{name}/{leaf.path} {p.location}", p.message) for p in error.problems)
            continue
        folder = posixpath.dirname(leaf.path)
        for line, href in references:
            target, _, fragment = href.partition("#")
            if posixpath.normpath(posixpath.join(folder, target)) != INDEX_FILE or fragment not in ids:
                problems.append(Problem(f"{name}/{leaf.path} line {line}", f"doc-content {href} names no leaf"))
    return problems
