"""The forms of a record's workflow steps on its page (deviations, issues, visits): one per step the record's status
and the reader's permissions allow; the one that failed keeps its errors."""

from collections.abc import Callable

from django import forms


def step_forms(
    allowed: set[str], blank: dict[str, Callable[[], forms.Form]], *, failed: str, form: forms.Form | None, shown: bool
) -> dict:
    """{"<step>_form": form or None, ..., "errors": [...]}: a refused form replaces its blank one; the refusal of a
    step the page does not show (`shown` False: the status changed meanwhile) is listed in "errors" instead."""
    return {
        "errors": [m for texts in form.errors.values() for m in texts] if form is not None and not shown else [],
        **{
            f"{name}_form": (form if name == failed else make()) if name in allowed else None
            for name, make in blank.items()
        },
    }
