"""Form parsing of the follow-up pages: Django forms that only parse; the services decide."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from opencro.followup.models import Channel, ContactMethod, ContactOutcome, DispositionOutcome, TerminationReason
from opencro.followup.visits import VisitState


def _languages() -> list[tuple[str, str]]:
    return [("", _("Study default")), *settings.LANGUAGES]


class CalendarFilter(forms.Form):
    start = forms.DateField(required=False)
    days = forms.TypedChoiceField(choices=[(7, "7"), (14, "14"), (28, "28")], coerce=int, required=False)
    site = forms.IntegerField(required=False, min_value=1)
    state = forms.ChoiceField(choices=[("", "")] + [(s.value, s.value) for s in VisitState], required=False)


class ContactForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    preferred_channel = forms.ChoiceField(label=_("Preferred channel"), choices=Channel.choices)
    reminders_consented = forms.BooleanField(label=_("Agreed to receive visit reminders"), required=False)
    language = forms.ChoiceField(label=_("Language of reminders"), choices=_languages, required=False)
    reason = forms.CharField(label=_("Reason for change"), max_length=500, required=False)


class AttemptForm(forms.Form):
    attempted_on = forms.DateField(label=_("Date"))
    method = forms.ChoiceField(label=_("Method"), choices=ContactMethod.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ContactOutcome.choices)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class DispositionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=DispositionOutcome.choices)
    reason = forms.ChoiceField(
        label=_("Reason for early termination"), choices=[("", "---"), *TerminationReason.choices], required=False
    )
    reason_text = forms.CharField(label=_("Other reason"), max_length=200, required=False)
    disposition_on = forms.DateField(label=_("Date"))
    last_contact_on = forms.DateField(label=_("Last contact"), required=False)
    change_reason = forms.CharField(label=_("Reason for change"), max_length=500, required=False)


class RemindForm(forms.Form):
    event_oid = forms.CharField(max_length=100)
    repeat = forms.IntegerField(min_value=1, initial=1, required=False)


class SettingsForm(forms.Form):
    enabled = forms.BooleanField(label=_("Send visit reminders"), required=False)
    days_before = forms.CharField(label=_("Days before the visit (comma-separated)"), max_length=60, required=False)
    reason = forms.CharField(label=_("Reason for change"), max_length=500, required=False)

    def clean_days_before(self) -> list[int]:
        text = self.cleaned_data["days_before"]
        try:
            return [int(part) for part in text.replace(" ", "").split(",") if part]
        except ValueError:
            raise forms.ValidationError(_("Whole numbers separated by commas, e.g. 7, 1.")) from None


class SiteContactForm(forms.Form):
    phone = forms.CharField(label=_("Site phone for participants"), max_length=30, required=False)
    email = forms.EmailField(label=_("Coordinator e-mail for reminders"), required=False)
    reason = forms.CharField(label=_("Reason for change"), max_length=500, required=False)
