"""Evaluating one form's rules: branching, derivations, required items, range and edit checks.

Pure of writes: `form_evaluate` takes the form's canonical values and returns what to store
(hidden items cleared, calculated items filled) and which rules fire. The services write.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from opencro.core import logic
from opencro.edc.entries import Key
from opencro.edc.environment import SubjectValues, VersionNames
from opencro.edc.spec import FieldSpec, FormSpec
from opencro.edc.values import InvalidValue, canonical, range_failures, range_message
from opencro.formats.build import text_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Firing:
    """A rule that found a discrepancy on one item of one group row."""

    rule_key: str
    origin: str
    item_oid: str
    group_repeat: int
    message: str
    severity: str
    edit_check_id: int | None = None


@dataclass
class Evaluation:
    values: dict[Key, str | None]
    hidden: set[Key] = field(default_factory=set)
    firings: list[Firing] = field(default_factory=list)
    complete: bool = True


@lru_cache(maxsize=4096)
def parsed(source: str) -> logic.Node:
    """Parse once per process: the same conditions and checks run on every row and subject."""
    return logic.parse(source)


def _truthy(source: str, env: SubjectValues, today: dt.date) -> bool | None:
    try:
        return bool(logic.evaluate(parsed(source), env, today=today))
    except logic.ExpressionError as exc:
        log.warning("expression %r not evaluable: %s", source, exc)
        return None


def form_evaluate(
    spec: FormSpec,
    values: dict[Key, str | None],
    *,
    not_done: set[Key],
    subject_id: int,
    names: VersionNames,
    event_oid: str,
    repeats: dict[str, list[int]],
    today: dt.date | None = None,
    stored: dict[tuple[str, str], str | None] | None = None,
) -> Evaluation:
    """Apply branching and derivations row by row, then find every rule that fires."""
    today = today or dt.date.today()
    result = Evaluation(values=dict(values))
    for group in spec.groups:
        for repeat in repeats.get(group.oid, [1]):
            row = {f.oid: result.values.get((f.oid, 1)) for g in spec.groups for f in g.fields}
            row.update({f.oid: result.values.get((f.oid, repeat)) for f in group.fields})
            env = SubjectValues(subject_id=subject_id, names=names, event_oid=event_oid, current=row, stored=stored)
            group_hidden = bool(group.hide_when) and _truthy(group.hide_when, env, today) is True
            for _pass in range(2):  # a derivation may read another derivation
                for f in group.fields:
                    key = (f.oid, repeat)
                    hidden = group_hidden or (bool(f.hide_when) and _truthy(f.hide_when, env, today) is True)
                    if hidden:
                        result.hidden.add(key)
                        result.values[key] = row[f.oid] = None
                        continue
                    result.hidden.discard(key)
                    if f.is_calculated:
                        result.values[key] = row[f.oid] = _derive(f, env, today)
            for f in group.fields:
                key = (f.oid, repeat)
                if key in result.hidden or f.is_descriptive:
                    continue
                _field_rules(f, key, result, not_done, today)
            for check in spec.checks:
                if spec.group_of(check.item_oid) is not group or (check.item_oid, repeat) in result.hidden:
                    continue
                if _truthy(check.expression, env, today):
                    result.firings.append(
                        Firing(
                            f"ec:{check.oid}",
                            "edit_check",
                            check.item_oid,
                            repeat,
                            text_of(check.message) or check.name,
                            check.severity,
                            check.check_id,
                        )
                    )
    return result


def _field_rules(f: FieldSpec, key: Key, result: Evaluation, not_done: set[Key], today: dt.date) -> None:
    value = result.values.get(key)
    if value is None and key not in not_done:
        if f.mandatory:
            result.complete = False
            result.firings.append(
                Firing(f"required:{f.oid}", "required", f.oid, key[1], "Required item is missing.", "warning")
            )
        return
    for index, check in range_failures(f, value, today=today):
        result.firings.append(
            Firing(f"range:{f.oid}:{index}", "range", f.oid, key[1], range_message(f, check), "warning")
        )


def _derive(f: FieldSpec, env: SubjectValues, today: dt.date) -> str | None:
    """Compute a derivation and store it canonically (rounded to the item's decimal places)."""
    try:
        value = logic.evaluate(parsed(f.calc), env, today=today)
    except logic.ExpressionError as exc:
        log.warning("derivation of %s not evaluable: %s", f.oid, exc)
        return None
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, float | int | Decimal) and f.significant_digits is not None:
        value = round(Decimal(str(value)), f.significant_digits)
    elif isinstance(value, float):
        value = Decimal(str(round(value, 10))).normalize()
    try:
        return canonical(f, format(value, "f") if isinstance(value, Decimal) else str(value))
    except InvalidValue:
        return str(value)[:4000]
