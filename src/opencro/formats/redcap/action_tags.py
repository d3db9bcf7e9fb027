"""REDCap action tags in the Field Annotation column (``@HIDDEN``, ``@DEFAULT='x'``, ``@CALCDATE(...)``).

Each tag becomes an extension ``redcap:@TAG`` whose value is the tag's argument (without quotes or
the outer parentheses), or "" for a bare tag: test presence with ``"redcap:@HIDDEN" in extensions``.
Tags nested inside another tag's parentheses (``@IF(..., @HIDDEN, ...)``) stay part of that tag's
value. The raw annotation is kept too, so nothing is lost.

References: REDCap "Action Tags" help (Project Setup > Online Designer), field annotation column R
of the data dictionary.
"""

import re

_TAG = re.compile(r"@([A-Z][A-Z0-9_-]*)")


def parse_action_tags(annotation: str) -> dict[str, str]:
    """Map each top-level action tag name (with its "@") to its argument; the first of a repeated tag wins."""
    tags: dict[str, str] = {}
    i, n = 0, len(annotation)
    while i < n:
        if annotation[i] != "@" or (i > 0 and not annotation[i - 1].isspace() and annotation[i - 1] not in "(,"):
            i += 1
            continue
        match = _TAG.match(annotation, i)
        if not match:
            i += 1
            continue
        name, i = "@" + match.group(1), match.end()
        value = ""
        if i < n and annotation[i] == "=":
            value, i = _read_value(annotation, i + 1)
        elif i < n and annotation[i] == "(":
            end = _closing_paren(annotation, i)
            value, i = annotation[i + 1 : end], end + 1
        tags.setdefault(name, value)
    return tags


def _read_value(text: str, i: int) -> tuple[str, int]:
    """Read a quoted or bare value starting at `i`; return it and the index after it."""
    if i < len(text) and text[i] in "'\"":
        quote = text[i]
        end = text.find(quote, i + 1)
        if end < 0:
            return text[i + 1 :], len(text)
        return text[i + 1 : end], end + 1
    end = i
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[i:end], end


def _closing_paren(text: str, start: int) -> int:
    """Index of the parenthesis closing the one at `start` (quotes respected), or the text's end."""
    depth, quote = 0, ""
    for j in range(start, len(text)):
        char = text[j]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return j
    return len(text)
