"""A small, safe expression language for computable eligibility and edit checks.

Expressions are parsed with Python's `ast` into a tree and interpreted by walking it; nothing
is ever passed to `eval`. Only literals, names, comparisons, `and`/`or`/`not`, arithmetic,
`in` with literal lists, and a few whitelisted functions are accepted.
"""

import ast
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any


class ExpressionError(ValueError):
    """An expression that cannot be parsed, or names something unknown; says where."""


_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
    "len": len,
    "sqrt": math.sqrt,
    "log": math.log,
    "exp": math.exp,
}
_MAX_LENGTH = 1000
_MAX_POWER = 100


def parse_expression(source: str) -> ast.Expression:
    """Parse and check `source`; raise ExpressionError naming the offending column."""
    if len(source) > _MAX_LENGTH:
        raise ExpressionError(f"expression longer than {_MAX_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error at column {exc.offset}: {exc.msg}") from None
    for node in ast.walk(tree):
        _check_node(node)
    return tree


def _check_node(node: ast.AST) -> None:
    allowed = (
        ast.Expression,
        ast.BoolOp,
        ast.And,
        ast.Or,
        ast.UnaryOp,
        ast.Not,
        ast.USub,
        ast.UAdd,
        ast.BinOp,
        ast.Compare,
        ast.Name,
        ast.Load,
        ast.Constant,
        ast.List,
        ast.Tuple,
        ast.Call,
        *_BINARY,
        *_COMPARE,
    )
    if not isinstance(node, allowed):
        col = getattr(node, "col_offset", 0) + 1
        raise ExpressionError(f"'{type(node).__name__}' is not allowed (column {col})")
    if isinstance(node, ast.Call) and (
        not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords
    ):
        raise ExpressionError(f"unknown function at column {node.col_offset + 1}")
    if isinstance(node, ast.Constant) and not isinstance(node.value, int | float | str | bool | type(None)):
        raise ExpressionError(f"unsupported literal at column {node.col_offset + 1}")


def names_in(source: str) -> set[str]:
    """Return the variable names an expression reads."""
    tree = parse_expression(source)
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in calls}


def evaluate(source: str, variables: Mapping[str, Any]) -> Any:
    """Evaluate a checked expression against `variables` by walking its tree."""
    return _eval(parse_expression(source).body, variables)


def _eval(node: ast.AST, env: Mapping[str, Any]) -> Any:
    match node:
        case ast.Constant(value=value):
            return value
        case ast.Name(id=name):
            if name in ("true", "True"):
                return True
            if name in ("false", "False"):
                return False
            if name not in env:
                raise ExpressionError(f"unknown variable '{name}' (column {node.col_offset + 1})")
            return env[name]
        case ast.List(elts=elts) | ast.Tuple(elts=elts):
            return [_eval(e, env) for e in elts]
        case ast.BoolOp(op=ast.And(), values=values):
            return all(_eval(v, env) for v in values)
        case ast.BoolOp(op=ast.Or(), values=values):
            return any(_eval(v, env) for v in values)
        case ast.UnaryOp(op=op, operand=operand):
            value = _eval(operand, env)
            return (not value) if isinstance(op, ast.Not) else (-value if isinstance(op, ast.USub) else +value)
        case ast.BinOp(left=left, op=op, right=right):
            a, b = _eval(left, env), _eval(right, env)
            if isinstance(op, ast.Pow) and isinstance(b, int | float) and abs(b) > _MAX_POWER:
                raise ExpressionError(f"exponent too large (column {node.col_offset + 1})")
            try:
                return _BINARY[type(op)](a, b)
            except (TypeError, ZeroDivisionError) as exc:
                raise ExpressionError(f"{exc} (column {node.col_offset + 1})") from None
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            current = _eval(left, env)
            for op, comp in zip(ops, comparators, strict=True):
                other = _eval(comp, env)
                try:
                    if not _COMPARE[type(op)](current, other):
                        return False
                except TypeError as exc:
                    raise ExpressionError(f"{exc} (column {node.col_offset + 1})") from None
                current = other
            return True
        case ast.Call(func=ast.Name(id=fname), args=args):
            return FUNCTIONS[fname](*(_eval(a, env) for a in args))
    raise ExpressionError(f"cannot evaluate '{type(node).__name__}'")
