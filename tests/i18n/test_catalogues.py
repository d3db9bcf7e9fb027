"""The shipped catalogues: complete, never fuzzy, compiled, and covering every marked string."""

import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import translation

from tests.i18n.pofile import Entry, header_fields, parse_po

PACKAGE_DIR = Path(django_settings.PACKAGE_DIR)
SHIPPED = ["es", "ja"]
_PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_]\w*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def _po(lang: str, root: Path = PACKAGE_DIR) -> Path:
    return root / "locale" / lang / "LC_MESSAGES" / "django.po"


def _untranslated(entries: list[Entry]) -> list[str]:
    """Messages a reader would see in English: empty, fuzzy or (for plurals) missing a form."""
    return [
        f"line {e.line}: {e.msgid!r}" + (" (fuzzy)" if e.is_fuzzy else "")
        for e in entries
        if not e.is_header and not e.obsolete and (e.is_fuzzy or not all(s.strip() for s in e.translations()))
    ]


def test_settings_offer_english_and_the_shipped_languages():
    codes = [code for code, _name in django_settings.LANGUAGES]
    assert codes[0] == "en"
    assert set(SHIPPED) <= set(codes)
    assert Path(django_settings.LOCALE_PATHS[0]) == PACKAGE_DIR / "locale"


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    entries = parse_po(_po(lang))
    header = entries[0]
    assert header.is_header and not header.is_fuzzy
    assert header_fields(header)["Language"] == lang
    assert "charset=UTF-8" in header_fields(header)["Content-Type"]
    messages = [e for e in entries if not e.is_header]
    assert len(messages) > 250
    assert not [e.msgid for e in messages if e.obsolete], "obsolete entries: run `make messages` (--no-obsolete)"
    assert _untranslated(entries) == []


@pytest.mark.parametrize("lang", SHIPPED)
def test_plural_messages_have_every_form_the_language_needs(lang):
    """Spanish needs three forms in Django's rule, Japanese one; a missing form shows English."""
    entries = parse_po(_po(lang))
    nplurals = int(re.search(r"nplurals=(\d+)", header_fields(entries[0])["Plural-Forms"]).group(1))
    wrong = [e.msgid for e in entries if e.msgid_plural and sorted(e.plurals) != list(range(nplurals))]
    assert wrong == []


@pytest.mark.parametrize("lang", SHIPPED)
def test_plural_messages_are_translated_for_every_count(lang):
    """Whatever the count, the page gets one of the translated forms, never the English."""
    plurals = [e for e in parse_po(_po(lang)) if e.msgid_plural]
    untranslated = []
    with translation.override(lang):
        for e in plurals:
            for n in (0, 1, 2, 5, 21, 1_000_000):
                if e.msgctxt is None:
                    text = translation.ngettext(e.msgid, e.msgid_plural, n)
                else:
                    text = translation.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                if text not in e.translations():
                    untranslated.append((e.msgid, n, text))
    assert untranslated == []


@pytest.mark.parametrize("lang", SHIPPED)
def test_translations_keep_every_placeholder(lang):
    """A dropped or renamed %(name)s would crash or mislead at run time."""
    wrong = []
    for e in parse_po(_po(lang)):
        if e.is_header or "python-format" not in e.flags:
            continue
        expected = sorted(_PLACEHOLDER.findall(e.msgid))
        for text in e.translations():
            if sorted(_PLACEHOLDER.findall(text)) != expected:
                wrong.append((e.msgid, text))
    assert wrong == []


@pytest.mark.parametrize("lang", SHIPPED)
def test_compiled_catalogue_matches_the_po_file(lang):
    """The .mo shipped in the package holds exactly what the .po says (compilemessages was run)."""
    po = _po(lang)
    with po.with_suffix(".mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    stale = []
    for e in parse_po(po):
        if e.is_header:
            continue
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        forms = sorted(e.plurals) if e.msgid_plural else [None]
        compiled = [catalog.get(key if n is None else (key, n)) for n in forms]
        if compiled != e.translations():
            stale.append(e.msgid)
    assert stale == [], "run `make messages` (compilemessages) after editing the .po files"


def test_every_marked_string_in_the_code_has_a_translation(tmp_path, settings, monkeypatch):
    """Run makemessages on a copy of the package: a newly marked string that nobody translated
    shows up as an empty (or fuzzy) entry and fails here."""
    copy = tmp_path / "opencro"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static", "var"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=SHIPPED, no_obsolete=True, ignore_patterns=["var/*"], verbosity=0)
    missing = {lang: _untranslated(parse_po(_po(lang, copy))) for lang in SHIPPED}
    assert missing == {lang: [] for lang in SHIPPED}, "run `make messages`, translate, and recompile"
