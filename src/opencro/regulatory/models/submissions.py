"""Submissions to authorities and ethics committees, with their content, the questions they draw and the
commitments made; the approvals among them gate site activation and say which protocol version a site may use."""

from itertools import pairwise

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class EthicsKind(models.TextChoices):
    INITIAL = "initial", _("Initial review")
    AMENDMENT = "amendment", _("Protocol amendment")
    CONSENT_FORM = "consent_form", _("Consent form revision")
    INVESTIGATOR_BROCHURE = "investigator_brochure", _("Investigator's brochure update")
    SAFETY_REPORT = "safety_report", _("Safety report")
    CONTINUING_REVIEW = "continuing_review", _("Continuing review")
    FINAL_REPORT = "final_report", _("Final report")


class SubmissionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


CLOSED_STATUSES = (SubmissionStatus.APPROVED, SubmissionStatus.REJECTED, SubmissionStatus.WITHDRAWN)


class Submission(Audited):
    """A submission to an authority (of an application type) or to an ethics committee (of a kind)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="submissions")
    number = models.CharField(_("number"), max_length=20)
    authority = models.ForeignKey(
        "regulatory.Authority", on_delete=models.PROTECT, null=True, blank=True, related_name="submissions"
    )
    application_type = models.ForeignKey(
        "regulatory.ApplicationType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("application type"),
    )
    committee = models.ForeignKey(
        "regulatory.EthicsCommittee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("ethics committee"),
    )
    ethics_kind = models.CharField(_("ethics submission"), max_length=24, choices=EthicsKind.choices, blank=True)
    country = models.ForeignKey("studies.Country", on_delete=models.PROTECT, related_name="submissions")
    protocol_version = models.ForeignKey(
        "studies.ProtocolVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("protocol version"),
        help_text=_("The protocol or amendment this submission seeks approval of"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ons",
        verbose_name=_("under application"),
        help_text=_("The initial application an amendment or report belongs to"),
    )
    title = models.CharField(_("title"), max_length=300)
    product = models.CharField(_("product"), max_length=200, blank=True)
    reference = models.CharField(
        _("authority's reference"), max_length=60, blank=True, help_text=_("e.g. IND 123456, EU CT number, CTN number")
    )
    sequence = models.CharField(_("eCTD sequence"), max_length=4, blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=SubmissionStatus.choices, default=SubmissionStatus.PLANNED
    )
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    acknowledged_on = models.DateField(_("receipt acknowledged on"), null=True, blank=True)
    validated_on = models.DateField(_("validated on"), null=True, blank=True)
    decided_on = models.DateField(_("decision on"), null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True, max_length=4000)
    expires_on = models.DateField(_("approval expires on"), null=True, blank=True)
    documents = models.ManyToManyField(
        "documents.DocumentVersion", blank=True, related_name="submissions", verbose_name=_("content")
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["study", "number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="submission_number_unique"),
            models.CheckConstraint(
                condition=models.Q(authority__isnull=False, application_type__isnull=False, committee__isnull=True)
                | models.Q(authority__isnull=True, application_type__isnull=True, committee__isnull=False),
                name="submission_to_authority_or_committee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def recipient(self) -> str:
        return str(self.authority or self.committee)

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    def clean(self) -> None:
        errors = {}
        if self.application_type_id and self.authority_id and self.application_type.authority_id != self.authority_id:
            errors["application_type"] = _("The application type belongs to another authority.")
        if self.committee_id and not self.ethics_kind:
            errors["ethics_kind"] = _("Say what is submitted to the ethics committee.")
        if self.committee_id and self.country_id and self.committee.country_id != self.country_id:
            errors["country"] = _("The committee reviews for another country.")
        if self.country_id and self.study_id and self.country.study_id != self.study_id:
            errors["country"] = _("The country belongs to another study.")
        if self.protocol_version_id and self.study_id and self.protocol_version.study_id != self.study_id:
            errors["protocol_version"] = _("The protocol version belongs to another study.")
        order = [
            ("submitted_on", self.submitted_on),
            ("acknowledged_on", self.acknowledged_on),
            ("validated_on", self.validated_on),
            ("decided_on", self.decided_on),
        ]
        dated = [(name, day) for name, day in order if day is not None]
        for (_earlier, before), (later, after) in pairwise(dated):
            if after < before:
                errors.setdefault(later, _("This date is before an earlier step of the submission."))
        if self.expires_on and self.decided_on and self.expires_on <= self.decided_on:
            errors["expires_on"] = _("An approval expires after the day it is given.")
        if errors:
            raise ValidationError(errors)


class Question(Audited):
    """A question (request for information) from the authority or committee, and the sponsor's answer."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="questions")
    number = models.PositiveIntegerField(_("number"))
    received_on = models.DateField(_("received on"))
    text = models.TextField(_("question"), max_length=8000)
    response_due_on = models.DateField(_("answer due on"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True, max_length=8000)

    class Meta:
        ordering = ["submission", "number"]
        constraints = [models.UniqueConstraint(fields=["submission", "number"], name="question_number_unique")]

    def __str__(self) -> str:
        return f"{self.submission.number} Q{self.number}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.submission.study_id, None

    def clean(self) -> None:
        if self.answered_on and self.received_on and self.answered_on < self.received_on:
            raise ValidationError({"answered_on": _("A question is answered on or after the day it is received.")})


class Commitment(Audited):
    """Something promised to the authority or committee (a further study, a report), due by a date."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="commitments")
    description = models.TextField(_("commitment"), max_length=4000)
    due_on = models.DateField(_("due on"))
    fulfilled_on = models.DateField(_("fulfilled on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        ordering = ["submission", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.submission.number}: {self.description[:60]}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.submission.study_id, None
