"""Navigation shown in the base layout, by the user's role on the current study, the organisation they work for, and
the unread notices."""

from functools import partial

from opencro.accounts.access import access_for, access_organisation
from opencro.accounts.permissions import Perm
from opencro.notices.selectors import notice_unread_count


def navigation(request) -> dict:
    """Expose the current study's access so the layout shows only the links the role may use."""
    match = getattr(request, "resolver_match", None)
    study_id = match.kwargs.get("study_id") if match else None
    user = getattr(request, "user", None)
    if not study_id or user is None or not user.is_authenticated:
        return {"nav_access": None, "Perm": Perm, **_notices(user)}
    return {
        "nav_access": access_for(user, int(study_id)),
        "nav_study_id": int(study_id),
        "Perm": Perm,
        **_notices(user),
    }


def _notices(user) -> dict:
    """The user's unread notices and organisation, read only when a page shows the navigation."""
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_unread_notices": partial(notice_unread_count, user),
        "nav_organisation": partial(access_organisation, user),
    }
