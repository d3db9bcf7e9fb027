"""Form parsing of the document and TMF pages: Django forms that only parse; the services decide."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from opencro.documents.models import DocumentLevel, QcStatus, ReviewDecision, TmfMilestone, VersionStatus
from opencro.monitoring.widgets import date_input as _date
from opencro.monitoring.widgets import testid as _testid
from opencro.monitoring.widgets import textarea as _text

ANY = [("", _("Any"))]
PICK = [("", "—")]
TEXT_MAX = 4000


class DocumentFilter(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=ANY + DocumentLevel.choices, required=False)
    country = forms.TypedChoiceField(label=_("Country"), coerce=int, required=False, empty_value=None)
    site = forms.TypedChoiceField(label=_("Site"), coerce=int, required=False, empty_value=None)
    artifact = forms.CharField(label=_("Artifact number"), max_length=12, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ANY + VersionStatus.choices, required=False)
    qc = forms.ChoiceField(label=_("Quality check"), choices=ANY + QcStatus.choices, required=False)
    q = forms.CharField(label=_("Number or title"), max_length=100, required=False)

    def __init__(self, data, *, countries, sites) -> None:
        super().__init__(data)
        self.fields["country"].choices = ANY + [(c.pk, c.name) for c in countries]
        self.fields["site"].choices = ANY + [(s.pk, s.number) for s in sites]


class _Body(forms.Form):
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs=_testid("document-file")))
    document_date = forms.DateField(label=_("Document date"), widget=_date("document-date"))
    effective_on = forms.DateField(label=_("Effective from"), required=False, widget=_date("effective-on"))
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=_date("expires-on"))


class DocumentForm(_Body):
    """A new document and its first version."""

    title = forms.CharField(label=_("Title"), max_length=300, widget=forms.TextInput(attrs=_testid("document-title")))
    level = forms.ChoiceField(label=_("Level"), choices=DocumentLevel.choices)
    country = forms.TypedChoiceField(label=_("Country"), coerce=int, required=False, empty_value=None)
    site = forms.TypedChoiceField(label=_("Site"), coerce=int, required=False, empty_value=None)
    artifact = forms.TypedChoiceField(label=_("TMF artifact"), coerce=int, required=False, empty_value=None)
    requires_approval = forms.BooleanField(
        label=_("Controlled (reviewed and approved before it is filed)"), required=False, initial=True
    )
    version = forms.CharField(label=_("Version"), max_length=20, initial="1.0")
    field_order = ["title", "level", "country", "site", "artifact", "requires_approval", "version", "file"]

    def __init__(self, *args, countries, sites, artifacts, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = PICK + [(c.pk, c.name) for c in countries]
        self.fields["site"].choices = PICK + [(s.pk, f"{s.number} {s.institution}") for s in sites]
        self.fields["artifact"].choices = PICK + [(a.pk, f"{a.number} {a.name}") for a in artifacts]


class VersionForm(_Body):
    version = forms.CharField(label=_("Version"), max_length=20)
    change_summary = forms.CharField(
        label=_("Summary of changes"), required=False, max_length=TEXT_MAX, widget=_text("change-summary")
    )
    field_order = ["version", "file", "document_date", "effective_on", "expires_on", "change_summary"]


class FileForm(forms.Form):
    """Classify a document: artifact, level, and the country or site."""

    artifact = forms.TypedChoiceField(label=_("TMF artifact"), coerce=int)
    level = forms.ChoiceField(label=_("Level"), choices=DocumentLevel.choices)
    country = forms.TypedChoiceField(label=_("Country"), coerce=int, required=False, empty_value=None)
    site = forms.TypedChoiceField(label=_("Site"), coerce=int, required=False, empty_value=None)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)

    def __init__(self, *args, countries, sites, artifacts, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["artifact"].choices = [(a.pk, f"{a.number} {a.name}") for a in artifacts]
        self.fields["country"].choices = PICK + [(c.pk, c.name) for c in countries]
        self.fields["site"].choices = PICK + [(s.pk, f"{s.number} {s.institution}") for s in sites]


class ReviewRequestForm(forms.Form):
    reviewers = forms.TypedMultipleChoiceField(
        label=_("Reviewers"), coerce=int, widget=forms.CheckboxSelectMultiple(attrs=_testid("reviewers"))
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=_date("review-due"))

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].choices = [(u.pk, u.printed_name) for u in people]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=ReviewDecision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=TEXT_MAX, widget=_text("review-comment"))
    password = forms.CharField(
        label=_("Password (your e-signature: I approve)"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", **_testid("sign-password")}),
    )


class QcForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[(QcStatus.PASSED, _("Passed")), (QcStatus.REJECTED, _("Rejected"))]
    )
    finding = forms.CharField(label=_("Finding"), required=False, max_length=2000, widget=_text("qc-finding"))


class CompletenessForm(forms.Form):
    on = forms.DateField(label=_("On"), required=False, widget=_date("tmf-on"))
    days = forms.IntegerField(label=_("Timely within (days)"), min_value=0, max_value=3650, required=False)

    def values(self) -> tuple[dt.date | None, int]:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("on"), data.get("days") if data.get("days") is not None else 30


class StructureForm(forms.Form):
    file = forms.FileField(label=_("Reference Model spreadsheet (.xlsx or CSV UTF-8)"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False, initial="TMF Reference Model")
    version = forms.CharField(label=_("Version (default: read from the file)"), max_length=40, required=False)


class ExpectationForm(forms.Form):
    artifact = forms.IntegerField(min_value=1, max_value=2**53)
    level = forms.ChoiceField(choices=DocumentLevel.choices)
    milestone = forms.ChoiceField(choices=[("", _("Not expected")), *TmfMilestone.choices], required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
