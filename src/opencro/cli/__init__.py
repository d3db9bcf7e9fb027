"""The `opencro` command line: thin command groups over services and selectors."""

import os
import sys

from rich.console import Console

err = Console(stderr=True)
out = Console()


def setup_django() -> None:
    """Configure Django once, inside a command (never at import time)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencro.settings")
    django.setup()


def fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}", soft_wrap=True)  # never wrapped: paths stay whole
    sys.exit(code)
