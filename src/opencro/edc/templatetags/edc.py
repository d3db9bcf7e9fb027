"""Template helpers for EDC pages."""

from django import template
from django.utils.translation import get_language

from opencro.formats.build import text_of

register = template.Library()


@register.filter
def tr(texts: dict | None) -> str:
    """A translated text ({language: text}) in the viewer's language."""
    return text_of(texts or {}, get_language() or "en")
