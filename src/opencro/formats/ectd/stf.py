"""ICH Study Tagging Files (STF): one XML per study per sequence, tagging each of the study's leaves.

Source: ICH "The eCTD Backbone File Specification for Study Tagging Files" v2.6.1 (DTD ich-stf-v2-2.dtd): root
`ectd:study` (namespace http://www.ich.org/ectd, dtd-version 2.2) with `study-identifier` (title, study-id) and
`study-document`, whose `doc-content` elements point with xlink:href at a leaf of index.xml (`<path>#<leaf ID>`) and
carry one `file-tag` (name, info-type). The STF is itself a leaf of index.xml in the study's section, named
`stf-<study-id>.xml`; a later sequence's STF tags only that sequence's leaves and is submitted with operation
`append` to the earlier STF. Deleted leaves ship no file and are not tagged.

File tags: the ICH valid values used for study reports, and the FDA (`info-type="us"`) tags for standardised study
data required by FDA's Study Data Technical Conformance Guide (section 7, "eCTD Study Tagging Files": SDTM/SEND
datasets `data-tabulation-dataset-sdtm`/`-send`, ADaM `analysis-dataset-adam`, define.xml `*-data-definition`,
annotated CRF, analysis programs). Study categories (species, route, duration, type of control) are not written.
"""

import posixpath
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from lxml import etree

from opencro.formats.ectd.backbone import ECTD_NS, XLINK_NS
from opencro.formats.ectd.model import INDEX_FILE

STF_DTD_VERSION = "2.2"

FILE_TAGS: Mapping[str, str] = MappingProxyType(
    {
        "legacy-clinical-study-report": "ich",
        "synopsis": "ich",
        "study-report-body": "ich",
        "protocol-or-amendment": "ich",
        "sample-case-report-form": "ich",
        "iec-irb-consent-form-list": "ich",
        "list-description-investigator-site": "ich",
        "signatures-investigators": "ich",
        "list-patients-with-batches": "ich",
        "randomisation-scheme": "ich",
        "audit-certificates-report": "ich",
        "statistical-methods-interim-analysis-plan": "ich",
        "inter-laboratory-standardisation-methods-quality-assurance": "ich",
        "publications-based-on-study": "ich",
        "publications-referenced-in-report": "ich",
        "discontinued-patients": "ich",
        "protocol-deviations": "ich",
        "patients-excluded-from-efficacy-analysis": "ich",
        "demographic-data": "ich",
        "compliance-and-drug-concentration-data": "ich",
        "individual-efficacy-response-data": "ich",
        "adverse-event-listings": "ich",
        "listing-individual-laboratory-measurements-by-patient": "ich",
        "case-report-forms": "ich",
        "available-on-request": "ich",
        "data-tabulation-dataset-sdtm": "us",
        "data-tabulation-dataset-send": "us",
        "data-tabulation-dataset-legacy": "us",
        "data-tabulation-data-definition": "us",
        "data-listing-dataset": "us",
        "data-listing-data-definition": "us",
        "analysis-dataset-adam": "us",
        "analysis-dataset-legacy": "us",
        "analysis-data-definition": "us",
        "analysis-program": "us",
        "annotated-crf": "us",
        "subject-profiles": "us",
        "safety-report": "us",
    }
)


def stf_name(study_id: str) -> str:
    """The STF's file name for a study (ICH STF spec v2.6.1: `stf-` + study id + `.xml`)."""
    return f"stf-{study_id}.xml"


def write_stf(stf_path: str, study_id: str, title: str, tagged: Sequence[tuple[str, str, str]]) -> bytes:
    """Serialise the STF at `stf_path` (inside the sequence) for `(leaf ID, leaf title, file tag)` triples."""
    root = etree.Element(f"{{{ECTD_NS}}}study", nsmap={"ectd": ECTD_NS, "xlink": XLINK_NS})
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    root.set("dtd-version", STF_DTD_VERSION)
    identifier = etree.SubElement(root, "study-identifier")
    etree.SubElement(identifier, "title").text = title
    etree.SubElement(identifier, "study-id").text = study_id
    document = etree.SubElement(root, "study-document")
    index = posixpath.relpath(INDEX_FILE, posixpath.dirname(stf_path))
    for leaf_id, leaf_title, tag in tagged:
        content = etree.SubElement(document, "doc-content")
        content.set(f"{{{XLINK_NS}}}href", f"{index}#{leaf_id}")
        etree.SubElement(content, "title").text = leaf_title
        file_tag = etree.SubElement(content, "file-tag")
        file_tag.set("name", tag)
        file_tag.set("info-type", FILE_TAGS[tag])
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    depth = stf_path.count("/")
    dtd = "../" * depth + "util/dtd/ich-stf-v2-2.dtd"
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + f'<!DOCTYPE ectd:study SYSTEM "{dtd}">\n'.encode() + body


def stf_references(tree: etree._ElementTree) -> list[tuple[int, str]]:
    """(line, xlink:href) of every doc-content of a parsed STF."""
    found: list[tuple[int, str]] = []
    for content in tree.getroot().iter("doc-content"):
        href = content.get(f"{{{XLINK_NS}}}href") or content.get("{http://www.w3.org/1999/xlink}href") or ""
        found.append((content.sourceline or 0, href))
    return found
