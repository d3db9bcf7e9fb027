"""Form parsing of the monitoring visit pages: Django forms that only parse; the services decide."""

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from opencro.accounts.models import Membership
from opencro.monitoring.models import (
    FindingCategory,
    MonitoringPlan,
    OversightIssue,
    VisitPurpose,
    VisitStatus,
    VisitType,
)
from opencro.monitoring.widgets import NO, YES
from opencro.monitoring.widgets import date_input as _date
from opencro.monitoring.widgets import testid as _testid
from opencro.monitoring.widgets import textarea as _text
from opencro.studies.models import Site

ANY = [("", _("Any"))]
TEXT_MAX = 4000


def _member_label(m: Membership) -> str:
    return f"{m.user.printed_name} ({m.role.label})"


class VisitFilter(forms.Form):
    """The list's filters, from the query string (sites and monitors: the reader's only)."""

    site = forms.TypedChoiceField(label=_("Site"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), choices=ANY + VisitStatus.choices, required=False)
    visit_type = forms.ChoiceField(label=_("Type"), choices=ANY + VisitType.choices, required=False)
    monitor = forms.TypedChoiceField(label=_("Monitor"), coerce=int, required=False, empty_value=None)
    overdue = forms.ChoiceField(label=_("Overdue"), choices=[*ANY, (YES, _("Yes")), (NO, _("No"))], required=False)

    def __init__(self, data, *, sites: list[Site], monitors: list[Membership]) -> None:
        super().__init__(data)
        self.fields["site"].choices = ANY + [(s.pk, s.number) for s in sites]
        self.fields["monitor"].choices = ANY + [(m.user_id, m.user.printed_name) for m in monitors]

    def overdue_value(self) -> bool | None:
        return {YES: True, NO: False}.get(self.cleaned_data.get("overdue", ""))


class ScheduleForm(forms.Form):
    """A new visit: site, type, purpose, monitor, date, agenda and the issue it follows up."""

    site = forms.TypedChoiceField(label=_("Site"), coerce=int, widget=forms.Select(attrs=_testid("visit-site")))
    visit_type = forms.ChoiceField(
        label=_("Type"), choices=VisitType.choices, widget=forms.Select(attrs=_testid("visit-type"))
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=VisitPurpose.choices,
        initial=VisitPurpose.ROUTINE,
        widget=forms.Select(attrs=_testid("visit-purpose")),
    )
    monitor = forms.TypedChoiceField(
        label=_("Monitor"), coerce=int, widget=forms.Select(attrs=_testid("visit-monitor"))
    )
    planned_on = forms.DateField(label=_("Planned on"), widget=_date("visit-planned"))
    agenda = forms.CharField(label=_("Agenda"), max_length=TEXT_MAX, required=False, widget=_text("visit-agenda", 4))
    issue = forms.TypedChoiceField(
        label=_("Follows up issue"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=_testid("visit-issue")),
    )

    def __init__(
        self, *args, sites: list[Site], monitors: list[Membership], issues: list[OversightIssue], **kwargs
    ) -> None:
        kwargs.setdefault("auto_id", "schedule_%s")
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.pk, f"{s.number} · {s.institution}") for s in sites]
        self.fields["monitor"].choices = [(m.user_id, _member_label(m)) for m in monitors]
        self.fields["issue"].choices = [("", _("None"))] + [
            (i.pk, f"{i.number} · {i.site.number if i.site else _('study-wide')} · {i.title}") for i in issues
        ]


class RescheduleForm(forms.Form):
    planned_on = forms.DateField(label=_("New date"), widget=_date("reschedule-date"))
    monitor = forms.TypedChoiceField(
        label=_("Monitor"), coerce=int, widget=forms.Select(attrs=_testid("reschedule-monitor"))
    )
    agenda = forms.CharField(label=_("Agenda"), max_length=TEXT_MAX, required=False, widget=_text("reschedule-agenda"))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=_text("reschedule-reason", 2))

    def __init__(self, *args, monitors: list[Membership], **kwargs) -> None:
        kwargs.setdefault("auto_id", "reschedule_%s")
        super().__init__(*args, **kwargs)
        self.fields["monitor"].choices = [(m.user_id, _member_label(m)) for m in monitors]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200, widget=_text("cancel-reason", 2))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "cancel_%s")
        super().__init__(*args, **kwargs)


class ReportForm(forms.Form):
    """The report's own fields; the enrolment status and SDV figures are computed by the service."""

    visited_on = forms.DateField(label=_("Visited on"), widget=_date("report-visited"))
    attendees = forms.CharField(
        label=_("Attendees"),
        max_length=TEXT_MAX,
        help_text=_("Who attended, one per line, with their role (investigator, coordinator, pharmacist)."),
        widget=_text("report-attendees", 3),
    )
    summary = forms.CharField(label=_("Summary"), max_length=20000, widget=_text("report-summary", 6))
    actions = forms.CharField(
        label=_("Other actions"), max_length=TEXT_MAX, required=False, widget=_text("report-actions", 3)
    )
    reason = forms.CharField(
        label=_("Reason for change"),
        max_length=500,
        required=False,
        help_text=_("When you correct a saved report."),
        widget=forms.TextInput(attrs=_testid("report-reason")),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "report_%s")
        super().__init__(*args, **kwargs)


class FindingForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"), choices=FindingCategory.choices, widget=forms.Select(attrs=_testid("finding-category"))
    )
    description = forms.CharField(label=_("Finding"), max_length=TEXT_MAX, widget=_text("finding-description", 2))
    action = forms.CharField(
        label=_("Action required"), max_length=TEXT_MAX, required=False, widget=_text("finding-action", 2)
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=_date("finding-due"))

    def __init__(self, *args, prefix_id: str = "finding", **kwargs) -> None:
        kwargs.setdefault("auto_id", prefix_id + "_%s")
        super().__init__(*args, **kwargs)


class ResolveForm(forms.Form):
    resolved_on = forms.DateField(label=_("Resolved on"), required=False, widget=_date("resolve-date"))


class SignForm(forms.Form):
    """Re-authentication for an e-signature (21 CFR 11.200)."""

    password = forms.CharField(
        label=_("Your password"),
        max_length=200,
        widget=forms.PasswordInput(attrs=_testid("sign-password", autocomplete="current-password")),
    )

    def __init__(self, *args, prefix_id: str = "sign", **kwargs) -> None:
        kwargs.setdefault("auto_id", prefix_id + "_%s")
        super().__init__(*args, **kwargs)


class ReturnForm(forms.Form):
    comments = forms.CharField(
        label=_("Comments for the monitor"), max_length=TEXT_MAX, widget=_text("return-comments")
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "return_%s")
        super().__init__(*args, **kwargs)


PLAN_FIELDS = [
    "onsite_interval_weeks",
    "remote_interval_weeks",
    "flagged_interval_weeks",
    "central_interval_weeks",
    "report_due_days",
    "letter_due_days",
    "flag_level",
    "sdv_strategy",
    "notes",
]


class PlanForm(forms.Form):
    """The monitoring plan: intervals, due days, the flag level that raises the frequency, the SDV strategy (the
    fields and labels of the model; the service validates)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "plan_%s")
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                MonitoringPlan,
                fields=PLAN_FIELDS,
                widgets={
                    "flag_level": forms.Select(choices=[(1, _("1 (amber)")), (2, _("2 (red)"))]),
                    "sdv_strategy": forms.Textarea(attrs={"rows": 4, "data-testid": "plan-sdv"}),
                    "notes": forms.Textarea(attrs={"rows": 3}),
                },
            )
        )
        self.fields["reason"] = forms.CharField(
            label=_("Reason for change"),
            max_length=500,
            required=False,
            widget=forms.TextInput(attrs=_testid("plan-reason")),
        )
