"""Build one-dataset specifications in tests without YAML files."""

from typing import Any

import pandas as pd

from opencro.analysis.adam import DatasetSpec, derive, spec_from_mapping


def make_spec(
    variables: list[dict[str, Any]], *, source: str = "DM", keys: tuple[str, ...] = ("USUBJID",), **base: Any
) -> DatasetSpec:
    """A spec named TEST over `source` whose first variable must be the key USUBJID (copied)."""
    return spec_from_mapping(
        {
            "dataset": "TEST",
            "label": "Test dataset",
            "keys": list(keys),
            "base": {"source": source, **base},
            "variables": variables,
        },
        origin="test.yaml",
    )


def var(name: str, kind: str, type_: str = "text", **params: Any) -> dict[str, Any]:
    """One variable entry."""
    return {"name": name, "label": name.title(), "type": type_, "derivation": {"kind": kind, **params}}


USUBJID = var("USUBJID", "copy")


def run(variables: list[dict[str, Any]], sources: dict[str, pd.DataFrame], **kw: Any) -> pd.DataFrame:
    """Derive a TEST dataset from `sources`."""
    parents = kw.pop("parents", {})
    return derive(make_spec([USUBJID, *variables], **kw), sources, parents=parents)
