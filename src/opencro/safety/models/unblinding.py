"""The sponsor's safety team breaking the blind of one case's subject to decide on expedited reporting.

ICH E2A III.C.3 (blinded therapy): for a serious unexpected adverse reaction the sponsor breaks the blind for that
patient only, keeping the result from those who run and analyse the study. The record holds no arm: the treatment
is read from `subjects.TreatmentAssignment`, and only by holders of `safety.unblind`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class CaseUnblinding(Audited):
    """Who broke the blind of a case's subject for expedited reporting, when and why (signed; permanent)."""

    case = models.OneToOneField("safety.SafetyCase", on_delete=models.PROTECT, related_name="unblinding")
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), max_length=2000)
    unblinded_at = models.DateTimeField(_("unblinded at"))

    def __str__(self) -> str:
        return f"{self.case} unblinded for reporting"
