"""Pagination for list operations, with bounds the database can take.

django-ninja's LimitOffsetPagination accepts any non-negative integer; a limit or offset beyond
64 bits reaches the database and fails there (a 500). This one refuses such input with a 422.
"""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 1000
MAX_OFFSET = 2**53  # far beyond any table, well inside every database's integer


class LimitOffset(LimitOffsetPagination):
    """`?limit=&offset=` with an upper bound on both."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
