"""A Define-XML 2.1 document built from scratch writes, passes the checks and reads back unchanged."""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from opencro.formats.definexml import (
    DocumentRef,
    ItemGroupClass,
    ItemGroupDef,
    PDFPageRef,
    SubClass,
    TranslatedText,
    check_define,
    read_define,
    write_define,
)
from opencro.formats.errors import FormatError
from tests.formats.definexml.samples import small_define

NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "def": "http://www.cdisc.org/ns/def/v2.1"}


def test_small_document_passes_the_checks_and_reads_back_equal() -> None:
    doc = small_define()
    assert check_define(doc) == []
    written = write_define(doc)
    assert read_define(written) == doc
    assert write_define(read_define(written)) == written


def test_output_is_utf8_with_the_three_namespaces_and_schema_order() -> None:
    written = write_define(small_define())
    assert written.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<ODM ')
    root = etree.fromstring(written)
    assert root.nsmap == {
        None: "http://www.cdisc.org/ns/odm/v1.3",
        "def": "http://www.cdisc.org/ns/def/v2.1",
        "xlink": "http://www.w3.org/1999/xlink",
    }
    assert root.get("ODMVersion") == "1.3.2" and root.get("FileType") == "Snapshot"
    mdv = root.find("odm:Study/odm:MetaDataVersion", NS)
    assert mdv is not None
    order = [etree.QName(child).localname for child in mdv]
    firsts = [name for i, name in enumerate(order) if i == 0 or order[i - 1] != name]
    assert firsts == [
        "Standards", "AnnotatedCRF", "ValueListDef", "WhereClauseDef", "ItemGroupDef", "ItemDef", "CodeList",
        "MethodDef", "CommentDef", "leaf",
    ]  # fmt: skip
    dm = mdv.find("odm:ItemGroupDef", NS)
    assert dm is not None
    assert [etree.QName(c).localname for c in dm] == ["Description"] + ["ItemRef"] * 5 + ["Class", "leaf"]
    age = mdv.find("odm:ItemGroupDef/odm:ItemRef[@ItemOID='IT.DM.AGE']", NS)
    assert age is not None and age.get("MethodOID") == "MT.AGE"
    assert mdv.xpath("def:ValueListDef/odm:ItemRef/def:WhereClauseRef/@WhereClauseOID", namespaces=NS) == [
        "WC.SYSBP",
        "WC.TEMP",
    ]


def test_stylesheet_instruction_is_written_when_asked() -> None:
    written = write_define(small_define(), stylesheet="define2-1.xsl")
    assert written.splitlines()[1] == b'<?xml-stylesheet type="text/xsl" href="define2-1.xsl"?>'
    assert read_define(written) == small_define()
    assert b"xml-stylesheet" not in write_define(small_define())


def test_writing_is_deterministic_and_depends_on_the_creation_datetime_given() -> None:
    doc = small_define()
    assert write_define(doc) == write_define(small_define())
    later = dataclasses.replace(doc, creation_datetime="2026-11-27T10:00:00")
    assert b'CreationDateTime="2026-11-27T10:00:00"' in write_define(later)


def test_text_and_languages_survive_exactly() -> None:
    doc = small_define()
    dm = doc.item_groups[0]
    texts = (TranslatedText("  Démographie & <données>  ", "fr"), TranslatedText("Demographics", None))
    changed = dataclasses.replace(doc, item_groups=(dataclasses.replace(dm, description=texts), *doc.item_groups[1:]))
    back = read_define(write_define(changed))
    assert back.item_groups[0].description == texts


def test_writer_refuses_a_document_with_problems_and_lists_them_all() -> None:
    doc = small_define()
    dm: ItemGroupDef = doc.item_groups[0]
    broken = dataclasses.replace(dm, structure=None, standard_oid="STD.NOPE")
    with pytest.raises(FormatError) as error:
        write_define(dataclasses.replace(doc, item_groups=(broken, *doc.item_groups[1:])))
    assert [str(p) for p in error.value.problems] == [
        "ItemGroupDef IG.DM: has no def:Structure",
        "ItemGroupDef IG.DM: def:StandardOID refers to STD.NOPE, which is not defined",
    ]


def test_sub_classes_and_page_ranges_round_trip() -> None:
    doc = small_define()
    ae = dataclasses.replace(
        doc.item_groups[1],
        item_class=ItemGroupClass("EVENTS", (SubClass("ADVERSE EVENT", "OCCURRENCE DATA STRUCTURE"),)),
    )
    comment = dataclasses.replace(
        doc.comments[1],
        document_refs=(DocumentRef("LF.csdrg", (PDFPageRef("PhysicalRef", first_page=4, last_page=7),)),),
    )
    changed = dataclasses.replace(
        doc, item_groups=(doc.item_groups[0], ae, doc.item_groups[2]), comments=(doc.comments[0], comment)
    )
    written = write_define(changed)
    assert b'<def:SubClass Name="ADVERSE EVENT" ParentClass="OCCURRENCE DATA STRUCTURE"/>' in written
    assert b'<def:PDFPageRef FirstPage="4" LastPage="7" Type="PhysicalRef"/>' in written
    assert read_define(written) == changed


def test_a_stylesheet_that_would_close_the_instruction_is_refused() -> None:
    with pytest.raises(FormatError) as error:
        write_define(small_define(), stylesheet="x.xsl?><evil/>")
    assert [p.location for p in error.value.problems] == ["stylesheet"]
