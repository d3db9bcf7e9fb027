"""REDCap choice lists ("1, Yes | 2, No") and slider labels ("left | middle | right").

A choice is split at its first comma, so labels may hold commas; choices are separated by "|".
Codes must be single tokens (letters, digits, underscore, dot, leading minus) because REDCap
builds checkbox export names from them (``field___code``).

References: REDCap data dictionary column F ("Choices, Calculations, OR Slider Labels").
"""

import re

CODE = re.compile(r"-?[A-Za-z0-9_.]+\Z")


class ChoiceError(ValueError):
    """A choice list that cannot be read; the message names the offending choice."""


def parse_choices(text: str) -> list[tuple[str, str]]:
    """Return (code, label) pairs in order; raise ChoiceError on a malformed or duplicated choice."""
    choices: list[tuple[str, str]] = []
    seen: set[str] = set()
    for position, piece in enumerate(text.split("|"), start=1):
        piece = piece.strip()
        if not piece:
            continue  # REDCap tolerates a stray or trailing separator
        code, comma, label = piece.partition(",")
        code, label = code.strip(), label.strip()
        if not comma:
            raise ChoiceError(f"choice {position} '{piece}' has no comma: write 'code, label'")
        if not code:
            raise ChoiceError(f"choice {position} '{piece}' has no code before the comma")
        if not CODE.match(code):
            raise ChoiceError(
                f"choice {position} code '{code}' may hold only letters, digits, underscores, dots and a leading minus"
            )
        if not label:
            raise ChoiceError(f"choice {position} '{piece}' has no label after the comma")
        if code in seen:
            raise ChoiceError(f"choice code '{code}' is given twice")
        seen.add(code)
        choices.append((code, label))
    if not choices:
        raise ChoiceError("no choices given")
    return choices


def format_choices(choices: list[tuple[str, str]]) -> str:
    """Write pairs back in the dictionary's own form."""
    return " | ".join(f"{code}, {label}" for code, label in choices)


def parse_slider_labels(text: str) -> list[str]:
    """Return the left, middle and right labels of a slider (missing ones empty); raise ChoiceError if more."""
    labels = [piece.strip() for piece in text.split("|")] if text.strip() else []
    if len(labels) > 3:
        raise ChoiceError(f"a slider takes at most 3 labels (left | middle | right), {len(labels)} given")
    return labels + [""] * (3 - len(labels))
