"""Document pages: the list with its filters, a new document, and each document with its versions, reviews (with
their e-signatures), download, new version, review request, decision, filing and quality check.

Reads need `regulatory.view`; uploading and filing `tmf.file`, deciding `document.approve`, QC `tmf.qc`. A document
is found through what the reader may see first (404 elsewhere), then the permission is checked (403). A refused form
answers 200 with the page and the errors beside the fields; a change that lands redirects.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.core.form_errors import errors_to_form
from opencro.documents import forms, selectors, services
from opencro.documents.models import Document, QcStatus, ReviewDecision
from opencro.edc.uploads import max_upload_bytes
from opencro.studies.selectors import site_scope

LIST_LIMIT = 500


def upload_bytes(form, field: str = "file") -> tuple[str, bytes] | None:
    """The uploaded file's name and bytes, or None with the error on the form (too large to read is refused
    before reading; what else is accepted is the service's call, through `edc.uploads`)."""
    upload = form.cleaned_data.get(field)
    if upload is None:
        return None
    if upload.size > max_upload_bytes():
        form.add_error(field, _("The file is larger than %(mb)d MB.") % {"mb": max_upload_bytes() >> 20})
        return None
    return upload.name, upload.read()


def _found(request: HttpRequest, study_id: int, document_id: int, perm: str) -> tuple[StudyAccess, Document]:
    """The document among those the reader sees (404 otherwise), then regulatory.view and `perm` (403 without)."""
    access = access_study(request.user, study_id)
    document = selectors.document_get(access, document_id)
    access_check(access, Perm.REGULATORY_VIEW)
    return access_check(access, perm), document


def _new_form(request: HttpRequest, access: StudyAccess, data=None, files=None) -> forms.DocumentForm:
    return forms.DocumentForm(
        data,
        files,
        countries=list(selectors.country_choices(access)),
        sites=list(site_scope(access).order_by("number")),
        artifacts=list(selectors.artifact_choices(access.membership.study_id)),
        initial={"level": "site" if access.site_ids is not None else "trial"},
    )


@login_required
@require_GET
def document_list_page(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_study(request.user, study_id, Perm.REGULATORY_VIEW)
    countries = list(selectors.country_choices(access))
    sites = list(site_scope(access).order_by("number"))
    form = forms.DocumentFilter(request.GET, countries=countries, sites=sites)
    values = form.cleaned_data if form.is_valid() else {}
    found = selectors.document_list(
        access,
        level=values.get("level", ""),
        country_id=values.get("country"),
        site_id=values.get("site"),
        artifact_number=values.get("artifact", ""),
        status=values.get("status", ""),
        qc_status=values.get("qc", ""),
        search=values.get("q", ""),
    )
    documents = list(found[:LIST_LIMIT])
    current = selectors.versions_current(access, documents)
    for document in documents:
        document.current = current.get(document.pk)
    context = {
        "study": access.membership.study,
        "filter": form,
        "documents": documents,
        "total": found.count(),
        "limit": LIST_LIMIT,
        "can_file": access.can(Perm.TMF_FILE),
    }
    return render(request, "documents/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def document_new(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.REGULATORY_VIEW), Perm.TMF_FILE)
    if request.method == "GET":
        form = _new_form(request, access)
    else:
        form = _new_form(request, access, request.POST, request.FILES)
        body = upload_bytes(form) if form.is_valid() else None
        if body is not None:
            data = form.cleaned_data
            study = access.membership.study
            try:
                version = services.document_create(
                    actor=request.user,
                    study=study,
                    title=data["title"],
                    file_name=body[0],
                    content=body[1],
                    document_date=data["document_date"],
                    effective_on=data["effective_on"],
                    expires_on=data["expires_on"],
                    level=data["level"],
                    country=selectors.country_choices(access).filter(pk=data["country"]).first(),
                    site=site_scope(access).filter(pk=data["site"]).first(),
                    artifact=selectors.artifact_choices(study_id).filter(pk=data["artifact"]).first(),
                    requires_approval=data["requires_approval"],
                    version=data["version"],
                    known=access,
                )
            except (ValidationError, PermissionDenied) as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("Document %(number)s created.") % {"number": version.document.number})
                return redirect("documents:detail", study_id, version.document_id)
    return render(request, "documents/new.html", {"study": access.membership.study, "form": form})


def _refused(form, exc: ValidationError | PermissionDenied, field: str | None = None) -> None:
    """A service's refusal beside the form's field (a refused permission or password above it, or at `field`)."""
    if isinstance(exc, ValidationError):
        errors_to_form(form, exc)
    else:
        form.add_error(field if field in form.fields else None, str(exc))


def _detail(
    request: HttpRequest,
    access: StudyAccess,
    document: Document,
    *,
    failed: str = "",
    form=None,
    failed_version: int = 0,
) -> HttpResponse:
    """The document with its versions and the steps the reader may take; `form` (refused) replaces `failed`'s."""
    versions = selectors.version_list(access, document)
    study_id = access.membership.study_id
    can = {perm: access.can(perm) for perm in (Perm.TMF_FILE, Perm.DOCUMENT_APPROVE, Perm.TMF_QC)}
    for version in versions:
        version.review_rows = selectors.version_reviews(version)
        version.my_review = selectors.review_mine(version, request.user) if can[Perm.DOCUMENT_APPROVE] else None
    reviewers = selectors.reviewer_choices(access, document) if can[Perm.TMF_FILE] else []
    blank = {
        "version": lambda: forms.VersionForm(),
        "file": lambda: forms.FileForm(
            initial={
                "artifact": document.artifact_id,
                "level": document.level,
                "country": document.country_id,
                "site": document.site_id,
            },
            countries=list(selectors.country_choices(access)),
            sites=list(site_scope(access).order_by("number")),
            artifacts=list(selectors.artifact_choices(study_id)),
        ),
        "review": lambda: forms.ReviewRequestForm(people=[u for u in reviewers if u.pk != request.user.pk]),
        "decide": lambda: forms.DecideForm(),
        "qc": lambda: forms.QcForm(),
    }
    step_forms = {
        f"{name}_form": (form if failed == name and form is not None else make()) for name, make in blank.items()
    }
    context = {
        "study": access.membership.study,
        "document": document,
        "versions": versions,
        "current": selectors.version_current(versions),
        "can_file": can[Perm.TMF_FILE],
        "can_qc": can[Perm.TMF_QC],
        "can_approve": can[Perm.DOCUMENT_APPROVE],
        "can_audit": access.can(Perm.AUDIT_VIEW),
        "has_structure": selectors.artifact_choices(study_id).exists(),
        "failed": failed,
        "failed_version": failed_version,
        "user_id": request.user.pk,
        **step_forms,
        **{f"blank_{name}": make() for name, make in blank.items() if name in ("review", "decide", "qc")},
    }
    return render(request, "documents/detail.html", context, status=200)


@login_required
@require_GET
def document_page(request: HttpRequest, study_id: int, document_id: int) -> HttpResponse:
    access, document = _found(request, study_id, document_id, Perm.REGULATORY_VIEW)
    return _detail(request, access, document)


@login_required
@require_GET
def version_download(request: HttpRequest, study_id: int, document_id: int, version_id: int) -> HttpResponse:
    """The version's file, read back and verified; an error page (not the bytes) when it does not match."""
    access, document = _found(request, study_id, document_id, Perm.REGULATORY_VIEW)
    version = selectors.version_get(access, document, version_id)
    try:
        body = selectors.version_body(version)
    except selectors.DocumentBodyError as exc:
        context = {"study": access.membership.study, "document": document, "version": version, "problem": str(exc)}
        return render(request, "documents/body_error.html", context, status=500)
    response = HttpResponse(body, content_type=version.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.number}_v{version.version}_{version.file_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Digest"] = f"sha-256={version.sha256}"
    return response


@login_required
@require_POST
def version_upload(request: HttpRequest, study_id: int, document_id: int) -> HttpResponse:
    access, document = _found(request, study_id, document_id, Perm.TMF_FILE)
    form = forms.VersionForm(request.POST, request.FILES)
    body = upload_bytes(form) if form.is_valid() else None
    if body is not None:
        data = form.cleaned_data
        try:
            version = services.version_upload(
                actor=request.user,
                document=document,
                version=data["version"],
                file_name=body[0],
                content=body[1],
                document_date=data["document_date"],
                effective_on=data["effective_on"],
                expires_on=data["expires_on"],
                change_summary=data["change_summary"],
                known=access,
            )
        except (ValidationError, PermissionDenied) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Version %(v)s uploaded.") % {"v": version.version})
            return redirect("documents:detail", study_id, document.pk)
    return _detail(request, access, document, failed="version", form=form)


@login_required
@require_POST
def document_file(request: HttpRequest, study_id: int, document_id: int) -> HttpResponse:
    access, document = _found(request, study_id, document_id, Perm.TMF_FILE)
    form = forms.FileForm(
        request.POST,
        countries=list(selectors.country_choices(access)),
        sites=list(site_scope(access).order_by("number")),
        artifacts=list(selectors.artifact_choices(study_id)),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.document_file(
                actor=request.user,
                document=document,
                artifact=selectors.artifact_choices(study_id).get(pk=data["artifact"]),
                level=data["level"],
                country=selectors.country_choices(access).filter(pk=data["country"]).first(),
                site=site_scope(access).filter(pk=data["site"]).first(),
                reason=data["reason"],
                known=access,
            )
        except (ValidationError, PermissionDenied) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Document filed."))
            return redirect("documents:detail", study_id, document.pk)
    return _detail(request, access, document, failed="file", form=form)


def _version_step(request, study_id: int, document_id: int, version_id: int, perm: str):
    access, document = _found(request, study_id, document_id, perm)
    return access, document, selectors.version_get(access, document, version_id)


@login_required
@require_POST
def review_request(request: HttpRequest, study_id: int, document_id: int, version_id: int) -> HttpResponse:
    access, document, version = _version_step(request, study_id, document_id, version_id, Perm.TMF_FILE)
    people = selectors.reviewer_choices(access, document)
    form = forms.ReviewRequestForm(request.POST, people=people)
    if form.is_valid():
        try:
            services.review_request(
                actor=request.user,
                version=version,
                reviewers=[u for u in people if u.pk in set(form.cleaned_data["reviewers"])],
                due_on=form.cleaned_data["due_on"],
                known=access,
            )
        except (ValidationError, PermissionDenied) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Version %(v)s sent for review.") % {"v": version.version})
            return redirect("documents:detail", study_id, document.pk)
    return _detail(request, access, document, failed="review", form=form, failed_version=version.pk)


@login_required
@require_POST
def review_decide(request: HttpRequest, study_id: int, document_id: int, version_id: int) -> HttpResponse:
    """The reader's own pending review of the version: approve (e-signed) or request changes."""
    access, document, version = _version_step(request, study_id, document_id, version_id, Perm.DOCUMENT_APPROVE)
    form = forms.DecideForm(request.POST)
    if form.is_valid():
        review = selectors.review_mine(version, request.user)
        try:
            if review is None:
                raise ValidationError(_("No review of this version is waiting for your decision."))
            services.review_decide(
                actor=request.user,
                review=review,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                password=form.cleaned_data["password"],
                known=access,
            )
        except (ValidationError, PermissionDenied) as exc:
            _refused(form, exc, "password")
        else:
            approved = form.cleaned_data["decision"] == ReviewDecision.APPROVED
            messages.success(request, _("Approved and signed.") if approved else _("Changes requested."))
            return redirect("documents:detail", study_id, document.pk)
    return _detail(request, access, document, failed="decide", form=form, failed_version=version.pk)


@login_required
@require_POST
def qc_record(request: HttpRequest, study_id: int, document_id: int, version_id: int) -> HttpResponse:
    access, document, version = _version_step(request, study_id, document_id, version_id, Perm.TMF_QC)
    form = forms.QcForm(request.POST)
    if form.is_valid():
        try:
            services.qc_record(
                actor=request.user,
                version=version,
                passed=form.cleaned_data["outcome"] == QcStatus.PASSED,
                finding=form.cleaned_data["finding"],
                known=access,
            )
        except (ValidationError, PermissionDenied) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Quality check recorded."))
            return redirect("documents:detail", study_id, document.pk)
    return _detail(request, access, document, failed="qc", form=form, failed_version=version.pk)
