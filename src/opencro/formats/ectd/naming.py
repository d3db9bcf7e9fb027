"""eCTD folder and file naming rules, checked per path segment and for the whole path.

ICH eCTD Specification v3.2.2, Appendix 2 ("File Names and Folder Names", "Name" and "Path Length"):
- names use only lower-case letters a-z, digits 0-9 and the hyphen '-'; a file name has exactly one extension
  after a single '.', itself a-z/0-9;
- a folder or file name is at most 64 characters, the extension included;
- the whole path, counted from the sequence number folder (e.g. `0000/m5/...`), is at most 180 characters.
The sequence folder itself is a four-digit number (Appendix 2, "Sequence number"; Appendix 4 top folder).
"""

import re

from opencro.formats.errors import Problem

MAX_NAME = 64
MAX_PATH = 180
SEQUENCE = re.compile(r"^[0-9]{4}$")
_FOLDER = re.compile(r"^[a-z0-9-]+$")
_FILE = re.compile(r"^[a-z0-9-]+\.[a-z0-9]+$")


def is_sequence(name: str) -> bool:
    """True for a four-digit sequence number such as 0000."""
    return bool(SEQUENCE.match(name))


def check_name(name: str, *, is_file: bool, location: str) -> list[Problem]:
    """Problems with one folder or file name (characters, single extension, 64-character limit)."""
    problems: list[Problem] = []
    pattern = _FILE if is_file else _FOLDER
    if not pattern.match(name):
        kind = "file name" if is_file else "folder name"
        rule = "a-z, 0-9 and '-' with one '.extension'" if is_file else "a-z, 0-9 and '-'"
        problems.append(Problem(location, f"{kind} {name!r} uses characters outside {rule} (ICH eCTD App. 2)"))
    if len(name) > MAX_NAME:
        problems.append(
            Problem(location, f"name {name!r} is {len(name)} characters, more than {MAX_NAME} (ICH eCTD App. 2)")
        )
    return problems


def check_path(sequence: str, relative: str) -> list[Problem]:
    """Problems with a path inside a sequence (`m5/datasets/opc-301/tabulations/sdtm/dm.xpt`): every segment, length.

    The location of each problem is the path as it would appear under the sequence folder.
    """
    location = f"{sequence}/{relative}"
    if not relative or relative.startswith("/") or "\\" in relative:
        return [Problem(location, "path must be relative, with '/' separators")]
    segments = relative.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        return [Problem(location, "path has an empty, '.' or '..' segment")]
    problems: list[Problem] = []
    for index, segment in enumerate(segments):
        problems.extend(check_name(segment, is_file=index == len(segments) - 1, location=location))
    if len(location) > MAX_PATH:
        problems.append(
            Problem(location, f"path is {len(location)} characters, more than {MAX_PATH} (ICH eCTD App. 2)")
        )
    return problems
