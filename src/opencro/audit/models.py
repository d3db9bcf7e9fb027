"""Audit records and the mixin that makes a model audited."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    SIGN = "sign", _("Signature applied")
    SIGNATURE_BROKEN = "signature_broken", _("Signature broken")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCK = "lock", _("Account locked")
    UNLOCK = "unlock", _("Account unlocked")
    GRANT = "grant", _("Access granted")
    REVOKE = "revoke", _("Access revoked")
    TOKEN = "token", _("API token event")
    IMPORT = "import", _("Import")
    UNBLIND = "unblind", _("Emergency unblinding")


class Audited(models.Model):
    """Inherit this to make a model audited: `audit.services.audited_save` does the rest.

    Subclasses may override `audit_scope` (the study and site the record belongs to) and list
    fields to leave out of the trail in `audit_exclude`.
    """

    audit_exclude: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def audit_scope(self) -> tuple[int | None, int | None]:
        """Return (study_id, site_id) for the audit record; by default read from the fields."""
        return getattr(self, "study_id", None), getattr(self, "site_id", None)


class AuditRecord(models.Model):
    """One field-level change, or one event, in the append-only trail.

    `hash` is SHA-256 over this record's content and `prev_hash`; `opencro audit verify`
    recomputes the chain. Study and site are plain integers, not foreign keys, so deleting a
    study can never cascade into its trail. Indexes are few on purpose: an import appends a
    million records.
    """

    timestamp = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100)  # searched through the (type, id, id) index below
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=255, blank=True)
    study_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    site_id = models.BigIntegerField(null=True, blank=True)  # always filtered with study_id
    field = models.CharField(max_length=100, blank=True)
    old_value = models.TextField(null=True, blank=True)
    new_value = models.TextField(null=True, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)  # the chain, not an index, proves it: see `audit verify`

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id} {self.field}"


class AuditHead(models.Model):
    """The single row naming the newest record: the lock appenders take, and truncation's witness."""

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit head #{self.last_id}"
