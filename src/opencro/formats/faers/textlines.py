"""Bytes to text for report-database files written on many systems over many years.

FAERS extracts are mostly ASCII, but drug names and free text in older quarters carry latin-1 / Windows-1252
bytes (an accented "É", a "®"), and some quarters mix them with UTF-8. Each line is therefore decoded on its
own: UTF-8 when it is valid, else Windows-1252, else latin-1 (which accepts every byte), so that one odd line
never makes the rest of a file unreadable and a valid UTF-8 file reads exactly. Large files are read in blocks
of whole lines, and a block that is valid UTF-8 is decoded at once.
"""

from collections.abc import Iterator
from typing import IO

FALLBACK_ENCODINGS = ("utf-8", "cp1252", "latin-1")
BLOCK_SIZE = 1 << 23  # bytes read at a time (8 MiB)


def decode_line(raw: bytes) -> str:
    """One line's bytes as text: UTF-8, else Windows-1252, else latin-1 (never fails)."""
    for encoding in FALLBACK_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def decode_text(data: bytes) -> str:
    """A whole small file as text: UTF-8 (a byte-order mark dropped) when valid, else line by line as above."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "".join(decode_line(raw) for raw in data.splitlines(keepends=True))


def _split(block: bytes) -> list[str]:
    if b"\r" in block:
        block = block.replace(b"\r\n", b"\n")
    try:
        return block.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        return [decode_line(raw) for raw in block.split(b"\n")]


def line_blocks(stream: IO[bytes], block_size: int = BLOCK_SIZE) -> Iterator[tuple[list[str], int]]:
    """The lines of a binary stream (without their "\n" or "\r\n") in blocks of about
    `block_size` bytes, each with the bytes read so far. A byte-order mark at the start is dropped."""
    rest = b""
    done = 0
    first = True
    while block := stream.read(block_size):
        done += len(block)
        block = rest + block
        cut = block.rfind(b"\n")
        if cut < 0:
            rest = block
            continue
        rest = block[cut + 1 :]
        lines = _split(block[:cut])
        if first:
            lines[0] = lines[0].removeprefix("\ufeff")
            first = False
        yield lines, done
    if rest:
        lines = _split(rest)
        if first:
            lines[0] = lines[0].removeprefix("\ufeff")
        yield lines, done
