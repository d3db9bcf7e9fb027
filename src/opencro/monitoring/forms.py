"""Form parsing of the deviation pages: Django forms that only parse; the services decide."""

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencro.monitoring.models import DeviationCategory, DeviationSource, DeviationStatus
from opencro.monitoring.widgets import NO, YES
from opencro.monitoring.widgets import date_input as _date
from opencro.monitoring.widgets import testid as _testid
from opencro.monitoring.widgets import textarea as _text
from opencro.studies.models import Site
from opencro.subjects.models import Subject

ANY = [("", _("Any"))]
YES_NO = [(YES, _("Yes")), (NO, _("No"))]
REPORTED_SOURCES = [(s.value, s.label) for s in DeviationSource if s != DeviationSource.RULE]


class DeviationFilter(forms.Form):
    """The log's filters, from the query string (sites: the reader's only)."""

    site = forms.TypedChoiceField(label=_("Site"), coerce=int, required=False, empty_value=None)
    category = forms.ChoiceField(label=_("Category"), choices=ANY + DeviationCategory.choices, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ANY + DeviationStatus.choices, required=False)
    important = forms.ChoiceField(label=_("Important"), choices=ANY + YES_NO, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=ANY + DeviationSource.choices, required=False)
    q = forms.CharField(label=_("Search"), max_length=100, required=False)

    def __init__(self, data, *, sites: QuerySet[Site]) -> None:
        super().__init__(data)
        self.fields["site"].choices = ANY + [(s.pk, s.number) for s in sites]


class ReportForm(forms.Form):
    """A new deviation: the participant is a subject number of the reader's sites (or empty: the site itself)."""

    site = forms.TypedChoiceField(label=_("Site"), coerce=int, widget=forms.Select(attrs=_testid("dv-site")))
    participant = forms.CharField(
        label=_("Participant"),
        max_length=20,
        required=False,
        help_text=_("Subject number; leave empty for a deviation of the site as a whole."),
        widget=forms.TextInput(attrs=_testid("dv-participant", list="dv-subjects", autocomplete="off")),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=DeviationCategory.choices, widget=forms.Select(attrs=_testid("dv-category"))
    )
    occurred_on = forms.DateField(label=_("Occurred on"), widget=_date("dv-occurred"))
    identified_on = forms.DateField(label=_("Identified on"), required=False, widget=_date("dv-identified"))
    source = forms.ChoiceField(
        label=_("Found by"),
        choices=[("", _("Decided by your role")), *REPORTED_SOURCES],
        required=False,
        widget=forms.Select(attrs=_testid("dv-source")),
    )
    description = forms.CharField(label=_("What happened"), max_length=4000, widget=_text("dv-description", 4))

    def __init__(self, *args, sites: QuerySet[Site], subjects: QuerySet[Subject], **kwargs) -> None:
        kwargs.setdefault("auto_id", "report_%s")
        super().__init__(*args, **kwargs)
        self.subjects = subjects
        self.fields["site"].choices = [(s.pk, f"{s.number} · {s.institution}") for s in sites]
        if len(self.fields["site"].choices) == 1:
            self.initial.setdefault("site", self.fields["site"].choices[0][0])
        self.initial.setdefault("identified_on", timezone.localdate())

    def clean(self) -> dict:
        data = super().clean()
        number = (data.get("participant") or "").strip()
        data["subject"] = None
        if number and data.get("site") is not None:
            found = self.subjects.filter(number__iexact=number)
            # the participant at the chosen site; one of another site is passed on, for the service to refuse
            data["subject"] = found.filter(site_id=data["site"]).first() or found.first()
            if data["subject"] is None:
                self.add_error("participant", _("No participant with this number at your sites."))
        return data


class EditForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=DeviationCategory.choices)
    occurred_on = forms.DateField(label=_("Occurred on"), widget=_date("edit-occurred"))
    identified_on = forms.DateField(label=_("Identified on"), widget=_date("edit-identified"))
    description = forms.CharField(label=_("What happened"), max_length=4000, widget=_text("edit-description", 4))
    reason = forms.CharField(label=_("Reason for change"), max_length=500, widget=_text("edit-reason", 2))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "edit_%s")
        super().__init__(*args, **kwargs)


class ClassifyForm(forms.Form):
    important = forms.ChoiceField(
        label=_("Important deviation (ICH E3)"), choices=YES_NO, widget=forms.RadioSelect(attrs=_testid("important"))
    )
    rationale = forms.CharField(
        label=_("Rationale"), max_length=4000, widget=_text("classify-rationale"), required=False
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Keep the category")), *DeviationCategory.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason for reclassifying"),
        max_length=500,
        required=False,
        help_text=_("When a confirmed deviation is classified again."),
        widget=forms.TextInput(attrs=_testid("classify-reason")),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "classify_%s")
        super().__init__(*args, **kwargs)


class RejectForm(forms.Form):
    rationale = forms.CharField(
        label=_("Why this is not a deviation"), max_length=4000, required=False, widget=_text("reject-rationale")
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "reject_%s")
        super().__init__(*args, **kwargs)


class CloseForm(forms.Form):
    corrective_action = forms.CharField(
        label=_("Corrective and preventive action"), max_length=4000, required=False, widget=_text("close-action")
    )
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=_date("close-on"))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "close_%s")
        super().__init__(*args, **kwargs)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"), max_length=500, required=False, widget=_text("reopen-reason", 2)
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "reopen_%s")
        super().__init__(*args, **kwargs)
