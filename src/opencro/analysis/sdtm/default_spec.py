"""A first mapping specification read from the CRF's own SDTM annotations (CDASH SDS names and aliases).

Each item carries SDS_VAR_NAME (its SDTM target, e.g. AESTDTC, VSORRES) and ANNOTATION, the SDTM
alias text ("VS.VSORRES where VSTESTCD = SYSBP; VSORRESU = mmHg"). From them:

- "D.--ORRES where --TESTCD = X[; --ORRESU = U]" becomes a test of findings domain D (test name from
  the item's question, unit from the annotation or the item's units; other "and V = value" conditions
  become constants such as QSCAT);
- "D.V1, V2, V3" naming several variables of a checkbox item becomes Y/N flags, one per code whose
  value ends the variable name (AESCRIT code HOSP -> AESHOSP);
- a --DTC target becomes a date rule (a second item of the same target with a time type is joined);
- an --ENRTPT target from a yes/no item maps Y to ONGOING and adds --ENTPT = "END OF STUDY";
- any other standard variable of the domain is a collected rule, its CRF codes mapped to CDISC CT
  submission values when the code list's decode, in upper case, is one (CL.RACE "5" "White" -> WHITE);
- a target that is no standard variable of the domain goes to SUPP-- (QNAM = the name).

The item's domain is that of its group (item_meta GROUP_OID when present), else the annotation's
"D." prefix, else the domain whose code starts the SDS name. Whatever cannot be mapped is named with
its reason in `MappingSpec.notes`.
"""

from __future__ import annotations

import re

import pandas as pd

from opencro.analysis.sdtm.inputs import SUBJECT_OPTIONAL
from opencro.analysis.sdtm.metadata import STANDARD_DOMAINS, domain_meta
from opencro.analysis.sdtm.spec import DomainSpec, MappingSpec, SuppRule, TestRule, VariableRule
from opencro.analysis.sdtm.terminology import CONTROLLED_TERMS

CLASSES = {
    "DM": "special purpose",
    "SV": "special purpose",
    "SE": "special purpose",
    "AE": "events",
    "MH": "events",
    "DS": "events",
    "CE": "events",
    "DV": "events",
    "CM": "interventions",
    "EX": "interventions",
    "EC": "interventions",
    "PR": "interventions",
    "SU": "interventions",
    "ML": "interventions",
}
_TEST = re.compile(r"(?P<domain>[A-Z]{2})\.(?P<var>[A-Z0-9]+)\s+where\s+(?P<conditions>.+)", re.IGNORECASE)
_CONDITION = re.compile(r"(?P<var>[A-Z0-9]+)\s*=\s*(?P<value>.+)")
_SKIP = re.compile(r"not submitted|ADaM|derived, not in SDTM", re.IGNORECASE)
_TIME_TYPES = ("time", "partialTime")
_DATE_TYPES = ("date", "partialDate", "datetime", "partialDatetime")


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()


def default_spec(
    item_meta: pd.DataFrame, group_meta: pd.DataFrame, codelists: pd.DataFrame, *, study_id: str = ""
) -> MappingSpec:
    """The default mapping from the CRF annotations, with notes on every item it could not map and why."""
    return _Drafter(item_meta, group_meta, codelists, study_id).run()


class _Drafter:
    def __init__(
        self, item_meta: pd.DataFrame, group_meta: pd.DataFrame, codelists: pd.DataFrame, study_id: str
    ) -> None:
        self.item_meta = item_meta
        self.study_id = study_id
        self.notes: list[str] = []
        self.group_domain = {}
        for group, domain in zip(group_meta["GROUP_OID"].astype(str), group_meta["DOMAIN"], strict=True):
            if isinstance(domain, str) and re.fullmatch(r"[A-Z]{2}", domain):
                self.group_domain[group] = domain
            else:  # a group without an SDTM domain: its items map only where their own annotation names one
                self.notes.append(f"{group}: no SDTM domain on the item group ({domain or 'none'})")
        self.domains = list(dict.fromkeys(self.group_domain.values()))
        self.decodes: dict[str, dict[str, str]] = {}
        if len(codelists.columns):
            for oid, part in codelists.groupby("CODELIST_OID", sort=False):
                self.decodes[str(oid)] = dict(
                    zip(part["CODED_VALUE"].astype(str), part["DECODE"].astype(str), strict=True)
                )
        self.rules: dict[str, dict[str, VariableRule]] = {d: {} for d in self.domains}
        self.tests: dict[str, list[TestRule]] = {d: [] for d in self.domains}
        self.supp: dict[str, list[SuppRule]] = {d: [] for d in self.domains}

    def run(self) -> MappingSpec:
        for _, row in self.item_meta.iterrows():
            self._item(row)
        specs = []
        for domain in self.domains:
            specs.append(self._domain(domain))
        return MappingSpec(self.study_id or "STUDY", tuple(specs), notes=tuple(self.notes))

    def _domain_of(self, row: pd.Series, annotation: str, sds: str) -> str | None:
        group = _text(row.get("GROUP_OID"))
        if group in self.group_domain:
            return self.group_domain[group]
        prefix = re.match(r"([A-Z]{2})\.", annotation)
        if prefix and prefix.group(1) in self.domains:
            return prefix.group(1)
        for domain in self.domains:
            if sds.startswith(domain) and domain_meta(domain, CLASSES.get(domain, "findings")).variable(sds):
                return domain
        if "DM" in self.domains and STANDARD_DOMAINS["DM"].variable(sds):
            return "DM"
        return None

    def _item(self, row: pd.Series) -> None:
        oid, name = _text(row["ITEM_OID"]), _text(row["ITEM_NAME"])
        sds, annotation = _text(row["SDS_VAR_NAME"]).upper(), _text(row["ANNOTATION"])
        if _SKIP.search(annotation) or not sds:
            self.notes.append(f"{oid}: not mapped: {annotation or 'no SDTM target (SDS_VAR_NAME empty)'}")
            return
        domain = self._domain_of(row, annotation, sds)
        if domain is None:
            self.notes.append(f"{oid}: not mapped: no item group or annotation names its domain ({sds})")
            return
        target = re.match(r"([A-Z]{2})\.", annotation)
        if target is not None and target.group(1) != domain:
            where = "the subjects frame" if target.group(1) == "DM" and sds in SUBJECT_OPTIONAL else "no record here"
            self.notes.append(
                f"{oid}: not mapped: its target {target.group(1)}.{sds} comes from {where} ({annotation})"
            )
            return
        klass = CLASSES.get(domain, "findings")
        meta = domain_meta(domain, klass)
        test = _TEST.match(annotation.split(";")[0].strip())
        if test is not None:
            self._test(domain, oid, row, test, annotation)
            return
        targets = (
            [t.strip() for t in annotation.split(".", 1)[1].split(",")]
            if re.match(r"[A-Z]{2}\.[A-Z0-9]+\s*,", annotation)
            else []
        )
        if len(targets) > 1:
            self._flags(domain, oid, row, targets)
            return
        if ";" in annotation and " where " in annotation:
            self.notes.append(
                f"{oid}: mapped to {domain}.{sds} only; the other target ({annotation.split(';', 1)[1].strip()}) "
                "needs a record of its own and is not mapped"
            )
        var = meta.variable(sds)
        if var is None:
            if klass == "findings" and sds.endswith("ORRES"):
                self.notes.append(f"{oid}: not mapped: {domain}.{sds} without a test code in the annotation")
                return
            question = _text(row.get("QUESTION")) or name
            self.supp[domain].append(SuppRule(sds[:8], question[:40], item=oid, values=self._ct_map(row, "")))
            self.notes.append(f"{oid}: {sds} is no standard {domain} variable; sent to SUPP{domain} as QNAM {sds[:8]}")
            return
        rules = self.rules[domain]
        data_type = _text(row.get("DATA_TYPE"))
        if sds in rules:
            existing = rules[sds]
            if sds.endswith("DTC") and data_type in _TIME_TYPES and existing.time_item is None:
                rules[sds] = VariableRule(**{**existing.__dict__, "time_item": oid})
                return
            self.notes.append(f"{oid}: not mapped: {domain}.{sds} is already filled from {existing.item}")
            return
        if sds.endswith("ENRTPT"):
            rules[sds] = VariableRule(sds, item=oid, values={"Y": "ONGOING", "N": ""})
            entpt = sds[:-6] + "ENTPT"
            if meta.variable(entpt) is not None:
                rules.setdefault(entpt, VariableRule(entpt, origin="assigned", value="END OF STUDY"))
                self.notes.append(
                    f"{oid}: {entpt} assigned 'END OF STUDY' (the reference of {sds}); check the protocol"
                )
            return
        rules[sds] = VariableRule(sds, item=oid, values=self._ct_map(row, var.codelist))

    def _ct_map(self, row: pd.Series, ct_name: str) -> dict[str, str]:
        """CRF codes -> CT submission values, for codes that are not already submission values."""
        codes = self.decodes.get(_text(row.get("CODELIST_OID")), {})
        terms = CONTROLLED_TERMS.get(ct_name)
        if not codes or terms is None:
            return {}
        mapping = {}
        for coded, decode in codes.items():
            if coded in terms.terms:
                continue
            if decode.upper() in terms.terms:
                mapping[coded] = decode.upper()
            else:
                self.notes.append(
                    f"{_text(row['ITEM_OID'])}: code {coded!r} ({decode}) matches no {terms.name} term; kept"
                )
        return mapping

    def _test(self, domain: str, oid: str, row: pd.Series, match: re.Match[str], annotation: str) -> None:
        variable = match["var"].upper()
        conditions = {}
        for part in re.split(r"\s+and\s+", match["conditions"], flags=re.IGNORECASE):
            condition = _CONDITION.match(part.strip())
            if condition:
                conditions[condition["var"].upper()] = condition["value"].strip()
        testcd = conditions.pop(f"{domain}TESTCD", None)
        if testcd is None or variable != f"{domain}ORRES":
            self.notes.append(
                f"{oid}: not mapped: {annotation} is not a '{domain}ORRES where {domain}TESTCD = X' annotation"
            )
            return
        unit = ""
        for part in annotation.split(";")[1:]:
            condition = _CONDITION.match(part.strip())
            if condition and condition["var"].upper() == f"{domain}ORRESU":
                unit = condition["value"].strip()
        unit = unit or _text(row.get("UNITS"))
        question = _text(row.get("QUESTION")) or testcd
        self.tests[domain].append(TestRule(testcd, question[:40], oid, orresu=unit, constants=conditions))

    def _flags(self, domain: str, oid: str, row: pd.Series, targets: list[str]) -> None:
        codes = self.decodes.get(_text(row.get("CODELIST_OID")), {})
        for target in targets:
            code = next((c for c in codes if target.upper().endswith(c.upper())), None)
            if code is None:
                self.notes.append(f"{oid}: not mapped to {domain}.{target}: no code of its code list ends the name")
                continue
            self.rules[domain].setdefault(target, VariableRule(target, item=oid, flag_of=code))

    def _domain(self, domain: str) -> DomainSpec:
        klass = CLASSES.get(domain, "findings")
        meta = domain_meta(domain, klass)
        rules = dict(self.rules[domain])
        tests = self.tests[domain]
        if klass == "findings" and tests and f"{domain}DTC" not in rules:
            rules[f"{domain}DTC"] = VariableRule(f"{domain}DTC", item="@VISIT_DATE")
            self.notes.append(f"{domain}: {domain}DTC taken from the visit date (the form has no date item)")
        if klass == "findings" and not tests and rules:
            self.notes.append(f"{domain}: no '{domain}ORRES where {domain}TESTCD' annotation; the domain has no tests")
        if klass in ("events", "interventions") and f"{domain}SPID" not in rules and meta.variable(f"{domain}SPID"):
            rules[f"{domain}SPID"] = VariableRule(
                f"{domain}SPID", origin="derived", item="@GROUP_REPEAT", method="Line number of the CRF log."
            )
        if domain == "DM" and "DMDTC" not in rules:
            rules["DMDTC"] = VariableRule("DMDTC", item="@VISIT_DATE")
        if domain == "IE":
            self.notes.append("IE: SDTM keeps only the criteria not met; the spec maps every answer (filter them)")
        if domain == "AE" and "AEDECOD" not in rules:
            self.notes.append(
                "AE: AEDECOD and the MedDRA variables are not on the CRF; give them as items (e.g. IT.AEDECOD) "
                "from the coding module"
            )
        sources = tuple(g for g, d in self.group_domain.items() if d == domain)
        return DomainSpec(
            domain,
            klass,
            label=meta.label,
            sources=sources,
            variables=tuple(rules.values()),
            tests=tuple(tests),
            supp=tuple(self.supp[domain]),
        )
