"""The signal workspace: runs of disproportionality analysis, the signals they raise, and how each was decided.

A run (`SignalRun`) analyses one report database (an uploaded table, FAERS extracts or the study's own cases) as a
background job and screens its product-event pairs against thresholds; every pair that passes is evidence
(`SignalEvidence`) for the study's `Signal` of that product and event, created at its first detection. A signal
then moves through validation and assessment to a decision (CIOMS Working Group VIII, 2010; EMA GVP Module IX),
each step recorded with its rationale (`SignalStep`) and on the audit trail.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class SignalSource(models.TextChoices):
    TABLE = "table", _("Report table (CSV or Parquet)")
    FAERS = "faers", _("FDA FAERS quarterly extract")
    CASES = "cases", _("This study's safety database")


class SignalRun(Audited):
    """One analysis of a report database: what was read, with which settings and thresholds, and what it found."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    job = models.OneToOneField("jobs.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source = models.CharField(_("source"), max_length=8, choices=SignalSource.choices)
    source_name = models.CharField(_("file"), max_length=250, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)  # columns, strata, roles, min_count
    thresholds = models.JSONField(_("thresholds"), default=dict, blank=True)
    products = models.JSONField(_("products of interest"), default=list, blank=True)  # empty: every product
    reports = models.PositiveIntegerField(_("reports"), null=True, blank=True)
    pairs = models.PositiveIntegerField(_("product-event pairs"), null=True, blank=True)
    candidates = models.PositiveIntegerField(_("candidates"), null=True, blank=True)
    prior = models.JSONField(_("fitted prior"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["study", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"signal run {self.pk} ({self.source_name or self.get_source_display()})"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.study_id, None


class SignalStatus(models.TextChoices):
    NEW = "new", _("New (not yet reviewed)")
    REVIEW = "review", _("Under validation")
    NOT_VALIDATED = "not_validated", _("Not validated")
    VALIDATED = "validated", _("Validated (under assessment)")
    CLOSED = "closed", _("Closed (decided)")


class SignalDecision(models.TextChoices):
    REFUTED = "refuted", _("Refuted: not a risk")
    MONITOR = "monitor", _("Continue monitoring")
    RSI_UPDATE = "rsi_update", _("New risk: update the reference safety information")
    ACTION = "action", _("New risk: other action (protocol, consent, regulators, DSMB)")


class SignalPriority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Signal(Audited):
    """A product-event pair of the study that a run found disproportionate, and where its review stands."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    product = models.CharField(_("product"), max_length=250)
    event = models.CharField(_("event"), max_length=250)
    status = models.CharField(_("status"), max_length=16, choices=SignalStatus.choices, default=SignalStatus.NEW)
    decision = models.CharField(_("decision"), max_length=12, choices=SignalDecision.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=8, choices=SignalPriority.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    detected_on = models.DateField(_("first detected"))
    validated_on = models.DateField(_("validated on"), null=True, blank=True)
    due_on = models.DateField(_("assessment due"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    first_run = models.ForeignKey(SignalRun, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["study", "product", "event"]
        constraints = [
            models.UniqueConstraint(fields=["study", "product", "event"], name="safety_signal_pair_unique"),
        ]
        indexes = [models.Index(fields=["study", "status"])]

    def __str__(self) -> str:
        return f"{self.product} / {self.event}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.study_id, None


class SignalEvidence(models.Model):
    """The measures of a signal's pair in one run (written once, by the run; non-finite values as None)."""

    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="evidence")
    run = models.ForeignKey(SignalRun, on_delete=models.PROTECT, related_name="evidence")
    n = models.PositiveIntegerField()
    expected = models.FloatField(null=True)
    prr = models.FloatField(null=True)
    prr_lower = models.FloatField(null=True)
    prr_upper = models.FloatField(null=True)
    chi2 = models.FloatField(null=True)
    ror = models.FloatField(null=True)
    ror_lower = models.FloatField(null=True)
    ror_upper = models.FloatField(null=True)
    ic = models.FloatField(null=True)
    ic025 = models.FloatField(null=True)
    ebgm = models.FloatField(null=True)
    eb05 = models.FloatField(null=True)
    eb95 = models.FloatField(null=True)
    criteria = models.JSONField(default=list)  # the threshold criteria the pair met, e.g. ["eb05", "prr"]

    class Meta:
        ordering = ["signal", "-run__created_at", "-run_id"]
        constraints = [models.UniqueConstraint(fields=["signal", "run"], name="safety_signal_evidence_unique")]

    def __str__(self) -> str:
        return f"{self.signal} in run {self.run_id}: n={self.n}"


class SignalStep(Audited):
    """One step of a signal's review: the move made, the rationale, who made it and when (signed decisions are
    signed on the step, whose content never changes)."""

    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="steps")
    from_status = models.CharField(max_length=16, choices=SignalStatus.choices)
    to_status = models.CharField(max_length=16, choices=SignalStatus.choices)
    decision = models.CharField(max_length=12, choices=SignalDecision.choices, blank=True)
    rationale = models.TextField(_("rationale"), max_length=20000)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    signed = models.BooleanField(default=False)

    class Meta:
        ordering = ["signal", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.signal}: {self.from_status} → {self.to_status}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.signal.study_id, None
