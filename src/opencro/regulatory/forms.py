"""Form parsing of the regulatory pages: Django forms that only parse (choices limited to the reader's records);
the services decide."""

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from opencro.regulatory.models import (
    ApplicationType,
    Authority,
    ClockRule,
    CommitteeScope,
    EthicsCommittee,
    EthicsKind,
    Submission,
    SubmissionStatus,
)

ANY = [("", _("Any"))]
NONE = [("", "---------")]
TEXT_MAX = 4000
REASON_MAX = 500
AUTHORITY, COMMITTEE = "authority", "committee"


def _testid(name: str, **attrs) -> dict[str, str]:
    """Widget attributes with `data-testid` (the browser tests find fields by it)."""
    return {"data-testid": name, **attrs}


def _date(name: str) -> forms.DateInput:
    return forms.DateInput(attrs=_testid(name, type="date"), format="%Y-%m-%d")


def _text(name: str, rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs=_testid(name, rows=str(rows)))


def _reason(name: str, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=_("Reason for change"),
        max_length=REASON_MAX,
        required=required,
        widget=forms.TextInput(attrs=_testid(name)),
    )


def recipient_value(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


def type_choices(types: list[ApplicationType]) -> list:
    """Application types grouped by authority (the type names its authority)."""
    groups: dict[str, list] = {}
    for t in types:
        groups.setdefault(f"{t.authority.code} · {t.authority.name}", []).append((t.pk, f"{t.code} · {t.name}"))
    return list(groups.items())


class TrackerFilter(forms.Form):
    """The tracker's filters, from the query string (countries and committees: the reader's only)."""

    country = forms.TypedChoiceField(label=_("Country"), coerce=int, required=False, empty_value=None)
    recipient = forms.ChoiceField(label=_("Authority or committee"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ANY + SubmissionStatus.choices, required=False)

    def __init__(self, data, *, countries, authorities, committees) -> None:
        super().__init__(data)
        self.fields["country"].choices = ANY + [(c.pk, f"{c.code} · {c.name}") for c in countries]
        self.fields["recipient"].choices = [
            *ANY,
            (_("Authorities"), [(recipient_value(AUTHORITY, a.pk), a.code) for a in authorities]),
            (_("Ethics committees"), [(recipient_value(COMMITTEE, c.pk), c.name) for c in committees]),
        ]

    def chosen_recipient(self) -> tuple[str, int] | None:
        value = self.cleaned_data.get("recipient") or ""
        kind, _sep, pk = value.partition(":")
        return (kind, int(pk)) if kind in (AUTHORITY, COMMITTEE) and pk.isdigit() else None


class PlanForm(forms.Form):
    """A new submission: to an authority (an application type of it) or to an ethics committee (a kind)."""

    application_type = forms.TypedChoiceField(
        label=_("Authority and application type"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=_testid("plan-type")),
    )
    committee = forms.TypedChoiceField(
        label=_("or ethics committee"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=_testid("plan-committee")),
    )
    ethics_kind = forms.ChoiceField(
        label=_("Ethics submission"),
        choices=NONE + EthicsKind.choices,
        required=False,
        widget=forms.Select(attrs=_testid("plan-kind")),
    )
    country = forms.TypedChoiceField(label=_("Country"), coerce=int, widget=forms.Select(attrs=_testid("plan-country")))
    protocol_version = forms.TypedChoiceField(label=_("Protocol version"), coerce=int, required=False, empty_value=None)
    parent = forms.TypedChoiceField(label=_("Under application"), coerce=int, required=False, empty_value=None)
    title = forms.CharField(label=_("Title"), max_length=300, widget=forms.TextInput(attrs=_testid("plan-title")))
    product = forms.CharField(label=_("Product"), max_length=200, required=False)
    planned_on = forms.DateField(label=_("Planned for"), required=False, widget=_date("plan-date"))

    def __init__(self, *args, types, committees, countries, versions, parents, **kwargs) -> None:
        kwargs.setdefault("auto_id", "plan_%s")
        super().__init__(*args, **kwargs)
        self.fields["application_type"].choices = NONE + type_choices(types)
        self.fields["committee"].choices = NONE + [(c.pk, f"{c.name} ({c.country.code})") for c in committees]
        self.fields["country"].choices = [(c.pk, f"{c.code} · {c.name}") for c in countries]
        self.fields["protocol_version"].choices = NONE + [(v.pk, v.version) for v in versions]
        self.fields["parent"].choices = NONE + [(s.pk, f"{s.number} · {s.title}") for s in parents]

    def clean(self):
        data = super().clean()
        if bool(data.get("application_type")) == bool(data.get("committee")):
            raise forms.ValidationError(_("Choose an application type of an authority, or an ethics committee."))
        if data.get("committee") and not data.get("ethics_kind"):
            self.add_error("ethics_kind", _("Say what is submitted to the ethics committee."))
        return data


# the details a submission's edit form changes (services.submissions.EDITABLE), with the model's labels
DETAIL_FIELDS = [
    "title",
    "product",
    "reference",
    "sequence",
    "planned_on",
    "submitted_on",
    "acknowledged_on",
    "validated_on",
    "decided_on",
    "decision_note",
    "expires_on",
]
DATE_FIELDS = ("planned_on", "submitted_on", "acknowledged_on", "validated_on", "decided_on", "expires_on")


class EditForm(forms.Form):
    """The submission's details and corrected dates, with the reason for the change."""

    def __init__(self, *args, versions, parents, **kwargs) -> None:
        kwargs.setdefault("auto_id", "edit_%s")
        super().__init__(*args, **kwargs)
        widgets = {name: _date(f"edit-{name}") for name in DATE_FIELDS}
        widgets["decision_note"] = _text("edit-decision", 2)
        self.fields.update(fields_for_model(Submission, fields=DETAIL_FIELDS, widgets=widgets))
        self.fields["protocol_version"] = forms.TypedChoiceField(
            label=_("Protocol version"),
            coerce=int,
            required=False,
            empty_value=None,
            choices=NONE + [(v.pk, v.version) for v in versions],
        )
        self.fields["parent"] = forms.TypedChoiceField(
            label=_("Under application"),
            coerce=int,
            required=False,
            empty_value=None,
            choices=NONE + [(s.pk, f"{s.number} · {s.title}") for s in parents],
        )
        self.fields["reason"] = _reason("edit-reason")


class StepForm(forms.Form):
    """One step of the submission on its actual date; a decision may carry a note, an ethics approval its
    expiry (default: from the committee's continuing-review interval)."""

    on = forms.DateField(label=_("On"), widget=_date("step-date"))
    note = forms.CharField(label=_("Note"), max_length=TEXT_MAX, required=False, widget=_text("step-note", 2))
    expires_on = forms.DateField(label=_("Approval expires on"), required=False, widget=_date("step-expires"))

    def __init__(self, *args, step: str, ethics: bool = False, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{step}_%s")
        super().__init__(*args, **kwargs)
        if step not in ("approve", "reject", "withdraw", "submit"):
            del self.fields["note"]
        if step != "approve" or not ethics:
            del self.fields["expires_on"]
        else:
            self.fields["expires_on"].help_text = _("Empty: from the committee's continuing-review interval.")


class QuestionForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=_date("question-received"))
    text = forms.CharField(label=_("Question"), max_length=8000, widget=_text("question-text"))
    response_due_on = forms.DateField(
        label=_("Answer due on"),
        required=False,
        help_text=_("Empty: from the application type's clock for answers, when it has one."),
        widget=_date("question-due"),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "question_%s")
        super().__init__(*args, **kwargs)


class AnswerForm(forms.Form):
    answered_on = forms.DateField(label=_("Answered on"), widget=_date("answer-date"))
    answer = forms.CharField(label=_("Answer"), max_length=8000, widget=_text("answer-text"))
    reason = _reason("answer-reason", required=False)

    def __init__(self, *args, prefix_id: str = "answer", **kwargs) -> None:
        kwargs.setdefault("auto_id", prefix_id + "_%s")
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _("When you correct an answer already recorded.")


class CommitmentForm(forms.Form):
    description = forms.CharField(label=_("Commitment"), max_length=TEXT_MAX, widget=_text("commitment-text", 2))
    due_on = forms.DateField(label=_("Due on"), widget=_date("commitment-due"))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "commitment_%s")
        super().__init__(*args, **kwargs)


class FulfilForm(forms.Form):
    fulfilled_on = forms.DateField(label=_("Fulfilled on"), widget=_date("fulfil-date"))
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=_text("fulfil-note", 2))

    def __init__(self, *args, prefix_id: str = "fulfil", **kwargs) -> None:
        kwargs.setdefault("auto_id", prefix_id + "_%s")
        super().__init__(*args, **kwargs)


class DocumentsForm(forms.Form):
    """The document versions the submission carries (approved or final versions of the study's documents)."""

    documents = forms.TypedMultipleChoiceField(
        label=_("Content"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs=_testid("submission-documents", size="8")),
    )
    reason = _reason("documents-reason", required=False)

    def __init__(self, *args, versions, **kwargs) -> None:
        kwargs.setdefault("auto_id", "documents_%s")
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [
            (v.pk, f"{v.document.number} v{v.version} · {v.document.title} ({v.get_status_display()})")
            for v in versions
        ]


class CalendarForm(forms.Form):
    days = forms.IntegerField(label=_("Days ahead"), min_value=1, max_value=730, required=False)


class CommitteeForm(forms.Form):
    """An ethics committee: central (the whole country) or local (the sites named)."""

    sites = forms.TypedMultipleChoiceField(
        label=_("Sites (local committee)"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs=_testid("committee-sites")),
    )

    def __init__(self, *args, countries, sites, editing: bool = False, **kwargs) -> None:
        kwargs.setdefault("auto_id", "committee_%s")
        super().__init__(*args, **kwargs)
        fields = fields_for_model(
            EthicsCommittee,
            fields=["name", "scope", "registration", "continuing_review_months", "contact"],
            widgets={"scope": forms.Select(attrs=_testid("committee-scope"))},
        )
        fields["scope"].initial = CommitteeScope.CENTRAL
        fields["country"] = forms.TypedChoiceField(
            label=_("Country"), coerce=int, choices=[(c.pk, f"{c.code} · {c.name}") for c in countries]
        )
        self.fields = {**fields, "sites": self.fields["sites"]}
        self.fields["sites"].choices = [(s.pk, f"{s.number} · {s.institution} ({s.country.code})") for s in sites]
        if editing:
            self.fields["reason"] = _reason("committee-reason")


AUTHORITY_FIELDS = ["code", "name", "country_code", "portal", "active"]
TYPE_FIELDS = ["code", "name", "category", "reference", "effective_on_submission"]
CLOCK_FIELDS = [
    "order",
    "name",
    "starts",
    "days",
    "basis",
    "stops_for_questions",
    "recurs_months",
    "effect",
    "reference",
]


class _LibraryForm(forms.Form):
    model: type
    field_names: list[str]

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        kwargs.setdefault("auto_id", "library_%s")
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(self.model, fields=self.field_names))
        self.fields["reason"] = _reason("library-reason", required=editing)


class AuthorityForm(_LibraryForm):
    model, field_names = Authority, AUTHORITY_FIELDS


class ApplicationTypeForm(_LibraryForm):
    model, field_names = ApplicationType, TYPE_FIELDS

    def __init__(self, *args, authorities, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "authority": forms.TypedChoiceField(
                label=_("Authority"), coerce=int, choices=[(a.pk, f"{a.code} · {a.name}") for a in authorities]
            ),
            **self.fields,
        }


class ClockRuleForm(_LibraryForm):
    model, field_names = ClockRule, CLOCK_FIELDS

    def __init__(self, *args, types, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "application_type": forms.TypedChoiceField(
                label=_("Application type"), coerce=int, choices=type_choices(types)
            ),
            **self.fields,
        }
