"""The form that starts a job from the jobs page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opencro.jobs.selectors import job_choices, job_studies


class JobStartForm(forms.Form):
    name = forms.ChoiceField(label=_("Job"), choices=())
    study = forms.ModelChoiceField(label=_("Study"), queryset=None, required=False, empty_label=_("(no study)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].choices = [(name, str(definition.label)) for name, definition in job_choices()]
        self.fields["study"].queryset = job_studies(user)
