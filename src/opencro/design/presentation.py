"""What the design pages, the PDF and the comparison show of a computed design: input rows, key figures,
the boundary table per look, the per-dose table, the power curve and the method references.

Everything here reads a design's stored inputs and result (or a fresh computation) and the kind registry;
nothing queries the database.
"""

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext_lazy as _

from opencro.design import charts
from opencro.design.kinds import KINDS, Figure, Kind, dose_summary, target_dose
from opencro.design.params import DASH, Label
from opencro.stats.design.errors import DesignInputError
from opencro.stats.design.integration import crossing_probabilities

CURVE_POINTS = 25


@dataclass(frozen=True)
class InputRow:
    name: str
    label: Label
    text: str
    unit: Label


@dataclass(frozen=True)
class BoundaryRow:
    """One look of a group-sequential design."""

    look: int
    info_rate: float
    n: int | None
    upper: float | None
    lower: float | None
    nominal_p: float
    alpha_spent: float
    power_cumulative: float


@dataclass(frozen=True)
class DoseRow:
    level: int
    true_tox: float
    p_select: float
    n: float
    dlt: float
    is_target: bool


def input_rows(kind: str, inputs: dict[str, Any]) -> list[InputRow]:
    """Every parameter of the kind with its value as a reader sees it (the kind's order)."""
    spec = KINDS[kind]
    return [InputRow(p.name, p.label, p.display(inputs.get(p.name)), p.unit) for p in spec.params]


def figures(kind: str, inputs: dict[str, Any], result: dict[str, Any]) -> list[Figure]:
    return KINDS[kind].figures(inputs, result)


def boundary_rows(result: dict[str, Any]) -> list[BoundaryRow]:
    """Per look: information rate, cumulative N (when the fixed N was given), bounds, spending, power."""
    lower = result.get("lower") or [None] * result["k"]
    sizes = (result.get("sample_size") or {}).get("n_per_look") or [None] * result["k"]
    power = 0.0
    rows = []
    for index in range(result["k"]):
        power += result["cross_upper_h1"][index]
        rows.append(
            BoundaryRow(
                look=index + 1,
                info_rate=result["info_rates"][index],
                n=sizes[index],
                upper=result["upper"][index],
                lower=lower[index],
                nominal_p=result["nominal_p"][index],
                alpha_spent=result["alpha_spent"][index],
                power_cumulative=power,
            )
        )
    return rows


def dose_rows(inputs: dict[str, Any], result: dict[str, Any]) -> list[DoseRow]:
    dose = dose_summary(result)
    correct = target_dose(dose["true_tox"], inputs["target"])
    return [
        DoseRow(j + 1, dose["true_tox"][j], dose["p_select"][j], dose["n"][j], dose["dlt"][j], j == correct)
        for j in range(len(dose["true_tox"]))
    ]


def references(result: dict[str, Any]) -> list[str]:
    """The method references of the result (nested ones included), one per line, each once."""
    texts = [result.get("reference", "")]
    for nested in ("boundaries", "oc"):
        if isinstance(result.get(nested), dict):
            texts.append(result[nested].get("reference", ""))
    found: list[str] = []
    for text in texts:
        for part in (text or "").split("; "):
            part = part.strip()
            if part and part not in found:
                found.append(part)
    return found


def power_curve(spec: Kind, inputs: dict[str, Any], result: dict[str, Any]) -> list[tuple[float, float]]:
    """Power at N total from a fifth of the design's N to twice it (sample-size kinds); [] when not computable."""
    if spec.power_at is None or not result.get("n_total"):
        return []
    n_design = float(result["n_total"])
    low, high = max(2.0, n_design / 5.0), max(4.0, 2.0 * n_design)
    points = []
    for i in range(CURVE_POINTS):
        n = low + (high - low) * i / (CURVE_POINTS - 1)
        try:
            power = spec.power_at(inputs, n)
        except (DesignInputError, ValueError, ArithmeticError):
            continue
        if math.isfinite(power):
            points.append((n, power))
    return points


def effect_curve(result: dict[str, Any]) -> list[tuple[float, float]]:
    """A group-sequential design's power when the true effect is a fraction f (0 to 1.5) of the alternative's.

    The boundaries stay as designed (futility obeyed, as the library's power); at f = 0 it is the type I error
    on the upper side, at f = 1 the design's power.
    """
    rates = np.asarray(result["info_rates"])
    upper = np.array([np.inf if v is None else v for v in result["upper"]])
    lower_values = result.get("lower") or [None] * len(rates)
    lower = np.array([-np.inf if v is None else v for v in lower_values])
    points = []
    for i in range(CURVE_POINTS):
        fraction = 1.5 * i / (CURVE_POINTS - 1)
        up, _down = crossing_probabilities(rates, upper, lower, fraction * result["drift"])
        points.append((fraction, float(up.sum())))
    return points


class ChartLabels:
    """The translated words of the charts (charts.py itself knows no language)."""

    info = _("Information rate")
    z = _("z boundary")
    upper = _("Efficacy")
    lower_efficacy = _("Lower efficacy")
    futility = _("Futility")
    n_total = _("N total")
    effect = _("Effect as a fraction of the alternative")
    power = _("Power")
    target_power = _("Target power")
    design = _("Design")
    dose = _("Dose level")
    p_select = _("P(select as MTD)")
    none = _("none")
    target = _("Target dose")
    boundaries_title = _("Group-sequential boundaries")
    power_title = _("Power curve")
    effect_title = _("Power against the true effect")
    selection_title = _("Probability of selecting each dose")


def design_charts(kind: str, inputs: dict[str, Any], result: dict[str, Any]) -> list[charts.Chart]:
    """The charts of a computed design: boundaries and power against the effect (group-sequential), the
    power curve against N (sample sizes), or the probability of selecting each dose (dose escalation)."""
    spec = KINDS[kind]
    words = ChartLabels
    if spec.chart == "boundaries":
        futility = result.get("futility") not in (None, "none")
        lower_name = words.futility if futility else words.lower_efficacy
        boundaries = charts.boundary_chart(
            result["info_rates"],
            result["upper"],
            result.get("lower"),
            title=str(words.boundaries_title),
            x_label=str(words.info),
            y_label=str(words.z),
            upper_name=str(words.upper),
            lower_name=str(lower_name),
        )
        power = charts.power_chart(
            effect_curve(result),
            (1.0, float(result["power"])),
            target=1.0 - result["beta"],
            title=str(words.effect_title),
            x_label=str(words.effect),
            y_label=str(words.power),
            target_name=str(words.target_power),
            design_label=f"{words.design}: 1.0, {words.power} = {result['power']:.3f}",
        )
        return [boundaries, power]
    if spec.chart == "power":
        points = power_curve(spec, inputs, result)
        if not points:
            return []
        return [
            charts.power_chart(
                points,
                (float(result["n_total"]), float(result["power"])),
                target=inputs.get("power"),
                title=str(words.power_title),
                x_label=str(words.n_total),
                y_label=str(words.power),
                target_name=str(words.target_power),
                design_name=str(words.design),
            )
        ]
    dose = dose_summary(result)
    return [
        charts.selection_chart(
            dose["p_select"],
            dose["p_none"],
            target_index=target_dose(dose["true_tox"], inputs["target"]),
            title=str(words.selection_title),
            x_label=str(words.dose),
            y_label=str(words.p_select),
            none_label=str(words.none),
            target_name=str(words.target),
        )
    ]


@dataclass(frozen=True)
class CompareRow:
    """One line of the side-by-side table: a label and one text per design; `differs` highlights it."""

    key: str
    label: Label
    texts: list[str]
    differs: bool


def _rows(entries: list[dict[str, tuple[Label, str, Any]]]) -> list[CompareRow]:
    order: list[str] = []
    labels: dict[str, Label] = {}
    for entry in entries:
        for key, (label, _text, _value) in entry.items():
            if key not in labels:
                order.append(key)
                labels[key] = label
    rows = []
    for key in order:
        cells = [entry.get(key) for entry in entries]
        texts = [cell[1] if cell else DASH for cell in cells]
        values = [repr(cell[2]) if cell else None for cell in cells]
        rows.append(CompareRow(key, labels[key], texts, len(set(values)) > 1))
    return rows


def compare_inputs(designs: list) -> list[CompareRow]:
    """Inputs side by side: every parameter any of the designs has (kinds may differ)."""
    entries = []
    for design in designs:
        spec = KINDS[design.kind]
        entries.append(
            {p.name: (p.label, p.display(design.inputs.get(p.name)), design.inputs.get(p.name)) for p in spec.params}
        )
    return _rows(entries)


def compare_figures(designs: list) -> list[CompareRow]:
    """Key figures side by side (N total, power, events, inflation factor, E[N], λe/λd, ...)."""
    entries = [{f.key: (f.label, f.text, f.value) for f in figures(d.kind, d.inputs, d.result)} for d in designs]
    return _rows(entries)
