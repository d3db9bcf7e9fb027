"""Study-build files in and out: pick the reader for an upload, write a version as ODM 1.3.2."""

import io
import re

from opencro.edc.build_rows import build_from_version
from opencro.edc.models import BuildVersion
from opencro.formats.build import StudyBuild
from opencro.formats.errors import FormatError, Problem

BUILD_FORMATS = (
    ("odm", "CDISC ODM 1.3.2 XML"),
    ("redcap-csv", "REDCap data dictionary (CSV)"),
    ("redcap-xml", "REDCap project XML"),
)


def build_format_guess(data: bytes, name: str = "") -> str:
    """Tell the format from the content: REDCap XML carries the redcap namespace; CSV is not XML."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<"):
        return "redcap-xml" if b"projectredcap.org" in data[:200_000] else "odm"
    if name.lower().endswith(".xml"):
        return "odm"
    return "redcap-csv"


def build_read(
    data: bytes,
    *,
    fmt: str = "",
    name: str = "",
    study=None,
    protocol: str = "",
    study_oid: str | None = None,
    version_oid: str | None = None,
    redcap_events: dict[str, bytes] | None = None,
) -> StudyBuild:
    """Read a build from file bytes; raise FormatError with every located problem.

    An ODM file may hold several builds (OpenClinica writes the parent study and one per site):
    without `study_oid`/`version_oid` the first, the parent study's, is taken and the others named
    in the build's notes. A longitudinal REDCap dictionary takes its events, arms and
    instrument-event mapping as `redcap_events` {"events": …, "arms": …, "mapping": …} (CSV bytes).
    """
    fmt = fmt or build_format_guess(data, name)
    if fmt == "odm":
        from opencro.formats.odm.metadata_reader import read_build, read_builds

        if study_oid or version_oid:
            return read_build(data, study_oid, version_oid)
        builds = read_builds(data)
        chosen = builds[0]
        others = [f"{b.study_oid}/{b.version_oid}" for b in builds[1:]]
        if others:
            chosen.notes.append(f"the file holds {len(builds)} builds; loaded the first, not: {', '.join(others)}")
        return chosen
    if fmt == "redcap-xml":
        from opencro.formats.redcap import read_project_xml

        return read_project_xml(io.BytesIO(data))
    if fmt == "redcap-csv":
        from opencro.formats.redcap import read_dictionary

        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatError(Problem(f"byte {exc.start}", "the dictionary is not UTF-8 text")) from None
        protocol = (
            study.protocol_number if study is not None else protocol or re.sub(r"\W+", "_", name.rsplit(".", 1)[0])
        )
        extra = {f"{k}_csv": v for k, v in (redcap_events or {}).items() if v is not None}
        return read_dictionary(io.StringIO(text), study_oid=f"S.{protocol}", study_name=protocol, **extra)
    raise FormatError(Problem("format", f"unknown build format '{fmt}' (odm, redcap-csv, redcap-xml)"))


def build_odm_bytes(version: BuildVersion) -> bytes:
    """The version's build as an ODM 1.3.2 metadata document."""
    from opencro.formats.odm.metadata_writer import write_build

    out = io.BytesIO()
    write_build(build_from_version(version), out)
    return out.getvalue()
