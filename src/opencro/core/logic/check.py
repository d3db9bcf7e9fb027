"""Static checks on a parsed tree: which fields it reads, and whether they all exist.

Run when an edit check, branching rule or calculation is saved, so a typo in a field or event
name is reported to the designer instead of failing at data entry.
"""

from opencro.core.logic.errors import ExpressionError
from opencro.core.logic.functions import DATE_FORMATS, DATEDIFF_UNITS, FUNCTIONS
from opencro.core.logic.nodes import Call, Literal, Node, Var, walk
from opencro.core.logic.parser import parse


def references(tree: Node | str) -> set[Var]:
    """The variable references an expression reads (column ignored: one entry per distinct reference)."""
    node = parse(tree) if isinstance(tree, str) else tree
    return {item for item in walk(node) if isinstance(item, Var)}


def _problem(message: str, col: int) -> str:
    return str(ExpressionError(message, col))


def check(tree: Node | str, *, fields: set[str], events: set[str] | None) -> list[str]:
    """Problems found without data, each with its column, in reading order; [] when none.

    Reports fields not in `fields`, event names not in `events` (not checked when `events` is
    None), unknown functions, wrong argument counts and literal datediff units or formats that
    REDCap would not accept.
    """
    node = parse(tree) if isinstance(tree, str) else tree
    problems: list[tuple[int, str]] = []
    for item in walk(node):
        if isinstance(item, Var):
            if item.event is not None and events is not None and item.event not in events:
                problems.append((item.col, _problem(f"unknown event '{item.event}'", item.col)))
            if item.name not in fields:
                # Point at the field's own brackets, after "[event]" when there is one.
                col = item.col + len(item.event) + 2 if item.event is not None and item.col else item.col
                problems.append((col, _problem(f"unknown field '{item.name}'", col)))
        elif isinstance(item, Call):
            problems.extend((item.col, message) for message in _check_call(item))
    problems.sort(key=lambda problem: problem[0])
    return [message for _, message in problems]


def _check_call(call: Call) -> list[str]:
    spec = FUNCTIONS.get(call.name)
    if spec is None:
        return [_problem(f"unknown function '{call.name}'", call.col)]
    arity = spec.arity_error(len(call.args))
    if arity:
        return [_problem(arity, call.col)]
    if call.name != "datediff":
        return []
    found: list[str] = []
    units = call.args[2]
    if isinstance(units, Literal) and isinstance(units.value, str) and units.value.strip() not in DATEDIFF_UNITS:
        found.append(_problem(f"datediff() units must be one of y, M, d, h, m, s, not {units.value!r}", units.col))
    fmt = call.args[3] if len(call.args) == 5 else None
    if isinstance(fmt, Literal) and isinstance(fmt.value, str) and fmt.value.strip().lower() not in DATE_FORMATS:
        found.append(_problem(f"datediff() date format must be ymd, mdy or dmy, not {fmt.value!r}", fmt.col))
    return found
