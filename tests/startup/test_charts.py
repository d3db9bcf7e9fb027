"""The planned-versus-actual timeline: pure SVG, escaped, late actuals in the warning colour."""

import datetime as dt
from xml.etree import ElementTree

from opencro.design.charts import OK, WARN
from opencro.startup.charts import TimelinePoint, TimelineRow, timeline_svg

LABELS = {"title": "Start-up <timeline>", "planned": "planned", "on_time": "on time", "late": "late"}
SVG = "{http://www.w3.org/2000/svg}"


def test_rows_points_and_escaping():
    rows = [
        TimelineRow(
            "101 · US",
            dt.date(2025, 10, 1),
            dt.date(2026, 3, 24),
            [
                TimelinePoint("<b>contract</b>", dt.date(2026, 1, 29), dt.date(2026, 2, 10)),  # 12 days late
                TimelinePoint("selection", dt.date(2025, 10, 1), dt.date(2025, 10, 1)),  # on time
                TimelinePoint("green light", dt.date(2026, 3, 20), None),  # planned only
            ],
        ),
        TimelineRow("502 · IN", None, None, []),
    ]
    text = timeline_svg(rows, today=dt.date(2026, 4, 1), **LABELS)
    root = ElementTree.fromstring(text)  # well-formed: every label escaped
    assert root.find(f"{SVG}title").text == "Start-up <timeline>"
    filled = [c.get("fill") for c in root.iter(f"{SVG}circle") if c.get("fill") != "white"]
    assert filled.count(WARN) == 2 and filled.count(OK) == 2  # one late, one on time, and the legend's two
    hollow = [c for c in root.iter(f"{SVG}circle") if c.get("fill") == "white"]
    assert len(hollow) == 4  # three planned dates and the legend's
    assert "<b>" not in text and "&lt;b&gt;contract&lt;/b&gt;" in text
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "101 · US" in labels and "502 · IN" in labels and "2026-01" in labels


def test_nothing_dated_draws_nothing():
    assert timeline_svg([TimelineRow("502", None, None, [])], today=dt.date(2026, 4, 1), **LABELS) == ""
