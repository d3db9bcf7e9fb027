from django import forms
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import AuditAction


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("User"), required=False)
    object_type = forms.CharField(label=_("Object type"), required=False)
    field = forms.CharField(label=_("Field"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", "—"), *AuditAction.choices])
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
