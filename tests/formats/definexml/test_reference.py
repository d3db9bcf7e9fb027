"""CDISC's MSG v2 SDTM define.xml (Define-XML 2.1.0): read completely, re-written to the same content."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from opencro.formats.definexml import read_define, write_define

REFERENCE = Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "datasetjson"
DEFINE = REFERENCE / "examples-sdtm" / "define.xml"
NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "def": "http://www.cdisc.org/ns/def/v2.1"}

pytestmark = pytest.mark.skipif(
    not DEFINE.is_file(), reason=f"reference data absent: {DEFINE} (see ../shared/reference/README.md)"
)


@pytest.fixture(scope="module")
def tree() -> etree._ElementTree:
    return etree.parse(str(DEFINE), etree.XMLParser(remove_blank_text=True, remove_comments=True, remove_pis=True))


def count(tree: etree._ElementTree, xpath: str) -> int:
    return int(tree.xpath(f"count({xpath})", namespaces=NS))


def test_counts_match_an_independent_xpath_reading(tree: etree._ElementTree) -> None:
    doc = read_define(DEFINE)
    mdv = "/odm:ODM/odm:Study/odm:MetaDataVersion"
    assert len(doc.item_groups) == count(tree, f"{mdv}/odm:ItemGroupDef") == 31
    assert len(doc.items) == count(tree, f"{mdv}/odm:ItemDef") == 644
    assert len(doc.code_lists) == count(tree, f"{mdv}/odm:CodeList") == 189
    assert len(doc.value_lists) == count(tree, f"{mdv}/def:ValueListDef") == 24
    assert len(doc.where_clauses) == count(tree, f"{mdv}/def:WhereClauseDef") == 197
    assert len(doc.methods) == count(tree, f"{mdv}/odm:MethodDef") == 29
    assert len(doc.comments) == count(tree, f"{mdv}/def:CommentDef") == 25
    assert len(doc.standards) == count(tree, f"{mdv}/def:Standards/def:Standard")
    assert len(doc.leafs) == count(tree, f"{mdv}/def:leaf")
    assert sum(len(g.item_refs) for g in doc.item_groups) == count(tree, f"{mdv}/odm:ItemGroupDef/odm:ItemRef")
    assert sum(len(v.item_refs) for v in doc.value_lists) == count(tree, f"{mdv}/def:ValueListDef/odm:ItemRef")
    assert sum(len(c.code_list_items) for c in doc.code_lists) == count(tree, "//odm:CodeListItem")
    assert sum(len(c.enumerated_items) for c in doc.code_lists) == count(tree, "//odm:EnumeratedItem")
    assert sum(c.external is not None for c in doc.code_lists) == count(tree, "//odm:ExternalCodeList")
    assert sum(len(i.origins) for i in doc.items) == count(tree, "//odm:ItemDef/def:Origin")


def test_header_and_one_dataset_in_detail() -> None:
    doc = read_define(DEFINE)
    assert doc.define_version == "2.1.0" and doc.context == "Submission"
    assert doc.study_name == "CDISCPILOT01" and doc.mdv_oid == "MDV.MSGv2.0.SDTMIG.3.3.SDTM.1.7"
    assert doc.notes == ()
    ta = next(g for g in doc.item_groups if g.oid == "IG.TA")
    assert (ta.name, ta.repeating, ta.is_reference_data, ta.purpose) == ("TA", False, True, "Tabulation")
    assert ta.structure == "One record per planned Element per Arm"
    assert ta.item_class is not None and ta.item_class.name == "TRIAL DESIGN"
    assert ta.leaf is not None and (ta.leaf.id, ta.leaf.href) == ("LF.TA", "ta.xpt")
    assert [r.key_sequence for r in ta.item_refs if r.key_sequence] == [1, 2, 3]
    epoch = next(r for r in ta.item_refs if r.item_oid == "IT.TA.EPOCH")
    assert (epoch.method_oid, epoch.role, epoch.mandatory, epoch.order_number) == ("MT.EPOCH", "Timing", True, 10)
    external = next(c.external for c in doc.code_lists if c.external is not None)
    assert external.dictionary == "ISO 21090 NullFlavor" and external.version == "2017"


def test_read_write_read_gives_the_same_document_and_the_same_bytes() -> None:
    doc = read_define(DEFINE)
    written = write_define(doc, stylesheet="define2-1.xsl")
    again = read_define(written)
    assert again == doc
    assert write_define(again, stylesheet="define2-1.xsl") == written


def test_rewritten_file_has_the_reference_elements_attributes_and_text_in_order(tree: etree._ElementTree) -> None:
    parser = etree.XMLParser(remove_blank_text=True)
    rewritten = etree.fromstring(write_define(read_define(DEFINE)), parser)

    def shape(element: etree._Element) -> list[tuple[str, dict[str, str], str]]:
        return [(e.tag, dict(e.attrib), (e.text or "").strip()) for e in element.iter()]

    assert shape(rewritten) == shape(tree.getroot())
