"""The fixed vocabulary of derivation kinds: which parameters each takes, of which shape.

A parameter shape is one of:

- ``name``: a variable or domain name (upper-case letters, digits, underscore);
- ``names``: a list of names;
- ``expr``: an expression of `opencro.core.logic` (parsed when the spec is loaded);
- ``text``: free text; ``value``: any scalar (text, number, boolean); ``number``; ``integer``;
- ``numbers``: a list of numbers; ``mapping``: a table value -> value;
- ``list``: a list of tables (event sources, windows), checked by the kind's own validator;
- ``choice:a|b|c``: one of the listed words.

`COMPANION_ROLES` names the extra variables a kind fills besides its own (declared in the spec
with ``kind: companion``).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    """One parameter of a kind: its shape and whether it must be given."""

    shape: str
    required: bool = False


_SOURCE = Param("name")
_BY = Param("names")
_FILTER = Param("expr")

KINDS: dict[str, dict[str, Param]] = {
    # value from a domain variable, merged by the key variables when the domain is not the base
    "copy": {"source": _SOURCE, "variable": Param("name"), "by": _BY},
    # value -> value table; `default` for values not in the table (else blank)
    "map": {"variable": Param("name", True), "values": Param("mapping", True), "default": Param("value")},
    # numeric cut points -> labels; closed "left": a value equal to a cut point goes to the upper group
    "categorize": {
        "variable": Param("name", True),
        "cuts": Param("numbers", True),
        "labels": Param("list", True),
        "closed": Param("choice:left|right"),
    },
    # condition -> "Y" or the `otherwise` value ("" by default, "N" for Y/N flags)
    "flag": {"condition": Param("expr", True), "otherwise": Param("value")},
    # an expression over the row's variables
    "expression": {"expression": Param("expr", True)},
    # one value for every row
    "constant": {"value": Param("value", True)},
    # ISO 8601 --DTC -> date, imputing partial dates; fills the `flag` companion (D, M or Y)
    "date": {
        "variable": Param("name", True),
        "impute_day": Param("choice:none|first|last"),
        "impute_month": Param("choice:none|first|last"),
        "fallback": Param("name"),
    },
    # relative day against a reference date, no day 0
    "study_day": {"date": Param("name", True), "reference": Param("name", True)},
    # end - start (+1 for days by default) in days, weeks, months or years
    "duration": {
        "start": Param("name", True),
        "end": Param("name", True),
        "unit": Param("choice:days|weeks|months|years"),
        "add_one": Param("value"),
    },
    # first/last record of a source per key, in an order, after a filter: the value of a variable or expression
    "first": {
        "source": Param("name", True),
        "filter": _FILTER,
        "order": Param("names"),
        "value": Param("expr", True),
        "by": _BY,
    },
    "last": {
        "source": Param("name", True),
        "filter": _FILTER,
        "order": Param("names"),
        "value": Param("expr", True),
        "by": _BY,
    },
    # sum/mean/min/max/count of a source's records per key after a filter (count is 0 where none)
    "aggregate": {
        "source": Param("name", True),
        "filter": _FILTER,
        "function": Param("choice:sum|mean|min|max|count", True),
        "value": Param("expr"),
        "by": _BY,
    },
    # "Y" on the first record of each group, in an order, among the records meeting a filter
    "first_occurrence": {"by": Param("names", True), "order": Param("names", True), "filter": _FILTER},
    # "Y" when the start is on/after treatment start (and not after treatment end + window)
    "treatment_emergent": {
        "start": Param("name", True),
        "treatment_start": Param("name", True),
        "treatment_end": Param("name"),
        "window": Param("integer"),
        "missing_start": Param("choice:Y|N"),
        "otherwise": Param("value"),
    },
    # BDS: the baseline record's value copied to every record of its group
    "baseline": {"value": Param("name", True), "flag": Param("name", True), "by": Param("names", True)},
    "change": {"value": Param("name", True), "baseline": Param("name", True), "baseline_flag": Param("name")},
    "pct_change": {"value": Param("name", True), "baseline": Param("name", True), "baseline_flag": Param("name")},
    # BDS: analysis visit from a window table on a relative day; fills window companions and the record flag
    "analysis_visit": {
        "day": Param("name", True),
        "windows": Param("list", True),
        "by": Param("names", True),
        "filter": _FILTER,
        "tie": Param("choice:earlier|later"),
    },
    # BDS: adds DTYPE="LOCF" records at visits a subject missed, carrying the last analysed value forward
    "locf": {
        "by": Param("names", True),
        "visit": Param("name", True),
        "visits": Param("mapping", True),
        "label": Param("name"),
        "filter": _FILTER,
        "carry": Param("names"),
        "set": Param("mapping"),
    },
    # ADTTE: event date from event sources (earliest wins), else censoring sources in priority order
    "time_to_event": {"events": Param("list", True), "censors": Param("list", True), "by": _BY},
    # a variable filled by another variable's derivation (its role names which output)
    "companion": {"of": Param("name", True), "role": Param("text", True)},
}

COMPANION_ROLES: dict[str, frozenset[str]] = {
    "date": frozenset({"flag"}),
    "analysis_visit": frozenset(
        {"visit_number", "low", "high", "target", "difference", "range", "unit", "record_flag"}
    ),
    "time_to_event": frozenset({"censor", "description", "source_domain", "source_variable", "source_sequence"}),
}

EVENT_KEYS: dict[str, Param] = {
    "source": Param("name", True),
    "date": Param("name", True),
    "filter": Param("expr"),
    "order": Param("names"),
    "sequence": Param("name"),
    "description": Param("text", True),
    "censor": Param("integer"),
}

WINDOW_KEYS: dict[str, Param] = {
    "visit": Param("text", True),
    "number": Param("number", True),
    "low": Param("number"),
    "high": Param("number"),
    "target": Param("number", True),
    "range": Param("text"),
}
