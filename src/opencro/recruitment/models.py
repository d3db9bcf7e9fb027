"""The study's recruitment plan: what the enrolment page forecasts against. Audited; written by `services`."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited
from opencro.stats.recruitment import DesignInputError, RatePrior


class RecruitmentPlan(Audited):
    """Subjects to enrol, the expected rate per site per month with its spread across sites, the last subject in."""

    study = models.OneToOneField("studies.Study", on_delete=models.CASCADE, related_name="recruitment_plan")
    target = models.PositiveIntegerField(_("subjects to enrol"), validators=[MinValueValidator(1)])
    rate_mean = models.FloatField(
        _("expected rate per site per month"), help_text=_("Subjects per site per month, across sites.")
    )
    rate_cv = models.FloatField(
        _("variation between sites (CV)"),
        help_text=_("Coefficient of variation of the site rates: 0.5 means most sites within about half to 1.5 times."),
    )
    last_in = models.DateField(_("planned last subject in"), null=True, blank=True)

    class Meta:
        verbose_name = _("recruitment plan")

    def __str__(self) -> str:
        return f"{self.study} recruitment plan"

    def clean(self) -> None:
        try:
            RatePrior.from_mean_cv(self.rate_mean, self.rate_cv)
        except DesignInputError as exc:
            field = {"mean": "rate_mean", "cv": "rate_cv"}.get(exc.parameter, "rate_mean")
            raise ValidationError({field: _("Must be a number greater than 0.")}) from exc

    @property
    def prior(self) -> RatePrior:
        """The gamma prior of a site's rate: shape 1 / cv², mean `rate_mean` (Anisimov & Fedorov 2007)."""
        return RatePrior.from_mean_cv(self.rate_mean, self.rate_cv)
