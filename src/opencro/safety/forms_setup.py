"""Parsing the safety set-up page's forms: products, RSI versions with their expected terms, rule sets."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opencro.safety.models import ReferenceSafetyInformation, SafetyProduct


class ProductSetupForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason for change"),
        required=False,
        max_length=2000,
        help_text=_("Required when you change a stored product."),
    )

    class Meta:
        model = SafetyProduct
        fields = ("name", "kind", "active_ingredient", "ind_number", "blinded")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:  # a new product: no reason asked
            del self.fields["reason"]


def parse_expected_terms(text: str) -> list[tuple[str, str, bool]]:
    """Read expected terms, one preferred term a line: "[code |] name [| fatal]", e.g. "940000001 | Headache".

    Blank lines are skipped; a line's problem is raised with its number.
    """
    terms: list[tuple[str, str, bool]] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [cell.strip() for cell in line.split("|")]
        if not any(cells):
            continue
        fatal = len(cells) > 1 and cells[-1].casefold() == "fatal"
        if fatal:
            cells = cells[:-1]
        code = cells[0] if len(cells) == 2 else ""
        name = cells[-1]
        if len(cells) > 2 or not name:
            problems.append(
                gettext('line %(n)d: write "code | preferred term | fatal" (code and "fatal" optional)') % {"n": number}
            )
        elif code and not code.isdigit():
            problems.append(
                gettext("line %(n)d: the MedDRA code %(code)r is not a number") % {"n": number, "code": code}
            )
        elif len(name) > 200 or len(code) > 10:
            problems.append(gettext("line %(n)d: the term or its code is too long") % {"n": number})
        else:
            terms.append((code, name, fatal))
    if problems:
        raise ValidationError(problems)
    if not terms:
        raise ValidationError(gettext("List at least one expected term."))
    return terms


class RsiForm(forms.ModelForm):
    """An RSI version of one of the study's products and the preferred terms it lists as expected."""

    terms = forms.CharField(
        label=_("Expected terms"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=200000,
        help_text=_(
            'One MedDRA preferred term a line, with an optional code before it and "fatal" after it when a '
            'fatal outcome is listed too: "940000001 | Headache", "Nausea | fatal".'
        ),
    )

    class Meta:
        model = ReferenceSafetyInformation
        fields = ("product", "document", "version", "effective_from")
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, products, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products

    def clean_terms(self) -> list[tuple[str, str, bool]]:
        return parse_expected_terms(self.cleaned_data["terms"])


class RuleSetsFollowedForm(forms.Form):
    """Which rule sets the study follows (checkboxes over the built-in ones and the study's own)."""

    codes = forms.MultipleChoiceField(
        label=_("Rule sets followed"), required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label=_("Reason for change"), required=False, max_length=2000)

    def __init__(self, *args, codes: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = codes


class RuleSetDocumentForm(forms.Form):
    """A rule set of the study's own, as its JSON document (the format of `opencro.safety.rulesets`)."""

    document = forms.CharField(
        label=_("Rule set (JSON)"), widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}), max_length=200000
    )
    reason = forms.CharField(label=_("Reason for change"), required=False, max_length=2000)

    def clean_document(self) -> object:
        text = self.cleaned_data["document"]
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                gettext("line %(line)d, column %(column)d: not JSON: %(message)s")
                % {"line": exc.lineno, "column": exc.colno, "message": exc.msg}
            ) from None
