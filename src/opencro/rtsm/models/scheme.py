"""A study's randomisation scheme: method, stratification factors, and (for list schemes) the list itself.

The list (`ListSlot`) and the seed reveal treatment: only roles with `treatment.view` read them. A `Stratum`
row per stratum holds the position of its next free slot; the allocation service locks that row, so two
coordinators randomising in one stratum at the same moment are serialised and take consecutive slots.
Minimisation and the biased coin lock the scheme row instead (each allocation depends on all earlier ones).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, ProhibitNullCharactersValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class SchemeMethod(models.TextChoices):
    BLOCK_LIST = "block_list", _("Permuted blocks (pre-generated list)")
    MINIMISATION = "minimisation", _("Pocock-Simon minimisation")
    BIASED_COIN = "biased_coin", _("Efron's biased coin")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class ImbalanceMeasure(models.TextChoices):
    RANGE = "range", _("Range")
    VARIANCE = "variance", _("Variance")
    SD = "sd", _("Standard deviation")


class RandomisationScheme(Audited):
    """How a study randomises; one per study. Settings are frozen once the scheme is active."""

    study = models.OneToOneField("studies.Study", on_delete=models.PROTECT, related_name="randomisation_scheme")
    method = models.CharField(_("method"), max_length=14, choices=SchemeMethod.choices)
    status = models.CharField(_("status"), max_length=8, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    blinded = models.BooleanField(_("blinded"), default=True)
    block_sizes = models.JSONField(_("block sizes"), default=list, blank=True)
    seed = models.CharField(_("seed"), max_length=40, blank=True)  # up to 128 bits, in decimal
    imbalance = models.CharField(
        _("imbalance measure"), max_length=8, choices=ImbalanceMeasure.choices, default=ImbalanceMeasure.RANGE
    )
    p_best = models.FloatField(
        _("probability of the preferred arm"),
        default=0.8,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    number_prefix = models.CharField(
        _("randomisation number prefix"), max_length=8, default="R", validators=[ProhibitNullCharactersValidator()]
    )
    require_eligibility = models.BooleanField(_("eligibility confirmation required"), default=True)
    require_consent = models.BooleanField(_("consent date required"), default=True)
    list_sha256 = models.CharField(_("list SHA-256"), max_length=64, blank=True)
    list_source = models.CharField(_("list source"), max_length=200, blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    # The seed, block sizes and list hash are audited but hidden from blinded readers of the trail
    # (audit.selectors.BLINDED_FIELDS).

    def __str__(self) -> str:
        return f"{self.study} {self.get_method_display()}"

    def clean(self) -> None:
        if self.method == SchemeMethod.BIASED_COIN and self.p_best <= 0.5:
            raise ValidationError({"p_best": _("Efron's coin needs a probability above 0.5.")})


class FactorSource(models.TextChoices):
    SITE = "site", _("Site")
    COUNTRY = "country", _("Country")
    SEX = "sex", _("Sex")
    ENTERED = "entered", _("Entered at randomisation")
    ITEM = "item", _("eCRF item (banded)")


class StratificationFactor(Audited):
    """One factor: where its level comes from, its levels, and (for minimisation) its weight.

    `levels` lists the level codes. For an `item` factor, `item_oid` names the eCRF item and `bands` maps a
    numeric value to a level: ``[[level, lower or null, upper or null], ...]`` (lower inclusive, upper
    exclusive); a coded item uses its codes as levels and leaves `bands` empty. Site and country factors take
    their levels from the study's sites or countries when `levels` is empty.
    """

    scheme = models.ForeignKey(RandomisationScheme, on_delete=models.CASCADE, related_name="factors")
    name = models.CharField(_("name"), max_length=40, validators=[ProhibitNullCharactersValidator()])
    label = models.CharField(_("label"), max_length=200, blank=True, validators=[ProhibitNullCharactersValidator()])
    source = models.CharField(_("source"), max_length=8, choices=FactorSource.choices)
    levels = models.JSONField(_("levels"), default=list, blank=True)
    item_oid = models.CharField(_("item OID"), max_length=100, blank=True)
    bands = models.JSONField(_("bands"), default=list, blank=True)
    weight = models.FloatField(_("weight"), default=1.0, validators=[MinValueValidator(0.0)])
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["scheme", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "name"], name="factor_name_unique_per_scheme")]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.scheme.study_id, None


class Stratum(models.Model):
    """One stratum of a scheme (levels joined by '|'); its row lock serialises allocations in it."""

    scheme = models.ForeignKey(RandomisationScheme, on_delete=models.CASCADE, related_name="strata")
    label = models.CharField(_("stratum"), max_length=400)
    levels = models.JSONField(_("levels"), default=dict)
    next_position = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["scheme", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "label"], name="stratum_label_unique_per_scheme")]

    def __str__(self) -> str:
        return self.label


class ListSlot(models.Model):
    """One row of a pre-generated list; `position` counts slots within the stratum from 1."""

    scheme = models.ForeignKey(RandomisationScheme, on_delete=models.CASCADE, related_name="slots")
    stratum = models.ForeignKey(Stratum, on_delete=models.PROTECT, related_name="slots")
    position = models.PositiveIntegerField()
    block = models.PositiveIntegerField()
    block_size = models.PositiveIntegerField()
    arm = models.ForeignKey("studies.Arm", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("randomisation number"), max_length=20)

    class Meta:
        ordering = ["stratum", "position"]
        constraints = [
            models.UniqueConstraint(fields=["stratum", "position"], name="slot_position_unique_per_stratum"),
            models.UniqueConstraint(fields=["scheme", "number"], name="slot_number_unique_per_scheme"),
        ]

    def __str__(self) -> str:
        return self.number
