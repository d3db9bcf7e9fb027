"""Read ClinicalTrials.gov study records (API v2 JSON, or the classic API's JSON) into `TrialRecord`s.

Accepted documents, told apart by their keys:

- one API v2 study, ``{"protocolSection": {...}, "derivedSection": {...}, "hasResults": ...}``;
- an API v2 search page, ``{"studies": [...], "nextPageToken": ...}``, or a JSON array of studies;
- the classic API's ``full_studies`` response (that API was replaced by v2 in 2024),
  ``{"FullStudiesResponse": {"FullStudies": [{"Rank": 1, "Study": {"ProtocolSection": ...}}]}}``,
  or one of its ``Study`` objects.

The JSON is parsed with `json` (NaN and Infinity refused). Anything else, or a field of an unexpected
type, raises `FormatError` whose problems are located by a JSON path such as
``studies[3].protocolSection.identificationModule.nctId``; a file that is not JSON is located by line
and column. Missing optional fields give None, "" or an empty tuple; only the NCT number is required.

References: ClinicalTrials.gov API v2 study data structure and enumerations (OverallStatus, Phase,
EnrollmentType, DateType, StudyType, RecruitmentStatus), https://clinicaltrials.gov/data-api/about-api/
study-data-structure; the classic API's ``full_studies`` JSON as served until 2024 (field names such as
``ProtocolSection.StatusModule.StartDateStruct.StartDate``, display values such as "Active, not recruiting").
"""

import datetime
import json
import math
import os
import re
from collections.abc import Iterator
from typing import IO, Any

from opencro.formats.ctgov.json_node import TOP, JsonNode, json_kind, show
from opencro.formats.ctgov.model import Facility, TrialRecord
from opencro.formats.errors import FormatError, Problem

Source = str | os.PathLike[str] | bytes | IO[bytes] | dict[str, Any] | list[Any]

NCT_ID = re.compile(r"NCT\d{8}")

# Classic-API display values whose upper-snake form is not the v2 enum name (keys case-folded).
ALIASES = {
    "unknown status": "UNKNOWN",
    "not applicable": "NA",
    "n/a": "NA",
    "early phase 1": "EARLY_PHASE1",
    "phase 0": "EARLY_PHASE1",  # ClinicalTrials.gov's former name of Early Phase 1
    "anticipated": "ESTIMATED",
    "estimate": "ESTIMATED",
    "observational [patient registry]": "OBSERVATIONAL",
}
PHASE_NUMBER = re.compile(r"phase\s*([1-4])", re.IGNORECASE)

MONTH_NAMES = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)
MONTHS = {name: number for number, full in enumerate(MONTH_NAMES, start=1) for name in (full, full[:3])}
ISO_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
WORDS_DATE = re.compile(r"([A-Za-z]+)\.?\s+(?:(\d{1,2}),?\s+)?(\d{4})")


def read_trial(source: Source) -> TrialRecord:
    """Read the one study of a file, bytes, binary stream or parsed JSON; FormatError unless exactly one."""
    records = _read(source)
    if len(records) != 1:
        found = "no study" if not records else f"{len(records)} studies: read them with read_trials"
        raise FormatError(Problem(TOP, f"read_trial needs one study, this document holds {found}"))
    return records[0]


def read_trials(source: Source) -> Iterator[TrialRecord]:
    """Read every study of a document (one study, a JSON array, a v2 search page, a classic API response).

    The whole document is read and checked before the first record is returned.
    """
    return iter(_read(source))


def _read(source: Source) -> list[TrialRecord]:
    problems: list[Problem] = []
    records = [_record(node) for node in _studies(_load(source), problems)]
    if problems:
        raise FormatError(problems)
    return records


# -- the document ----------------------------------------------------------------------------------------------


def _load(source: Source) -> Any:
    """Parse the source as JSON; a path, bytes or a binary stream. Parsed JSON is returned as given."""
    if isinstance(source, dict | list):
        return source
    name = ""
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        name = os.path.basename(path)
        with open(path, "rb") as handle:
            data: str | bytes = handle.read()
    elif isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read()
        stream_name = getattr(source, "name", "")
        name = os.path.basename(stream_name) if isinstance(stream_name, str) else ""
    else:
        raise TypeError(f"cannot read a {type(source).__name__}: give a path, bytes, a binary stream or parsed JSON")
    where = f"{name}, " if name else ""
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise FormatError(Problem(f"{where}line {exc.lineno}, column {exc.colno}", f"not JSON: {exc.msg}")) from None
    except UnicodeDecodeError as exc:
        raise FormatError(
            Problem(f"{where}byte {exc.start}", "not JSON: the bytes are not UTF-8, UTF-16 or UTF-32 text")
        ) from None
    except RecursionError:
        raise FormatError(Problem(name or TOP, "not JSON this reader accepts: nested too deeply")) from None
    except ValueError as exc:
        raise FormatError(Problem(name or TOP, f"not JSON: {exc}")) from None


def _refuse_constant(constant: str) -> float:
    raise ValueError(f"{constant} is not a JSON value")


def _studies(doc: Any, problems: list[Problem]) -> list["_Node"]:
    """The study objects of a document, each as a node whose path locates it."""
    top = _Node(doc, "", problems)
    if isinstance(doc, list):
        candidates = top.elements()
    elif not isinstance(doc, dict):
        problems.append(Problem(TOP, f"not a ClinicalTrials.gov study: {json_kind(doc)}, expected an object"))
        return []
    elif "studies" in doc:
        candidates = top.elements("studies")
    elif "FullStudiesResponse" in doc:
        candidates = top.obj("FullStudiesResponse").elements("FullStudies")
    else:
        candidates = [top]
    studies = []
    for node in candidates:
        value = node.value
        if isinstance(value, dict) and "Study" in value and "ProtocolSection" not in value:
            node = node.child("Study")
            value = node.value
        if isinstance(value, dict) and ("protocolSection" in value or "ProtocolSection" in value):
            studies.append(node)
        elif isinstance(value, dict):
            node.problem(
                "not a ClinicalTrials.gov study: no protocolSection (API v2), studies (a v2 search page), "
                "FullStudiesResponse or ProtocolSection (classic API)"
            )
        else:
            node.problem(f"not a ClinicalTrials.gov study: {json_kind(value)}, expected an object")
    return studies


# -- one study -------------------------------------------------------------------------------------------------


def _record(study: "_Node") -> TrialRecord:
    if "protocolSection" in study.value:
        return _v2_record(study)
    return _classic_record(study)


def _v2_record(study: "_Node") -> TrialRecord:
    protocol = study.obj("protocolSection")
    ident = protocol.obj("identificationModule")
    status = protocol.obj("statusModule")
    design = protocol.obj("designModule")
    conditions = protocol.obj("conditionsModule")
    enrollment = design.obj("enrollmentInfo")
    dates = [
        _date(status.obj(f"{key}DateStruct"), "date", "type") for key in ("start", "primaryCompletion", "completion")
    ]
    meshes = study.obj("derivedSection").obj("conditionBrowseModule").objects("meshes")
    return TrialRecord(
        nct_id=_nct_id(ident, "nctId"),
        title=ident.text("briefTitle") or ident.text("officialTitle"),
        phase=_phases(design.texts("phases")),
        overall_status=_enum(status.text("overallStatus")),
        conditions=conditions.texts("conditions"),
        keywords=conditions.texts("keywords"),
        mesh_terms=tuple(term for mesh in meshes if (term := mesh.text("term"))),
        enrollment=enrollment.count("count"),
        enrollment_type=_enum(enrollment.text("type")),
        start_date=dates[0][0],
        primary_completion_date=dates[1][0],
        completion_date=dates[2][0],
        facilities=tuple(_v2_facility(site) for site in protocol.obj("contactsLocationsModule").objects("locations")),
        sponsor=protocol.obj("sponsorCollaboratorsModule").obj("leadSponsor").text("name"),
        study_type=_enum(design.text("studyType")),
        date_precision=(dates[0][1], dates[1][1], dates[2][1]),
        date_types=(dates[0][2], dates[1][2], dates[2][2]),
    )


def _v2_facility(site: "_Node") -> Facility:
    geo = site.obj("geoPoint")
    return Facility(
        name=site.text("facility"),
        city=site.text("city"),
        state=site.text("state"),
        zip=site.text("zip"),
        country=site.text("country"),
        status=_enum(site.text("status")),
        lat=geo.coordinate("lat", 90.0),
        lon=geo.coordinate("lon", 180.0),
    )


def _classic_record(study: "_Node") -> TrialRecord:
    protocol = study.obj("ProtocolSection")
    ident = protocol.obj("IdentificationModule")
    status = protocol.obj("StatusModule")
    design = protocol.obj("DesignModule")
    conditions = protocol.obj("ConditionsModule")
    enrollment = design.obj("EnrollmentInfo")
    dates = [
        _date(status.obj(f"{key}DateStruct"), f"{key}Date", f"{key}DateType")
        for key in ("Start", "PrimaryCompletion", "Completion")
    ]
    meshes = study.obj("DerivedSection").obj("ConditionBrowseModule").obj("ConditionMeshList").objects("ConditionMesh")
    sites = protocol.obj("ContactsLocationsModule").obj("LocationList").objects("Location")
    return TrialRecord(
        nct_id=_nct_id(ident, "NCTId"),
        title=ident.text("BriefTitle") or ident.text("OfficialTitle"),
        phase=_phases(design.obj("PhaseList").texts("Phase")),
        overall_status=_enum(status.text("OverallStatus")),
        conditions=conditions.obj("ConditionList").texts("Condition"),
        keywords=conditions.obj("KeywordList").texts("Keyword"),
        mesh_terms=tuple(term for mesh in meshes if (term := mesh.text("ConditionMeshTerm"))),
        enrollment=enrollment.count("EnrollmentCount"),
        enrollment_type=_enum(enrollment.text("EnrollmentType")),
        start_date=dates[0][0],
        primary_completion_date=dates[1][0],
        completion_date=dates[2][0],
        facilities=tuple(_classic_facility(site) for site in sites),
        sponsor=protocol.obj("SponsorCollaboratorsModule").obj("LeadSponsor").text("LeadSponsorName"),
        study_type=_enum(design.text("StudyType")),
        date_precision=(dates[0][1], dates[1][1], dates[2][1]),
        date_types=(dates[0][2], dates[1][2], dates[2][2]),
    )


def _classic_facility(site: "_Node") -> Facility:
    return Facility(
        name=site.text("LocationFacility"),
        city=site.text("LocationCity"),
        state=site.text("LocationState"),
        zip=site.text("LocationZip"),
        country=site.text("LocationCountry"),
        status=_enum(site.text("LocationStatus")),
    )


# -- values ----------------------------------------------------------------------------------------------------


def _nct_id(ident: "_Node", key: str) -> str:
    nct_id = ident.text(key)
    if not nct_id:
        ident.child(key).problem("missing: every ClinicalTrials.gov study has an NCT number")
    elif not NCT_ID.fullmatch(nct_id):
        ident.child(key).problem(f"not an NCT number (NCT and 8 digits): {nct_id!r}")
    return nct_id


def _enum(text: str) -> str:
    """The v2 enum name of a v2 value or a classic display value ("Active, not recruiting")."""
    if not text:
        return ""
    alias = ALIASES.get(text.casefold())
    if alias:
        return alias
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


def _phases(values: tuple[str, ...]) -> tuple[str, ...]:
    """v2 Phase names; the classic "Phase 1/Phase 2" and "Phase 2" become PHASE1, PHASE2."""
    phases: list[str] = []
    for value in values:
        for part in value.split("/"):
            number = PHASE_NUMBER.fullmatch(part.strip())
            name = f"PHASE{number.group(1)}" if number else _enum(part.strip())
            if name and name not in phases:
                phases.append(name)
    return tuple(phases)


def _date(struct: "_Node", date_key: str, type_key: str) -> tuple[datetime.date | None, str, str]:
    """(date, precision, type) of a date struct; a month or year is read as its first day."""
    text = struct.text(date_key)
    kind = _enum(struct.text(type_key))
    if not text:
        return None, "", kind
    parsed = _parse_date(text)
    if parsed is None:
        struct.child(date_key).problem(f"not a date (2015-03-27, 2015-03, March 27, 2015 or March 2015): {text!r}")
        return None, "", kind
    return parsed[0], parsed[1], kind


def _parse_date(text: str) -> tuple[datetime.date, str] | None:
    iso = ISO_DATE.fullmatch(text)
    if iso:
        year, month, day = iso.group(1), iso.group(2), iso.group(3)
    else:
        words = WORDS_DATE.fullmatch(text)
        if not words or words.group(1).casefold() not in MONTHS:
            return None
        year, month, day = words.group(3), str(MONTHS[words.group(1).casefold()]), words.group(2)
    precision = "day" if day else "month" if month else "year"
    try:
        return datetime.date(int(year), int(month or 1), int(day or 1)), precision
    except ValueError:
        return None


class _Node(JsonNode):
    """A node of a harvested study: strings stripped, blank list entries skipped, counts also as digit strings."""

    __slots__ = ()

    strip = True

    def count(self, key: str) -> int | None:
        """A whole number >= 0 at `key`: a JSON integer, or digits in a string (the classic API)."""
        value = self.child(key).value
        if value == "":
            return None
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        return super().count(key)

    def coordinate(self, key: str, limit: float) -> float | None:
        """A latitude or longitude in [-limit, limit] at `key`, or None when absent."""
        node = self.child(key)
        value = node.value
        if value is None:
            return None
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and math.isfinite(value) and -limit <= value <= limit:
            return float(value)
        node.problem(f"expected a number of degrees between -{limit:g} and {limit:g}, found {show(value)}")
        return None
