"""The analysis context of one output: its population, treatment columns, header counts and records.

Every analysis dataset is restricted to the population's subjects and takes the treatment column from the
population dataset (as Tplyr's `pop_data` and SAS programs merging ADSL do), so N in the header and the
denominators always come from the population.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pandas as pd

from opencro.analysis.tfl.ard import HEADER_ROW, ArdBuilder
from opencro.analysis.tfl.errors import SpecError
from opencro.analysis.tfl.filters import apply_filter, filter_mask
from opencro.analysis.tfl.spec_model import Block, OutputSpec

TOTAL = "Total"


@dataclass(frozen=True)
class LayoutRow:
    """One display row: its id (the ARD's `row`), label and indentation level; `blank` for spacer rows."""

    row: int
    label: str
    indent: int = 0
    blank: bool = False


@dataclass
class Context:
    """What the blocks of one table share: data, population, columns and the ARD and rows built so far."""

    spec: OutputSpec
    datasets: Mapping[str, pd.DataFrame]
    population: pd.DataFrame
    levels: tuple[str, ...]
    big_n: dict[str, int]
    ard: ArdBuilder
    rows: list[LayoutRow] = field(default_factory=list)
    extra_columns: dict[str, str] = field(default_factory=dict)
    footnotes: list[str] = field(default_factory=list)

    @property
    def treatment(self) -> str:
        return self.spec.columns.variable

    @property
    def subject(self) -> str:
        return self.spec.population.subject

    @property
    def column_keys(self) -> tuple[str, ...]:
        """Treatment levels, then Total when the specification asks for it."""
        return self.levels + ((TOTAL,) if self.spec.columns.total else ())

    def where(self, block: Block | None, key: str) -> str:
        path = f"{block.where}.{key}" if block is not None else key
        return f"{self.spec.source}: {path}"

    def new_row(self, label: str, indent: int = 0) -> int:
        row = len(self.rows)
        self.rows.append(LayoutRow(row, label, indent))
        return row

    def blank_row(self) -> None:
        self.rows.append(LayoutRow(len(self.rows), "", 0, blank=True))

    def add_column(self, key: str, label: str) -> None:
        self.extra_columns.setdefault(key, label)

    def add_footnote(self, text: str) -> None:
        if text and text not in self.footnotes and text not in self.spec.footnotes:
            self.footnotes.append(text)

    def dataset(self, name: str, where: str) -> pd.DataFrame:
        try:
            return self.datasets[name.upper()]
        except KeyError:
            raise SpecError(where, f"dataset {name.upper()} was not loaded") from None

    def require(self, frame: pd.DataFrame, name: str, variable: str | None, where: str) -> None:
        if variable and variable not in frame.columns:
            raise SpecError(where, f"{variable} not in {name.upper()}")

    def records(self, block: Block, variables: tuple[tuple[str, str | None], ...] = ()) -> pd.DataFrame:
        """The block's records: its dataset (or the population's), filtered, of population subjects only.

        The treatment variable of the population replaces any column of the same name in the dataset.
        """
        name = (block.dataset or self.spec.population.dataset).upper()
        frame = self.dataset(name, self.where(block, "dataset"))
        for key, variable in variables:
            self.require(frame, name, variable, self.where(block, key))
        frame = apply_filter(frame, block.filter, where=self.where(block, "filter"), dataset=name)
        return self.attach(frame, name, self.where(block, "dataset"))

    def attach(self, frame: pd.DataFrame, name: str, where: str) -> pd.DataFrame:
        """`frame` restricted to population subjects, with the population's treatment column."""
        if name.upper() == self.spec.population.dataset:
            return frame[frame[self.subject].isin(self.population[self.subject])].assign(
                **{self.treatment: frame[self.subject].map(self.population.set_index(self.subject)[self.treatment])}
            )
        if self.subject not in frame.columns:
            raise SpecError(where, f"{self.subject} not in {name.upper()}")
        keep = frame.drop(columns=[self.treatment], errors="ignore")
        treatment = self.population[[self.subject, self.treatment]]
        return keep.merge(treatment, on=self.subject, how="inner")

    def by_column(self, frame: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
        """(column key, its records) for each treatment level, then the Total column."""
        groups = dict(tuple(frame.groupby(self.treatment, sort=False, observed=True)))
        for level in self.levels:
            yield level, groups.get(level, frame.iloc[0:0])
        if self.spec.columns.total:
            yield TOTAL, frame

    def level_of(self, key: str) -> str | None:
        return key if key != TOTAL else None


def as_text(values: pd.Series) -> pd.Series:
    """Category values as the text a table shows: 2.0 -> "2", 2.5 -> "2.5", missing -> ""."""
    if pd.api.types.is_numeric_dtype(values):

        def text(value: float) -> str:
            if value != value:
                return ""
            return str(int(value)) if float(value).is_integer() else repr(float(value))

        return values.map(text).astype(object)
    return values.fillna("").astype(str)


def build_context(spec: OutputSpec, datasets: Mapping[str, pd.DataFrame]) -> Context:
    """The population (filtered), the column levels in order, and N per column written to the ARD header rows."""
    population_spec = spec.population
    name = population_spec.dataset
    where = f"{spec.source}: population.dataset"
    if name not in datasets:
        raise SpecError(where, f"dataset {name} was not loaded")
    frame = datasets[name]
    for key, variable in (("subject", population_spec.subject), ("variable", spec.columns.variable)):
        if variable not in frame.columns:
            path = "population.subject" if key == "subject" else "columns.variable"
            raise SpecError(f"{spec.source}: {path}", f"{variable} not in {name}")
    population = apply_filter(frame, population_spec.filter, where=f"{spec.source}: population.filter", dataset=name)
    population = population.assign(**{spec.columns.variable: population[spec.columns.variable].astype(str)})
    present = sorted(set(population[spec.columns.variable]) - {""})
    if spec.columns.order:
        unknown = [level for level in spec.columns.order if level not in present]
        if unknown and population.shape[0]:
            raise SpecError(
                f"{spec.source}: columns.order",
                f"{', '.join(unknown)} not a value of {spec.columns.variable} in the population "
                f"(values: {', '.join(present)})",
            )
        levels = tuple(spec.columns.order)
        population = population[population[spec.columns.variable].isin(levels)]
    else:
        levels = tuple(present)
    ard = ArdBuilder(spec.id, spec.columns.variable)
    big_n: dict[str, int] = {}
    context = Context(spec, datasets, population, levels, big_n, ard)
    for key, group in context.by_column(population):
        n = int(group[population_spec.subject].nunique())
        big_n[key] = n
        ard.add(
            row=HEADER_ROW,
            column=key,
            stat_name="bigN",
            stat=n,
            formatted=f"N={n}",
            group1_level=context.level_of(key),
            variable=population_spec.subject,
            stat_label="Number of subjects in the population",
        )
        for index, sub in enumerate(spec.columns.within):
            mask = filter_mask(group, sub.filter, where=f"{spec.source}: columns.within[{index}].filter", dataset=name)
            ard.add(
                row=HEADER_ROW,
                column=f"{key}|{sub.label}",
                stat_name="bigN",
                stat=int(group[mask][population_spec.subject].nunique()),
                formatted=str(int(group[mask][population_spec.subject].nunique())),
                group1_level=context.level_of(key),
                variable=population_spec.subject,
                variable_level=sub.label,
                stat_label=f"Number of subjects ({sub.label})",
            )
    return context
