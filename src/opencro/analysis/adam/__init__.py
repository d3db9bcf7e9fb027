"""ADaM analysis datasets derived from SDTM by specifications held as data (pure: pandas, no Django).

A specification (YAML) names the dataset, its keys, its base rows and an ordered list of variables,
each with a derivation from a fixed vocabulary (`vocabulary.KINDS`): copy, map, categorize, flag,
expression, constant, date, study_day, duration, first, last, aggregate, first_occurrence,
treatment_emergent, baseline, change, pct_change, analysis_visit, locf, time_to_event and companion.
Conditions and expressions are `opencro.core.logic` expressions, evaluated over whole columns
(`vectorised`), never by Python's eval.

    >>> spec = load_spec("examples/cdiscpilot01/adam/adsl.yaml")  # doctest: +SKIP
    >>> adsl = derive(spec, sdtm)  # doctest: +SKIP
    >>> adae = derive(load_spec(".../adae.yaml"), sdtm, parents={"ADSL": adsl})  # doctest: +SKIP

`define_from_adam(specs, datasets, study_name)` describes the derived datasets in Define-XML 2.1 (classes,
keys, predecessors, methods in words, code lists) for `opencro.formats.definexml.write_define`.

Public API: load_spec, spec_from_mapping, derive, define_from_adam, DatasetSpec, VariableSpec, Derivation,
BaseSpec, KINDS, SpecError, DerivationError, DefineError, AdamError.
"""

from opencro.analysis.adam.define import DefineError, define_from_adam
from opencro.analysis.adam.derive import derive
from opencro.analysis.adam.errors import AdamError, DerivationError, SpecError
from opencro.analysis.adam.spec import BaseSpec, DatasetSpec, Derivation, VariableSpec, load_spec, spec_from_mapping
from opencro.analysis.adam.vocabulary import KINDS

__all__ = [
    "KINDS",
    "AdamError",
    "BaseSpec",
    "DatasetSpec",
    "DefineError",
    "Derivation",
    "DerivationError",
    "SpecError",
    "VariableSpec",
    "define_from_adam",
    "derive",
    "load_spec",
    "spec_from_mapping",
]
