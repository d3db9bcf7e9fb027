"""Safety pages: the worklist, the case form with its workflow actions, and manual intake.

Reads need `safety.view`; actions need `safety.edit` (approval also `esign.sign`). A case is found through the
caller's sites first (404 elsewhere), then the permission is checked (403). Each action calls one service; a
refused action answers 200 with the case page and the message beside its form; one that lands redirects.

Links to the pages of `views/edit.py` and `views/setup.py` are written with ``{% url ... as name %}``, which gives
"" instead of raising when a url name does not resolve, so the pages render whichever of those exist.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signatures_for
from opencro.safety import selectors
from opencro.safety.forms_cases import (
    AckForm,
    AdvanceForm,
    ApproveForm,
    DuplicateForm,
    FollowupForm,
    IntakeEventFormSet,
    IntakeForm,
    SubmissionForm,
    WorklistFilterForm,
)
from opencro.safety.models import WORKFLOW, CaseStatus, CaseVersion, SafetyCase, SubmissionFormat, VersionState
from opencro.safety.parts import version_parts
from opencro.safety.services import intake, reporting, workflow
from opencro.safety.unblinding_read import case_unblinding_panel
from opencro.studies.selectors import site_list
from opencro.subjects.selectors import subject_get, subject_list

PAGE_SIZE = 50
SOON_DAYS = 2  # a report due within this many days shows amber
FORWARD_STATES = (VersionState.TRIAGE, VersionState.DATA_ENTRY, VersionState.CODING)
SUBMITTABLE = (VersionState.APPROVED, VersionState.REPORTED)


def _errors(exc: ValidationError | PermissionDenied) -> dict[str, list[str]]:
    if isinstance(exc, PermissionDenied):
        return {NON_FIELD_ERRORS: [str(exc)]}
    return exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}


def _form_errors(form) -> dict[str, list[str]]:
    return {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}


# ---- the worklist -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorklistRow:
    version: CaseVersion
    seriousness: list[str]
    days: int | None  # days left until the next report is due (negative: overdue)
    clock: str  # "overdue", "soon", "ok" or "" (nothing due)

    @property
    def overdue_days(self) -> int:
        return -self.days if self.days is not None and self.days < 0 else 0


def due_clock(due_on: dt.date | None, today: dt.date) -> tuple[int | None, str]:
    """Days left to a due date and its colour: overdue (red) when past, soon (amber) within two days."""
    if due_on is None:
        return None, ""
    days = (due_on - today).days
    return days, "overdue" if days < 0 else "soon" if days <= SOON_DAYS else "ok"


@login_required
@require_GET
def worklist(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SAFETY_VIEW)
    sites = list(site_list(access))
    form = WorklistFilterForm(request.GET or None, sites=sites)
    filters = form.filters()
    today = timezone.localdate()
    counts = selectors.case_state_counts(access)
    paginator = Paginator(selectors.case_list(access, **filters, today=today), PAGE_SIZE)
    if not any(filters[name] for name in ("overdue", "site_id", "source", "search")):
        # the per-state counts already hold the total: spare the database a second scan of the list
        paginator.count = counts.get(filters["state"], 0) if filters["state"] else sum(counts.values())
    page = paginator.get_page(request.GET.get("page"))
    versions = list(page.object_list)
    seriousness = selectors.versions_seriousness(versions)
    rows = [WorklistRow(v, seriousness[v.pk], *due_clock(v.next_due_on, today)) for v in versions]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "safety/worklist.html",
        {
            "study": access.membership.study,
            "form": form,
            "page": page,
            "rows": rows,
            "today": today,
            "state_counts": [(value, label, counts.get(value, 0)) for value, label in VersionState.choices],
            "query": query.urlencode(),
            "can_edit": access.can(Perm.SAFETY_EDIT),
            "study_wide": access.site_ids is None,  # reconciliation and DSUR tables compare every site
        },
    )


# ---- the case form ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixRow:
    """A drug-event pair with the reporter's and the company's causality side by side."""

    pair: object
    reporter: object | None
    company: object | None


@dataclass(frozen=True)
class Step:
    value: str
    label: str
    status: str  # done, current, todo


@dataclass(frozen=True)
class DueView:
    """A report due, with the keys its forms answer to when refused and whether a submission can be recorded."""

    row: selectors.DueRow
    can_submit: bool

    @property
    def key(self) -> str:
        due = self.row.due
        return submission_key(due.version, due.rule_set, due.rule, due.recipient, due.kind)

    @property
    def ack_key(self) -> str:
        return f"ack-{self.row.submission.pk}" if self.row.submission else ""


def submission_key(*parts) -> str:
    return "submit-" + "|".join(str(p) for p in parts)


def _workflow(version: CaseVersion, editable: bool) -> dict:
    """The strip of steps, the forward step with its blockers, and the states a version can be sent back to."""
    index = WORKFLOW.index(version.state)
    steps = [
        Step(s.value, s.label, "done" if i < index else "current" if i == index else "todo")
        for i, s in enumerate(WORKFLOW)
    ]
    forward = WORKFLOW[index + 1] if version.state in FORWARD_STATES else None
    checks = version.state in (*FORWARD_STATES, VersionState.MEDICAL_REVIEW) and editable
    return {
        "steps": steps,
        "forward": forward,
        "blockers": workflow.step_blockers(version, version.state) if checks else [],
        "back_states": list(WORKFLOW[:index]) if editable and version.state != VersionState.REPORTED else [],
    }


def _case_page(
    request,
    access: StudyAccess,
    case: SafetyCase,
    *,
    number: int | None = None,
    errors: dict | None = None,
    failed: str = "",
    values=None,
):
    version = selectors.version_get(case, number)
    versions = selectors.case_versions(case)
    parts = version_parts(version)
    can_edit = access.can(Perm.SAFETY_EDIT)
    editable = can_edit and version.latest and not version.frozen
    today = timezone.localdate()
    due_rows, missing = selectors.case_due_rows(case, today=today)
    states = {v.number: v.state for v in versions}
    latest = next((v for v in versions if v.latest), versions[-1])
    site_days = (case.reported_at.date() - case.site_aware_on).days if case.site_aware_on and case.reported_at else None
    context = {
        "study": access.membership.study,
        "case": case,
        "version": version,
        "versions": versions,
        "parts": parts,
        "matrix": [
            MatrixRow(p, parts.assessments_of(p).get("reporter"), parts.assessments_of(p).get("company"))
            for p in parts.pairs
        ],
        "can_edit": can_edit,
        "can_audit": access.can(Perm.AUDIT_VIEW),
        "editable": editable,
        "can_approve": editable and access.can(Perm.SIGN) and version.state == VersionState.MEDICAL_REVIEW,
        "workflow": _workflow(version, editable),
        "due_rows": [
            DueView(r, can_edit and r.submission is None and states.get(r.due.version) in SUBMITTABLE)
            for r in sorted(due_rows, key=lambda r: (r.due.version, r.due.due_on, r.due.rule_set, r.due.recipient))
        ],
        "missing": missing,
        "duplicates": selectors.case_duplicates(access, version)
        if version.latest and case.status == CaseStatus.OPEN
        else [],
        "can_follow_up": can_edit
        and case.status == CaseStatus.OPEN
        and (latest.state in (VersionState.APPROVED, VersionState.REPORTED) or latest.frozen),
        "signatures": signatures_for(version),
        "site_days": site_days,
        "today": today,
        "errors": errors,
        "failed": failed,
        "values": values or {},
        "formats": SubmissionFormat.choices,
        "unblinding": case_unblinding_panel(access, case),
    }
    return render(request, "safety/case.html", context)


@login_required
@require_GET
def case(request, study_id: int, case_id: int):
    access = access_study(request.user, study_id)
    number = request.GET.get("v", "")
    found = selectors.case_get(access, case_id)  # 404 outside the caller's sites, then 403
    access_check(access, Perm.SAFETY_VIEW)
    return _case_page(request, access, found, number=int(number) if number.isdigit() else None)


def _case_write(request, study_id: int, case_id: int, *perms: str) -> tuple[StudyAccess, SafetyCase]:
    """(access, case) for an action: 404 outside the caller's sites, then 403 without the permissions."""
    access = access_study(request.user, study_id)
    found = selectors.case_get(access, case_id)
    for perm in (Perm.SAFETY_EDIT, *perms):
        access_check(access, perm)
    return access, found


def _act(request, access: StudyAccess, found: SafetyCase, form, failed: str, call: Callable[[dict], object], done: str):
    """Validate the form and call the service; redirect on success, else the case page (200) with the message."""
    if not form.is_valid():
        return _case_page(request, access, found, errors=_form_errors(form), failed=failed, values=request.POST)
    try:
        call(form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        found = selectors.case_get(access, found.pk)  # as stored: a refused service may have touched the object
        return _case_page(request, access, found, errors=_errors(exc), failed=failed, values=request.POST)
    messages.success(request, done)
    return redirect("safety:case", access.membership.study_id, found.pk)


def _move(request, study_id: int, case_id: int, failed: str, done: str):
    """One workflow step forward or back (the service decides which moves are allowed)."""
    access, found = _case_write(request, study_id, case_id)

    def call(data):
        workflow.case_version_advance(
            actor=request.user, version=selectors.version_get(found), to_state=data["to_state"], reason=data["reason"]
        )

    return _act(request, access, found, AdvanceForm(request.POST), failed, call, done)


@login_required
@require_POST
def case_advance(request, study_id: int, case_id: int):
    return _move(request, study_id, case_id, "advance", _("The case moved on."))


@login_required
@require_POST
def case_back(request, study_id: int, case_id: int):
    return _move(request, study_id, case_id, "back", _("The case was sent back."))


@login_required
@require_POST
def case_approve(request, study_id: int, case_id: int):
    access, found = _case_write(request, study_id, case_id, Perm.SIGN)

    def call(data):
        workflow.case_version_approve(
            actor=request.user, version=selectors.version_get(found), password=data["password"]
        )

    return _act(request, access, found, ApproveForm(request.POST), "approve", call, _("Approved and signed."))


@login_required
@require_POST
def case_followup(request, study_id: int, case_id: int):
    access, found = _case_write(request, study_id, case_id)

    def call(data):
        workflow.case_followup_start(
            actor=request.user,
            case=found,
            received_on=data["received_on"],
            significant=data["significant"],
            reason=data["reason"],
        )

    return _act(request, access, found, FollowupForm(request.POST), "followup", call, _("Follow-up version started."))


@login_required
@require_POST
def case_duplicate(request, study_id: int, case_id: int):
    access, found = _case_write(request, study_id, case_id)

    def call(data):
        workflow.case_mark_duplicate(
            actor=request.user, case=found, of_case=selectors.case_get(access, data["of_case"]), reason=data["reason"]
        )

    form = DuplicateForm(request.POST)
    return _act(request, access, found, form, "duplicate", call, _("The case is marked as a duplicate."))


@login_required
@require_POST
def case_submission(request, study_id: int, case_id: int):
    access, found = _case_write(request, study_id, case_id)

    def call(data):
        reporting.submission_record(
            actor=request.user,
            version=selectors.version_get(found, data["version"]),
            rule_set=data["rule_set"],
            rule=data["rule"],
            recipient=data["recipient"],
            kind=data["kind"],
            submitted_on=data["submitted_on"],
            fmt=data["fmt"],
            message_id=data["message_id"],
        )

    failed = submission_key(*(request.POST.get(k, "") for k in ("version", "rule_set", "rule", "recipient", "kind")))
    return _act(request, access, found, SubmissionForm(request.POST), failed, call, _("Submission recorded."))


@login_required
@require_POST
def case_ack(request, study_id: int, case_id: int, submission_id: int):
    access, found = _case_write(request, study_id, case_id)
    submission = selectors.case_submission_get(found, submission_id)

    def call(data):
        reporting.submission_ack_record(
            actor=request.user,
            submission=submission,
            batch_code=data["batch_code"],
            case_code=data["case_code"],
            received_on=data["received_on"],
            text=data["text"],
        )

    form = AckForm(request.POST)
    return _act(request, access, found, form, f"ack-{submission.pk}", call, _("Acknowledgement recorded."))


# ---- manual intake ------------------------------------------------------------------------------------------------

INTAKE_GROUPS = (
    (gettext_lazy("Report"), ("source", "received_on", "subject")),
    (
        gettext_lazy("Reporter"),
        (
            "reporter_given_name",
            "reporter_family_name",
            "reporter_organisation",
            "reporter_country",
            "reporter_qualification",
            "reporter_investigator",
        ),
    ),
    (
        gettext_lazy("Patient"),
        ("patient_initials", "patient_sex", "patient_birth_date", "patient_age", "patient_age_unit"),
    ),
    (
        gettext_lazy("Suspect product"),
        ("product", "product_name", "product_dose", "product_dose_unit", "product_route"),
    ),
)


def _intake_of(data: dict, events: list[dict], product) -> intake.CaseIntake:
    """The service's intake from the forms' cleaned data (rows left empty are skipped)."""
    name = product.name if product is not None else data["product_name"].strip()
    return intake.CaseIntake(
        source=data["source"],
        received_on=data["received_on"],
        events=[
            intake.EventInput(
                verbatim=e["verbatim"].strip(),
                onset=e["onset"].strip(),
                end=e["end"].strip(),
                outcome=e["outcome"],
                flags=frozenset(e["flags"]),
            )
            for e in events
            if e
        ],
        products=[
            intake.ProductInput(
                name=name,
                product=product,
                dose=data["product_dose"],
                dose_unit=data["product_dose_unit"],
                route=data["product_route"],
            )
        ]
        if name
        else [],
        reporter=intake.ReporterInput(
            given_name=data["reporter_given_name"],
            family_name=data["reporter_family_name"],
            organisation=data["reporter_organisation"],
            country=data["reporter_country"].upper(),
            qualification=data["reporter_qualification"],
            investigator=data["reporter_investigator"],
        ),
        patient=intake.PatientInput(
            initials=data["patient_initials"],
            sex=data["patient_sex"],
            birth_date=data["patient_birth_date"].strip(),
            age=float(data["patient_age"]) if data["patient_age"] is not None else None,
            age_unit=data["patient_age_unit"],
        ),
        narrative=data["narrative"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SAFETY_VIEW)
    access_check(access, Perm.SAFETY_EDIT)
    subjects = list(subject_list(access))
    products = list(selectors.safety_product_list(access))
    bound = request.method == "POST"
    form = IntakeForm(request.POST if bound else None, subjects=subjects, products=products)
    events = IntakeEventFormSet(request.POST if bound else None, prefix="event")
    errors: dict[str, list[str]] = {}
    if bound and form.is_valid() and events.is_valid():
        data = form.cleaned_data
        product = next((p for p in products if p.pk == data["product"]), None)
        try:
            created = intake.case_create(
                actor=request.user,
                study=access.membership.study,
                intake=_intake_of(data, events.cleaned_data, product),
                subject=subject_get(access, data["subject"]) if data["subject"] else None,
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Case %(number)s created.") % {"number": created.number})
            return redirect("safety:case", study_id, created.pk)
    return render(
        request,
        "safety/intake.html",
        {
            "study": access.membership.study,
            "form": form,
            "events": events,
            "problems": _problems(errors, form, events),
            "groups": [(legend, [form[name] for name in names]) for legend, names in INTAKE_GROUPS],
        },
    )


def _problems(errors: dict[str, list[str]], form, events) -> list[tuple[str, str, str]]:
    """(field, label, message) for each of a service's messages, so the page says which field it is about."""
    labels = {name: str(field.label) for name, field in form.fields.items()}
    labels |= {name: str(field.label) for name, field in events.empty_form.fields.items()}
    labels |= {"events": _("Events"), NON_FIELD_ERRORS: ""}
    return [(name, labels.get(name, name), message) for name, messages_ in errors.items() for message in messages_]


urls: list = [
    path("", worklist, name="worklist"),
    path("cases/new/", case_new, name="case_new"),
    path("cases/<int:case_id>/", case, name="case"),
    path("cases/<int:case_id>/advance/", case_advance, name="case_advance"),
    path("cases/<int:case_id>/back/", case_back, name="case_back"),
    path("cases/<int:case_id>/approve/", case_approve, name="case_approve"),
    path("cases/<int:case_id>/follow-up/", case_followup, name="case_followup"),
    path("cases/<int:case_id>/duplicate/", case_duplicate, name="case_duplicate"),
    path("cases/<int:case_id>/submissions/", case_submission, name="case_submission"),
    path("cases/<int:case_id>/submissions/<int:submission_id>/ack/", case_ack, name="case_ack"),
]
