"""Read the study builds (CRF metadata) of a CDISC ODM 1.3, 1.3.1 or 1.3.2 file into `StudyBuild`s.

One `StudyBuild` per Study x MetaDataVersion. `Include` is resolved when the included version is in
the same file (OpenClinica's site-level versions include the parent's): its definitions are merged in,
those of the including version winning by OID (ODM 1.3.2 section 3.1.3.1). The whole file is checked
before anything is returned, and every problem found is raised at once in one `FormatError`, located by
line and OID; what is dropped on purpose (Presentation, vendor elements outside definitions...) is said
in `StudyBuild.notes`.

Building on this reader: `extension_handler(build, context)` is called for each build after ODM and
OpenCRO content is mapped (and `Include` merged) and before the build is checked. It receives the
`ReadContext` (raw Study and MetaDataVersion elements, `problem()`, `note()`, `line_of()`) and may
change the build in place: the REDCap project XML reader turns `redcap:` extensions into REDCap
semantics this way, and its changes are then checked with everything else.

References: CDISC ODM 1.3.2, 2013, sections 3.1.1-3.1.3 (ODM, Study, GlobalVariables,
BasicDefinitions, MetaDataVersion, Include, Protocol) and chapter 4 (vendor extensions).
"""

import copy
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from lxml import etree

from opencro.formats.build import StudyBuild, build_problems, text_of
from opencro.formats.errors import FormatError, Problem
from opencro.formats.odm import metadata_defs as defs
from opencro.formats.odm.metadata_context import ReadContext
from opencro.formats.odm.metadata_extensions import gather
from opencro.formats.odm.metadata_opencro import ARM, EDIT_CHECK, read_arm, read_edit_check
from opencro.formats.odm.metadata_source import parse_metadata
from opencro.formats.odm.namespaces import (
    ODM_NS,
    ODM_V2_NS,
    ODM_V12_NS,
    OPENCRO_NS,
    SUPPORTED_ODM_VERSIONS,
    clark,
    split_tag,
)

Source = str | os.PathLike[str] | bytes | IO[bytes]
ExtensionHandler = Callable[[StudyBuild, ReadContext], None]

DEF_READERS = {
    "StudyEventDef": ("events", defs.read_study_event_def),
    "FormDef": ("forms", defs.read_form_def),
    "ItemGroupDef": ("item_groups", defs.read_item_group_def),
    "ItemDef": ("items", defs.read_item_def),
    "CodeList": ("code_lists", defs.read_code_list),
    "ConditionDef": ("conditions", defs.read_condition_def),
    "MethodDef": ("methods", defs.read_method_def),
}
MERGED_LISTS = ("events", "forms", "item_groups", "items", "code_lists", "conditions", "methods", "edit_checks", "arms")
ROOT_CHILDREN = ("Study", "AdminData", "ReferenceData", "ClinicalData", "Association")
REFERENCE = re.compile(r"refers to \w+ (?P<oid>.*), which is not defined$")


def read_builds(source: Source, *, extension_handler: ExtensionHandler | None = None) -> list[StudyBuild]:
    """Read every Study x MetaDataVersion of an ODM 1.3.x file (path, bytes or binary stream)."""
    reader = _FileReader(parse_metadata(source))
    return reader.finish(reader.keys, extension_handler)


def read_build(
    source: Source,
    study_oid: str | None = None,
    version_oid: str | None = None,
    *,
    extension_handler: ExtensionHandler | None = None,
) -> StudyBuild:
    """Read one study build; name it by Study OID and/or MetaDataVersion OID when the file holds several."""
    reader = _FileReader(parse_metadata(source))
    found = [k for k in reader.keys if study_oid in (None, k[0]) and version_oid in (None, k[1])]
    listing = ", ".join(f"{s}/{v}" for s, v in reader.keys)
    if not found:
        wanted = f"{study_oid or '*'}/{version_oid or '*'}"
        raise FormatError(Problem("", f"no study build {wanted} in this file; it holds {listing}"))
    if len(found) > 1:
        raise FormatError(
            Problem("", f"the file holds {len(found)} study builds ({listing}): name one by study_oid and version_oid")
        )
    return reader.finish(found, extension_handler)[0]


def read_builds_from_tree(
    tree: etree._ElementTree, *, extension_handler: ExtensionHandler | None = None
) -> list[StudyBuild]:
    """Like `read_builds`, for a tree parsed with `metadata_source.parse_metadata` or `xmlsafe.parse_xml`."""
    reader = _FileReader(tree)
    return reader.finish(reader.keys, extension_handler)


@dataclass
class _Version:
    ctx: ReadContext
    build: StudyBuild
    include: etree._Element | None = None
    study_problems: list[Problem] = field(default_factory=list)


class _FileReader:
    """Read every MetaDataVersion of a file; check and return those asked for."""

    def __init__(self, tree: etree._ElementTree) -> None:
        self.root = tree.getroot()
        self.ns, self.odm_version = _check_root(self.root)
        self.versions: dict[tuple[str, str], _Version] = {}
        self.problems: list[Problem] = []
        studies = [c for c in self.root if c.tag == clark(self.ns, "Study")]
        self._check_root_children()
        if not studies:
            raise FormatError(self._no_build_problem())
        seen_studies: dict[str, int] = {}
        for study in studies:
            self._read_study(study, seen_studies)
        if self.problems:
            raise FormatError(_dedupe(self.problems))
        if not self.versions:
            raise FormatError(self._no_build_problem())

    @property
    def keys(self) -> list[tuple[str, str]]:
        return list(self.versions)

    def finish(self, keys: list[tuple[str, str]], handler: ExtensionHandler | None) -> list[StudyBuild]:
        builds: list[StudyBuild] = []
        problems: list[Problem] = []
        for key in keys:
            version = self.versions[key]
            build, chain, explicit = self._resolve(key, ())
            ctx = version.ctx
            for other in chain[1:]:
                ctx.lines = {**other.lines, **ctx.lines}
                ctx.ref_lines = {**other.ref_lines, **ctx.ref_lines}
            _default_control_types(build, explicit)
            build.languages = _languages(ctx, chain)
            if handler is not None:
                handler(build, ctx)
            build.notes = sorted({note for c in chain for note in c.note_list()} | set(build.notes))
            problems += version.study_problems
            for c in reversed(chain):
                problems += c.problems
            problems += _located(build_problems(build), ctx)
            builds.append(build)
        if problems:
            raise FormatError(_dedupe(problems))
        return builds

    # -- the file ------------------------------------------------------------------------------

    def _check_root_children(self) -> None:
        for child in self.root:
            if not isinstance(child.tag, str):
                continue
            ns, local = split_tag(child.tag)
            if ns == self.ns and local not in ROOT_CHILDREN:
                self.problems.append(
                    Problem(f"line {child.sourceline}", f"unexpected element <{local}> in <ODM>: not ODM 1.3.2")
                )

    def _no_build_problem(self) -> Problem:
        clinical = self.root.find(clark(self.ns, "ClinicalData"))
        if clinical is not None:
            return Problem(
                f"line {clinical.sourceline}",
                "this ODM file holds clinical data only (ClinicalData) and no study build (Study with a "
                "MetaDataVersion): import the study build first, then load the data with the clinical data import",
            )
        study = self.root.find(clark(self.ns, "Study"))
        where = study if study is not None else self.root
        return Problem(
            f"line {where.sourceline}", "this ODM file holds no study build: no Study with a MetaDataVersion"
        )

    def _read_study(self, study: etree._Element, seen: dict[str, int]) -> None:
        sctx = ReadContext(ns=self.ns, study=study, mdv=study)
        study_oid = sctx.oid(study, "Study", seen)
        name, description, protocol_name = _read_globals(sctx, study)
        _read_units(sctx, study)
        sctx.check_children(study, f"Study {study_oid}", {"GlobalVariables", "BasicDefinitions", "MetaDataVersion"})
        gather(sctx, study, f"Study {study_oid}", None, descend=False)
        for data in ("ClinicalData", "AdminData", "ReferenceData"):
            if any(c.get("StudyOID") == study_oid for c in self.root.iter(clark(self.ns, data))):
                sctx.note(f"{data} of this study ignored: this reader reads the study build only")
        seen_versions: dict[str, int] = {}
        for mdv in sctx.children(study, "MetaDataVersion"):
            ctx = ReadContext(ns=self.ns, study=study, mdv=mdv, units=dict(sctx.units))
            ctx.notes.update(sctx.notes)
            ctx.ignored_extensions = {k: set(v) for k, v in sctx.ignored_extensions.items()}
            build = StudyBuild(
                study_oid=study_oid,
                study_name=name,
                study_description=description,
                protocol_name=protocol_name,
                odm_version=self.odm_version,
                source_format="odm",
            )
            version = _Version(ctx=ctx, build=build, study_problems=sctx.problems)
            _read_mdv(ctx, version, seen_versions)
            if (study_oid, build.version_oid) in self.versions:
                self.problems += ctx.problems  # a MetaDataVersion OID defined twice: the first one is read
            else:
                self.versions[study_oid, build.version_oid] = version

    def _resolve(
        self, key: tuple[str, str], stack: tuple[tuple[str, str], ...]
    ) -> tuple[StudyBuild, list[ReadContext], set[str]]:
        """The build of `key` with its Include merged in, the contexts it came from, and explicit control types."""
        version = self.versions[key]
        own = version.build
        if version.include is None:  # a copy: the caller and an extension handler may change it
            return copy.deepcopy(own), [version.ctx], set(version.ctx.explicit_control_types)
        inc = (version.include.get("StudyOID", ""), version.include.get("MetaDataVersionOID", ""))
        if inc not in self.versions or inc in stack or inc == key:
            why = "which includes this one in turn" if inc in self.versions else "which is not in this file"
            version.ctx.problem(
                version.include, "Include", f"refers to MetaDataVersion {inc[1]} of Study {inc[0]}, {why}"
            )
            return copy.deepcopy(own), [version.ctx], set(version.ctx.explicit_control_types)
        base, chain, explicit = self._resolve(inc, (*stack, key))
        merged = base
        for name in MERGED_LISTS:
            mine = {d.oid: copy.deepcopy(d) for d in getattr(own, name)}
            kept = [mine.pop(d.oid, d) for d in getattr(merged, name)]
            setattr(merged, name, kept + list(mine.values()))
        for name in (
            "study_oid",
            "study_name",
            "study_description",
            "protocol_name",
            "version_oid",
            "version_name",
            "version_description",
            "odm_version",
            "source_format",
        ):
            setattr(merged, name, getattr(own, name))
        if own.protocol or version.ctx.child(version.ctx.mdv, "Protocol") is not None:
            merged.protocol = copy.deepcopy(own.protocol)
        own_items = {i.oid for i in own.items}
        version.ctx.note(f"includes MetaDataVersion {inc[1]} of Study {inc[0]}: its definitions were merged in")
        explicit = {o for o in explicit if o not in own_items} | version.ctx.explicit_control_types
        return merged, [version.ctx, *chain], explicit


def _check_root(root: etree._Element) -> tuple[str, str]:
    """Return the file's ODM namespace and version, or refuse what is not ODM 1.3.x."""
    ns, local = split_tag(root.tag)
    version = root.get("ODMVersion")
    line = f"line {root.sourceline}"
    if ns == ODM_V2_NS or (local == "ODM" and version is not None and version.startswith("2")):
        raise FormatError(
            Problem(
                line,
                f"ODM 2.0 is not supported (root <{local}> in namespace {ns or 'none'}, ODMVersion "
                f"{version or 'absent'}): export the study build as ODM 1.3.2",
            )
        )
    if local != "ODM":
        raise FormatError(Problem(line, f"not a CDISC ODM file: root element is <{local}>"))
    if ns == ODM_V12_NS:
        raise FormatError(Problem(line, "ODM 1.2 is not supported: export the study build as ODM 1.3.2"))
    if ns not in (ODM_NS, ""):
        raise FormatError(Problem(line, f"not a CDISC ODM 1.3 file: namespace {ns} (expected {ODM_NS})"))
    if version is not None and version not in SUPPORTED_ODM_VERSIONS:
        raise FormatError(
            Problem(line, f"ODMVersion {version!r} is not supported: OpenCRO reads {', '.join(SUPPORTED_ODM_VERSIONS)}")
        )
    return ns, version or "1.3"


def _read_globals(ctx: ReadContext, study: etree._Element) -> tuple[str, str, str]:
    gv = ctx.child(study, "GlobalVariables")
    if gv is None:
        ctx.problem(study, f"Study {study.get('OID', '')}", "<Study> lacks the required element <GlobalVariables>")
        return "", "", ""
    values = []
    for name in ("StudyName", "StudyDescription", "ProtocolName"):
        el = ctx.child(gv, name)
        if el is None:
            ctx.problem(gv, "GlobalVariables", f"<GlobalVariables> lacks the required element <{name}>")
        values.append(ctx.text(el))
    ctx.check_children(gv, "GlobalVariables", {"StudyName", "StudyDescription", "ProtocolName"})
    gather(ctx, gv, "GlobalVariables", None)
    return values[0], values[1], values[2]


def _read_units(ctx: ReadContext, study: etree._Element) -> None:
    basic = ctx.child(study, "BasicDefinitions")
    if basic is None:
        return
    seen: dict[str, int] = {}
    for unit in ctx.children(basic, "MeasurementUnit"):
        oid = ctx.oid(unit, "MeasurementUnit", seen)
        where = f"MeasurementUnit {oid}".rstrip()
        name = ctx.attr(unit, "Name", where, required=True) or ""
        symbol = ctx.child(unit, "Symbol")
        if symbol is None:
            ctx.problem(unit, where, "<MeasurementUnit> lacks the required element <Symbol>")
        texts = ctx.translated(symbol, where)
        ctx.units[oid] = text_of(texts) or name
        ctx.check_children(unit, where, {"Symbol"}, ignored={"Alias"})
    ctx.check_children(basic, "BasicDefinitions", {"MeasurementUnit"})
    gather(ctx, basic, "BasicDefinitions", None)


def _read_mdv(ctx: ReadContext, version: _Version, seen_versions: dict[str, int]) -> None:
    mdv, build = ctx.mdv, version.build
    build.version_oid = ctx.oid(mdv, "MetaDataVersion", seen_versions)
    where = f"MetaDataVersion {build.version_oid}".rstrip()
    build.version_name = ctx.attr(mdv, "Name", where, required=True) or ""
    build.version_description = mdv.get("Description", "")
    seen: dict[str, dict[str, int]] = {kind: {} for kind in (*DEF_READERS, "EditCheckDef", "Arm")}
    first: dict[tuple[str, str], etree._Element] = {}
    for child in mdv:
        if child.tag == EDIT_CHECK:
            build.edit_checks.append(read_edit_check(ctx, child, seen["EditCheckDef"]))
        elif child.tag == ARM:
            build.arms.append(read_arm(ctx, child, seen["Arm"]))
        elif not ctx.is_odm(child):
            continue
        elif (local := ctx.local(child)) in DEF_READERS:
            key = (local, child.get("OID", ""))
            if key in first and ctx.same(first[key], child):  # REDCap repeats some ItemDefs verbatim
                ctx.note(f"{local} {key[1]} repeated identically at line {child.sourceline}: the copy was skipped")
                continue
            first.setdefault(key, child)
            attribute, reader = DEF_READERS[local]
            getattr(build, attribute).append(reader(ctx, child, seen[local]))
        elif local == "Include":
            version.include = child
            ctx.attr(child, "StudyOID", "Include", required=True)
            ctx.attr(child, "MetaDataVersionOID", "Include", required=True)
    protocol = ctx.child(mdv, "Protocol")
    if protocol is not None:
        ctx.lines[("Protocol", "")] = protocol.sourceline or 0
        build.protocol = [defs.read_study_event_ref(ctx, r) for r in ctx.children(protocol, "StudyEventRef")]
        ctx.check_children(protocol, "Protocol", {"StudyEventRef"}, ignored={"Description", "Alias"})
        gather(ctx, protocol, "Protocol", None)
    ctx.check_children(mdv, where, {"Include", "Protocol", *DEF_READERS}, ignored={"ImputationMethod", "Presentation"})
    ctx.check_attributes(mdv, {"OID", "Name", "Description"})
    gather(
        ctx, mdv, where, None, opencro_attributes={"Languages"}, opencro_elements={"EditCheckDef", "Arm"}, descend=False
    )


def _default_control_types(build: StudyBuild, explicit: set[str]) -> None:
    code_lists = {c.oid: c for c in build.code_lists}
    for item in build.items:
        if item.oid not in explicit:
            item.control_type = defs.default_control_type(item, code_lists.get(item.code_list_oid or ""))


def _languages(ctx: ReadContext, chain: list[ReadContext]) -> list[str]:
    declared = ctx.mdv.get(clark(OPENCRO_NS, "Languages"))
    if declared is not None:
        return declared.split()
    return sorted({lang for c in chain for lang in c.languages})


def _located(problems: list[Problem], ctx: ReadContext) -> list[Problem]:
    """Add the line to `build_problems`' locations; drop what the reader already reported itself."""
    located = []
    for p in problems:
        kind, _, oid = p.location.partition(" ")
        if p.message == "OID defined twice" and (kind, oid) in ctx.duplicates:
            continue
        if p.message == "an OID is empty" and kind in ctx.empty_oid_kinds:
            continue
        match = REFERENCE.search(p.message)
        line = ctx.ref_lines.get((p.location, match["oid"])) if match else None
        line = line or ctx.lines.get((kind, oid))
        located.append(Problem(f"line {line}, {p.location}" if line else p.location, p.message))
    return located


def _dedupe(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
