"""Safety pages: edit the content of a case's latest version, code its events and record causality.

Every page finds the case through the caller's sites first (404 elsewhere), then needs `safety.edit` (403). Each
save calls one service on the latest version; a frozen version, a missing reason for a change or a bad partial
date comes back on the page (200) beside the field it concerns; a save that lands redirects to the case page.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.coding.selectors import dictionary_search, study_coding
from opencro.core.form_errors import errors_to_form
from opencro.safety import selectors
from opencro.safety.forms_edit import (
    AssessmentForm,
    ChallengeForm,
    CodeForm,
    DeleteForm,
    EventForm,
    ExpectednessForm,
    HistoryForm,
    LabResultForm,
    PairForm,
    PatientForm,
    ProductForm,
    ReporterForm,
    VersionForm,
)
from opencro.safety.models import (
    AssessmentSource,
    CaseCausality,
    CaseDrugEvent,
    CaseEvent,
    CaseHistory,
    CaseLabResult,
    CasePatient,
    CaseProduct,
    CaseReporter,
    CaseVersion,
    SafetyCase,
)
from opencro.safety.parts import VersionParts, version_parts
from opencro.safety.services.content import (
    case_event_code,
    case_event_expectedness_set,
    case_part_delete,
    case_part_save,
    case_version_update,
)

SEARCH_RESULTS = 25


@dataclass(frozen=True)
class Editing:
    """What an edit page works on: the caller's access, the case and its latest version with all its rows."""

    access: StudyAccess
    case: SafetyCase
    version: CaseVersion
    parts: VersionParts


def case_url(study_id: int, case_id: int) -> str:
    """The case page (views/cases.py), where every save returns."""
    return reverse("safety:case", args=[study_id, case_id])


def _editing(request, study_id: int, case_id: int) -> Editing:
    """404 for a case outside the caller's sites, then 403 without safety.edit; the latest version's rows."""
    access = access_study(request.user, study_id)
    case = selectors.case_get(access, case_id)
    access_check(access, Perm.SAFETY_EDIT)
    version = selectors.version_get(case)
    return Editing(access, case, version, version_parts(version))


def _row(rows: list, row_id: int):
    """The row of the latest version with this id (404 when it belongs to another version or case)."""
    row = next((r for r in rows if r.pk == row_id), None)
    if row is None:
        raise Http404(_("No such row in the case's latest version."))
    return row


def _render(request, editing: Editing, template: str, title: str, **context):
    return render(
        request,
        f"safety/{template}",
        {
            "study": editing.access.membership.study,
            "case": editing.case,
            "version": editing.version,
            "parts": editing.parts,
            "case_url": case_url(editing.case.study_id, editing.case.pk),
            "title": title,
            **context,
        },
    )


def _saved(request, editing: Editing, text: str):
    messages.success(request, text)
    return redirect(case_url(editing.case.study_id, editing.case.pk))


# ---- rows edited through one form: patient, reporters, events, products, tests, history -------------------------


@dataclass(frozen=True)
class RowKind:
    """One kind of row of a version: its form, where its rows are in `VersionParts`, its page titles."""

    name: str
    model: type
    form: type
    rows: Callable[[VersionParts], list]
    add_title: str
    edit_title: str
    template: str = "edit_row.html"
    form_kwargs: Callable[[Editing], dict] = lambda editing: {}
    context: Callable[[object, Editing, object], dict] = lambda request, editing, row: {}


def _event_context(request, editing: Editing, event: CaseEvent) -> dict:
    """The coding search (the study's MedDRA, LLTs with their PT and SOC) and the expectedness of the event."""
    if event.pk is None:
        return {}
    coding = study_coding(editing.case.study_id)
    dictionary = coding.meddra if coding else None
    query = request.GET.get("q", event.verbatim)[:200]
    return {
        "dictionary": dictionary,
        "q": query,
        "results": dictionary_search(dictionary, query, limit=SEARCH_RESULTS) if dictionary else [],
        "expectedness_form": ExpectednessForm(
            initial={"unexpected": "yes" if event.unexpected else "no", "basis": event.expectedness_basis}
        ),
    }


KINDS = {
    "event": RowKind(
        "event",
        CaseEvent,
        EventForm,
        lambda parts: parts.events,
        gettext_lazy("Add an event"),
        gettext_lazy("Event"),
        template="edit_event.html",
        context=_event_context,
    ),
    "product": RowKind(
        "product",
        CaseProduct,
        ProductForm,
        lambda parts: parts.products,
        gettext_lazy("Add a product"),
        gettext_lazy("Product"),
        form_kwargs=lambda editing: {"products": selectors.safety_product_list(editing.access)},
    ),
    "reporter": RowKind(
        "reporter",
        CaseReporter,
        ReporterForm,
        lambda parts: parts.reporters,
        gettext_lazy("Add a reporter"),
        gettext_lazy("Reporter"),
    ),
    "test": RowKind(
        "test",
        CaseLabResult,
        LabResultForm,
        lambda parts: parts.tests,
        gettext_lazy("Add a test result"),
        gettext_lazy("Test result"),
    ),
    "history": RowKind(
        "history",
        CaseHistory,
        HistoryForm,
        lambda parts: parts.history,
        gettext_lazy("Add a condition of the medical history"),
        gettext_lazy("Medical history"),
    ),
}


def _row_page(request, editing: Editing, kind: RowKind, row, form, **extra):
    """Render a row's page; `extra` (a bound form that failed) overrides what the kind's context gives."""
    adding = row.pk is None
    context = {"delete_form": DeleteForm(), **kind.context(request, editing, row), **extra}
    if not adding:
        context["delete_url"] = reverse(
            f"safety:{kind.name}_delete", args=[editing.case.study_id, editing.case.pk, row.pk]
        )
    title = str(kind.add_title) if adding else f"{kind.edit_title}: {row}"
    return _render(
        request, editing, kind.template, title, kind=kind.name, row=None if adding else row, form=form, **context
    )


def _row_form(request, editing: Editing, kind: RowKind, row):
    """Show the form of a row (new when `row.pk` is None) or save it through `case_part_save`."""
    if request.method == "GET":
        return _row_page(request, editing, kind, row, kind.form(instance=row, **kind.form_kwargs(editing)))
    form = kind.form(request.POST, instance=row, **kind.form_kwargs(editing))
    if form.is_valid():
        try:
            case_part_save(actor=request.user, part=form.instance, reason=form.cleaned_data.get("reason", ""))
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return _saved(request, editing, _("%(row)s saved.") % {"row": form.instance})
    return _row_page(request, editing, kind, row, form)


def _add_view(kind: RowKind):
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request, study_id: int, case_id: int):
        editing = _editing(request, study_id, case_id)
        return _row_form(request, editing, kind, kind.model(version=editing.version))

    view.__name__ = f"{kind.name}_add"
    return view


def _edit_view(kind: RowKind):
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request, study_id: int, case_id: int, **ids: int):
        editing = _editing(request, study_id, case_id)
        row = _row(kind.rows(editing.parts), ids[f"{kind.name}_id"])
        row.version = editing.version
        return _row_form(request, editing, kind, row)

    view.__name__ = f"{kind.name}_edit"
    return view


def _delete_view(kind: RowKind):
    @login_required
    @require_POST
    def view(request, study_id: int, case_id: int, **ids: int):
        editing = _editing(request, study_id, case_id)
        row = _row(kind.rows(editing.parts), ids[f"{kind.name}_id"])
        row.version = editing.version
        form = DeleteForm(request.POST)
        if form.is_valid():
            try:
                case_part_delete(actor=request.user, part=row, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                return _saved(request, editing, _("%(row)s deleted.") % {"row": row})
        unchanged = kind.form(instance=row, **kind.form_kwargs(editing))
        return _row_page(request, editing, kind, row, unchanged, delete_form=form)

    view.__name__ = f"{kind.name}_delete"
    return view


# ---- the patient and the version's own fields ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def patient_edit(request, study_id: int, case_id: int):
    editing = _editing(request, study_id, case_id)
    patient = editing.parts.patient or CasePatient(version=editing.version)
    patient.version = editing.version
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        try:
            case_part_save(actor=request.user, part=form.instance, reason=form.cleaned_data.get("reason", ""))
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return _saved(request, editing, _("Patient saved."))
    return _render(request, editing, "edit_row.html", _("Patient"), kind="patient", row=None, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def version_edit(request, study_id: int, case_id: int):
    editing = _editing(request, study_id, case_id)
    form = VersionForm(request.POST or None, instance=editing.version)
    if request.method == "POST" and form.is_valid():
        try:
            case_version_update(
                actor=request.user,
                version=selectors.version_get(editing.case),
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return _saved(request, editing, _("Version saved."))
    title = _("Version %(n)s: narrative, comments and key dates") % {"n": editing.version.number}
    return _render(request, editing, "edit_row.html", title, kind="version", row=None, form=form)


# ---- an event's MedDRA coding and expectedness ------------------------------------------------------------------


def _event(request, study_id: int, case_id: int, event_id: int) -> tuple[Editing, CaseEvent]:
    editing = _editing(request, study_id, case_id)
    event = _row(editing.parts.events, event_id)
    event.version = editing.version
    return editing, event


@login_required
@require_POST
def event_code(request, study_id: int, case_id: int, event_id: int):
    editing, event = _event(request, study_id, case_id, event_id)
    form = CodeForm(request.POST)
    term = selectors.meddra_term_get(editing.access, form.cleaned_data["term"]) if form.is_valid() else None
    if term is None:
        form.add_error(None, _("Choose a term of the study's MedDRA version."))
    else:
        try:
            case_event_code(actor=request.user, event=event, term=term, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return _saved(
                request,
                editing,
                _("%(key)s coded to %(term)s (%(code)s).") % {"key": event.key, "term": term.term, "code": term.code},
            )
    return _row_page(request, editing, KINDS["event"], event, EventForm(instance=event), code_form=form)


@login_required
@require_POST
def event_expectedness(request, study_id: int, case_id: int, event_id: int):
    editing, event = _event(request, study_id, case_id, event_id)
    form = ExpectednessForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case_event_expectedness_set(
                actor=request.user,
                event=event,
                unexpected=data["unexpected"],
                basis=data["basis"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return _saved(request, editing, _("Expectedness of %(key)s saved.") % {"key": event.key})
    return _row_page(request, editing, KINDS["event"], event, EventForm(instance=event), expectedness_form=form)


# ---- drug-event pairs and their causality -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pair_add(request, study_id: int, case_id: int):
    editing = _editing(request, study_id, case_id)
    parts = editing.parts
    chosen = {name: request.GET[name] for name in ("product", "event") if name in request.GET}  # from the case page
    form = PairForm(request.POST or None, initial=chosen, products=parts.products, events=parts.events)
    if request.method == "POST" and form.is_valid():
        pair = CaseDrugEvent(
            version=editing.version,
            product=_row(parts.products, form.cleaned_data["product"]),
            event=_row(parts.events, form.cleaned_data["event"]),
        )
        if parts.pair(pair.product, pair.event) is not None:
            form.add_error(None, _("This product and event already form a pair."))
        else:
            try:
                pair = case_part_save(actor=request.user, part=pair)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Pair %(pair)s added.") % {"pair": pair})
                return redirect("safety:causality_edit", study_id, case_id, pair.pk)
    return _render(request, editing, "edit_row.html", _("Add a drug-event pair"), kind="pair", row=None, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def causality_edit(request, study_id: int, case_id: int, pair_id: int):
    """The pair's dechallenge and rechallenge, the company's assessment, and the reporter's (recorded once)."""
    editing = _editing(request, study_id, case_id)
    pair = _row(editing.parts.pairs, pair_id)
    pair.version = editing.version
    assessments = editing.parts.assessments_of(pair)
    reporter, company = assessments.get(AssessmentSource.REPORTER), assessments.get(AssessmentSource.COMPANY)
    for assessment in (reporter, company):
        if assessment is not None:
            assessment.version, assessment.pair = editing.version, pair

    def new(source: str) -> CaseCausality:
        return CaseCausality(version=editing.version, pair=pair, source=source)

    forms = {
        "pair": ChallengeForm(instance=pair, prefix="pair"),
        "company": AssessmentForm(instance=company or new(AssessmentSource.COMPANY), prefix="company"),
        "reporter": None if reporter else AssessmentForm(instance=new(AssessmentSource.REPORTER), prefix="reporter"),
    }
    part = request.POST.get("part", "")
    if request.method == "POST" and part == AssessmentSource.REPORTER and reporter is not None:
        messages.error(request, _("The reporter's assessment is already recorded; the sponsor cannot change it."))
    elif request.method == "POST":
        if part not in forms:
            raise Http404(_("No such form."))
        form = type(forms[part])(request.POST, instance=forms[part].instance, prefix=part)
        forms[part] = form
        if form.is_valid():
            try:
                case_part_save(actor=request.user, part=form.instance, reason=form.cleaned_data.get("reason", ""))
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                return _saved(request, editing, _("Pair %(pair)s saved.") % {"pair": pair})
    title = _("Causality: %(product)s and %(event)s") % {"product": pair.product, "event": pair.event}
    return _render(request, editing, "edit_causality.html", title, pair=pair, reporter=reporter, forms=forms)


# ---- routes -----------------------------------------------------------------------------------------------------

CASE = "cases/<int:case_id>/"


def _row_routes(kind: RowKind, folder: str) -> list:
    return [
        path(f"{CASE}{folder}/add/", _add_view(kind), name=f"{kind.name}_add"),
        path(f"{CASE}{folder}/<int:{kind.name}_id>/", _edit_view(kind), name=f"{kind.name}_edit"),
        path(f"{CASE}{folder}/<int:{kind.name}_id>/delete/", _delete_view(kind), name=f"{kind.name}_delete"),
    ]


urls: list = [
    *_row_routes(KINDS["event"], "events"),
    path(f"{CASE}events/<int:event_id>/code/", event_code, name="event_code"),
    path(f"{CASE}events/<int:event_id>/expectedness/", event_expectedness, name="event_expectedness"),
    *_row_routes(KINDS["product"], "products"),
    *_row_routes(KINDS["reporter"], "reporters"),
    *_row_routes(KINDS["test"], "tests"),
    *_row_routes(KINDS["history"], "history"),
    path(f"{CASE}patient/", patient_edit, name="patient_edit"),
    path(f"{CASE}version/", version_edit, name="version_edit"),
    path(f"{CASE}pairs/add/", pair_add, name="pair_add"),
    path(f"{CASE}pairs/<int:pair_id>/", causality_edit, name="causality_edit"),
]
