"""What a derivation kind sees: the frame being built, the sources, and helpers to read them safely."""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from opencro.analysis.adam.errors import DerivationError
from opencro.analysis.adam.spec import DatasetSpec, Derivation, VariableSpec
from opencro.analysis.adam.vectorised import evaluate_frame, truth
from opencro.core.logic import ExpressionError, Node, Var, unparse, walk

DEFAULT_BY = ("USUBJID",)


@dataclass
class Output:
    """A kind's result: the variable's values, companion outputs by role, and a new frame if rows were added."""

    values: pd.Series
    companions: dict[str, pd.Series] = field(default_factory=dict)
    frame: pd.DataFrame | None = None


@dataclass
class Context:
    """The state of one derivation run."""

    spec: DatasetSpec
    tables: Mapping[str, pd.DataFrame]
    base: pd.DataFrame
    frame: pd.DataFrame
    variable: VariableSpec | None = None

    @property
    def where(self) -> tuple[str, ...]:
        parts = [self.spec.origin, f"dataset {self.spec.name}"]
        if self.variable is not None:
            parts += [f"variable {self.variable.name}", self.variable.derivation.kind]
        return tuple(parts)

    def fail(self, message: str) -> DerivationError:
        return DerivationError(message, where=self.where)

    def table(self, name: str) -> pd.DataFrame:
        """A source domain or parent dataset by name."""
        if name not in self.tables:
            known = ", ".join(sorted(self.tables)) or "none"
            raise self.fail(f"source {name} was not given (given: {known})")
        return self.tables[name]

    def column(self, frame: pd.DataFrame, name: str, what: str) -> pd.Series:
        if name not in frame.columns:
            raise self.fail(f"{what} has no variable {name}")
        return frame[name]

    def evaluate(self, tree: Node, frame: pd.DataFrame) -> pd.Series:
        """An expression over `frame`, with errors located at this variable."""
        try:
            return evaluate_frame(tree, frame)
        except ExpressionError as exc:
            raise self.fail(f"{unparse(tree)}: {exc}") from None

    def condition(self, tree: Node | None, frame: pd.DataFrame) -> pd.Series:
        """A filter's truth for each row of `frame` (all true when there is no filter)."""
        if tree is None:
            return pd.Series(True, index=frame.index)
        return truth(self.evaluate(tree, frame))

    def source_rows(self, name: str, by: tuple[str, ...], *trees: Node | None) -> pd.DataFrame:
        """A source's records, with any variables the expressions name that only the frame has joined on `by`.

        The frame must then hold one row per `by` value: a subject-level variable read by a record-level filter.
        """
        source = self.table(name)
        for key in by:
            self.column(source, key, f"source {name}")
        names = {node.name for tree in trees if tree is not None for node in walk(tree) if isinstance(node, Var)}
        borrowed = sorted(n for n in names if n not in source.columns and n in self.frame.columns and n not in by)
        if not borrowed:
            return source
        subject = self.frame[list(by) + borrowed]
        if subject.duplicated(list(by)).any():
            raise self.fail(f"{', '.join(borrowed)} vary within {', '.join(by)} and cannot filter {name}")
        return source.merge(subject, on=list(by), how="left", validate="many_to_one")

    def join(self, values: pd.DataFrame, by: tuple[str, ...], column: str) -> pd.Series:
        """Values keyed by `by` (one row each) mapped onto the frame's rows."""
        for key in by:
            self.column(self.frame, key, f"dataset {self.spec.name}")
        keyed = values.set_index(list(by))[column]
        if keyed.index.has_duplicates:
            raise self.fail(f"more than one value per {', '.join(by)}")
        lookup = pd.MultiIndex.from_frame(self.frame[list(by)]) if len(by) > 1 else pd.Index(self.frame[by[0]])
        result = keyed.reindex(lookup)
        result.index = self.frame.index
        return result


def by_of(derivation: Derivation) -> tuple[str, ...]:
    """The key variables a record-selecting derivation groups by (USUBJID unless given)."""
    return tuple(derivation.get("by") or DEFAULT_BY)
