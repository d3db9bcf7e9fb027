"""Evaluator: walks a parsed tree against an environment of field values. No eval, no exec.

The environment is either a Mapping or an object with `lookup(event, name)`:

- Mapping: a current-event reference (`age`, `[age]`) reads key `"age"`; an event-qualified
  one (`[baseline_arm_1][weight]`) reads key `("baseline_arm_1", "weight")`.
- lookup object: `lookup(None, "age")` / `lookup("baseline_arm_1", "weight")`; raise KeyError
  (any LookupError) for a name that does not exist.

A name absent from the environment is an error (ExpressionError naming it and its column); a
name present with a blank value (None, "") follows REDCap's blank semantics (see `values`).
A checkbox choice `[race(2)]` reads the field `race` and gives 1 if code "2" is ticked, else 0.
"""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

from opencro.core.logic.errors import ExpressionError
from opencro.core.logic.functions import FUNCTIONS, Clock, call
from opencro.core.logic.nodes import ARITHMETIC_OPS, Binary, Call, Compare, ListLit, Literal, Node, Unary, Var
from opencro.core.logic.parser import parse
from opencro.core.logic.values import arithmetic, checked_codes, compare, negate, to_number, truthy


@runtime_checkable
class Environment(Protocol):
    """Where field values come from when the environment is not a plain Mapping."""

    def lookup(self, event: str | None, name: str) -> Any:
        """The value of `name` at `event` (None: the current event); raise KeyError if unknown."""
        ...


def variable_label(var: Var) -> str:
    """How a reference is named in messages: `age`, `race(2)`, `[baseline_arm_1][weight]`."""
    field = var.name if var.code is None else f"{var.name}({var.code})"
    return field if var.event is None else f"[{var.event}][{field}]"


def evaluate(
    expression: Node | str,
    env: Mapping[Any, Any] | Environment,
    *,
    today: date | None = None,
) -> Any:
    """Evaluate an expression (text or parsed tree) against `env`.

    `today` fixes the clock used by today(), now() and datediff's 'today'/'now': a date means
    that day at midnight for now(); a datetime fixes both. Default: the machine's local clock.
    Returns a Python value: bool, int, float, str, date, datetime, list, or None for blank.
    """
    tree = parse(expression) if isinstance(expression, str) else expression
    if not isinstance(env, Mapping) and not callable(getattr(env, "lookup", None)):  # not Protocol isinstance: slow
        raise TypeError("env must be a Mapping or have a lookup(event, name) method")
    if today is None:
        now = datetime.now()
    elif isinstance(today, datetime):
        now = today
    else:
        now = datetime(today.year, today.month, today.day)
    context = _Context(env, Clock(today=now.date(), now=now))
    try:
        return context.eval(tree)
    except RecursionError:
        raise ExpressionError("expression nested too deeply") from None


class _Context:
    def __init__(self, env: Mapping[Any, Any] | Environment, clock: Clock) -> None:
        self.clock = clock
        self.mapping: Mapping[Any, Any] | None = env if isinstance(env, Mapping) else None
        self.source: Any = env

    def lookup(self, var: Var) -> Any:
        try:
            if self.mapping is not None:
                value = self.mapping[var.name if var.event is None else (var.event, var.name)]
            else:
                value = self.source.lookup(var.event, var.name)
        except LookupError:
            label = var.name if var.event is None else f"[{var.event}][{var.name}]"
            raise ExpressionError(f"unknown variable '{label}'", var.col) from None
        if var.code is not None:
            return 1 if var.code in checked_codes(value) else 0
        return value

    def eval(self, node: Node) -> Any:
        """Evaluate one node; a single frame per tree level keeps deep trees off the recursion limit."""
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Var):
            return self.lookup(node)
        if isinstance(node, Binary):
            if node.op == "and":
                return truthy(self.eval(node.left)) and truthy(self.eval(node.right))
            if node.op == "or":
                return truthy(self.eval(node.left)) or truthy(self.eval(node.right))
            if node.op not in ARITHMETIC_OPS:
                raise ExpressionError(f"unknown operator {node.op!r}", node.col)
            left, right = self.eval(node.left), self.eval(node.right)
            return _located(node.col, arithmetic, node.op, left, right)
        if isinstance(node, Compare):
            current = self.eval(node.left)
            for op, operand in zip(node.ops, node.comparators, strict=True):
                other = self.eval(operand)
                if not _located(node.col, compare, op, current, other):
                    return False
                current = other
            return True
        if isinstance(node, Unary):
            value = self.eval(node.operand)
            if node.op == "not":
                return not truthy(value)
            if node.op == "-":
                return _located(node.col, negate, value)
            if node.op == "+":
                return to_number(value)
            raise ExpressionError(f"unknown operator {node.op!r}", node.col)
        if isinstance(node, Call):
            spec = FUNCTIONS.get(node.name)
            if spec is None:
                raise ExpressionError(f"unknown function '{node.name}'", node.col)
            problem = spec.arity_error(len(node.args))
            if problem:
                raise ExpressionError(problem, node.col)
            if node.name == "if":
                chosen = node.args[1] if truthy(self.eval(node.args[0])) else node.args[2]
                return self.eval(chosen)
            args = [self.eval(arg) for arg in node.args]
            return _located(node.col, call, spec, args, self.clock)
        if isinstance(node, ListLit):
            return [self.eval(item) for item in node.items]
        raise ExpressionError(f"not an expression: {type(node).__name__}")


def _located(col: int, func: Any, *args: Any) -> Any:
    """Call `func`, adding the node's column to an ExpressionError raised without one."""
    try:
        return func(*args)
    except ExpressionError as exc:
        if exc.column is None:
            raise ExpressionError(exc.message, col) from None
        raise
