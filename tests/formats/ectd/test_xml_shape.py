"""The XML written is well-formed and uses the element names of the ICH and FDA DTDs.

Expected fragments are hand-written from ICH eCTD Specification v3.2.2 Appendix 6 (leaf attributes, checksum-type
"md5", xlink:href relative to the sequence folder, title child) and Appendix 8 (ich-ectd-3-2.dtd: element
m2-5-clinical-overview inside m2-common-technical-document-summaries; m5-3-5-1-... inside m5-3-5-... which carries the
indication attribute, inside m5-3-clinical-study-reports inside m5-clinical-study-reports; xlink namespace fixed to
http://www.w3c.org/1999/xlink), and from FDA's Module 1 spec v2.3 III.B (application/submission-information).
"""

import hashlib

from lxml import etree

from opencro.formats.xmlsafe import parse_xml
from tests.formats.ectd.conftest import Built

OVERVIEW_MD5 = hashlib.md5(b"%PDF overview v1").hexdigest()

EXPECTED_M2 = f"""
<m2-common-technical-document-summaries xmlns:xlink="http://www.w3c.org/1999/xlink">
  <m2-5-clinical-overview>
    <leaf ID="clin-over" operation="new" checksum-type="md5" checksum="{OVERVIEW_MD5}"
          xlink:type="simple" xlink:href="m2/25-clin-over/clinical-overview.pdf">
      <title>Clinical overview</title>
    </leaf>
  </m2-5-clinical-overview>
</m2-common-technical-document-summaries>
"""

EXPECTED_SUBMISSION = """
<submission-information>
  <submission-id submission-type="fdast1">0000</submission-id>
  <sequence-number submission-sub-type="fdasst1">0000</sequence-number>
  <form form-type="fdaft1"/>
</submission-information>
"""


def shape(element: etree._Element) -> tuple:
    """Tag, attributes, stripped text and children: what a DTD-level comparison looks at."""
    return (
        element.tag,
        dict(element.attrib),
        (element.text or "").strip(),
        tuple(shape(child) for child in element if isinstance(child.tag, str)),
    )


def test_index_fragment_matches_the_specification(built: Built) -> None:
    root = parse_xml(str(built.out / "0000" / "index.xml")).getroot()
    assert root.tag == "{http://www.ich.org/ectd}ectd"
    assert root.get("dtd-version") == "3.2"
    expected = etree.fromstring(EXPECTED_M2.encode())
    assert shape(root.find("m2-common-technical-document-summaries")) == shape(expected)


def test_module_5_heading_path(built: Built) -> None:
    root = parse_xml(str(built.out / "0000" / "index.xml")).getroot()
    path = (
        "m5-clinical-study-reports/m5-3-clinical-study-reports/m5-3-5-reports-of-efficacy-and-safety-studies"
        "/m5-3-5-1-study-reports-of-controlled-clinical-studies-pertinent-to-the-claimed-indication/leaf"
    )
    hrefs = [leaf.get("{http://www.w3c.org/1999/xlink}href") for leaf in root.findall(path)]
    assert "m5/datasets/opc-301/tabulations/sdtm/dm.xpt" in hrefs
    assert "m5/datasets/opc-301/analysis/adam/datasets/adsl.xpt" in hrefs
    efficacy = "m5-clinical-study-reports/m5-3-clinical-study-reports/m5-3-5-reports-of-efficacy-and-safety-studies"
    assert root.find(efficacy).get("indication") == "hypertension"
    # module roots in DTD order: m1, m2, m5 (m3/m4 absent: no leaves, App. 6 "empty headings are not included")
    assert [child.tag for child in root] == [
        "m1-administrative-information-and-prescribing-information",
        "m2-common-technical-document-summaries",
        "m5-clinical-study-reports",
    ]


def test_us_regional_fragment(built: Built) -> None:
    root = parse_xml(str(built.out / "0000" / "m1" / "us" / "us-regional.xml")).getroot()
    assert root.tag == "{http://www.ich.org/fda}fda-regional"
    assert [child.tag for child in root] == ["admin", "m1-regional"]
    info = root.find("admin/application-set/application/submission-information")
    assert shape(info) == shape(etree.fromstring(EXPECTED_SUBMISSION.encode()))
    number = root.find("admin/application-set/application/application-information/application-number")
    assert (number.get("application-type"), number.text) == ("fdaat4", "123456")
    assert root.find("m1-regional/m1-2-cover-letters/leaf").get("{http://www.w3c.org/1999/xlink}href") == "cover.pdf"
