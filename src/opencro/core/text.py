"""Checks of free text that a write records as its justification (a reason, a rationale)."""

from django.core.exceptions import ValidationError

EXPLANATION_MIN_LENGTH = 10  # characters: enough to say why, short enough never to be in the way


def explanation_required(text: str | None, *, field: str, message: str, minimum: int = EXPLANATION_MIN_LENGTH) -> str:
    """Return `text` stripped; raise ValidationError({field: message}) when shorter than `minimum` characters.

    `message` may use %(n)d for the minimum.
    """
    text = (text or "").strip()
    if len(text) < minimum:
        raise ValidationError({field: message % {"n": minimum}})
    return text
