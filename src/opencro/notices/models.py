"""A notification to one user: what happened, where to look, and whether they have read it.

Notices copy what a regulated record already holds (an emergency unblinding, for instance); they are
not themselves part of the audit trail. Their text never names a treatment: a notice reaches its
reader by e-mail too, outside any access check.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, null=True, blank=True, related_name="notices")
    kind = models.CharField(_("kind"), max_length=40, help_text=_("What happened, as a dotted code."))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
