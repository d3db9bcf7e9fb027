"""The syntax tree of the expression language: small frozen dataclasses, compared by structure.

The column (`col`, 1-based) is carried for error messages only and excluded from equality and
hashing, so two spellings of the same expression (`[age]` and `age`, `**` and `^`) give equal
trees and `parse(unparse(tree)) == tree` holds.
"""

from dataclasses import dataclass, field

Scalar = int | float | str | bool


@dataclass(frozen=True, slots=True)
class Literal:
    """A number, a quoted string or true/false."""

    value: Scalar
    col: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Var:
    """A field reference: `[name]`, `[event][name]`, `[name(code)]` (checkbox choice) or bare `name`."""

    event: str | None
    name: str
    code: str | None = None
    col: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Unary:
    """`-x`, `+x` or `not x` (op is "-", "+" or "not")."""

    op: str
    operand: "Node"
    col: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Binary:
    """Arithmetic ("+", "-", "*", "/", "%", "^") or logic ("and", "or") on two operands."""

    op: str
    left: "Node"
    right: "Node"
    col: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Compare:
    """A comparison chain: `a < b <= c` is Compare(a, ("<", "<="), (b, c)).

    ops are canonical: "=", "<>", "<", "<=", ">", ">=", "in", "not in".
    """

    left: "Node"
    ops: tuple[str, ...]
    comparators: tuple["Node", ...]
    col: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Call:
    """A call of a whitelisted function; name is lower case."""

    name: str
    args: tuple["Node", ...]
    col: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ListLit:
    """A literal list, `[1, 2]` or `(1, 2)`, the right-hand side of `in`."""

    items: tuple["Node", ...]
    col: int = field(default=0, compare=False, repr=False)


Node = Literal | Var | Unary | Binary | Compare | Call | ListLit

ARITHMETIC_OPS = frozenset({"+", "-", "*", "/", "%", "^"})
LOGIC_OPS = frozenset({"and", "or"})
COMPARE_OPS = frozenset({"=", "<>", "<", "<=", ">", ">=", "in", "not in"})


def walk(tree: Node) -> list[Node]:
    """Every node of `tree`, parents before children, without recursion."""
    found: list[Node] = []
    stack: list[Node] = [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack.extend((node.right, node.left))
        elif isinstance(node, Compare):
            stack.extend(reversed((node.left, *node.comparators)))
        elif isinstance(node, Call):
            stack.extend(reversed(node.args))
        elif isinstance(node, ListLit):
            stack.extend(reversed(node.items))
    return found
