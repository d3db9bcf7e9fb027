"""Files uploaded into file items (an ECG tracing, a scan): kept in the database, never changed or deleted."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class ItemFile(Audited):
    """One uploaded file of one item of one form instance.

    The item's value names the file (`label`); uploading another file makes a new row and changes
    the value (audited, with a reason), so every version stays readable. Content lives in the
    database so a save and its file commit or roll back together.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    form = models.ForeignKey("edc.FormData", on_delete=models.PROTECT, related_name="files")
    item_def = models.ForeignKey("edc.ItemDef", on_delete=models.PROTECT, related_name="+")
    group_repeat = models.PositiveIntegerField(_("group row"), default=1)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(_("content"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    audit_exclude = ("content",)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["form", "item_def", "group_repeat"], name="itemfile_item")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The item's value: the name and the start of the digest, unique for a different file."""
        return file_label(self.name, self.sha256)


def file_label(name: str, sha256: str) -> str:
    return f"{name} [sha256:{sha256[:12]}]"
