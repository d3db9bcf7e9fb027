"""Parsing the case-editing pages' forms (input only: the rules are the services').

Each row form is a ModelForm over one part of a case version, so labels, choices and the partial-date checks
(`VersionPart.clean`, errors named by field) come from the model. `reason` is asked on every form; the service
says when it is required (a change to a stored row).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from opencro.safety.models import (
    CaseCausality,
    CaseDrugEvent,
    CaseEvent,
    CaseHistory,
    CaseLabResult,
    CasePatient,
    CaseProduct,
    CaseReporter,
    CaseVersion,
)
from opencro.safety.services.content import VERSION_EDITABLE

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PARTIAL = {"placeholder": "YYYY-MM-DD", "maxlength": 10}


def _reason() -> forms.CharField:
    return forms.CharField(
        label=_("Reason for change"),
        required=False,
        max_length=2000,
        help_text=_("Required when you change what is stored."),
    )


class _RowForm(forms.ModelForm):
    """A row of a case version; partial dates are text (YYYY, YYYY-MM or YYYY-MM-DD)."""

    reason = _reason()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:  # a new row: nothing stored to change, no reason asked
            del self.fields["reason"]
        for name in self._meta.model.PARTIAL_DATES:
            if name in self.fields:
                self.fields[name].widget.attrs.update(PARTIAL)


class EventForm(_RowForm):
    class Meta:
        model = CaseEvent
        fields = (
            "verbatim",
            "onset",
            "end",
            "outcome",
            "death",
            "life_threatening",
            "hospitalisation",
            "disability",
            "congenital_anomaly",
            "medically_important",
            "country",
            "severity",
        )


class ProductForm(_RowForm):
    """A product of the case: one of the study's products, or a name as reported (or both)."""

    class Meta:
        model = CaseProduct
        fields = (
            "role",
            "product",
            "name",
            "dose",
            "dose_unit",
            "route",
            "start",
            "end",
            "batch",
            "indication",
            "action_taken",
            "blinded",
        )

    def __init__(self, *args, products, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["product"].required = False
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Leave empty to use the name of the study product chosen.")

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("name") and data.get("product") is not None:
            data["name"] = data["product"].name
        if not data.get("name") and "name" not in self.errors:
            self.add_error("name", _("Choose one of the study's products or give the product's name."))
        return data


class PatientForm(_RowForm):
    class Meta:
        model = CasePatient
        fields = CasePatient.EDITABLE


class ReporterForm(_RowForm):
    class Meta:
        model = CaseReporter
        fields = (
            "given_name",
            "family_name",
            "organisation",
            "city",
            "country",
            "qualification",
            "primary",
            "investigator",
        )


class LabResultForm(_RowForm):
    class Meta:
        model = CaseLabResult
        fields = ("test", "date", "result", "unit", "low", "high", "comment")


class HistoryForm(_RowForm):
    class Meta:
        model = CaseHistory
        fields = ("term", "code", "start", "continuing", "end", "comment")


class ChallengeForm(_RowForm):
    """The drug-event pair itself: dechallenge and rechallenge."""

    class Meta:
        model = CaseDrugEvent
        fields = ("dechallenge", "rechallenge")


class AssessmentForm(_RowForm):
    """One causality assessment (the company's, or the reporter's transcribed once from the report)."""

    class Meta:
        model = CaseCausality
        fields = ("method", "result", "comment")


class PairForm(forms.Form):
    """A drug-event pair to create: one product and one event of the version (choices given by the page)."""

    product = forms.TypedChoiceField(label=_("Product"), coerce=int)
    event = forms.TypedChoiceField(label=_("Event"), coerce=int)

    def __init__(self, *args, products: list[CaseProduct], events: list[CaseEvent], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [(p.pk, str(p)) for p in products]
        self.fields["event"].choices = [(e.pk, str(e)) for e in events]


class VersionForm(forms.ModelForm):
    """The version's own fields: narrative, comments, diagnosis and its key dates."""

    reason = _reason()

    class Meta:
        model = CaseVersion
        fields = VERSION_EDITABLE
        widgets = {"received_on": DATE, "minimum_criteria_on": DATE, "fatal_or_lt_known_on": DATE}

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in VERSION_EDITABLE}


class CodeForm(forms.Form):
    """A MedDRA lowest level term chosen from the search results."""

    term = forms.IntegerField(min_value=1, max_value=2**62)
    reason = forms.CharField(required=False, max_length=2000)


class ExpectednessForm(forms.Form):
    """The medical reviewer's own expectedness decision."""

    unexpected = forms.TypedChoiceField(
        label=_("Unexpected"),
        choices=[("yes", _("Yes: unexpected")), ("no", _("No: expected"))],
        coerce=lambda value: value == "yes",
    )
    basis = forms.CharField(label=_("Basis of the decision"), max_length=500)
    reason = forms.CharField(label=_("Reason for change"), max_length=2000)


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("Reason for deletion"), max_length=2000)
