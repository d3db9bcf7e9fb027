"""Checks the participant services share: site membership, re-authentication, and screening numbers."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.edc.esign import password_confirm
from opencro.studies.models import Site
from opencro.subjects.models import Subject


def site_require(actor: User | None, site: Site, perm: str = Perm.SUBJECT_EDIT, known: StudyAccess | None = None):
    """Raise PermissionDenied unless `actor` holds `perm` on the study and is a member at `site` (None: system)."""
    if actor is None:
        return None
    access = access_require(actor, site.study_id, perm, known=known)
    if access.site_ids is not None and site.pk not in access.site_ids:
        raise PermissionDenied(_("This site is outside your membership."))
    return access


def reauthenticate(actor: User | None, password: str) -> None:
    """Re-authenticate the signer (21 CFR 11.200); a wrong password is a ValidationError on `password`.

    Call it before the service's transaction: the failed attempt is recorded (and may lock the account).
    """
    if actor is None:
        return
    try:
        password_confirm(actor, password)
    except PermissionDenied as exc:
        raise ValidationError({"password": str(exc)}) from None


def next_screening_number(site: Site) -> str:
    """The site's next free screening number, "<site>-S001" onwards; call under the site's row lock."""
    prefix = f"{site.number}-S"
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    used = Subject.objects.filter(study_id=site.study_id, screening_number__startswith=prefix).values_list(
        "screening_number", flat=True
    )
    highest = max((int(m.group(1)) for n in used if (m := pattern.match(n))), default=0)
    return f"{prefix}{highest + 1:03d}"


def lock_site(site: Site) -> Site:
    """Lock the site's row for the rest of the transaction (serialises number allocation at the site)."""
    return Site.objects.select_for_update(of=("self",)).order_by().get(pk=site.pk)
