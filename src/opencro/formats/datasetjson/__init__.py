"""CDISC Dataset-JSON 1.1: CDISC's JSON successor to SAS XPORT for SDTM, SEND and ADaM datasets.

Readers and writers for the document form and the NDJSON variant, validated against CDISC's JSON
Schema (`dataset.schema.json`, copied unchanged from cdisc-org/DataExchange-DatasetJson, MIT
licence) and the CDISC Dataset-JSON v1.1 specification.
"""

from opencro.formats.datasetjson.model import DatasetJson, DatasetJsonColumn
from opencro.formats.datasetjson.reader import dataset_from_document, read_dataset_json, read_dataset_ndjson
from opencro.formats.datasetjson.schema import validate
from opencro.formats.datasetjson.writer import dataset_to_document, write_dataset_json, write_dataset_ndjson

__all__ = [
    "DatasetJson",
    "DatasetJsonColumn",
    "dataset_from_document",
    "dataset_to_document",
    "read_dataset_json",
    "read_dataset_ndjson",
    "validate",
    "write_dataset_json",
    "write_dataset_ndjson",
]
