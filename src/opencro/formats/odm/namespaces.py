"""XML namespaces of CDISC ODM files, of the vendors that extend them, and of OpenCRO's own extension.

ODM 1.3, 1.3.1 and 1.3.2 share one namespace; the version is the root's `ODMVersion` attribute.
Vendors add attributes and elements in their own namespaces (ODM 1.3.2 section 2.3 and chapter 4,
"Vendor Extensions"); OpenCRO does the same for what ODM lacks (control types, edit checks, arms).

References: CDISC Operational Data Model (ODM) Version 1.3.2, 2013, sections 2.3 and 4.
"""

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
ODM_V2_NS = "http://www.cdisc.org/ns/odm/v2.0"
ODM_V12_NS = "http://www.cdisc.org/ns/odm/v1.2"
OPENCRO_NS = "https://opencro.org/ns/odm/v1"
OPENCRO_PREFIX = "opencro"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = f"{{{XML_NS}}}lang"

SUPPORTED_ODM_VERSIONS = ("1.3", "1.3.1", "1.3.2")
WRITTEN_ODM_VERSION = "1.3.2"

# Canonical prefixes of namespaces met in the field, used whatever prefix a file chose, so that
# extension keys ("redcap:FieldType") do not depend on how a file spelled its declarations.
KNOWN_PREFIXES: dict[str, str] = {
    "http://www.openclinica.org/ns/odm_ext_v130/v3.1": "OpenClinica",
    "http://www.openclinica.org/ns/rules/v3.1": "OpenClinicaRules",
    "https://projectredcap.org": "redcap",
    OPENCRO_NS: OPENCRO_PREFIX,
    XML_NS: "xml",
    XSI_NS: "xsi",
    "http://www.cdisc.org/ns/def/v2.0": "def",
    "http://www.cdisc.org/ns/def/v2.1": "def",
    "http://www.cdisc.org/ns/Dataset-XML/v1.0": "data",
    "http://www.w3.org/1999/xlink": "xlink",
    "http://www.w3.org/2000/09/xmldsig#": "ds",
}


def split_tag(tag: str) -> tuple[str, str]:
    """Split a Clark name "{uri}local" into (uri, local); a plain name has the empty namespace."""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return "", tag


def clark(ns: str, local: str) -> str:
    """Return the Clark name lxml uses for `local` in namespace `ns` ("" for no namespace)."""
    return f"{{{ns}}}{local}" if ns else local
