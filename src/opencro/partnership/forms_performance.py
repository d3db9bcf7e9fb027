"""Forms of a work order's KPIs and status reports."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from opencro.core.form_fields import PrefixedForm as _Prefixed
from opencro.core.form_fields import testid_attrs as _testid
from opencro.partnership.forms import _date, _text
from opencro.partnership.models import KpiCode, ReportCadence

DECISIONS = (("approve", _("Approve")), ("return", _("Return to the CRO")))


def _number(name: str, label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=9,
        decimal_places=2,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs=_testid(name, step="0.01")),
    )


class KpisAsOfForm(forms.Form):
    """The day the KPI page measures as of (its query string)."""

    as_of = _date("kpis-as-of", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"].label = _("As of")


class KpiTargetForm(_Prefixed):
    id_prefix = "kpi"
    kpi = forms.ChoiceField(label=_("KPI"), choices=KpiCode.choices, widget=forms.Select(attrs=_testid("kpi-code")))
    target = _number("kpi-target", _("Target"))
    tolerance = _number("kpi-tolerance", _("Tolerance"))
    note = forms.CharField(label=_("Note"), max_length=1000, required=False, widget=_text("kpi-note"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tolerance"].help_text = _("How far beyond the target is still amber; further is red.")
        self.fields["tolerance"].initial = Decimal(0)


class ReportDraftForm(_Prefixed):
    """A new status report: the day it reports as of, the start of the period it covers, the CRO's summary."""

    id_prefix = "report"
    as_of = _date("report-as-of")
    period_start = _date("report-period-start", required=False)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=10000,
        required=False,
        help_text=_("The CRO's account of the period: progress, issues, decisions needed from the sponsor."),
        widget=_text("report-summary", rows=5),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"].label = _("As of")
        self.fields["period_start"].label = _("Period from")
        self.fields["period_start"].help_text = _("Empty: the day after the previous report, or a month before.")


class ReportSummaryForm(_Prefixed):
    id_prefix = "summary"
    summary = forms.CharField(label=_("Summary"), max_length=10000, required=False, widget=_text("summary-text", 5))


class ReportCommentForm(_Prefixed):
    id_prefix = "comment"
    text = forms.CharField(label=_("Comment"), max_length=5000, widget=_text("comment-text", rows=3))


class ReportDecisionForm(_Prefixed):
    """The sponsor's decision on an issued report, signed with the password."""

    id_prefix = "decision"
    decision = forms.ChoiceField(
        label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect(attrs=_testid("decision"))
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        required=False,
        help_text=_("Required to return a report: say what must change."),
        widget=_text("decision-comment", rows=3),
    )
    password = forms.CharField(
        label=_("Your password (e-signature)"),
        widget=forms.PasswordInput(attrs=_testid("decision-password", autocomplete="current-password")),
    )


class ReportIssueForm(_Prefixed):
    id_prefix = "issue"
    password = forms.CharField(
        label=_("Your password (e-signature)"),
        widget=forms.PasswordInput(attrs=_testid("issue-password", autocomplete="current-password")),
    )


class ReportScheduleForm(_Prefixed):
    id_prefix = "schedule"
    cadence = forms.ChoiceField(
        label=_("Cadence"), choices=ReportCadence.choices, widget=forms.Select(attrs=_testid("schedule-cadence"))
    )
    next_on = _date("schedule-next-on")
    active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, widget=forms.CheckboxInput(attrs=_testid("schedule-active"))
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["next_on"].label = _("Next report on")
