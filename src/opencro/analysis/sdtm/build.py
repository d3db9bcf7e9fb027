"""Build the SDTM datasets of a study from its input frames and mapping specification.

Order of work: CRF records per domain (records.py) and the subject-level events frames (DS
dispositions, EX exposures), then SE (its elements date EPOCH everywhere), DM (one row per subject),
the other subject domains (identifiers, EPOCH, study days, --SEQ, baseline flags), SV, SUPP--,
RELREC and the trial design datasets; finally each dataset keeps its SDTMIG variables in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from opencro.analysis.sdtm import derive
from opencro.analysis.sdtm.inputs import SdtmInputs, check_inputs
from opencro.analysis.sdtm.iso8601 import complete_dates, study_day
from opencro.analysis.sdtm.metadata import STANDARD_DOMAINS, DomainMeta, domain_meta
from opencro.analysis.sdtm.records import HIDDEN, Lookups, map_variables, transpose_findings, wide_records
from opencro.analysis.sdtm.relations import build_relrec, build_supp
from opencro.analysis.sdtm.spec import DomainSpec, MappingSpec, SuppRule
from opencro.analysis.sdtm.trial_design import build_trial_design

#: Domains built from subject-level frames even when the spec has no entry for them.
_EVENT_FRAMES = {"DS": ("dispositions", "events"), "EX": ("exposures", "interventions")}


@dataclass(frozen=True)
class BuildResult:
    """The datasets by name (DM, AE, SUPPAE, RELREC, TS...), their metadata, and notes on what was left out."""

    domains: dict[str, pd.DataFrame]
    metadata: dict[str, DomainMeta]
    notes: tuple[str, ...] = field(default=())


def build_domains(spec: MappingSpec, inputs: SdtmInputs) -> dict[str, pd.DataFrame]:
    """The SDTM datasets by name, each a DataFrame in SDTMIG variable order (labels in `.attrs`)."""
    return build_study(spec, inputs).domains


def build_study(spec: MappingSpec, inputs: SdtmInputs) -> BuildResult:
    """Build every dataset and return them with the metadata the checks and Define-XML need, and notes."""
    check_inputs(inputs)
    return _Builder(spec, inputs).run()


class _Builder:
    def __init__(self, spec: MappingSpec, inputs: SdtmInputs) -> None:
        self.spec = spec
        self.inputs = inputs
        self.lookups = Lookups.from_frames(inputs.item_meta, inputs.codelists)
        subjects = inputs.subjects
        self.study_ids = subjects.set_index("USUBJID")["STUDYID"]
        self.notes: list[str] = []
        self.working: dict[str, pd.DataFrame] = {}
        self.domains: dict[str, pd.DataFrame] = {}
        self.metadata: dict[str, DomainMeta] = {}
        self.specs: dict[str, DomainSpec] = {d.domain: d for d in spec.domains}
        self.elements = pd.DataFrame()
        self.planned = pd.DataFrame(
            {
                "VISITNUM": [v.visitnum for v in inputs.protocol.visits],
                "VISITDY": [v.visitdy for v in inputs.protocol.visits],
            }
        )

    def meta(self, domain: str) -> DomainMeta:
        spec = self.specs.get(domain)
        klass = spec.domain_class if spec else _EVENT_FRAMES.get(domain, ("", "special purpose"))[1]
        return domain_meta(domain, klass, spec.label if spec else "")

    def run(self) -> BuildResult:
        crf: dict[str, pd.DataFrame] = {}
        for spec in self.spec.domains:
            if spec.domain in ("DM", "SV", "SE") or spec.domain_class == "trial design":
                continue
            crf[spec.domain] = self._crf_records(spec)
        for domain, (frame_name, klass) in _EVENT_FRAMES.items():
            frame = getattr(self.inputs, frame_name)
            if len(frame):
                events = frame.copy()
                if "VISITNUM" in events.columns:
                    events["VISITNUM"] = pd.to_numeric(events["VISITNUM"], errors="coerce")
                crf[domain] = pd.concat([crf.get(domain, pd.DataFrame()), events], ignore_index=True)
                if domain not in self.specs:
                    self.specs[domain] = DomainSpec(domain, klass)
        self._subject_elements()
        self._demographics()
        reference = self.domains["DM"].set_index("USUBJID")
        for domain, records in crf.items():
            self._finish(domain, records, reference)
        self._visits(reference)
        for domain, frame in list(self.working.items()):
            domain_spec = self.specs.get(domain)
            if domain_spec is not None and domain_spec.supp:
                supp = build_supp(frame, domain_spec)
                if len(supp):
                    self._store(f"SUPP{domain}", supp, set())
        if self.spec.relations:
            relrec, notes = build_relrec(self.spec.relations, self.working)
            self.notes.extend(notes)
            if len(relrec):
                self._store("RELREC", relrec, set())
        study_id = str(self.study_ids.iloc[0]) if len(self.study_ids) else self.spec.study_id
        for name, frame in build_trial_design(self.inputs.protocol, study_id).items():
            self._store(name, frame, set())
        return BuildResult(self.domains, self.metadata, tuple(self.notes))

    def _store(self, name: str, frame: pd.DataFrame, named: set[str]) -> None:
        meta = self.meta(name)
        self.metadata[name] = meta
        self.domains[name] = derive.finalize(frame, meta, named)

    def _named(self, spec: DomainSpec | None) -> set[str]:
        if spec is None:
            return set()
        names = {r.name for r in spec.variables}
        for test in spec.tests:
            names.update(test.constants)
        return names

    def _crf_records(self, spec: DomainSpec) -> pd.DataFrame:
        meta = self.meta(spec.domain)
        wide = wide_records(self.inputs.items, spec.sources)
        records, notes = map_variables(spec, wide, meta, self.lookups)
        self.notes.extend(notes)
        if spec.domain_class == "findings" and spec.tests:
            records = transpose_findings(spec, wide, records, self.lookups)
        return records

    def _prepare(self, domain: str, records: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
        """Identifiers, EPOCH and study days of a subject domain's working records."""
        meta = self.meta(domain)
        frame = derive.add_identifiers(records.reset_index(drop=True), domain, self.study_ids, self.spec.study_id)
        for candidate in (f"{domain}DTC", f"{domain}STDTC", "SVSTDTC", "SESTDTC"):
            if candidate in frame.columns:
                if meta.variable("EPOCH") is not None and ("EPOCH" not in frame.columns or frame["EPOCH"].isna().all()):
                    frame["EPOCH"] = derive.add_epoch(frame, candidate, self.elements)
                elif "EPOCH" in frame.columns and frame["EPOCH"].isna().any():
                    missing = frame["EPOCH"].isna()
                    frame.loc[missing, "EPOCH"] = derive.add_epoch(frame[missing], candidate, self.elements)
                break
        derive.add_study_days(
            frame, domain, meta, reference["RFSTDTC"] if "RFSTDTC" in reference else pd.Series(dtype=object)
        )
        if meta.variable("VISITDY") is not None:
            frame = derive.add_visit_days(frame, self.planned)
        return frame

    def _finish(self, domain: str, records: pd.DataFrame, reference: pd.DataFrame) -> None:
        spec = self.specs.get(domain)
        meta = self.meta(domain)
        frame = self._prepare(domain, records, reference)
        frame = derive.add_sequence(
            frame, domain, derive.sort_keys(domain, meta.domain_class, spec.sort if spec else ())
        )
        for point in ("EN", "ST"):
            relation, reference_point = f"{domain}{point}RTPT", f"{domain}{point}TPT"
            if relation in frame.columns and reference_point in frame.columns:
                frame[reference_point] = frame[reference_point].where(frame[relation].notna(), None)
        if meta.domain_class == "findings":
            for flag, ref in ((f"{domain}BLFL", "RFSTDTC"), (f"{domain}LOBXFL", "RFXSTDTC")):
                if meta.variable(flag) is not None and ref in reference.columns:
                    frame[flag] = derive.flag_last_before(frame, domain, reference[ref], flag)
        self.working[domain] = frame
        self._store(domain, frame, self._named(spec))

    def _subject_elements(self) -> None:
        frame = self.inputs.subject_elements
        if not len(frame):
            return
        frame = frame.copy()
        arm_elements = self.inputs.protocol.arm_elements
        if "EPOCH" not in frame.columns or frame["EPOCH"].isna().any():
            by_element = {ae.etcd: ae.epoch for ae in arm_elements}
            epoch = frame["ETCD"].map(by_element)
            frame["EPOCH"] = frame["EPOCH"].where(frame["EPOCH"].notna(), epoch) if "EPOCH" in frame else epoch
        if "ELEMENT" not in frame.columns:
            frame["ELEMENT"] = frame["ETCD"].map({e.etcd: e.element for e in self.inputs.protocol.elements})
        self.elements = frame
        self.specs.setdefault("SE", DomainSpec("SE", "special purpose", sort=("USUBJID", "SESTDTC", "ETCD")))

    def _demographics(self) -> None:
        subjects = self.inputs.subjects.copy()
        spec = self.specs.get("DM") or DomainSpec("DM", "special purpose")
        self.specs["DM"] = spec
        meta = STANDARD_DOMAINS["DM"]
        wide = wide_records(self.inputs.items, spec.sources)
        records, notes = map_variables(spec, wide, meta, self.lookups)
        self.notes.extend(notes)
        records = records.drop_duplicates("USUBJID", keep="first").set_index("USUBJID")
        dm = subjects.set_index("USUBJID", drop=False)
        for rule in spec.variables:
            if rule.name in records.columns:
                collected = dm.index.map(records[rule.name])
                dm[rule.name] = dm[rule.name].where(dm[rule.name].notna(), collected) if rule.name in dm else collected
        for supp in spec.supp:
            column = f"{HIDDEN}Q_{supp.qnam}"
            dm[column] = dm.index.map(records[column]) if column in records else None
        self._race(dm, spec)
        for column in ("STUDYID",):
            dm[column] = dm[column].where(dm[column].notna(), self.spec.study_id)
        dm["DOMAIN"] = "DM"
        if "AGE" not in dm.columns or dm["AGE"].isna().any():
            derived = _age(dm)
            dm["AGE"] = dm["AGE"].where(dm["AGE"].notna(), derived) if "AGE" in dm else derived
        dm["AGE"] = pd.to_numeric(dm["AGE"], errors="coerce")
        dm["AGEU"] = np.where(dm["AGE"].notna(), "YEARS", None)
        arms = {a.armcd: a.arm for a in self.inputs.protocol.arms}
        for code, description in (("ARMCD", "ARM"), ("ACTARMCD", "ACTARM")):
            if code in dm.columns:
                known = dm[code].map(arms)
                dm[description] = dm[description].where(dm[description].notna(), known) if description in dm else known
        dm = dm.reset_index(drop=True)
        derive.add_study_days(
            dm, "DM", meta, dm.set_index("USUBJID")["RFSTDTC"] if "RFSTDTC" in dm else pd.Series(dtype=object)
        )
        dm = dm.sort_values(["STUDYID", "USUBJID"], kind="mergesort").reset_index(drop=True)
        self.working["DM"] = dm
        self._store("DM", dm, self._named(spec) | {c for c in subjects.columns if dm[c].notna().any()})

    def _race(self, dm: pd.DataFrame, spec: DomainSpec) -> None:
        """RACE collected as several checkbox codes: RACE = "MULTIPLE" and RACE1, RACE2... in SUPPDM (SDTMIG 5.2)."""
        rule = spec.rule("RACE")
        if rule is None or rule.item is None or "RACE" not in dm.columns:
            return
        wide = wide_records(self.inputs.items, spec.sources).drop_duplicates("USUBJID").set_index("USUBJID")
        if rule.item not in wide.columns:
            return
        raw = dm.index.map(wide[rule.item])
        codes = pd.Series(raw, index=dm.index).astype(object)
        several = codes.notna() & codes.astype(str).str.contains(",", regex=False)
        if not several.any():
            return
        codelist = self.lookups.decodes.get(self.lookups.item_codelist.get(rule.item, ""), {})
        mapping = dict(codelist if rule.decode else {}) | rule.values
        split = codes[several].astype(str).str.split(",")
        most = int(split.map(len).max())
        extra = []
        for n in range(most):
            qnam = f"RACE{n + 1}"
            values = split.map(
                lambda parts, n=n: mapping.get(parts[n].strip(), parts[n].strip()) if n < len(parts) else None
            )
            dm[f"{HIDDEN}Q_{qnam}"] = values.reindex(dm.index)
            extra.append(SuppRule(qnam, f"Race {n + 1}", item=rule.item, qorig="CRF"))
        dm.loc[several, "RACE"] = "MULTIPLE"
        self.specs["DM"] = DomainSpec(**{**spec.__dict__, "supp": spec.supp + tuple(extra)})

    def _visits(self, reference: pd.DataFrame) -> None:
        frame = self.inputs.visits_done
        if len(frame):
            visits = frame.copy()
            visits["VISITNUM"] = pd.to_numeric(visits["VISITNUM"], errors="coerce")
            if "SVENDTC" not in visits.columns:
                visits["SVENDTC"] = visits["SVSTDTC"]
        else:
            items = self.inputs.items
            if not len(items.columns) or items.empty:
                return
            dated = items[items["VISIT_DATE"].notna() & (items["VISIT_DATE"].astype(str) != "")]
            dated = dated.assign(VISITNUM=pd.to_numeric(dated["VISITNUM"], errors="coerce"))
            dated = dated[["USUBJID", "VISITNUM", "VISIT", "VISIT_DATE"]].astype(
                {"VISIT_DATE": object, "VISIT": object}
            )
            dated = dated.sort_values(["USUBJID", "VISITNUM", "VISIT_DATE"], kind="mergesort")
            first = dated.drop_duplicates(["USUBJID", "VISITNUM"], keep="first").reset_index(drop=True)
            last = dated.drop_duplicates(["USUBJID", "VISITNUM"], keep="last").reset_index(drop=True)
            visits = first.rename(columns={"VISIT_DATE": "SVSTDTC"}).assign(SVENDTC=last["VISIT_DATE"].to_numpy())
            self.notes.append("SV: derived from the dates of the visits holding CRF data (no visits_done frame)")
        meta = self.meta("SV")
        self.metadata["SV"] = meta
        frame = derive.add_identifiers(visits, "SV", self.study_ids, self.spec.study_id)
        frame["EPOCH"] = derive.add_epoch(frame, "SVSTDTC", self.elements)
        frame = derive.add_visit_days(frame, self.planned)
        rfstdtc = reference["RFSTDTC"] if "RFSTDTC" in reference else pd.Series(dtype=object)
        reference_dates = frame["USUBJID"].map(rfstdtc)
        frame["SVSTDY"] = study_day(frame["SVSTDTC"], reference_dates)
        frame["SVENDY"] = study_day(frame["SVENDTC"], reference_dates)
        frame = frame.sort_values(["USUBJID", "VISITNUM", "SVSTDTC"], kind="mergesort").reset_index(drop=True)
        self.working["SV"] = frame
        self._store("SV", frame, set())
        if len(self.elements):
            se = derive.add_identifiers(self.elements.reset_index(drop=True), "SE", self.study_ids, self.spec.study_id)
            ref_dates = se["USUBJID"].map(rfstdtc)
            se["SESTDY"] = study_day(se["SESTDTC"], ref_dates)
            if "SEENDTC" in se.columns:
                se["SEENDY"] = study_day(se["SEENDTC"], ref_dates)
            if "TAETORD" not in se.columns:
                arm = se["USUBJID"].map(reference["ACTARMCD"] if "ACTARMCD" in reference else pd.Series(dtype=object))
                order = {(ae.armcd, ae.etcd): float(ae.taetord) for ae in self.inputs.protocol.arm_elements}
                se["TAETORD"] = [order.get((a, e), np.nan) for a, e in zip(arm, se["ETCD"], strict=True)]
            se = derive.add_sequence(se, "SE", ("USUBJID", "SESTDTC", "TAETORD", "ETCD"))
            self.working["SE"] = se
            self._store("SE", se, set())


def _age(dm: pd.DataFrame) -> pd.Series:
    """Whole years from BRTHDTC to RFSTDTC (else RFICDTC), complete dates only (SDTMIG 5.2 DM AGE)."""
    if "BRTHDTC" not in dm.columns:
        return pd.Series(np.nan, index=dm.index)
    birth = complete_dates(dm["BRTHDTC"])
    start = complete_dates(dm["RFSTDTC"]) if "RFSTDTC" in dm else pd.Series(pd.NaT, index=dm.index)
    if "RFICDTC" in dm.columns:
        start = start.where(start.notna(), complete_dates(dm["RFICDTC"]))
    years = start.dt.year - birth.dt.year
    before_birthday = (start.dt.month < birth.dt.month) | (
        (start.dt.month == birth.dt.month) & (start.dt.day < birth.dt.day)
    )
    return (years - before_birthday.astype(float)).astype(float)
