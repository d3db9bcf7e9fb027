"""A small reader of gettext .po files: enough to check that every message is translated.

It understands comments, flags (`#, fuzzy`), msgctxt, msgid, msgid_plural, msgstr and msgstr[n],
multi-line strings and C escapes; obsolete entries (`#~`) are returned with `obsolete=True`.
"""

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    """One message of a catalogue; `msgstr` holds the singular, `plurals` every msgstr[n]."""

    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: str = ""
    plurals: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def is_fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    def translations(self) -> list[str]:
        """Every translated form: the msgstr, or each msgstr[n] of a plural message."""
        return [self.plurals[k] for k in sorted(self.plurals)] if self.msgid_plural else [self.msgstr]


def _unquote(text: str, path: Path, number: int) -> str:
    text = text.strip()
    if not (len(text) >= 2 and text[0] == '"' and text[-1] == '"'):
        raise ValueError(f"{path}:{number}: expected a quoted string, got {text!r}")
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[Entry]:
    """Return the entries of `path` in file order (the header first, when present)."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int | None] | None = None
    started = False

    def finish() -> None:
        nonlocal entry, target, started
        if started:
            entries.append(entry)
        entry, target, started = Entry(), None, False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.rstrip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if target is not None and target[0] in ("msgstr", "msgstr[]"):
                finish()
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            elif line.startswith("#:"):
                entry.references.extend(line[2:].split())
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            if target is None:
                raise ValueError(f"{path}:{number}: a string continues no keyword")
            _append(entry, target, _unquote(line, path, number))
            continue
        if keyword in ("msgctxt", "msgid") and target is not None and target[0] in ("msgstr", "msgstr[]"):
            finish()
        if not started:
            started, entry.line = True, number
        entry.obsolete = entry.obsolete or obsolete
        value = _unquote(rest, path, number)
        if keyword == "msgctxt":
            target, entry.msgctxt = ("msgctxt", None), ""
        elif keyword == "msgid":
            target = ("msgid", None)
        elif keyword == "msgid_plural":
            target = ("msgid_plural", None)
        elif keyword == "msgstr":
            target = ("msgstr", None)
        elif keyword.startswith("msgstr[") and keyword.endswith("]"):
            index = int(keyword[len("msgstr[") : -1])
            entry.plurals[index] = ""
            target = ("msgstr[]", index)
        else:
            raise ValueError(f"{path}:{number}: unknown keyword {keyword!r}")
        _append(entry, target, value)
    finish()
    return entries


def _append(entry: Entry, target: tuple[str, int | None], text: str) -> None:
    name, index = target
    if name == "msgstr[]":
        entry.plurals[index] += text
    elif name == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    else:
        setattr(entry, name, getattr(entry, name) + text)


def header_fields(entry: Entry) -> dict[str, str]:
    """The `Name: value` lines of a header entry's msgstr."""
    fields = {}
    for line in entry.msgstr.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields
