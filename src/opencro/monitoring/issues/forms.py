"""Form parsing of the issue pages: Django forms that only parse; the services decide."""

from collections.abc import Sequence

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from opencro.accounts.models import Membership
from opencro.monitoring.models import IssueSource, IssueStatus
from opencro.monitoring.widgets import NO, YES
from opencro.monitoring.widgets import date_input as _date
from opencro.monitoring.widgets import testid as _testid
from opencro.monitoring.widgets import textarea as _text
from opencro.studies.models import Site

ANY = [("", _("Any"))]
YES_NO = [(YES, _("Yes")), (NO, _("No"))]
STUDY_WIDE = ""


def _owner_choices(owners: Sequence[Membership]) -> list[tuple[int, str]]:
    return [(m.user_id, f"{m.user.printed_name} · {m.role.name}") for m in owners]


class IssueFilter(forms.Form):
    """The list's filters, from the query string (sites and owners: those the reader may see)."""

    site = forms.TypedChoiceField(label=_("Site"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), choices=ANY + IssueStatus.choices, required=False)
    source = forms.ChoiceField(label=_("Signal"), choices=ANY + IssueSource.choices, required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    overdue = forms.ChoiceField(label=_("Overdue"), choices=ANY + YES_NO, required=False)
    q = forms.CharField(label=_("Search"), max_length=100, required=False)

    def __init__(self, data, *, sites: QuerySet[Site], owners: Sequence[Membership]) -> None:
        super().__init__(data, auto_id="filter_%s")
        self.fields["site"].choices = ANY + [(s.pk, s.number) for s in sites]
        self.fields["owner"].choices = ANY + _owner_choices(owners)


class RaiseForm(forms.Form):
    """A new issue: its site among the reader's (empty: study-wide), signal, owner and due date."""

    site = forms.TypedChoiceField(
        label=_("Site"), coerce=int, required=False, empty_value=None, widget=forms.Select(attrs=_testid("iss-site"))
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput(attrs=_testid("iss-title", autofocus=True))
    )
    description = forms.CharField(label=_("Description"), max_length=4000, widget=_text("iss-description", 4))
    source = forms.ChoiceField(
        label=_("Signal"), choices=IssueSource.choices, widget=forms.Select(attrs=_testid("iss-source"))
    )
    source_detail = forms.CharField(
        label=_("Signal details"),
        max_length=200,
        required=False,
        help_text=_("What raised it, e.g. the KRI, the site and the data cut."),
        widget=forms.TextInput(attrs=_testid("iss-source-detail")),
    )
    source_key = forms.CharField(max_length=120, required=False, widget=forms.HiddenInput)
    owner = forms.TypedChoiceField(
        label=_("Owner"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=_testid("iss-owner")),
    )
    due_on = forms.DateField(label=_("Due on"), widget=_date("iss-due"))

    def __init__(self, *args, sites: QuerySet[Site], owners: Sequence[Membership], study_wide: bool, **kwargs) -> None:
        kwargs.setdefault("auto_id", "raise_%s")
        super().__init__(*args, **kwargs)
        choices = [(s.pk, f"{s.number} · {s.institution}") for s in sites]
        if study_wide:
            choices = [(STUDY_WIDE, _("The study as a whole")), *choices]
        self.fields["site"].choices = choices
        self.fields["site"].required = not study_wide  # a site-restricted member raises issues at their sites
        self.fields["owner"].choices = [("", _("Me")), *_owner_choices(owners)]


class EditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=4000, widget=_text("edit-description", 4))
    owner = forms.TypedChoiceField(
        label=_("Owner"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=_testid("edit-owner")),
    )
    due_on = forms.DateField(label=_("Due on"), widget=_date("edit-due"))
    reason = forms.CharField(label=_("Reason for change"), max_length=500, widget=_text("edit-reason", 2))

    def __init__(self, *args, owners: Sequence[Membership], **kwargs) -> None:
        kwargs.setdefault("auto_id", "edit_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Keep the owner")), *_owner_choices(owners)]


class PlanForm(forms.Form):
    root_cause = forms.CharField(label=_("Root cause"), max_length=4000, required=False, widget=_text("plan-cause"))
    corrective_action = forms.CharField(
        label=_("Corrective action"), max_length=4000, required=False, widget=_text("plan-corrective")
    )
    preventive_action = forms.CharField(
        label=_("Preventive action"), max_length=4000, required=False, widget=_text("plan-preventive")
    )
    reason = forms.CharField(
        label=_("Reason for changing the plan"),
        max_length=500,
        required=False,
        help_text=_("When actions already planned are changed."),
        widget=forms.TextInput(attrs=_testid("plan-reason")),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "plan_%s")
        super().__init__(*args, **kwargs)


class ImplementForm(forms.Form):
    implemented_on = forms.DateField(label=_("Actions implemented on"), required=False, widget=_date("implement-on"))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "implement_%s")
        super().__init__(*args, **kwargs)


class CheckForm(forms.Form):
    effectiveness_check = forms.CharField(
        label=_("Effectiveness check"),
        max_length=4000,
        required=False,
        help_text=_("What was checked and what it showed."),
        widget=_text("check-text"),
    )
    effective = forms.ChoiceField(
        label=_("Were the actions effective?"),
        choices=YES_NO,
        widget=forms.RadioSelect(attrs=_testid("check-effective")),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "check_%s")
        super().__init__(*args, **kwargs)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), max_length=500, required=False, widget=_text("cancel-reason", 2)
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "cancel_%s")
        super().__init__(*args, **kwargs)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"), max_length=500, required=False, widget=_text("reopen-reason", 2)
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "reopen_%s")
        super().__init__(*args, **kwargs)
