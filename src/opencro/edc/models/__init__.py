"""EDC tables: the study build (CRF metadata, versioned), clinical data, queries."""

from opencro.edc.models.build import (
    BuildStatus,
    BuildVersion,
    CodeList,
    CodeListItem,
    ConditionDef,
    EditCheck,
    EventDef,
    EventForm,
    FormDef,
    FormGroup,
    GroupItem,
    ItemDef,
    ItemGroupDef,
    MethodDef,
)
from opencro.edc.models.data import Casebook, EventData, FormData, FormStatus, ItemData
from opencro.edc.models.files import ItemFile
from opencro.edc.models.oversight import DataLock, LockLevel, LockState, SdvPlan, SdvRequirement
from opencro.edc.models.queries import Query, QueryMessage, QueryOrigin, QueryState

__all__ = [
    "BuildStatus",
    "BuildVersion",
    "Casebook",
    "CodeList",
    "CodeListItem",
    "ConditionDef",
    "DataLock",
    "EditCheck",
    "EventData",
    "EventDef",
    "EventForm",
    "FormData",
    "FormDef",
    "FormGroup",
    "FormStatus",
    "GroupItem",
    "ItemData",
    "ItemDef",
    "ItemFile",
    "ItemGroupDef",
    "LockLevel",
    "LockState",
    "MethodDef",
    "Query",
    "QueryMessage",
    "QueryOrigin",
    "QueryState",
    "SdvPlan",
    "SdvRequirement",
]
