"""Each renderer on the hand-made table and figure: RTF is well-formed, the PDF reads back, the HTML parses."""

import io
import re
from html.parser import HTMLParser

import pandas as pd
import pypdf
import pytest

from opencro.analysis.tfl import render, run_output, write_output
from opencro.analysis.tfl.ard import read_ard_json
from opencro.analysis.tfl.render_rtf import rtf_escape

from .conftest import make_spec, stat

ROWS = [
    {"type": "count", "label": "Sex", "variable": "SEX", "levels": {"M": "Male", "F": "Female"}, "test": "chisq"},
    {"type": "summary", "label": "Age (years)", "variable": "AGE"},
]

# Time to event of the population subjects: A = 2, 4 (censored), 6; B = 1, 3, 5 (censored), 7, 8 (censored)
ADTTE = pd.DataFrame(
    {
        "USUBJID": ["S01", "S02", "S03", "S04", "S06", "S07", "S08", "S09", "S10"],
        "AVAL": [2.0, 4.0, 6.0, 9.0, 1.0, 3.0, 5.0, 7.0, 8.0],
        "CNSR": [0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0],
    }
)


@pytest.fixture
def table(datasets):
    return run_output(make_spec(ROWS), datasets)


@pytest.fixture
def figure(datasets):
    datasets["ADTTE"] = ADTTE
    spec = make_spec(
        [],
        type="figure",
        titles=["Figure F-1", "Time to event"],
        figure={
            "kind": "km",
            "dataset": "ADTTE",
            "time": "AVAL",
            "censor": "CNSR",
            "at_risk_times": [0, 3, 6, 9],
            "test": "logrank",
        },
    )
    return run_output(spec, datasets)


def _balanced(text: str) -> bool:
    depth = 0
    for match in re.finditer(r"\\\\|\\[{}]|[{}]", text):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def test_rtf_is_well_formed(table):
    text = render(table, "rtf").decode("cp1252")
    assert text.startswith("{\\rtf1")
    assert _balanced(text)
    assert "\\landscape" in text and "Courier New" in text
    assert "\\trhdr" in text  # header row repeats on each page
    assert "Table T-1" in text and "Hand-made table" in text
    assert "2 ( 50%)" in text  # Male, arm A
    assert "{\\field{\\*\\fldinst PAGE}" in text and "NUMPAGES" in text
    assert "A footnote." in text


def test_rtf_escapes_special_characters():
    assert rtf_escape("a{b}\\c") == "a\\{b\\}\\\\c"
    assert rtf_escape("µ ≥") == "\\u181? \\u8805?"


def test_pdf_reads_back_with_title_and_numbers(table):
    reader = pypdf.PdfReader(io.BytesIO(render(table, "pdf")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Table T-1" in text and "Hand-made table" in text
    assert "2 ( 50%)" in text
    assert "66.8 (5.38)" in text  # age mean (SD) of arm A
    assert "(N=4)" in text
    assert "Page 1 of 1" in text
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "br", "link"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> in {self.stack}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_an_accessible_table(table):
    parser = _Collector()
    parser.feed(render(table, "html").decode("utf-8"))
    assert parser.stack == []
    tags = [t for t, _ in parser.tags]
    assert tags[0] == "html" and "caption" in tags and "thead" in tags and "tbody" in tags
    scopes = [a.get("scope") for t, a in parser.tags if t == "th"]
    assert scopes.count("col") == 5  # stub + A + B + Total + p-value
    assert "row" in scopes
    text = "".join(parser.text)
    assert "Table T-1" in text and "2 ( 50%)" in text and "A footnote." in text
    assert "script" not in tags


def test_figure_ard_and_all_renderers(figure):
    ard = figure.ard
    # A: times 2 (event), 4 (cens), 6 (event), 9 (cens): S(2) = 3/4, S(6) = 3/4 * 1/2 = 0.375
    a = ard[(ard["column"] == "A") & (ard["stat_name"] == "survival")].set_index("variable_level")["stat"]
    assert a["2"] == pytest.approx(0.75) and a["6"] == pytest.approx(0.375)
    # at risk at 0, 3, 6, 9 in B (1, 3, 5, 7, 8): 5, 4, 2, 0
    risk = ard[(ard["column"] == "B") & (ard["stat_name"] == "at_risk")]["stat"].tolist()
    assert risk == [5, 4, 2, 0]
    assert stat(ard, column="A", stat_name="median") == 6.0  # first time S <= 0.5
    rtf = render(figure, "rtf").decode("cp1252")
    assert rtf.startswith("{\\rtf1") and _balanced(rtf) and "\\dppolyline" in rtf
    text = pypdf.PdfReader(io.BytesIO(render(figure, "pdf"))).pages[0].extract_text()
    assert "Figure F-1" in text and "Number at risk" in text
    html = render(figure, "html").decode("utf-8")
    parser = _Collector()
    parser.feed(html)
    assert parser.stack == []
    assert "<svg" in html and 'role="img"' in html and "<desc>" in html


def test_write_output_writes_ard_beside_outputs(table, tmp_path):
    paths = write_output(table, tmp_path, ("html", "rtf"))
    assert sorted(p.name for p in paths) == ["T-1.ard.csv", "T-1.ard.json", "T-1.html", "T-1.rtf"]
    back = read_ard_json(tmp_path / "T-1.ard.json")
    assert len(back) == len(table.ard)
    csv = pd.read_csv(tmp_path / "T-1.ard.csv")
    assert stat(csv, column="A", variable_level="M", stat_name="n") == 2
