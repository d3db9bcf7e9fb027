"""Tokenizer: turns expression text into tokens that remember their column.

Accepts REDCap branching-logic/calculation syntax (bracketed `[field]`, `[event][field]`,
`[field(code)]`, `<>`, `AND`/`OR`, `^`) and the older Python-like eligibility syntax (bare
names, `==`, `!=`, `**`, lower-case `and`/`or`/`not`). REDCap Help & FAQ, "Branching Logic"
and "Calculated Fields" sections, describe the bracket forms.
"""

import math
import re
from dataclasses import dataclass

from opencro.core.logic.errors import ExpressionError

MAX_SOURCE_LENGTH = 2000
MAX_INT_BITS = 1024

# Longest first, so "<=" wins over "<" and "**" over "*".
_OPERATORS = {
    "**": "^",
    "==": "=",
    "!=": "<>",
    "<>": "<>",
    "<=": "<=",
    ">=": ">=",
    "&&": "and",
    "||": "or",
    "+": "+",
    "-": "-",
    "*": "*",
    "/": "/",
    "%": "%",
    "^": "^",
    "=": "=",
    "<": "<",
    ">": ">",
    "!": "not",
}
_KEYWORD_OPS = {"and": "and", "or": "or", "not": "not", "in": "in"}
_BOOLEANS = {"true": True, "false": False}
_PUNCTUATION = {"(": "LPAREN", ")": "RPAREN", "[": "LBRACK", "]": "RBRACK", ",": "COMMA"}

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
BRACKET_VAR = re.compile(r"\[([A-Za-z_][A-Za-z0-9_.]*)(?:\(([A-Za-z0-9_\-]+)\))?\]")
_IDENT = re.compile(_NAME)
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_SPACE = re.compile(r"\s+")
_DIGITS = frozenset("0123456789")


@dataclass(frozen=True, slots=True)
class Token:
    """One token. kind is NUM, STR, BOOL, IDENT, VAR, OP, LPAREN, RPAREN, LBRACK, RBRACK, COMMA or EOF.

    For OP, `value` is the canonical operator ("=", "<>", "^", "and", "not", ...); for VAR it is
    the name and `code` the checkbox choice code; `col` is 1-based and `end` is the 0-based offset
    just past the token.
    """

    kind: str
    value: int | float | str | bool | None
    col: int
    end: int
    text: str
    code: str | None = None


def tokenize(source: str) -> list[Token]:
    """Split `source` into tokens, ending with an EOF token; raise ExpressionError with the column."""
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_SOURCE_LENGTH} characters", MAX_SOURCE_LENGTH + 1)
    tokens: list[Token] = []
    pos = 0
    n = len(source)
    while pos < n:
        ch = source[pos]
        if ch.isspace():
            match = _SPACE.match(source, pos)
            pos = match.end() if match else pos + 1
            continue
        col = pos + 1
        if ch == "[":
            var = BRACKET_VAR.match(source, pos)
            if var:
                tokens.append(Token("VAR", var.group(1), col, var.end(), var.group(0), var.group(2)))
                pos = var.end()
                continue
        if ch in _PUNCTUATION:
            tokens.append(Token(_PUNCTUATION[ch], ch, col, pos + 1, ch))
            pos += 1
            continue
        if ch in "'\"":
            close = source.find(ch, pos + 1)
            if close < 0:
                raise ExpressionError("unterminated string", col)
            text = source[pos : close + 1]
            tokens.append(Token("STR", source[pos + 1 : close], col, close + 1, text))
            pos = close + 1
            continue
        if ch in _DIGITS or (ch == "." and pos + 1 < n and source[pos + 1] in _DIGITS):
            match = _NUMBER.match(source, pos)
            assert match is not None
            tokens.append(Token("NUM", _number(match.group(0), col), col, match.end(), match.group(0)))
            pos = match.end()
            continue
        if ch.isascii() and (ch.isalpha() or ch == "_"):
            match = _IDENT.match(source, pos)
            assert match is not None
            word = match.group(0)
            lower = word.lower()
            if lower in _KEYWORD_OPS:
                tokens.append(Token("OP", _KEYWORD_OPS[lower], col, match.end(), word))
            elif lower in _BOOLEANS:
                tokens.append(Token("BOOL", _BOOLEANS[lower], col, match.end(), word))
            else:
                tokens.append(Token("IDENT", word, col, match.end(), word))
            pos = match.end()
            continue
        for length in (2, 1):
            text = source[pos : pos + length]
            if len(text) == length and text in _OPERATORS:
                tokens.append(Token("OP", _OPERATORS[text], col, pos + length, text))
                pos += length
                break
        else:
            raise ExpressionError(f"unexpected character {ch!r}", col)
    tokens.append(Token("EOF", None, n + 1, n, ""))
    return tokens


def _number(text: str, col: int) -> int | float:
    """Convert a numeric literal, refusing ones too large to compute with."""
    if "." in text:
        value = float(text)
        if not math.isfinite(value):
            raise ExpressionError("number too large", col)
        return value
    number = int(text)
    if number.bit_length() > MAX_INT_BITS:
        raise ExpressionError("number too large", col)
    return number
