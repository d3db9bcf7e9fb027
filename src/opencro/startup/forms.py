"""Parsing the start-up pages' forms (input only: the rules are the services')."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opencro.startup.models import COUNTRY_MILESTONES, SITE_MILESTONES, DocumentKind, MilestoneKind, StaffRole
from opencro.studies.models import SiteStatus

REASON = forms.CharField(label=_("Reason for change"), required=False, max_length=2000)


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(choices=MilestoneKind.choices)
    planned_on = forms.DateField(label=_("Planned date"), required=False)
    actual_on = forms.DateField(label=_("Actual date"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
    reason = REASON

    def __init__(self, *args, scope: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        kinds = SITE_MILESTONES if scope == "site" else COUNTRY_MILESTONES
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    received_on = forms.DateField(label=_("Received on"))
    approved_on = forms.DateField(label=_("Approved on"), required=False)
    expires_on = forms.DateField(label=_("Expires on"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ApproveForm(forms.Form):
    approved_on = forms.DateField(label=_("Approved on"))


class TrainingForm(forms.Form):
    staff_name = forms.CharField(label=_("Staff member"), max_length=200)
    role = forms.ChoiceField(label=_("Role at the site"), choices=StaffRole.choices)
    protocol_version = forms.IntegerField(label=_("Protocol version"), required=False)
    trained_on = forms.DateField(label=_("Trained on"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class GreenLightForm(forms.Form):
    on = forms.DateField(label=_("Green light date"))
    reason = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[(s.value, s.label) for s in (SiteStatus.ON_HOLD, SiteStatus.ACTIVE, SiteStatus.CLOSED)],
    )
    reason = forms.CharField(label=_("Reason for change"), max_length=2000)
