"""CDISC Define-XML 2.1: the metadata that accompanies a submission's SDTM, SEND or ADaM datasets.

`read_define` reads a define.xml into a typed, frozen `DefineDocument`; `write_define` writes one
back (deterministic UTF-8 bytes); `check_define` lists the referential and conditional problems a
Define-XML validator reports, each located by OID. Both reader and writer are all-or-nothing.

Reference: CDISC Define-XML Specification Version 2.1, 2019.
"""

from opencro.formats.definexml.checks import check_define
from opencro.formats.definexml.model import (
    Alias,
    CodeList,
    CodeListItem,
    CommentDef,
    DefineDocument,
    DocumentRef,
    EnumeratedItem,
    ExternalCodeList,
    FormalExpression,
    ItemDef,
    ItemGroupClass,
    ItemGroupDef,
    ItemRef,
    Leaf,
    MethodDef,
    Origin,
    PDFPageRef,
    RangeCheck,
    Standard,
    SubClass,
    TranslatedText,
    ValueListDef,
    WhereClauseDef,
)
from opencro.formats.definexml.reader import read_define
from opencro.formats.definexml.writer import write_define

__all__ = [
    "Alias",
    "CodeList",
    "CodeListItem",
    "CommentDef",
    "DefineDocument",
    "DocumentRef",
    "EnumeratedItem",
    "ExternalCodeList",
    "FormalExpression",
    "ItemDef",
    "ItemGroupClass",
    "ItemGroupDef",
    "ItemRef",
    "Leaf",
    "MethodDef",
    "Origin",
    "PDFPageRef",
    "RangeCheck",
    "Standard",
    "SubClass",
    "TranslatedText",
    "ValueListDef",
    "WhereClauseDef",
    "check_define",
    "read_define",
    "write_define",
]
