"""Parsing the case pages' forms: the worklist filters, the workflow actions and manual intake (input only: the rules
are the services')."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opencro.safety.models import (
    SERIOUSNESS,
    WORKFLOW,
    AckCode,
    AgeUnit,
    CaseSource,
    Outcome,
    Qualification,
    Sex,
    SubmissionFormat,
    VersionState,
)

SORTS = (("due", _("Next report due")), ("received", _("Received (newest first)")), ("number", _("Case number")))
# the sources a person enters by hand (an EDC SAE arrives by itself, an E2B file by import)
MANUAL_SOURCES = [
    (s.value, s.label)
    for s in (CaseSource.STUDY_MANUAL, CaseSource.SPONTANEOUS, CaseSource.LITERATURE, CaseSource.PARTNER)
]
NOT_GIVEN = "\u2013"  # an en dash: the empty choice
REASON = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class WorklistFilterForm(forms.Form):
    """The worklist's GET parameters; a value that does not parse is ignored (the list is shown unfiltered by it)."""

    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states")), *VersionState.choices], required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    site = forms.TypedChoiceField(label=_("Site"), coerce=int, empty_value=None, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[("", _("All sources")), *CaseSource.choices], required=False)
    q = forms.CharField(label=_("Case or subject number"), required=False, max_length=100)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)

    def __init__(self, *args, sites=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", _("All sites")), *((s.pk, f"{s.number} {s.institution}") for s in sites)]

    def filters(self) -> dict:
        """The selector's keyword arguments from the fields that parsed."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "state": data.get("state") or "",
            "overdue": bool(data.get("overdue")),
            "site_id": data.get("site"),
            "source": data.get("source") or "",
            "search": (data.get("q") or "").strip(),
            "sort": data.get("sort") or "due",
        }


class AdvanceForm(forms.Form):
    to_state = forms.ChoiceField(choices=[(s.value, s.label) for s in WORKFLOW])
    reason = REASON


class ApproveForm(forms.Form):
    password = forms.CharField(label=_("Password"), strip=False, max_length=200)


class FollowupForm(forms.Form):
    received_on = forms.DateField(label=_("Information received on"))
    significant = forms.TypedChoiceField(
        label=_("Significant new information"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
    )
    reason = REASON


class DuplicateForm(forms.Form):
    of_case = forms.IntegerField(label=_("Case of record"))
    reason = REASON


class SubmissionForm(forms.Form):
    version = forms.IntegerField(label=_("Version"), min_value=1)
    rule_set = forms.CharField(max_length=40)
    rule = forms.CharField(max_length=60)
    recipient = forms.CharField(max_length=100)
    kind = forms.CharField(max_length=12)
    submitted_on = forms.DateField(label=_("Submitted on"))
    fmt = forms.ChoiceField(label=_("Format"), choices=SubmissionFormat.choices)
    message_id = forms.CharField(label=_("Message id"), required=False, max_length=100)


class AckForm(forms.Form):
    batch_code = forms.ChoiceField(
        label=_("Batch acknowledgement"),
        choices=[("AA", _("AA: accepted")), ("AE", _("AE: accepted with errors")), ("AR", _("AR: rejected"))],
    )
    case_code = forms.ChoiceField(
        label=_("Case acknowledgement"), choices=[("", _("none")), *AckCode.choices], required=False
    )
    received_on = forms.DateField(label=_("Acknowledged on"))
    text = forms.CharField(label=_("Messages"), required=False, max_length=20000)


# ---- manual intake ------------------------------------------------------------------------------------------------


class IntakeForm(forms.Form):
    """A case reported outside the EDC: source, receipt, subject, reporter, patient, suspect product, narrative."""

    source = forms.ChoiceField(label=_("Source"), choices=MANUAL_SOURCES)
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    subject = forms.TypedChoiceField(label=_("Subject"), coerce=int, empty_value=None, required=False)
    reporter_given_name = forms.CharField(label=_("Reporter's given name"), required=False, max_length=60)
    reporter_family_name = forms.CharField(label=_("Reporter's family name"), required=False, max_length=60)
    reporter_organisation = forms.CharField(label=_("Organisation"), required=False, max_length=60)
    reporter_country = forms.CharField(label=_("Country (ISO code)"), required=False, max_length=2)
    reporter_qualification = forms.ChoiceField(
        label=_("Qualification"), choices=[("", NOT_GIVEN), *Qualification.choices], required=False
    )
    reporter_investigator = forms.BooleanField(label=_("A study investigator"), required=False)
    patient_initials = forms.CharField(label=_("Patient's initials"), required=False, max_length=60)
    patient_sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False)
    patient_birth_date = forms.CharField(label=_("Date of birth (YYYY, YYYY-MM or YYYY-MM-DD)"), required=False)
    patient_age = forms.DecimalField(label=_("Age at onset"), required=False, min_value=0, max_digits=6)
    patient_age_unit = forms.ChoiceField(
        label=_("Age unit"), choices=[("", NOT_GIVEN), *AgeUnit.choices], required=False
    )
    product = forms.TypedChoiceField(label=_("Suspect product"), coerce=int, empty_value=None, required=False)
    product_name = forms.CharField(label=_("or the product as reported"), required=False, max_length=250)
    product_dose = forms.CharField(label=_("Dose"), required=False, max_length=20)
    product_dose_unit = forms.CharField(label=_("Dose unit"), required=False, max_length=20)
    product_route = forms.CharField(label=_("Route"), required=False, max_length=60)
    narrative = forms.CharField(label=_("Narrative"), required=False, max_length=100000, widget=forms.Textarea)

    def __init__(self, *args, subjects=(), products=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [("", _("none")), *((s.pk, f"{s.number} ({s.site.number})") for s in subjects)]
        self.fields["product"].choices = [("", _("typed below")), *((p.pk, p.name) for p in products)]


class IntakeEventForm(forms.Form):
    """One event of a manual intake; rows left empty are skipped."""

    verbatim = forms.CharField(label=_("Reported term"), max_length=250)
    onset = forms.CharField(label=_("Onset (YYYY, YYYY-MM or YYYY-MM-DD)"), required=False, max_length=10)
    end = forms.CharField(label=_("End"), required=False, max_length=10)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, initial=Outcome.UNKNOWN)
    flags = forms.MultipleChoiceField(
        label=_("Seriousness criteria"), choices=SERIOUSNESS, required=False, widget=forms.CheckboxSelectMultiple
    )


IntakeEventFormSet = forms.formset_factory(IntakeEventForm, extra=2, min_num=1, validate_min=True, max_num=20)
