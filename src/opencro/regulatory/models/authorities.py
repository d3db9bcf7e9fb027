"""Regulators as data: each authority, the applications it receives, and the review clocks of each, as rules a
regulatory specialist can edit (shared by every study: a CRO keeps one library)."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class Authority(Audited):
    """A medicines regulator (FDA, a member state under the EU CTR, PMDA, ...)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    country_code = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO 3166 code; empty for a regional authority (EMA)")
    )
    portal = models.CharField(_("submission portal"), max_length=100, blank=True, help_text=_("e.g. CTIS, ESG"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = _("authorities")

    def __str__(self) -> str:
        return self.code

    def audit_scope(self) -> tuple[int | None, int | None]:
        return None, None


class ApplicationCategory(models.TextChoices):
    INITIAL = "initial", _("Initial application to conduct the trial")
    AMENDMENT = "amendment", _("Amendment (substantial modification)")
    MARKETING = "marketing", _("Marketing application")
    ANNUAL_REPORT = "annual_report", _("Annual or periodic report")
    SAFETY_REPORT = "safety_report", _("Safety report")
    NOTIFICATION = "notification", _("Notification (e.g. end of trial)")


class ApplicationType(Audited):
    """An application an authority receives (IND, CTA, CTN, NDA, DSUR ...)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="application_types")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=ApplicationCategory.choices)
    reference = models.CharField(_("legal basis"), max_length=200, blank=True, help_text=_("e.g. 21 CFR 312.20"))
    effective_on_submission = models.BooleanField(
        _("in effect once submitted"),
        default=False,
        help_text=_("e.g. an IND protocol amendment (21 CFR 312.30(b)(2)): no authority decision is awaited"),
    )

    class Meta:
        ordering = ["authority__code", "code"]
        constraints = [models.UniqueConstraint(fields=["authority", "code"], name="application_type_unique")]

    def __str__(self) -> str:
        return f"{self.authority.code} {self.code}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return None, None


class ClockStart(models.TextChoices):
    SUBMITTED = "submitted", _("Submission date")
    ACKNOWLEDGED = "acknowledged", _("Receipt acknowledged")
    VALIDATED = "validated", _("Validation date")
    PREVIOUS = "previous", _("End of the previous clock")
    QUESTION = "question", _("Each question received")
    DECISION = "decision", _("Decision date (anniversary)")


class DayBasis(models.TextChoices):
    CALENDAR = "calendar", _("calendar days")
    WORKING = "working", _("working days")


class ClockEffect(models.TextChoices):
    """What happens when the clock runs out without a decision."""

    DUE = "due", _("A decision or answer is due")
    MAY_PROCEED = "may_proceed", _("The trial may proceed unless the authority objects (implied approval)")
    LAPSES = "lapses", _("The application lapses if nothing is done")


class ClockRule(Audited):
    """One review clock of an application type: how many days from which event, and what its end means."""

    application_type = models.ForeignKey(ApplicationType, on_delete=models.PROTECT, related_name="clocks")
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=100)
    starts = models.CharField(_("starts at"), max_length=12, choices=ClockStart.choices)
    days = models.PositiveIntegerField(_("days"), validators=[MinValueValidator(1)])
    basis = models.CharField(_("counted in"), max_length=8, choices=DayBasis.choices, default=DayBasis.CALENDAR)
    stops_for_questions = models.BooleanField(
        _("stops while questions are open"), default=False, help_text=_("e.g. EU CTR: the clock stops for an RFI")
    )
    recurs_months = models.PositiveIntegerField(
        _("recurs every (months)"), null=True, blank=True, help_text=_("annual reports: 12, from the anniversary")
    )
    effect = models.CharField(_("when it ends"), max_length=12, choices=ClockEffect.choices, default=ClockEffect.DUE)
    reference = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["application_type", "order", "id"]

    def __str__(self) -> str:
        return f"{self.application_type}: {self.name} ({self.days} {self.get_basis_display()})"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return None, None
