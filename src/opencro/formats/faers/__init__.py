"""FDA Adverse Event Reporting System (FAERS) quarterly ASCII extracts and report-product-event tables.

The input of disproportionality analysis (`opencro.stats.signals`) is one row per product and event of each
report. `read_faers` builds it from FAERS quarterly data extracts, `read_report_table` from any CSV or Parquet
table whose report, product, event (and stratum) columns the caller names.

Layout of the FAERS extract, as documented by FDA in the ``ASC_NTS.pdf`` and ``Readme.pdf`` files shipped in
every quarterly zip ("ASC_NTS.DOC file for the Quarterly Data Extract (QDE) from the FDA Adverse Event Reporting
System (FAERS)", FDA/CDER Office of Surveillance and Epidemiology, revised June 2015 and later;
https://fis.fda.gov/extensions/FPD-QDE-FAERS/FPD-QDE-FAERS.html): seven ASCII files per quarter named
``<DEMO|DRUG|REAC|OUTC|RPSR|THER|INDI>yyQq.txt``, fields separated by "$", a header row of lower-case names.
Used here:

- ``DEMOyyQq.txt``, one row per report: primaryid (the report: caseid followed by caseversion), caseid,
  caseversion, i_f_code (I initial, F follow-up), event_dt, mfr_dt, init_fda_dt, fda_dt (YYYYMMDD, date FDA
  received this version), rept_cod, ..., age, age_cod, age_grp, sex (gndr_cod before 2014 Q3), ..., occr_country.
- ``DRUGyyQq.txt``, one row per drug of a report: primaryid, caseid, drug_seq, role_cod (PS primary suspect,
  SS secondary suspect, C concomitant, I interacting), drugname (as reported), prod_ai (the active ingredient,
  from 2014 Q3), val_vbm, route, dose_vbm, ...
- ``REACyyQq.txt``, one row per reaction: primaryid, caseid, pt (MedDRA preferred term), drug_rec_act.

Legacy AERS extracts (2004 to 2012 Q3) name the report ``isr`` and the case ``case`` and have no caseversion;
they are read with the same rules. Cases are de-duplicated by version as FDA's README recommends
(`latest_versions`). Older quarters hold latin-1 / Windows-1252 bytes; each line is decoded on its own.
"""

from opencro.formats.faers.extract import (
    PRODUCT_FIELDS,
    ROLES,
    SUSPECT_ROLES,
    UNKNOWN_STRATUM,
    FaersExtract,
    read_faers,
    read_faers_quarter,
)
from opencro.formats.faers.names import normalise_names
from opencro.formats.faers.report_table import read_report_table
from opencro.formats.faers.versions import latest_versions

__all__ = [
    "PRODUCT_FIELDS",
    "ROLES",
    "SUSPECT_ROLES",
    "UNKNOWN_STRATUM",
    "FaersExtract",
    "latest_versions",
    "normalise_names",
    "read_faers",
    "read_faers_quarter",
    "read_report_table",
]
