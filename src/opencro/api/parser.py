"""The API's request parser: JSON bodies and query strings, refusing text no database can hold.

PostgreSQL cannot store or even compare text containing NUL, and no UTF-8 database takes a lone
surrogate (which JSON's \\uD800 escapes can produce). Left alone, such input reaches a query and
fails there as a 500. Refused here, on every operation at once, it is a 422 naming the field in a
query string, and a 400 for a body (django-ninja answers so for any body its parser refuses).
"""

import re
from typing import Any

from ninja.errors import ValidationError
from ninja.parser import Parser

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value: Any, loc: tuple) -> list[dict]:
    """Error entries for every string in `value` holding a NUL or a lone surrogate."""
    if isinstance(value, str):
        if UNSTORABLE.search(value):
            return [
                {"loc": loc, "msg": "Text may not contain NUL characters or lone surrogates.", "type": "value_error"}
            ]
        return []
    if isinstance(value, dict):
        return [e for k, v in value.items() for e in _unstorable(k, loc) + _unstorable(v, (*loc, k))]
    if isinstance(value, list):
        return [e for i, v in enumerate(value) for e in _unstorable(v, (*loc, i))]
    return []


class StorableTextParser(Parser):
    def parse_body(self, request):
        data = super().parse_body(request)
        if errors := _unstorable(data, ("body",)):
            raise ValidationError(errors)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        if errors := _unstorable(result, ("query",)):
            raise ValidationError(errors)
        return result
