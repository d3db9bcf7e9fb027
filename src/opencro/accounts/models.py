"""Users, the organisations they work for, study roles, memberships (optionally restricted to sites), API tokens,
signatures."""

import functools
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from opencro.accounts.permissions import ORG_ROLES, OrgRole, Perm, RoleCode
from opencro.audit.models import Audited


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())  # scans the tz database: do it once


def validate_time_zone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(_("%(zone)s is not an IANA time zone."), params={"zone": value})


class User(Audited, AbstractUser):
    """A person who signs in. System administrators are superusers; all else is per study."""

    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)
    failed_logins = models.PositiveIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)

    audit_exclude = ("password", "last_login")

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def printed_name(self) -> str:
        return self.get_full_name() or self.get_username()

    def audit_scope(self) -> tuple[int | None, int | None]:
        return None, None


class OrganisationKind(models.TextChoices):
    SPONSOR = "sponsor", _("Sponsor")
    CRO = "cro", _("Contract research organisation")


class Organisation(Audited):
    """A sponsor or a CRO: the tenant its members work for. A sponsor's members reach only its own studies; a CRO's,
    only the studies it is contracted on (see `accounts.tenancy`)."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=OrganisationKind.choices)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2 code"))
    address = models.TextField(_("address"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[int | None, int | None]:
        return None, None


class OrganisationMember(Audited):
    """A person's place in the one organisation they work for, with an organisation role (`ORG_ROLES`)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_membership"
    )
    role = models.CharField(_("role"), max_length=12, choices=OrgRole.choices)
    is_active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} at {self.organisation}"

    @property
    def permissions(self) -> frozenset[str]:
        return ORG_ROLES.get(self.role, frozenset())

    def audit_scope(self) -> tuple[int | None, int | None]:
        return None, None


class Role(Audited):
    """A named set of permissions on one study (seeded from the defaults, editable per study)."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="roles")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    permissions = models.JSONField(default=list)

    class Meta:
        ordering = ["study", "name"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="role_code_unique_per_study")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = sorted(set(self.permissions) - set(Perm.values))
        if unknown:
            raise ValidationError({"permissions": _("Unknown permissions: %s") % ", ".join(unknown)})

    @property
    def label(self) -> str:
        """The name to show: a default role left unrenamed shows in the viewer's language."""
        if self.code not in RoleCode.values:
            return self.name
        default = RoleCode(self.code).label
        with translation.override("en"):
            unrenamed = self.name == str(default)
        return str(default) if unrenamed else self.name

    @property
    def is_blinded(self) -> bool:
        return Perm.TREATMENT_VIEW not in self.permissions


class Membership(Audited):
    """A user's role on a study; with sites listed, the user sees only those sites' data."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="memberships")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")
    sites = models.ManyToManyField("studies.Site", blank=True, related_name="memberships")
    is_active = models.BooleanField(default=True)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["study", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "study"], name="one_membership_per_study")]

    def __str__(self) -> str:
        return f"{self.user} - {self.role} on {self.study}"

    def clean(self) -> None:
        if self.role_id and self.study_id and self.role.study_id != self.study_id:
            raise ValidationError({"role": _("The role belongs to another study.")})

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.study_id, None


class ApiToken(models.Model):
    """A bearer token for the API; only a SHA-256 of the secret is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class SignatureMeaning(models.TextChoices):
    APPROVE = "approve", _("I approve")
    AUTHOR = "author", _("I am the author")
    REVIEW = "review", _("I have reviewed")
    VERIFY = "verify", _("I have verified against source")
    UNBLIND = "unblind", _("I break the blind for this subject in an emergency")
    UNBLIND_CASE = "unblind_case", _("I break the blind of this case to decide on expedited reporting")


class Signature(models.Model):
    """An e-signature (21 CFR 11.50, 11.70): who, when, what it means, bound to a content hash."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    study_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures")
    printed_name = models.CharField(max_length=255)
    meaning = models.CharField(max_length=20, choices=SignatureMeaning.choices)
    signed_at = models.DateTimeField()
    content_hash = models.CharField(max_length=64)
    broken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["signed_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.printed_name}: {self.get_meaning_display()} ({self.signed_at:%Y-%m-%d %H:%M} UTC)"

    @property
    def is_broken(self) -> bool:
        return self.broken_at is not None
