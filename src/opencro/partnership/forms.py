"""Form parsing of the partnership pages: Django forms that only parse; the services decide."""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencro.accounts.models import OrganisationKind
from opencro.accounts.permissions import OrgRole
from opencro.core.form_fields import PrefixedForm as _Prefixed
from opencro.core.form_fields import date_field
from opencro.core.form_fields import testid_attrs as _testid
from opencro.partnership.catalogue import DUTIES, BudgetUnit, Party, Service, Signatory
from opencro.partnership.models import BudgetLine, Frequency, MasterServicesAgreement, WorkOrder
from opencro.partnership.models.kickoff import ESCALATION_LEVELS, RESPONSE_DAYS_MAX

UNCHANGED = ""
REASON_MAX = 500


def _date(name: str, required: bool = True) -> forms.DateField:
    return date_field(None, name, required=required)


def _text(name: str, rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs=_testid(name, rows=str(rows)))


def _services(name: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=Service.choices, required=False, widget=forms.CheckboxSelectMultiple(attrs=_testid(name))
    )


class OrganisationForm(_Prefixed):
    id_prefix = "org"
    code = forms.SlugField(label=_("Code"), max_length=20, widget=forms.TextInput(attrs=_testid("org-code")))
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs=_testid("org-name")))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=OrganisationKind.choices, widget=forms.Select(attrs=_testid("org-kind"))
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        required=False,
        help_text=_("ISO 3166-1 alpha-2 code"),
        widget=forms.TextInput(attrs=_testid("org-country")),
    )
    address = forms.CharField(label=_("Address"), max_length=1000, required=False, widget=_text("org-address"))


class MemberForm(_Prefixed):
    """Place a person (named by username) in the organisation, or change their role there."""

    id_prefix = "member"
    user = forms.CharField(label=_("Username"), max_length=150, widget=forms.TextInput(attrs=_testid("member-user")))
    role = forms.ChoiceField(
        label=_("Role"), choices=OrgRole.choices, widget=forms.Select(attrs=_testid("member-role"))
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX, required=False, widget=forms.TextInput(attrs=_testid("member-reason"))
    )


class ReasonForm(_Prefixed):
    """A step that only needs a reason (remove a member, cancel, close, reject, withdraw)."""

    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, required=False)

    def __init__(self, *args, name: str, **kwargs) -> None:
        self.id_prefix = name
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget = _text(f"{name}-reason")


class StudySponsorForm(_Prefixed):
    """Hand a study to this sponsor (system administrators)."""

    id_prefix = "sponsor"
    study = forms.TypedChoiceField(label=_("Study"), coerce=int, widget=forms.Select(attrs=_testid("sponsor-study")))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.TextInput(attrs=_testid("sponsor-reason")),
    )

    def __init__(self, *args, studies: Iterable, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["study"].choices = [(s.pk, f"{s.protocol_number} · {s.short_title}") for s in studies]


class AgreementForm(_Prefixed):
    """An agreement's terms; a new one also names the counterparty (an organisation of the other kind)."""

    id_prefix = "agreement"
    counterparty = forms.TypedChoiceField(
        label=_("Counterparty"), coerce=int, widget=forms.Select(attrs=_testid("agreement-counterparty"))
    )
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs=_testid("agreement-title")))
    effective_on = _date("agreement-effective")
    expires_on = _date("agreement-expires", required=False)
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        initial="EUR",
        help_text=_("ISO 4217 code, e.g. EUR"),
        widget=forms.TextInput(attrs=_testid("agreement-currency")),
    )
    payment_terms_days = forms.IntegerField(
        label=_("Payment terms (days)"),
        min_value=0,
        max_value=365,
        initial=30,
        widget=forms.NumberInput(attrs=_testid("agreement-payment-terms")),
    )
    governing_law = forms.CharField(
        label=_("Governing law"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs=_testid("agreement-law")),
    )

    def __init__(self, *args, counterparties: Iterable | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].label = _("Effective from")
        self.fields["expires_on"].label = _("Expires on")
        if counterparties is None:
            del self.fields["counterparty"]
        else:
            self.fields["counterparty"].choices = [(o.pk, o.name) for o in counterparties]

    @staticmethod
    def initial_of(agreement: MasterServicesAgreement) -> dict:
        return {name: getattr(agreement, name) for name in AgreementForm.base_fields if name != "counterparty"}


class SignForm(_Prefixed):
    id_prefix = "sign"
    password = forms.CharField(
        label=_("Your password (e-signature)"),
        strip=False,
        widget=forms.PasswordInput(attrs=_testid("sign-password", autocomplete="current-password")),
    )


class TerminateForm(_Prefixed):
    id_prefix = "terminate"
    terminated_on = _date("terminate-on")
    reason = forms.CharField(label=_("Reason for termination"), max_length=REASON_MAX, widget=_text("terminate-reason"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["terminated_on"].label = _("Terminated on")


class WorkOrderForm(_Prefixed):
    """A work order's scope; a new one also names the study (one of the sponsor's)."""

    id_prefix = "wo"
    study = forms.TypedChoiceField(label=_("Study"), coerce=int, widget=forms.Select(attrs=_testid("wo-study")))
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs=_testid("wo-title")))
    services = _services("wo-services")
    value = forms.DecimalField(
        label=_("Value"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs=_testid("wo-value", step="0.01")),
    )
    start_on = _date("wo-start")
    end_on = _date("wo-end")

    def __init__(self, *args, studies: Iterable | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].label = _("Services")
        self.fields["start_on"].label = _("Starts on")
        self.fields["end_on"].label = _("Ends on")
        if studies is None:
            del self.fields["study"]
        else:
            self.fields["study"].choices = [(s.pk, f"{s.protocol_number} · {s.short_title}") for s in studies]

    @staticmethod
    def initial_of(work_order: WorkOrder) -> dict:
        return {name: getattr(work_order, name) for name in WorkOrderForm.base_fields if name != "study"}


def party_field(code: str) -> str:
    return f"party_{code}"


def note_field(code: str) -> str:
    return f"note_{code}"


class MatrixForm(_Prefixed):
    """The responsibility matrix as one form: who holds each sponsor duty, and a note (a shared duty's split)."""

    id_prefix = "matrix"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for duty in DUTIES:
            self.fields[party_field(duty.code)] = forms.ChoiceField(
                label=duty.label,
                choices=Party.choices,
                widget=forms.Select(attrs=_testid(f"matrix-party-{duty.code}", **{"aria-label": duty.label})),
            )
            self.fields[note_field(duty.code)] = forms.CharField(
                label=_("Note"),
                max_length=1000,
                required=False,
                widget=forms.TextInput(attrs=_testid(f"matrix-note-{duty.code}", **{"aria-label": _("Note")})),
            )

    @staticmethod
    def initial_of(rows: Sequence) -> dict:
        initial = {}
        for row in rows:
            initial[party_field(row.duty.code)] = row.party
            initial[note_field(row.duty.code)] = row.note
        return initial


def duty_field(code: str) -> str:
    return f"duty_{code}"


class ChangeOrderForm(_Prefixed):
    """A proposed change: value, end date, services in and out, and duties handed over or back."""

    id_prefix = "co"
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs=_testid("co-title")))
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=_text("co-reason", 3))
    value_change = forms.DecimalField(
        label=_("Change in value"),
        max_digits=14,
        decimal_places=2,
        initial=Decimal(0),
        help_text=_("Negative to reduce the value."),
        widget=forms.NumberInput(attrs=_testid("co-value", step="0.01")),
    )
    new_end_on = _date("co-end", required=False)
    services_added = _services("co-services-added")
    services_removed = _services("co-services-removed")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_end_on"].label = _("New end date")
        self.fields["services_added"].label = _("Services added")
        self.fields["services_removed"].label = _("Services removed")
        choices = [(UNCHANGED, _("Unchanged")), *Party.choices[:2]]
        for duty in DUTIES:
            self.fields[duty_field(duty.code)] = forms.ChoiceField(
                label=duty.label,
                choices=choices,
                required=False,
                widget=forms.Select(attrs=_testid(f"co-duty-{duty.code}")),
            )

    def duties(self) -> dict[str, str]:
        """The duties reassigned (after is_valid): code -> party, the unchanged left out."""
        return {
            duty.code: self.cleaned_data[duty_field(duty.code)]
            for duty in DUTIES
            if self.cleaned_data.get(duty_field(duty.code), UNCHANGED) != UNCHANGED
        }

    def duty_fields(self) -> list:
        return [self[duty_field(duty.code)] for duty in DUTIES]

    def scope_fields(self) -> list:
        return [self[name] for name in self.base_fields]


def _currency(name: str, initial: str = "") -> forms.CharField:
    return forms.CharField(
        label=_("Currency"),
        max_length=3,
        initial=initial,
        help_text=_("ISO 4217 code, e.g. EUR"),
        widget=forms.TextInput(attrs=_testid(name)),
    )


class ExchangeRateForm(_Prefixed):
    """A rate into the agreement's currency, in force from a day."""

    id_prefix = "rate"
    currency = _currency("rate-currency")
    effective_on = _date("rate-effective")
    rate = forms.DecimalField(
        label=pgettext_lazy("exchange rate", "Rate"),
        max_digits=18,
        decimal_places=8,
        help_text=_("Units of the agreement's currency for one unit of this currency."),
        widget=forms.NumberInput(attrs=_testid("rate-rate", step="any")),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].label = _("Effective from")


class BudgetLineForm(_Prefixed):
    """A budget line: one of the work order's services, a unit, planned units at a unit price in a currency."""

    id_prefix = "line"
    service = forms.ChoiceField(label=_("Service"), widget=forms.Select(attrs=_testid("line-service")))
    description = forms.CharField(
        label=_("Description"), max_length=200, widget=forms.TextInput(attrs=_testid("line-description"))
    )
    unit = forms.ChoiceField(
        label=_("Unit"), choices=BudgetUnit.choices, widget=forms.Select(attrs=_testid("line-unit"))
    )
    quantity = forms.DecimalField(
        label=_("Planned units"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs=_testid("line-quantity", step="0.01")),
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs=_testid("line-price", step="0.01")),
    )
    currency = _currency("line-currency")

    def __init__(self, *args, work_order: WorkOrder, line: BudgetLine | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        codes = list(dict.fromkeys([*work_order.services, *([line.service] if line else [])]))
        self.fields["service"].choices = [(code, Service(code).label) for code in codes if code in Service.values]
        self.fields["currency"].initial = work_order.currency

    @staticmethod
    def initial_of(line: BudgetLine) -> dict:
        return {name: getattr(line, name) for name in BudgetLineForm.base_fields}


class CostEntryForm(_Prefixed):
    """An actual cost of a pass-through or fixed line."""

    id_prefix = "cost"
    line = forms.TypedChoiceField(label=_("Budget line"), coerce=int, widget=forms.Select(attrs=_testid("cost-line")))
    incurred_on = _date("cost-incurred")
    quantity = forms.DecimalField(
        label=pgettext_lazy("quantity", "Units"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        initial=Decimal(1),
        widget=forms.NumberInput(attrs=_testid("cost-quantity", step="0.01")),
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs=_testid("cost-amount", step="0.01")),
    )
    currency = _currency("cost-currency")
    reference = forms.CharField(
        label=_("Invoice number"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs=_testid("cost-reference")),
    )
    description = forms.CharField(
        label=_("Description"), max_length=1000, required=False, widget=_text("cost-description")
    )

    def __init__(self, *args, lines: Iterable[BudgetLine], currency: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["incurred_on"].label = _("Incurred on")
        self.fields["line"].choices = [(x.pk, f"{x.get_service_display()} · {x.description}") for x in lines]
        self.fields["currency"].initial = currency


class AsOfForm(forms.Form):
    """The day a budget is reported as of (the query string of the budget page)."""

    as_of = _date("budget-as-of", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"].label = _("As of")


# Kick-off plan


def _kickoff_field(form: forms.Form, name: str, testid: str) -> None:
    form.fields[name].widget.attrs["data-testid"] = testid


class _MilestoneForm(_Prefixed):
    """One milestone's form on the kick-off page: its ids and test ids carry the milestone's kind."""

    def __init__(self, *args, kind: str, **kwargs) -> None:
        self.id_prefix = f"ms-{kind}"
        super().__init__(*args, **kwargs)
        for name in self.fields:
            _kickoff_field(self, name, f"ms-{kind}-{name.replace('_', '-')}")


class MilestonePlanForm(_MilestoneForm):
    """A milestone's target date (part of what both parties sign) and note, while the work order is a draft."""

    planned_on = _date("ms-planned", required=False)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False, widget=_text("ms-note"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["planned_on"].label = _("Target date")

    @staticmethod
    def initial_of(milestone) -> dict:
        return {"planned_on": milestone.planned, "note": milestone.note}


class MilestoneProgressForm(_MilestoneForm):
    """A milestone's forecast, an actual date recorded by hand (where the data give none, or to correct them) and
    note, once the work order is executed; a value already recorded changes with a reason."""

    forecast_on = _date("ms-forecast", required=False)
    actual_on_recorded = _date("ms-actual", required=False)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False, widget=_text("ms-note"))
    reason = forms.CharField(
        label=_("Reason for change"),
        max_length=REASON_MAX,
        required=False,
        help_text=_("Needed to change or clear a value already recorded."),
        widget=forms.TextInput(attrs=_testid("ms-reason")),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["forecast_on"].label = pgettext_lazy("milestone", "Forecast")
        self.fields["actual_on_recorded"].label = _("Actual date recorded")
        self.fields["actual_on_recorded"].help_text = _("Overrides the date the trial's data give.")

    @staticmethod
    def initial_of(milestone) -> dict:
        recorded = milestone.actual if milestone.source == "recorded" else None
        return {"forecast_on": milestone.forecast, "actual_on_recorded": recorded, "note": milestone.note}


class CommunicationItemForm(_Prefixed):
    """A line of the communication plan; a change may say why."""

    id_prefix = "comm"
    what = forms.CharField(
        label=_("What"),
        max_length=200,
        help_text=_("e.g. Weekly operations call, Monthly status report, Steering committee"),
        widget=forms.TextInput(attrs=_testid("comm-what")),
    )
    frequency = forms.ChoiceField(
        label=_("Frequency"), choices=Frequency.choices, widget=forms.Select(attrs=_testid("comm-frequency"))
    )
    owner = forms.ChoiceField(
        label=_("Owned by"), choices=Signatory.choices, widget=forms.Select(attrs=_testid("comm-owner"))
    )
    participants = forms.CharField(
        label=pgettext_lazy("meeting", "Participants"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs=_testid("comm-participants")),
    )
    channel = forms.CharField(
        label=_("Channel"),
        max_length=200,
        required=False,
        help_text=_("e.g. video call, e-mail, in person"),
        widget=forms.TextInput(attrs=_testid("comm-channel")),
    )
    note = forms.CharField(label=_("Note"), max_length=1000, required=False, widget=_text("comm-note"))
    reason = forms.CharField(
        label=_("Reason for change"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.TextInput(attrs=_testid("comm-reason")),
    )

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["reason"]

    @staticmethod
    def initial_of(item) -> dict:
        return {name: getattr(item, name) for name in CommunicationItemForm.base_fields if name != "reason"}


class EscalationStepForm(_Prefixed):
    """A level of the escalation path; a change may say why."""

    id_prefix = "esc"
    level = forms.TypedChoiceField(
        label=pgettext_lazy("escalation", "Level"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, ESCALATION_LEVELS + 1)],
        widget=forms.Select(attrs=_testid("esc-level")),
    )
    trigger = forms.CharField(
        label=pgettext_lazy("escalation", "When"),
        max_length=300,
        help_text=_("e.g. an issue open beyond 5 working days"),
        widget=forms.TextInput(attrs=_testid("esc-trigger")),
    )
    sponsor_contact = forms.CharField(
        label=_("Sponsor contact"),
        max_length=200,
        help_text=_("Name and role"),
        widget=forms.TextInput(attrs=_testid("esc-sponsor")),
    )
    cro_contact = forms.CharField(
        label=_("CRO contact"),
        max_length=200,
        help_text=_("Name and role"),
        widget=forms.TextInput(attrs=_testid("esc-cro")),
    )
    response_days = forms.IntegerField(
        label=_("Response time (working days)"),
        min_value=0,
        max_value=RESPONSE_DAYS_MAX,
        widget=forms.NumberInput(attrs=_testid("esc-days")),
    )
    note = forms.CharField(label=_("Note"), max_length=1000, required=False, widget=_text("esc-note"))
    reason = forms.CharField(
        label=_("Reason for change"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.TextInput(attrs=_testid("esc-reason")),
    )

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["reason"]

    @staticmethod
    def initial_of(step) -> dict:
        return {name: getattr(step, name) for name in EscalationStepForm.base_fields if name != "reason"}


class KickoffAsOfForm(forms.Form):
    """The day the kick-off page reckons statuses and open variances from (its query string)."""

    as_of = _date("kickoff-as-of", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"].label = _("As of")
