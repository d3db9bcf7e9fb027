"""The SVG charts parse as XML, hold their points, and escape every text."""

import xml.etree.ElementTree as ET

import pytest

from opencro.design import charts, presentation
from opencro.design.services import design_compute

SVG = "{http://www.w3.org/2000/svg}"


def parse(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    return root


def points(root: ET.Element) -> list[tuple[float, float]]:
    return [(float(c.get("data-x")), float(c.get("data-y"))) for c in root.iter(f"{SVG}circle")]


def test_boundaries_have_a_point_per_look_and_both_lines():
    upper, lower = [3.71, 2.51, 1.99], [-0.5, 0.8, 1.99]
    root = parse(charts.boundary_svg([1 / 3, 2 / 3, 1.0], upper, lower))
    expected = [(1 / 3, 3.71), (2 / 3, 2.51), (1.0, 1.99), (1 / 3, -0.5), (2 / 3, 0.8), (1, 1.99)]
    assert [v for xy in points(root) for v in xy] == pytest.approx([v for xy in expected for v in xy], rel=1e-5)
    lines = list(root.iter(f"{SVG}polyline"))
    assert [p.get("data-series") for p in lines] == ["Efficacy", "Futility"]
    assert lines[1].get("stroke-dasharray")
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"Information rate", "z boundary", "0.2", "1.0"} <= texts


def test_a_look_without_a_boundary_leaves_a_gap():
    root = parse(charts.boundary_svg([0.25, 0.5, 0.75, 1.0], [None, 3.0, 2.5, 2.0]))
    assert [x for x, _y in points(root)] == [0.5, 0.75, 1.0]
    assert len(list(root.iter(f"{SVG}polyline"))) == 1


def test_power_curve_marks_the_design_point():
    computed = design_compute("means", {"delta": 5, "sd": 10})
    (chart,) = presentation.design_charts("means", computed.inputs, computed.result)
    root = parse(charts.svg(chart))
    design = [c for c in root.iter(f"{SVG}circle") if c.get("data-role") == "design"]
    assert len(design) == 1
    placed = (float(design[0].get("data-x")), float(design[0].get("data-y")))
    assert placed == pytest.approx((128, computed.result["power"]), rel=1e-5)  # 6 significant digits
    curve = next(root.iter(f"{SVG}polyline"))
    xy = [tuple(map(float, pair.split(","))) for pair in curve.get("data-points").split()]
    assert len(xy) == presentation.CURVE_POINTS
    assert [y for _x, y in xy] == sorted(y for _x, y in xy)  # power grows with N
    assert xy[0][0] == pytest.approx(128 / 5) and xy[-1][0] == pytest.approx(256)


def test_group_sequential_power_against_the_effect():
    computed = design_compute("gsd", {})
    boundaries, power = presentation.design_charts("gsd", computed.inputs, computed.result)
    assert len(points(parse(charts.svg(boundaries)))) == 3
    curve = dict(presentation.effect_curve(computed.result))
    assert curve[0.0] == pytest.approx(0.025, abs=1e-6)  # the type I error: no effect
    assert curve[1.0] == pytest.approx(0.8, abs=1e-6)  # the design's power at the alternative
    assert parse(charts.svg(power)) is not None


def test_selection_bars_one_per_dose_and_none():
    root = parse(charts.selection_svg([0.1, 0.5, 0.3], 0.1, target_index=1))
    bars = list(root.iter(f"{SVG}rect"))
    assert [(b.get("data-label"), float(b.get("data-value"))) for b in bars] == [
        ("1", 0.1),
        ("2", 0.5),
        ("3", 0.3),
        ("none", 0.1),
    ]
    assert bars[1].get("fill") == charts.OK and bars[0].get("fill") == charts.ACCENT


def test_every_text_is_escaped():
    nasty = "<script>alert(\"x\")</script> & 'quotes'"
    text = charts.selection_svg([0.5], 0.5, title=nasty, x_label=nasty, none_label=nasty, target_index=0)
    root = parse(text)
    assert "<script>" not in text
    assert root.get("aria-label") == nasty and root.find(f"{SVG}title").text == nasty
    assert nasty in {t.text for t in root.iter(f"{SVG}text")}
    assert not list(root.iter(f"{SVG}script"))


def test_japanese_labels_and_a_long_legend_wrap():
    names = {"title": "検出力曲線", "x_label": "症例数", "y_label": "検出力", "target_name": "目標検出力" * 8}
    text = charts.power_curve_svg([(10, 0.2), (20, 0.5)], (20, 0.5), target=0.8, **names)
    root = parse(text)
    assert int(root.get("height")) > charts.HEIGHT
    assert "検出力曲線" in {t.text for t in root.iter(f"{SVG}text")}


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(0.0, 1.0, (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)), (0.0, 256.0, (0.0, 100.0, 200.0, 300.0)), (-0.5, 3.71, None)],
)
def test_nice_ticks_cover_the_range(low, high, expected):
    ticks = charts.nice_ticks(low, high)
    if expected:
        assert ticks == expected
    assert ticks[0] <= low and ticks[-1] >= high and len(ticks) <= 8
