"""The state of reading one ODM MetaDataVersion: located problems, notes, and where each definition is.

A `ReadContext` is also what an `extension_handler` receives (see `metadata_reader`), so a reader
that builds on this one (REDCap project XML) can look at the raw elements, report problems with
their line, and find the line of any definition it changes.

References: CDISC ODM 1.3.2, 2013, section 3.1.3 (MetaDataVersion) and 2.5 (data formats).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from opencro.formats.build import Translated
from opencro.formats.errors import Problem
from opencro.formats.odm.namespaces import KNOWN_PREFIXES, XML_LANG, clark, split_tag

YES_NO = {"Yes": True, "No": False}

# Elements that replaced ODM 1.3 structure in ODM 2.0; met in a 1.3 file they mean the file is 2.0 in disguise.
ODM2_HINTS = {
    ("StudyEventDef", "ItemGroupRef"): "a StudyEventDef refers to ItemGroups only in ODM 2.0",
    ("ItemGroupDef", "ItemGroupRef"): 'nested ItemGroups (ItemGroupDef Type="Form") exist only in ODM 2.0',
}


@dataclass
class ReadContext:
    """One Study x MetaDataVersion being read: its elements, what went wrong, and where things are."""

    ns: str  # the ODM namespace of the file ("" when the file has none)
    study: etree._Element
    mdv: etree._Element
    problems: list[Problem] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)
    lines: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, OID) -> line
    ref_lines: dict[tuple[str, str], int] = field(default_factory=dict)  # (where, referenced OID) -> line
    units: dict[str, str] = field(default_factory=dict)  # MeasurementUnit OID -> symbol
    languages: set[str] = field(default_factory=set)
    duplicates: set[tuple[str, str]] = field(default_factory=set)
    empty_oid_kinds: set[str] = field(default_factory=set)
    explicit_control_types: set[str] = field(default_factory=set)  # OIDs of ItemDefs with opencro:ControlType
    ignored_extensions: dict[str, set[str]] = field(default_factory=dict)  # element name -> extension keys

    # -- elements -------------------------------------------------------------------------------

    def odm(self, local: str) -> str:
        """Clark name of an ODM element in this file's namespace."""
        return clark(self.ns, local)

    def is_odm(self, el: etree._Element) -> bool:
        return isinstance(el.tag, str) and split_tag(el.tag)[0] == self.ns

    def local(self, el: etree._Element) -> str:
        return split_tag(el.tag)[1]

    def children(self, el: etree._Element, local: str) -> list[etree._Element]:
        return [c for c in el if isinstance(c.tag, str) and c.tag == self.odm(local)]

    def child(self, el: etree._Element, local: str) -> etree._Element | None:
        found = self.children(el, local)
        return found[0] if found else None

    def check_children(
        self, el: etree._Element, where: str, mapped: Iterable[str], ignored: Iterable[str] = ()
    ) -> None:
        """Refuse ODM children ODM 1.3.2 does not define here; note the defined ones this reader drops."""
        mapped, ignored = set(mapped), set(ignored)
        known = {n.lower(): n for n in mapped | ignored}
        kind = self.local(el)
        for c in el:
            if not self.is_odm(c):
                continue
            name = self.local(c)
            if name in mapped:
                continue
            if name in ignored:
                self.note(f"{kind}/{name} ignored")
            elif (kind, name) in ODM2_HINTS:
                hint = ODM2_HINTS[kind, name]
                self.problem(
                    c,
                    where,
                    f"<{name}> is ODM 2.0 structure: {hint}; ODM 2.0 is not supported, export "
                    "the study as ODM 1.3.2 (StudyEventDef/FormRef, FormDef/ItemGroupRef)",
                )
            elif name.lower() in known:
                self.problem(
                    c,
                    where,
                    f"unexpected element <{name}> in <{kind}>: ODM element names are "
                    f"case-sensitive, did you mean <{known[name.lower()]}>?",
                )
            else:
                self.problem(c, where, f"unexpected element <{name}> in <{kind}>: not defined there by ODM 1.3.2")

    def check_attributes(self, el: etree._Element, mapped: Iterable[str]) -> None:
        """Note plain (unqualified) attributes this reader does not map, once per kind and name."""
        mapped = set(mapped)
        kind = self.local(el)
        for name in el.attrib:
            if not name.startswith("{") and name not in mapped:
                self.note(f"{kind} attribute {name} ignored")

    # -- attributes ---------------------------------------------------------------------------

    def attr(self, el: etree._Element, name: str, where: str, *, required: bool = False) -> str | None:
        value = el.get(name)
        if value is None and required:
            self.problem(el, where, f"<{self.local(el)}> lacks the required attribute {_shown(name)}")
        return value

    def oid(self, el: etree._Element, kind: str, seen: dict[str, int] | None = None) -> str:
        """Read a definition's OID, record its line, and report it missing, empty or defined twice."""
        value = el.get("OID")
        line = el.sourceline or 0
        if value is None or not value.strip():
            self.problem(el, kind, f"<{kind}> lacks the required attribute OID" if value is None else "OID is empty")
            self.empty_oid_kinds.add(kind)
            return value or ""
        if seen is not None:
            if value in seen:
                self.problem(el, f"{kind} {value}", f"OID defined twice (first at line {seen[value]})")
                self.duplicates.add((kind, value))
            else:
                seen[value] = line
        self.lines.setdefault((kind, value), line)
        return value

    def int_attr(self, el: etree._Element, name: str, where: str, *, minimum: int | None = None) -> int | None:
        raw = el.get(name)
        if raw is None:
            return None
        try:
            value = int(raw.strip())
        except ValueError:
            self.problem(el, where, f"{_shown(name)}={raw!r} is not an integer")
            return None
        if minimum is not None and value < minimum:
            self.problem(el, where, f"{_shown(name)}={raw!r} must be at least {minimum}")
            return None
        return value

    def yes_no(self, el: etree._Element, name: str, where: str, *, required: bool, default: bool = False) -> bool:
        raw = self.attr(el, name, where, required=required)
        if raw is None:
            return default
        if raw not in YES_NO:
            self.problem(el, where, f"{_shown(name)}={raw!r} must be Yes or No")
            return default
        return YES_NO[raw]

    def choice(
        self, el: etree._Element, name: str, where: str, allowed: Iterable[str], *, required: bool, default: str
    ) -> str:
        allowed = list(allowed)
        raw = self.attr(el, name, where, required=required)
        if raw is None:
            return default
        if raw not in allowed:
            self.problem(el, where, f"{_shown(name)}={raw!r} is not one of {', '.join(allowed)}")
            return default
        return raw

    # -- texts --------------------------------------------------------------------------------

    def translated(self, el: etree._Element | None, where: str = "") -> Translated:
        """Read the TranslatedText children of `el` as {language: text}; empty texts are skipped."""
        texts: Translated = {}
        if el is None:
            return texts
        for t in el:
            if not self.is_odm(t):
                continue
            if self.local(t) != "TranslatedText":
                self.problem(t, where, f"unexpected element <{self.local(t)}> in <{self.local(el)}>")
                continue
            text = "".join(t.itertext()).strip()
            if not text:
                continue
            lang = t.get(XML_LANG, "")
            if lang in texts:
                self.note(f"{self.local(el)}: a second TranslatedText in the same language ignored")
                continue
            texts[lang] = text
            if lang:
                self.languages.add(lang)
        return texts

    def same(self, a: etree._Element, b: etree._Element) -> bool:
        """Whether two elements say the same thing: names, attributes, trimmed texts and children."""
        return _shape(a) == _shape(b)

    def text(self, el: etree._Element | None) -> str:
        return "".join(el.itertext()).strip() if el is not None else ""

    # -- reporting ----------------------------------------------------------------------------

    def problem(self, el: etree._Element | None, where: str, message: str) -> None:
        line = el.sourceline if el is not None else None
        location = ", ".join(part for part in (f"line {line}" if line else "", where) if part)
        self.problems.append(Problem(location, message))

    def note(self, message: str) -> None:
        self.notes[message] += 1

    def line_of(self, kind: str, oid: str) -> int | None:
        """The line where definition `kind` `oid` (e.g. "ItemDef", "IT.AGE") was read, if known."""
        return self.lines.get((kind, oid))

    def ignore_extension(self, kind: str, key: str) -> None:
        self.ignored_extensions.setdefault(kind, set()).add(key)

    def note_list(self) -> list[str]:
        """The notes as sentences, sorted, each counted once: what the reader dropped and how often."""
        notes = [f"{text} ({n} times)" if n > 1 else text for text, n in self.notes.items()]
        notes += [
            f"vendor extensions on <{kind}> ignored: {', '.join(sorted(keys))}"
            for kind, keys in self.ignored_extensions.items()
        ]
        return sorted(notes)


def _shape(el: etree._Element) -> tuple[object, ...]:
    kids = tuple(_shape(c) for c in el if isinstance(c.tag, str))
    return el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(), kids


def _shown(name: str) -> str:
    """An attribute name as a person reads it: "opencro:DayOffset", not its Clark name."""
    ns, local = split_tag(name)
    return f"{KNOWN_PREFIXES.get(ns, 'ext')}:{local}" if ns else local
