"""Read a MedDRA release from its ASCII distribution files (the `MedAscii` folder of a licensed release).

Standard: MedDRA MSSO, "MedDRA Distribution File Format" (one document per release, e.g.
`dist_file_format_26_1_English.pdf`): each `.asc` file holds one record per line, fields separated by
`$`, every record ending with a `$`. The project cannot ship MedDRA; the field lists below were
established from that document's public descriptions and cross-checked against public readers:
vigicaen `R/tb_meddra.R` (llt.asc 11 fields, mdhier.asc 12, smq_list.asc 9, smq_content.asc 9),
cdisc-rules-engine `tests/resources/dictionaries/meddra/*.asc` (pt.asc 11, hlt.asc 9, soc.asc 10,
llt.asc 11, all with the trailing `$`), OHDSI Vocabulary-v5.0 `MedDRA/SMQ_List.ctl`; the file set
matches the one Oracle Argus Safety's administration guide lists for loading MedDRA.

MedDRA is a five-level terminology (SOC > HLGT > HLT > PT > LLT). It is multi-axial: a PT can sit
under several HLTs in different SOCs, exactly one of which is its primary SOC (`pt.asc` pt_soc_code,
`mdhier.asc` primary_soc_fg = Y). Every PT is also an LLT with the same code. LLTs are never deleted,
only flagged non-current (llt_currency = N), which is why coding is done against current LLTs only.

`read_meddra` is all-or-nothing: every problem in every file is collected (as `file:line`) and raised
as one `FormatError`.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

from opencro.formats.coding.terms import normalise, rank_matches
from opencro.formats.coding.textfile import find_file, numbered_lines
from opencro.formats.errors import FormatError, Problem

FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "soc.asc": (
            "soc_code",
            "soc_name",
            "soc_abbrev",
            "soc_whoart_code",
            "soc_harts_code",
            "soc_costart_sym",
            "soc_icd9_code",
            "soc_icd9cm_code",
            "soc_icd10_code",
            "soc_jart_code",
        ),
        "hlgt.asc": (
            "hlgt_code",
            "hlgt_name",
            "hlgt_whoart_code",
            "hlgt_harts_code",
            "hlgt_costart_sym",
            "hlgt_icd9_code",
            "hlgt_icd9cm_code",
            "hlgt_icd10_code",
            "hlgt_jart_code",
        ),
        "hlt.asc": (
            "hlt_code",
            "hlt_name",
            "hlt_whoart_code",
            "hlt_harts_code",
            "hlt_costart_sym",
            "hlt_icd9_code",
            "hlt_icd9cm_code",
            "hlt_icd10_code",
            "hlt_jart_code",
        ),
        "pt.asc": (
            "pt_code",
            "pt_name",
            "null_field",
            "pt_soc_code",
            "pt_whoart_code",
            "pt_harts_code",
            "pt_costart_sym",
            "pt_icd9_code",
            "pt_icd9cm_code",
            "pt_icd10_code",
            "pt_jart_code",
        ),
        "llt.asc": (
            "llt_code",
            "llt_name",
            "pt_code",
            "llt_whoart_code",
            "llt_harts_code",
            "llt_costart_sym",
            "llt_icd9_code",
            "llt_icd9cm_code",
            "llt_icd10_code",
            "llt_currency",
            "llt_jart_code",
        ),
        "soc_hlgt.asc": ("soc_code", "hlgt_code"),
        "hlgt_hlt.asc": ("hlgt_code", "hlt_code"),
        "hlt_pt.asc": ("hlt_code", "pt_code"),
        "mdhier.asc": (
            "pt_code",
            "hlt_code",
            "hlgt_code",
            "soc_code",
            "pt_name",
            "hlt_name",
            "hlgt_name",
            "soc_name",
            "soc_abbrev",
            "null_field",
            "pt_soc_code",
            "primary_soc_fg",
        ),
        "intl_ord.asc": ("intl_ord_code", "soc_code"),
        "smq_list.asc": (
            "smq_code",
            "smq_name",
            "smq_level",
            "smq_description",
            "smq_source",
            "smq_note",
            "MedDRA_version",
            "status",
            "smq_algorithm",
        ),
        "smq_content.asc": (
            "smq_code",
            "term_code",
            "term_level",
            "term_scope",
            "term_category",
            "term_weight",
            "term_status",
            "term_addition_version",
            "term_last_modified_version",
        ),
    }
)
REQUIRED_FILES = (
    "soc.asc",
    "hlgt.asc",
    "hlt.asc",
    "pt.asc",
    "llt.asc",
    "soc_hlgt.asc",
    "hlgt_hlt.asc",
    "hlt_pt.asc",
    "mdhier.asc",
)
OPTIONAL_FILES = ("intl_ord.asc", "smq_list.asc", "smq_content.asc")
RELEASE_FILE = "meddra_release.asc"


@dataclass(frozen=True, slots=True)
class Soc:
    """System Organ Class; `intl_order` is its place in the internationally agreed order (intl_ord.asc)."""

    code: int
    name: str
    abbrev: str
    intl_order: int | None = None


@dataclass(frozen=True, slots=True)
class Hlgt:
    """High Level Group Term."""

    code: int
    name: str


@dataclass(frozen=True, slots=True)
class Hlt:
    """High Level Term."""

    code: int
    name: str


@dataclass(frozen=True, slots=True)
class Pt:
    """Preferred Term; `primary_soc_code` is the one SOC its events are counted under by default."""

    code: int
    name: str
    primary_soc_code: int


@dataclass(frozen=True, slots=True)
class Llt:
    """Lowest Level Term: what a verbatim is coded to. `current` is False for terms kept only for history."""

    code: int
    name: str
    pt_code: int
    current: bool


@dataclass(frozen=True, slots=True)
class PtLink:
    """One place of a PT in the hierarchy (one row of mdhier.asc)."""

    hlt_code: int
    hlgt_code: int
    soc_code: int
    primary: bool


@dataclass(frozen=True, slots=True)
class HierarchyPath:
    """One full path from an LLT up to a SOC: what a coded adverse event stores."""

    llt: Llt
    pt: Pt
    hlt: Hlt
    hlgt: Hlgt
    soc: Soc
    primary: bool


@dataclass(frozen=True, slots=True)
class SmqTerm:
    """One member of a Standardised MedDRA Query: scope 1 = broad, 2 = narrow, 0 = a sub-SMQ (level 0)."""

    term_code: int
    term_level: int
    scope: int
    category: str
    weight: int
    active: bool
    addition_version: str
    last_modified_version: str


@dataclass(frozen=True, slots=True)
class Smq:
    """Standardised MedDRA Query (smq_list.asc) with its terms (smq_content.asc)."""

    code: int
    name: str
    level: int
    description: str
    source: str
    note: str
    meddra_version: str
    active: bool
    algorithm: str
    terms: tuple[SmqTerm, ...]


@dataclass(frozen=True, slots=True)
class MedDRA:
    """One MedDRA release, with the lookups a coder needs. Build it with `read_meddra`."""

    version: str
    language: str
    socs: Mapping[int, Soc]
    hlgts: Mapping[int, Hlgt]
    hlts: Mapping[int, Hlt]
    pts: Mapping[int, Pt]
    llts: Mapping[int, Llt]
    pt_links: Mapping[int, tuple[PtLink, ...]]
    smqs: Mapping[int, Smq]
    notes: tuple[str, ...] = ()
    _by_name: Mapping[str, tuple[int, ...]] = field(default_factory=dict, repr=False, compare=False)
    _search_keys: tuple[tuple[str, str, int], ...] = field(default=(), repr=False, compare=False)

    def llt_by_name(self, name: str, *, include_noncurrent: bool = False) -> Llt | None:
        """Return the LLT whose name equals `name` up to case and spacing (current LLTs only by default)."""
        for code in self._by_name.get(normalise(name), ()):
            llt = self.llts[code]
            if llt.current or include_noncurrent:
                return llt
        return None

    def hierarchy(self, llt_code: int) -> list[HierarchyPath]:
        """Return every path from the LLT up to a SOC, the primary path first. Unknown code: KeyError."""
        llt = self.llts[llt_code]
        pt = self.pts[llt.pt_code]
        return [
            HierarchyPath(
                llt=llt,
                pt=pt,
                hlt=self.hlts[link.hlt_code],
                hlgt=self.hlgts[link.hlgt_code],
                soc=self.socs[link.soc_code],
                primary=link.primary,
            )
            for link in self.pt_links[pt.code]
        ]

    def primary_path(self, llt_code: int) -> HierarchyPath:
        """Return the LLT's path through its PT's primary SOC (the one reported by default)."""
        return next(path for path in self.hierarchy(llt_code) if path.primary)

    def llts_of_pt(self, pt_code: int, *, include_noncurrent: bool = False) -> list[Llt]:
        """Return the LLTs under a PT, ordered by name."""
        found = [llt for llt in self.llts.values() if llt.pt_code == pt_code and (llt.current or include_noncurrent)]
        return sorted(found, key=lambda llt: (normalise(llt.name), llt.code))

    def search(self, text: str, limit: int = 20, *, include_noncurrent: bool = False) -> list[Llt]:
        """Find LLTs whose name contains `text` for the coder's browser: exact, prefix, word-prefix, substring."""
        candidates = (entry for entry in self._search_keys if include_noncurrent or self.llts[entry[2]].current)
        return [self.llts[code] for code in rank_matches(text, candidates, limit)]


class ChangeKind(StrEnum):
    """What changed between two MedDRA versions for a term a study may already have coded to."""

    LLT_MOVED = "llt_moved"
    LLT_NONCURRENT = "llt_noncurrent"
    LLT_RENAMED = "llt_renamed"
    LLT_REMOVED = "llt_removed"
    PT_RENAMED = "pt_renamed"
    PT_REMOVED = "pt_removed"
    PRIMARY_SOC_CHANGED = "primary_soc_changed"


@dataclass(frozen=True, slots=True)
class Change:
    """One difference that matters to re-coding: `code` is the LLT's (LLT kinds) or the PT's (PT kinds)."""

    kind: ChangeKind
    code: int
    name: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.name} ({self.code}): {self.old} -> {self.new}"


def meddra_version_changes(old: MedDRA, new: MedDRA) -> list[Change]:
    """List what an upgrade from `old` to `new` changes for already-coded terms, ordered by kind then code.

    Additions are not listed: nothing coded can point to them.
    """
    changes: list[Change] = []
    for code, before in old.llts.items():
        after = new.llts.get(code)
        if after is None:
            changes.append(Change(ChangeKind.LLT_REMOVED, code, before.name, "present", "absent"))
            continue
        if after.pt_code != before.pt_code:
            changes.append(
                Change(
                    ChangeKind.LLT_MOVED,
                    code,
                    before.name,
                    _pt_label(old, before.pt_code),
                    _pt_label(new, after.pt_code),
                )
            )
        if before.current and not after.current:
            changes.append(Change(ChangeKind.LLT_NONCURRENT, code, before.name, "current", "non-current"))
        if after.name != before.name:
            changes.append(Change(ChangeKind.LLT_RENAMED, code, before.name, before.name, after.name))
    for code, before_pt in old.pts.items():
        after_pt = new.pts.get(code)
        if after_pt is None:
            changes.append(Change(ChangeKind.PT_REMOVED, code, before_pt.name, "PT", "no longer a PT"))
            continue
        if after_pt.name != before_pt.name:
            changes.append(Change(ChangeKind.PT_RENAMED, code, before_pt.name, before_pt.name, after_pt.name))
        if after_pt.primary_soc_code != before_pt.primary_soc_code:
            changes.append(
                Change(
                    ChangeKind.PRIMARY_SOC_CHANGED,
                    code,
                    before_pt.name,
                    _soc_label(old, before_pt.primary_soc_code),
                    _soc_label(new, after_pt.primary_soc_code),
                )
            )
    order = list(ChangeKind)
    changes.sort(key=lambda change: (order.index(change.kind), change.code))
    return changes


def _pt_label(meddra: MedDRA, code: int) -> str:
    pt = meddra.pts.get(code)
    return f"{pt.name} ({code})" if pt else str(code)


def _soc_label(meddra: MedDRA, code: int) -> str:
    soc = meddra.socs.get(code)
    return f"{soc.name} ({code})" if soc else str(code)


# ----------------------------------------------------------------------------------------------- reading

Row = tuple[str, dict[str, str]]  # (location "file:line", fields by name)


def read_meddra(directory: str | Path, *, encoding: str | None = None) -> MedDRA:
    """Read the `.asc` files of one MedDRA release in `directory`; raise FormatError listing every problem.

    `encoding` applies to every file; by default each file's encoding is detected (UTF-8 with or
    without byte-order mark, else Latin-1).
    """
    folder = Path(directory)
    problems: list[Problem] = []
    notes: list[str] = []
    if not folder.is_dir():
        raise FormatError([Problem(str(folder), "not a directory")])

    paths = {name: find_file(folder, name) for name in REQUIRED_FILES}
    missing = [Problem(name, f"required MedDRA file missing from {folder}") for name, path in paths.items() if not path]
    if missing:
        raise FormatError(missing)
    rows: dict[str, list[Row]] = {}
    for name, path in paths.items():
        assert path is not None
        rows[name] = _read_rows(path, name, encoding, problems)
    for name in OPTIONAL_FILES:
        path = find_file(folder, name)
        if path is None:
            rows[name] = []
            notes.append(f"{name} absent: {'SMQs' if name.startswith('smq') else 'SOC international order'} not loaded")
        else:
            rows[name] = _read_rows(path, name, encoding, problems)
    version, language = _read_release(folder, encoding, problems, notes)

    socs = _read_socs(rows["soc.asc"], rows["intl_ord.asc"], problems)
    hlgts = {code: Hlgt(code, name) for code, name in _read_named(rows["hlgt.asc"], "hlgt", problems).items()}
    hlts = {code: Hlt(code, name) for code, name in _read_named(rows["hlt.asc"], "hlt", problems).items()}
    pts = _read_pts(rows["pt.asc"], socs, problems)
    llts = _read_llts(rows["llt.asc"], pts, problems)
    links = {
        "soc_hlgt.asc": _read_links(rows["soc_hlgt.asc"], ("soc", socs), ("hlgt", hlgts), problems),
        "hlgt_hlt.asc": _read_links(rows["hlgt_hlt.asc"], ("hlgt", hlgts), ("hlt", hlts), problems),
        "hlt_pt.asc": _read_links(rows["hlt_pt.asc"], ("hlt", hlts), ("pt", pts), problems),
    }
    pt_links = _read_hierarchy(rows["mdhier.asc"], socs, hlgts, hlts, pts, links, problems)
    smqs = _read_smqs(rows["smq_list.asc"], rows["smq_content.asc"], problems)

    if problems:
        raise FormatError(problems)

    by_name: dict[str, list[int]] = defaultdict(list)
    for llt in sorted(llts.values(), key=lambda item: item.code):
        by_name[normalise(llt.name)].append(llt.code)
    search_keys = tuple(sorted((normalise(llt.name), llt.name, llt.code) for llt in llts.values()))
    return MedDRA(
        version=version,
        language=language,
        socs=MappingProxyType(socs),
        hlgts=MappingProxyType(hlgts),
        hlts=MappingProxyType(hlts),
        pts=MappingProxyType(pts),
        llts=MappingProxyType(llts),
        pt_links=MappingProxyType(pt_links),
        smqs=MappingProxyType(smqs),
        notes=tuple(notes),
        _by_name=MappingProxyType({key: tuple(codes) for key, codes in by_name.items()}),
        _search_keys=search_keys,
    )


def split_record(line: str) -> list[str]:
    """Split one `$`-delimited record into its fields, dropping the terminating `$`."""
    return line.removesuffix("$").split("$")


def _read_rows(path: Path, name: str, encoding: str | None, problems: list[Problem]) -> list[Row]:
    expected = FIELDS[name]
    out: list[Row] = []
    for number, line in numbered_lines(path, encoding, problems):
        location = f"{name}:{number}"
        values = split_record(line)
        if len(values) != len(expected):
            problems.append(Problem(location, f"expected {len(expected)} $-delimited fields, found {len(values)}"))
            continue
        out.append((location, {key: value.strip() for key, value in zip(expected, values, strict=True)}))
    return out


def _read_release(folder: Path, encoding: str | None, problems: list[Problem], notes: list[str]) -> tuple[str, str]:
    path = find_file(folder, RELEASE_FILE)
    if path is None:
        notes.append(f"{RELEASE_FILE} absent: version unknown")
        return "", ""
    for number, line in numbered_lines(path, encoding, problems):
        values = [value.strip() for value in split_record(line)]
        if not values[0]:
            problems.append(Problem(f"{RELEASE_FILE}:{number}", "version field is empty"))
            return "", ""
        return values[0], values[1] if len(values) > 1 else ""
    problems.append(Problem(RELEASE_FILE, "file is empty"))
    return "", ""


def _code(location: str, field_name: str, value: str, problems: list[Problem]) -> int | None:
    if value.isascii() and value.isdigit():
        return int(value)
    problems.append(Problem(location, f"{field_name} {value!r} is not a numeric code"))
    return None


def _number(location: str, field_name: str, value: str, problems: list[Problem], default: int = 0) -> int:
    if not value:
        return default
    code = _code(location, field_name, value, problems)
    return default if code is None else code


def _first_seen(seen: dict[int, str], code: int, location: str, label: str, problems: list[Problem]) -> bool:
    if code in seen:
        problems.append(Problem(location, f"duplicate {label} code {code} (first at {seen[code]})"))
        return False
    seen[code] = location
    return True


def _read_named(rows: list[Row], level: str, problems: list[Problem]) -> dict[int, str]:
    names: dict[int, str] = {}
    seen: dict[int, str] = {}
    for location, fields in rows:
        code = _code(location, f"{level}_code", fields[f"{level}_code"], problems)
        if code is None or not _first_seen(seen, code, location, level.upper(), problems):
            continue
        if not fields[f"{level}_name"]:
            problems.append(Problem(location, f"{level}_name is empty"))
            continue
        names[code] = fields[f"{level}_name"]
    return names


def _read_socs(rows: list[Row], order_rows: list[Row], problems: list[Problem]) -> dict[int, Soc]:
    order: dict[int, int] = {}
    for location, fields in order_rows:
        rank = _code(location, "intl_ord_code", fields["intl_ord_code"], problems)
        soc_code = _code(location, "soc_code", fields["soc_code"], problems)
        if rank is not None and soc_code is not None:
            order[soc_code] = rank
    names = _read_named(rows, "soc", problems)
    abbrevs = {
        int(fields["soc_code"]): fields["soc_abbrev"]
        for _location, fields in rows
        if fields["soc_code"].isascii() and fields["soc_code"].isdigit()
    }
    socs = {code: Soc(code, name, abbrevs.get(code, ""), order.get(code)) for code, name in names.items()}
    for location, fields in order_rows:
        value = fields["soc_code"]
        if value.isascii() and value.isdigit() and int(value) not in socs:
            problems.append(Problem(location, f"SOC {value} is not in soc.asc"))
    return socs


def _read_pts(rows: list[Row], socs: dict[int, Soc], problems: list[Problem]) -> dict[int, Pt]:
    pts: dict[int, Pt] = {}
    names = _read_named(rows, "pt", problems)
    for location, fields in rows:
        code_text = fields["pt_code"]
        if not (code_text.isascii() and code_text.isdigit()) or int(code_text) not in names:
            continue
        code = int(code_text)
        if code in pts:
            continue
        soc_code = _code(location, "pt_soc_code", fields["pt_soc_code"], problems)
        if soc_code is None:
            continue
        if soc_code not in socs:
            problems.append(Problem(location, f"PT {code} names primary SOC {soc_code}, which is not in soc.asc"))
        pts[code] = Pt(code, names[code], soc_code)
    return pts


def _read_llts(rows: list[Row], pts: dict[int, Pt], problems: list[Problem]) -> dict[int, Llt]:
    llts: dict[int, Llt] = {}
    seen: dict[int, str] = {}
    for location, fields in rows:
        code = _code(location, "llt_code", fields["llt_code"], problems)
        pt_code = _code(location, "pt_code", fields["pt_code"], problems)
        if code is None or pt_code is None or not _first_seen(seen, code, location, "LLT", problems):
            continue
        currency = fields["llt_currency"]
        if currency not in ("Y", "N"):
            problems.append(Problem(location, f"llt_currency {currency!r} must be Y or N"))
            continue
        if not fields["llt_name"]:
            problems.append(Problem(location, "llt_name is empty"))
            continue
        if pt_code not in pts:
            problems.append(Problem(location, f"LLT {code} points to PT {pt_code}, which is not in pt.asc"))
            continue
        llts[code] = Llt(code, fields["llt_name"], pt_code, currency == "Y")
    for code, pt in sorted(pts.items()):
        if code not in seen:
            problems.append(Problem("llt.asc", f"PT {code} ({pt.name}) has no LLT of the same code"))
        elif code in llts and llts[code].pt_code != code:
            problems.append(Problem(seen[code], f"LLT {code} has its PT's code but points to PT {llts[code].pt_code}"))
    return llts


def _read_links(
    rows: list[Row],
    parent: tuple[str, Mapping[int, object]],
    child: tuple[str, Mapping[int, object]],
    problems: list[Problem],
) -> dict[tuple[int, int], str]:
    """Return {(parent code, child code): location} for one link file, checking both codes exist."""
    links: dict[tuple[int, int], str] = {}
    for location, fields in rows:
        codes = []
        for level, known in (parent, child):
            code = _code(location, f"{level}_code", fields[f"{level}_code"], problems)
            if code is not None and code not in known:
                problems.append(Problem(location, f"{level.upper()} {code} is not in {level}.asc"))
                code = None
            codes.append(code)
        if codes[0] is not None and codes[1] is not None:
            key = (codes[0], codes[1])
            if key in links:
                problems.append(Problem(location, f"duplicate link {key[0]}-{key[1]} (first at {links[key]})"))
            else:
                links[key] = location
    return links


def _read_hierarchy(
    rows: list[Row],
    socs: dict[int, Soc],
    hlgts: dict[int, Hlgt],
    hlts: dict[int, Hlt],
    pts: dict[int, Pt],
    links: dict[str, dict[tuple[int, int], str]],
    problems: list[Problem],
) -> dict[int, tuple[PtLink, ...]]:
    """Build each PT's places from mdhier.asc and check them against the three link files."""
    found: dict[int, list[PtLink]] = defaultdict(list)
    used: dict[str, set[tuple[int, int]]] = {name: set() for name in links}
    for location, fields in rows:
        codes: dict[str, int] = {}
        for level, known in (("pt", pts), ("hlt", hlts), ("hlgt", hlgts), ("soc", socs)):
            code = _code(location, f"{level}_code", fields[f"{level}_code"], problems)
            if code is None:
                continue
            if code not in known:
                problems.append(Problem(location, f"{level.upper()} {code} is not in {level}.asc"))
                continue
            codes[level] = code
        flag = fields["primary_soc_fg"]
        if flag not in ("Y", "N"):
            problems.append(Problem(location, f"primary_soc_fg {flag!r} must be Y or N"))
            continue
        if len(codes) != 4:
            continue
        for name, pair in (
            ("hlt_pt.asc", (codes["hlt"], codes["pt"])),
            ("hlgt_hlt.asc", (codes["hlgt"], codes["hlt"])),
            ("soc_hlgt.asc", (codes["soc"], codes["hlgt"])),
        ):
            if pair in links[name]:
                used[name].add(pair)
            else:
                problems.append(Problem(location, f"link {pair[0]}-{pair[1]} is not in {name}"))
        link = PtLink(codes["hlt"], codes["hlgt"], codes["soc"], flag == "Y")
        if link in found[codes["pt"]]:
            problems.append(Problem(location, f"duplicate hierarchy row for PT {codes['pt']}"))
            continue
        if link.primary and link.soc_code != pts[codes["pt"]].primary_soc_code:
            problems.append(
                Problem(
                    location,
                    f"primary SOC {link.soc_code} differs from pt.asc pt_soc_code "
                    f"{pts[codes['pt']].primary_soc_code} for PT {codes['pt']}",
                )
            )
        found[codes["pt"]].append(link)
    for name, pairs in links.items():
        for pair, location in pairs.items():
            if pair not in used[name]:
                problems.append(Problem(location, f"link {pair[0]}-{pair[1]} does not appear in mdhier.asc"))
    if rows:
        for code, pt in sorted(pts.items()):
            primaries = sum(1 for link in found.get(code, ()) if link.primary)
            if code not in found:
                problems.append(Problem("mdhier.asc", f"PT {code} ({pt.name}) has no hierarchy row"))
            elif primaries != 1:
                problems.append(Problem("mdhier.asc", f"PT {code} ({pt.name}) has {primaries} primary paths, not 1"))

    def order(link: PtLink) -> tuple[bool, int, int, int]:
        rank = socs[link.soc_code].intl_order
        return (not link.primary, rank if rank is not None else 10**9, link.soc_code, link.hlt_code)

    return {code: tuple(sorted(items, key=order)) for code, items in found.items()}


def _read_smqs(list_rows: list[Row], content_rows: list[Row], problems: list[Problem]) -> dict[int, Smq]:
    terms: dict[int, list[SmqTerm]] = defaultdict(list)
    heads: dict[int, dict[str, str]] = {}
    seen: dict[int, str] = {}
    for location, fields in list_rows:
        code = _code(location, "smq_code", fields["smq_code"], problems)
        if code is not None and _first_seen(seen, code, location, "SMQ", problems):
            _number(location, "smq_level", fields["smq_level"], problems)
            heads[code] = fields
    for location, fields in content_rows:
        smq_code = _code(location, "smq_code", fields["smq_code"], problems)
        term_code = _code(location, "term_code", fields["term_code"], problems)
        if smq_code is None or term_code is None:
            continue
        if smq_code not in heads:
            problems.append(Problem(location, f"SMQ {smq_code} is not in smq_list.asc"))
            continue
        terms[smq_code].append(
            SmqTerm(
                term_code=term_code,
                term_level=_number(location, "term_level", fields["term_level"], problems),
                scope=_number(location, "term_scope", fields["term_scope"], problems),
                category=fields["term_category"],
                weight=_number(location, "term_weight", fields["term_weight"], problems),
                active=fields["term_status"] == "A",
                addition_version=fields["term_addition_version"],
                last_modified_version=fields["term_last_modified_version"],
            )
        )
    return {
        code: Smq(
            code=code,
            name=fields["smq_name"],
            level=int(fields["smq_level"]) if fields["smq_level"].isascii() and fields["smq_level"].isdigit() else 0,
            description=fields["smq_description"],
            source=fields["smq_source"],
            note=fields["smq_note"],
            meddra_version=fields["MedDRA_version"],
            active=fields["status"] == "A",
            algorithm=fields["smq_algorithm"],
            terms=tuple(terms.get(code, ())),
        )
        for code, fields in heads.items()
    }
