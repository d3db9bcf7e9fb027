"""Tables, listings and figures as a standalone, accessible HTML page.

A table is a real ``<table>``: the titles are its ``<caption>``, column headers are ``<th scope="col">`` (with
spanners as ``colspan`` headers), each row label is a ``<th scope="row">`` indented with CSS, footnotes follow
in a ``<footer>``. A figure is inline SVG with a title and description. Everything is escaped; no script.
"""

from html import escape

from opencro.analysis.tfl.layout import TableLayout

_STYLE = """
body { font-family: "Courier New", Courier, monospace; font-size: 10pt; margin: 1.5rem; color: #111; }
figure, table { margin: 0 auto; }
table { border-collapse: collapse; }
caption { font-weight: bold; margin-bottom: .75rem; caption-side: top; }
caption span, figcaption span { display: block; }
figure { text-align: center; } figcaption { font-weight: bold; margin-bottom: .5rem; }
thead th { border-bottom: 1px solid #000; vertical-align: bottom; text-align: center; padding: .15rem .6rem; }
thead tr:first-child th { border-top: 1px solid #000; }
thead th.stub { text-align: left; }
tbody th { text-align: left; font-weight: normal; padding: .05rem .6rem .05rem 0; white-space: pre-wrap; }
tbody td { text-align: center; padding: .05rem .6rem; white-space: pre; }
tbody td.left { text-align: left; }
tbody tr.blank td, tbody tr.blank th { height: .8rem; }
.indent-1 { padding-left: 1.5em; } .indent-2 { padding-left: 3em; } .indent-3 { padding-left: 4.5em; }
footer { margin-top: .75rem; font-size: 9pt; }
footer p { margin: .1rem 0; }
.meta { display: flex; justify-content: space-between; color: #444; font-size: 9pt; }
"""


def _head(layout) -> str:
    title = escape(" - ".join(layout.titles))
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head><body>'
    )


def _meta(layout, top: bool) -> str:
    if top:
        population = f"Population: {layout.population}" if layout.population else ""
        return (
            f'<div class="meta"><span>Output {escape(layout.output_id)}</span><span>{escape(population)}</span></div>'
        )
    return f'<div class="meta"><span>Source: {escape(layout.program)}</span><span>{escape(layout.created)}</span></div>'


def _table(layout: TableLayout) -> str:
    stub = layout.kind != "listing"
    caption = "".join(f"<span>{escape(t)}</span>" for t in layout.titles)
    parts = [f"<table><caption>{caption}</caption><thead>"]
    spanners = [c.spanner for c in layout.columns]
    if any(spanners):
        parts.append("<tr>" + ("<td></td>" if stub else ""))
        index = 0
        while index < len(spanners):
            end = index
            while end + 1 < len(spanners) and spanners[end + 1] == spanners[index]:
                end += 1
            span = end - index + 1
            text = escape(spanners[index])
            parts.append(f'<th scope="colgroup" colspan="{span}">{text}</th>' if text else "<td></td>")
            index = end + 1
        parts.append("</tr>")
    parts.append("<tr>")
    if stub:
        parts.append(f'<th scope="col" class="stub">{escape(layout.stub_header)}</th>')
    for column in layout.columns:
        n_text = f"<br>{escape(column.n_text)}" if column.n_text else ""
        parts.append(f'<th scope="col">{escape(column.label)}{n_text}</th>')
    parts.append("</tr></thead><tbody>")
    for row in layout.rows:
        if row.blank:
            width = len(layout.columns) + (1 if stub else 0)
            parts.append(f'<tr class="blank"><td colspan="{width}"></td></tr>')
            continue
        parts.append("<tr>")
        if stub:
            parts.append(f'<th scope="row" class="indent-{min(row.indent, 3)}">{escape(row.label)}</th>')
        cls = "" if stub else ' class="left"'
        parts += [f"<td{cls}>{escape(cell)}</td>" for cell in row.cells]
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def render_html(layout) -> str:
    """The layout (a `TableLayout` or a figure's layout) as a standalone HTML document."""
    body = [_head(layout), "<main>", _meta(layout, True)]
    if isinstance(layout, TableLayout):
        body.append(_table(layout))
    else:
        from opencro.analysis.tfl.figures import figure_svg

        caption = "".join(f"<span>{escape(t)}</span>" for t in layout.titles)
        body.append(f"<figure><figcaption>{caption}</figcaption>{figure_svg(layout)}</figure>")
    if layout.footnotes:
        body.append("<footer>" + "".join(f"<p>{escape(f)}</p>" for f in layout.footnotes) + "</footer>")
    body += [_meta(layout, False), "</main></body></html>"]
    return "".join(body) + "\n"
