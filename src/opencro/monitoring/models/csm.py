"""Central statistical monitoring runs: the site ranking of one run over the study's numeric data.

The statistics are `opencro.stats.csm` (Venet et al. 2012; Kirkwood et al. 2013); a run keeps its ranking (site,
score, the tests that drove it) so that a monitor can compare runs and open an issue from a site's finding.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CsmRun(models.Model):
    """One central monitoring run of a study at a data cut."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    cut_on = models.DateField(_("data cut"))
    created_at = models.DateTimeField(_("computed at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    n_subjects = models.PositiveIntegerField(_("participants"), default=0)
    n_variables = models.PositiveIntegerField(_("variables"), default=0)
    fdr = models.FloatField(_("false discovery rate"), default=0.05)
    # [{"site_id", "site", "score", "rank", "n_tests", "n_significant", "top": [{test, variable, p, q, direction}]}]
    ranking = models.JSONField(default=list)

    class Meta:
        ordering = ["study", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"CSM {self.cut_on}"
