"""The forms of the registry page: recording the current export as registered on a date, under an identifier; the
registration details the protocol does not hold."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opencro.regulatory.models import (
    CompletionDateType,
    EligibleSex,
    InterventionModel,
    MaskedRole,
    OfficialRole,
    PrimaryPurpose,
    RegistrationDetails,
    StopStatus,
)


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


def _choices(choices: Sequence[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class DetailsForm(forms.Form):
    """The registration details the protocol does not hold; field names are `registration_details_save`'s."""

    primary_purpose = forms.ChoiceField(
        label=_("Primary purpose"), choices=_choices(PrimaryPurpose.choices), required=False
    )
    intervention_model = forms.ChoiceField(
        label=_("Intervention model"),
        choices=_choices(InterventionModel.choices),
        required=False,
        help_text=_("Left empty, a study with one arm is registered as single group."),
    )
    who_masked = forms.MultipleChoiceField(
        label=_("Masked roles"),
        choices=MaskedRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None for an open-label study; their number gives the masking (single to quadruple)."),
    )
    sex = forms.ChoiceField(label=_("Sex of the participants"), choices=_choices(EligibleSex.choices), required=False)
    healthy_volunteers = forms.NullBooleanField(label=_("Accepts healthy volunteers"), required=False)
    primary_completion_date = forms.DateField(
        label=_("Primary completion date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    primary_completion_type = forms.ChoiceField(
        label=_("Primary completion date is"), choices=_choices(CompletionDateType.choices), required=False
    )
    completion_date = forms.DateField(
        label=_("Study completion date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    completion_type = forms.ChoiceField(
        label=_("Study completion date is"), choices=_choices(CompletionDateType.choices), required=False
    )
    contact_name = forms.CharField(label=_("Central contact"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Central contact phone"), max_length=40, required=False)
    contact_phone_ext = forms.CharField(label=_("Phone extension"), max_length=10, required=False)
    contact_email = forms.EmailField(label=_("Central contact email"), required=False)
    backup_name = forms.CharField(label=_("Backup contact"), max_length=200, required=False)
    backup_phone = forms.CharField(label=_("Backup contact phone"), max_length=40, required=False)
    backup_phone_ext = forms.CharField(label=_("Phone extension"), max_length=10, required=False)
    backup_email = forms.EmailField(label=_("Backup contact email"), required=False)
    official_name = forms.CharField(label=_("Overall official"), max_length=200, required=False)
    official_affiliation = forms.CharField(label=_("Official's affiliation"), max_length=200, required=False)
    official_role = forms.ChoiceField(
        label=_("Official's role"), choices=_choices(OfficialRole.choices), required=False
    )
    stop_status = forms.ChoiceField(
        label=_("Stopped early"),
        choices=[("", _("No")), *StopStatus.choices],
        required=False,
        help_text=_("The overall status of a study halted early; the study's own status cannot tell."),
    )
    why_stopped = forms.CharField(label=_("Why the study stopped"), max_length=250, required=False)
    reason = forms.CharField(
        label=_("Reason for change"), max_length=500, required=False, help_text=_("Required once details are saved.")
    )

    @classmethod
    def initial_from(cls, details: RegistrationDetails | None) -> dict[str, Any]:
        """The form's initial values: the details as saved (nothing when none were entered)."""
        if details is None:
            return {}
        return {name: getattr(details, name) for name in cls.base_fields if name != "reason"}
