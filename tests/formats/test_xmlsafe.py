"""The hardened XML entry points refuse entity declarations and never fetch anything."""

import io

import pytest

from opencro.formats.errors import FormatError
from opencro.formats.xmlsafe import iterparse_xml, parse_xml

BOMB = b'<?xml version="1.0"?><!DOCTYPE ODM [<!ENTITY x "boom">]><ODM a="&x;"><B>&x;</B></ODM>'
EXTERNAL = b'<?xml version="1.0"?><!DOCTYPE ODM SYSTEM "http://example.invalid/odm.dtd"><ODM/>'


def test_parse_refuses_entity_declarations():
    with pytest.raises(FormatError, match="entity declarations"):
        parse_xml(BOMB)


def test_streaming_refuses_entity_declarations_before_yielding_anything():
    seen = []
    with pytest.raises(FormatError, match="entity declarations"):
        for event, element in iterparse_xml(io.BytesIO(BOMB), events=("start",)):
            seen.append((event, element.tag))
    assert seen == []


def test_an_external_dtd_is_not_fetched():
    tree = parse_xml(EXTERNAL)  # no network access happens: load_dtd and no_network are off
    assert tree.getroot().tag == "ODM"


def test_streaming_reports_the_line_of_bad_xml():
    with pytest.raises(FormatError) as exc:
        list(iterparse_xml(io.BytesIO(b"<ODM>\n<A>\n</ODM>"), events=("end",)))
    assert exc.value.problems[0].location == "line 3"
