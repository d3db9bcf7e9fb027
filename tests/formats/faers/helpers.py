"""Small synthetic FAERS quarters written as FDA writes them: "$"-separated, the real header rows, latin-1 bytes.

The headers are those of the FAERS extracts from 2014 Q3 on (ASC_NTS.pdf), and of Legacy AERS for one test.
"""

import zipfile
from collections.abc import Sequence
from pathlib import Path

DEMO_HEADER = (
    "primaryid$caseid$caseversion$i_f_code$event_dt$mfr_dt$init_fda_dt$fda_dt$rept_cod$auth_num$mfr_num$mfr_sndr$"
    "lit_ref$age$age_cod$age_grp$sex$e_sub$wt$wt_cod$rept_dt$to_mfr$occp_cod$reporter_country$occr_country"
)
DRUG_HEADER = (
    "primaryid$caseid$drug_seq$role_cod$drugname$prod_ai$val_vbm$route$dose_vbm$cum_dose_chr$cum_dose_unit$dechal$"
    "rechal$lot_num$exp_dt$nda_num$dose_amt$dose_unit$dose_form$dose_freq"
)
REAC_HEADER = "primaryid$caseid$pt$drug_rec_act"
LEGACY_DEMO_HEADER = (
    "ISR$CASE$I_F_COD$FOLL_SEQ$IMAGE$EVENT_DT$MFR_DT$FDA_DT$REPT_COD$MFR_NUM$MFR_SNDR$AGE$AGE_COD$GNDR_COD$E_SUB$"
    "WT$WT_COD$REPT_DT$OCCP_COD$DEATH_DT$TO_MFR$CONFID$REPORTER_COUNTRY"
)
LEGACY_DRUG_HEADER = "ISR$DRUG_SEQ$ROLE_COD$DRUGNAME$VAL_VBM$ROUTE$DOSE_VBM$DECHAL$RECHAL$LOT_NUM$EXP_DT$NDA_NUM"
LEGACY_REAC_HEADER = "ISR$PT"


def demo(primaryid: str, caseid: str, version: str, fda_dt: str, sex: str = "", age_grp: str = "") -> str:
    fields = [primaryid, caseid, version, "I" if version == "1" else "F", "20240101", "", "20240101", fda_dt]
    fields += ["EXP", "", "", "", "", "57", "YR", age_grp, sex, "Y", "", "", fda_dt, "", "MD", "US", "US"]
    return "$".join(fields)


def drug(primaryid: str, caseid: str, seq: int, role: str, name: str, ai: str = "") -> str:
    return "$".join([primaryid, caseid, str(seq), role, name, ai, "1", "ORAL", "", "", "", "U", "U"] + [""] * 7)


def reac(primaryid: str, caseid: str, pt: str) -> str:
    return f"{primaryid}${caseid}${pt}$"


# One quarter (2024 Q1) worked by hand:
# case 100 has two versions: 1001 (v1, 2024-01-05) and 1002 (v2, 2024-02-10); only 1002 counts.
#   1002 names ASPIRIN (PS), " ibuprofen  " (SS) and OMEPRAZOLE (C, concomitant: not counted by default),
#   and the reactions Headache, Nausea. 1001 names only ASPIRIN / Headache, Dizziness (dropped with its version).
# case 200 (2001) names CAFÉINE (PS; "É" written as the latin-1 byte 0xC9) / Nausea.
# case 300 (3001) names WARFARIN (PS, prod_ai WARFARIN SODIUM) and ASPIRIN (C) / Haemorrhage; sex empty.
DEMO_ROWS = [
    demo("1001", "100", "1", "20240105", "F", "A"),
    demo("1002", "100", "2", "20240210", "F", "A"),
    demo("2001", "200", "1", "20240115", "M", "E"),
    demo("3001", "300", "1", "20240120", "", ""),
]
DRUG_ROWS = [
    drug("1001", "100", 1, "PS", "ASPIRIN", "ASPIRIN"),
    drug("1002", "100", 1, "PS", "Aspirin", "ASPIRIN"),
    drug("1002", "100", 2, "SS", " ibuprofen  ", "IBUPROFEN"),
    drug("1002", "100", 3, "C", "OMEPRAZOLE", "OMEPRAZOLE"),
    drug("2001", "200", 1, "PS", "CAFÉINE", ""),
    drug("3001", "300", 1, "PS", "WARFARIN", "WARFARIN SODIUM"),
    drug("3001", "300", 2, "C", "ASPIRIN", "ASPIRIN"),
]
REAC_ROWS = [
    reac("1001", "100", "Headache"),
    reac("1001", "100", "Dizziness"),
    reac("1002", "100", "Headache"),
    reac("1002", "100", "Nausea"),
    reac("2001", "200", "Nausea"),
    reac("3001", "300", "Haemorrhage"),
]
# The (report, product, event) rows the quarter gives with the default options (suspect drugs, drug names):
EXPECTED_SUSPECT = {
    ("1002", "ASPIRIN", "HEADACHE"),
    ("1002", "ASPIRIN", "NAUSEA"),
    ("1002", "IBUPROFEN", "HEADACHE"),
    ("1002", "IBUPROFEN", "NAUSEA"),
    ("2001", "CAFÉINE", "NAUSEA"),
    ("3001", "WARFARIN", "HAEMORRHAGE"),
}


def write(path: Path, header: str, rows: Sequence[str], encoding: str = "latin-1", end: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("".join(line + end for line in [header, *rows]).encode(encoding))
    return path


def write_quarter(
    folder: Path,
    tag: str = "24Q1",
    demo_rows: Sequence[str] = DEMO_ROWS,
    drug_rows: Sequence[str] = DRUG_ROWS,
    reac_rows: Sequence[str] = REAC_ROWS,
    deleted: Sequence[str] | None = None,
) -> Path:
    """A quarter's folder as FDA's zip unpacks: ASCII/DEMO24Q1.txt ... and, when given, Deleted/DELETE24Q1.txt."""
    write(folder / "ASCII" / f"DEMO{tag}.txt", DEMO_HEADER, demo_rows)
    write(folder / "ASCII" / f"DRUG{tag}.txt", DRUG_HEADER, drug_rows)
    write(folder / "ASCII" / f"REAC{tag}.txt", REAC_HEADER, reac_rows)
    if deleted is not None:
        (folder / "Deleted").mkdir(parents=True, exist_ok=True)
        (folder / "Deleted" / f"DELETE{tag}.txt").write_text("".join(f"{c}\n" for c in deleted))
    return folder


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(folder).as_posix())
    return target


def rows(table) -> set[tuple[str, ...]]:
    return set(table.itertuples(index=False, name=None))
