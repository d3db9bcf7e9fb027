"""Form parsing of the risk register's pages: the filters, a risk's form (raise and change), closing, realising and
raising a signal. Django forms that only parse; `services.risks` decides."""

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencro.accounts.models import OrganisationMember, User
from opencro.core.form_fields import PrefixedForm as _Prefixed
from opencro.core.form_fields import testid_attrs as _testid
from opencro.partnership.forms import REASON_MAX, _date, _text
from opencro.partnership.models import ProjectRisk, RiskCategory, RiskLevel, RiskStatus
from opencro.partnership.models.risks import SCALE_MAX
from opencro.partnership.risk_reads import ACTIVE, RiskFilters

ANY = [("", _("Any"))]
YES, NO = "yes", "no"
SCALE = [(n, str(n)) for n in range(1, SCALE_MAX + 1)]
NOTE_MAX = 4000


class RiskFilterForm(forms.Form):
    """The register's filters, from the query string (owners: the people owning a risk of the register)."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[*ANY, (ACTIVE, _("Not closed")), *RiskStatus.choices],
        required=False,
        widget=forms.Select(attrs=_testid("filter-status")),
    )
    level = forms.ChoiceField(
        label=pgettext_lazy("risk", "Level"),
        choices=ANY + RiskLevel.choices,
        required=False,
        widget=forms.Select(attrs=_testid("filter-level")),
    )
    owner = forms.TypedChoiceField(
        label=_("Owner"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=_testid("filter-owner")),
    )
    overdue = forms.ChoiceField(
        label=_("Overdue"),
        choices=[*ANY, (YES, _("Yes")), (NO, _("No"))],
        required=False,
        widget=forms.Select(attrs=_testid("filter-overdue")),
    )

    def __init__(self, data, *, owners: Iterable[User]) -> None:
        super().__init__(data, auto_id="filter_%s")
        self.fields["owner"].choices = ANY + [(u.pk, u.printed_name) for u in owners]

    def filters(self) -> RiskFilters:
        """What the form asks for (after is_valid; an invalid form filters nothing)."""
        data = self.cleaned_data if self.is_valid() else {}
        return RiskFilters(
            status=data.get("status", ""),
            level=data.get("level", ""),
            owner_id=data.get("owner"),
            overdue={YES: True, NO: False}.get(data.get("overdue", "")),
        )


def owner_choices(members: Iterable[OrganisationMember]) -> list[tuple[int, str]]:
    return [(m.user_id, f"{m.user.printed_name} · {m.organisation.name}") for m in members]


class RiskForm(_Prefixed):
    """A risk: raised (a new one), or changed (its status between open and mitigating, and why)."""

    id_prefix = "risk"
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs=_testid("risk-title")))
    description = forms.CharField(
        label=_("Description"), max_length=NOTE_MAX, required=False, widget=_text("risk-description", 3)
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=RiskCategory.choices, widget=forms.Select(attrs=_testid("risk-category"))
    )
    likelihood = forms.TypedChoiceField(
        label=_("Likelihood"),
        coerce=int,
        choices=SCALE,
        help_text=_("1 rare, 5 almost certain"),
        widget=forms.Select(attrs=_testid("risk-likelihood")),
    )
    impact = forms.TypedChoiceField(
        label=_("Impact"),
        coerce=int,
        choices=SCALE,
        help_text=_("1 negligible, 5 severe"),
        widget=forms.Select(attrs=_testid("risk-impact")),
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, widget=forms.Select(attrs=_testid("risk-owner")))
    due_on = _date("risk-due")
    mitigation = forms.CharField(
        label=_("Mitigation plan"), max_length=NOTE_MAX, required=False, widget=_text("risk-mitigation", 3)
    )
    contingency = forms.CharField(
        label=_("Contingency plan"),
        max_length=NOTE_MAX,
        required=False,
        help_text=_("What is done if the risk happens."),
        widget=_text("risk-contingency", 3),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(RiskStatus.OPEN, RiskStatus.OPEN.label), (RiskStatus.MITIGATING, RiskStatus.MITIGATING.label)],
        widget=forms.Select(attrs=_testid("risk-status")),
    )
    reason = forms.CharField(
        label=_("Reason for change"), max_length=REASON_MAX, widget=forms.TextInput(attrs=_testid("risk-reason"))
    )

    def __init__(self, *args, owners: Iterable[OrganisationMember], editing: ProjectRisk | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_on"].label = _("Due on")
        self.fields["due_on"].help_text = _("The next review, or when the mitigation is due.")
        self.fields["owner"].choices = owner_choices(owners)
        if editing is None:
            del self.fields["reason"]
        if editing is None or editing.status not in (RiskStatus.OPEN, RiskStatus.MITIGATING):
            del self.fields["status"]  # a new risk is open; a realised one stays realised until closed

    @staticmethod
    def initial_of(risk: ProjectRisk) -> dict:
        names = ("title", "description", "category", "likelihood", "impact", "due_on", "mitigation", "contingency")
        return {**{name: getattr(risk, name) for name in names}, "owner": risk.owner_id, "status": risk.status}


class RiskCloseForm(_Prefixed):
    id_prefix = "close"
    closing_note = forms.CharField(
        label=_("Closing note"),
        max_length=NOTE_MAX,
        help_text=_("Why the risk is closed: mitigated, no longer relevant, resolved."),
        widget=_text("risk-closing-note"),
    )


class RiskRealiseForm(_Prefixed):
    id_prefix = "realise"
    note = forms.CharField(label=_("What happened"), max_length=NOTE_MAX, widget=_text("risk-realised-note"))
    due_on = _date("risk-realised-due", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_on"].label = _("Resolution due on")
        self.fields["due_on"].help_text = _("Left empty: the due date stays.")


class SignalRaiseForm(forms.Form):
    """Raise a signal of the register as a risk: its key (a hidden field of the signal's row)."""

    source_key = forms.CharField(max_length=120, widget=forms.HiddenInput)
