"""Each Define-XML 2.1 check fails on a document made to break it, and names the OID at fault."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from opencro.formats.definexml import (
    CodeList,
    DefineDocument,
    DocumentRef,
    EnumeratedItem,
    ItemDef,
    ItemRef,
    Origin,
    RangeCheck,
    check_define,
    write_define,
)
from opencro.formats.errors import FormatError, Problem
from tests.formats.definexml.samples import small_define

KINDS = {
    "item_groups": "oid",
    "items": "oid",
    "code_lists": "oid",
    "value_lists": "oid",
    "where_clauses": "oid",
    "methods": "oid",
    "comments": "oid",
    "standards": "oid",
    "leafs": "id",
}


def change(doc: DefineDocument, kind: str, oid: str, /, **changes: Any) -> DefineDocument:
    """`doc` with the definition `oid` of `kind` changed."""
    key = KINDS[kind]
    found = [d for d in getattr(doc, kind) if getattr(d, key) == oid]
    assert found, f"{kind} {oid} not in the sample"
    changed: dict[str, Any] = {
        kind: tuple(dataclasses.replace(d, **changes) if d in found else d for d in getattr(doc, kind))
    }
    return dataclasses.replace(doc, **changed)


def change_ref(doc: DefineDocument, group_oid: str, item_oid: str, /, **changes: Any) -> DefineDocument:
    groups: list[Any] = [*doc.item_groups, *doc.value_lists]
    group = next(g for g in groups if g.oid == group_oid)
    refs = tuple(dataclasses.replace(r, **changes) if r.item_oid == item_oid else r for r in group.item_refs)
    kind = "item_groups" if group in doc.item_groups else "value_lists"
    return change(doc, kind, group_oid, item_refs=refs)


def add(doc: DefineDocument, kind: str, definition: Any) -> DefineDocument:
    added: dict[str, Any] = {kind: (*getattr(doc, kind), definition)}
    return dataclasses.replace(doc, **added)


Breaker = Callable[[DefineDocument], DefineDocument]
CASES: list[tuple[str, Breaker, Problem]] = [
    (
        "ItemOID undefined",
        lambda d: change_ref(d, "IG.DM", "IT.DM.SEX", item_oid="IT.DM.GENDER"),
        Problem("ItemGroupDef IG.DM, ItemRef IT.DM.GENDER", "ItemOID refers to IT.DM.GENDER, which is not defined"),
    ),
    (
        "CodeListOID undefined",
        lambda d: change(d, "items", "IT.DM.SEX", code_list_oid="CL.GENDER"),
        Problem("ItemDef IT.DM.SEX", "CodeListRef CodeListOID refers to CL.GENDER, which is not defined"),
    ),
    (
        "MethodOID undefined",
        lambda d: change_ref(d, "IG.DM", "IT.DM.AGE", method_oid="MT.AGEX"),
        Problem("ItemGroupDef IG.DM, ItemRef IT.DM.AGE", "MethodOID refers to MT.AGEX, which is not defined"),
    ),
    (
        "CommentOID undefined",
        lambda d: change(d, "item_groups", "IG.AE", comment_oid="COM.GONE"),
        Problem("ItemGroupDef IG.AE", "def:CommentOID refers to COM.GONE, which is not defined"),
    ),
    (
        "WhereClauseOID undefined",
        lambda d: change_ref(d, "VL.VSORRES", "IT.VS.VSORRES.TEMP", where_clause_oids=("WC.TEMPX",)),
        Problem(
            "def:ValueListDef VL.VSORRES, ItemRef IT.VS.VSORRES.TEMP",
            "def:WhereClauseRef WhereClauseOID refers to WC.TEMPX, which is not defined",
        ),
    ),
    (
        "ValueListOID undefined",
        lambda d: change(d, "items", "IT.VS.VSORRES", value_list_oid="VL.NONE"),
        Problem("ItemDef IT.VS.VSORRES", "def:ValueListRef ValueListOID refers to VL.NONE, which is not defined"),
    ),
    (
        "StandardOID undefined",
        lambda d: change(d, "code_lists", "CL.SEX", standard_oid="STD.CT2"),
        Problem("CodeList CL.SEX", "def:StandardOID refers to STD.CT2, which is not defined"),
    ),
    (
        "leaf ID undefined",
        lambda d: change(d, "comments", "COM.AESEQ", document_refs=(DocumentRef("LF.sap"),)),
        Problem("def:CommentDef COM.AESEQ", "def:DocumentRef leafID refers to LF.sap, which is not defined"),
    ),
    (
        "RangeCheck ItemOID undefined",
        lambda d: change(d, "where_clauses", "WC.SYSBP", range_checks=(RangeCheck("IT.VS.VSTEST", "EQ", ("SYSBP",)),)),
        Problem(
            "def:WhereClauseDef WC.SYSBP, RangeCheck IT.VS.VSTEST",
            "def:ItemOID refers to IT.VS.VSTEST, which is not defined",
        ),
    ),
    (
        "ArchiveLocationID not the dataset's leaf",
        lambda d: change(d, "item_groups", "IG.AE", archive_location_id="LF.DM"),
        Problem("ItemGroupDef IG.AE", "def:ArchiveLocationID LF.DM does not name the dataset's def:leaf"),
    ),
    (
        "ItemDef OID twice",
        lambda d: add(d, "items", ItemDef("IT.DM.AGE", "AGE", "integer", 3)),
        Problem("ItemDef IT.DM.AGE", "is defined 2 times; OIDs must be unique"),
    ),
    (
        "CodeList OID twice",
        lambda d: add(d, "code_lists", CodeList("CL.NY", "NY", "text", (EnumeratedItem("Y"),))),
        Problem("CodeList CL.NY", "is defined 2 times; OIDs must be unique"),
    ),
    (
        "OrderNumber twice in a dataset",
        lambda d: change_ref(d, "IG.AE", "IT.AE.AESER", order_number=4),
        Problem("ItemGroupDef IG.AE", "OrderNumber 4 is used by 2 ItemRefs; it must be unique"),
    ),
    (
        "KeySequence with a gap",
        lambda d: change_ref(d, "IG.AE", "IT.AE.AESEQ", key_sequence=4),
        Problem("ItemGroupDef IG.AE", "KeySequence values 1, 2, 4 do not run 1..3 without gaps or repeats"),
    ),
    (
        "KeySequence repeated",
        lambda d: change_ref(d, "IG.VS", "IT.VS.VSTESTCD", key_sequence=2),
        Problem("ItemGroupDef IG.VS", "KeySequence values 1, 2, 2 do not run 1..3 without gaps or repeats"),
    ),
    (
        "Derived without method",
        lambda d: change_ref(d, "IG.DM", "IT.DM.AGE", method_oid=None),
        Problem(
            "ItemGroupDef IG.DM, ItemRef IT.DM.AGE",
            "the item's def:Origin is Derived, so the ItemRef needs a MethodOID",
        ),
    ),
    (
        "Derived value-level item without method",
        lambda d: change(d, "items", "IT.VS.VSORRES.TEMP", origins=(Origin("Derived", "Sponsor"),)),
        Problem(
            "def:ValueListDef VL.VSORRES, ItemRef IT.VS.VSORRES.TEMP",
            "the item's def:Origin is Derived, so the ItemRef needs a MethodOID",
        ),
    ),
    (
        "Predecessor without description",
        lambda d: change(d, "items", "IT.AE.USUBJID", origins=(Origin("Predecessor"),)),
        Problem("ItemDef IT.AE.USUBJID", "a Predecessor def:Origin needs a Description naming the predecessor"),
    ),
    (
        "Origin type unknown",
        lambda d: change(d, "items", "IT.DM.SEX", origins=(Origin("eCRF", "Investigator"),)),
        Problem(
            "ItemDef IT.DM.SEX",
            "def:Origin Type 'eCRF' is not one of Collected, Derived, Assigned, Protocol, Predecessor, "
            "Not Available, Other",
        ),
    ),
    (
        "Origin source unknown",
        lambda d: change(d, "items", "IT.DM.SEX", origins=(Origin("Collected", "Site"),)),
        Problem("ItemDef IT.DM.SEX", "def:Origin Source 'Site' is not one of Investigator, Sponsor, Subject, Vendor"),
    ),
    (
        "text without Length",
        lambda d: change(d, "items", "IT.DM.SEX", length=None),
        Problem("ItemDef IT.DM.SEX", "DataType text needs a Length"),
    ),
    (
        "date with a Length",
        lambda d: change(d, "items", "IT.DM.BRTHDTC", length=10),
        Problem("ItemDef IT.DM.BRTHDTC", "DataType date must not have a Length"),
    ),
    (
        "DataType outside the allowed set",
        lambda d: change(d, "items", "IT.DM.AGE", data_type="double"),
        Problem(
            "ItemDef IT.DM.AGE",
            "DataType 'double' is not one of text, integer, float, date, datetime, time, partialDate, partialTime, "
            "partialDatetime, incompleteDatetime, durationDatetime, intervalDatetime",
        ),
    ),
    (
        "no def:Structure",
        lambda d: change(d, "item_groups", "IG.VS", structure=None),
        Problem("ItemGroupDef IG.VS", "has no def:Structure"),
    ),
    (
        "no Purpose",
        lambda d: change(d, "item_groups", "IG.VS", purpose=None),
        Problem("ItemGroupDef IG.VS", "has no Purpose"),
    ),
    (
        "Comparator unknown",
        lambda d: change(
            d, "where_clauses", "WC.SYSBP", range_checks=(RangeCheck("IT.VS.VSTESTCD", "LIKE", ("SYS%",)),)
        ),
        Problem(
            "def:WhereClauseDef WC.SYSBP, RangeCheck IT.VS.VSTESTCD",
            "Comparator 'LIKE' is not one of EQ, NE, IN, NOTIN, LT, LE, GT, GE",
        ),
    ),
    (
        "EQ with two values",
        lambda d: change(
            d, "where_clauses", "WC.SYSBP", range_checks=(RangeCheck("IT.VS.VSTESTCD", "EQ", ("A", "B")),)
        ),
        Problem("def:WhereClauseDef WC.SYSBP, RangeCheck IT.VS.VSTESTCD", "Comparator EQ takes one CheckValue, not 2"),
    ),
    (
        "value-level ItemRef without where clause",
        lambda d: change_ref(d, "VL.VSORRES", "IT.VS.VSORRES.SYSBP", where_clause_oids=()),
        Problem(
            "def:ValueListDef VL.VSORRES, ItemRef IT.VS.VSORRES.SYSBP",
            "a value-level ItemRef needs a def:WhereClauseRef",
        ),
    ),
    (
        "code list with two kinds of content",
        lambda d: change(d, "code_lists", "CL.NY", external=d.code_lists[-1].external),
        Problem("CodeList CL.NY", "must hold exactly one of EnumeratedItems, CodeListItems or an ExternalCodeList"),
    ),
    (
        "Context unknown",
        lambda d: dataclasses.replace(d, context="Draft"),
        Problem("ODM", "def:Context 'Draft' is not one of Submission, Other"),
    ),
    (
        "Standard type unknown",
        lambda d: change(d, "standards", "STD.CT", type="Terminology"),
        Problem("def:Standard STD.CT", "Type 'Terminology' is not one of IG, CT"),
    ),
    (
        "leaf ID twice",
        lambda d: change(d, "leafs", "LF.csdrg", id="LF.DM"),
        Problem("def:leaf LF.DM", "is defined 2 times; OIDs must be unique"),
    ),
]


@pytest.mark.parametrize(("breaker", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_check_names_the_oid_and_the_writer_refuses(breaker: Breaker, expected: Problem) -> None:
    broken = breaker(small_define())
    problems = check_define(broken)
    assert expected in problems
    with pytest.raises(FormatError) as error:
        write_define(broken)
    assert expected in error.value.problems


def test_the_same_oid_in_two_kinds_is_allowed() -> None:
    doc = change(small_define(), "methods", "MT.AGE", oid="IT.DM.AGE")
    doc = change_ref(doc, "IG.DM", "IT.DM.AGE", method_oid="IT.DM.AGE")
    assert check_define(doc) == []


def test_all_problems_are_listed_together_in_document_order() -> None:
    doc = change(small_define(), "items", "IT.DM.SEX", length=None, code_list_oid="CL.GENDER")
    doc = change_ref(doc, "IG.AE", "IT.AE.AESEQ", key_sequence=4)
    assert check_define(doc) == [
        Problem("ItemGroupDef IG.AE", "KeySequence values 1, 2, 4 do not run 1..3 without gaps or repeats"),
        Problem("ItemDef IT.DM.SEX", "DataType text needs a Length"),
        Problem("ItemDef IT.DM.SEX", "CodeListRef CodeListOID refers to CL.GENDER, which is not defined"),
    ]


def test_key_sequences_are_optional() -> None:
    doc = small_define()
    for ref in ("IT.STUDYID", "IT.AE.USUBJID", "IT.AE.AESEQ"):
        doc = change_ref(doc, "IG.AE", ref, key_sequence=None)
    assert check_define(doc) == []
    assert ItemRef("IT.X", True).key_sequence is None
