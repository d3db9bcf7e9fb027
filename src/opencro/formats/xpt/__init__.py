"""SAS XPORT version 5 transport files: the format of FDA study data (SDTM, ADaM, SEND).

`write_xpt` and `read_xpt` follow SAS Institute TS-140 "The record layout of a data set in SAS
transport (XPORT) format" and the FDA Study Data Technical Conformance Guide's v5 constraints.
"""

from opencro.formats.xpt.model import XptDataset, XptVariable
from opencro.formats.xpt.reader import read_xpt
from opencro.formats.xpt.writer import write_xpt

__all__ = ["XptDataset", "XptVariable", "read_xpt", "write_xpt"]
