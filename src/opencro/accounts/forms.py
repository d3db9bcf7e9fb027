"""Forms of the accounts pages."""

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from opencro.accounts.models import SignatureMeaning, User


class LoginForm(AuthenticationForm):
    """Django's login form, with a message that names a locked account."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("This account is locked after too many failed sign-ins. Ask a system administrator to unlock it."),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        try:
            return super().clean()
        except forms.ValidationError:
            if username and User.objects.filter(username=username, locked_at__isnull=False).exists():
                raise forms.ValidationError(self.error_messages["locked"], code="locked") from None
            raise


class PreferencesForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=())
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Browser default")), *settings.LANGUAGES], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]


class UnlockForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class SignForm(forms.Form):
    meaning = forms.ChoiceField(label=_("Meaning of this signature"), choices=SignatureMeaning.choices)
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput, strip=False)
