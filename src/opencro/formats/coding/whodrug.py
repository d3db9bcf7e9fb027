"""Read WHODrug Global from its fixed-width text distribution, in the B3 or the C3 format.

Standard: UMC (Uppsala Monitoring Centre), "WHODrug B3- and C3-formats" implementation guide (2018)
and the per-file format descriptions that come with a licensed release. A WHODrug drug code is the
6-digit Drug Record Number + Sequence Number 1 (2 characters: salt, ester or other variation) +
Sequence Number 2 (3 characters: the name). The *preferred base name* of a drug record is the row
with Seq1 = "01" and Seq2 = "001" (WHODrug user guide, as quoted by the CANDEL "alzabo" drug schema),
and the preferred name of one variation (e.g. a salt) is its Seq2 = "001" row.

The two formats are different sets of files, not different widths of one file:

- B3: `DD.txt` (drug names), `DDA.txt` (ATC classification of drug codes), `INA.txt` (ATC texts),
  plus `ING.txt`, `BNA.txt`, `CCODE.txt`, `DDSOURCE.txt`, `MAN.txt` (not read here).
- C3: `MP.txt` (medicinal products, one per drug name x country x company x form x strength),
  `ThG.txt` (ATC classification of medicinal products), `ATC.txt` (ATC texts), plus `PP.txt`,
  `ING.txt`, `SUN.txt`, `CCODE.txt`, `ORG.txt`, ... (not read here).

The format is therefore detected by which files are present (`DD.txt` or `MP.txt`).

Column layouts, and how sure they are (UMC's file descriptions are licensed, not public):

- C3 (`MP.txt`, `ThG.txt`, `ATC.txt`): taken from vigicaen `R/tb_who.R` (Caen pharmacovigilance
  centre, CRAN package), which reads the C3 files UMC ships with VigiBase extracts. Confident.
- B3 `DD.txt`: record number 1-6, Seq1 7-8, Seq2 9-11, check digit 12 and drug name from column 31
  are confirmed by cdisc-rules-engine (`models/dictionaries/whodrug/drug_dict.py` and its fixture
  `tests/resources/dictionaries/whodrug/DD.txt`); the order of the twelve fields is confirmed by public
  loaders of the comma-separated edition of the same file (`DD.csv`: 12 columns, name last). Between columns 13 and
  30 the fixture shows designation (13), source year (14-15), a 9-character source + company block
  (16-24), number of ingredients (25-26), salt/ester code (27) and year-quarter (28-30); the split of
  the 16-24 block into source (4) and company (5) follows the older B2 description and is NOT
  confirmed from a public source.
- B3 `DDA.txt` and `INA.txt`: from the same cdisc-rules-engine readers and fixtures (drug code 1-12,
  ATC code 13-19, year-quarter 20-22, official-ATC flag 23; INA: ATC code 1-7, level 8, text 9-118).

Each layout is one table of (field, 1-based start column, length) below: correct it there.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from opencro.formats.coding.terms import normalise, rank_matches
from opencro.formats.coding.textfile import find_file, numbered_lines
from opencro.formats.errors import FormatError, Problem

Field = tuple[str, int, int]  # (field name, 1-based start column, length in characters)

B3_LAYOUT: Mapping[str, tuple[Field, ...]] = MappingProxyType(
    {
        "DD.txt": (
            ("drug_record_number", 1, 6),
            ("seq1", 7, 2),
            ("seq2", 9, 3),
            ("check_digit", 12, 1),
            ("designation", 13, 1),
            ("source_year", 14, 2),
            ("source", 16, 4),
            ("company", 20, 5),
            ("number_of_ingredients", 25, 2),
            ("salt_ester_code", 27, 1),
            ("year_quarter", 28, 3),
            ("drug_name", 31, 1500),
        ),
        "DDA.txt": (
            ("drug_record_number", 1, 6),
            ("seq1", 7, 2),
            ("seq2", 9, 3),
            ("check_digit", 12, 1),
            ("atc_code", 13, 7),
            ("year_quarter", 20, 3),
            ("official_atc_code", 23, 1),
        ),
        "INA.txt": (
            ("atc_code", 1, 7),
            ("level", 8, 1),
            ("text", 9, 110),
        ),
    }
)
C3_LAYOUT: Mapping[str, tuple[Field, ...]] = MappingProxyType(
    {
        "MP.txt": (
            ("medicinal_product_id", 1, 10),
            ("med_id", 11, 35),
            ("drug_record_number", 46, 6),
            ("seq1", 52, 2),
            ("seq2", 54, 3),
            ("seq3", 57, 10),
            ("seq4", 67, 10),
            ("generic", 77, 1),
            ("drug_name", 78, 1500),
            ("name_specifier", 1578, 30),
            ("marketing_authorization_number", 1608, 30),
            ("marketing_authorization_date", 1638, 8),
            ("marketing_authorization_withdrawal_date", 1646, 8),
            ("country", 1654, 10),
            ("company", 1664, 10),
            ("marketing_authorization_holder", 1674, 10),
            ("reference_code", 1684, 10),
            ("source_country", 1694, 10),
            ("year_of_reference", 1704, 3),
            ("product_type", 1707, 10),
            ("product_group", 1717, 10),
            ("create_date", 1727, 8),
            ("date_changed", 1735, 8),
        ),
        "ThG.txt": (
            ("therapeutic_group_id", 1, 10),
            ("atc_code", 11, 10),
            ("create_date", 21, 8),
            ("official_atc_code", 29, 1),
            ("medicinal_product_id", 30, 10),
        ),
        "ATC.txt": (
            ("atc_code", 1, 10),
            ("level", 11, 1),
            ("text", 12, 110),
        ),
    }
)
# The last field each record must reach (at least its first character); later fields may be cut off.
REQUIRED_THROUGH: Mapping[str, str] = MappingProxyType(
    {
        "DD.txt": "drug_name",
        "DDA.txt": "atc_code",
        "INA.txt": "text",
        "MP.txt": "drug_name",
        "ThG.txt": "medicinal_product_id",
        "ATC.txt": "text",
    }
)
VERSION_FILE = "version.txt"
ATC_CODE_LENGTHS = {1: 1, 2: 3, 3: 4, 4: 5, 5: 7}
PREFERRED_SEQ1 = "01"
PREFERRED_SEQ2 = "001"


@dataclass(frozen=True, slots=True)
class DrugName:
    """One WHODrug name with its drug code (record number + Seq1 + Seq2).

    `designation`, `number_of_ingredients`, `salt_ester_code` and `year_quarter` are B3 fields, kept
    as shipped; `generic` and `medicinal_product_ids` come from C3 (None and () for B3).
    """

    drug_code: str
    name: str
    designation: str = ""
    number_of_ingredients: int | None = None
    salt_ester_code: str = ""
    year_quarter: str = ""
    generic: bool | None = None
    medicinal_product_ids: tuple[int, ...] = ()

    @property
    def drug_record(self) -> str:
        return self.drug_code[:6]

    @property
    def seq1(self) -> str:
        return self.drug_code[6:8]

    @property
    def seq2(self) -> str:
        return self.drug_code[8:11]

    @property
    def is_preferred_base(self) -> bool:
        """True for the record's preferred base name (Seq1 01, Seq2 001)."""
        return self.seq1 == PREFERRED_SEQ1 and self.seq2 == PREFERRED_SEQ2


@dataclass(frozen=True, slots=True)
class AtcClass:
    """One ATC group as WHODrug ships its text (levels 1 to 4, sometimes 5)."""

    code: str
    level: int
    text: str


@dataclass(frozen=True, slots=True)
class AtcAssignment:
    """An ATC group assigned to a drug code; `path` runs from level 1 down to the group itself."""

    drug_code: str
    atc: AtcClass
    official: bool
    path: tuple[AtcClass, ...]


@dataclass(frozen=True, slots=True)
class WHODrug:
    """One WHODrug Global release, with the lookups a coder needs. Build it with `read_whodrug`."""

    version: str
    fmt: str
    drugs: Mapping[str, DrugName]
    atc_classes: Mapping[str, AtcClass]
    assignments: Mapping[str, tuple[AtcAssignment, ...]]
    notes: tuple[str, ...] = ()
    _by_name: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)
    _search_keys: tuple[tuple[str, str, str], ...] = field(default=(), repr=False, compare=False)
    _by_record: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    def drug_by_name(self, name: str) -> list[DrugName]:
        """Return every drug name equal to `name` up to case and spacing (names are not unique in B3/C3)."""
        return [self.drugs[code] for code in self._by_name.get(normalise(name), ())]

    def names_of_record(self, drug_record: str) -> list[DrugName]:
        """Return every name under a drug record (its variations and trade names), ordered by drug code."""
        return [self.drugs[code] for code in self._by_record.get(drug_record[:6], ())]

    def preferred(self, drug_code: str, *, base: bool = True) -> DrugName:
        """Return the preferred name for a drug code (or a bare record number).

        base=True: the record's preferred base name (Seq1 01, Seq2 001), what CMDECOD usually reports.
        base=False: the preferred name of the code's own variation (same Seq1, Seq2 001), e.g. the salt.
        Raises KeyError when the dictionary has no such name.
        """
        seq1 = PREFERRED_SEQ1 if base or len(drug_code) < 8 else drug_code[6:8]
        wanted = f"{drug_code[:6]}{seq1}{PREFERRED_SEQ2}"
        if wanted not in self.drugs:
            raise KeyError(f"no preferred name {wanted} for drug code {drug_code}")
        return self.drugs[wanted]

    def atc(self, drug_record: str) -> list[AtcAssignment]:
        """Return the ATC classifications of every drug code under a drug record, by drug code then ATC."""
        codes = self._by_record.get(drug_record[:6], ())
        found = [item for code in codes for item in self.assignments.get(code, ())]
        return sorted(found, key=lambda item: (item.drug_code, item.atc.code))

    def atc_for_code(self, drug_code: str) -> list[AtcAssignment]:
        """Return the ATC classifications of one drug code, falling back to its variation's Seq2 001 code."""
        own = self.assignments.get(drug_code)
        if own:
            return list(own)
        return list(self.assignments.get(f"{drug_code[:8]}{PREFERRED_SEQ2}", ()))

    def search(self, text: str, limit: int = 20) -> list[DrugName]:
        """Find drug names containing `text` for the coder's browser: exact, prefix, word-prefix, substring."""
        return [self.drugs[code] for code in rank_matches(text, self._search_keys, limit)]


# ----------------------------------------------------------------------------------------------- reading


def slice_record(line: str, layout: Iterable[Field]) -> dict[str, str]:
    """Cut one fixed-width record into its fields, each stripped of padding."""
    return {name: line[start - 1 : start - 1 + length].strip() for name, start, length in layout}


def detect_format(directory: str | Path) -> str | None:
    """Return "B3" when the directory holds DD.txt, "C3" when it holds MP.txt, else None."""
    folder = Path(directory)
    if find_file(folder, "DD.txt"):
        return "B3"
    if find_file(folder, "MP.txt"):
        return "C3"
    return None


def read_whodrug(directory: str | Path, *, fmt: str | None = None, encoding: str | None = None) -> WHODrug:
    """Read a WHODrug Global release (B3 or C3 text files) in `directory`; raise FormatError on any problem.

    `fmt` is "B3", "C3" or None to detect it from the files present. `encoding` applies to every file;
    by default each file's encoding is detected (UTF-8 with or without byte-order mark, else Latin-1).
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise FormatError([Problem(str(folder), "not a directory")])
    chosen = fmt.upper() if fmt else detect_format(folder)
    if chosen is None:
        raise FormatError([Problem(str(folder), "neither DD.txt (B3 format) nor MP.txt (C3 format) found")])
    if chosen not in ("B3", "C3"):
        raise FormatError([Problem(str(folder), f"unknown WHODrug format {fmt!r}: expected B3 or C3")])
    layout = B3_LAYOUT if chosen == "B3" else C3_LAYOUT
    missing = [
        Problem(name, f"required WHODrug {chosen} file missing from {folder}")
        for name in layout
        if find_file(folder, name) is None
    ]
    if missing:
        raise FormatError(missing)
    problems: list[Problem] = []
    notes: list[str] = []
    if chosen == "B3":
        drugs, classes, assignments = _read_b3(folder, encoding, problems)
    else:
        drugs, classes, assignments = _read_c3(folder, encoding, problems)
    version = _read_version(folder, encoding, problems, notes)
    if problems:
        raise FormatError(problems)

    by_name: dict[str, list[str]] = defaultdict(list)
    by_record: dict[str, list[str]] = defaultdict(list)
    for code in sorted(drugs):
        by_name[normalise(drugs[code].name)].append(code)
        by_record[code[:6]].append(code)
    return WHODrug(
        version=version,
        fmt=chosen,
        drugs=MappingProxyType(drugs),
        atc_classes=MappingProxyType(classes),
        assignments=MappingProxyType({code: tuple(items) for code, items in assignments.items()}),
        notes=tuple(notes),
        _by_name=MappingProxyType({key: tuple(codes) for key, codes in by_name.items()}),
        _search_keys=tuple(sorted((normalise(drug.name), drug.name, code) for code, drug in drugs.items())),
        _by_record=MappingProxyType({record: tuple(codes) for record, codes in by_record.items()}),
    )


Record = tuple[str, dict[str, str]]  # (location "file:line", fields by name)


def _records(
    folder: Path, name: str, layout: Mapping[str, tuple[Field, ...]], encoding: str | None, problems: list[Problem]
) -> Iterator[Record]:
    """Yield each record of a fixed-width file as it is read: release files run to hundreds of megabytes."""
    path = find_file(folder, name)
    assert path is not None, "read_whodrug checks required files first"
    fields = layout[name]
    minimum = next(start for field_name, start, _length in fields if field_name == REQUIRED_THROUGH[name])
    for number, line in numbered_lines(path, encoding, problems):
        location = f"{name}:{number}"
        if len(line.rstrip()) < minimum:
            problems.append(
                Problem(location, f"record has {len(line.rstrip())} characters; at least {minimum} are needed")
            )
            continue
        yield location, slice_record(line, fields)


def _drug_code(location: str, fields: dict[str, str], problems: list[Problem]) -> str | None:
    record, seq1, seq2 = fields["drug_record_number"], fields["seq1"], fields["seq2"]
    ok = True
    if not (len(record) == 6 and record.isascii() and record.isdigit()):
        problems.append(Problem(location, f"drug record number {record!r} is not 6 digits"))
        ok = False
    if not (len(seq1) == 2 and seq1.isascii() and seq1.isalnum()):
        problems.append(Problem(location, f"sequence number 1 {seq1!r} is not 2 characters"))
        ok = False
    if not (len(seq2) == 3 and seq2.isascii() and seq2.isalnum()):
        problems.append(Problem(location, f"sequence number 2 {seq2!r} is not 3 characters"))
        ok = False
    return f"{record}{seq1}{seq2}" if ok else None


def _read_atc_texts(records: Iterable[Record], file_name: str, problems: list[Problem]) -> dict[str, AtcClass]:
    classes: dict[str, AtcClass] = {}
    seen: dict[str, str] = {}
    for location, fields in records:
        code, level_text, text = fields["atc_code"], fields["level"], fields["text"]
        if not (level_text.isascii() and level_text.isdigit() and int(level_text) in ATC_CODE_LENGTHS):
            problems.append(Problem(location, f"ATC level {level_text!r} is not 1 to 5"))
            continue
        level = int(level_text)
        if len(code) != ATC_CODE_LENGTHS[level] or not code.isascii() or not code.isalnum():
            problems.append(
                Problem(
                    location,
                    f"ATC code {code!r} does not have the {ATC_CODE_LENGTHS[level]} characters of a level-{level} code",
                )
            )
            continue
        if not text:
            problems.append(Problem(location, f"ATC code {code} has no text"))
            continue
        if code in seen:
            problems.append(Problem(location, f"duplicate ATC code {code} (first at {seen[code]})"))
            continue
        seen[code] = location
        classes[code] = AtcClass(code, level, text)
    for code, atc in classes.items():
        for parent_level in range(1, atc.level):
            parent = code[: ATC_CODE_LENGTHS[parent_level]]
            if parent not in classes:
                problems.append(
                    Problem(seen[code], f"ATC code {code} has no level-{parent_level} parent {parent} in {file_name}")
                )
    return classes


def _path(classes: Mapping[str, AtcClass], atc: AtcClass) -> tuple[AtcClass, ...]:
    prefixes = (atc.code[: ATC_CODE_LENGTHS[level]] for level in range(1, atc.level + 1))
    return tuple(classes[prefix] for prefix in prefixes if prefix in classes)  # a missing parent is a Problem


def _assign(
    assignments: dict[str, list[AtcAssignment]],
    classes: Mapping[str, AtcClass],
    drug_code: str,
    atc_code: str,
    official: bool,
) -> None:
    atc = classes[atc_code]
    existing = assignments[drug_code]
    for index, item in enumerate(existing):
        if item.atc.code == atc_code:
            if official and not item.official:
                existing[index] = AtcAssignment(drug_code, atc, True, item.path)
            return
    existing.append(AtcAssignment(drug_code, atc, official, _path(classes, atc)))


def _read_b3(
    folder: Path, encoding: str | None, problems: list[Problem]
) -> tuple[dict[str, DrugName], dict[str, AtcClass], dict[str, list[AtcAssignment]]]:
    drugs: dict[str, DrugName] = {}
    seen: dict[str, str] = {}
    for location, fields in _records(folder, "DD.txt", B3_LAYOUT, encoding, problems):
        code = _drug_code(location, fields, problems)
        ingredients = fields["number_of_ingredients"]
        if ingredients and not (ingredients.isascii() and ingredients.isdigit()):
            problems.append(Problem(location, f"number of ingredients {ingredients!r} is not a number"))
            continue
        if code is None:
            continue
        if code in seen:
            problems.append(Problem(location, f"duplicate drug code {code} (first at {seen[code]})"))
            continue
        seen[code] = location
        drugs[code] = DrugName(
            drug_code=code,
            name=fields["drug_name"],
            designation=fields["designation"],
            number_of_ingredients=int(ingredients) if ingredients else None,
            salt_ester_code=fields["salt_ester_code"],
            year_quarter=fields["year_quarter"],
        )
    classes = _read_atc_texts(_records(folder, "INA.txt", B3_LAYOUT, encoding, problems), "INA.txt", problems)
    assignments: dict[str, list[AtcAssignment]] = defaultdict(list)
    for location, fields in _records(folder, "DDA.txt", B3_LAYOUT, encoding, problems):
        code = _drug_code(location, fields, problems)
        if code is None:
            continue
        if code not in drugs:
            problems.append(Problem(location, f"drug code {code} is not in DD.txt"))
            continue
        if fields["atc_code"] not in classes:
            problems.append(Problem(location, f"ATC code {fields['atc_code']} is not in INA.txt"))
            continue
        _assign(assignments, classes, code, fields["atc_code"], fields["official_atc_code"] in ("*", "Y"))
    return drugs, classes, assignments


def _read_c3(
    folder: Path, encoding: str | None, problems: list[Problem]
) -> tuple[dict[str, DrugName], dict[str, AtcClass], dict[str, list[AtcAssignment]]]:
    names: dict[str, str] = {}
    generic: dict[str, bool | None] = {}
    products: dict[str, list[int]] = defaultdict(list)
    code_of_product: dict[int, str] = {}
    seen: dict[int, str] = {}
    for location, fields in _records(folder, "MP.txt", C3_LAYOUT, encoding, problems):
        product_text = fields["medicinal_product_id"]
        code = _drug_code(location, fields, problems)
        if not (product_text.isascii() and product_text.isdigit()):
            problems.append(Problem(location, f"medicinal product id {product_text!r} is not numeric"))
            continue
        if code is None:
            continue
        product = int(product_text)
        if product in seen:
            problems.append(Problem(location, f"duplicate medicinal product id {product} (first at {seen[product]})"))
            continue
        seen[product] = location
        names.setdefault(code, fields["drug_name"])
        generic.setdefault(code, {"Y": True, "N": False}.get(fields["generic"]))
        products[code].append(product)
        code_of_product[product] = code
    drugs = {
        code: DrugName(drug_code=code, name=name, generic=generic[code], medicinal_product_ids=tuple(products[code]))
        for code, name in names.items()
    }
    classes = _read_atc_texts(_records(folder, "ATC.txt", C3_LAYOUT, encoding, problems), "ATC.txt", problems)
    assignments: dict[str, list[AtcAssignment]] = defaultdict(list)
    for location, fields in _records(folder, "ThG.txt", C3_LAYOUT, encoding, problems):
        product_text = fields["medicinal_product_id"]
        if not (product_text.isascii() and product_text.isdigit()):
            problems.append(Problem(location, f"medicinal product id {product_text!r} is not numeric"))
            continue
        product = int(product_text)
        if product not in code_of_product:
            problems.append(Problem(location, f"medicinal product id {product} is not in MP.txt"))
            continue
        if fields["atc_code"] not in classes:
            problems.append(Problem(location, f"ATC code {fields['atc_code']} is not in ATC.txt"))
            continue
        _assign(
            assignments,
            classes,
            code_of_product[product],
            fields["atc_code"],
            fields["official_atc_code"] in ("*", "Y"),
        )
    return drugs, classes, assignments


def _read_version(folder: Path, encoding: str | None, problems: list[Problem], notes: list[str]) -> str:
    path = find_file(folder, VERSION_FILE)
    if path is None:
        notes.append(f"{VERSION_FILE} absent: version unknown")
        return ""
    for _number, line in numbered_lines(path, encoding, problems):
        return line.strip()
    notes.append(f"{VERSION_FILE} is empty: version unknown")
    return ""
