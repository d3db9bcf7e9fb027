"""Key risk indicators as data, and their snapshots per data cut.

A KRI names a numerator and a denominator from the catalogue of per-participant measures
(`opencro.monitoring.kri_measures`: adverse events, days on study, queries, data points...), a method and type
(`opencro.stats.monitoring`, after gsm's metric workflow files), thresholds and a minimum denominator. A snapshot
computes every active KRI at site and country level at one data cut and keeps one row per KRI and group, so flags can
be followed over time: newly flagged, and for how many cuts a flag has lasted.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class KriMethod(models.TextChoices):
    NORMAL = "normal", _("Normal approximation with over-dispersion")
    POISSON = "poisson", _("Poisson")
    FISHER = "fisher", _("Fisher exact")
    IDENTITY = "identity", _("Identity")


class KriType(models.TextChoices):
    BINARY = "binary", _("Proportion")
    RATE = "rate", _("Rate")


class KriLevel(models.TextChoices):
    SITE = "site", _("Site")
    COUNTRY = "country", _("Country")


class KriDefinition(Audited):
    """One KRI of a study; `code` is stable across snapshots (e.g. kri0001, as in gsm)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    abbreviation = models.CharField(_("abbreviation"), max_length=12)
    numerator = models.CharField(_("numerator"), max_length=40)
    denominator = models.CharField(_("denominator"), max_length=40)
    method = models.CharField(_("method"), max_length=10, choices=KriMethod.choices, default=KriMethod.NORMAL)
    kind = models.CharField(_("type"), max_length=8, choices=KriType.choices)
    thresholds = models.JSONField(_("thresholds"))  # ascending, e.g. [-3, -2, 2, 3]
    min_denominator = models.FloatField(_("minimum denominator"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["study", "code"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="kri_code_unique")]

    def __str__(self) -> str:
        return self.code


class KriSnapshot(models.Model):
    """All active KRIs of a study computed at one data cut."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    cut_on = models.DateField(_("data cut"))
    created_at = models.DateTimeField(_("computed at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    n_subjects = models.PositiveIntegerField(_("participants"), default=0)
    # the definitions as computed (code -> fields), so a later edit of a KRI does not rewrite history
    definitions = models.JSONField(default=dict)

    class Meta:
        ordering = ["study", "-cut_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["study", "cut_on"], name="krisnapshot_cut_unique")]

    def __str__(self) -> str:
        return f"KRI {self.cut_on}"


class KriResult(models.Model):
    """One KRI for one site or country at one snapshot (`flag` None: no score, e.g. under the minimum denominator)."""

    snapshot = models.ForeignKey(KriSnapshot, on_delete=models.CASCADE, related_name="results")
    kri_code = models.CharField(max_length=20)
    level = models.CharField(max_length=8, choices=KriLevel.choices)
    group = models.CharField(max_length=40)  # the site number, or the country code
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    n_subjects = models.PositiveIntegerField(default=0)
    numerator = models.FloatField()
    denominator = models.FloatField()
    metric = models.FloatField(null=True)
    score = models.FloatField(null=True)
    flag = models.SmallIntegerField(null=True)

    class Meta:
        ordering = ["snapshot", "kri_code", "level", "group"]
        indexes = [models.Index(fields=["kri_code", "level", "group"], name="kriresult_kri_group")]

    def __str__(self) -> str:
        return f"{self.kri_code} {self.group}"
