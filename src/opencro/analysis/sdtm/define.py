"""Define-XML 2.1 metadata of the built datasets, from the mapping specification and the SDTMIG tables.

One ItemGroupDef per dataset (class, structure, keys, leaf), one ItemDef per variable with its
origin: "Collected" (CRF item, with aCRF page references when the spec gives them), "Derived" (with
a MethodDef: the spec's `method` text or the engine's own derivation), "Assigned" (sponsor constants
and fixed identifiers) or "Protocol" (trial design). Code lists come from CDISC CT for variables
that cite one (only the terms used, NCI C-code as alias), from the CRF code lists through the spec's
value maps, and from the spec's test codes. Findings results get value-level metadata: one
WhereClause "--TESTCD EQ code" per test on --ORRES, with the test's unit in its description.

Reference: CDISC Define-XML Specification Version 2.1 (2019), sections 4-5.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pandas as pd

from opencro.analysis.sdtm.metadata import DomainMeta, VariableMeta
from opencro.analysis.sdtm.spec import DomainSpec, MappingSpec, TestRule, VariableRule
from opencro.analysis.sdtm.terminology import CONTROLLED_TERMS, CT_STANDARD, CT_VERSION
from opencro.formats.definexml import model as m

IG_STANDARD = "STD.SDTMIG.3.4"
CT_STANDARD_OID = f"STD.CT.SDTM.{CT_VERSION}"
ACRF_LEAF = "LF.acrf"

#: What the engine derives, by variable suffix (or full name), for the MethodDef of variables without a spec method.
DERIVATIONS = {
    "SEQ": "Sequence number: 1, 2, ... within USUBJID in the dataset's sort order.",
    "DY": "Study day of --DTC: date - DM.RFSTDTC + 1 on or after RFSTDTC, date - RFSTDTC before; complete dates only.",
    "STDY": "Study day of --STDTC relative to DM.RFSTDTC, no day 0; complete dates only.",
    "ENDY": "Study day of --ENDTC relative to DM.RFSTDTC, no day 0; complete dates only.",
    "EPOCH": "Epoch of the subject element (SE) in which the record's date falls.",
    "BLFL": "Y on the last record with a result per subject and test dated on or before DM.RFSTDTC.",
    "LOBXFL": "Y on the last record with a result per subject and test dated on or before DM.RFXSTDTC.",
    "STRESC": "--ORRES, converted to standard units when a conversion factor applies.",
    "STRESN": "Numeric value of --STRESC.",
    "NRIND": "LOW below the lower limit, HIGH above the upper limit, else NORMAL (standard units).",
    "VISITDY": "Planned study day of the visit (TV.VISITDY).",
    "AGE": "Whole years from BRTHDTC to RFSTDTC (RFICDTC when RFSTDTC is missing), when collected age is missing.",
    "AGEU": "YEARS when AGE is given.",
    "SVSTDY": "Study day of SVSTDTC relative to DM.RFSTDTC, no day 0.",
    "SVENDY": "Study day of SVENDTC relative to DM.RFSTDTC, no day 0.",
    "SESTDY": "Study day of SESTDTC relative to DM.RFSTDTC, no day 0.",
    "SEENDY": "Study day of SEENDTC relative to DM.RFSTDTC, no day 0.",
    "TSSEQ": "Sequence number within TSPARMCD.",
}
_ASSIGNED = {"STUDYID", "DOMAIN", "RDOMAIN", "IDVAR", "QNAM", "QLABEL", "QORIG", "QEVAL", "RELID", "RELTYPE"}
_ASSIGNED_SUFFIXES = (
    "TESTCD",
    "TEST",
    "ORRESU",
    "STRESU",
    "STAT",
    "ORNRLO",
    "ORNRHI",
    "STNRLO",
    "STNRHI",
    "CAT",
    "SCAT",
)
_CLASS_NAMES = {
    "special purpose": "SPECIAL PURPOSE",
    "interventions": "INTERVENTIONS",
    "events": "EVENTS",
    "findings": "FINDINGS",
    "trial design": "TRIAL DESIGN",
    "relationship": "RELATIONSHIP",
}


def _text(value: str) -> tuple[m.TranslatedText, ...]:
    return (m.TranslatedText(value),)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _data_type(var: VariableMeta, values: pd.Series) -> tuple[str, int | None, int | None]:
    """Define DataType, Length and SignificantDigits of a variable from its type and values."""
    if var.name.endswith("DTC"):
        return "datetime", None, None
    distinct = pd.Series(values.dropna().unique())
    if var.type == "Num":
        numbers = pd.to_numeric(distinct, errors="coerce").dropna().unique()
        texts = [_number_text(v) for v in numbers]
        length = max((len(t) for t in texts), default=1)
        if all(float(v).is_integer() for v in numbers):
            return "integer", max(length, 1), None
        digits = max((len(t.split(".")[1]) for t in texts if "." in t), default=0)
        return "float", max(length, 1), digits
    length = max((len(str(v).encode("utf-8")) for v in distinct), default=1)
    return "text", max(length, 1), None


class _Define:
    def __init__(self, spec: MappingSpec, codelists: pd.DataFrame | None, item_meta: pd.DataFrame | None) -> None:
        self.spec = spec
        self.crf_codelists = codelists if codelists is not None else pd.DataFrame()
        self.item_codelist: dict[str, str] = {}
        if item_meta is not None and len(item_meta.columns):
            known = item_meta[item_meta["CODELIST_OID"].notna()]
            self.item_codelist = dict(
                zip(known["ITEM_OID"].astype(str), known["CODELIST_OID"].astype(str), strict=True)
            )
        self.items: list[m.ItemDef] = []
        self.code_lists: dict[str, m.CodeList] = {}
        self.methods: dict[str, m.MethodDef] = {}
        self.value_lists: list[m.ValueListDef] = []
        self.where_clauses: list[m.WhereClauseDef] = []

    def origin(self, domain: str, rule: VariableRule | None, name: str, klass: str) -> tuple[m.Origin, str | None]:
        """The def:Origin of a variable and the MethodOID of a derived one."""
        if rule is not None:
            if rule.origin == "collected":
                return self.collected(rule.pages), None
            if rule.origin == "derived":
                return m.Origin("Derived"), self.method(domain, name, rule.method)
            if rule.origin == "protocol":
                return m.Origin("Protocol"), None
            return m.Origin("Assigned", source="Sponsor"), None
        if klass == "trial design":
            if name in DERIVATIONS:
                return m.Origin("Derived"), self.method(domain, name, "")
            return m.Origin("Protocol"), None
        suffix = name[len(domain) :] if name.startswith(domain) and len(name) > len(domain) else name
        if name in DERIVATIONS or suffix in DERIVATIONS:
            return m.Origin("Derived"), self.method(domain, name, "")
        if name in _ASSIGNED or (name.startswith(domain) and suffix in _ASSIGNED_SUFFIXES):
            return m.Origin("Assigned", source="Sponsor"), None
        return m.Origin("Collected", source="Investigator"), None

    def collected(self, pages: tuple[str, ...]) -> m.Origin:
        refs = (m.DocumentRef(ACRF_LEAF, (m.PDFPageRef("PhysicalRef", page_refs=" ".join(pages)),)),) if pages else ()
        return m.Origin("Collected", source="Investigator", document_refs=refs)

    def method(self, domain: str, name: str, text: str) -> str:
        suffix = name[len(domain) :] if name.startswith(domain) else name
        description = text or DERIVATIONS.get(name) or DERIVATIONS.get(suffix) or f"Derived {name}."
        oid = f"MT.{domain}.{name}"
        self.methods[oid] = m.MethodDef(oid, f"Algorithm to derive {domain}.{name}", "Computation", _text(description))
        return oid

    def ct_list(self, var: VariableMeta, values: pd.Series) -> str | None:
        terms = CONTROLLED_TERMS.get(var.codelist)
        if terms is None:
            return None
        present = {str(v) for v in values.dropna().unique()}
        used = [t for t in terms.terms if t in present] or list(terms.terms)
        oid = f"CL.{terms.name}"
        existing = self.code_lists.get(oid)
        if existing is not None:
            used = sorted({*(i.coded_value for i in existing.enumerated_items), *used}, key=list(terms.terms).index)
        self.code_lists[oid] = m.CodeList(
            oid,
            terms.name,
            "text",
            enumerated_items=tuple(m.EnumeratedItem(t, order_number=n) for n, t in enumerate(used, 1)),
            aliases=(m.Alias("nci:ExtCodeID", terms.c_code),),
            standard_oid=CT_STANDARD_OID,
        )
        return oid

    def crf_list(self, domain: str, rule: VariableRule) -> str | None:
        """A code list of submission values with the CRF decodes, for a collected coded variable."""
        source = self.item_codelist.get(rule.item or "")
        if source is None or not len(self.crf_codelists.columns):
            return None
        rows = self.crf_codelists[self.crf_codelists["CODELIST_OID"] == source]
        if rows.empty:
            return None
        items: dict[str, str] = {}
        for coded, decode in zip(rows["CODED_VALUE"].astype(str), rows["DECODE"].astype(str), strict=True):
            if rule.flag_of is not None:
                continue
            submission = rule.values.get(coded, decode if rule.decode else coded)
            items.setdefault(submission, decode)
        if not items:
            return None
        oid = f"CL.{domain}.{rule.name}"
        self.code_lists[oid] = m.CodeList(
            oid,
            f"{domain}.{rule.name} ({source})",
            "text",
            code_list_items=tuple(
                m.CodeListItem(code, _text(decode), order_number=n) for n, (code, decode) in enumerate(items.items(), 1)
            ),
        )
        return oid

    def test_list(self, domain: str, tests: tuple[TestRule, ...]) -> str:
        oid = f"CL.{domain}TESTCD"
        unique = {t.testcd: t.test for t in tests}
        self.code_lists[oid] = m.CodeList(
            oid,
            f"{domain} Test Code",
            "text",
            code_list_items=tuple(
                m.CodeListItem(code, _text(test), order_number=n) for n, (code, test) in enumerate(unique.items(), 1)
            ),
        )
        return oid

    def value_level(self, domain: str, spec: DomainSpec, frame: pd.DataFrame) -> str | None:
        """ValueListDef of --ORRES: one ItemDef and where clause per test present in the data."""
        result, testcd = f"{domain}ORRES", f"{domain}TESTCD"
        if result not in frame.columns or testcd not in frame.columns:
            return None
        refs = []
        for n, test in enumerate(spec.tests, 1):
            values = frame.loc[frame[testcd] == test.testcd, result]
            if values.dropna().empty and test.testcd not in set(frame[testcd]):
                continue
            numbers = pd.to_numeric(values.dropna(), errors="coerce")
            var = VariableMeta(result, "", "Num" if len(numbers) and numbers.notna().all() else "Char", "Exp")
            kind, length, digits = _data_type(var, numbers if var.type == "Num" else values)
            item_oid = f"IT.{domain}.{result}.{test.testcd}"
            where_oid = f"WC.{domain}.{testcd}.{test.testcd}"
            unit = f" ({test.orresu})" if test.orresu else ""
            self.items.append(
                m.ItemDef(
                    item_oid,
                    result,
                    kind,
                    length=length,
                    significant_digits=digits,
                    sas_field_name=result,
                    description=_text(f"{test.test}{unit}"),
                    origins=(self.collected(test.pages),),
                )
            )
            self.where_clauses.append(
                m.WhereClauseDef(where_oid, (m.RangeCheck(f"IT.{domain}.{testcd}", "EQ", (test.testcd,)),))
            )
            refs.append(m.ItemRef(item_oid, mandatory=False, order_number=n, where_clause_oids=(where_oid,)))
        if not refs:
            return None
        oid = f"VL.{domain}.{result}"
        self.value_lists.append(m.ValueListDef(oid, tuple(refs)))
        return oid

    def group(self, name: str, frame: pd.DataFrame, meta: DomainMeta) -> m.ItemGroupDef:
        spec = self.spec.domain(name)
        parent = name[4:] if name.startswith("SUPP") else name
        keys = [k for k in meta.keys if k in frame.columns]
        refs = []
        for order, column in enumerate(frame.columns, 1):
            column = str(column)
            var = meta.variable(column) or VariableMeta(column, column, "Char", "Perm")
            label = frame.attrs.get("labels", {}).get(column, var.label)
            rule = spec.rule(column) if spec else None
            origin, method_oid = self.origin(parent, rule, column, meta.domain_class)
            kind, length, digits = _data_type(var, frame[column])
            code_list = self.ct_list(var, frame[column])
            if code_list is None and rule is not None and rule.origin == "collected":
                code_list = self.crf_list(name, rule)
            if code_list is None and spec is not None and spec.tests and column == f"{name}TESTCD":
                code_list = self.test_list(name, spec.tests)
            value_list = None
            if spec is not None and spec.tests and column == f"{name}ORRES":
                value_list = self.value_level(name, spec, frame)
            oid = f"IT.{name}.{column}"
            self.items.append(
                m.ItemDef(
                    oid,
                    column,
                    kind,
                    length=length,
                    significant_digits=digits,
                    sas_field_name=column,
                    description=_text(label),
                    code_list_oid=code_list,
                    origins=(origin,),
                    value_list_oid=value_list,
                )
            )
            refs.append(
                m.ItemRef(
                    oid,
                    mandatory=var.core == "Req",
                    order_number=order,
                    key_sequence=keys.index(column) + 1 if column in keys else None,
                    method_oid=method_oid,
                    role=var.role or None,
                )
            )
        leaf = m.Leaf(f"LF.{name}", f"{name.lower()}.xpt", f"{name.lower()}.xpt")
        return m.ItemGroupDef(
            oid=f"IG.{name}",
            name=name,
            repeating=name != "DM",
            item_refs=tuple(refs),
            purpose="Tabulation",
            structure=meta.structure or "One record per row",
            domain=parent if not name.startswith("SUPP") else name,
            sas_dataset_name=name,
            is_reference_data=meta.domain_class == "trial design",
            description=_text(frame.attrs.get("label", meta.label)),
            item_class=m.ItemGroupClass(_CLASS_NAMES.get(meta.domain_class, "SPECIAL PURPOSE")),
            standard_oid=IG_STANDARD,
            archive_location_id=leaf.id,
            leaf=leaf,
        )


def define_from_specs(
    spec: MappingSpec,
    domains: Mapping[str, pd.DataFrame],
    metadata: Mapping[str, DomainMeta],
    study_name: str,
    *,
    study_description: str = "",
    protocol_name: str | None = None,
    codelists: pd.DataFrame | None = None,
    item_meta: pd.DataFrame | None = None,
    acrf_href: str = "acrf.pdf",
    created: str | None = None,
) -> m.DefineDocument:
    """The Define-XML 2.1 document of `domains` (as built), described by `spec` and `metadata`.

    `codelists`/`item_meta` are the CRF frames of the input contract (for collected coded variables);
    `acrf_href` names the annotated CRF the page references point into; `created` the
    CreationDateTime (ISO 8601; now in UTC when omitted).
    """
    builder = _Define(spec, codelists, item_meta)
    order = sorted(
        domains, key=lambda n: (n in ("TA", "TE", "TV", "TI", "TS"), n.startswith("SUPP") or n == "RELREC", n)
    )
    groups = [builder.group(name, domains[name], metadata[name]) for name in order]
    stamp = created or datetime.now(UTC).replace(microsecond=0).isoformat()
    return m.DefineDocument(
        file_oid=f"DEF.{spec.study_id}.SDTM",
        creation_datetime=stamp,
        study_oid=f"ST.{spec.study_id}",
        study_name=study_name,
        study_description=study_description or study_name,
        protocol_name=protocol_name or study_name,
        mdv_oid=f"MDV.{spec.study_id}.SDTM.{spec.version}",
        mdv_name=f"{study_name} SDTM datasets",
        item_groups=tuple(groups),
        items=tuple(builder.items),
        standards=(
            m.Standard(IG_STANDARD, "SDTMIG", "IG", "3.4", "Final"),
            m.Standard(CT_STANDARD_OID, CT_STANDARD, "CT", CT_VERSION, "Final", publishing_set="SDTM"),
        ),
        originator="OpenCRO",
        annotated_crf=(m.DocumentRef(ACRF_LEAF),),
        value_lists=tuple(builder.value_lists),
        where_clauses=tuple(builder.where_clauses),
        code_lists=tuple(builder.code_lists.values()),
        methods=tuple(builder.methods.values()),
        leafs=(m.Leaf(ACRF_LEAF, acrf_href, "Annotated CRF"),),
    )
