"""Form parsing of the site-payment pages: Django forms that only parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opencro.core.form_fields import PrefixedForm as _Prefixed
from opencro.core.form_fields import date_field as _date
from opencro.core.form_fields import testid_attrs as _attrs
from opencro.payments.models import FeeKind
from opencro.studies.models import Activity, Site, Visit

REASON_MAX = 500


def _reason(testid: str) -> forms.CharField:
    widget = forms.Textarea(attrs=_attrs(testid, rows="2"))
    return forms.CharField(label=_("Reason"), max_length=REASON_MAX, widget=widget)


class TermsForm(_Prefixed):
    id_prefix = "terms"
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        help_text=_("ISO 4217 code, e.g. EUR"),
        widget=forms.TextInput(attrs=_attrs("contract-currency")),
    )
    payee = forms.CharField(label=_("Payee"), max_length=200, widget=forms.TextInput(attrs=_attrs("contract-payee")))
    payee_reference = forms.CharField(
        label=_("Supplier number"), max_length=40, widget=forms.TextInput(attrs=_attrs("contract-supplier"))
    )
    holdback_percent = forms.DecimalField(
        label=_("Holdback (%)"),
        min_value=0,
        max_value=50,
        decimal_places=2,
        initial=0,
        widget=forms.NumberInput(attrs=_attrs("contract-holdback", step="0.01")),
    )
    screen_failure_limit = forms.IntegerField(
        label=_("Screen failures paid (at most)"),
        min_value=0,
        required=False,
        help_text=_("Empty: every screen failure"),
        widget=forms.NumberInput(attrs=_attrs("contract-sf-limit")),
    )


class ContractNewForm(TermsForm):
    id_prefix = "contract"
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), widget=forms.Select(attrs=_attrs("contract-site"))
    )
    field_order = ["site"]

    def __init__(self, *args, sites=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if sites is not None:
            self.fields["site"].queryset = sites


class ContractEditForm(TermsForm):
    reason = _reason("contract-reason")


class SignForm(_Prefixed):
    id_prefix = "sign"
    signed_on = _date(_("Signed on"), "contract-signed-on")


class FeeForm(_Prefixed):
    id_prefix = "fee"
    kind = forms.ChoiceField(label=_("Kind"), choices=FeeKind.choices, widget=forms.Select(attrs=_attrs("fee-kind")))
    visit = forms.ModelChoiceField(
        label=_("Visit"), queryset=Visit.objects.none(), required=False, widget=forms.Select(attrs=_attrs("fee-visit"))
    )
    activity = forms.ModelChoiceField(
        label=_("Procedure"),
        queryset=Activity.objects.none(),
        required=False,
        widget=forms.Select(attrs=_attrs("fee-activity")),
    )
    description = forms.CharField(
        label=_("Description"), max_length=200, required=False, widget=forms.TextInput(attrs=_attrs("fee-description"))
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs=_attrs("fee-amount", step="0.01")),
    )
    effective_from = _date(_("Effective from"), "fee-from")
    ended_on = _date(_("Ended on"), "fee-until", required=False)

    def __init__(self, *args, study_id: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if study_id is not None:
            self.fields["visit"].queryset = Visit.objects.filter(study_id=study_id).order_by("order")
            self.fields["activity"].queryset = Activity.objects.filter(study_id=study_id).order_by("order")


class FeeEndForm(_Prefixed):
    id_prefix = "end"
    ended_on = _date(_("Last day"), "fee-end-on")
    reason = _reason("fee-end-reason")


class ReasonForm(_Prefixed):
    id_prefix = "reason"
    reason = _reason("reason")


class ReleaseForm(_Prefixed):
    id_prefix = "release"
    released_on = _date(_("Released on"), "release-on")
    reason = _reason("release-reason")


class RunNewForm(_Prefixed):
    id_prefix = "run"
    cutoff = _date(_("Earned up to"), "run-cutoff")
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs=_attrs("run-note", rows="2"))
    )


class ApproveForm(_Prefixed):
    id_prefix = "approve"
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs=_attrs("approve-password"))
    )


class PaidForm(_Prefixed):
    id_prefix = "paid"
    paid_on = _date(_("Paid on"), "paid-on")
    payment_reference = forms.CharField(
        label=_("Payment reference"), max_length=60, widget=forms.TextInput(attrs=_attrs("paid-reference"))
    )


class AsOfForm(forms.Form):
    as_of = forms.DateField(required=False)
