"""The .po reader the catalogue checks rely on: fuzzy flags, plurals, contexts, continuations."""

from tests.i18n.pofile import header_fields, parse_po
from tests.i18n.test_catalogues import _untranslated

SAMPLE = r"""# header comment
#, fuzzy
msgid ""
msgstr ""
"Language: es\n"
"Plural-Forms: nplurals=2; plural=n != 1;\n"

#: a.py:1
msgid "Done"
msgstr "Hecho"

#: a.py:2
#, fuzzy, python-format
#| msgid "Old %(n)s"
msgid "New %(n)s"
msgstr "Viejo %(n)s"

msgctxt "date of enrolment"
msgid "Enrolled"
msgstr ""
"Inclu"
"sión"

msgid ""
"A long "
"message"
msgstr ""

msgid "One item"
msgid_plural "%(n)s items"
msgstr[0] "Un elemento"
msgstr[1] ""

#~ msgid "Gone"
#~ msgstr "Ido"
"""


def test_reader_and_untranslated_report(tmp_path):
    path = tmp_path / "django.po"
    path.write_text(SAMPLE, encoding="utf-8")
    entries = parse_po(path)
    header, done, fuzzy, context, long, plural, gone = entries
    assert header.is_header and header.is_fuzzy and header_fields(header)["Language"] == "es"
    assert (done.msgid, done.msgstr, done.references) == ("Done", "Hecho", ["a.py:1"])
    assert fuzzy.is_fuzzy and "python-format" in fuzzy.flags and fuzzy.msgid == "New %(n)s"
    assert (context.msgctxt, context.msgid, context.msgstr) == ("date of enrolment", "Enrolled", "Inclusión")
    assert (long.msgid, long.msgstr) == ("A long message", "")
    assert plural.msgid_plural == "%(n)s items" and plural.translations() == ["Un elemento", ""]
    assert gone.obsolete and gone.msgid == "Gone"
    reported = _untranslated(entries)
    assert [r.split(": ", 1)[1] for r in reported] == ["'New %(n)s' (fuzzy)", "'A long message'", "'One item'"]
