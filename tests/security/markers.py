"""What the sweeps look for in an answer: a treatment assignment, or anything of site B1."""

from opencro.accounts.permissions import DEFAULT_ROLES, Perm
from tests.security.client import text
from tests.security.matrix import ROUTES, Access, Route

RANDOMISATION_NUMBERS = ("R-A1-001", "R-B1-001")
# Names of the assignment columns and fields; the public API schema names them too, so they are
# looked for only in answers about the study.
ASSIGNMENT_FIELDS = ("randomisation_number", "arm_code", "Randomisation no.")
# Kit types and lots name the arm (tests/rtsm/supply_world.py): only unblinded roles may read them.
KIT_MARKERS = ("Kit A", "Kit P", "L-KA-1", "L-KP-1")
SITE_B_MARKERS = ("B1-001", "Beta Hospital", "Dr B")
# The writes the permission sweep checks (signing has its own tests).
CHECKED_WRITES = [r for r in ROUTES if r.full and r.writes and r.access is Access.STUDY and r.perm != Perm.SIGN]
BLINDED = [r for r in DEFAULT_ROLES if Perm.TREATMENT_VIEW not in DEFAULT_ROLES[r]]
UNBLINDED = [r for r in DEFAULT_ROLES if Perm.TREATMENT_VIEW in DEFAULT_ROLES[r]]


def assignment_leaks(route: Route, response) -> list[str]:
    """The assignment markers the answer shows (the field names only in answers about the study)."""
    markers = RANDOMISATION_NUMBERS + (() if route.access is Access.PUBLIC else ASSIGNMENT_FIELDS + KIT_MARKERS)
    body = text(response)
    return [m for m in markers if m in body]


def site_b_leaks(response) -> list[str]:
    body = text(response)
    return [m for m in SITE_B_MARKERS if m in body]
