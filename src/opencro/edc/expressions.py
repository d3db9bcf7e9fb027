"""Expressions of a build (conditions, derivations, edit checks): static checks and evaluation scope."""

from opencro.core import logic
from opencro.formats.build import StudyBuild
from opencro.formats.errors import Problem


def build_expression_problems(build: StudyBuild) -> list[Problem]:
    """Parse every executable expression and check it names only items and events of the build."""
    fields = {i.oid for i in build.items} | {i.name for i in build.items if i.name}
    events = {e.oid for e in build.events} | {e.name for e in build.events if e.name}
    problems: list[Problem] = []
    sources = [
        *((f"ConditionDef {c.oid}", c.expression) for c in build.conditions if c.executable),
        *((f"MethodDef {m.oid}", m.expression) for m in build.methods if m.executable),
        *((f"EditCheckDef {c.oid}", c.expression) for c in build.edit_checks if c.context in ("OpenCRO", "REDCap")),
    ]
    for where, source in sources:
        try:
            tree = logic.parse(source)
        except logic.ExpressionError as exc:
            problems.append(Problem(where, f"expression does not parse: {exc}"))
            continue
        problems.extend(Problem(where, message) for message in logic.check(tree, fields=fields, events=events))
    return problems
