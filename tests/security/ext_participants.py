"""Security-sweep rows for the participants part (see tests/security/extensions.py)."""

PAGES: list = []
API: list = []
MODULES: dict = {}
EXEMPT: dict[str, str] = {}
CASES: list = []


def world_data(w) -> None:
    """Nothing yet."""
