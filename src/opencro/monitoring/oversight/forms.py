"""Form parsing of the risk assessment and QTL pages: Django forms that only parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opencro.monitoring.models import QtlParameter, RiskCategory

SCORES = [(1, _("1 · low")), (2, _("2 · medium")), (3, _("3 · high"))]
DIRECTIONS = [("upper", _("Upper: more is the risk")), ("lower", _("Lower: fewer is the risk"))]


def _attrs(name: str, **extra) -> dict[str, str]:
    return {"data-testid": name, **extra}


def codes(text: str) -> list[str]:
    """ "kri0001, kri0004" -> ["kri0001", "kri0004"]."""
    return [c.strip() for c in (text or "").replace(";", ",").split(",") if c.strip()]


class RiskForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=RiskCategory.choices)
    description = forms.CharField(label=_("Risk"), widget=forms.Textarea(attrs=_attrs("risk-description", rows="2")))
    impact = forms.TypedChoiceField(label=_("Impact"), choices=SCORES, coerce=int)
    likelihood = forms.TypedChoiceField(label=_("Likelihood"), choices=SCORES, coerce=int)
    detectability = forms.TypedChoiceField(
        label=_("Detectability"),
        choices=SCORES,
        coerce=int,
        help_text=_("3: hard to detect before it harms the trial."),
    )
    mitigation = forms.CharField(
        label=_("Mitigation"), required=False, widget=forms.Textarea(attrs=_attrs("risk-mitigation", rows="2"))
    )
    kri_codes = forms.CharField(
        label=_("KRIs watching it"), required=False, help_text=_("Codes separated by commas, e.g. kri0003, kri0004.")
    )
    qtl_codes = forms.CharField(label=_("QTLs watching it"), required=False)
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=400)


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=400)


class ApproveForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs=_attrs("ra-summary", rows="3"))
    )
    password = forms.CharField(
        label=_("Your password (e-signature)"), widget=forms.PasswordInput(attrs=_attrs("ra-password"))
    )


class QtlForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, widget=forms.TextInput(attrs=_attrs("qtl-code")))
    parameter = forms.ChoiceField(label=_("Parameter"), choices=QtlParameter.choices)
    limit = forms.FloatField(
        label=_("Limit"),
        help_text=_("A proportion (0.10 for 10%) or a rate per participant-year."),
        widget=forms.NumberInput(attrs=_attrs("qtl-limit", step="any")),
    )
    direction = forms.ChoiceField(label=_("Direction"), choices=DIRECTIONS)
    rationale = forms.CharField(label=_("Rationale"), required=False, widget=forms.Textarea(attrs={"rows": "2"}))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=400)


class EvaluateForm(forms.Form):
    cut_on = forms.DateField(
        label=_("Data cut"), widget=forms.DateInput(attrs=_attrs("qtl-cut", type="date"), format="%Y-%m-%d")
    )


class BreachActionForm(forms.Form):
    cause = forms.CharField(label=_("Cause"), widget=forms.Textarea(attrs=_attrs("breach-cause", rows="3")))
    action = forms.CharField(label=_("Action taken"), widget=forms.Textarea(attrs=_attrs("breach-action", rows="3")))
