"""Informed consent: the form versions a study may use, and each participant's signed consents.

ICH E6(R3) 2.8: the form is approved by the ethics committee before use, the participant (and the
person who conducted the discussion) sign and date it, and a new approved version is signed again.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class ConsentFormStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved for use")
    SUPERSEDED = "superseded", _("Superseded")
    RETIRED = "retired", _("Retired")


class ConsentMethod(models.TextChoices):
    ELECTRONIC = "electronic", _("Electronic (eConsent)")
    PAPER = "paper", _("Paper (wet ink)")


class ConsentForm(Audited):
    """One version of an informed consent form, for a language and a scope (countries, sites; none = all)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="consent_forms")
    version = models.CharField(_("version"), max_length=40)
    language = models.CharField(_("language"), max_length=16, help_text=_("e.g. en, es, ja"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    countries = models.ManyToManyField("studies.Country", blank=True, related_name="+", verbose_name=_("countries"))
    sites = models.ManyToManyField("studies.Site", blank=True, related_name="+", verbose_name=_("sites"))
    document_name = models.CharField(_("document"), max_length=200, blank=True)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64, blank=True)
    document = models.BinaryField(_("document content"), null=True, blank=True)
    ethics_committee = models.CharField(_("ethics committee"), max_length=200, blank=True)
    ethics_approved_on = models.DateField(_("ethics approval date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ConsentFormStatus.choices, default=ConsentFormStatus.DRAFT
    )
    approved_at = models.DateTimeField(_("approved for use at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )

    audit_exclude = ("document",)
    signature_exclude = ("status", "approved_at", "approved_by", "superseded_by")

    class Meta:
        ordering = ["study", "language", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["study", "version", "language"], name="consent_form_version_unique")
        ]

    def __str__(self) -> str:
        return f"ICF {self.version} ({self.language})"

    def clean(self) -> None:
        if self.status == ConsentFormStatus.APPROVED and self.ethics_approved_on is None:
            raise ValidationError({"ethics_approved_on": _("Record the ethics committee's approval first.")})

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.study_id, None


class ConsentRecord(Audited):
    """A participant's consent to one form version: signed electronically or recorded from paper.

    Electronic: the participant types their full name (`participant_signed_at`) and the person obtaining
    consent re-authenticates (`obtained_by`, `obtained_at`). Paper: the date on the signed form and who
    recorded it. Never changed after it is written; a withdrawal is a record of its own.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="consents")
    form = models.ForeignKey(ConsentForm, on_delete=models.PROTECT, related_name="records")
    method = models.CharField(_("method"), max_length=10, choices=ConsentMethod.choices)
    participant_name = models.CharField(_("participant's name as signed"), max_length=200, blank=True)
    participant_signed_at = models.DateTimeField(_("participant signed at"), null=True, blank=True)
    paper_signed_on = models.DateField(_("date on the paper form"), null=True, blank=True)
    obtained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("obtained by"),
    )
    obtained_by_name = models.CharField(_("person obtaining consent"), max_length=255)
    obtained_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["subject", "obtained_at", "id"]

    def __str__(self) -> str:
        return f"consent {self.subject} {self.form}"

    @property
    def signed_on(self):
        """The day the participant signed: the paper form's date, or the electronic signature's day at the site
        (its calendar, as every date the consent services check)."""
        from opencro.studies.dates import site_date

        if self.method == ConsentMethod.PAPER:
            return self.paper_signed_on
        return site_date(self.site, self.participant_signed_at)
