"""Write a small FICTIONAL MedDRA and WHODrug, in the exact distribution file formats, for tests and the demo.

MedDRA and WHODrug are licensed and cannot be shipped. These dictionaries are invented: the terms are
everyday English medical words or made-up names, every code is invented (MedDRA codes are 9 digits
starting with 9, where real MedDRA codes have 8; WHODrug record numbers start with 9; ATC groups use
the unassigned first letters X, Y and Z), and the SMQ, ATC texts, drugs and companies exist nowhere.
The files follow the layouts that `meddra.read_meddra` and `whodrug.read_whodrug` read, so the same
code paths run on fictional and licensed data.

MedDRA "26.1" is the base release; "27.0" is an upgrade in which the LLT "Spinning sensation" moves from
PT Dizziness to PT Vertigo and the LLT "Throwing up" becomes non-current, to exercise re-coding on a
version upgrade.
"""

from collections.abc import Sequence
from pathlib import Path

from opencro.formats.coding.meddra import FIELDS
from opencro.formats.coding.whodrug import B3_LAYOUT, C3_LAYOUT, Field

MEDDRA_VERSIONS = ("26.1", "27.0")

# (code, name, abbreviation, international order)
SOCS = (
    (910000001, "Nervous system conditions", "Nerv", 1),
    (910000002, "Gastrointestinal conditions", "Gastr", 2),
    (910000003, "Skin conditions", "Skin", 3),
    (910000004, "General conditions", "Genrl", 4),
)
# (code, name, SOC)
HLGTS = (
    (920000001, "Headache conditions", 910000001),
    (920000002, "Neurological signs", 910000001),
    (920000003, "Gastrointestinal signs", 910000002),
    (920000004, "Skin signs", 910000003),
    (920000005, "General signs", 910000004),
)
# (code, name, HLGT)
HLTS = (
    (930000001, "Headache types", 920000001),
    (930000002, "Balance signs", 920000002),
    (930000003, "Nausea and vomiting signs", 920000003),
    (930000004, "Abdominal signs", 920000003),
    (930000005, "Bowel habit signs", 920000003),
    (930000006, "Skin eruption signs", 920000004),
    (930000007, "General discomfort signs", 920000005),
    (930000008, "Body temperature signs", 920000005),
)
# (code, name, primary HLT, secondary HLTs): the SOC of the primary HLT is the PT's primary SOC.
PTS = (
    (940000001, "Headache", 930000001, ()),
    (940000002, "Migraine", 930000001, ()),
    (940000003, "Tension headache", 930000001, ()),
    (940000004, "Dizziness", 930000002, (930000007,)),
    (940000005, "Vertigo", 930000002, ()),
    (940000006, "Nausea", 930000003, ()),
    (940000007, "Vomiting", 930000003, ()),
    (940000008, "Abdominal pain", 930000004, ()),
    (940000009, "Dyspepsia", 930000004, ()),
    (940000010, "Diarrhoea", 930000005, ()),
    (940000011, "Constipation", 930000005, ()),
    (940000012, "Rash", 930000006, ()),
    (940000013, "Urticaria", 930000006, ()),
    (940000014, "Pruritus", 930000006, (930000007,)),
    (940000015, "Erythema", 930000006, ()),
    (940000016, "Fatigue", 930000007, ()),
    (940000017, "Asthenia", 930000007, ()),
    (940000018, "Malaise", 930000007, ()),
    (940000019, "Pyrexia", 930000008, ()),
    (940000020, "Chills", 930000008, ()),
)
# LLTs other than the PTs' own: (code, name, PT, current)
SYNONYM_LLTS = (
    (950000001, "Head ache", 940000001, True),
    (950000002, "Cephalgia", 940000001, True),
    (950000003, "Spinning sensation", 940000004, True),
    (950000004, "Feeling sick", 940000006, True),
    (950000005, "Throwing up", 940000007, True),
    (950000006, "Stomach ache", 940000008, True),
    (950000007, "Loose stools", 940000010, True),
    (950000008, "Hives", 940000013, True),
    (950000009, "Müller itch", 940000014, True),
    (950000010, "Tiredness", 940000016, True),
    (950000011, "Fever", 940000019, True),
    (950000012, "Feverishness", 940000019, False),
)
# (code, name, level, description, terms as (code, level, scope))
SMQS = (
    (
        980000001,
        "Fictional headache query",
        1,
        "Invented query grouping headache terms, for tests only",
        ((940000001, 4, 2), (940000002, 4, 2), (940000003, 4, 1), (950000001, 5, 2)),
    ),
)


def write_fictional_meddra(directory: str | Path, version: str = "26.1", *, encoding: str = "latin-1") -> Path:
    """Write the fictional MedDRA `version` ("26.1" or "27.0") as `.asc` files into `directory`; return it."""
    if version not in MEDDRA_VERSIONS:
        raise ValueError(f"fictional MedDRA exists in versions {', '.join(MEDDRA_VERSIONS)}, not {version!r}")
    llts = [(code, name, code, True) for code, name, _hlt, _others in PTS] + list(SYNONYM_LLTS)
    if version == "27.0":
        moved = {950000003: 940000005}
        noncurrent = {950000005}
        llts = [
            (code, name, moved.get(code, pt), current and code not in noncurrent) for code, name, pt, current in llts
        ]
    return write_meddra_files(
        directory,
        version=version,
        socs=SOCS,
        hlgts=HLGTS,
        hlts=HLTS,
        pts=PTS,
        llts=llts,
        smqs=SMQS,
        smq_term_version="26.1",
        encoding=encoding,
    )


def write_meddra_files(
    directory: str | Path,
    *,
    version: str,
    socs: Sequence[tuple[int, str, str, int]],
    hlgts: Sequence[tuple[int, str, int]],
    hlts: Sequence[tuple[int, str, int]],
    pts: Sequence[tuple[int, str, int, tuple[int, ...]]],
    llts: Sequence[tuple[int, str, int, bool]],
    smqs: Sequence[tuple[int, str, int, str, tuple[tuple[int, int, int], ...]]] = (),
    smq_term_version: str = "",
    encoding: str = "latin-1",
) -> Path:
    """Write an invented MedDRA release as MedAscii `.asc` files (the layouts of `meddra.FIELDS`); return the folder.

    The tables take the shapes of this module's SOCS, HLGTS, HLTS, PTS and SMQS; `llts` lists every LLT,
    the PTs' own included, as (code, name, PT code, current). `smq_term_version` is the MedDRA version
    written as each SMQ term's addition and last-modified version.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    soc_of_hlgt = {code: soc for code, _name, soc in hlgts}
    hlgt_of_hlt = {code: hlgt for code, _name, hlgt in hlts}
    names = {code: name for code, name, *_rest in (*socs, *hlgts, *hlts, *pts)}
    abbrevs = {code: abbrev for code, _name, abbrev, _order in socs}

    def primary_soc(hlt: int) -> int:
        return soc_of_hlgt[hlgt_of_hlt[hlt]]

    tables: dict[str, list[list[object]]] = {
        "soc.asc": [[code, name, abbrev] for code, name, abbrev, _order in socs],
        "hlgt.asc": [[code, name] for code, name, _soc in hlgts],
        "hlt.asc": [[code, name] for code, name, _hlgt in hlts],
        "pt.asc": [[code, name, "", primary_soc(hlt)] for code, name, hlt, _others in pts],
        "llt.asc": [
            [code, name, pt, "", "", "", "", "", "", "Y" if current else "N"] for code, name, pt, current in llts
        ],
        "soc_hlgt.asc": [[soc, code] for code, _name, soc in hlgts],
        "hlgt_hlt.asc": [[hlgt, code] for code, _name, hlgt in hlts],
        "hlt_pt.asc": [[hlt, code] for code, _name, primary, others in pts for hlt in (primary, *others)],
        "mdhier.asc": [
            [
                code,
                hlt,
                hlgt_of_hlt[hlt],
                primary_soc(hlt),
                name,
                names[hlt],
                names[hlgt_of_hlt[hlt]],
                names[primary_soc(hlt)],
                abbrevs[primary_soc(hlt)],
                "",
                primary_soc(primary),
                "Y" if hlt == primary else "N",
            ]
            for code, name, primary, others in pts
            for hlt in (primary, *others)
        ],
        "intl_ord.asc": [[order, code] for code, _name, _abbrev, order in socs],
        "smq_list.asc": [
            [code, name, level, description, "OpenCRO fictional data", "", version, "A", "N"]
            for code, name, level, description, _terms in smqs
        ],
        "smq_content.asc": [
            [smq, term, term_level, scope, "A", 0, "A", smq_term_version, smq_term_version]
            for smq, *_head, terms in smqs
            for term, term_level, scope in terms
        ],
    }
    for file_name, rows in tables.items():
        width = len(FIELDS[file_name])
        lines = [_meddra_record([str(value) for value in row], width) for row in rows]
        (folder / file_name).write_bytes("".join(f"{line}\r\n" for line in lines).encode(encoding))
    (folder / "meddra_release.asc").write_bytes(f"{version}$English$$\r\n".encode(encoding))
    return folder


def _meddra_record(values: list[str], width: int) -> str:
    if len(values) > width:
        raise ValueError(f"{len(values)} values for a {width}-field record")
    return "$".join(values + [""] * (width - len(values))) + "$"


# --------------------------------------------------------------------------------------------- WHODrug

# (drug code, name, designation, number of ingredients)
DRUGS = (
    ("90000101001", "FICTOPROFEN", "N", 1),
    ("90000101002", "FICTOFEN", "T", 1),
    ("90000101003", "PAINAWAY", "T", 1),
    ("90000102001", "FICTOPROFEN SODIUM", "N", 1),
    ("90000102002", "FICTOFEN RAPID", "T", 1),
    ("90000201001", "IMAGINOL", "N", 1),
    ("90000201002", "DREAMADOL", "T", 1),
    ("90000201003", "IMAGINOL JUNIOR", "T", 1),
    ("90000201004", "PAINAWAY", "T", 1),
    ("90000301001", "QUEASINOL", "N", 1),
    ("90000301002", "CALMTUMMY", "T", 1),
    ("90000401001", "PRURIFICTIN", "N", 1),
    ("90000401002", "ITCHLESS", "T", 1),
    ("90000401003", "ITCHLESS CRÈME", "T", 1),
    ("90000501001", "FICTOPROFEN;IMAGINOL", "N", 2),
    ("90000501002", "DUOPAIN", "T", 2),
)
ATC_TEXTS = (
    ("X", 1, "FICTIONAL NERVOUS SYSTEM AGENTS"),
    ("X01", 2, "FICTIONAL ANALGESICS"),
    ("X01A", 3, "FICTIONAL NON-OPIOID ANALGESICS"),
    ("X01AA", 4, "FICTIONAL PROPIONIC DERIVATIVES"),
    ("X01AB", 4, "FICTIONAL ANILIDES"),
    ("Y", 1, "FICTIONAL ALIMENTARY AGENTS"),
    ("Y02", 2, "FICTIONAL ANTIEMETICS"),
    ("Y02A", 3, "FICTIONAL ANTIEMETICS AND ANTINAUSEANTS"),
    ("Y02AA", 4, "FICTIONAL QUEASINE-LIKE AGENTS"),
    ("Z", 1, "FICTIONAL DERMATOLOGICALS"),
    ("Z03", 2, "FICTIONAL ANTIPRURITICS"),
    ("Z03A", 3, "FICTIONAL ANTIPRURITICS, TOPICAL"),
    ("Z03AA", 4, "FICTIONAL ITCH RELIEVERS"),
)
# ATC assignments at the variation level (record + Seq1, Seq2 001): (drug code, ATC code, official)
DRUG_ATC = (
    ("90000101001", "X01AA", True),
    ("90000102001", "X01AA", True),
    ("90000201001", "X01AB", True),
    ("90000301001", "Y02AA", True),
    ("90000401001", "Z03AA", True),
    ("90000501001", "X01AA", False),
    ("90000501001", "X01AB", False),
)
# One drug code sold in a second country: C3 has one medicinal product per drug name and country.
EXTRA_C3_COUNTRY = ("90000101002", "ZY")


def write_fictional_whodrug(directory: str | Path, fmt: str = "B3", *, encoding: str = "latin-1") -> Path:
    """Write the fictional WHODrug in format "B3" (DD/DDA/INA.txt) or "C3" (MP/ThG/ATC.txt); return the folder."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "B3":
        files = _b3_files()
    elif fmt == "C3":
        files = _c3_files()
    else:
        raise ValueError(f"fictional WHODrug exists in formats B3 and C3, not {fmt!r}")
    for file_name, lines in files.items():
        (folder / file_name).write_bytes("".join(f"{line}\r\n" for line in lines).encode(encoding))
    (folder / "version.txt").write_bytes(
        f"WHODRUG FICTIONAL {fmt} March 1, 2099 FICTIONAL{fmt}Mar99\r\n".encode(encoding)
    )
    return folder


def fixed_width(values: dict[str, str], layout: tuple[Field, ...]) -> str:
    """Lay out one fixed-width record; every field is left-aligned and space-padded to its length."""
    unknown = set(values) - {name for name, _start, _length in layout}
    if unknown:
        raise ValueError(f"fields not in the layout: {sorted(unknown)}")
    chars = [" "] * max(start - 1 + length for _name, start, length in layout)
    for name, start, length in layout:
        value = values.get(name, "")
        if len(value) > length:
            raise ValueError(f"{name} {value!r} is longer than {length} characters")
        chars[start - 1 : start - 1 + len(value)] = value
    return "".join(chars)


def _check_digit(drug_code: str) -> str:
    """An invented check digit (the real algorithm is UMC's): the digit sum modulo 10."""
    return str(sum(int(char) for char in drug_code if char.isdigit()) % 10)


def _b3_files() -> dict[str, list[str]]:
    dd = [
        fixed_width(
            {
                "drug_record_number": code[:6],
                "seq1": code[6:8],
                "seq2": code[8:],
                "check_digit": _check_digit(code),
                "designation": designation,
                "source_year": "99",
                "source": "FIC",
                "company": "FICCO" if designation == "T" else "",
                "number_of_ingredients": f"{ingredients:02d}",
                "year_quarter": "991",
                "drug_name": name,
            },
            B3_LAYOUT["DD.txt"],
        )
        for code, name, designation, ingredients in DRUGS
    ]
    dda = [
        fixed_width(
            {
                "drug_record_number": code[:6],
                "seq1": code[6:8],
                "seq2": code[8:],
                "check_digit": _check_digit(code),
                "atc_code": atc,
                "year_quarter": "991",
                "official_atc_code": "*" if official else "",
            },
            B3_LAYOUT["DDA.txt"],
        )
        for code, atc, official in DRUG_ATC
    ]
    ina = [
        fixed_width({"atc_code": code, "level": str(level), "text": text}, B3_LAYOUT["INA.txt"])
        for code, level, text in ATC_TEXTS
    ]
    return {"DD.txt": dd, "DDA.txt": dda, "INA.txt": ina}


def _c3_files() -> dict[str, list[str]]:
    products = [(code, name, designation, "ZZ") for code, name, designation, _ingredients in DRUGS]
    extra_code, extra_country = EXTRA_C3_COUNTRY
    products += [
        (code, name, designation, extra_country) for code, name, designation, _n in DRUGS if code == extra_code
    ]
    mp: list[str] = []
    thg: list[str] = []
    atc_by_variation: dict[str, list[tuple[str, bool]]] = {}
    for code, atc, official in DRUG_ATC:
        atc_by_variation.setdefault(code[:8], []).append((atc, official))
    for index, (code, name, designation, country) in enumerate(products, start=1):
        product_id = f"{9000000000 + index:010d}"
        mp.append(
            fixed_width(
                {
                    "medicinal_product_id": product_id,
                    "drug_record_number": code[:6],
                    "seq1": code[6:8],
                    "seq2": code[8:],
                    "seq3": "0000000000",
                    "seq4": "0000000000",
                    "generic": "Y" if designation == "N" else "N",
                    "drug_name": name,
                    "country": country,
                    "company": "9000000001",
                    "create_date": "20990101",
                    "date_changed": "20990101",
                },
                C3_LAYOUT["MP.txt"],
            )
        )
        for atc, official in atc_by_variation.get(code[:8], []):
            thg.append(
                fixed_width(
                    {
                        "therapeutic_group_id": f"{9000000000 + len(thg) + 1:010d}",
                        "atc_code": atc,
                        "create_date": "20990101",
                        "official_atc_code": "Y" if official else "N",
                        "medicinal_product_id": product_id,
                    },
                    C3_LAYOUT["ThG.txt"],
                )
            )
    atc_lines = [
        fixed_width({"atc_code": code, "level": str(level), "text": text}, C3_LAYOUT["ATC.txt"])
        for code, level, text in ATC_TEXTS
    ]
    return {"MP.txt": mp, "ThG.txt": thg, "ATC.txt": atc_lines}
