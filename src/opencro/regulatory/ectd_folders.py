"""An eCTD application folder: the sequence folders it holds (pure: the CLI validates without the database)."""

import re
from pathlib import Path


def sequence_folders(folder: Path) -> list[Path]:
    """The sequence folders (four digits) already in an application folder, in order."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and re.fullmatch(r"[0-9]{4}", p.name))


def next_sequence(folder: Path) -> str:
    """The sequence after the last one in the folder ("0000" for an empty folder)."""
    existing = sequence_folders(folder)
    return f"{int(existing[-1].name) + 1:04d}" if existing else "0000"
