"""The audit trail filter form, shared by the page and its CSV and PDF exports."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import AuditAction

FILTER_FIELDS = ("user", "object_type", "field", "action", "since", "until")


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    field = forms.CharField(label=_("Field"), required=False, max_length=100)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", "—"), *AuditAction.choices])
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, object_types: list[str] = (), fixed_object: bool = False, **kwargs):
        """`object_types` are the choices offered; on a per-object page the type is fixed, so hidden."""
        super().__init__(*args, **kwargs)
        if fixed_object:
            del self.fields["object_type"]
        else:
            self.fields["object_type"].choices = [("", "—"), *((t, t) for t in object_types)]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def filters(self) -> dict:
        """The filters to apply: every field that validated and is not empty."""
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in FILTER_FIELDS if data.get(name)}

    def describe(self, zone: str) -> list[tuple[str, str]]:
        """(label, shown value) of each applied filter, for the title of a printed copy; dates are
        days in the reader's time zone `zone`, so they say so."""
        described = []
        for name, value in self.filters().items():
            field = self.fields[name]
            if isinstance(value, dt.date):
                shown = f"{value.isoformat()} ({zone})"
            elif isinstance(field, forms.ChoiceField):
                shown = str(dict(field.choices).get(value, value))
            else:
                shown = str(value)
            described.append((str(field.label), shown))
        return described
