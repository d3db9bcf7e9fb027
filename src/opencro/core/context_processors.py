"""Navigation shown in the base layout, by the user's role on the current study."""

from opencro.accounts.access import access_for
from opencro.accounts.permissions import Perm


def navigation(request) -> dict:
    """Expose the current study's access so the layout shows only the links the role may use."""
    match = getattr(request, "resolver_match", None)
    study_id = match.kwargs.get("study_id") if match else None
    user = getattr(request, "user", None)
    if not study_id or user is None or not user.is_authenticated:
        return {"nav_access": None, "Perm": Perm}
    return {"nav_access": access_for(user, int(study_id)), "nav_study_id": int(study_id), "Perm": Perm}
