"""Form parsing of the close-out pages: Django forms that only parse; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencro.analysis.models import SubmissionPackage
from opencro.closeout.retention import RetentionRuleCode
from opencro.core.form_fields import PrefixedForm as _Prefixed
from opencro.core.form_fields import date_field as _date
from opencro.core.form_fields import testid_attrs as _attrs
from opencro.documents.models import DocumentVersion

NOTE_MAX = 2000


def _password(testid: str) -> forms.CharField:
    return forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput(attrs=_attrs(testid)))


NOTE = _("Note")


def _note(testid: str, label=NOTE) -> forms.CharField:
    widget = forms.Textarea(attrs=_attrs(testid, rows="2"))
    return forms.CharField(label=label, max_length=NOTE_MAX, required=False, widget=widget)


class StartForm(_Prefixed):
    id_prefix = "start"
    target_on = _date(_("Target date"), "start-target", required=False, help_text=_("When it should be complete"))
    note = _note("start-note")


class SignForm(_Prefixed):
    """A step's signature: the password again and a note; the subclasses add what the step is signed with."""

    id_prefix = "sign"
    password = _password("sign-password")
    note = _note("sign-note")


class PackageSignForm(SignForm):
    package = forms.ModelChoiceField(
        label=_("Analysis package"), queryset=None, widget=forms.Select(attrs=_attrs("sign-package"))
    )
    field_order = ["package", "password", "note"]

    def __init__(self, *args, packages=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["package"].queryset = packages if packages is not None else SubmissionPackage.objects.none()
        self.fields["package"].label_from_instance = lambda p: (
            _("Package %(n)d · %(status)s · %(kind)s")
            % {
                "n": p.number,
                "status": timezone.localdate(p.finished_at).isoformat() if p.finished_at else p.get_status_display(),
                "kind": _("blinded dry run") if p.blinded else _("real treatment arms"),
            }
        )


def _version_label(v) -> str:
    return f"{v.document.number} v{v.version} · {v.document.title}"


class CsrSignForm(SignForm):
    document_version = forms.ModelChoiceField(
        label=_("Clinical study report"), queryset=None, widget=forms.Select(attrs=_attrs("sign-csr"))
    )
    appendices = forms.ModelMultipleChoiceField(
        label=_("Appendices"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=_attrs("sign-appendices")),
        help_text=_("Approved or final trial-level documents: protocol, sample CRF, lists, certificates"),
    )
    field_order = ["document_version", "appendices", "password", "note"]

    def __init__(self, *args, versions=None, appendices=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        none = DocumentVersion.objects.none()
        self.fields["document_version"].queryset = versions if versions is not None else none
        self.fields["document_version"].label_from_instance = _version_label
        self.fields["appendices"].queryset = appendices if appendices is not None else none
        self.fields["appendices"].label_from_instance = _version_label


class ApproveForm(_Prefixed):
    id_prefix = "approve"
    password = _password("approve-password")
    note = _note("approve-note")


class ArchiveForm(_Prefixed):
    id_prefix = "archive"
    tmf_location = forms.CharField(
        label=_("TMF archive"),
        max_length=300,
        help_text=_("Where the sponsor's TMF is archived, e.g. the archive's name and vault"),
        widget=forms.TextInput(attrs=_attrs("archive-location")),
    )
    tmf_reference = forms.CharField(
        label=_("Archive reference"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs=_attrs("archive-reference")),
    )
    tmf_archived_on = _date(_("Archived on"), "archive-on")
    tmf_sha256 = forms.CharField(
        label=_("SHA-256 of the archived copy"),
        max_length=64,
        required=False,
        help_text=_("Of the inspection-readiness export handed to the archive, if it was"),
        widget=forms.TextInput(attrs=_attrs("archive-sha256")),
    )
    retention_rule = forms.ChoiceField(
        label=_("Retention rule"),
        choices=RetentionRuleCode.choices,
        widget=forms.Select(attrs=_attrs("archive-rule")),
    )
    retention_basis_on = _date(
        _("Retention counted from"),
        "archive-basis",
        help_text=_("The end of the trial, or the marketing approval or discontinuation, as the rule says"),
    )
    retention_years = forms.IntegerField(
        label=_("Years (the sponsor's own rule)"),
        min_value=1,
        max_value=100,
        required=False,
        widget=forms.NumberInput(attrs=_attrs("archive-years")),
    )
    reason = _note("archive-reason", _("Reason for a change"))


class SiteArchiveForm(_Prefixed):
    id_prefix = "isf"
    location = forms.CharField(
        label=_("ISF archive"),
        max_length=300,
        help_text=_("Where the site keeps its investigator site file"),
        widget=forms.TextInput(attrs=_attrs("isf-location")),
    )
    reference = forms.CharField(
        label=_("Archive reference"), max_length=100, required=False, widget=forms.TextInput(attrs=_attrs("isf-ref"))
    )
    archived_on = _date(_("Archived on"), "isf-on")
    reason = _note("isf-reason", _("Reason for a change"))
