"""Writes about people and access: users, lockout, memberships, roles, API tokens."""

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opencro.accounts.models import ApiToken, Membership, Role, User
from opencro.accounts.permissions import DEFAULT_ROLES, Perm, RoleCode
from opencro.accounts.tenancy import tenancy_check
from opencro.audit.models import AuditAction
from opencro.audit.services import audit_event, audited_save, object_type_of

TOKEN_PREFIX = "opc"


def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    time_zone: str = "UTC",
    is_superuser: bool = False,
) -> User:
    """Create a user after checking the password against Django's validators."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator creates users."))
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        time_zone=time_zone,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        return audited_save(user, actor=actor)


def _account_event(user: User, action: str, *, actor: User | None, changes=None, reason: str = "") -> None:
    """Audit an event on a user account (sign-in, lock, unlock) that is not a field edit."""
    audit_event(
        actor=actor,
        action=action,
        object_type=object_type_of(User),
        object_id=user.pk,
        object_repr=user.username,
        changes=changes,
        reason=reason,
    )


def login_success_record(*, user: User) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0)
        _account_event(user, AuditAction.LOGIN, actor=user)


def login_failure_record(*, username: str, locked_attempt: bool = False) -> None:
    """Count a failed login; lock the account when the limit is reached. Both are audited."""
    with transaction.atomic():
        user = User.objects.select_for_update(of=("self",)).filter(username=username).first()
        if user is None:
            audit_event(
                actor=None,
                action=AuditAction.LOGIN_FAILED,
                object_type=object_type_of(User),
                object_id="-",
                object_repr=username[:150],
                reason="unknown user",
            )
            return
        user.failed_logins += 1
        changes = {"failed_logins": (str(user.failed_logins - 1), str(user.failed_logins))}
        reason = "account locked" if locked_attempt else "wrong password"
        User.objects.filter(pk=user.pk).update(failed_logins=user.failed_logins)
        _account_event(user, AuditAction.LOGIN_FAILED, actor=None, changes=changes, reason=reason)
        if not user.is_locked and user.failed_logins >= settings.OPENCRO_LOCKOUT_ATTEMPTS:
            now = timezone.now()
            User.objects.filter(pk=user.pk).update(locked_at=now)
            _account_event(
                user,
                AuditAction.LOCK,
                actor=None,
                changes={"locked_at": (None, now.isoformat())},
                reason=f"{user.failed_logins} failed logins",
            )


def user_unlock(*, actor: User, user: User, reason: str) -> User:
    """Unlock an account (system administrators only); audited with the reason."""
    if not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator unlocks accounts."))
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    with transaction.atomic():
        user = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
        old = user.locked_at
        User.objects.filter(pk=user.pk).update(locked_at=None, failed_logins=0)
        _account_event(
            user,
            AuditAction.UNLOCK,
            actor=actor,
            changes={"locked_at": (old.isoformat() if old else None, None)},
            reason=reason,
        )
    user.refresh_from_db()
    return user


def user_preferences_update(*, actor: User, time_zone: str, language: str) -> User:
    """Let a user choose the zone and language pages are shown in (their own, nobody else's)."""
    user = User.objects.get(pk=actor.pk)  # a plain instance, also when `actor` is request.user's lazy proxy
    user.time_zone = time_zone
    user.language = language
    with transaction.atomic():
        return audited_save(user, actor=user, reason="preferences changed by the user")


def _english(text) -> str:
    """Stored names are English whatever the UI language; `Role.label` translates on display."""
    with translation.override("en"):
        return str(text)


def roles_seed(*, actor: User | None, study) -> list[Role]:
    """Give a new study the default roles; each is then editable for that study alone."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator seeds a study's roles."))
    roles = []
    with transaction.atomic():
        for code, perms in DEFAULT_ROLES.items():
            role = Role.objects.filter(study=study, code=code).first()
            if role is None:
                role = audited_save(
                    Role(study=study, code=code, name=_english(RoleCode(code).label), permissions=sorted(perms)),
                    actor=actor,
                )
            roles.append(role)
    return roles


def _grant_check(actor: User | None, study, *, permissions: Iterable[str], sites: Iterable = ()) -> None:
    """Let a non-superuser hand out only what they hold themselves on the study.

    They need study.manage_access, and may give (or take away) no permission they lack and no
    site beyond their own: so a blinded manager can never unblind anyone, themselves included.
    """
    from opencro.accounts.access import access_require

    if actor is None or actor.is_superuser:
        return
    access = access_require(actor, study, Perm.STUDY_MANAGE_ACCESS)
    beyond = sorted(set(permissions) - access.permissions)
    if beyond:
        raise PermissionDenied(_("You cannot grant permissions you do not hold: %s.") % ", ".join(beyond))
    if access.site_ids is not None:
        site_ids = {site.pk for site in sites}
        if not site_ids or not site_ids <= access.site_ids:
            raise PermissionDenied(_("You cannot grant access beyond your own sites."))


def role_permissions_set(*, actor: User, role: Role, permissions: Iterable[str], reason: str) -> Role:
    """Change what a study's role may do (study.manage_access, and only permissions the actor holds)."""
    permissions = set(permissions)
    _grant_check(actor, role.study, permissions=permissions | set(role.permissions))
    role.permissions = sorted(permissions)
    with transaction.atomic():
        return audited_save(role, actor=actor, reason=reason)


def membership_grant(
    *,
    actor: User | None,
    user: User,
    study,
    role_code: str,
    sites: Iterable = (),
    reason: str = "",
) -> Membership:
    """Give `user` a role on `study`, optionally restricted to `sites`; audited.

    Without superuser rights the actor needs study.manage_access and every permission of both the
    new role and the role it replaces (see `_grant_check`). The user's organisation must be a party to
    the study (`accounts.tenancy`).
    """
    role = Role.objects.get(study=study, code=role_code)
    sites = list(sites)
    current = Membership.objects.filter(user=user, study=study).select_related("role").first()
    replaced = set(current.role.permissions) if current is not None else set()
    _grant_check(actor, study, permissions=set(role.permissions) | replaced, sites=sites)
    tenancy_check(user, study)
    if any(site.study_id != study.pk for site in sites):
        raise ValidationError({"sites": _("Every site must belong to the study.")})
    with transaction.atomic():
        membership = Membership.objects.filter(user=user, study=study).first()
        if membership is None:
            membership = audited_save(Membership(user=user, study=study, role=role), actor=actor)
        else:
            membership.role, membership.is_active = role, True
            audited_save(membership, actor=actor, reason=reason or "membership changed")
        old_sites = sorted(membership.sites.values_list("number", flat=True))
        membership.sites.set(sites)
        new_sites = sorted(s.number for s in sites)
        _membership_event(
            membership,
            AuditAction.GRANT,
            actor=actor,
            changes={"sites": (",".join(old_sites) or None, ",".join(new_sites) or "all")},
            reason=reason,
        )
    return membership


def membership_revoke(*, actor: User | None, membership: Membership, reason: str) -> Membership:
    """End a user's access to a study (the row stays, inactive, so the trail keeps its meaning)."""
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    if actor is not None and actor.pk == membership.user_id:
        raise ValidationError({"user": _("You cannot revoke your own access.")})
    _grant_check(
        actor, membership.study, permissions=set(membership.role.permissions), sites=list(membership.sites.all())
    )
    membership.is_active = False
    with transaction.atomic():
        audited_save(membership, actor=actor, reason=reason)
        _membership_event(membership, AuditAction.REVOKE, actor=actor, reason=reason)
    return membership


def _membership_event(membership: Membership, action: str, *, actor: User | None, changes=None, reason: str) -> None:
    """Audit a grant or revocation as its own action, so the trail can be filtered for them."""
    audit_event(
        actor=actor,
        action=action,
        object_type=object_type_of(Membership),
        object_id=membership.pk,
        object_repr=str(membership),
        study_id=membership.study_id,
        changes=changes,
        reason=reason,
    )


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, actor: User, user: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token; return it and the full key, which is shown this once only."""
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied(_("Only the user or a system administrator creates tokens."))
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=_hash_secret(secret))
        audit_event(
            actor=actor,
            action=AuditAction.TOKEN,
            object_type=object_type_of(ApiToken),
            object_id=token.pk,
            object_repr=str(token),
            changes={"created": (None, prefix)},
        )
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if actor.pk != token.user_id and not actor.is_superuser:
        raise PermissionDenied(_("Only the owner or a system administrator revokes a token."))
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_event(
            actor=actor,
            action=AuditAction.TOKEN,
            object_type=object_type_of(ApiToken),
            object_id=token.pk,
            object_repr=str(token),
            changes={"revoked": (None, token.prefix)},
        )
    return token


TOKEN_USE_RESOLUTION = dt.timedelta(minutes=1)  # "last used" is shown to the minute


def token_authenticate(key: str) -> User | None:
    """Return the active user owning `key`, or None; compares hashes in constant time."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1], revoked_at__isnull=True).first()
    if token is None or not secrets.compare_digest(token.key_hash, _hash_secret(parts[2])):
        return None
    user = token.user
    if not user.is_active or user.is_locked:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:  # not a write per request
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user
