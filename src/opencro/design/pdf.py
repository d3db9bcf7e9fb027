"""The design report as a printable PDF: study and design, inputs, results, the boundary table per look (or
the per-dose operating characteristics), the charts, the adoption signature and the method references.

The charts are the page's charts: the primitives of `charts.layout` drawn with reportlab.graphics, so the
printed copy shows exactly what the screen shows. Text in a script Helvetica lacks (Japanese labels,
Greek letters) is set in the fallback fonts of `audit.exports.fonts`.
"""

import datetime as dt
import re

from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from opencro.accounts.models import Signature
from opencro.design import presentation
from opencro.design.kinds import KINDS
from opencro.design.models import Design
from opencro.design.pdf_layout import H1, SMALL, TITLE, WIDTH, Writer, chart_drawing, num, pdf_build, when

# ------------------------------------------------------------------------------------------------ story


class _Report(Writer):
    """The flowables of one design's report."""

    def __init__(self, design: Design, tz: dt.tzinfo):
        super().__init__()
        self.design = design
        self.tz = tz
        self.spec = KINDS[design.kind]

    def cover(self, printed_by: str, printed_at: dt.datetime) -> list[Flowable]:
        d = self.design
        study = d.study
        version = d.protocol_version
        rows = [
            [_("Study"), f"{study.protocol_number}, {study.title}"],
            [_("Design"), d.name],
            [_("Kind"), f"{self.spec.label}: {self.spec.summary}"],
            [_("Status"), str(d.get_status_display())],
            [_("Protocol version"), version.version if version else "-"],
            [
                _("Created"),
                f"{when(d.created_at, self.tz)}, {d.created_by.printed_name if d.created_by else _('system')}",
            ],
            [_("Adopted"), when(d.adopted_at, self.tz)],
            [_("Notes"), d.notes or "-"],
            [_("Printed"), f"{when(printed_at, self.tz)}, {printed_by}"],
        ]
        return [self.para(_("Design report"), TITLE), self.table(rows, [WIDTH * 0.22, WIDTH * 0.78], header=False)]

    def inputs(self) -> list[Flowable]:
        rows = [[_("Parameter"), _("Value"), _("Unit")]]
        rows += [
            [str(r.label), r.text, str(r.unit)] for r in presentation.input_rows(self.design.kind, self.design.inputs)
        ]
        return [self.para(_("Inputs"), H1), self.table(rows, [WIDTH * 0.45, WIDTH * 0.35, WIDTH * 0.2])]

    def results(self) -> list[Flowable]:
        d = self.design
        rows = [[_("Result"), _("Value")]]
        rows += [[str(f.label), f.text] for f in presentation.figures(d.kind, d.inputs, d.result)]
        story: list[Flowable] = [self.para(_("Results"), H1), self.table(rows, [WIDTH * 0.45, WIDTH * 0.55])]
        if self.spec.chart == "boundaries":
            story += self.boundaries()
        elif self.spec.chart == "selection":
            story += self.doses()
        return story

    def boundaries(self) -> list[Flowable]:
        header = [
            _("Look"),
            _("Information rate"),
            _("N"),
            _("Upper z"),
            _("Lower z"),
            _("Nominal p"),
            _("α spent"),  # noqa: RUF001 - the statistician's alpha
            _("Cumulative power"),
        ]
        rows = [header]
        for r in presentation.boundary_rows(self.design.result):
            rows.append(
                [
                    str(r.look),
                    num(r.info_rate, 3),
                    "-" if r.n is None else str(r.n),
                    num(r.upper),
                    num(r.lower),
                    num(r.nominal_p, 5),
                    num(r.alpha_spent, 5),
                    num(r.power_cumulative, 4),
                ]
            )
        widths = [WIDTH * w for w in (0.07, 0.13, 0.09, 0.12, 0.12, 0.15, 0.15, 0.17)]
        return [self.para(_("Boundaries per look"), H1), self.table(rows, widths)]

    def doses(self) -> list[Flowable]:
        d = self.design
        rows = [[_("Dose level"), _("True DLT probability"), _("P(select as MTD)"), _("Patients"), _("DLTs")]]
        for r in presentation.dose_rows(d.inputs, d.result):
            mark = " *" if r.is_target else ""
            rows.append([f"{r.level}{mark}", num(r.true_tox, 3), num(r.p_select, 3), num(r.n, 2), num(r.dlt, 2)])
        story: list[Flowable] = [
            self.para(_("Operating characteristics per dose"), H1),
            self.table(rows, [WIDTH * 0.16, WIDTH * 0.24, WIDTH * 0.22, WIDTH * 0.19, WIDTH * 0.19]),
            self.para(_("* the dose whose true DLT probability is closest to the target."), SMALL),
        ]
        table = d.result.get("boundaries")
        if table:
            rows = [
                [
                    _("Patients at the dose"),
                    _("Escalate if DLTs ≤"),
                    _("De-escalate if DLTs ≥"),
                    _("Eliminate if DLTs ≥"),
                ]
            ]
            for row in table["rows"]:
                if row["n"] % table["cohort_size"] == 0:
                    eliminate = "-" if row["eliminate"] is None else str(row["eliminate"])
                    rows.append([str(row["n"]), str(row["escalate"]), str(row["deescalate"]), eliminate])
            story += [self.para(_("BOIN decision table"), H1), self.table(rows, [WIDTH * 0.25] * 4)]
        return story

    def charts(self) -> list[Flowable]:
        d = self.design
        story: list[Flowable] = []
        for chart in presentation.design_charts(d.kind, d.inputs, d.result):
            story += [CondPageBreak(95 * mm), Spacer(1, 3 * mm), chart_drawing(chart, WIDTH, self.fonts)]
        return story

    def signatures(self, signatures: list[Signature]) -> list[Flowable]:
        story: list[Flowable] = [self.para(_("Adoption signature"), H1)]
        if not signatures:
            return [*story, self.para(_("The design is not signed."), SMALL)]
        rows = [[_("Printed name"), _("Meaning"), _("Signed at"), _("Status")]]
        for sig in sorted(signatures, key=lambda s: (s.signed_at, s.pk)):
            status = _("valid")
            if sig.is_broken:
                status = _("BROKEN on %(when)s: the signed content changed") % {"when": when(sig.broken_at, self.tz)}
            rows.append([sig.printed_name, str(sig.get_meaning_display()), when(sig.signed_at, self.tz), status])
        return [*story, self.table(rows, [WIDTH * 0.25, WIDTH * 0.2, WIDTH * 0.3, WIDTH * 0.25])]

    def references(self) -> list[Flowable]:
        story: list[Flowable] = [self.para(_("Method references"), H1)]
        for text in presentation.references(self.design.result):
            story.append(self.para(text, SMALL))
        return [KeepTogether(story[:2]), *story[2:]]


def design_report_pdf(
    design: Design,
    *,
    signatures: list[Signature],
    printed_by: str,
    printed_at: dt.datetime,
    tz: dt.tzinfo = dt.UTC,
    compress: bool = True,
) -> bytes:
    """The report as PDF bytes; `compress=False` leaves the page streams readable (tests look for text)."""
    report = _Report(design, tz)
    footer = _("OpenCRO design report · %(study)s · %(design)s") % {
        "study": design.study.protocol_number,
        "design": design.name,
    }
    story = report.cover(printed_by, printed_at)
    story += report.inputs() + report.results() + report.charts()
    story += report.signatures(signatures) + report.references()
    return pdf_build(
        story,
        writer=report,
        title=_("Design report %(design)s, %(study)s") % {"design": design.name, "study": design.study.protocol_number},
        author=printed_by,
        subject=_("Design report"),
        footer=footer,
        compress=compress,
    )


def report_filename(design: Design, printed_at: dt.datetime) -> str:
    """design-T-001-3-20260305T010000Z.pdf: safe on every file system."""
    stamp = printed_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    study = re.sub(r"[^A-Za-z0-9._-]+", "_", design.study.protocol_number) or "_"
    return f"design-{study}-{design.pk}-{stamp}.pdf"
