"""A write-service case of the permission sweeps (tests/security/test_services.py)."""

from collections.abc import Callable
from dataclasses import dataclass

from opencro.accounts.permissions import RoleCode

ADMIN, OWNER = "admin", "owner"  # who may call a service that no study permission opens


@dataclass(frozen=True)
class Case:
    """A call of one service as `actor`; `perm` opens it (or ADMIN / OWNER); `allowed` succeeds."""

    name: str
    call: Callable
    perm: str
    allowed: str = RoleCode.PROJECT_MANAGER
