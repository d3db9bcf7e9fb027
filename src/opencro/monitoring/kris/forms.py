"""Form parsing of the KRI pages: Django forms that only parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opencro.monitoring.kris.measures import MEASURES
from opencro.monitoring.models import KriMethod, KriType
from opencro.monitoring.widgets import testid as _testid

MEASURE_CHOICES = [(m.code, m.label) for m in MEASURES]


def thresholds_parse(text: str) -> list[float] | None:
    """ "-3, -2, 2, 3" -> [-3.0, -2.0, 2.0, 3.0]; None when a part is not a number."""
    try:
        return [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        return None


class KriForm(forms.Form):
    """A KRI to add or edit; the code only when adding (empty: the next free kriNNNN)."""

    code = forms.CharField(label=_("Code"), max_length=20, required=False, widget=forms.TextInput(_testid("kri-code")))
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(_testid("kri-name")))
    abbreviation = forms.CharField(
        label=_("Abbreviation"), max_length=12, widget=forms.TextInput(_testid("kri-abbreviation"))
    )
    numerator = forms.ChoiceField(
        label=_("Numerator"), choices=MEASURE_CHOICES, widget=forms.Select(_testid("kri-numerator"))
    )
    denominator = forms.ChoiceField(
        label=_("Denominator"), choices=MEASURE_CHOICES, widget=forms.Select(_testid("kri-denominator"))
    )
    method = forms.ChoiceField(label=_("Method"), choices=KriMethod.choices, widget=forms.Select(_testid("kri-method")))
    kind = forms.ChoiceField(label=_("Type"), choices=KriType.choices, widget=forms.Select(_testid("kri-kind")))
    thresholds = forms.CharField(
        label=_("Thresholds"),
        max_length=200,
        help_text=_("Ascending, comma-separated: four z-scores (e.g. -3, -2, 2, 3); two p-values for Fisher's test."),
        widget=forms.TextInput(_testid("kri-thresholds")),
    )
    min_denominator = forms.FloatField(
        label=_("Minimum denominator"), min_value=0, widget=forms.NumberInput(_testid("kri-min-denominator"))
    )
    reason = forms.CharField(
        label=_("Reason for change"), max_length=2000, required=False, widget=forms.TextInput(_testid("kri-reason"))
    )

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        kwargs.setdefault("auto_id", "kri_%s")
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
        else:
            del self.fields["reason"]

    def clean_thresholds(self) -> list[float]:
        values = thresholds_parse(self.cleaned_data["thresholds"])
        if values is None:
            raise forms.ValidationError(_("Give numbers separated by commas, e.g. -3, -2, 2, 3."))
        return values


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.TextInput(_testid("kri-retire-reason")))


class ComputeForm(forms.Form):
    cut_on = forms.DateField(
        label=_("Data cut"),
        required=False,
        help_text=_("Empty: today."),
        widget=forms.DateInput(attrs=_testid("kri-cut", type="date"), format="%Y-%m-%d"),
    )
