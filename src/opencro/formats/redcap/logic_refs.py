"""What REDCap logic (branching logic, calculations) refers to, and whether it parses.

References are read from the bracketed names (``[field]``, ``[event][field]``, ``[field(code)]``,
``[field:value]``, ``[field][2]``) outside string literals; smart variables (``[event-name]``,
hyphenated) and instance numbers are not names. Syntax is checked by the project's logic
language, ``opencro.core.logic.parse``, imported lazily so this package stays importable (and its
other checks usable) where that module is absent.

References: REDCap "Branching Logic" and "Calculated Fields" help: syntax of field, event and
checkbox references.
"""

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass

_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_CODE = re.compile(r"\(([^()]*)\)\Z")


@dataclass(frozen=True)
class Reference:
    """One bracketed name: `name` without modifiers, the checkbox `code` if given, and whether an item follows."""

    name: str
    code: str | None
    prefixes_another: bool  # "[x][y]": x names an event (or y an instance)


def references(expression: str) -> list[Reference]:
    """List the bracketed names of `expression`, in order, ignoring those inside string literals."""
    text = _STRING.sub(lambda m: " " * len(m.group()), expression)
    found: list[Reference] = []
    for match in _BRACKET.finditer(text):
        token = match.group(1).strip()
        name = token.split(":", 1)[0].strip()
        code_match = _CODE.search(name)
        code = code_match.group(1).strip() if code_match else None
        if code_match:
            name = name[: code_match.start()].strip()
        found.append(Reference(name, code, text.startswith("[", match.end())))
    return found


def is_name(name: str) -> bool:
    """Tell a field or event name from a smart variable (hyphenated) or an instance number."""
    return bool(name) and "-" not in name and not name.isdigit()


@dataclass(frozen=True)
class LogicParser:
    """The logic language's parse function and the exception it raises on bad syntax."""

    parse: Callable[[str], object]
    error: type[Exception]


def logic_parser() -> LogicParser | None:
    """Return the project's logic parser, or None when `opencro.core.logic` is not installed."""
    try:
        module = importlib.import_module("opencro.core.logic")
    except ModuleNotFoundError as exc:
        if exc.name in {"opencro.core.logic", "opencro.core"}:
            return None
        raise
    error = getattr(module, "ExpressionError", ValueError)
    return LogicParser(module.parse, error)
