"""Canonical text of a tree: bracketed variables, lower-case keywords, minimal parentheses.

Round trip: `parse(unparse(tree)) == tree` for every tree the parser produces, so stored
expressions can be normalised (e.g. `AGE>=18 AND [Sex]=="F"` -> `[AGE] >= 18 and [Sex] = 'F'`).
"""

from decimal import Decimal

from opencro.core.logic.errors import ExpressionError
from opencro.core.logic.lexer import BRACKET_VAR
from opencro.core.logic.nodes import Binary, Call, Compare, ListLit, Literal, Node, Unary, Var

_ATOM = 9
_PRECEDENCE = {"or": 1, "and": 2, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6, "^": 8}


def _precedence(node: Node) -> int:
    if isinstance(node, Binary):
        return _PRECEDENCE.get(node.op, 0)
    if isinstance(node, Compare):
        return 4
    if isinstance(node, Unary):
        return 3 if node.op == "not" else 7
    if isinstance(node, Literal) and isinstance(node.value, int | float) and node.value < 0:
        return 7  # written as a negation
    return _ATOM


def unparse(node: Node) -> str:
    """The canonical text of `node`."""
    try:
        return _unparse(node)
    except RecursionError:
        raise ExpressionError("expression nested too deeply") from None


def _wrap(node: Node, minimum: int) -> str:
    text = _unparse(node)
    return f"({text})" if _precedence(node) < minimum else text


def _unparse(node: Node) -> str:
    if isinstance(node, Literal):
        return _literal(node)
    if isinstance(node, Var):
        field = f"[{node.name}]" if node.code is None else f"[{node.name}({node.code})]"
        return field if node.event is None else f"[{node.event}]{field}"
    if isinstance(node, Binary):
        power = _PRECEDENCE.get(node.op)
        if power is None:
            raise ExpressionError(f"unknown operator {node.op!r}")
        if node.op == "^":  # right-associative; its left operand is an atom, its right a unary
            return f"{_wrap(node.left, _ATOM)} ^ {_wrap(node.right, 7)}"
        return f"{_wrap(node.left, power)} {node.op} {_wrap(node.right, power + 1)}"
    if isinstance(node, Compare):
        parts = [_wrap(node.left, 5)]
        for op, operand in zip(node.ops, node.comparators, strict=True):
            parts.append(f"{op} {_wrap(operand, 5)}")
        return " ".join(parts)
    if isinstance(node, Unary):
        if node.op == "not":
            return f"not {_wrap(node.operand, 3)}"
        return f"{node.op}{_wrap(node.operand, 7)}"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(_unparse(arg) for arg in node.args)})"
    if isinstance(node, ListLit):
        inner = ", ".join(_unparse(item) for item in node.items)
        # `[abs(5)]` would read back as the checkbox choice abs(5): space it out.
        return f"[ {inner} ]" if BRACKET_VAR.fullmatch(f"[{inner}]") else f"[{inner}]"
    raise ExpressionError(f"not an expression: {type(node).__name__}")


def _literal(node: Literal) -> str:
    value = node.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if value >= 0 else f"-{-value}"
    if isinstance(value, float):
        text = format(Decimal(repr(abs(value))), "f")
        if "." not in text:
            text += ".0"
        return text if value >= 0 else f"-{text}"
    if isinstance(value, str):
        if "'" not in value:
            return f"'{value}'"
        if '"' not in value:
            return f'"{value}"'
        raise ExpressionError("a text literal cannot contain both ' and \"")
    raise ExpressionError(f"unsupported literal {value!r}")
