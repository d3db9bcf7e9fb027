"""Edit written dictionary files line by line, to build each broken input a reader must reject."""

from pathlib import Path

from opencro.formats.errors import FormatError


def lines_of(path: Path, encoding: str = "latin-1") -> list[str]:
    return path.read_bytes().decode(encoding).split("\r\n")[:-1]


def write_lines(path: Path, lines: list[str], encoding: str = "latin-1") -> None:
    path.write_bytes("".join(f"{line}\r\n" for line in lines).encode(encoding))


def replace_line(path: Path, number: int, text: str) -> None:
    """Replace 1-based line `number` of a CRLF file with `text`."""
    lines = lines_of(path)
    lines[number - 1] = text
    write_lines(path, lines)


def delete_line(path: Path, number: int) -> None:
    lines = lines_of(path)
    del lines[number - 1]
    write_lines(path, lines)


def append_line(path: Path, text: str) -> None:
    write_lines(path, [*lines_of(path), text])


def messages(error: FormatError) -> list[str]:
    return [str(problem) for problem in error.problems]
