"""The one permission rule of the registry: `site.edit` on the study the manager works in, with no site list."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm


def registry_require(actor: User | None, study) -> StudyAccess | None:
    """Raise PermissionDenied unless `actor` manages sites of `study` for every site (None: the system)."""
    if actor is None:
        return None
    access = access_require(actor, study, Perm.SITE_EDIT)
    if access.site_ids is not None:
        raise PermissionDenied(_("A site-restricted role cannot use the site registry."))
    return access
