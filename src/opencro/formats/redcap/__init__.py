"""REDCap study builds: the data dictionary CSV (with events, arms and mappings) and the project XML.

`read_dictionary` and `read_project_xml` return a `opencro.formats.build.StudyBuild` with REDCap
semantics (control types, calculated fields as methods, branching logic as conditions); the OID
scheme is described in `opencro.formats.redcap.assemble`.
"""

from opencro.formats.redcap.dictionary import read_dictionary
from opencro.formats.redcap.project_xml import read_project_xml

__all__ = ["read_dictionary", "read_project_xml"]
