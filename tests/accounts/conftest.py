"""The accounts tests share the security sweeps' module-scoped world."""

from tests.security.conftest import _matrix_world_needs_db, matrix_world  # noqa: F401 (fixtures)
