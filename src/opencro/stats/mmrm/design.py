"""Checks of MMRM input and the fixed-effects design: treatment-by-visit cells, covariates, factors."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from opencro.stats.mmrm.errors import MmrmError


@dataclass(frozen=True)
class MmrmDesign:
    """Long data reduced to what the fit needs: one row per observed (subject, visit)."""

    x: np.ndarray  # fixed-effects design, observations x coefficients
    y: np.ndarray
    subject_codes: np.ndarray  # subject index of each observation
    visit_codes: np.ndarray  # visit index (0 .. n_visits - 1) of each observation
    names: tuple[str, ...]  # coefficient names, as R's model.matrix() names them
    visits: tuple[str, ...]
    treatments: tuple[str, ...]
    n_subjects: int
    lsmean_rows: dict[tuple[str, str], np.ndarray]  # (visit, treatment) -> linear function of the coefficients


def build_design(
    data: pd.DataFrame,
    *,
    response: str,
    subject: str,
    visit: str,
    treatment: str,
    covariates: Sequence[str],
    factors: Sequence[str],
    covariate_by_visit: Sequence[str],
    visit_order: Sequence[str] | None,
    treatment_order: Sequence[str] | None,
) -> MmrmDesign:
    """Check the columns and build the design of treatment * visit + covariates (+ covariate * visit) + factors.

    Rows with a missing response are dropped (a missing visit, assumed missing at random); a missing subject,
    visit, treatment, covariate or factor value is an error naming the row. Covariates are centred nowhere:
    LS means evaluate them at their mean over the analysed observations, as emmeans does.
    """
    if not isinstance(data, pd.DataFrame):
        raise MmrmError("data", f"must be a pandas DataFrame, not {type(data).__name__}")
    for name in covariate_by_visit:
        if name not in covariates:
            raise MmrmError("covariate_by_visit", f"{name!r} must also be listed in covariates")
    columns = {"response": response, "subject": subject, "visit": visit, "treatment": treatment}
    for role, column in columns.items():
        if column not in data.columns:
            raise MmrmError(role, f"no column {column!r} in the data")
    for column in (*covariates, *factors):
        if column not in data.columns:
            raise MmrmError(column, "no such column in the data")
    try:
        y_all = pd.to_numeric(data[response], errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise MmrmError(response, f"must be numeric ({exc})") from exc
    rows = data.loc[~np.isnan(y_all)]
    if rows.empty:
        raise MmrmError(response, "has no non-missing values")
    for column in (subject, visit, treatment, *covariates, *factors):
        missing = np.flatnonzero(rows[column].isna().to_numpy())
        if missing.size:
            raise MmrmError(column, f"row {rows.index[missing[0]]!r}: missing value")

    visit_text = rows[visit].astype(str).to_numpy()
    visits = _levels(rows[visit], visit_order, "visit_order")
    unknown = sorted(set(visit_text) - set(visits))
    if unknown:
        raise MmrmError("visit_order", f"does not list visit(s) {', '.join(map(repr, unknown))} found in {visit!r}")
    treatment_text = rows[treatment].astype(str).to_numpy()
    treatments = _levels(rows[treatment], treatment_order, "treatment_order")
    unknown = sorted(set(treatment_text) - set(treatments))
    if unknown:
        raise MmrmError("treatment_order", f"does not list level(s) {', '.join(map(repr, unknown))}")
    if len(treatments) < 2:
        raise MmrmError(treatment, f"needs at least two treatment levels; all rows are {treatments[0]!r}")
    if len(visits) < 1:
        raise MmrmError(visit, "has no visits")

    subject_text = rows[subject].astype(str).to_numpy()
    subject_codes, subject_levels = pd.factorize(subject_text)
    visit_codes = np.array([visits.index(v) for v in visit_text])
    pairs = pd.Series(list(zip(subject_codes, visit_codes, strict=True)))
    duplicated = np.flatnonzero(pairs.duplicated().to_numpy())
    if duplicated.size:
        i = duplicated[0]
        raise MmrmError(
            subject, f"row {rows.index[i]!r}: subject {subject_text[i]!r} has more than one value at {visit_text[i]!r}"
        )
    per_subject = pd.Series(treatment_text).groupby(subject_codes).nunique()
    if (per_subject > 1).any():
        bad = subject_levels[int(per_subject.index[np.argmax(per_subject.to_numpy() > 1)])]
        raise MmrmError(treatment, f"subject {bad!r} has more than one treatment")

    numeric: dict[str, np.ndarray] = {}
    for column in covariates:
        try:
            numeric[column] = pd.to_numeric(rows[column], errors="raise").to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise MmrmError(column, f"covariate must be numeric; list categorical columns in factors ({exc})") from exc
    factor_levels = {column: _levels(rows[column], None, column) for column in factors}
    factor_text = {column: rows[column].astype(str).to_numpy() for column in factors}

    def columns_for(
        trt: np.ndarray, vis: np.ndarray, cov: dict[str, np.ndarray], fac: dict[str, np.ndarray]
    ) -> tuple[list[np.ndarray], list[str]]:
        """Design columns as R's model.matrix(~ treatment * visit + covariates + factors + cov:visit)."""
        n = trt.shape[0]
        cols: list[np.ndarray] = [np.ones(n)]
        names = ["(Intercept)"]
        for level in treatments[1:]:
            cols.append(trt[:, treatments.index(level)])
            names.append(f"{treatment}{level}")
        for v in visits[1:]:
            cols.append(vis[:, visits.index(v)])
            names.append(f"{visit}{v}")
        for column in covariates:
            cols.append(cov[column])
            names.append(column)
        for column in factors:
            for level in factor_levels[column][1:]:
                cols.append(fac[column][:, factor_levels[column].index(level)])
                names.append(f"{column}{level}")
        for v in visits[1:]:
            for level in treatments[1:]:
                cols.append(trt[:, treatments.index(level)] * vis[:, visits.index(v)])
                names.append(f"{treatment}{level}:{visit}{v}")
        for column in covariate_by_visit:
            for v in visits[1:]:
                cols.append(cov[column] * vis[:, visits.index(v)])
                names.append(f"{visit}{v}:{column}")
        return cols, names

    def indicator(values: np.ndarray, levels: Sequence[str]) -> np.ndarray:
        return (values[:, None] == np.asarray(levels, dtype=object)[None, :]).astype(float)

    cols, names = columns_for(
        indicator(treatment_text, treatments),
        indicator(visit_text, visits),
        numeric,
        {column: indicator(factor_text[column], factor_levels[column]) for column in factors},
    )
    x = np.column_stack(cols)
    rank = np.linalg.matrix_rank(x)
    if rank < x.shape[1]:
        raise MmrmError(
            "data",
            f"the fixed-effects design is rank deficient ({rank} of {x.shape[1]} columns): every treatment needs "
            "observations at every visit, and covariates and factors must not be collinear with them",
        )

    means = {column: np.array([values.mean()]) for column, values in numeric.items()}
    equal = {column: np.full((1, len(factor_levels[column])), 1.0 / len(factor_levels[column])) for column in factors}
    lsmean_rows = {}
    for v in visits:
        for level in treatments:
            row, _ = columns_for(
                indicator(np.array([level]), treatments), indicator(np.array([v]), visits), means, equal
            )
            lsmean_rows[(v, level)] = np.array([float(c[0]) for c in row])
    return MmrmDesign(
        x=x,
        y=y_all[~np.isnan(y_all)],
        subject_codes=np.asarray(subject_codes),
        visit_codes=visit_codes,
        names=tuple(names),
        visits=tuple(visits),
        treatments=tuple(treatments),
        n_subjects=len(subject_levels),
        lsmean_rows=lsmean_rows,
    )


def _levels(series: pd.Series, order: Sequence[str] | None, parameter: str) -> list[str]:
    """Levels in the given order, else category order, else sorted (R's factor() default)."""
    if order is not None:
        levels = [str(v) for v in order]
        if len(set(levels)) != len(levels):
            raise MmrmError(parameter, "lists a level more than once")
        present = set(series.astype(str))
        absent = [v for v in levels if v not in present]
        if absent:
            raise MmrmError(parameter, f"level(s) {', '.join(map(repr, absent))} have no observations")
        return levels
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.astype(str))
        return [str(v) for v in series.cat.categories if str(v) in present]
    values = series.unique().tolist()
    try:
        return [str(v) for v in sorted(values)]
    except TypeError:
        return sorted(str(v) for v in values)
