"""The "$" table reader: header matching, tolerated defects of real extracts, located problems."""

import io

import pytest

from opencro.formats.errors import FormatError
from opencro.formats.faers.dollar import Column, read_dollar_table
from opencro.formats.faers.textlines import decode_line, decode_text

WANTED = (Column("primaryid", ("isr",), non_empty=True), Column("pt"), Column("drug_rec_act", required=False))


def read(text: bytes, wanted=WANTED):
    return read_dollar_table(io.BytesIO(text), file="REAC.txt", wanted=wanted)


def test_header_case_trailing_dollars_and_crlf():
    table = read(b"PRIMARYID$CASEID$PT$DRUG_REC_ACT$\r\n1$10$Rash$$\r\n2$20$ Fever $\r\n")
    assert dict(table.columns) == {"primaryid": ["1", "2"], "pt": ["Rash", "Fever"], "drug_rec_act": ["", ""]}
    assert table.records == 2 and table.repaired == 0


def test_alias_and_optional_column():
    table = read(b"ISR$PT\n5$Rash\n")
    assert dict(table.columns) == {"primaryid": ["5"], "pt": ["Rash"]}


def test_record_broken_over_lines_is_joined():
    # A free-text field with a line end in it: "1$10$Injection site" + "pain$" make one record of 4 fields.
    table = read(b"primaryid$caseid$pt$drug_rec_act\n1$10$Injection site\npain$\n2$20$Rash$\n")
    assert dict(table.columns)["pt"] == ["Injection site pain", "Rash"]
    assert table.repaired == 1


def test_short_line_that_cannot_be_joined_is_located():
    with pytest.raises(FormatError) as caught:
        read(b"primaryid$caseid$pt$drug_rec_act\n1$10\n2$20$Rash$\n3$30$Fever$\n")
    assert [str(p) for p in caught.value.problems] == ["REAC.txt line 2: has 2 fields, the header has 4"]


def test_long_line_and_short_last_line_are_located():
    with pytest.raises(FormatError) as caught:
        read(b"primaryid$caseid$pt$drug_rec_act\n1$10$Rash$$x$y\n2$20$Rash$\n3$30\n")
    assert [p.location for p in caught.value.problems] == ["REAC.txt line 2", "REAC.txt line 4"]
    assert "has 6 fields" in caught.value.problems[0].message


def test_every_problem_is_listed():
    with pytest.raises(FormatError) as caught:
        read(b"primaryid$pt\n$Rash\n2$Fever\n$Cough\n")
    assert [p.location for p in caught.value.problems] == [
        "REAC.txt line 2, column primaryid",
        "REAC.txt line 4, column primaryid",
    ]


def test_missing_and_empty():
    with pytest.raises(FormatError, match="line 1: no column 'pt'"):
        read(b"primaryid$term\n1$Rash\n")
    with pytest.raises(FormatError, match=r"REAC\.txt: the file is empty"):
        read(b"")


def test_decoding_falls_back_per_line():
    assert decode_line("Café".encode()) == "Café"
    assert decode_line(b"Caf\xe9") == "Café"  # latin-1 / cp1252 byte
    assert decode_line(b"\x80") == "€"  # cp1252 0x80
    assert decode_line(b"\x81") == "\x81"  # undefined in cp1252: latin-1
    assert decode_text("\ufeffid,var1\n".encode()) == "id,var1\n"
    assert decode_text(b"id\nCaf\xe9\n") == "id\nCafé\n"
