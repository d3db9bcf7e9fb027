"""SDTM tabulation domains built from collected data by mapping specifications held as data (pure: pandas, no
Django).

Input contract (`SdtmInputs`; all text columns are strings, None/NaN when missing; dates ISO 8601,
partial allowed, e.g. "2026", "2026-03", "2026-03-14", "2026-03-14T09:30"):

- `subjects`: one row per subject: STUDYID, USUBJID, SUBJID, SITEID, COUNTRY; optional RFICDTC,
  RFSTDTC, RFENDTC, RFXSTDTC, RFXENDTC, RFPENDTC, DTHDTC, DTHFL, ARMCD, ARM, ACTARMCD, ACTARM, ARMNRS,
  ACTARMUD, INVID, INVNAM. ARM/ACTARM are filled from the protocol arms when only the code is given;
  ARMNRS says why the arm variables left null are null ("SCREEN FAILURE": all four; "ASSIGNED, NOT TREATED": the
  actual arm only; SDTMIG v3.4 DM assumption 4): the engine keeps what the frame gives.
- `items`: one row per collected item value: USUBJID, EVENT_OID, VISITNUM (float), VISIT,
  VISIT_DATE (ISO date or empty), FORM_OID, FORM_REPEAT, GROUP_OID, GROUP_REPEAT, ITEM_OID, VALUE
  (as entered; a checkbox's codes joined by ","). The lead may add pseudo-items (e.g. IT.AEDECOD
  from dictionary coding) with the same keys as the record they belong to.
- `item_meta`: ITEM_OID, ITEM_NAME, DATA_TYPE (text/integer/float/date/partialDate/datetime/
  boolean/time), LENGTH, UNITS, QUESTION (English), SDS_VAR_NAME, CODELIST_OID, ANNOTATION (the SDTM
  alias text); optional GROUP_OID (the group holding the item, for `default_spec`).
- `group_meta`: GROUP_OID, DOMAIN.  `codelists`: CODELIST_OID, CODED_VALUE, DECODE (English).
- `dispositions`: USUBJID, DSTERM, DSDECOD, DSCAT, DSSTDTC; optional EPOCH, DSDTC, VISITNUM, VISIT.
- `exposures`: USUBJID, EXTRT, EXSTDTC; optional EXENDTC, EXDOSE (number), EXDOSU, EXDOSFRM,
  EXDOSFRQ, EXROUTE, EXLOT, EPOCH, VISITNUM, VISIT.
- `subject_elements`: USUBJID, ETCD, SESTDTC; optional SEENDTC, ELEMENT, EPOCH, TAETORD (EPOCH
  and ELEMENT default from the protocol's arm elements and elements). SE dates every record's EPOCH.
- `visits_done`: USUBJID, VISITNUM, VISIT, SVSTDTC; optional SVENDTC, SVUPDES, SVPRESP, SVOCCUR.
  Without it SV is derived from the visit dates of the CRF items.
- `protocol` (`Protocol` of small dataclasses): `arms` (Arm: armcd, arm), `elements` (Element:
  etcd, element, testrl, teenrl, tedur), `arm_elements` (ArmElement: armcd, taetord, etcd, epoch,
  tabranch, tatrans), `visits` (PlannedVisit: visitnum, visit, tvstrl, visitdy, tvenrl, armcd),
  `criteria` (Criterion: ietestcd, ietest, iecat, iescat, tirl, tivers), `parameters`
  (TrialParameter: tsparmcd, tsparm, tsval, tsvalnf, tsvalcd, tsvcdref, tsvcdver, tsgrpid).

Public API: `default_spec` (a first spec from the CRF annotations, with notes), `load_spec` /
`dump_spec` / `spec_from_dict` (YAML or JSON), `build_domains` / `build_study` (datasets, their
metadata and build notes), `check_domains` (conformance findings), `write_domains` (XPT v5 and
Dataset-JSON files), `define_from_specs` (a Define-XML 2.1 `DefineDocument`), and
`synthetic.synthetic_study` (a generated study for benchmarks).

References: CDISC SDTM Implementation Guide v3.4 (2021); CDISC SDTM v2.0 (2021); CDISC CDASH
Implementation Guide v2.2 (2021); CDISC Define-XML Specification v2.1 (2019); FDA Study Data
Technical Conformance Guide (section 3.3, SAS XPORT v5 constraints).
"""

from opencro.analysis.sdtm.build import BuildResult, build_domains, build_study
from opencro.analysis.sdtm.checks import Finding, check_domains
from opencro.analysis.sdtm.default_spec import default_spec
from opencro.analysis.sdtm.define import define_from_specs
from opencro.analysis.sdtm.errors import InputError, SdtmError, SpecError
from opencro.analysis.sdtm.inputs import (
    Arm,
    ArmElement,
    Criterion,
    Element,
    PlannedVisit,
    Protocol,
    SdtmInputs,
    TrialParameter,
)
from opencro.analysis.sdtm.metadata import STANDARD_DOMAINS, DomainMeta, VariableMeta, domain_meta
from opencro.analysis.sdtm.spec import DomainSpec, MappingSpec, RelationSpec, SuppRule, TestRule, VariableRule
from opencro.analysis.sdtm.spec_io import dump_spec, load_spec, spec_from_dict
from opencro.analysis.sdtm.write import write_domains

__all__ = [
    "STANDARD_DOMAINS",
    "Arm",
    "ArmElement",
    "BuildResult",
    "Criterion",
    "DomainMeta",
    "DomainSpec",
    "Element",
    "Finding",
    "InputError",
    "MappingSpec",
    "PlannedVisit",
    "Protocol",
    "RelationSpec",
    "SdtmError",
    "SdtmInputs",
    "SpecError",
    "SuppRule",
    "TestRule",
    "TrialParameter",
    "VariableMeta",
    "VariableRule",
    "build_domains",
    "build_study",
    "check_domains",
    "default_spec",
    "define_from_specs",
    "domain_meta",
    "dump_spec",
    "load_spec",
    "spec_from_dict",
    "write_domains",
]
