"""The form that starts a signal run: the source and its reading options, the thresholds, the products of interest.

Only types are checked here; `signal_run_start` checks the values (ranges, columns named twice, files) and its
located errors are shown on these fields.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from opencro.safety.models import SignalSource
from opencro.stats.signals import Thresholds

DEFAULTS = Thresholds()
ROLE_CHOICES = (
    ("PS", _("PS: primary suspect")),
    ("SS", _("SS: secondary suspect")),
    ("I", _("I: interacting")),
    ("C", _("C: concomitant")),
)
OPTION_FIELDS = (
    "report_col",
    "product_col",
    "event_col",
    "strata_col",
    "roles",
    "prod_ai",
    "keep_deleted",
    "min_count",
)
THRESHOLD_FIELDS = ("min_n", "use_evans", "prr", "chi2", "use_eb05", "eb05", "use_ic025", "ic025")


class SignalRunForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=SignalSource.choices, initial=SignalSource.TABLE)
    report_col = forms.CharField(label=_("Report column"), max_length=100, required=False, initial="report")
    product_col = forms.CharField(label=_("Product column"), max_length=100, required=False, initial="product")
    event_col = forms.CharField(label=_("Event column"), max_length=100, required=False, initial="event")
    strata_col = forms.CharField(
        label=_("Strata column"),
        max_length=100,
        required=False,
        help_text=_("Optional: stratify the expected counts (with FAERS a DEMO column such as sex or age_grp)."),
    )
    roles = forms.MultipleChoiceField(
        label=_("FAERS drug roles"),
        choices=ROLE_CHOICES,
        initial=["PS", "SS"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    prod_ai = forms.BooleanField(label=_("FAERS products by active ingredient (prod_ai)"), required=False)
    keep_deleted = forms.BooleanField(label=_("Keep FAERS cases listed as deleted"), required=False)
    min_count = forms.IntegerField(
        label=_("Table rows from n ="), initial=1, help_text=_("Pairs with fewer reports are left out of the table.")
    )
    min_n = forms.IntegerField(label=_("Candidates from n ="), initial=DEFAULTS.min_n)
    use_evans = forms.BooleanField(label=_("Evans et al. 2001: PRR and chi²"), required=False, initial=True)
    prr = forms.FloatField(label=_("PRR at least"), initial=DEFAULTS.prr)
    chi2 = forms.FloatField(label=_("chi² (Yates) at least"), initial=DEFAULTS.chi2)
    use_eb05 = forms.BooleanField(label=_("Szarfman et al. 2002: EB05"), required=False, initial=True)
    eb05 = forms.FloatField(label=_("EB05 at least"), initial=DEFAULTS.eb05)
    use_ic025 = forms.BooleanField(label=_("Norén et al. 2006: IC025"), required=False, initial=True)
    ic025 = forms.FloatField(label=_("IC025 above"), initial=DEFAULTS.ic025)
    products = forms.CharField(
        label=_("Products of interest"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, matched without regard to case; empty: every product."),
    )

    def options(self) -> dict:
        return {name: self.cleaned_data[name] for name in OPTION_FIELDS}

    def thresholds(self) -> dict:
        return {name: self.cleaned_data[name] for name in THRESHOLD_FIELDS}

    def product_list(self) -> list[str]:
        return self.cleaned_data["products"].splitlines()
