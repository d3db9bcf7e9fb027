"""Read the plain-text files that licensed coding dictionaries ship in, with locations a human can find.

MedDRA ships English and Western European languages in "extended ASCII" (a single-byte Windows/Latin-1
code page) and other languages in UTF-8 (the MSSO file list that accompanies each release); WHODrug's
text files are not documented publicly on this point. So the default encoding is sniffed per file:
a UTF-8 byte-order mark means UTF-8; else UTF-8 if the first 16 MiB decode as UTF-8 (pure ASCII
included, so that a later non-UTF-8 byte is reported rather than silently garbled); else Latin-1.
Lines are decoded one at a time so that a decoding failure is reported as `file:line`.
"""

import codecs
from collections.abc import Iterator
from pathlib import Path

from opencro.formats.errors import Problem

SNIFF_BYTES = 16 * 1024 * 1024


def find_file(directory: Path, name: str) -> Path | None:
    """Return the file called `name` in `directory`, matching case-insensitively (vendors vary the case)."""
    exact = directory / name
    if exact.is_file():
        return exact
    wanted = name.casefold()
    for candidate in sorted(directory.iterdir()):
        if candidate.is_file() and candidate.name.casefold() == wanted:
            return candidate
    return None


def detect_encoding(path: Path) -> str:
    """Guess a dictionary file's encoding from its first bytes (see the module docstring for the rule)."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=len(head) < SNIFF_BYTES)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def numbered_lines(path: Path, encoding: str | None, problems: list[Problem]) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, text without its line ending) for every non-blank line of `path`.

    A line that cannot be decoded is reported as a located problem and skipped, so that the caller can
    go on collecting every other problem in the file.
    """
    chosen = encoding or detect_encoding(path)
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode(chosen)
            except UnicodeDecodeError as exc:
                problems.append(
                    Problem(
                        f"{path.name}:{number}",
                        f"cannot be decoded as {chosen} (byte {exc.start + 1}); pass the file's encoding explicitly",
                    )
                )
                continue
            if number == 1:
                text = text.removeprefix("\ufeff")
            text = text.rstrip("\r\n")
            if text.strip():
                yield number, text
