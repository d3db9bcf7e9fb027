"""The form of the registry page: recording the current export as registered on a date, under an identifier."""

from django import forms
from django.utils.translation import gettext_lazy as _


class RecordForm(forms.Form):
    registered_on = forms.DateField(
        label=_("Registered (or updated) on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    identifier = forms.CharField(
        label=_("Registry identifier"),
        max_length=40,
        required=False,
        help_text=_("The NCT number (ClinicalTrials.gov) or the EU CT number (CTIS), once assigned."),
    )
