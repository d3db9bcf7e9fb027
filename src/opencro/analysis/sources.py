"""A study's own data as the SDTM engine's input frames (`opencro.analysis.sdtm` documents the contract).

Everything is read with `values_list` and a handful of queries per table, never per subject, so a 5,000-subject
study reads in seconds. Dates are the site's calendar dates (a signature's or a randomisation's moment becomes the
date at the site, `studies.dates.site_date`). Treatment assignments are read only when the package is unblinded; a
blinded (dry-run) package gets a dummy randomisation instead: each randomised subject's arm is drawn from the arms
in their allocation ratio by a hash of the study and subject numbers (`dummy_arm`), which knows nothing of the real
assignment, and the kits' treatment names are replaced by the dummy arm's name. Every table then runs as it will at
unblinding, on data whose arms mean nothing.

Where the SDTM comes from outside the eCRF:
- DM reference dates: RFICDTC the first consent; RFSTDTC/RFXSTDTC the first study-drug dispensation (the
  randomisation date when nothing was dispensed); RFXENDTC the last kit's return date (or, for a kit not yet
  returned, the subject's end date); RFENDTC the end-of-study date (the disposition form, else a withdrawal); RFPENDTC
  the latest of every known date (consent, dispensations, returns, visits, end of study); ARM from the treatment
  assignment, ACTARM the same once a kit was dispensed.
- DS: consent obtained, randomised, screen failure and consent withdrawal are protocol milestones and disposition
  events the platform itself records; the end-of-study form adds the CRF's own record through the mapping.
- EX: one record per dispensed kit, from its dispensation date to the day before the next one (the return date for
  the last), treatment the kit type's name.
- SE and TA/TE: one trial element per epoch; an epoch in which study drug is dispensed has one element per arm
  (ETCD the arm code), the others one shared element (ETCD from the epoch's name).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from django.db.models import Max

from opencro.analysis.countries import alpha3
from opencro.analysis.sdtm.inputs import Arm as ProtocolArm
from opencro.analysis.sdtm.inputs import (
    ArmElement,
    Criterion,
    Element,
    PlannedVisit,
    Protocol,
    SdtmInputs,
    TrialParameter,
)
from opencro.coding.models import CODED_STATUSES, CodedTerm
from opencro.edc.exports.tables import catalog_load, form_records, long_rows
from opencro.edc.models import BuildVersion, CodeListItem, EventData, GroupItem, ItemData, ItemDef, ItemGroupDef
from opencro.formats.build import text_of
from opencro.rtsm.models import Dispensation, DispensingVisit
from opencro.studies.dates import site_date
from opencro.studies.models import Arm, EligibilityCriterion, Epoch, Study, Visit
from opencro.subjects.models import ConsentRecord, ConsentWithdrawal, Subject, TreatmentAssignment
from opencro.subjects.models.withdrawal import WithdrawalScope
from opencro.subjects.screen_failures import screen_failures

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class StudySources:
    """Every input frame of one study, as read at one moment."""

    subjects: pd.DataFrame
    items: pd.DataFrame
    item_meta: pd.DataFrame
    group_meta: pd.DataFrame
    codelists: pd.DataFrame
    dispositions: pd.DataFrame
    exposures: pd.DataFrame
    subject_elements: pd.DataFrame
    visits_done: pd.DataFrame
    protocol: Protocol
    blinded: bool

    def sdtm_inputs(self) -> SdtmInputs:
        """The frames as the SDTM engine takes them."""
        return SdtmInputs(
            subjects=self.subjects,
            items=self.items,
            item_meta=self.item_meta,
            group_meta=self.group_meta,
            codelists=self.codelists,
            dispositions=self.dispositions,
            exposures=self.exposures,
            subject_elements=self.subject_elements,
            visits_done=self.visits_done,
            protocol=self.protocol,
        )


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def usubjid(protocol_number: str, subject_number: str) -> str:
    """STUDYID-SUBJID: unique across every study of the sponsor (SDTMIG v3.4, DM), as subject numbers are unique
    within a study (and already carry the site's number)."""
    return f"{protocol_number}-{subject_number}"


def dummy_arm(protocol_number: str, subject_number: str, arms: list[tuple[str, str, int]]) -> tuple[str, str]:
    """The dummy-randomisation arm (code, name) of a subject: SHA-256 of "protocol:subject" taken modulo the sum of
    the allocation ratios, then the arm whose share of the ratios holds it. Deterministic, so every dry run agrees;
    independent of the real assignment."""
    digest = int.from_bytes(hashlib.sha256(f"{protocol_number}:{subject_number}".encode()).digest()[:8], "big")
    slot = digest % sum(ratio for _c, _n, ratio in arms)
    for code, name, ratio in arms:
        if slot < ratio:
            return code, name
        slot -= ratio
    raise ValueError("the study has no arms")


def element_code(epoch_name: str) -> str:
    """The ETCD of an epoch's shared element: its name's letters and digits, upper case, at most 8."""
    return re.sub(r"[^A-Z0-9]", "", epoch_name.upper())[:8] or "ELEMENT"


def visit_numbers(study: Study) -> dict[int, float]:
    """VISITNUM of each planned visit: 1, 2, ... in schedule order; unscheduled visits have none (their events
    take the previous visit's number plus 0.01 per repeat)."""
    scheduled = Visit.objects.filter(study=study, is_unscheduled=False).order_by("order", "pk")
    return {pk: float(n) for n, pk in enumerate(scheduled.values_list("pk", flat=True), 1)}


def study_sources(study: Study, *, blinded: bool, on_progress: Progress | None = None) -> StudySources:
    """Read `study` into the SDTM engine's input frames (`blinded`: a dummy randomisation, see the module docstring)."""
    subjects = _subjects(study, blinded=blinded)
    ids = dict(zip(subjects["_pk"], subjects["USUBJID"], strict=True))
    items = _items(study, ids, on_progress)
    item_meta, group_meta, codelists = study_metadata(study)
    item_meta = pd.concat([item_meta, _coded_meta(items)], ignore_index=True)
    dummy = dict(zip(subjects["USUBJID"], subjects["ARM"], strict=True)) if blinded else None
    exposures = _exposures(study, ids, dummy)
    return StudySources(
        subjects=_missing(subjects.drop(columns=["_pk"])),
        items=_missing(items),
        item_meta=item_meta,
        group_meta=group_meta,
        codelists=codelists,
        dispositions=_missing(_dispositions(study, ids)),
        exposures=_missing(exposures),
        subject_elements=_missing(_subject_elements(study, subjects)),
        visits_done=_missing(_visits_done(study, ids)),
        protocol=protocol_tables(study),
        blinded=blinded,
    )


def _missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty text as missing (None), as the engine's contract has it."""
    text = frame.select_dtypes(include=["object", "string"]).columns
    return frame.assign(**{c: frame[c].mask(frame[c] == "", None) for c in text})


def _study_arms(study: Study) -> list[tuple[str, str, int]]:
    return list(Arm.objects.filter(study=study).order_by("pk").values_list("code", "name", "allocation_ratio"))


def _subjects(study: Study, *, blinded: bool) -> pd.DataFrame:
    """One row per subject who signed consent, with the DM reference dates and arms (dummy ones when blinded)."""
    rows = list(
        Subject.objects.filter(study=study)
        .order_by("number")
        .values_list("pk", "number", "site__number", "site__country__code", "status", "screen_failure_reason")
    )
    sites = {s.pk: s for s in study.sites.all()}
    subject_site = dict(Subject.objects.filter(study=study).values_list("pk", "site_id"))
    consent: dict[int, dt.date] = {}
    for record in ConsentRecord.objects.filter(study=study).select_related("site").order_by("obtained_at"):
        day = record.signed_on
        if day and record.subject_id not in consent:
            consent[record.subject_id] = day
    arm_fields = (
        ("subject_id", "subject__number", "randomised_at")
        if blinded
        else ("subject_id", "arm__code", "arm__name", "randomised_at")
    )
    assigned = {}
    arms = _study_arms(study)
    for row in TreatmentAssignment.objects.filter(subject__study=study).values_list(*arm_fields):
        subject_id, moment = row[0], row[-1]
        code, name = dummy_arm(study.protocol_number, row[1], arms) if blinded else row[1:3]
        assigned[subject_id] = (code, name, site_date(sites[subject_site[subject_id]], moment))
    kits: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for subject_id, day, returned in (
        Dispensation.objects.filter(subject__study=study)
        .order_by("visit_date", "dispensed_at")
        .values_list("subject_id", "visit_date", "returned_on")
    ):
        kits[subject_id].append((day, returned))
    ended = _end_dates(study)
    last_visit = dict(
        EventData.objects.filter(study=study, visit_date__isnull=False)
        .values("subject_id")
        .annotate(last=Max("visit_date"))
        .values_list("subject_id", "last")
    )
    records = []
    for pk, number, site, country, status, _reason in rows:
        if pk not in consent and status == "screening":
            continue  # screened without consent yet: not a participant in SDTM terms
        arm = assigned.get(pk)
        dosed = kits.get(pk, [])
        first_dose = dosed[0][0] if dosed else (arm[2] if arm else None)
        end = ended.get(pk)
        last_return = dosed[-1][1] if dosed else None
        seen = (consent.get(pk), first_dose, end, last_return, last_visit.get(pk), *(d for d, _r in dosed))
        known = [d for d in seen if d]
        if arm:
            armcd, arm_name = arm[0], arm[1]
            actarmcd, actarm, armnrs = (armcd, arm_name, "") if dosed else ("", "", "ASSIGNED, NOT TREATED")
        else:
            armcd = arm_name = actarmcd = actarm = ""
            armnrs = "SCREEN FAILURE" if status == "screen_failed" else "NOT ASSIGNED"
        records.append(
            {
                "_pk": pk,
                "STUDYID": study.protocol_number,
                "USUBJID": usubjid(study.protocol_number, number),
                "SUBJID": number,
                "SITEID": site,
                "COUNTRY": alpha3(country),
                "RFICDTC": _iso(consent.get(pk)),
                "RFSTDTC": _iso(first_dose),
                "RFENDTC": _iso(end),
                "RFXSTDTC": _iso(dosed[0][0] if dosed else None),
                "RFXENDTC": _iso(last_return or (end if dosed else None)),
                "RFPENDTC": _iso(max(known) if known else None),
                "DTHDTC": "",
                "DTHFL": "",
                "ARMCD": armcd,
                "ARM": arm_name,
                "ACTARMCD": actarmcd,
                "ACTARM": actarm,
                "ARMNRS": armnrs,
            }
        )
    columns = ["_pk", "STUDYID", "USUBJID", "SUBJID", "SITEID", "COUNTRY", "RFICDTC", "RFSTDTC", "RFENDTC"]
    columns += ["RFXSTDTC", "RFXENDTC", "RFPENDTC", "DTHDTC", "DTHFL", "ARMCD", "ARM", "ACTARMCD", "ACTARM", "ARMNRS"]
    return pd.DataFrame.from_records(records, columns=columns)


def _end_dates(study: Study) -> dict[int, dt.date]:
    """Each subject's end of study: the end-of-study form's date (DSSTDTC), else a withdrawal of all consent."""
    ends: dict[int, dt.date] = {}
    form_dates = ItemDef.objects.filter(version__study=study, sds_var_name="DSSTDTC").values_list("pk", flat=True)
    for subject_id, value in ItemData.objects.filter(
        form__study=study, item_def_id__in=list(form_dates), value__isnull=False
    ).values_list("form__subject_id", "value"):
        try:
            ends[subject_id] = dt.date.fromisoformat(value[:10])
        except ValueError:
            continue  # a partial date: not a reference date
    for subject_id, day in ConsentWithdrawal.objects.filter(study=study, scope=WithdrawalScope.ALL).values_list(
        "subject_id", "withdrawn_on"
    ):
        ends.setdefault(subject_id, day)
    return ends


def _items(study: Study, ids: dict[int, str], on_progress: Progress | None) -> pd.DataFrame:
    """Every collected item value, one row each, with its visit number and the coded terms beside it."""
    catalog = catalog_load(study)
    numbers = visit_numbers(study)
    event_visit = dict(EventData.objects.filter(study=study).values_list("event_oid", "event_def__visit_id").distinct())
    visit_names = dict(Visit.objects.filter(study=study).values_list("pk", "name"))
    wanted = set(ids.values())
    rows = []
    last_number: dict[tuple[str, str], float] = {}
    for record in form_records(study, catalog, on_progress=on_progress):
        subject = usubjid(study.protocol_number, record.subject)
        if subject not in wanted:
            continue
        visit_id = event_visit.get(record.event_oid)
        number = numbers.get(visit_id) if visit_id else None
        if visit_id and number is None:  # unscheduled: after the last planned visit seen
            number = last_number.get((subject, "planned"), 0.0) + 0.01 * record.event_repeat
        elif number is not None:
            last_number[(subject, "planned")] = number
        for values, _item in long_rows(record, catalog):
            rows.append(
                (
                    subject,
                    record.event_oid,
                    number,
                    visit_names.get(visit_id, "") if visit_id else "",
                    values[4],
                    record.form_oid,
                    record.form_repeat,
                    values[7],
                    values[8],
                    values[9],
                    values[11],
                    values[14],
                )
            )
    columns = ["USUBJID", "EVENT_OID", "VISITNUM", "VISIT", "VISIT_DATE", "FORM_OID", "FORM_REPEAT", "GROUP_OID"]
    columns += ["GROUP_REPEAT", "ITEM_OID", "VALUE", "NOT_DONE_REASON"]
    items = pd.DataFrame.from_records(rows, columns=columns)
    return pd.concat([items, _coded_rows(items, _coded_terms(study, ids))], ignore_index=True)


CODED_KEYS = ["USUBJID", "EVENT_OID", "FORM_OID", "FORM_REPEAT", "GROUP_REPEAT", "VERBATIM_OID"]


def _coded_rows(items: pd.DataFrame, coded: pd.DataFrame) -> pd.DataFrame:
    """The coded terms as item rows in the verbatim's place: its visit, form and group (so its domain)."""
    verbatims = items.rename(columns={"ITEM_OID": "VERBATIM_OID"}).drop(columns=["VALUE", "NOT_DONE_REASON"])
    rows = coded.merge(verbatims, on=CODED_KEYS, how="inner")
    return rows.drop(columns=["VERBATIM_OID"]).assign(NOT_DONE_REASON="")[list(items.columns)]


# MedDRA: code/term are the LLT, then the PT and its primary HLT, HLGT and SOC (coding.models.CodePath)
CODED_MEDDRA = {
    "LLT": "term",
    "LLTCD": "code",
    "DECOD": "pt_name",
    "PTCD": "pt_code",
    "HLT": "hlt_name",
    "HLTCD": "hlt_code",
    "HLGT": "hlgt_name",
    "HLGTCD": "hlgt_code",
    "BODSYS": "soc_name",
    "BDSYCD": "soc_code",
    "SOC": "soc_name",
    "SOCCD": "soc_code",
}


def coded_item_oid(domain: str, variable: str) -> str:
    """The pseudo item that carries a dictionary-derived variable (AEDECOD...) in the items frame."""
    return f"CODING.{domain}{variable}"


def _coded_terms(study: Study, ids: dict[int, str]) -> pd.DataFrame:
    """Each coded verbatim's dictionary values (CODING.AEDECOD...), keyed by the verbatim's row."""
    rows = []
    terms = CodedTerm.objects.filter(study=study, status__in=CODED_STATUSES).select_related(
        "form__event", "item_data__item_def"
    )
    for term in terms:
        domain = term.item_data.item_def.sds_var_name[:2] or term.item_data.item_def.name[:2]
        values = _coded_values(term)
        for variable, value in values.items():
            rows.append(
                (
                    ids.get(term.subject_id),
                    term.form.event.event_oid,
                    term.form.form_oid,
                    term.form.repeat_key,
                    term.group_repeat,
                    term.item_oid,
                    coded_item_oid(domain, variable),
                    value,
                )
            )
    frame = pd.DataFrame.from_records(rows, columns=[*CODED_KEYS, "ITEM_OID", "VALUE"])
    return frame[frame["USUBJID"].notna()]


def _coded_meta(items: pd.DataFrame) -> pd.DataFrame:
    """Item metadata of the dictionary-derived pseudo items: SDTM variable AEDECOD..., in the verbatim's group."""
    coded = items.loc[items["ITEM_OID"].str.startswith("CODING."), ["ITEM_OID", "GROUP_OID"]].drop_duplicates()
    coded = coded.drop_duplicates("ITEM_OID")
    variable = coded["ITEM_OID"].str.removeprefix("CODING.")
    return pd.DataFrame(
        {
            "ITEM_OID": coded["ITEM_OID"],
            "ITEM_NAME": variable,
            "DATA_TYPE": "text",
            "LENGTH": 200,
            "UNITS": "",
            "QUESTION": "",
            "SDS_VAR_NAME": variable,
            "CODELIST_OID": "",
            "ANNOTATION": variable.str[:2] + "." + variable + " (from medical coding)",
            "GROUP_OID": coded["GROUP_OID"],
        }
    )


def _coded_values(term: CodedTerm) -> dict[str, str]:
    """AELLT, AEDECOD, AEBODSYS... (MedDRA) or CMDECOD, CMCLAS, CMCLASCD (WHODrug: the preferred base name and the
    first ATC class) of one coded verbatim; empty values left out."""
    if term.kind == "meddra":
        values = {variable: str(getattr(term, field) or "") for variable, field in CODED_MEDDRA.items()}
    else:
        atc = term.atc[0] if term.atc else ["", ""]
        values = {"DECOD": term.base_name or term.term, "CLAS": str(atc[1]), "CLASCD": str(atc[0])}
    return {k: v for k, v in values.items() if v}


def study_metadata(study: Study) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Items, item groups and code lists of every build version (the newest version's definition wins)."""
    versions = list(BuildVersion.objects.filter(study=study).order_by("-number").values_list("pk", flat=True))
    rank = {pk: i for i, pk in enumerate(versions)}
    items: dict[str, dict] = {}
    for version, oid, name, data_type, length, units, question, sds, code_list, aliases in ItemDef.objects.filter(
        version__study=study
    ).values_list(
        "version_id",
        "oid",
        "name",
        "data_type",
        "length",
        "units",
        "question",
        "sds_var_name",
        "code_list__oid",
        "aliases",
    ):
        row = {
            "ITEM_OID": oid,
            "ITEM_NAME": name,
            "DATA_TYPE": data_type,
            "LENGTH": length,
            "UNITS": units,
            "QUESTION": text_of(question, "en"),
            "SDS_VAR_NAME": sds,
            "CODELIST_OID": code_list or "",
            "ANNOTATION": next((a.get("name", "") for a in aliases or () if a.get("context") == "SDTM"), ""),
            "_rank": rank[version],
        }
        if oid not in items or row["_rank"] < items[oid]["_rank"]:
            items[oid] = row
    item_meta = pd.DataFrame(list(items.values())).drop(columns=["_rank"], errors="ignore")
    groups: dict[str, tuple[int, str]] = {}
    for version, oid, domain in ItemGroupDef.objects.filter(version__study=study).values_list(
        "version_id", "oid", "domain"
    ):
        if oid not in groups or rank[version] < groups[oid][0]:
            groups[oid] = (rank[version], domain)
    group_meta = pd.DataFrame([{"GROUP_OID": oid, "DOMAIN": d} for oid, (_r, d) in groups.items()])
    group_items = GroupItem.objects.filter(group__version__study=study).values_list("group__oid", "item__oid")
    item_group = {item: group for group, item in group_items}
    if not item_meta.empty:
        item_meta["GROUP_OID"] = item_meta["ITEM_OID"].map(item_group).fillna("")
    lists = {}
    for version, oid, code, decode in CodeListItem.objects.filter(code_list__version__study=study).values_list(
        "code_list__version_id", "code_list__oid", "coded_value", "decode"
    ):
        key = (oid, code)
        if key not in lists or rank[version] < lists[key][0]:
            lists[key] = (rank[version], text_of(decode, "en") or code)
    codelists = pd.DataFrame(
        [{"CODELIST_OID": oid, "CODED_VALUE": code, "DECODE": d} for (oid, code), (_r, d) in lists.items()],
        columns=["CODELIST_OID", "CODED_VALUE", "DECODE"],
    )
    return item_meta, group_meta, codelists


def _dispositions(study: Study, ids: dict[int, str]) -> pd.DataFrame:
    """Protocol milestones and disposition events the platform records itself (the CRF adds end of study)."""
    rows = []
    sites = {s.pk: s for s in study.sites.all()}
    seen: set[int] = set()
    for record in ConsentRecord.objects.filter(study=study).select_related("site").order_by("obtained_at"):
        if record.subject_id in ids and record.subject_id not in seen and record.signed_on:
            seen.add(record.subject_id)
            rows.append(
                (
                    ids[record.subject_id],
                    "INFORMED CONSENT OBTAINED",
                    "INFORMED CONSENT OBTAINED",
                    "PROTOCOL MILESTONE",
                    "SCREENING",
                    _iso(record.signed_on),
                )
            )
    for subject_id, site_id, moment in TreatmentAssignment.objects.filter(subject__study=study).values_list(
        "subject_id", "subject__site_id", "randomised_at"
    ):
        if subject_id in ids:
            day = site_date(sites[site_id], moment)
            rows.append((ids[subject_id], "RANDOMIZED", "RANDOMIZED", "PROTOCOL MILESTONE", "SCREENING", _iso(day)))
    for failure in screen_failures(study.pk, sites):
        if failure.subject_id in ids:
            rows.append(
                (
                    ids[failure.subject_id],
                    (failure.reason or "SCREEN FAILURE")[:200],
                    "SCREEN FAILURE",
                    "DISPOSITION EVENT",
                    "SCREENING",
                    _iso(failure.day),
                )
            )
    for subject_id, day, reason in ConsentWithdrawal.objects.filter(study=study).values_list(
        "subject_id", "withdrawn_on", "reason"
    ):
        if subject_id in ids:
            rows.append(
                (
                    ids[subject_id],
                    (reason or "WITHDRAWAL OF CONSENT")[:200],
                    "WITHDRAWAL BY SUBJECT",
                    "DISPOSITION EVENT",
                    "",
                    _iso(day),
                )
            )
    return pd.DataFrame.from_records(rows, columns=["USUBJID", "DSTERM", "DSDECOD", "DSCAT", "EPOCH", "DSSTDTC"])


def _exposures(study: Study, ids: dict[int, str], dummy: dict[str, str] | None) -> pd.DataFrame:
    """One EX record per dispensed kit (see the module docstring); `dummy`: USUBJID -> the dummy arm's name, which
    replaces the kit's treatment in a blinded package."""
    kits: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        Dispensation.objects.filter(subject__study=study)
        .order_by("subject_id", "visit_date", "dispensed_at")
        .values_list("subject_id", "visit_date", "returned_on", "kit__kit_type__name", "kit__number", "visit__name")
    ):
        kits[row[0]].append(row[1:])
    rows = []
    for subject_id, dispensed in kits.items():
        if subject_id not in ids:
            continue
        for n, (day, returned, treatment, kit, _visit) in enumerate(dispensed):
            following = dispensed[n + 1][0] if n + 1 < len(dispensed) else None
            end = returned or (following - dt.timedelta(days=1) if following else None)
            shown = dummy.get(ids[subject_id], "") if dummy is not None else treatment
            rows.append((ids[subject_id], shown, kit, _iso(day), _iso(end), "TREATMENT"))
    return pd.DataFrame.from_records(rows, columns=["USUBJID", "EXTRT", "EXREFID", "EXSTDTC", "EXENDTC", "EPOCH"])


def _visits_done(study: Study, ids: dict[int, str]) -> pd.DataFrame:
    """SV: each visit that took place (a visit date), planned or unscheduled."""
    numbers = visit_numbers(study)
    rows = []
    for subject_id, visit_id, name, repeat, day in (
        EventData.objects.filter(study=study, visit_date__isnull=False, event_def__visit__isnull=False)
        .order_by("subject_id", "visit_date", "event_def__order", "repeat_key")
        .values_list("subject_id", "event_def__visit_id", "event_def__visit__name", "repeat_key", "visit_date")
    ):
        if subject_id not in ids:
            continue
        number = numbers.get(visit_id)
        rows.append((ids[subject_id], number, name, repeat, _iso(day), _iso(day)))
    frame = pd.DataFrame.from_records(rows, columns=["USUBJID", "VISITNUM", "VISIT", "REPEAT", "SVSTDTC", "SVENDTC"])
    return _number_unscheduled(frame)


def _number_unscheduled(frame: pd.DataFrame) -> pd.DataFrame:
    """Unscheduled visits get the previous planned visit's number plus 0.01 per repeat (SDTMIG 4.4.5)."""
    numbers = []
    last: dict[str, float] = {}
    for subject, number, repeat in zip(frame["USUBJID"], frame["VISITNUM"], frame["REPEAT"], strict=True):
        if number is None or pd.isna(number):
            number = last.get(subject, 0.0) + 0.01 * repeat
        else:
            last[subject] = number
        numbers.append(number)
    frame = frame.assign(VISITNUM=numbers)
    frame.loc[frame["VISITNUM"] % 1 != 0, "VISIT"] = frame["VISIT"] + " " + frame["REPEAT"].astype(str)
    return frame.drop(columns=["REPEAT"])


def _subject_elements(study: Study, subjects: pd.DataFrame) -> pd.DataFrame:
    """SE: screening from consent to the day before first dose, the arm's treatment element to its last exposure
    (or end), follow-up after it to the end of study."""
    elements = _elements(study)
    shared = [e for e in elements if not e["per_arm"]]
    screening = shared[0] if shared else None
    follow_up = shared[-1] if len(shared) > 1 else None
    rows = []
    for row in subjects.itertuples(index=False):
        start = row.RFICDTC
        treated = row.RFXSTDTC
        if screening and start:
            screen_end = _day_before(treated) if treated else (row.RFENDTC or row.RFPENDTC)
            rows.append((row.USUBJID, screening["ETCD"], screening["ELEMENT"], start, screen_end, screening["EPOCH"]))
        if treated and row.ACTARMCD:
            treatment = next((e for e in elements if e["per_arm"] and e["ARMCD"] == row.ACTARMCD), None)
            if treatment:
                end = row.RFXENDTC or row.RFENDTC
                rows.append((row.USUBJID, treatment["ETCD"], treatment["ELEMENT"], treated, end, treatment["EPOCH"]))
                if follow_up and end and row.RFENDTC and end < row.RFENDTC:
                    rows.append(
                        (
                            row.USUBJID,
                            follow_up["ETCD"],
                            follow_up["ELEMENT"],
                            _day_after(end),
                            row.RFENDTC,
                            follow_up["EPOCH"],
                        )
                    )
    return pd.DataFrame.from_records(rows, columns=["USUBJID", "ETCD", "ELEMENT", "SESTDTC", "SEENDTC", "EPOCH"])


def _day_before(iso: str) -> str:
    return (dt.date.fromisoformat(iso) - dt.timedelta(days=1)).isoformat()


def _day_after(iso: str) -> str:
    return (dt.date.fromisoformat(iso) + dt.timedelta(days=1)).isoformat()


def _elements(study: Study) -> list[dict]:
    """The trial elements: one per epoch, one per arm in an epoch where study drug is dispensed."""
    dispensing_epochs = set(DispensingVisit.objects.filter(study=study).values_list("visit__epoch_id", flat=True))
    arms = list(Arm.objects.filter(study=study).order_by("pk").values_list("code", "name"))
    elements = []
    for epoch in Epoch.objects.filter(study=study).order_by("order"):
        name = epoch.name.upper()
        if epoch.pk in dispensing_epochs:
            for code, arm_name in arms:
                elements.append(
                    {
                        "ETCD": code[:8],
                        "ELEMENT": arm_name,
                        "EPOCH": name,
                        "ARMCD": code,
                        "per_arm": True,
                        "_epoch": epoch.pk,
                    }
                )
        else:
            elements.append(
                {
                    "ETCD": element_code(epoch.name),
                    "ELEMENT": epoch.name,
                    "EPOCH": name,
                    "ARMCD": "",
                    "per_arm": False,
                    "_epoch": epoch.pk,
                }
            )
    return elements


def protocol_tables(study: Study) -> Protocol:
    """The trial design: arms, elements (TE), arm-element paths (TA), visits (TV), criteria (TI) and the summary
    parameters (TS)."""
    elements = _elements(study)
    visits = list(Visit.objects.filter(study=study, is_unscheduled=False).order_by("order", "pk"))
    days: dict[int, list[int]] = defaultdict(list)
    for visit in visits:
        if visit.epoch_id and visit.day is not None:
            days[visit.epoch_id].append(visit.day)
    planned: dict[str, Element] = {}
    for n, element in enumerate(elements):
        span = days.get(element["_epoch"], [])
        if n == 0:
            start = "Informed consent"
        elif element["per_arm"]:
            start = f"First dose of {element['ELEMENT']}"
        else:
            start = "End of the previous element"
        planned.setdefault(
            element["ETCD"],
            Element(
                etcd=element["ETCD"],
                element=element["ELEMENT"],
                testrl=start,
                tedur=f"P{max(span) - min(span) + 1}D" if len(span) > 1 else "",
            ),
        )
    arms = [(code, name) for code, name, _ratio in _study_arms(study)]
    paths = []
    for code, name in arms:
        path = [e for e in elements if not e["per_arm"] or e["ARMCD"] == code]
        for order, element in enumerate(path, 1):
            branch = order < len(path) and path[order]["per_arm"] and not element["per_arm"]  # randomisation
            paths.append(
                ArmElement(
                    armcd=code,
                    taetord=order,
                    etcd=element["ETCD"],
                    epoch=element["EPOCH"],
                    tabranch=f"Randomised to {name}" if branch else "",
                )
            )
    numbers = visit_numbers(study)
    criteria = sorted(EligibilityCriterion.objects.filter(study=study), key=lambda c: (c.kind != "inclusion", c.number))
    return Protocol(
        arms=tuple(ProtocolArm(armcd=code, arm=name) for code, name in arms),
        elements=tuple(planned.values()),
        arm_elements=tuple(paths),
        visits=tuple(
            PlannedVisit(
                visitnum=numbers[v.pk],
                visit=v.name,
                visitdy=v.day,
                tvstrl=f"Day {v.day}"
                + (f" (window -{v.window_before}/+{v.window_after} days)" if v.window_before or v.window_after else ""),
            )
            for v in visits
        ),
        criteria=tuple(
            Criterion(
                ietestcd=f"{'IN' if c.kind == 'inclusion' else 'EX'}{c.number:02d}",
                ietest=c.text[:200],
                iecat=c.kind.upper(),
            )
            for c in criteria
        ),
        parameters=_trial_summary(study, arms),
    )


PHASES = {  # studies.Phase -> CDISC CT TPHASE (C66737) submission values
    "I": "PHASE I TRIAL",
    "I/II": "PHASE I/PHASE II TRIAL",
    "II": "PHASE II TRIAL",
    "III": "PHASE III TRIAL",
    "IV": "PHASE IV TRIAL",
}


def _trial_summary(study: Study, arms: list[tuple[str, str]]) -> tuple[TrialParameter, ...]:
    """TS: the parameters the protocol holds (CDISC CT TSPARMCD codes)."""
    planned = sum(study.sites.values_list("target_enrolment", flat=True))
    first_consent = ConsentRecord.objects.filter(study=study).order_by("obtained_at").select_related("site").first()
    parameters = [
        ("TITLE", "Trial Title", study.title),
        ("TPHASE", "Trial Phase Classification", PHASES.get(study.phase, "")),
        ("INDIC", "Trial Disease/Condition Indication", study.indication),
        ("THERAREA", "Therapeutic Area", study.therapeutic_area),
        ("SPONSOR", "Clinical Study Sponsor", study.sponsor),
        ("REGID", "Registry Identifier", study.nct_number),
        ("NARMS", "Planned Number of Arms", str(len(arms))),
        ("RANDOM", "Trial is Randomized", "Y" if len(arms) > 1 else "N"),
        ("PLANSUB", "Planned Number of Subjects", str(planned) if planned else ""),
        ("SSTDTC", "Study Start Date", _iso(first_consent.signed_on) if first_consent else ""),
    ]
    return tuple(TrialParameter(tsparmcd=code, tsparm=name, tsval=value) for code, name, value in parameters if value)
