"""The safe expression language, as used by eligibility criteria: a thin wrapper over `core.logic`.

Kept for its callers (studies.models validates criteria with `parse_expression`). The language,
its REDCap compatibility and its safety rules live in `opencro.core.logic`; nothing here is ever
passed to eval.
"""

from collections.abc import Mapping
from typing import Any

from opencro.core.logic import ExpressionError, Node, parse, references
from opencro.core.logic import evaluate as _evaluate

__all__ = ["ExpressionError", "evaluate", "names_in", "parse_expression"]


def parse_expression(source: str) -> Node:
    """Parse and check `source`; raise ExpressionError naming the offending column."""
    return parse(source)


def names_in(source: str) -> set[str]:
    """Return the field names an expression reads (function names excluded)."""
    return {var.name for var in references(parse(source))}


def evaluate(source: str, variables: Mapping[str, Any]) -> Any:
    """Evaluate `source` against `variables` (field name -> value) by walking its tree."""
    return _evaluate(source, variables)
