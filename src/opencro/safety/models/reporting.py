"""Expedited reporting: the regulators' rule sets (as data), which apply to a study, and what was submitted."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class ReportingRuleSet(Audited):
    """A regulator's (or an ethics committee's, or the investigators') reporting rules, as a JSON document.

    `document` is the rule set in the format of `safety.rulesets`; it is parsed and checked on every save. The
    built-in sets (`study` empty, read-only) come from `safety/default_rulesets/`; a study's safety team adds its
    own (another regulator, an ethics committee's local rules).
    """

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    document = models.JSONField(_("rules"))

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["study", "code"], name="safety_rule_set_code_per_study"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(study__isnull=True), name="safety_rule_set_builtin_code"
            ),
        ]

    @property
    def built_in(self) -> bool:
        return self.study_id is None

    def __str__(self) -> str:
        return self.name


class StudyRuleSet(Audited):
    """A rule set that applies to a study (the engine still filters by the countries the rule set covers)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    rule_set = models.ForeignKey(ReportingRuleSet, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["study", "rule_set"], name="safety_study_rule_set_unique")]

    def __str__(self) -> str:
        return self.rule_set.code


class SubmissionFormat(models.TextChoices):
    E2B = "e2b", _("E2B(R3) ICSR")
    CIOMS = "cioms", _("CIOMS I form")
    OTHER = "other", _("Other (letter, portal)")


class AckCode(models.TextChoices):
    ACCEPTED = "CA", _("Accepted (CA)")
    REJECTED = "CR", _("Rejected (CR)")


class CaseSubmission(Audited):
    """A report sent to a recipient for a case version: what, when, how, and the recipient's acknowledgement."""

    version = models.ForeignKey("safety.CaseVersion", on_delete=models.PROTECT, related_name="submissions")
    rule_set = models.CharField(_("rule set"), max_length=40)
    rule = models.CharField(_("rule"), max_length=60)
    recipient = models.CharField(_("recipient"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12)
    due_on = models.DateField(_("due"))
    submitted_on = models.DateField(_("submitted on"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    fmt = models.CharField(_("format"), max_length=8, choices=SubmissionFormat.choices)
    message_id = models.CharField(_("message id"), max_length=100, blank=True)
    payload = models.TextField(_("file sent"), blank=True)
    ack_batch_code = models.CharField(_("batch acknowledgement"), max_length=2, blank=True)  # AA, AE, AR
    ack_code = models.CharField(_("case acknowledgement"), max_length=2, choices=AckCode.choices, blank=True)
    ack_received_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    ack_text = models.TextField(_("acknowledgement messages"), blank=True, max_length=20000)

    class Meta:
        ordering = ["version", "submitted_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "rule_set", "rule", "recipient", "kind"], name="safety_submission_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} → {self.recipient} ({self.kind})"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.version.case.study_id, self.version.case.site_id
