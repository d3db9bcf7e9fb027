"""OpenCRO's safe expression language for edit checks, branching (skip) logic and calculated fields.

A superset of REDCap's branching-logic and calculation syntax (REDCap Help & FAQ: "Branching
Logic", "Calculated Fields", "Special Functions") and of OpenCRO's earlier Python-like eligibility
syntax. Text is tokenized and parsed into a small tree and interpreted by walking it: nothing is
ever handed to eval, exec or compile. Pure: no Django, no I/O.

    >>> tree = parse("[age] >= 18 and [consent] = '1'")
    >>> evaluate(tree, {"age": "42", "consent": "1"})
    True

Public API: parse, evaluate, unparse, references, check, ExpressionError, the node classes and
the Environment protocol; FUNCTION_NAMES lists the functions.
"""

from opencro.core.logic.check import check, references
from opencro.core.logic.errors import ExpressionError
from opencro.core.logic.evaluate import Environment, evaluate, variable_label
from opencro.core.logic.functions import FUNCTIONS
from opencro.core.logic.nodes import Binary, Call, Compare, ListLit, Literal, Node, Unary, Var, walk
from opencro.core.logic.parser import MAX_DEPTH, MAX_NODES, parse
from opencro.core.logic.unparse import unparse

FUNCTION_NAMES: frozenset[str] = frozenset(FUNCTIONS)

__all__ = [
    "FUNCTION_NAMES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Binary",
    "Call",
    "Compare",
    "Environment",
    "ExpressionError",
    "ListLit",
    "Literal",
    "Node",
    "Unary",
    "Var",
    "check",
    "evaluate",
    "parse",
    "references",
    "unparse",
    "variable_label",
    "walk",
]
