"""Close-out pages, mounted at /studies/<study_id>/closeout/ (namespace "closeout"): the checklist, a step's page,
and the forms that start the close-out, sign a step, approve it and record where the archives are.

Reading needs `study.view`. Starting needs `closeout.manage`; signing a step its owner's permission and `esign.sign`
(the approval: `closeout.approve`); recording the archives `regulatory.edit`; every write the whole study. The study
is found through the caller's memberships (404), a site through their sites (404), then the permission is checked
(403). A refused form answers 200 with its page, the refusal beside the form.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opencro.accounts.access import StudyAccess, access_study
from opencro.accounts.models import Signature
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signatures_for, signatures_for_many
from opencro.closeout import forms, selectors, services
from opencro.closeout.gates import Checklist
from opencro.closeout.presentation import detail_rows, fact_rows
from opencro.closeout.retention import RULES
from opencro.closeout.selectors import StepView
from opencro.closeout.steps import Choice, StepDef, StepKey
from opencro.core.form_steps import run_step, step_form

HOME = "closeout:home"
STEP = "closeout:step"


def _writer(request: HttpRequest, study_id: int, *perms: str) -> StudyAccess:
    """The caller's access (404 outside the study), each permission and the whole study (403)."""
    return selectors.writer_check(access_study(request.user, study_id), *perms)


@dataclass(frozen=True)
class Row:
    """A step on a page: the reader's view of it, its sign form if offered, its signatures and recorded facts."""

    view: StepView
    form: object
    signatures: list[Signature]
    facts: list[tuple[str, str]]
    details: list[tuple[str, str]]


def _sign_form(access: StudyAccess, definition: StepDef, data=None):
    study_id = access.membership.study_id
    prefix = f"sign-{definition.key}"
    if definition.choice == Choice.PACKAGE:
        return forms.PackageSignForm(data, packages=selectors.package_choices(access), id_prefix=prefix)
    if definition.choice == Choice.CSR:
        return forms.CsrSignForm(
            data,
            versions=selectors.csr_choices(study_id),
            appendices=selectors.appendix_choices(study_id),
            id_prefix=prefix,
        )
    return forms.SignForm(data, id_prefix=prefix)


def _rows(views: list[StepView], forms_by_step: dict) -> list[Row]:
    records = [v.record for v in views if v.record is not None]
    signatures = signatures_for_many(records)
    return [
        Row(
            view=v,
            form=forms_by_step.get(v.key),
            signatures=[s for s in signatures.get(str(v.record.pk), []) if not s.is_broken] if v.record else [],
            facts=fact_rows(v.facts),
            details=detail_rows(v.facts),
        )
        for v in views
    ]


def _base(access: StudyAccess, checklist: Checklist) -> dict:
    closeout = checklist.closeout
    return {
        "study": checklist.study,
        "checklist": checklist,
        "closeout": closeout,
        "approved": checklist.approved,
        "writable": closeout is not None and not checklist.approved,
    }


@login_required
@require_GET
def home(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_study(request.user, study_id)
    return _home(request, access)


def _home(request: HttpRequest, access: StudyAccess, **given) -> HttpResponse:
    checklist = selectors.checklist_read(access)
    views = selectors.step_views(access, checklist)
    writable = checklist.started and not checklist.approved
    forms_by_step = {}
    for v in views:
        if v.definition.on_own_page:
            continue
        if given.get("sign_step") == v.key:
            forms_by_step[v.key] = given["sign"]
        elif writable and v.sign_here:
            forms_by_step[v.key] = (
                forms.ApproveForm() if v.key == StepKey.APPROVAL else _sign_form(access, v.definition)
            )
    manage = access.can(Perm.CLOSEOUT_MANAGE) and access.site_ids is None
    context = {
        **_base(access, checklist),
        "rows": _rows(views, forms_by_step),
        "start_form": step_form(given, "start", manage and not checklist.started, forms.StartForm),
        "lapsed": checklist.lapsed,
    }
    return render(request, "closeout/home.html", context)


@login_required
@require_POST
def start(request: HttpRequest, study_id: int) -> HttpResponse:
    access = _writer(request, study_id, Perm.CLOSEOUT_MANAGE)

    def call(data: dict) -> str:
        services.closeout_start(
            actor=request.user,
            study=access.membership.study,
            target_on=data["target_on"],
            note=data["note"],
            known=access,
        )
        return _("The close-out is started: sign its steps as their gates come to hold.")

    form = forms.StartForm(request.POST)
    return run_step(request, form, call, lambda f: _home(request, access, start=f), (HOME, study_id))


@login_required
@require_GET
def step_page(request: HttpRequest, study_id: int, step: str) -> HttpResponse:
    access = access_study(request.user, study_id)
    return _step_page(request, access, selectors.step_found(step))


def _archive_initial(checklist: Checklist) -> dict:
    """The archive form's values: what is recorded, else the end of the trial as the day the retention counts from."""
    closeout = checklist.closeout
    if closeout is not None and closeout.retention_rule:
        return {name: getattr(closeout, name) for name in services.ARCHIVE_FIELDS}
    lplv = checklist.step(StepKey.LPLV)
    return {"retention_basis_on": (lplv.record.facts if lplv.record else lplv.facts).get("lplv")}


def _step_page(request: HttpRequest, access: StudyAccess, definition: StepDef, **given) -> HttpResponse:
    checklist = selectors.checklist_read(access)
    view = next(v for v in selectors.step_views(access, checklist) if v.key == definition.key)
    context = _base(access, checklist)
    writable = context["writable"]
    form = None
    if given.get("sign") is not None:
        form = given["sign"]
    elif writable and view.sign_here and definition.on_own_page:
        form = _sign_form(access, definition)
    (row,) = _rows([view], {definition.key: form})
    history = signatures_for(view.record) if view.record else []
    archive = definition.choice == Choice.ARCHIVE
    edit = archive and writable and access.site_ids is None and access.can(Perm.REGULATORY_EDIT)
    site_rows = []
    if archive:
        for site, kept in selectors.site_archive_rows(access, checklist.closeout):
            if given.get("isf_site") == site.pk:
                site_form = given["isf"]
            elif edit:
                fields = ("location", "reference", "archived_on")
                initial = {name: getattr(kept, name) for name in fields} if kept else None
                site_form = forms.SiteArchiveForm(initial=initial, id_prefix=f"isf{site.pk}")
            else:
                site_form = None
            site_rows.append((site, kept, site_form))
    context.update(
        {
            "row": row,
            "own_page": definition.on_own_page,
            "history": sorted(history, key=lambda s: s.signed_at, reverse=True),
            "now_facts": fact_rows(selectors.facts_seen(view.status.facts, access.site_ids)),
            "archive": archive,
            "tmf_export": access.can(Perm.REGULATORY_VIEW),
            "archive_form": step_form(
                given, "archive", edit, lambda: forms.ArchiveForm(initial=_archive_initial(checklist))
            ),
            "site_rows": site_rows,
            "rules": list(RULES.values()),
        }
    )
    return render(request, "closeout/step.html", context)


@login_required
@require_POST
def sign(request: HttpRequest, study_id: int, step: str) -> HttpResponse:
    definition = selectors.step_found(step)
    if definition.key == StepKey.APPROVAL:
        raise Http404(_("The approval has its own form."))
    access = _writer(request, study_id, definition.perm, Perm.SIGN)

    def call(data: dict) -> str:
        services.closeout_step_sign(
            actor=request.user,
            study=access.membership.study,
            step=definition.key,
            password=data["password"],
            note=data["note"],
            package=data.get("package"),
            document_version=data.get("document_version"),
            appendices=list(data.get("appendices") or []),
            known=access,
        )
        return _("%(step)s signed.") % {"step": definition.label}

    form = _sign_form(access, definition, request.POST)
    if definition.on_own_page:
        page = lambda f: _step_page(request, access, definition, sign=f)  # noqa: E731
        success = (STEP, study_id, definition.key)
    else:
        page = lambda f: _home(request, access, sign=f, sign_step=definition.key)  # noqa: E731
        success = (HOME, study_id)
    return run_step(request, form, call, page, success)


@login_required
@require_POST
def approve(request: HttpRequest, study_id: int) -> HttpResponse:
    access = _writer(request, study_id, Perm.CLOSEOUT_APPROVE, Perm.SIGN)
    if not selectors.may_sign(access, selectors.step_found(StepKey.APPROVAL)):
        raise PermissionDenied(_("Who runs the close-out does not approve it: the sponsor's oversight does."))

    def call(data: dict) -> str:
        study = access.membership.study
        services.closeout_approve(
            actor=request.user, study=study, password=data["password"], note=data["note"], known=access
        )
        return _("The close-out is approved: the study is closed.")

    form = forms.ApproveForm(request.POST)
    return run_step(
        request, form, call, lambda f: _home(request, access, sign=f, sign_step=StepKey.APPROVAL), (HOME, study_id)
    )


@login_required
@require_POST
def archive(request: HttpRequest, study_id: int) -> HttpResponse:
    access = _writer(request, study_id, Perm.REGULATORY_EDIT)
    definition = selectors.step_found(StepKey.ARCHIVING)

    def call(data: dict) -> str:
        services.closeout_archive_record(actor=request.user, study=access.membership.study, known=access, **data)
        return _("The TMF's archive and its retention are recorded.")

    form = forms.ArchiveForm(request.POST)
    return run_step(
        request,
        form,
        call,
        lambda f: _step_page(request, access, definition, archive=f),
        (STEP, study_id, StepKey.ARCHIVING),
    )


@login_required
@require_POST
def site_archive(request: HttpRequest, study_id: int, site_id: int) -> HttpResponse:
    access = access_study(request.user, study_id)
    site = selectors.site_of_study(access, site_id)
    selectors.writer_check(access, Perm.REGULATORY_EDIT)
    definition = selectors.step_found(StepKey.ARCHIVING)

    def call(data: dict) -> str:
        services.closeout_site_archive_record(actor=request.user, site=site, known=access, **data)
        return _("The ISF archive of site %(site)s is recorded.") % {"site": site.number}

    form = forms.SiteArchiveForm(request.POST, id_prefix=f"isf{site.pk}")
    return run_step(
        request,
        form,
        call,
        lambda f: _step_page(request, access, definition, isf=f, isf_site=site.pk),
        (STEP, study_id, StepKey.ARCHIVING),
    )
