"""Show a service's refusal on the HTML form that asked for it."""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def errors_to_form(form: forms.Form, exc: ValidationError, aliases: Mapping[str, str] | None = None) -> None:
    """Put each message of `exc` beside the field it names (a service's field name mapped through `aliases` to
    the form's), or above the form when the form has no such field."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for name, texts in errors.items():
        name = (aliases or {}).get(name, name)
        for text in texts:
            form.add_error(name if name in form.fields else None, text)
