"""A small Define-XML 2.1 document built from scratch: DM and AE, a VS value list, a derived AGE."""

from typing import Any

from opencro.formats.definexml import (
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
    TranslatedText,
    ValueListDef,
    WhereClauseDef,
)


def text(value: str) -> tuple[TranslatedText, ...]:
    return (TranslatedText(value),)


def item(oid: str, name: str, data_type: str = "text", length: int | None = 20, **more: Any) -> ItemDef:
    return ItemDef(oid=oid, name=name, data_type=data_type, length=length, description=text(name), **more)


ACRF_PAGE_3 = (DocumentRef("LF.acrf", (PDFPageRef("PhysicalRef", "3"),)),)
COLLECTED = (Origin("Collected", "Investigator", document_refs=ACRF_PAGE_3),)
ASSIGNED = (Origin("Assigned", "Sponsor"),)


def small_define() -> DefineDocument:
    dm = ItemGroupDef(
        oid="IG.DM",
        name="DM",
        domain="DM",
        sas_dataset_name="DM",
        repeating=False,
        is_reference_data=False,
        purpose="Tabulation",
        structure="One record per subject",
        description=text("Demographics"),
        item_class=ItemGroupClass("SPECIAL PURPOSE"),
        standard_oid="STD.SDTMIG",
        archive_location_id="LF.DM",
        leaf=Leaf("LF.DM", "dm.xpt", "dm.xpt"),
        item_refs=(
            ItemRef("IT.STUDYID", True, 1, 1, role="Identifier"),
            ItemRef("IT.DM.USUBJID", True, 2, 2, role="Identifier"),
            ItemRef("IT.DM.BRTHDTC", False, 3, role="Record Qualifier"),
            ItemRef("IT.DM.AGE", False, 4, method_oid="MT.AGE", role="Record Qualifier"),
            ItemRef("IT.DM.SEX", True, 5, role="Record Qualifier"),
        ),
    )
    ae = ItemGroupDef(
        oid="IG.AE",
        name="AE",
        domain="AE",
        sas_dataset_name="AE",
        repeating=True,
        is_reference_data=False,
        purpose="Tabulation",
        structure="One record per adverse event per subject",
        description=text("Adverse Events"),
        item_class=ItemGroupClass("EVENTS"),
        standard_oid="STD.SDTMIG",
        archive_location_id="LF.AE",
        leaf=Leaf("LF.AE", "ae.xpt", "ae.xpt"),
        comment_oid="COM.AE",
        item_refs=(
            ItemRef("IT.STUDYID", True, 1, 1, role="Identifier"),
            ItemRef("IT.AE.USUBJID", True, 2, 2, role="Identifier"),
            ItemRef("IT.AE.AESEQ", True, 3, 3, role="Identifier"),
            ItemRef("IT.AE.AEDECOD", False, 4, role="Synonym Qualifier"),
            ItemRef("IT.AE.AESER", False, 5, role="Record Qualifier"),
        ),
    )
    vs = ItemGroupDef(
        oid="IG.VS",
        name="VS",
        domain="VS",
        sas_dataset_name="VS",
        repeating=True,
        purpose="Tabulation",
        structure="One record per vital sign measurement per visit per subject",
        description=text("Vital Signs"),
        item_class=ItemGroupClass("FINDINGS"),
        standard_oid="STD.SDTMIG",
        archive_location_id="LF.VS",
        leaf=Leaf("LF.VS", "vs.xpt", "vs.xpt"),
        item_refs=(
            ItemRef("IT.STUDYID", True, 1, 1, role="Identifier"),
            ItemRef("IT.VS.USUBJID", True, 2, 2, role="Identifier"),
            ItemRef("IT.VS.VSTESTCD", True, 3, 3, role="Topic"),
            ItemRef("IT.VS.VSORRES", False, 4, role="Result Qualifier"),
        ),
    )
    items = (
        item("IT.STUDYID", "STUDYID", length=12, origins=(Origin("Protocol", "Sponsor"),)),
        item("IT.DM.USUBJID", "USUBJID", length=11, origins=ASSIGNED),
        item("IT.DM.BRTHDTC", "BRTHDTC", "date", None, origins=COLLECTED),
        item("IT.DM.AGE", "AGE", "integer", 3, origins=(Origin("Derived", "Sponsor"),)),
        item("IT.DM.SEX", "SEX", length=1, code_list_oid="CL.SEX", origins=COLLECTED),
        item("IT.AE.USUBJID", "USUBJID", length=11, origins=(Origin("Predecessor", description=text("DM.USUBJID")),)),
        item("IT.AE.AESEQ", "AESEQ", "integer", 8, origins=ASSIGNED, comment_oid="COM.AESEQ"),
        item("IT.AE.AEDECOD", "AEDECOD", length=200, code_list_oid="CL.MEDDRA", origins=ASSIGNED),
        item("IT.AE.AESER", "AESER", length=1, code_list_oid="CL.NY", origins=COLLECTED),
        item("IT.VS.USUBJID", "USUBJID", length=11, origins=ASSIGNED),
        item("IT.VS.VSTESTCD", "VSTESTCD", length=8, code_list_oid="CL.VSTESTCD", origins=ASSIGNED),
        item("IT.VS.VSORRES", "VSORRES", length=5, value_list_oid="VL.VSORRES", origins=COLLECTED),
        item("IT.VS.VSORRES.SYSBP", "VSORRES", "integer", 3, origins=COLLECTED),
        item("IT.VS.VSORRES.TEMP", "VSORRES", "float", 5, significant_digits=1, origins=COLLECTED),
    )
    return DefineDocument(
        file_oid="OpenCRO.DEMO.define",
        creation_datetime="2026-11-26T09:00:00",
        originator="OpenCRO",
        source_system="OpenCRO",
        source_system_version="1.0",
        study_oid="STDY.DEMO",
        study_name="DEMO-01",
        study_description="A demonstration study",
        protocol_name="DEMO-01",
        mdv_oid="MDV.DEMO",
        mdv_name="SDTM metadata",
        mdv_description="SDTMIG 3.3 datasets",
        standards=(
            Standard("STD.SDTMIG", "SDTMIG", "IG", "3.3", "Final"),
            Standard("STD.CT", "CDISC/NCI", "CT", "2024-09-27", "Final", publishing_set="SDTM"),
        ),
        annotated_crf=(DocumentRef("LF.acrf"),),
        value_lists=(
            ValueListDef(
                "VL.VSORRES",
                (
                    ItemRef("IT.VS.VSORRES.SYSBP", False, 1, where_clause_oids=("WC.SYSBP",)),
                    ItemRef("IT.VS.VSORRES.TEMP", False, 2, where_clause_oids=("WC.TEMP",)),
                ),
            ),
        ),
        where_clauses=(
            WhereClauseDef("WC.SYSBP", (RangeCheck("IT.VS.VSTESTCD", "EQ", ("SYSBP",)),)),
            WhereClauseDef("WC.TEMP", (RangeCheck("IT.VS.VSTESTCD", "IN", ("TEMP",), "Soft"),)),
        ),
        item_groups=(dm, ae, vs),
        items=items,
        code_lists=(
            CodeList(
                "CL.SEX",
                "Sex",
                "text",
                code_list_items=(
                    CodeListItem("F", text("Female"), order_number=1, aliases=(Alias("nci:ExtCodeID", "C16576"),)),
                    CodeListItem("M", text("Male"), order_number=2, aliases=(Alias("nci:ExtCodeID", "C20197"),)),
                ),
                standard_oid="STD.CT",
                aliases=(Alias("nci:ExtCodeID", "C66731"),),
            ),
            CodeList(
                "CL.NY",
                "No Yes Response",
                "text",
                enumerated_items=(EnumeratedItem("N", order_number=1), EnumeratedItem("Y", order_number=2)),
                standard_oid="STD.CT",
            ),
            CodeList(
                "CL.VSTESTCD",
                "Vital Signs Test Code",
                "text",
                enumerated_items=(
                    EnumeratedItem("SYSBP"),
                    EnumeratedItem("TEMP"),
                    EnumeratedItem("XTEST", extended_value=True),
                ),
            ),
            CodeList("CL.MEDDRA", "MedDRA", "text", external=ExternalCodeList("MedDRA", "27.0")),
        ),
        methods=(
            MethodDef(
                "MT.AGE",
                "Algorithm to derive AGE",
                "Computation",
                text("AGE = floor((RFSTDTC - BRTHDTC) / 365.25)"),
                formal_expressions=(FormalExpression("SAS 9.4", "age = floor((rfstdt - brthdt) / 365.25);"),),
            ),
        ),
        comments=(
            CommentDef("COM.AE", text("Serious events are also reported to the safety database.")),
            CommentDef("COM.AESEQ", text("Sequence within subject."), (DocumentRef("LF.csdrg"),)),
        ),
        leafs=(Leaf("LF.acrf", "acrf.pdf", "Annotated CRF"), Leaf("LF.csdrg", "csdrg.pdf", "Reviewer's Guide")),
    )
