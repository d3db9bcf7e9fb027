"""Risk assessment (TransCelerate RACT) and quality tolerance limits (ICH E6(R3) 3.10, ICH E8(R1)).

A risk assessment is versioned: a draft is edited, then approved with an e-signature, and stays as approved; the
next version starts as a copy. Each risk is scored impact x likelihood x detectability, each on the RACT scale 1-3
(TransCelerate Risk Assessment and Categorization Tool, 2013), so 1-27; it names its mitigation and the KRIs and QTLs
that watch it.

A quality tolerance limit is a study-level parameter (a proportion of participants, or an event rate per
participant-year) with a limit. Each evaluation estimates it with a 95% confidence interval (Clopper-Pearson for a
proportion, exact Poisson for a rate) and flags a *signal* when the estimate crosses the limit and a *breach* when the
whole interval lies beyond it. A breach needs a documented action and is listed for the clinical study report
(ICH E3 section 9.6 as revised by ICH E6(R3): "quality tolerance limit deviations and remedial actions").
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class RiskCategory(models.TextChoices):
    SAFETY = "safety", _("Participant safety")
    POPULATION = "population", _("Study population")
    COMPLEXITY = "complexity", _("Protocol design and complexity")
    ENDPOINTS = "endpoints", _("Critical data and endpoints")
    PRODUCT = "product", _("Investigational product")
    BLINDING = "blinding", _("Randomisation and blinding")
    SITES = "sites", _("Sites and investigators")
    TECHNOLOGY = "technology", _("Technology and data collection")
    OPERATIONS = "operations", _("Operations and logistics")
    REGULATORY = "regulatory", _("Regulatory and ethics")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


class RiskAssessment(Audited):
    """One version of a study's risk assessment; `content_digest` binds the approval signature to its risks."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=AssessmentStatus.choices, default="draft")
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    content_digest = models.CharField(max_length=64, blank=True)
    signature_exclude = ("status",)

    class Meta:
        ordering = ["study", "-version"]
        constraints = [models.UniqueConstraint(fields=["study", "version"], name="riskassessment_version_unique")]

    def __str__(self) -> str:
        return f"RA v{self.version}"


class Risk(Audited):
    """One risk of an assessment with its RACT scores, mitigation and the indicators that watch it."""

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="risks")
    number = models.CharField(_("number"), max_length=12)
    category = models.CharField(_("category"), max_length=12, choices=RiskCategory.choices)
    description = models.TextField(_("risk"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    likelihood = models.PositiveSmallIntegerField(_("likelihood"))
    detectability = models.PositiveSmallIntegerField(_("detectability"))
    mitigation = models.TextField(_("mitigation"), blank=True)
    kri_codes = models.JSONField(_("KRIs"), default=list, blank=True)
    qtl_codes = models.JSONField(_("QTLs"), default=list, blank=True)

    class Meta:
        ordering = ["assessment", "number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="risk_number_unique")]

    def __str__(self) -> str:
        return self.number

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.assessment.study_id, None

    @property
    def score(self) -> int:
        return self.impact * self.likelihood * self.detectability


class QtlParameter(models.TextChoices):
    """The study-level parameters a QTL can watch; each knows its numerator, denominator and distribution."""

    IMPORTANT_DEVIATION = "important_deviation", _("Participants with an important protocol deviation")
    STUDY_DISCONTINUATION = "study_discontinuation", _("Participants who discontinued the study")
    TREATMENT_DISCONTINUATION = "treatment_discontinuation", _("Participants who discontinued treatment")
    INELIGIBLE_RANDOMISED = "ineligible_randomised", _("Participants randomised without meeting eligibility")
    CONSENT_DEVIATION = "consent_deviation", _("Participants with an informed consent deviation")
    SAE_RATE = "sae_rate", _("Serious adverse events per participant-year")
    MISSED_VISITS = "missed_visits", _("Scheduled visits missed")


class QtlDistribution(models.TextChoices):
    BINOMIAL = "binomial", _("Proportion (binomial, Clopper-Pearson)")
    POISSON = "poisson", _("Rate (Poisson, exact)")


class QualityToleranceLimit(Audited):
    """A study-level limit on one parameter: breached when the whole 95% interval lies beyond `limit`."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=20)
    parameter = models.CharField(_("parameter"), max_length=30, choices=QtlParameter.choices)
    limit = models.FloatField(_("limit"))
    # "upper": too many is the risk (deviations, discontinuations); "lower": too few (rarely used)
    direction = models.CharField(_("direction"), max_length=5, default="upper")
    rationale = models.TextField(_("rationale"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["study", "code"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="qtl_code_unique")]

    def __str__(self) -> str:
        return self.code


class QtlStatus(models.TextChoices):
    WITHIN = "within", _("Within the limit")
    SIGNAL = "signal", _("Estimate beyond the limit")
    BREACH = "breach", _("Breached: the whole interval (95%) is beyond the limit")


class QtlEvaluation(models.Model):
    """One evaluation of a QTL at a data cut (written by `qtl_evaluate`, never edited)."""

    qtl = models.ForeignKey(QualityToleranceLimit, on_delete=models.CASCADE, related_name="evaluations")
    evaluated_at = models.DateTimeField(_("evaluated at"))
    cut_on = models.DateField(_("data cut"))
    numerator = models.FloatField(_("numerator"))
    denominator = models.FloatField(_("denominator"))
    estimate = models.FloatField(_("estimate"), null=True)
    lower = models.FloatField(_("95% CI lower"), null=True)
    upper = models.FloatField(_("95% CI upper"), null=True)
    status = models.CharField(_("status"), max_length=8, choices=QtlStatus.choices)

    class Meta:
        ordering = ["qtl", "-cut_on", "-id"]
        indexes = [models.Index(fields=["qtl", "cut_on"], name="qtleval_qtl_cut")]

    def __str__(self) -> str:
        return f"{self.qtl_id} {self.cut_on}"


class QtlBreach(Audited):
    """A QTL crossed (signal or breach) from the first evaluation that found it until one back within the limit.

    It needs a documented cause and action and is listed for the clinical study report.
    """

    qtl = models.ForeignKey(QualityToleranceLimit, on_delete=models.PROTECT, related_name="breaches")
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    first_evaluation = models.ForeignKey(QtlEvaluation, on_delete=models.PROTECT, related_name="+")
    last_evaluation = models.ForeignKey(QtlEvaluation, on_delete=models.PROTECT, related_name="+")
    worst_status = models.CharField(_("worst status"), max_length=8, choices=QtlStatus.choices)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)  # first cut back within the limit
    cause = models.TextField(_("cause"), blank=True)
    action = models.TextField(_("action taken"), blank=True)
    actioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actioned_at = models.DateTimeField(_("actioned at"), null=True, blank=True)

    class Meta:
        ordering = ["study", "-id"]

    def __str__(self) -> str:
        return f"{self.qtl.code} breach"
