"""The PDF of a long listing and a long table: paginated by the renderer, every page with its titles, column header,
footnotes and "Page x of y", and every record readable back (pypdf) from the page it falls on."""

from __future__ import annotations

import io

import pypdf

from opencro.analysis.tfl.layout import DisplayRow, HeaderCell, TableLayout
from opencro.analysis.tfl.render_pdf import _wrap, render_pdf


def _listing(rows: int) -> TableLayout:
    return TableLayout(
        output_id="16-2.99",
        kind="listing",
        titles=("Listing 16.2.99", "Hand-made listing of adverse events"),
        population="Safety",
        stub_header="",
        columns=(
            HeaderCell("USUBJID", "Subject"),
            HeaderCell("AETERM", "Reported term"),
            HeaderCell("ASTDT", "Start"),
        ),
        rows=tuple(
            DisplayRow("", 0, (f"SUBJ-{n:05d}", f"Term number {n}", f"2026-01-{1 + n % 28:02d}"))
            for n in range(1, rows + 1)
        ),
        footnotes=("Listing footnote.",),
        program="t_listing.py",
        created="2026-11-27 04:00 UTC",
    )


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_a_2000_row_listing_shows_first_and_last_rows_and_page_numbers():
    data = render_pdf(_listing(2000))
    pages = _pages(data)
    total = len(pages)
    # 9 pt rows of 10.5 + 1 points on a landscape Letter page: about 35 records a page
    assert 40 <= total <= 80
    text = "\n".join(pages)
    assert "SUBJ-00001" in pages[0] and "Term number 1" in pages[0]
    assert "SUBJ-02000" in pages[-1] and "Term number 2000" in pages[-1]
    assert all(f"SUBJ-{n:05d}" in text for n in range(1, 2001))
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {total}" in page
        assert "Listing 16.2.99" in page and "Reported term" in page and "Listing footnote." in page
        assert "Population: Safety" in page and "Source: t_listing.py" in page


def test_records_keep_their_order_across_pages():
    pages = _pages(render_pdf(_listing(300)))
    seen = [n for page in pages for n in range(1, 301) if f"SUBJ-{n:05d}" in page]
    assert seen == list(range(1, 301))


def test_a_long_table_repeats_its_header_with_indented_labels():
    layout = TableLayout(
        output_id="14-9.99",
        kind="table",
        titles=("Table 14.9.99",),
        population="",
        stub_header="Parameter",
        columns=(HeaderCell("A", "Arm A", "(N=10)"), HeaderCell("B", "Arm B", "(N=12)")),
        rows=tuple(DisplayRow(f"Row {n}", n % 2, (f"{n} ({n % 100}%)", f"{n + 1}")) for n in range(1, 401)),
        footnotes=(),
        program="t.py",
        created="2026-11-27 04:00 UTC",
    )
    pages = _pages(render_pdf(layout))
    assert len(pages) > 5
    assert all("Arm A" in page and "(N=10)" in page and "Parameter" in page for page in pages)
    assert "Row 400" in pages[-1] and "400 (0%)" in pages[-1]


def test_long_cells_wrap_at_spaces_and_inside_long_words():
    # 5.4 points a character at 9 pt: 54 points hold 10 characters
    assert _wrap("one two three four", 54.0) == ["one two", "three four"]
    assert _wrap("abcdefghijklmnop", 54.0) == ["abcdefghij", "klmnop"]
    assert _wrap("a\nb", 54.0) == ["a", "b"]
    assert _wrap("µ≥", 54.0) == ["µ?"]
