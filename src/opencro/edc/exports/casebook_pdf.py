"""A subject's casebook as a printable PDF: the human-readable copy of a subject's data that
21 CFR 11.10(b) and EU Annex 11 section 8.1 ask for, and the CRF copy a site keeps (ICH E6(R3)
section 2.12 and Appendix C, essential records).

A cover page (study, subject, site, build version, who printed it and when, the casebook's
e-signatures with printed name, meaning, date and time, and whether each still holds: 21 CFR
11.50), then every visit and form in schedule order with its questions, values (decoded), units
and not-done reasons (hidden items left out, as on the form), each form's e-signatures and its
queries with their threads; then the audit trail of the subject's data for readers who may read
the trail. Every page names the protocol and subject and says "page N of M".

The EDC holds no treatment arm and nothing here reads one, so a printed casebook cannot unblind.
The subject is found by the caller through a site-scoped selector.
"""

import datetime as dt
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from typing import BinaryIO

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from opencro.accounts.models import Signature
from opencro.accounts.signatures import signatures_for, signatures_for_many
from opencro.audit.exports.fonts import BASE_FONT, FontChain, font_chain
from opencro.audit.exports.meta import ExportMeta
from opencro.audit.exports.pdf_export import markup
from opencro.audit.models import AuditAction, AuditRecord
from opencro.edc.models import Casebook, EventData, FormData, ItemData, Query, QueryMessage
from opencro.edc.presentation import FieldView, form_layout
from opencro.edc.selectors import EventRow, casebook_grid, casebook_version, form_page
from opencro.formats.build import text_of
from opencro.studies.models import Study
from opencro.subjects.models import Subject

PAGE = A4
MARGIN = 15 * mm
TOP = 18 * mm  # room for the running header
BOTTOM = 16 * mm  # room for the footer
WIDTH = PAGE[0] - 2 * MARGIN
SPOOL_BYTES = 8 * 2**20
AUDIT_TYPES = ("edc.casebook", "edc.eventdata", "edc.formdata", "edc.itemdata", "edc.query", "edc.querymessage")
AUDIT_ROWS_PER_TABLE = 40
ID_BATCH = 2000

_BODY = ParagraphStyle("body", fontName=BASE_FONT, fontSize=9, leading=11.5)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444"))
_CELL = ParagraphStyle("cell", parent=_BODY, fontSize=8, leading=10)
_AUDIT_CELL = ParagraphStyle("audit_cell", parent=_BODY, fontSize=6.5, leading=8)
_HEAD = ParagraphStyle("head", parent=_CELL, fontName="Helvetica-Bold")
_AUDIT_HEAD = ParagraphStyle("audit_head", parent=_AUDIT_CELL, fontName="Helvetica-Bold")
_TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=18, leading=22, spaceAfter=8)
_H1 = ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=13, leading=16, spaceBefore=10, spaceAfter=3)
_H2 = ParagraphStyle("h2", fontName="Helvetica-Bold", fontSize=10.5, leading=13, spaceBefore=7, spaceAfter=2)
_H3 = ParagraphStyle("h3", fontName="Helvetica-Bold", fontSize=9, leading=11, spaceBefore=4, spaceAfter=1)
_RUNNING = ParagraphStyle("running", fontName=BASE_FONT, fontSize=7.5, leading=9)
_RUNNING_RIGHT = ParagraphStyle("running_right", parent=_RUNNING, alignment=2)

_GRID = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e7eb")),
]
VALUE_WIDTHS = [WIDTH * 0.46, WIDTH * 0.26, WIDTH * 0.1, WIDTH * 0.18]
AUDIT_WIDTHS = [58, 64, 44, 92, 52, 64, 64]  # when, user, action, object, field, old, new; the reason takes the rest
AUDIT_WIDTHS.append(WIDTH - sum(AUDIT_WIDTHS))


def _when(ts: dt.datetime | None, tz: dt.tzinfo) -> str:
    """ "2026-03-05 01:00:00 UTC (10:00:00 JST)": UTC always, the reader's time when it differs."""
    if ts is None:
        return ""
    utc = ts.astimezone(dt.UTC)
    text = utc.strftime("%Y-%m-%d %H:%M:%S UTC")
    local = ts.astimezone(tz)
    if local.utcoffset() != dt.timedelta(0):
        text += f" ({local.strftime('%Y-%m-%d %H:%M:%S %Z')})"
    return text


@dataclass(frozen=True)
class _Labels:
    """Audit-trail object ids of the subject's data, named as people read them."""

    by_type: dict[str, dict[str, str]]

    def of(self, object_type: str, object_id: str) -> str:
        return self.by_type.get(object_type, {}).get(object_id, f"{object_type} #{object_id}")


def _repeat(key: int) -> str:
    return f" #{key}" if key > 1 else ""


def audit_labels(subject: Subject) -> _Labels:
    """Every object of the subject's data the trail may name, by audit object type and id."""
    events = {
        str(pk): f"{oid}{_repeat(r)}"
        for pk, oid, r in EventData.objects.filter(subject=subject).values_list("pk", "event_oid", "repeat_key")
    }
    forms = {
        str(pk): f"{e_oid}{_repeat(e_r)} {f_oid}{_repeat(f_r)}"
        for pk, e_oid, e_r, f_oid, f_r in FormData.objects.filter(subject=subject).values_list(
            "pk", "event__event_oid", "event__repeat_key", "form_oid", "repeat_key"
        )
    }
    items = {
        str(pk): f"{forms[str(form_id)]} {oid}" + (f"[{g}]" if g > 1 else "")
        for pk, form_id, oid, g in ItemData.objects.filter(form__subject=subject).values_list(
            "pk", "form_id", "item_def__oid", "group_repeat"
        )
    }
    queries = {str(pk): f"Q{pk}" for pk in Query.objects.filter(subject=subject).values_list("pk", flat=True)}
    messages = {
        str(pk): f"Q{query_id} {kind}"
        for pk, query_id, kind in QueryMessage.objects.filter(query__subject=subject).values_list(
            "pk", "query_id", "kind"
        )
    }
    casebooks = {str(pk): _("casebook") for pk in Casebook.objects.filter(subject=subject).values_list("pk", flat=True)}
    return _Labels(
        {
            "edc.casebook": casebooks,
            "edc.eventdata": events,
            "edc.formdata": forms,
            "edc.itemdata": items,
            "edc.query": queries,
            "edc.querymessage": messages,
        }
    )


def subject_audit_records(subject: Subject, labels: _Labels) -> list[tuple]:
    """The trail of the subject's data, oldest first, as tuples:
    (id, timestamp, username, action, object_type, object_id, field, old, new, reason)."""
    rows = []
    for object_type in AUDIT_TYPES:
        ids = list(labels.by_type.get(object_type, {}))
        for start in range(0, len(ids), ID_BATCH):
            rows += AuditRecord.objects.filter(
                study_id=subject.study_id, object_type=object_type, object_id__in=ids[start : start + ID_BATCH]
            ).values_list(
                "pk",
                "timestamp",
                "username",
                "action",
                "object_type",
                "object_id",
                "field",
                "old_value",
                "new_value",
                "reason",
            )
    rows.sort(key=lambda r: r[0])
    return rows


class _Story:
    """The flowables of one subject's casebook."""

    def __init__(self, subject: Subject, meta: ExportMeta, fonts: FontChain, lang: str):
        self.subject = subject
        self.meta = meta
        self.fonts = fonts
        self.lang = lang

    # text helpers
    def para(self, text: str, style: ParagraphStyle = _BODY) -> Paragraph:
        return Paragraph(markup(text, self.fonts), style)

    def labelled(self, label: str, text: str, style: ParagraphStyle = _BODY) -> Paragraph:
        return Paragraph(f"<b>{markup(label, self.fonts)}</b> {markup(text, self.fonts)}", style)

    def when(self, ts: dt.datetime | None) -> str:
        return _when(ts, self.meta.tz)

    def table(self, rows: list[list], widths: list[float], extra: list | None = None) -> Table:
        table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(TableStyle(_GRID + (extra or [])))
        return table

    # parts
    def cover(self, casebook: Casebook | None, version, include_audit: bool) -> list[Flowable]:
        s, meta = self.subject, self.meta
        site = s.site
        rows = [
            (_("Study"), f"{meta.protocol_number}, {meta.study_title}"),
            (_("Subject"), s.number),
            (_("Site"), f"{site.number}, {site.institution}"),
            (_("Subject status"), s.get_status_display()),
            (_("Screened on"), s.screened_on.isoformat() if s.screened_on else ""),
            (_("Enrolled on"), s.enrolled_on.isoformat() if s.enrolled_on else "-"),
            (_("Build version"), f"{version.oid} (v{version.number}, {version.name})" if version else "-"),
            (_("Printed at"), self.when(meta.printed_at)),
            (_("Printed by"), meta.printed_by),
        ]
        table = Table(
            [[self.para(k, _HEAD), self.para(v, _CELL)] for k, v in rows],
            colWidths=[WIDTH * 0.25, WIDTH * 0.75],
            hAlign="LEFT",
        )
        table.setStyle(TableStyle([s for s in _GRID if s[0] != "BACKGROUND"]))
        story: list[Flowable] = [self.para(_("Subject casebook"), _TITLE), table, Spacer(1, 6 * mm)]
        story.append(self.para(_("Casebook e-signatures"), _H2))
        story += self.signatures(signatures_for(casebook) if casebook else [], empty=_("The casebook is not signed."))
        contents = _(
            "Visits and forms follow the schedule of the build version; items hidden by the form's conditions are "
            "left out, as on the screen. Each form lists its e-signatures and its queries with their messages."
        )
        if include_audit:
            contents += " " + _("The audit trail of the subject's data follows the forms.")
        else:
            contents += " " + _("The audit trail is left out: your role does not include reading it.")
        story += [Spacer(1, 4 * mm), self.para(contents, _SMALL), PageBreak()]
        return story

    def signatures(self, signatures: list[Signature], *, empty: str) -> list[Flowable]:
        if not signatures:
            return [self.para(empty, _SMALL)]
        header = [self.para(h, _HEAD) for h in (_("Printed name"), _("Meaning"), _("Signed at"), _("Status"))]
        rows = [header]
        for sig in sorted(signatures, key=lambda x: (x.signed_at, x.pk)):
            status = _("valid")
            if sig.is_broken:
                status = _("BROKEN on %(when)s: the signed data changed") % {"when": self.when(sig.broken_at)}
            rows.append(
                [
                    self.para(sig.printed_name, _CELL),
                    self.para(str(sig.get_meaning_display()), _CELL),
                    self.para(self.when(sig.signed_at), _CELL),
                    self.para(status, _HEAD if sig.is_broken else _CELL),
                ]
            )
        return [self.table(rows, [WIDTH * 0.25, WIDTH * 0.25, WIDTH * 0.27, WIDTH * 0.23])]

    def visit(self, row: EventRow, forms: dict[tuple[int, str], list[FormData]], form_sigs) -> list[Flowable]:
        title = f"{row.event_def.name} ({row.event_def.oid}){_repeat(row.repeat)}"
        story: list[Flowable] = [CondPageBreak(40 * mm), self.para(title, _H1)]
        event = row.data
        if event is None:
            return [*story, self.para(_("Not started."), _SMALL)]
        line = [_("Visit date: %(date)s") % {"date": event.visit_date.isoformat() if event.visit_date else "-"}]
        line.append(_("Status: %(status)s") % {"status": event.get_status_display()})
        if event.not_done_reason:
            line.append(_("Not done: %(reason)s") % {"reason": event.not_done_reason})
        story.append(self.para(" · ".join(line), _SMALL))
        for cell in row.forms:
            instances = forms.pop((event.pk, cell.form_oid), [])
            if not instances:
                story += [self.para(f"{cell.name} ({cell.form_oid})", _H2), self.para(_("Not started."), _SMALL)]
            for form in instances:
                story += self.form(row, form, form_sigs.get(str(form.pk), []))
        return story

    def form(self, row: EventRow, form: FormData, signatures: list[Signature]) -> list[Flowable]:
        subject = self.subject
        try:
            page = form_page(subject, row.event_def.oid, row.repeat, form.form_oid, form.repeat_key)
        except Http404:  # the form's visit is not in the subject's build version any more
            return self.raw_form(form, signatures)
        head = [self.para(f"{page.spec.name} ({form.form_oid}){_repeat(form.repeat_key)}", _H2)]
        head.append(self.para(self.form_state(form), _SMALL))
        story: list[Flowable] = [KeepTogether(head)]
        story += self.values(form_layout(page, lang=self.lang))
        if signatures:
            story.append(self.para(_("Form e-signatures"), _H3))
            story += self.signatures(signatures, empty="")
        story += self.queries(page.queries, {pk: key for key, pk in page.item_ids.items()})
        return story

    def form_state(self, form: FormData) -> str:
        parts = [
            _("Status: %(status)s") % {"status": form.get_status_display()},
            _("SDV: %(sdv)s") % {"sdv": form.get_sdv_status_display()},
            _("Reviewed: %(yes)s") % {"yes": _("yes") if form.reviewed else _("no")},
        ]
        if form.locked:
            parts.append(_("Locked"))
        elif form.frozen:
            parts.append(_("Frozen"))
        if form.first_entered_at:
            parts.append(_("First entered %(when)s") % {"when": self.when(form.first_entered_at)})
        if form.updated_at:
            parts.append(_("Last changed %(when)s") % {"when": self.when(form.updated_at)})
        return " · ".join(parts)

    def values(self, groups) -> list[Flowable]:
        header = [self.para(h, _HEAD) for h in (_("Question"), _("Value"), _("Units"), _("Not done / SDV"))]
        rows: list[list] = [header]
        spans: list[tuple] = []
        for group in groups:
            for group_row in group.rows:
                shown = [f for f in group_row.fields if not f.hidden]
                if not shown:
                    continue
                if group.repeating:
                    spans.append(("SPAN", (0, len(rows)), (-1, len(rows))))
                    spans.append(("BACKGROUND", (0, len(rows)), (-1, len(rows)), colors.HexColor("#f3f4f6")))
                    rows.append([self.para(f"{group.name} #{group_row.repeat}", _HEAD), "", "", ""])
                for f in shown:
                    if f.spec.is_descriptive:
                        spans.append(("SPAN", (0, len(rows)), (-1, len(rows))))
                        rows.append([self.para(f.label, _CELL), "", "", ""])
                        continue
                    notes = []
                    if f.not_done:
                        notes.append(_("Not done: %(reason)s") % {"reason": f.not_done})
                    if f.verified:
                        notes.append(_("verified"))
                    rows.append(
                        [
                            self.para(f.label, _CELL),
                            self.para(self.shown_value(f), _CELL),
                            self.para(f.spec.units, _CELL),
                            self.para("; ".join(notes), _CELL),
                        ]
                    )
        if len(rows) == 1:
            return [self.para(_("No items to show."), _SMALL)]
        return [self.table(rows, VALUE_WIDTHS, spans)]

    @staticmethod
    def shown_value(f: FieldView) -> str:
        """Coded values as "Decode (code)", several joined by "; "; anything else as stored."""
        if f.choices and f.value:
            chosen = [f"{c.label} ({c.code})" for c in f.choices if c.selected]
            if chosen:
                return "; ".join(chosen)
        return f.value

    def queries(self, queries: list[Query], item_keys: dict[int, tuple[str, int]]) -> list[Flowable]:
        if not queries:
            return []
        story: list[Flowable] = [self.para(_("Queries"), _H3)]
        for query in queries:
            where = _("form")
            if query.item_id in item_keys:
                oid, repeat = item_keys[query.item_id]
                where = oid + (f"[{repeat}]" if repeat > 1 else "")
            opened_by = query.opened_by.get_username() if query.opened_by else _("system")
            line = _("Q%(id)s · %(state)s · %(where)s · %(origin)s · opened %(when)s by %(who)s") % {
                "id": query.pk,
                "state": query.get_state_display(),
                "where": where,
                "origin": query.get_origin_display(),
                "when": self.when(query.opened_at),
                "who": opened_by,
            }
            rows = [[self.labelled(line, "", _CELL)], [self.para(query.text, _CELL)]]
            for message in query.messages.all():
                author = message.author.get_username() if message.author else _("system")
                said = f"{message.get_kind_display()} · {author} · {self.when(message.created_at)}"
                rows.append([self.labelled(said + ":", message.text, _CELL)])
            table = Table(rows, colWidths=[WIDTH], hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        ("BOX", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#fff7e0")),
                        ("LEFTPADDING", (0, 2), (-1, -1), 14),
                        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ]
                )
            )
            story += [table, Spacer(1, 2 * mm)]
        return story

    def raw_form(self, form: FormData, signatures: list[Signature]) -> list[Flowable]:
        """A form outside the subject's build schedule: its stored values as they are."""
        story: list[Flowable] = [
            self.para(f"{form.form_def.name} ({form.form_oid}){_repeat(form.repeat_key)}", _H2),
            self.para(self.form_state(form), _SMALL),
        ]
        header = [self.para(h, _HEAD) for h in (_("Question"), _("Value"), _("Units"), _("Not done / SDV"))]
        rows: list[list] = [header]
        for item in ItemData.objects.filter(form=form).select_related("item_def").order_by("group_repeat", "id"):
            label = text_of(item.item_def.question, self.lang) or item.item_def.name
            notes = [_("Not done: %(reason)s") % {"reason": item.not_done_reason}] if item.not_done_reason else []
            if item.verified:
                notes.append(_("verified"))
            rows.append(
                [
                    self.para(label + (f" [{item.group_repeat}]" if item.group_repeat > 1 else ""), _CELL),
                    self.para(item.value or "", _CELL),
                    self.para(item.item_def.units, _CELL),
                    self.para("; ".join(notes), _CELL),
                ]
            )
        story.append(self.table(rows, VALUE_WIDTHS) if len(rows) > 1 else self.para(_("No items to show."), _SMALL))
        if signatures:
            story += [self.para(_("Form e-signatures"), _H3), *self.signatures(signatures, empty="")]
        queries = list(Query.objects.filter(form=form).prefetch_related("messages__author").order_by("opened_at", "id"))
        ids = dict(ItemData.objects.filter(form=form).values_list("pk", "item_def__oid"))
        return story + self.queries(queries, {pk: (oid, 1) for pk, oid in ids.items()})

    def audit(self) -> list[Flowable]:
        labels = audit_labels(self.subject)
        records = subject_audit_records(self.subject, labels)
        story: list[Flowable] = [PageBreak(), self.para(_("Audit trail"), _H1)]
        story.append(
            self.para(
                _(
                    "%(count)d records of this subject's casebook, visits, forms, values and queries, oldest first. "
                    "Times in UTC. `opencro audit verify` proves the chain they belong to."
                )
                % {"count": len(records)},
                _SMALL,
            )
        )
        if not records:
            return story
        header = [
            self.para(h, _AUDIT_HEAD)
            for h in (_("When"), _("User"), _("Action"), _("Object"), _("Field"), _("Old"), _("New"), _("Reason"))
        ]
        for start in range(0, len(records), AUDIT_ROWS_PER_TABLE):
            rows = [header]
            for _pk, ts, user, action, otype, oid, field, old, new, reason in records[
                start : start + AUDIT_ROWS_PER_TABLE
            ]:
                cells = [
                    ts.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
                    user or _("system"),
                    self.meta.action_labels.get(action, action),
                    labels.of(otype, oid),
                    field,
                    "" if old is None else old,
                    "" if new is None else new,
                    reason,
                ]
                rows.append([self.para(c, _AUDIT_CELL) for c in cells])
            story.append(self.table(rows, AUDIT_WIDTHS))
        return story

    def build(self, include_audit: bool) -> list[Flowable]:
        subject = self.subject
        version = casebook_version(subject)
        casebook = Casebook.objects.filter(subject=subject).first()
        story = self.cover(casebook, version, include_audit)
        if version is None:
            story.append(self.para(_("This study has no published build yet."), _BODY))
            return story
        grid = casebook_grid(subject, version)
        instances = list(
            FormData.objects.filter(subject=subject)
            .select_related("form_def")
            .order_by("event_id", "form_oid", "repeat_key")
        )
        forms: dict[tuple[int, str], list[FormData]] = defaultdict(list)
        for form in instances:
            forms[(form.event_id, form.form_oid)].append(form)
        form_sigs = signatures_for_many(instances)
        for row in [r for r in grid if not r.is_log] + [r for r in grid if r.is_log]:
            story += self.visit(row, forms, form_sigs)
        leftover = [f for group in forms.values() for f in group]
        if leftover:
            story.append(self.para(_("Forms outside the build's schedule"), _H1))
            for form in leftover:
                story += self.raw_form(form, form_sigs.get(str(form.pk), []))
        if include_audit:
            story += self.audit()
        return story


def _canvas_maker(story: _Story, header: str, footer: str):
    """A canvas that holds pages back until the end, to print "page N of M" with the running header."""

    def draw(canvas, text: str, style: ParagraphStyle, width: float, top: float) -> None:
        para = story.para(text, style)
        para.wrapOn(canvas, width, 20 * mm)
        para.drawOn(canvas, MARGIN, top - para.height)

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self):
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                draw(self, header, _RUNNING, WIDTH, PAGE[1] - 8 * mm)
                self.setStrokeColor(colors.grey)
                self.setLineWidth(0.25)
                self.line(MARGIN, PAGE[1] - TOP + 4 * mm, PAGE[0] - MARGIN, PAGE[1] - TOP + 4 * mm)
                draw(self, footer, _RUNNING, WIDTH * 0.8, BOTTOM - 5 * mm)
                page = _("page %(n)d of %(m)d") % {"n": number, "m": total}
                draw(self, page, _RUNNING_RIGHT, WIDTH, BOTTOM - 5 * mm)
                super().showPage()
            super().save()

    return NumberedCanvas


def casebook_pdf_write(
    subject: Subject,
    meta: ExportMeta,
    out: BinaryIO,
    *,
    include_audit: bool = True,
    lang: str = "en",
    compress: bool = True,
) -> int:
    """Write the subject's casebook to `out`; return its number of pages.

    `include_audit` is the caller's decision (the reader holds audit.view); `compress=False`
    leaves the page streams readable, which tests use to find text in them.
    """
    story = _Story(subject, meta, font_chain(), lang)
    frame = Frame(MARGIN, BOTTOM, WIDTH, PAGE[1] - TOP - BOTTOM, 0, 0, 0, 0, id="body")
    doc = BaseDocTemplate(
        out,
        pagesize=PAGE,
        pageTemplates=[PageTemplate(id="page", frames=[frame])],
        title=_("Casebook %(subject)s, %(number)s") % {"subject": subject.number, "number": meta.protocol_number},
        author=meta.printed_by,
        subject=_("Subject casebook"),
        creator="OpenCRO",
        pageCompression=1 if compress else 0,
    )
    header = _("Protocol %(number)s · Subject %(subject)s · Site %(site)s") % {
        "number": meta.protocol_number,
        "subject": subject.number,
        "site": subject.site.number,
    }
    footer = _("OpenCRO casebook, printed by %(printed)s") % {"printed": meta.printed_text()}
    doc.build(story.build(include_audit), canvasmaker=_canvas_maker(story, header, footer))
    return doc.page


def casebook_pdf_file(subject: Subject, meta: ExportMeta, *, include_audit: bool, lang: str = "en"):
    """The PDF in a spooled temporary file (memory up to 8 MB, then disk), rewound for a response."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    casebook_pdf_write(subject, meta, spool, include_audit=include_audit, lang=lang)
    spool.seek(0)
    return spool


def casebook_filename(meta: ExportMeta, subject: Subject) -> str:
    """casebook-T-001-A1-001-20260305T010000Z.pdf: safe on every file system."""
    stamp = meta.printed_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"casebook-{_safe(meta.protocol_number)}-{_safe(subject.number)}-{stamp}.pdf"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text) or "_"


def system_meta(
    study: Study, *, printed_by: str = "system (opencro command line)", tz: dt.tzinfo = dt.UTC
) -> ExportMeta:
    """The description of a copy printed by the system (the CLI), which sees every site."""
    return ExportMeta(
        protocol_number=study.protocol_number,
        study_title=study.title,
        scope="",
        filters=(),
        visibility=_("all sites"),
        printed_by=printed_by,
        printed_at=timezone.now(),
        tz=tz,
        action_labels={value: str(label) for value, label in AuditAction.choices},
    )
