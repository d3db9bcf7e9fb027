"""The mapping specification, held as data: per SDTM domain, where each variable's values come from.

A `MappingSpec` holds one `DomainSpec` per domain. A domain names its class, the CRF item groups
whose records it reads (`sources`), the sort order that numbers --SEQ, and per variable a
`VariableRule`: its origin and the rule that fills it. Findings domains list their tests
(`TestRule`, one record per test from a horizontal CRF layout); non-standard variables go to SUPP--
(`SuppRule`); `RelationSpec` relates records of two domains in RELREC. `spec_io` reads and writes
the specification as YAML or JSON.

Origins (Define-XML 2.1 def:Origin types): "collected" (a CRF item), "derived" (computed by the
engine or by the `method` text), "assigned" (a constant set by the sponsor), "protocol" (from the
protocol), "sponsor" (a sponsor-defined value, written as Assigned with Source Sponsor).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ORIGINS = ("collected", "derived", "assigned", "protocol", "sponsor")
SUPP_ORIGINS = ("CRF", "Derived", "Assigned", "Protocol", "eDT", "Predecessor")


@dataclass(frozen=True)
class VariableRule:
    """How one SDTM variable is filled.

    - `item`: the CRF item OID read (origin "collected"); its value is converted to the variable's
      type (numbers for Num variables; ISO 8601 text kept as entered, partial dates stay partial).
    - `time_item`: a time item joined to a complete date as "dateTtime" (--DTC from date + time).
    - `value`: a constant (origins "assigned", "protocol", "sponsor").
    - `values`: coded value -> submission value (e.g. "1" -> "WHITE"); `decode` takes the CRF code
      list's decode instead. Values found in neither stay as collected (the CT check reports them).
    - `flag_of`: "Y" when this code is among the item's comma-separated codes (a checkbox), else "N".
    - `method`: how a derived variable is computed (Define-XML MethodDef); `pages`: aCRF pages.
    """

    name: str
    origin: str = "collected"
    item: str | None = None
    time_item: str | None = None
    value: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    decode: bool = False
    flag_of: str | None = None
    method: str = ""
    pages: tuple[str, ...] = ()


@dataclass(frozen=True)
class TestRule:
    """One test of a findings domain collected as its own CRF item (horizontal layout).

    Each form record with a result, or marked not done, gives one record: --TESTCD, --TEST, --ORRES
    (the item's value, through `values`), --ORRESU, --STRESC/--STRESN/--STRESU (numeric results
    times `factor` in `stresu`, which defaults to `orresu`), --STAT "NOT DONE" and --REASND when
    `stat_item` holds `stat_when`, reference ranges `ornrlo`/`ornrhi` with --NRIND, and
    `constants` such as {"VSPOS": "SITTING"} or {"LBCAT": "CHEMISTRY"}.
    """

    testcd: str
    test: str
    item: str
    orresu: str = ""
    stresu: str | None = None
    factor: float = 1.0
    values: dict[str, str] = field(default_factory=dict)
    stat_item: str | None = None
    stat_when: str = "NOT DONE"
    reasnd_item: str | None = None
    ornrlo: float | None = None
    ornrhi: float | None = None
    constants: dict[str, str] = field(default_factory=dict)
    pages: tuple[str, ...] = ()


@dataclass(frozen=True)
class SuppRule:
    """A non-standard variable written to SUPP--: QNAM/QLABEL, its item (or constant value), QORIG, QEVAL.

    IDVAR is the parent domain's --SEQ (IDVARVAL its value); with `idvar` "" the qualifier is
    subject level (DM) and IDVAR/IDVARVAL stay empty.
    """

    qnam: str
    qlabel: str
    item: str | None = None
    value: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    decode: bool = False
    qorig: str = "CRF"
    qeval: str = ""
    idvar: str | None = None


@dataclass(frozen=True)
class DomainSpec:
    """One SDTM domain: class, label, source item groups, --SEQ sort order, variable rules, tests, SUPP--.

    `stat_item`/`stat_when`/`reasnd_item` mark a whole findings form not done (e.g. "VSPERF" = "N"):
    then every test of the record gets --STAT "NOT DONE" and the reason.
    """

    domain: str
    domain_class: str
    label: str = ""
    sources: tuple[str, ...] = ()
    sort: tuple[str, ...] = ()
    variables: tuple[VariableRule, ...] = ()
    tests: tuple[TestRule, ...] = ()
    supp: tuple[SuppRule, ...] = ()
    stat_item: str | None = None
    stat_when: str = "N"
    reasnd_item: str | None = None

    def rule(self, name: str) -> VariableRule | None:
        """The rule of variable `name`, or None when the spec gives none."""
        for rule in self.variables:
            if rule.name == name:
                return rule
        return None


@dataclass(frozen=True)
class RelationSpec:
    """Records of two domains related in RELREC, one relationship (RELID) per matched pair.

    `on` pairs a variable of the left domain with one of the right (a SUPP-- QNAM counts as a
    variable), matched within a subject; `on` empty relates the records collected on the same form
    instance (same visit, form, form repeat and group repeat). RELID is `relid` + a running number.
    """

    left: str
    right: str
    on: tuple[tuple[str, str], ...] = ()
    relid: str = ""
    reltype: str = ""


@dataclass(frozen=True)
class MappingSpec:
    """The whole mapping of a study: its STUDYID, domains, relations and the notes of its author."""

    study_id: str
    domains: tuple[DomainSpec, ...]
    relations: tuple[RelationSpec, ...] = ()
    notes: tuple[str, ...] = ()
    version: str = "1"

    def domain(self, name: str) -> DomainSpec | None:
        """The spec of domain `name`, or None."""
        for spec in self.domains:
            if spec.domain == name:
                return spec
        return None
