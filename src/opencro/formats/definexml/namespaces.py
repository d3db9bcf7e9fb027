"""XML namespaces of Define-XML 2.1: ODM 1.3 (default), def 2.1 and xlink (Define-XML 2.1 section 3.1)."""

from opencro.formats.odm.namespaces import ODM_NS

DEF_NS = "http://www.cdisc.org/ns/def/v2.1"
DEF_V20_NS = "http://www.cdisc.org/ns/def/v2.0"
XLINK_NS = "http://www.w3.org/1999/xlink"
NSMAP = {None: ODM_NS, "def": DEF_NS, "xlink": XLINK_NS}

__all__ = ["DEF_NS", "DEF_V20_NS", "NSMAP", "ODM_NS", "XLINK_NS"]
