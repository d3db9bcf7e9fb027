"""A lint for Django templates: visible English text that no translate tag wraps.

Template tags, variables and comments are masked first (so `{{ value }}` is data, never text),
as is everything between `{% blocktranslate %}` and `{% endblocktranslate %}` and inside
`{% comment %}`. What remains is HTML: its text nodes and its user-visible attributes (title,
placeholder, aria-label, alt, data-confirm, the value of a button-like input) must then hold
no word of two or more letters except a few names that are the same in every language.
"""

import re
from dataclasses import dataclass

# Names and regulatory identifiers written the same in every language.
ALLOWED_WORDS = frozenset({"OpenCRO", "EU", "CT", "IND", "NCT"})
VISIBLE_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt", "data-confirm", "label"})
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset"})

_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}")  # Django's own tag_re: tags never span lines
_BLOCK_NAME = re.compile(r"\{%\s*(\w+)")
_OPENERS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans", "comment": "endcomment"}
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_RAW_TEXT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_HTML_TAG = re.compile(r"<[!/]?[A-Za-z][^>]*>")
_ATTRIBUTE = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_ENTITY = re.compile(r"&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*[A-Za-z]")


@dataclass(frozen=True)
class Finding:
    """Untranslated text: the line it starts on and the words found there."""

    line: int
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text!r}"


def _blank(text: str) -> str:
    """Keep newlines (so offsets and line numbers survive) and turn everything else into spaces."""
    return re.sub(r"[^\n]", " ", text)


def _mask_template(source: str) -> str:
    """Replace template syntax by NULs and translated or commented regions by spaces."""
    out: list[str] = []
    position = 0
    closing: str | None = None
    for match in _TAG.finditer(source):
        between = source[position : match.start()]
        out.append(_blank(between) if closing else between)
        tag = match.group()
        name_match = _BLOCK_NAME.match(tag)
        name = name_match.group(1) if name_match else ""
        if closing is None and name in _OPENERS:
            closing = _OPENERS[name]
        elif closing is not None and name == closing:
            closing = None
        out.append("\0" * len(tag))
        position = match.end()
    rest = source[position:]
    out.append(_blank(rest) if closing else rest)
    return "".join(out)


def _word_matches(text: str) -> list[re.Match]:
    """The words of `text` that need a translation (entities and allowed names left out)."""
    text = _ENTITY.sub(lambda m: " " * len(m.group()), text)
    return [m for m in _WORD.finditer(text) if m.group() not in ALLOWED_WORDS]


def _words(text: str) -> list[str]:
    return [m.group() for m in _word_matches(text)]


def lint_template(source: str) -> list[Finding]:
    """Return every stretch of visible, untranslated English in a template's source."""
    masked = _mask_template(source)
    masked = _HTML_COMMENT.sub(lambda m: _blank(m.group()), masked)
    masked = _RAW_TEXT.sub(lambda m: _blank(m.group()), masked)
    findings: list[Finding] = []

    def line_of(offset: int) -> int:
        return source.count("\n", 0, offset) + 1

    def check_tag(match: re.Match) -> str:
        tag = match.group()
        attributes = {
            m.group(1).lower(): next(v for v in m.groups()[1:] if v is not None) for m in _ATTRIBUTE.finditer(tag)
        }
        visible = set(VISIBLE_ATTRIBUTES)
        if tag.lower().startswith("<input") and attributes.get("type", "").lower() in BUTTON_INPUT_TYPES:
            visible.add("value")
        for name, value in attributes.items():
            if name in visible and (words := _words(value)):
                findings.append(Finding(line_of(match.start()), f"{name}={' '.join(words)}"))
        return _blank(tag)

    text_only = _HTML_TAG.sub(check_tag, masked)
    by_line: dict[int, list[str]] = {}
    for match in _word_matches(text_only):
        by_line.setdefault(line_of(match.start()), []).append(match.group())
    findings.extend(Finding(line, " ".join(words)) for line, words in by_line.items())
    return sorted(findings, key=lambda f: f.line)
