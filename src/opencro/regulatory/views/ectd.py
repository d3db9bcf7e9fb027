"""eCTD sequence pages: the study's sequences, one sequence (its leaves, problems and regional information), building
the next one as a background job, and one sequence folder as a ZIP.

Reads need `regulatory.view`; building needs `regulatory.edit`. A sequence is a study-level record (it carries the
application's datasets and documents whatever site they came from), so a site-restricted reader gets 404 on every
page here, as for another study. A sequence taken from an unblinded package is listed for every reader, but only a
reader with `treatment.view` downloads it (403 otherwise). A refused build (its inputs, or what the US regional
backbone needs: `regulatory.jobs.ectd_build_check`) answers 200 with the errors beside the fields and queues nothing;
a build that is accepted redirects to the job's progress page.
"""

from collections import Counter
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.analysis.models import SubmissionPackage
from opencro.core.folder_zip import folder_zip_response
from opencro.core.form_errors import errors_to_form
from opencro.jobs.services import job_submit
from opencro.regulatory import selectors
from opencro.regulatory.jobs import ECTD_BUILD_JOB
from opencro.regulatory.models import EctdSequence, Submission


class EctdBuildForm(forms.Form):
    """The next sequence: its description, the submission it belongs to, the package its datasets come from."""

    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Default: the protocol number and the sequence number."),
        widget=forms.TextInput(attrs={"data-testid": "ectd-description"}),
    )
    submission = forms.ModelChoiceField(
        label=gettext_lazy("Submission"), queryset=Submission.objects.none(), required=False
    )
    package = forms.ModelChoiceField(
        label=gettext_lazy("Submission package"),
        queryset=SubmissionPackage.objects.none(),
        to_field_name="number",
        required=False,
        empty_label=gettext_lazy("The latest built package"),
    )

    def __init__(self, *args, access: StudyAccess, **kwargs) -> None:
        kwargs.setdefault("auto_id", "ectd_%s")
        super().__init__(*args, **kwargs)
        submissions = self.fields["submission"]
        submissions.queryset = selectors.submission_list(access)
        submissions.label_from_instance = lambda s: f"{s.number} · {s.title}"
        packages = self.fields["package"]
        packages.queryset = selectors.ectd_packages(access)
        packages.label_from_instance = package_label

    def params(self) -> dict:
        """The job's parameters (ids and numbers: they are stored as JSON)."""
        data = self.cleaned_data
        return {
            "description": data["description"],
            "submission": data["submission"].pk if data["submission"] else None,
            "package": data["package"].number if data["package"] else None,
        }


def package_label(package: SubmissionPackage) -> str:
    kind = _("blinded") if package.blinded else _("unblinded")
    return _("Package %(number)s (%(kind)s)") % {"number": package.number, "kind": kind}


def operation_counts(record: EctdSequence) -> dict[str, int]:
    """How many leaves the sequence sends as new, as replacements (and any other operation)."""
    counts = Counter(leaf.get("operation", "") for leaf in record.manifest)
    return {"new": counts.pop("new", 0), "replace": counts.pop("replace", 0), **counts}


def sequence_filename(record: EctdSequence) -> str:
    return f"{record.study.protocol_number}-ectd-{record.sequence}.zip"


def sequence_zip_response(folder: Path, record: EctdSequence) -> FileResponse:
    """The sequence folder as a ZIP download, its files under `<sequence>/` as in the application folder."""
    return folder_zip_response(folder, sequence_filename(record), prefix=record.sequence)


def gone_message(record: EctdSequence) -> str:
    return _("The folder of sequence %(sequence)s is no longer where it was written (%(folder)s).") % {
        "sequence": record.sequence,
        "folder": record.folder,
    }


def ectd_access(request: HttpRequest, study_id: int, *, build: bool = False) -> StudyAccess:
    """The access rule of the eCTD list and of building (the page and the API alike): the study (404 outside it),
    study-wide scope (404 for a site-restricted member: `selectors.ectd_scope`), `regulatory.view` (403), and for a
    build `regulatory.edit` (403)."""
    access = selectors.ectd_scope(access_study(request.user, study_id))
    access_check(access, Perm.REGULATORY_VIEW)
    if build:
        access_check(access, Perm.REGULATORY_EDIT)
    return access


def sequence_found(request: HttpRequest, study_id: int, sequence: str) -> tuple[StudyAccess, EctdSequence]:
    """The sequence within the reader's scope (404 otherwise), then regulatory.view (403 without)."""
    access = access_study(request.user, study_id)
    record = selectors.ectd_sequence_get(access, sequence)
    return access_check(access, Perm.REGULATORY_VIEW), record


def _downloadable(access: StudyAccess, record: EctdSequence) -> bool:
    """Whether the page offers the ZIP: the reader may have it and its folder is still there."""
    return selectors.ectd_sequence_readable(access, record) and Path(record.folder).is_dir()


@login_required
@require_http_methods(["GET", "POST"])
def ectd_page(request: HttpRequest, study_id: int) -> HttpResponse:
    access = ectd_access(request, study_id, build=request.method == "POST")
    form = None
    if request.method == "POST":
        form = EctdBuildForm(request.POST, access=access)
        if form.is_valid():
            try:
                job = job_submit(
                    actor=request.user, name=ECTD_BUILD_JOB, params=form.params(), study=access.membership.study
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                return redirect("jobs:detail", job.pk)
    elif access.can(Perm.REGULATORY_EDIT):
        form = EctdBuildForm(access=access)
    rows = list(selectors.ectd_sequence_list(access))
    for record in rows:
        record.operations = operation_counts(record)
        record.downloadable = _downloadable(access, record)
    context = {"study": access.membership.study, "sequences": rows, "form": form}
    return render(request, "regulatory/ectd.html", context)


def _detail(request: HttpRequest, access: StudyAccess, record: EctdSequence, *, gone: str = "") -> HttpResponse:
    """The sequence page; with `gone`, the 404 that says the sequence's folder is no longer there."""
    context = {
        "study": access.membership.study,
        "record": record,
        "operations": operation_counts(record),
        "applicant": record.regional.get("applicant", {}),
        "downloadable": _downloadable(access, record),
        "gone": gone,
    }
    return render(request, "regulatory/ectd_sequence.html", context, status=404 if gone else 200)


@login_required
@require_GET
def ectd_sequence(request: HttpRequest, study_id: int, sequence: str) -> HttpResponse:
    access, record = sequence_found(request, study_id, sequence)
    return _detail(request, access, record)


@login_required
@require_GET
def ectd_download(request: HttpRequest, study_id: int, sequence: str) -> HttpResponse:
    access, record = sequence_found(request, study_id, sequence)
    folder = selectors.ectd_sequence_folder(access, record)
    if folder is None:
        return _detail(request, access, record, gone=gone_message(record))
    return sequence_zip_response(folder, record)
