"""Find the DEMO, DRUG and REAC files of FAERS quarters in a folder or a zip as FDA distributes them.

FDA's zip ``faers_ascii_2024Q1.zip`` holds ``ASCII/DEMO24Q1.txt``, ``ASCII/DRUG24Q1.txt``, ``ASCII/REAC24Q1.txt``
(and OUTC, RPSR, THER, INDI, not needed here); since 2019 it also holds the ids of cases FDA has deleted, in a
``Deleted`` folder (``DELETE24Q1.txt``, one caseid a line, no header). File names are matched case-insensitively
anywhere in the folder or zip, so an unzipped folder, a folder of several quarters and FDA's own zip all work.
"""

import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from opencro.formats.errors import FormatError, Problem

TABLE_NAME = re.compile(r"^(DEMO|DRUG|REAC)(\d\d)Q([1-4])\.TXT$", re.IGNORECASE)
DELETED_NAME = re.compile(r"^DELETE.*\.TXT$", re.IGNORECASE)
TABLES = ("DEMO", "DRUG", "REAC")


@dataclass(frozen=True)
class Member:
    """One file of a source: its name as shown in messages, its size in bytes, and where it is (`path`, or the
    member `name` inside the zip at `path`)."""

    label: str
    size: int
    path: Path
    name: str | None = None


@dataclass(frozen=True)
class Quarter:
    """The three files of one quarter, e.g. "2024Q1", found in one source."""

    tag: str
    demo: Member
    drug: Member
    reac: Member


@dataclass(frozen=True)
class Source:
    """What one folder or zip holds: its quarters, and its lists of deleted case ids."""

    path: Path
    quarters: tuple[Quarter, ...]
    deleted: tuple[Member, ...] = field(default=())

    @property
    def size(self) -> int:
        parts = [m.size for q in self.quarters for m in (q.demo, q.drug, q.reac)]
        return sum(parts) + sum(m.size for m in self.deleted)


def _tag(match: re.Match[str]) -> str:
    year = int(match.group(2))
    century = 1900 if year >= 68 else 2000  # Legacy AERS begins in 1968 (extracts from 2004)
    return f"{century + year}Q{match.group(3)}"


def _zip_members(path: Path) -> Iterator[tuple[str, Member]]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise FormatError(Problem(str(path), f"not a readable zip file ({exc})")) from exc
    for info in infos:
        base = info.filename.rsplit("/", 1)[-1]
        yield base, Member(f"{path.name}:{info.filename}", info.file_size, path, info.filename)


def _folder_members(path: Path) -> Iterator[tuple[str, Member]]:
    for file in sorted(path.rglob("*")):
        if file.is_file():
            yield file.name, Member(str(file.relative_to(path.parent)), file.stat().st_size, file)


def find_source(path: Path | str) -> Source:
    """The quarters in a folder or zip; a quarter lacking one of DEMO, DRUG, REAC, or none at all, is an error."""
    path = Path(path)
    if path.is_dir():
        members = list(_folder_members(path))
    elif path.is_file():
        if not zipfile.is_zipfile(path):
            raise FormatError(Problem(str(path), "is neither a folder nor a zip file of a FAERS quarter"))
        members = list(_zip_members(path))
    else:
        raise FormatError(Problem(str(path), "does not exist"))
    found: dict[str, dict[str, Member]] = {}
    deleted = []
    problems = []
    for base, member in members:
        if match := TABLE_NAME.match(base):
            tables = found.setdefault(_tag(match), {})
            kind = match.group(1).upper()
            if kind in tables:
                problems.append(Problem(member.label, f"a second {kind} file for {_tag(match)} ({tables[kind].label})"))
            tables[kind] = member
        elif DELETED_NAME.match(base):
            deleted.append(member)
    if not found and not problems:
        problems.append(Problem(str(path), "holds no FAERS ASCII files (DEMOyyQq.txt, DRUGyyQq.txt, REACyyQq.txt)"))
    for tag, tables in sorted(found.items()):
        missing = [kind for kind in TABLES if kind not in tables]
        if missing:
            problems.append(Problem(str(path), f"quarter {tag} has no {', '.join(missing)} file"))
    if problems:
        raise FormatError(problems)
    quarters = tuple(Quarter(tag, t["DEMO"], t["DRUG"], t["REAC"]) for tag, t in sorted(found.items()))
    return Source(path, quarters, tuple(deleted))


@contextmanager
def opened(member: Member) -> Iterator[IO[bytes]]:
    """Open a member for binary reading, turning an unreadable file into a located FormatError."""
    try:
        if member.name is None:
            with member.path.open("rb") as stream:
                yield stream
        else:
            with zipfile.ZipFile(member.path) as archive, archive.open(member.name) as stream:
                yield stream
    except (OSError, zipfile.BadZipFile) as exc:
        raise FormatError(Problem(member.label, f"cannot be read ({getattr(exc, 'strerror', None) or exc})")) from exc
